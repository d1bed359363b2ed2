"""Running without the book: the headless experiment command (results reused by a second call and by the chapter's
own entry point), the guard before a paper run on CPUs, and the multi-host settings."""

import io
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from replication.core import distributed, progress
from replication.core.accelerator import Accelerator, confirm_paper_run
from replication.experiments import failure_case
from replication.experiments.configs import get_config
from replication.experiments.grid import GridResult
from replication.experiments.headless import CHAPTERS, main, studies
from replication.site.registry import toc_chapters_in_order

ROOT = Path(__file__).resolve().parents[1]
TIMES = ROOT / "book" / "_chapter_times.toml"


def _cli(*args, results: Path):
    env = dict(os.environ, REPLICATION_RESULTS=str(results))
    env.pop("REPLICATION_DISTRIBUTED", None)
    env.pop("REPLICATION_PROGRESS", None)
    return subprocess.run([sys.executable, "-m", "replication.experiments", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=300)  # fmt: skip


@pytest.mark.slow
def test_headless_run_writes_results_that_the_second_call_and_the_chapter_reuse(tmp_path, monkeypatch):
    first = _cli("failure_case", "--preset", "smoke", results=tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    stored = sorted((tmp_path / "smoke" / "runs").glob("fc-*-stand-in-*.json"))  # S7: the FC network on the stand-in
    assert len(stored) == 1 and "failure_case at smoke: 1 trained, 0 recomputed, 0 reused" in first.stdout
    # progress on the terminal (no $REPLICATION_PROGRESS here): at least each grid's last line
    done = [line for line in first.stdout.splitlines() if ": chunk " in line and line.endswith(", done")]
    assert done and "(100%)" in done[-1], first.stdout
    before = stored[0].stat().st_mtime_ns, stored[0].read_bytes()

    second = _cli("failure_case", "--preset", "smoke", results=tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "failure_case at smoke: nothing trained or recomputed: 1 stored result reused" in second.stdout
    assert (stored[0].stat().st_mtime_ns, stored[0].read_bytes()) == before
    assert sorted((tmp_path / "smoke" / "runs").glob("*.json")) == stored

    # the chapter's own call finds the same stored result (what `make book` would do next)
    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path))
    assert failure_case.sweep(get_config("failure_case", "smoke"), seed=0).grid.reused


def test_headless_runs_every_study_each_chapter_calls():
    """Every experiment module that declares STUDIES is a headless chapter, each study is a function of it, and every
    call a chapter makes to a training function of its module is a declared study (so after `make headless CH=all`
    the book step trains nothing; .ci/run checks that end to end at smoke)."""
    import ast
    import pkgutil

    import replication.experiments as experiments

    declaring = set()
    for info in pkgutil.iter_modules(experiments.__path__):
        if info.name == "__main__":  # running it is the command line
            continue
        module = __import__(f"replication.experiments.{info.name}", fromlist=["_"])
        if hasattr(module, "STUDIES"):
            declaring.add(info.name)
    assert declaring == set(CHAPTERS)
    for chapter in CHAPTERS:
        module = __import__(f"replication.experiments.{chapter}", fromlist=["_"])
        assert studies(chapter) and all(callable(getattr(module, name)) for name in studies(chapter)), chapter
        assert chapter in toc_chapters_in_order(ROOT / "_toc.yml")
        tree = ast.parse((ROOT / "book" / f"{chapter}.py").read_text(encoding="utf-8"))
        calls = [n.func for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]
        called = {f.attr for f in calls if getattr(f.value, "id", None) == chapter}
        seeded = {name for name in called if "seed" in getattr(module, name).__code__.co_varnames}
        # a function of the module that takes a seed trains (or reads what a study stored); the chapter may call one
        # outside STUDIES only when a declared study reaches the same stored runs (scheduled_prediction: c passed in)
        assert seeded - set(studies(chapter)) <= {"scheduled_prediction"}, (chapter, seeded - set(studies(chapter)))


def test_paper_on_cpu_prints_estimates_and_never_waits_without_a_terminal():
    cpu = Accelerator("cpu", "cpu", 1)
    out = io.StringIO()
    assert not confirm_paper_run("paper", ["fc_mnist"], times=TIMES, found=cpu, stdin=io.StringIO("y\n"), out=out)
    text = out.getvalue()
    assert "fc_mnist: about 15 days (estimate)" in text and "CONFIRM=1" in text and "no terminal" in text

    out = io.StringIO()
    assert confirm_paper_run("paper", ["fc_mnist"], times=TIMES, found=cpu, assume_yes=True, out=out)
    assert "estimate" in out.getvalue()


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("answer, starts", [("y\n", True), ("yes\n", True), ("\n", False), ("n\n", False)])
def test_paper_on_cpu_asks_on_a_terminal(answer, starts):
    out = io.StringIO()
    cpu = Accelerator("cpu", "cpu", 1)
    assert confirm_paper_run("paper", ["wrn_cifar"], times=TIMES, found=cpu, stdin=_Terminal(answer), out=out) is starts
    assert "Start anyway? [y/N]" in out.getvalue()


def test_other_presets_and_accelerators_start_without_asking():
    silent = io.StringIO()
    assert confirm_paper_run("cpu", ["fc_mnist"], found=Accelerator("cpu", "cpu", 1), stdin=silent, out=silent)
    assert silent.getvalue() == ""
    out = io.StringIO()
    assert confirm_paper_run("paper", ["fc_mnist"], found=Accelerator("gpu", "NVIDIA H200", 8), out=out)
    assert "8 × NVIDIA H200" in out.getvalue()
    with pytest.raises(ValueError, match="preset"):
        confirm_paper_run("huge", [])


def test_every_chapter_has_a_paper_estimate_marked_as_such():
    table = tomllib.loads(TIMES.read_text())
    chapters = set(toc_chapters_in_order(ROOT / "_toc.yml"))
    for section in ("paper", "paper-no-accelerator"):
        assert set(table[section]) == chapters, section
        assert all("estimate" in v or v == "under a minute" for v in table[section].values()), section


def test_distributed_settings_from_the_environment():
    assert distributed.setup_from_env({}) is None
    assert distributed.setup_from_env({"REPLICATION_DISTRIBUTED": "0"}) is None
    assert distributed.setup_from_env({"REPLICATION_DISTRIBUTED": "1"}) == distributed.DistributedSetup()
    env = {"REPLICATION_DISTRIBUTED": "127.0.0.1:1234", "REPLICATION_NUM_PROCESSES": "2", "REPLICATION_PROCESS_ID": "1"}
    assert distributed.setup_from_env(env) == distributed.DistributedSetup("127.0.0.1:1234", 2, 1)
    with pytest.raises(ValueError, match="REPLICATION_NUM_PROCESSES"):
        distributed.setup_from_env({"REPLICATION_DISTRIBUTED": "127.0.0.1:1234"})
    with pytest.raises(ValueError, match="process_id=2"):
        distributed.DistributedSetup("127.0.0.1:1234", 2, 2)
    with pytest.raises(ValueError, match="host:port"):
        distributed.DistributedSetup("127.0.0.1", 2, 0)


# --- progress on the terminal, and a summary that says what was trained, recomputed and reused ---


class _Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def _fake_sweep(chunks: int, clock: _Clock):
    """A stand-in for failure_case.sweep that reports ``chunks`` chunks of one (fake) second each."""

    def sweep(cfg, *, seed):
        hook = progress.reporter("fake_grid (3 runs)", clock=clock)
        for done in range(chunks + 1):
            hook(done, chunks)
            clock.t += 1.0

    return sweep


def test_headless_prints_progress_on_the_terminal_when_no_progress_file_is_set(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(progress.ENV, raising=False)
    monkeypatch.delenv("REPLICATION_DISTRIBUTED", raising=False)
    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path))
    monkeypatch.setattr(failure_case, "sweep", _fake_sweep(100, _Clock()))
    assert main(["failure_case", "--preset", "smoke"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "fake_grid (3 runs): chunk" in line]
    # 100 one-second chunks: about one line every 10 s, and the last one says the grid is done
    assert 8 <= len(lines) <= 11, lines
    assert lines[-1].strip().startswith("fake_grid (3 runs): chunk 100/100 (100%)") and lines[-1].endswith("done")
    assert "left" in lines[0]


def test_headless_leaves_progress_to_the_progress_file_when_one_is_set(tmp_path, monkeypatch, capsys):
    log = tmp_path / "progress.log"
    monkeypatch.setenv(progress.ENV, str(log))
    monkeypatch.delenv("REPLICATION_DISTRIBUTED", raising=False)
    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path))
    monkeypatch.setattr(failure_case, "sweep", _fake_sweep(100, _Clock()))
    assert main(["failure_case", "--preset", "smoke"]) == 0
    assert "fake_grid" not in capsys.readouterr().out
    assert "fake_grid (3 runs): chunk 100/100 (100%)" in log.read_text()
    # outside a headless run the default reporter stays silent without the variable
    monkeypatch.delenv(progress.ENV)
    hook = progress.reporter("quiet")
    assert hook.path is None and hook.stream is None


def _grid(reused: bool) -> GridResult:
    """A grid as ``cached_grid`` hands it out: recorded as asked for, which is what the headless runner counts."""
    from replication.experiments import grid

    result = GridResult(runs=(), histories=(), provenance=None, reused=reused)
    if (asked := grid._RECORDING.get()) is not None:
        asked.append(result)
    return result


def test_summary_counts_trained_recomputed_and_reused_results(tmp_path, monkeypatch, capsys):
    """A damaged stored file is set aside (``X.damaged-<time>``, the store's convention) and recomputed; the summary
    must not say that every stored result was reused."""
    monkeypatch.delenv(progress.ENV, raising=False)
    monkeypatch.delenv("REPLICATION_DISTRIBUTED", raising=False)
    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path))
    runs = tmp_path / "smoke" / "runs"
    runs.mkdir(parents=True)
    for name in ("damaged", "kept", "overwritten"):
        (runs / f"failure_case-{name}.json").write_text('{"stored": true}\n')
    old = 1_000_000_000_000_000_000
    for p in runs.iterdir():
        os.utime(p, ns=(old, old))

    def only_recompute(cfg, *, seed):
        damaged = runs / "failure_case-damaged.json"
        damaged.rename(runs / "failure_case-damaged.json.damaged-20261204T101500123456")
        damaged.write_text('{"recomputed": true}\n')
        return {"a": _grid(False), "b": _grid(True)}

    monkeypatch.setattr(failure_case, "sweep", only_recompute)
    assert main(["failure_case", "--preset", "smoke"]) == 0
    summary = capsys.readouterr().out.splitlines()[-1]
    assert "every stored result reused" not in summary
    assert "0 trained, 1 recomputed, 1 reused" in summary, summary

    def all_three(cfg, *, seed):
        (runs / "failure_case-new.json").write_text('{"trained": true}\n')
        (runs / "failure_case-overwritten.json").write_text('{"recomputed, no set-aside copy": true}\n')
        return [_grid(False), _grid(False), (_grid(True),)]

    monkeypatch.setattr(failure_case, "sweep", all_three)
    assert main(["failure_case", "--preset", "smoke"]) == 0
    summary = capsys.readouterr().out.splitlines()[-1]
    assert "1 trained, 1 recomputed, 1 reused" in summary, summary

    monkeypatch.setattr(failure_case, "sweep", lambda cfg, *, seed: _grid(True))
    assert main(["failure_case", "--preset", "smoke"]) == 0
    summary = capsys.readouterr().out.splitlines()[-1]
    assert "nothing trained or recomputed: 1 stored result reused" in summary, summary


# --- arguments are checked before anything is imported or trained (issue: "Headless runs a person can follow") ---

_NO_JAX = """import sys
from replication.experiments.headless import main
try:
    main(sys.argv[1:])
finally:
    print("jax imported" if "jax" in sys.modules else "jax not imported")
"""


_COORD = ["--coordinator", "127.0.0.1:1234"]
# (arguments, extra environment, what the one-line error must name); {file} is an existing file, not a folder
_BAD_ARGUMENTS = [
    (["--seed", "-1"], {}, "--seed"),
    (["--seed", "2147483648"], {}, "--seed"),
    (["--seed", "one"], {}, "--seed"),
    (["--results", "{file}"], {}, "--results"),
    (["--results", "{file}/below"], {}, "--results"),
    (["--num-processes", "2"], {}, "--num-processes"),
    (["--process-id", "0"], {}, "--process-id"),
    ([*_COORD, "--num-processes", "0", "--process-id", "0"], {}, "--num-processes"),
    ([*_COORD, "--num-processes", "2", "--process-id", "2"], {}, "--process-id"),
    ([*_COORD, "--num-processes", "2", "--process-id", "-1"], {}, "--process-id"),
    ([*_COORD, "--process-id", "0"], {}, "--num-processes"),
    (["--coordinator", "127.0.0.1", "--num-processes", "2", "--process-id", "0"], {}, "--coordinator"),
    (["--times", "{file}.missing"], {}, "--times"),
    ([], {"REPLICATION_DISTRIBUTED": "127.0.0.1:1234"}, "REPLICATION_NUM_PROCESSES"),
]


@pytest.mark.parametrize(
    "args, extra, named", _BAD_ARGUMENTS, ids=[" ".join(a) or str(e) for a, e, _ in _BAD_ARGUMENTS]
)
def test_bad_arguments_are_one_line_usage_errors_before_any_training(tmp_path, args, extra, named):
    a_file = tmp_path / "a_file"
    a_file.write_text("not a folder\n")
    results = tmp_path / "results"
    env = dict(os.environ, REPLICATION_RESULTS=str(results), **extra)
    env.pop("REPLICATION_PROGRESS", None)
    if "REPLICATION_DISTRIBUTED" not in extra:
        env.pop("REPLICATION_DISTRIBUTED", None)
    args = [a.replace("{file}", str(a_file)) for a in args]
    got = subprocess.run([sys.executable, "-c", _NO_JAX, "failure_case", "--preset", "smoke", *args],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)  # fmt: skip
    err = got.stderr.strip()
    assert got.returncode == 2, (got.returncode, err[-2000:])
    assert "Traceback" not in err and len(err.splitlines()) == 1 and named in err, err
    assert got.stdout.strip() == "jax not imported", got.stdout
    assert not results.exists()


def test_unknown_chapter_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["fc_mnist", "nonsense", "--preset", "smoke"])
    err = capsys.readouterr().err.strip()
    assert exit_.value.code == 2 and len(err.splitlines()) == 1 and "unknown chapter 'nonsense'" in err


def test_bad_arguments_from_the_command_line_print_no_traceback(tmp_path):
    got = _cli("failure_case", "--preset", "smoke", "--seed", "-1", results=tmp_path)
    assert got.returncode == 2 and "Traceback" not in got.stderr and "--seed" in got.stderr
    assert "[0, 2147483647]" in got.stderr and len(got.stderr.strip().splitlines()) == 1
