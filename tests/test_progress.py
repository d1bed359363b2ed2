"""Progress for a person watching `make book`: the engine reports per chunk to $REPLICATION_PROGRESS (never to stdout,
so notebooks stay clean), the reporter throttles and estimates, the follower streams, and reporting leaves the
histories bit-identical."""

import io
import threading
import time
import tomllib
from pathlib import Path

import jax.numpy as jnp
import numpy as np

from replication.core import progress
from replication.site.registry import toc_chapters_in_order
from replication.training import Dataset, TrainSpec, train_grid

ROOT = Path(__file__).resolve().parents[1]


def _tiny():
    rng = np.random.default_rng(0)
    x_tr, x_te = rng.normal(size=(64, 8)).astype(np.float32), rng.normal(size=(32, 8)).astype(np.float32)
    lab_tr, lab_te = rng.integers(0, 3, 64), rng.integers(0, 3, 32)
    ds = Dataset(x_tr, np.eye(3, dtype=np.float32)[lab_tr], lab_tr, x_te, np.eye(3, dtype=np.float32)[lab_te], lab_te)
    params = {"w": jnp.asarray(rng.normal(size=(8, 3)).astype(np.float32)), "b": jnp.zeros(3)}
    return (lambda p, x: x @ p["w"] + p["b"]), params, ds


class FakeClock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def test_reporter_without_a_file_does_nothing(monkeypatch, tmp_path):
    monkeypatch.delenv(progress.ENV, raising=False)
    rep = progress.reporter("grid")
    assert rep.path is None
    rep(0, 4, 0.0)
    rep(4, 4, 1.0)
    assert list(tmp_path.iterdir()) == []


def test_reporter_throttles_and_estimates(tmp_path):
    path, clock = tmp_path / "p.log", FakeClock()
    rep = progress.Reporter("fc (3 runs)", path, interval=30.0, clock=clock)
    rep(0, 10, 0.0)  # the baseline: no line
    for done in range(1, 10):
        clock.t = 10.0 * done
        rep(done, 10, done / 10)
    clock.t = 100.0
    rep(10, 10, 1.0)
    lines = path.read_text().splitlines()
    # a line every 30 s of fake time (at 30, 60, 90 s) and the final one
    assert [line.split(":")[1].split(",")[0].strip() for line in lines] == [
        "chunk 3/10 (30%)",
        "chunk 6/10 (60%)",
        "chunk 9/10 (90%)",
        "chunk 10/10 (100%)",
    ]
    assert lines[0] == "  fc (3 runs): chunk 3/10 (30%), 30 s elapsed, about 70 s left"
    assert lines[-1].endswith("1.7 min elapsed, done")


def test_the_estimate_leaves_out_the_first_chunks_compilation(tmp_path):
    path, clock = tmp_path / "p.log", FakeClock()
    rep = progress.Reporter("wrn (1 run)", path, interval=0.0, clock=clock)
    rep(0, 10, 0.0)
    clock.t = 100.0  # the first chunk: 99 s of compilation, 1 s of steps
    rep(1, 10, 0.1)
    clock.t = 101.0
    rep(2, 10, 0.2)
    # 8 chunks left at 1 s each (it said "about 6.7 min left" when the estimate counted the compilation)
    assert path.read_text().splitlines()[-1] == "  wrn (1 run): chunk 2/10 (20%), 1.7 min elapsed, about 8 s left"


def test_grid_label():
    assert progress.grid_label("results/cpu/checkpoints/fc_sweep-0123abcd4567ef89.ckpt", 17) == "fc_sweep (17 runs)"
    assert progress.grid_label(None, 1) == "grid (1 run)"


def test_engine_reports_per_chunk_to_the_file_not_stdout(monkeypatch, tmp_path, capfd):
    apply_fn, params, ds = _tiny()
    args = (apply_fn, params, ds, [0.1, 0.2, 0.1], [0.0, 1e-3, 1e-2], [16, 16, 64])
    spec = TrainSpec(evals=4)
    monkeypatch.delenv(progress.ENV, raising=False)
    plain = train_grid(*args, spec)

    calls = []
    hooked = train_grid(*args, spec, progress=lambda *a: calls.append(a))
    # buckets of 16 and 64 steps, 4 chunks each: called as each bucket starts and after every chunk
    assert [c[:2] for c in calls] == [(0, 8), (1, 8), (2, 8), (3, 8), (4, 8), (4, 8), (5, 8), (6, 8), (7, 8), (8, 8)]
    fractions = [c[2] for c in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert fractions[4] == (2 * 16) / (2 * 16 + 64)  # work = steps × runs

    log = tmp_path / "progress.log"
    monkeypatch.setenv(progress.ENV, str(log))
    capfd.readouterr()
    reported = train_grid(*args, spec)
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert log.read_text().splitlines()[-1].startswith("  grid (3 runs): chunk 8/8 (100%)")

    for h in (hooked, reported):  # reporting changes nothing in the histories
        for a, b in zip(plain, h):
            for key in a.metrics:
                np.testing.assert_array_equal(a.metrics[key], b.metrics[key])


def test_follow_streams_until_the_stop_file(tmp_path):
    log, stop, times = tmp_path / "p.log", tmp_path / "p.end", tmp_path / "t.toml"
    times.write_text('[cpu]\nfc_mnist = "10 min"\n')
    out = io.StringIO()
    t = threading.Thread(
        target=progress.follow,
        args=(log,),
        kwargs=dict(chapter="fc_mnist", preset="cpu", stop_file=stop, table=times, heartbeat=0.2, poll=0.05, out=out),
    )
    t.start()
    time.sleep(0.4)
    log.write_text("  fc (1 run): chunk 1/2 (50%), 1 s elapsed, about 1 s left\n")
    time.sleep(0.2)
    stop.touch()
    t.join(5)
    lines = out.getvalue().splitlines()
    assert lines[0] == "== fc_mnist (cpu): expected 10 min"
    assert any("still running" in line for line in lines)
    assert "  fc (1 run): chunk 1/2 (50%), 1 s elapsed, about 1 s left" in lines
    assert lines[-1].startswith("   fc_mnist took ") and lines[-1].endswith("; trained nothing")


def run_follow(tmp_path, progress_lines: str, **kwargs) -> str:
    log, stop, out = tmp_path / "p.log", tmp_path / "p.end", io.StringIO()
    log.write_text(progress_lines)
    stop.touch()
    progress.follow(log, chapter="fc_mnist", preset="smoke", stop_file=stop, poll=0.01, out=out, **kwargs)
    return out.getvalue()


GRIDS = (
    "  fc_mnist (16 runs): chunk 198/198 (100%), 5 s elapsed, done\n"
    "  fc_mnist_mse (1 run): chunk 50/106 (47%), 31 s elapsed, about 35 s left\n"
    "  fc_mnist_mse (1 run): chunk 106/106 (100%), 66 s elapsed, done\n"
)


def test_follow_in_a_log_counts_finished_grids_in_its_end_line(tmp_path):
    lines = run_follow(tmp_path, GRIDS, live=False).splitlines()
    assert lines[0] == "== fc_mnist (smoke): expected time not measured at this preset"
    assert lines[1] == "  fc_mnist_mse (1 run): chunk 50/106 (47%), 31 s elapsed, about 35 s left"  # under way
    assert lines[2].startswith("   fc_mnist took ") and lines[2].endswith("; trained 2 grids (17 runs)")
    assert len(lines) == 3


def test_follow_on_a_terminal_rewrites_one_line(tmp_path):
    text = run_follow(tmp_path, GRIDS, live=True)
    assert text.count("\n") == 2 and text.count("\r\x1b[K") == 4  # header and end line; 3 progress lines overwritten
    assert text.splitlines()[-1].endswith("; trained 2 grids (17 runs)")


def test_every_chapter_has_an_expected_time():
    table = tomllib.loads((ROOT / "book" / "_chapter_times.toml").read_text())
    chapters = set(toc_chapters_in_order(ROOT / "_toc.yml"))
    for preset in ("smoke", "cpu"):
        assert set(table[preset]) == chapters, preset
    assert progress.expected_time("fc_mnist", "cpu", ROOT / "book" / "_chapter_times.toml") == table["cpu"]["fc_mnist"]
