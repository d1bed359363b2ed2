# l2-dynamics. `make` alone lists the targets (make help). `make book` builds the book (default PRESET=cpu),
# `make test` runs the checks; both create the virtual environment first. Python 3.11 to 3.14 must be on PATH as
# python3 (or pass PYTHON=python3.13).

PRESET ?= cpu
SEED ?= 0
PORT ?= 8000
# DEVICE=cuda (CUDA 12 wheels) or cuda13: install that JAX extra into .venv before running (once); empty: as is.
DEVICE ?=
# CPU_DEVICES=8: make rehearse also builds and compiles every program over that many (forced) CPU devices.
# CPU_SPLIT=2: without an accelerator, the chapters, the headless runner and probes see that many CPU devices (XLA's
# --xla_force_host_platform_device_count) and the engine splits a grid's runs over them, unpadded
# (training.plan.cpu_parts). Off by default (1): alternating micro-benchmarks on 2 cores gave 1.24-1.39x for WRN-10-1
# grids without JAX's compilation cache and 0.92-1.04x with it, and the wrn_cifar chapter trained at the same rate
# as on one device for 21 min (NOTES.md, session 29). An accelerator's devices are not affected.
CPU_SPLIT ?= 1
# CONFIRM=1: start PRESET=paper on a machine without an accelerator without asking (it prints the estimates first).
CONFIRM ?=
PYTHON ?= python3

# Checked before anything runs, so a typo stops here in one line and leaves nothing behind: the variables a user
# may set on the command line (`make book PRSET=smoke` would otherwise build the default cpu book, for hours), the
# preset, and the seed (digits only; the chapter checks its range).
USER_VARIABLES := PRESET SEED CH CLAIM PORT DEVICE CONFIRM PYTHON VERSION CPU_DEVICES CPU_SPLIT
unknown_variables := $(filter-out $(USER_VARIABLES),$(foreach v,$(.VARIABLES),$(if $(filter command line,$(origin $(v))),$(v))))
ifneq ($(unknown_variables),)
$(error unknown variable $(unknown_variables); make takes $(USER_VARIABLES) (see make help))
endif
ifneq ($(PRESET),$(filter smoke cpu paper,$(PRESET)))
$(error PRESET=$(PRESET) is not a preset; choose smoke, cpu or paper)
endif
# $(call non_digits,x): x without its digits (empty for a number)
non_digits = $(subst 0,,$(subst 1,,$(subst 2,,$(subst 3,,$(subst 4,,$(subst 5,,$(subst 6,,$(subst 7,,$(subst 8,,$(subst 9,,$(1)))))))))))
ifneq ($(words $(SEED))$(call non_digits,$(SEED)),1)
$(error SEED=$(SEED) is not a seed; use a non-negative integer, e.g. SEED=1)
endif
ifneq ($(words $(CPU_SPLIT))$(call non_digits,$(CPU_SPLIT))$(filter 0%,$(CPU_SPLIT)),1)
$(error CPU_SPLIT=$(CPU_SPLIT) is not a device count; use a positive integer, e.g. CPU_SPLIT=1 for one CPU device)
endif
# The environment of whatever trains (chapters, headless runs, probes): XLA_FLAGS with the CPU devices added (none
# with CPU_SPLIT=1, so that the programs the tests compiled are read from the cache: XLA_FLAGS is part of its key).
SPLIT_ENV = $(if $(filter-out 1,$(CPU_SPLIT)),XLA_FLAGS="$(strip $(XLA_FLAGS) --xla_force_host_platform_device_count=$(CPU_SPLIT))")
VENV := .venv
PY := $(VENV)/bin/python
KERNEL := replication
STAMP := $(VENV)/.installed
STAGE := _build/stage/$(PRESET)
HTML := _build/$(PRESET)/_build/html
# Expected time of each chapter per preset, printed as it starts (the README shows the same table).
TIMES := book/_chapter_times.toml
# Progress lines of the running chapter: the training engine appends to this file (never to the notebook) and
# `make execute` streams it to the terminal.
PROGRESS := $(CURDIR)/_build/progress-$(PRESET).log
# What papermill and Jupyter Book print (kernel messages, configuration dumps): kept here, shown only on failure.
LOGS := _build/logs/$(PRESET)
# Seconds one chapter cell may run before papermill stops it with an error naming the cell: far above any cell's
# expected time at the preset (a cell that trains a whole grid), so that only a hang reaches it.
CELL_TIMEOUT_smoke := 1800
CELL_TIMEOUT_cpu := 14400
CELL_TIMEOUT_paper := 604800
CELL_TIMEOUT = $(CELL_TIMEOUT_$(PRESET))
# Chapters in book order (from _toc.yml); the landing page (book/intro) runs last so it can collect the
# headline numbers the chapters record.
CHAPTERS = $(shell $(PY) -c "from replication.site.registry import toc_chapters_in_order as t; print(' '.join(t('_toc.yml')))")
export REPLICATION_RESULTS := $(CURDIR)/results
# JAX's persistent compilation cache, shared by the tests, the headless runner and the chapters' kernels: a program
# compiled once (by any of them, in any earlier run) is read back instead of compiled again; entries are keyed by the
# program, JAX's version and the flags. No size limit (JAX's needs the filelock package; the suite's entries take
# ~100 MB; make distclean removes them). JAX_COMPILATION_CACHE_DIR in the environment overrides (empty: no cache).
export JAX_COMPILATION_CACHE_DIR ?= $(CURDIR)/.cache/jax
export JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS ?= 0
export JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES ?= -1

.DEFAULT_GOAL := help
.PHONY: help env device lock data cifar10 lint test test-heavy sync guard execute chapter headless ledger verdicts rehearse decide probe why build book serve check-book bench release clean distclean

help: ## List the targets (this text)
	@echo "l2-dynamics: make <target> [PRESET=smoke|cpu|paper] (default PRESET=cpu)"
	@echo
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/\1|\2/' | awk -F'|' '{printf "  %-12s %s\n", $$1, $$2}'
	@echo
	@echo "First look: make book PRESET=smoke (minutes). Then make serve PRESET=smoke, or open $(HTML)/index.html."

env: $(STAMP) ## Create .venv/ from requirements.lock (hashed, the verified set) and install this package

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 15))' || { \
	  echo "make env: $(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'); 3.11 to 3.14 is needed (make env PYTHON=python3.12)."; exit 1; }
	@echo "make env: installing requirements.lock and this package into $(VENV)/ (minutes, once)"
	@$(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	@$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python 3 (replication)" >/dev/null
	@# the kernel's own log (e.g. ipykernel 7's "running over TCP" warning, once per chapter) only clutters the terminal
	@$(PY) -c "import json, pathlib, sys; p = pathlib.Path(sys.prefix, 'share/jupyter/kernels/$(KERNEL)/kernel.json'); \
	  k = json.loads(p.read_text()); k['argv'].append('--IPKernelApp.log_level=ERROR'); p.write_text(json.dumps(k, indent=1))"
	@touch $@

device: env ## With DEVICE=cuda or cuda13: install JAX's NVIDIA GPU wheels into .venv (once) and list the devices
ifneq ($(DEVICE),)
	@case "$(DEVICE)" in cuda|cuda13) ;; *) echo "DEVICE=$(DEVICE): use DEVICE=cuda (CUDA 12) or DEVICE=cuda13, or leave it empty."; exit 2;; esac
	@test -f $(VENV)/.installed-$(DEVICE) || { $(PY) -m pip install --quiet -e ".[$(DEVICE)]" && touch $(VENV)/.installed-$(DEVICE); }
	@$(PY) -c "import jax; d = jax.devices(); print(f'JAX {jax.__version__} sees {len(d)} x {d[0].device_kind} ({d[0].platform})')"
endif

lock: env ## Re-resolve requirements.lock from pyproject.toml's ranges (with uv), for Python 3.11 to 3.14
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra book --extra test --universal --python-version 3.11 \
	  --generate-hashes --custom-compile-command "make lock" --quiet -o requirements.lock

data: env ## Fetch full MNIST once into REPLICATION_DATA (default ~/.cache/replication); say whether CIFAR-10 is here
	@$(PY) -m replication.data

cifar10: env ## Fetch CIFAR-10 (163 MB, md5-checked) into REPLICATION_DATA; the CIFAR chapters then use it
	$(PY) -m replication.data --cifar10

lint: env ## Style (ruff check, ruff format --check) and the import layers of src/replication (import-linter)
	$(VENV)/bin/ruff check src tests book benchmarks tools .ci
	$(VENV)/bin/ruff format --check src tests book benchmarks tools .ci
	$(VENV)/bin/lint-imports

test: env data lint ## make lint, then the test suite (pytest, one worker per core) but its heavy tests
	$(PY) -m pytest -q -n auto -m "not heavy"

test-heavy: env data ## The tests over 30 s each (marker heavy: end-to-end studies at a micro size); .ci/run runs them
	$(PY) -m pytest -q -n auto -m heavy

sync: env ## Regenerate each chapter's .ipynb from its .py (the .py is the source of truth)
	$(VENV)/bin/jupytext --quiet --sync book/*.py

# Run chapter $$ch with papermill into the stage while streaming its progress file to the terminal. The follower
# runs in the background and stops when the stop file appears (or this shell is gone, e.g. after Ctrl-C).
define run_chapter
rm -f $(PROGRESS) $(PROGRESS).end; \
$(PY) -m replication.core.progress follow $(PROGRESS) --chapter $$ch --preset $(PRESET) --times $(TIMES) \
  --stop-file $(PROGRESS).end --pid $$$$ & follower=$$!; \
status=0; mkdir -p $(LOGS); \
$(VENV)/bin/jupytext --quiet --to ipynb --output - book/$$ch.py | \
  REPLICATION_PROGRESS=$(PROGRESS) REPLICATION_LEDGER=$(CURDIR)/$(LOGS)/ledger.jsonl REPLICATION_LEDGER_LABEL=$$ch \
  $(SPLIT_ENV) $(PY) -W ignore::UserWarning -m papermill - $(STAGE)/book/$$ch.ipynb \
    -k $(KERNEL) --cwd $(CURDIR) -p preset $(PRESET) -p seed $(SEED) --log-level WARNING --no-progress-bar \
    --engine replication --execution-timeout $(CELL_TIMEOUT) > $(LOGS)/$$ch.log 2>&1 \
  || status=$$?; \
touch $(PROGRESS).end; wait $$follower; \
if [ $$status -ne 0 ]; then tail -n 40 $(LOGS)/$$ch.log; \
  echo "make: chapter $$ch failed at $(PRESET) (papermill exit $$status); its log: $(LOGS)/$$ch.log"; exit $$status; fi
endef

define stage_assets
@mkdir -p $(STAGE)/book _build
@(cd book && tar cf - --exclude='*.py' --exclude='*.ipynb' --exclude='_chapter_times.toml' .) | (cd $(STAGE)/book && tar xf -)
endef

# PRESET=paper without an accelerator: print the estimated times and ask (CONFIRM=1 skips the question; with no
# terminal, e.g. in CI, it refuses instead of waiting).
guard: env
	@if [ "$(PRESET)" = paper ]; then $(PY) -m replication.core.accelerator --preset $(PRESET) --times $(TIMES) \
	  --chapters "$(CHAPTERS)" $(if $(CONFIRM),--yes); fi

execute: env guard ## Run every chapter at PRESET with papermill into _build/stage/PRESET/, printing progress
	@rm -rf $(STAGE)/book $(LOGS)
	$(stage_assets)
	@echo "Executing $(words $(CHAPTERS)) chapters at PRESET=$(PRESET); expected times: $(TIMES)"
	@set -e; for ch in $(CHAPTERS); do $(run_chapter); done

chapter: env device ## make chapter CH=<name> [PRESET=..]: re-execute one chapter (and the landing page), rebuild
	@test -n "$(CH)" -a -f "book/$(CH).py" || { echo "usage: make chapter CH=<name> [PRESET=$(PRESET)]; names: $(CHAPTERS)"; exit 2; }
	@if [ "$(PRESET)" = paper ]; then $(PY) -m replication.core.accelerator --preset $(PRESET) --times $(TIMES) \
	  --chapters "$(CH)" $(if $(CONFIRM),--yes); fi
	$(stage_assets)
	@set -e; for ch in $(CH) $(filter-out $(CH),intro); do $(run_chapter); done
	@missing=""; for ch in $(CHAPTERS); do [ -f $(STAGE)/book/$$ch.ipynb ] || missing="$$missing $$ch"; done; \
	if [ -n "$$missing" ]; then echo "Not rebuilt: chapters never executed at $(PRESET):$$missing (make book PRESET=$(PRESET))"; \
	else $(MAKE) --no-print-directory build PRESET=$(PRESET); fi

build: env ## Build the HTML from the staged notebooks with Jupyter Book 1 (into _build/PRESET/_build/html)
	@mkdir -p $(LOGS)
	@echo "Building the HTML with Jupyter Book (its log: $(LOGS)/jupyter-book.log)"
	@$(VENV)/bin/jupyter-book build $(STAGE) --config $(CURDIR)/_config.yml --toc $(CURDIR)/_toc.yml --path-output _build/$(PRESET) \
	  --warningiserror --keep-going > $(LOGS)/jupyter-book.log 2>&1 || { \
	  tail -n 30 $(LOGS)/jupyter-book.log; echo "make build: Jupyter Book failed at $(PRESET); its whole log: $(LOGS)/jupyter-book.log"; exit 1; }
	@echo "Book: $(HTML)/index.html (make serve PRESET=$(PRESET))"

book: env device data execute build ## Execute every chapter at PRESET and build the book ([DEVICE=cuda] [CONFIRM=1])

headless: env device data ## make headless CH="fc_mnist wrn_cifar" (or all) PRESET=..: train into results/ without the book
	@test -n "$(CH)" || { echo 'usage: make headless CH="<chapter> ..." [PRESET=$(PRESET)] (python -m replication.experiments --help)'; exit 2; }
	$(SPLIT_ENV) $(PY) -m replication.experiments $(CH) --preset $(PRESET) --seed $(SEED) --times $(TIMES) $(if $(CONFIRM),--yes)

ledger: env ## make ledger PRESET=..: where each chapter's time went in the last make book/chapter (compilation, training, ...)
	@$(PY) -m replication.core.ledger $(LOGS)/ledger.jsonl

verdicts: env ## make verdicts PRESET=..: the landing page's claims, verdicts and reasons as a Markdown table (from results/PRESET/headlines)
	@$(PY) -m replication.site.verdicts --preset $(PRESET)

rehearse: env data ## make rehearse PRESET=paper [CH=all] [CPU_DEVICES=8]: what it would train, its FLOPs, memory per device, time on H100/H200 (CPU_DEVICES: also compile its programs over that many CPU devices)
	$(PY) -m replication.experiments rehearse $(or $(CH),all) --preset $(PRESET) $(if $(CPU_DEVICES),--cpu-devices $(CPU_DEVICES))

decide: env ## make decide [CH=all]: each claim's declared size that could decide it, planned and priced (here and on H200s)
	$(PY) -m replication.experiments decide $(or $(CH),all) --seed $(SEED)

probe: env device data ## make probe CLAIM=fc_mnist.mse_eta_flattening: train a claim's declared deciding size (or read it from results/) and record it under probes/ (commit it)
	@test -n "$(CLAIM)" || { echo 'usage: make probe CLAIM="<claim key> ..." (the keys: python -m replication.experiments probe --help)'; exit 2; }
	$(SPLIT_ENV) $(PY) -m replication.experiments probe $(CLAIM) --seed $(SEED)

why: env data ## make why CH="fc_mnist" (or all) PRESET=..: per grid, stored or not, and which config fields or code parts differ from the nearest stored result
	@test -n "$(CH)" || { echo 'usage: make why CH="<chapter> ..." [PRESET=$(PRESET)]'; exit 2; }
	$(PY) -m replication.experiments why $(CH) --preset $(PRESET) --seed $(SEED)

serve: ## Serve the built book at http://127.0.0.1:PORT (default 8000) until Ctrl-C
	@test -f $(HTML)/index.html || { echo "No book at $(HTML): run make book PRESET=$(PRESET) first."; exit 1; }
	@echo "Serving $(HTML) at http://127.0.0.1:$(PORT)/ (Ctrl-C stops)"
	$(PYTHON) -m http.server $(PORT) --bind 127.0.0.1 --directory $(HTML)

bench: env ## Engine speed (not a test): per model, our step against PyTorch eager (.[bench] or Debian python3-torch), targets
	JAX_COMPILATION_CACHE_DIR= $(PY) benchmarks/bench_engine.py --out results/bench.json  # compile times as they are

# Headless-Chromium check of the built book (needs Debian's chromium: apt-get install chromium); one full-page
# screenshot per page (1400 px wide) under _build/$(PRESET)/screenshots/ for a reviewer to flip through.
check-book: env ## Check the built book in headless Chromium and save one screenshot per page
	rm -rf _build/$(PRESET)/screenshots
	$(PY) .ci/check_book.py $(HTML) --screenshots _build/$(PRESET)/screenshots

release: env ## make release VERSION=X.Y.Z: check the version and changelog, run .ci/run in a fresh clone, then tag vX.Y.Z
	@test -n "$(VERSION)" || { echo "usage: make release VERSION=X.Y.Z (the version in src/replication/__init__.py)"; exit 2; }
	@test -z "$$(git status --porcelain --untracked-files=no)" || { echo "make release: commit your changes first"; exit 1; }
	@$(PY) tools/release.py check $(VERSION)
	rm -rf _build/release-ci && git clone -q . _build/release-ci
	cd _build/release-ci && bash .ci/run
	git tag -a v$(VERSION) -m "l2-dynamics $(VERSION)"
	@echo "Tagged v$(VERSION). Publish it with: git push origin v$(VERSION)"

clean: ## Remove _build/ (built books, staged notebooks); keeps .venv/ and results/
	rm -rf _build
	@echo "Kept .venv/ and results/. A broken or wrong-Python environment: make distclean (or rm -rf .venv), then make env."

distclean: clean ## Also remove .venv/ and the tool caches (JAX's compilation cache too); keeps results/ (stored runs) and the data cache
	rm -rf $(VENV) .ruff_cache .pytest_cache .import_linter_cache src/*.egg-info .cache/jax
