"""Presets, configs, input validation, headlines and provenance."""

import hashlib
import json
import math
from importlib import metadata

import pytest

from replication.core import presets, validation
from replication.core.provenance import Provenance, Stopwatch
from replication.experiments import claims
from replication.experiments import store as results
from replication.experiments.configs import Config, chapters, get_config, paper_differences
from replication.site import banner, headlines


def test_unknown_preset_and_chapter_name_the_allowed_values():
    with pytest.raises(ValueError, match=r"preset='gpu' is not allowed; choose one of: 'smoke', 'cpu', 'paper'"):
        presets.check_preset("gpu")
    with pytest.raises(ValueError, match=r"chapter='nope'.*'data'"):
        get_config("nope", "cpu")
    cfg = get_config("data", "smoke")
    assert cfg.mnist_source == "embedded" and cfg.preset == "smoke" and cfg.fc_subset == 512
    assert get_config("data", "paper").ntk_subset == 200
    with pytest.raises(AttributeError, match="no field 'width'"):
        Config(a=1).width


def test_configs_are_read_only_all_the_way_down():
    cfg = get_config("fc_mnist", "cpu")
    for mutate in (lambda: cfg.__setitem__("data", 1), lambda: setattr(cfg, "preset", "paper"),
                   lambda: setattr(cfg.model, "width", 1), lambda: cfg.model.__setitem__("width", 1)):  # fmt: skip
        with pytest.raises(TypeError):
            mutate()
    assert not any(hasattr(cfg, name) for name in ("update", "pop", "setdefault", "clear"))
    assert isinstance(get_config("theory", "cpu").thm1.widths[2], tuple)


@pytest.mark.parametrize("chapter", chapters())
def test_every_preset_lists_its_departures_from_the_paper(chapter):
    """Each chapter prints paper_differences at every preset: a field a preset leaves out (a group assigned whole)
    reads as None there, a difference only where the paper's value is not None."""
    for preset in ("smoke", "cpu", "paper"):
        cfg = get_config(chapter, preset)
        for field, ours, theirs in paper_differences(cfg):
            assert ours != theirs, field
    cfg = get_config("failure_case", "smoke")
    assert "train_eval_samples" not in cfg.train  # smoke assigns its train group whole
    assert not [f for f, *_ in paper_differences(cfg) if f == "train.train_eval_samples"]
    # a field only the preset sets is listed too, the paper's reading None (a group of them field by field); the
    # config's own name and preset are not settings
    wrn = dict((f, (ours, theirs)) for f, ours, theirs in paper_differences(get_config("wrn_cifar", "cpu")))
    assert wrn["sgd.evals_per_octave"] == (4, None) and not {"chapter", "preset"} & set(wrn)
    beyond = dict((f, (ours, theirs)) for f, ours, theirs in paper_differences(get_config("beyond", "cpu")))
    assert beyond["optimizers.sgdw.sweep.max_epochs"] == (8000, None) and "optimizers.sgdw.sweep" not in beyond


def test_presets_override_the_papers_base_field_by_field():
    paper, cpu = get_config("fc_mnist", "paper"), get_config("fc_mnist", "cpu")
    assert paper.model.width == 2048 and cpu.model.width == 512 and cpu.model.depth == paper.model.depth == 3
    assert paper_differences(paper) == []
    diffs = {field: (ours, theirs) for field, ours, theirs in paper_differences(cpu)}
    assert diffs["model.width"] == (512, 2048) and "model.depth" not in diffs
    wider = cpu.replace(model={"width": 1024})
    assert (wider.model.width, wider.model.depth, cpu.model.width) == (1024, 3, 512)
    with pytest.raises(KeyError, match="unknown config field 'model.widht'"):
        cpu.replace(model={"widht": 1})
    with pytest.raises(ValueError, match="would hide Config methods"):
        Config(values=(1, 2))


@pytest.mark.parametrize("chapter", chapters())
def test_every_preset_of_every_chapter_builds(chapter):
    for preset in presets.PRESETS:
        cfg = get_config(chapter, preset)
        assert cfg.chapter == chapter and cfg.preset == preset


@pytest.mark.parametrize(
    "check,value,message",
    [
        (validation.check_positive, -0.1, r"lr=-0.1 must be > 0"),
        (validation.check_positive, 0, r"lr=0.0 must be > 0"),
        (validation.check_nonnegative, -1e-9, r"lr=-1e-09 must be >= 0"),
        (validation.check_finite, float("nan"), r"lr=nan must be finite"),
        (validation.check_finite, float("inf"), r"lr=inf must be finite"),
        (validation.check_finite, "0.1", r"lr='0.1' must be a real number"),
        (validation.check_finite, True, r"lr=True must be a real number"),
        (validation.check_positive_int, 2.5, r"lr=2.5 must be a positive integer"),
        (validation.check_positive_int, 0, r"lr=0 must be a positive integer"),
    ],
)
def test_validation_messages_name_parameter_value_and_range(check, value, message):
    with pytest.raises(ValueError, match=message):
        check("lr", value)


def test_smoke_banner_says_not_a_replication():
    assert "Not a replication" in banner.banner_html("smoke")
    assert "Not a replication" not in banner.banner_html("cpu")
    assert "stand-in &amp; more" in banner.banner_html("cpu", "stand-in & more")
    assert not presets.is_replication("smoke") and presets.is_replication("paper")


def test_headlines_round_trip_and_record_non_finite_values(tmp_path):
    prov = Provenance("cpu", "CPU (2 cores)", 12.0)
    headlines.record_headline(
        "fc_mnist",
        "fc_mnist.tstar_exponent",
        -0.97,
        provenance=prov,
        seed=0,
        label="fitted exponent",
        root=tmp_path,
    )
    headlines.record_headline(
        "fc_mnist", "fc_mnist.mse_eta_flattening", math.nan, provenance=prov, seed=0, label="x", root=tmp_path
    )
    got = headlines.load_headlines("cpu", root=tmp_path)
    assert got["fc_mnist.tstar_exponent"]["ours"] == -0.97
    assert got["fc_mnist.mse_eta_flattening"]["ours"] == "nan"
    assert got["fc_mnist.tstar_exponent"]["provenance"]["device"] == "CPU (2 cores)"
    # the paper's value is the declared claim's, stated once (replication.experiments.claims)
    assert got["fc_mnist.tstar_exponent"]["paper"] == claims.claim("fc_mnist.tstar_exponent").paper
    with pytest.raises(KeyError, match="no claim is declared under 'fc_mnist.undeclared'"):
        headlines.record_headline("fc_mnist", "fc_mnist.undeclared", 1.0, provenance=prov, seed=0, label="x",
                                  root=tmp_path)  # fmt: skip
    with pytest.raises(ValueError, match="a claim of 'wrn_cifar'"):
        headlines.record_headline("fc_mnist", "wrn_cifar.tstar_exponent", 1.0, provenance=prov, seed=0, label="x",
                                  root=tmp_path)  # fmt: skip
    assert headlines.load_headlines("paper", root=tmp_path) == {}


def test_a_chapters_new_run_drops_the_headlines_of_its_earlier_runs(tmp_path, monkeypatch):
    """One file holds one run of its chapter: keys a new run does not record (it failed half-way, or no longer
    records them) show as not measured rather than as an earlier run's numbers beside the new ones."""
    from replication.site import registry

    prov = Provenance("cpu", "CPU (2 cores)", 1.0)
    record = dict(provenance=prov, seed=0, label="x", root=tmp_path)
    headlines.record_headline("fc_mnist", "fc_mnist.tstar_exponent", -0.97, **record)
    headlines.record_headline("fc_mnist", "fc_mnist.mse_eta_flattening", 0.5, **record)  # the same run: both kept
    assert set(headlines.load_headlines("cpu", root=tmp_path)) == {"fc_mnist.tstar_exponent",
                                                                   "fc_mnist.mse_eta_flattening"}  # fmt: skip
    headlines.record_headline("wrn_cifar", "wrn_cifar.tstar_exponent", -1.1, **record)  # another chapter's file
    monkeypatch.setattr(headlines, "RUN", "a later run")
    headlines.record_headline("fc_mnist", "fc_mnist.tstar_exponent", -0.95, **record)
    got = headlines.load_headlines("cpu", root=tmp_path)
    assert got["fc_mnist.tstar_exponent"]["ours"] == -0.95 and "fc_mnist.mse_eta_flattening" not in got
    assert got["wrn_cifar.tstar_exponent"]["ours"] == -1.1  # other chapters' files are their own runs'
    html = registry.landing_table_html(got, {"fc_mnist", "wrn_cifar"})
    assert "<em>not measured yet</em>" in html


def test_smoke_verdicts_read_as_a_pipeline_check_and_partial_prices_as_lower_bounds():
    from replication.site import registry

    row = next(r for r in registry.figures() if r.headline == "fc_mnist.tstar_exponent")
    record = {"verdict": {"outcome": "reproduced", "reason": "r"}, "provenance": {"preset": "smoke"}}
    assert "pipeline check; the code reads reproduced" in registry._format_verdict(row, record)
    assert "<strong>reproduced</strong>" in registry._format_verdict(row, record | {"provenance": {"preset": "cpu"}})
    assert registry._unplanned_html(()) == ""
    assert "<strong>A lower bound:</strong>" in registry._unplanned_html(("grid x: no data",))
    probe = dict(outcome="reproduced", basis="b", whole=True, changed=[])
    assert "reads <b>reproduced</b>" in registry._probe_html(probe, None)
    assert "<b>" not in registry._probe_html(probe | {"changed": ["engine changed"]}, None)
    assert "of part of this size" in registry._probe_html(probe | {"whole": False}, None)


def test_combined_provenance_sums_wall_times_and_refuses_mixed_presets():
    a = Provenance("cpu", "CPU (2 cores)", 12.0, date="2026-11-23T10:00:00+00:00", commit="abc")
    b = Provenance("cpu", "CPU (2 cores)", 30.5, date="2026-11-23T11:00:00+00:00", commit="def")
    c = Provenance("cpu", "NVIDIA H100", 2.0, date="2026-11-23T09:00:00+00:00", commit="abc")
    both = Provenance.combine([a, b, c])
    assert both.wall_time_s == pytest.approx(44.5) and both.preset == "cpu"
    assert both.device == "CPU (2 cores) + NVIDIA H100" and both.commit == "abc, def"
    assert both.date == "2026-11-23T11:00:00+00:00"
    assert Provenance.combine([a]) == a
    with pytest.raises(ValueError, match="mix the presets"):
        Provenance.combine([a, Provenance("smoke", "CPU", 1.0)])
    with pytest.raises(ValueError, match="at least one"):
        Provenance.combine([])


def test_atomic_write_leaves_the_old_file_when_writing_fails(tmp_path):
    path = results.write_json_atomic(tmp_path / "r.json", {"a": 1})
    with pytest.raises(TypeError):
        results.write_json_atomic(path, {"a": object()})
    assert json.loads(path.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # no temporary file left behind


def test_stopwatch_records_preset_device_and_time():
    with Stopwatch("smoke") as sw:
        sum(range(1000))
    prov = sw.provenance
    assert prov.preset == "smoke" and prov.wall_time_s >= 0 and prov.device.startswith("CPU")
    assert prov.versions["jax"] == metadata.version("jax")
    with pytest.raises(ValueError, match="preset="):
        Stopwatch("fast")


def test_landing_table_says_per_row_which_model_data_and_optimizer_made_ours(tmp_path):
    from replication.site import registry

    assert all(r.setting for r in registry.figures() if r.chapter), "every reproduced row names its setting"
    prov = Provenance("cpu", "CPU (2 cores)", 1.0)
    setting = "WRN-10-1 · " + headlines.data_label("fashion-mnist", 256) + " · SGD"
    headlines.record_headline("wrn_cifar", "wrn_cifar.tstar_exponent", -1.1, provenance=prov, label="x",
                              seed=0, setting=setting, root=tmp_path)  # fmt: skip
    html = registry.landing_table_html(headlines.load_headlines("cpu", root=tmp_path), {"wrn_cifar", "fc_mnist"})
    assert "256 Fashion-MNIST images (stand-in for CIFAR-10)" in html  # the chapter's own record wins
    fc_row = next(r for r in registry.figures() if r.headline == "fc_mnist.tstar_exponent")
    assert f"<small>{fc_row.setting_text()}</small>" in html  # else the row's, sizes read from the presets
    assert headlines.data_label("cifar10", 50000) == "50000 CIFAR-10 images"
    b1 = next(r for r in registry.figures() if r.figure == "App. B.1")
    assert "f − 1 = −λ√n" in b1.claim and "typo" in b1.paper


def test_unknown_papermill_parameter_is_named_with_the_allowed_ones(monkeypatch):
    # papermill injects a cell starting "# Parameters" after the parameters cell; the kernel's history holds it
    class Shell:
        user_ns = {"In": ["", 'preset = "cpu"\nseed = 0', '# Parameters\npreset = "smoke"\nsed = 1\n', "x = 1"]}

    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    assert presets.injected_parameter_names() == ("preset", "sed")
    with pytest.raises(ValueError, match="unknown parameter 'sed': a chapter takes only preset, seed"):
        presets.check_parameters(preset="smoke", seed=0)
    presets.check_parameters(preset="smoke", seed=0, passed=["seed", "preset"])  # known names pass
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)  # outside a kernel: nothing injected to check
    assert presets.injected_parameter_names() is None
    presets.check_parameters(preset="smoke", seed=0)


def _headline(chapter, key, value, root, preset="cpu", **kw):
    headlines.record_headline(chapter, key, value, provenance=Provenance(preset, "CPU (2 cores)", 1.0),
                              label="x", root=root, **{"seed": 0, **kw})  # fmt: skip
    return root / preset / "headlines" / f"{chapter}.json"


def test_headline_files_carry_a_schema_and_a_checksum_of_their_records(tmp_path):
    path = _headline("fc_mnist", "fc_mnist.tstar_exponent", -0.97, tmp_path)
    stored = json.loads(path.read_text())
    assert set(stored) == {"schema", "records", "checksum"} and stored["schema"] == 1
    canonical = json.dumps(stored["records"], sort_keys=True, allow_nan=False).encode()
    assert stored["checksum"] == hashlib.sha256(canonical).hexdigest()
    assert stored["records"]["fc_mnist.tstar_exponent"]["ours"] == -0.97


def _edit_records(edit):
    def damage(text):
        stored = json.loads(text)
        records = edit(stored["records"])
        canonical = json.dumps(records, sort_keys=True, allow_nan=False).encode()
        return json.dumps(dict(stored, records=records, checksum=hashlib.sha256(canonical).hexdigest()))

    return damage


HEADLINE_DAMAGE = {
    "truncated": lambda text: text[: len(text) // 2],
    "not-utf8": lambda text: "\udcff",
    "list": lambda text: "[]",
    "null": lambda text: "null",
    "old-format": lambda text: json.dumps(json.loads(text)["records"]),  # records without schema or checksum
    "edited": lambda text: text.replace("-0.97", "-0.5"),  # checksum mismatch
    "schema-2": lambda text: json.dumps(dict(json.loads(text), schema=2)),
    "record-not-dict": _edit_records(lambda r: {k: [] for k in r}),
    "other-chapter": _edit_records(lambda r: {k: dict(v, chapter="theory") for k, v in r.items()}),
    "other-preset": _edit_records(
        lambda r: {k: dict(v, provenance=dict(v["provenance"], preset="paper")) for k, v in r.items()}
    ),
}


@pytest.mark.parametrize("damage", list(HEADLINE_DAMAGE))
def test_a_damaged_or_foreign_headline_file_is_named_set_aside_and_skipped(tmp_path, capsys, damage):
    from replication.site import registry

    path = _headline("fc_mnist", "fc_mnist.tstar_exponent", -0.97, tmp_path)
    _headline("wrn_cifar", "wrn_cifar.tstar_exponent", -1.1, tmp_path)
    damaged = HEADLINE_DAMAGE[damage](path.read_text())
    path.write_bytes(damaged.encode("utf-8", "surrogateescape"))
    capsys.readouterr()
    got = headlines.load_headlines("cpu", root=tmp_path)  # the landing page: that chapter is not recorded
    assert list(got) == ["wrn_cifar.tstar_exponent"]
    (line,) = capsys.readouterr().out.splitlines()
    (aside,) = path.parent.glob("fc_mnist.json.damaged-*")
    assert str(path) in line and aside.name in line and "set aside" in line and "recomputed" in line
    assert aside.read_bytes() == damaged.encode("utf-8", "surrogateescape") and not path.exists()
    html = registry.landing_table_html(got, {"fc_mnist", "wrn_cifar"})
    fc_row = next(row for row in html.split("<tr>") if "fc_mnist.html" in row and "∝ 1/(ηλ)" in row)
    assert "not measured yet" in fc_row
    # the chapter's next record: the damaged file set aside again (it is gone now), the new one whole
    path.write_bytes(damaged.encode("utf-8", "surrogateescape"))
    _headline("fc_mnist", "fc_mnist.mse_eta_flattening", 1.0, tmp_path)
    assert "set aside" in capsys.readouterr().out
    got = list(headlines.load_headlines("cpu", root=tmp_path))
    assert got == ["fc_mnist.mse_eta_flattening", "wrn_cifar.tstar_exponent"]
    assert len(list(path.parent.glob("fc_mnist.json.damaged-*"))) == 2


def test_headline_records_carry_the_seed_and_require_it(tmp_path):
    path = _headline("fc_mnist", "fc_mnist.tstar_exponent", -0.97, tmp_path, seed=3, code_key="0123456789abcdef")
    record = json.loads(path.read_text())["records"]["fc_mnist.tstar_exponent"]
    assert record["seed"] == 3 and record["code_key"] == "0123456789abcdef" and record["provenance"]["preset"] == "cpu"
    assert "preset" not in record  # the provenance's, not repeated
    prov = Provenance("cpu", "CPU", 1.0)
    with pytest.raises(TypeError, match="seed"):
        headlines.record_headline("fc_mnist", "k", 1, provenance=prov, label="x", root=tmp_path)
    with pytest.raises(ValueError, match="seed=1.5"):
        headlines.record_headline("fc_mnist", "k", 1, provenance=prov, seed=1.5, label="x", root=tmp_path)


def test_landing_table_flags_chapters_whose_seed_differs_from_the_rest(tmp_path):
    from replication.site import registry

    _headline("fc_mnist", "fc_mnist.tstar_exponent", -0.97, tmp_path, seed=0)
    _headline("theory", "theory.homogeneity_k", 2.0, tmp_path, seed=0)
    _headline("wrn_cifar", "wrn_cifar.tstar_exponent", -1.1, tmp_path, seed=1)
    built = {"fc_mnist", "theory", "wrn_cifar"}
    rows = registry.landing_table_html(headlines.load_headlines("cpu", root=tmp_path), built).split("<tr>")
    flagged = [row for row in rows if "seed 1 (other chapters: seed 0)" in row]
    assert len(flagged) == 1 and "wrn_cifar.html" in flagged[0]
    assert sum("other chapters" in row for row in rows) == 1  # the chapters at the common seed are not flagged
    # two chapters, two seeds: no common one, both flagged
    same = tmp_path / "two"
    _headline("fc_mnist", "fc_mnist.tstar_exponent", -0.97, same, seed=0)
    _headline("wrn_cifar", "wrn_cifar.tstar_exponent", -1.1, same, seed=2)
    html = registry.landing_table_html(headlines.load_headlines("cpu", root=same), built)
    assert "seed 0 (other chapters: seed 2)" in html and "seed 2 (other chapters: seed 0)" in html
    # one seed everywhere: no flag
    one = tmp_path / "one"
    _headline("fc_mnist", "fc_mnist.tstar_exponent", -0.97, one, seed=4)
    _headline("wrn_cifar", "wrn_cifar.tstar_exponent", -1.1, one, seed=4)
    assert "other chapters" not in registry.landing_table_html(headlines.load_headlines("cpu", root=one), built)


def test_landing_table_shows_the_verdict_a_chapter_computed_and_never_types_one(tmp_path):
    from replication.analysis.criteria import Verdict
    from replication.site import registry

    prov = Provenance("cpu", "CPU (2 cores)", 1.0)
    decided = Verdict("inconclusive", "3 runs learned and peaked inside their run; the rule needs 4")
    headlines.record_headline("wrn_cifar", "wrn_cifar.tstar_exponent", -1.1, provenance=prov, label="x",
                              seed=0, verdict=decided, root=tmp_path)  # fmt: skip
    headlines.record_headline("fc_mnist", "fc_mnist.tstar_exponent", -0.9, provenance=prov, label="x",
                              seed=0, root=tmp_path)  # fmt: skip
    rows = registry.landing_table_html(headlines.load_headlines("cpu", root=tmp_path), {"wrn_cifar"}).split("<tr>")
    wrn = next(row for row in rows if "wrn_cifar.html" in row and "Fig. 2d" in row)
    assert "<strong>inconclusive</strong> <small>(3 runs learned and peaked inside their run; the rule" in wrn
    fc = next(row for row in rows if "exponent −1 over 6 decades" in row)
    assert "no verdict decided by code yet" in fc  # recorded without one: said so, not guessed
    assert sum("not measured yet" in row for row in rows) >= 1  # a row nothing recorded
    assert "reproduced" not in "".join(r for r in rows if "no verdict" in r or "not measured" in r)


def test_make_verdicts_prints_the_recorded_verdicts_and_counts_them(tmp_path, capsys):
    """``make verdicts``: each claim's recorded outcome and reason in a Markdown row (a "|" in a reason escaped), a
    claim recorded without a verdict and one never recorded said as such, and the outcomes counted."""
    from replication.analysis.criteria import Verdict
    from replication.site import verdicts

    prov = Provenance("cpu", "CPU (2 cores)", 1.0)
    for key, value, verdict in (("wrn_cifar.tstar_exponent", -1.1, Verdict("inconclusive", "a |x| span; needs 4")),
                                ("fc_mnist.tstar_exponent", -0.95, Verdict("reproduced", "within ±0.25")),
                                ("fc_mnist.small_lambda_vs_zero", 3, None)):  # fmt: skip
        headlines.record_headline(key.split(".")[0], key, value, provenance=prov, label="x", seed=0,
                                  verdict=verdict, root=tmp_path)  # fmt: skip
    assert verdicts.main(["--preset", "cpu", "--root", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("| Fig. 2d–f"))
    assert row.split(" | ")[2:4] == ["inconclusive", "a \\|x\\| span; needs 4"]
    rows = verdicts.verdict_rows(headlines.load_headlines("cpu", root=tmp_path))
    by_figure = {r.figure: r.outcome for r in rows}
    assert by_figure["Fig. 2b"] == verdicts.NO_VERDICT and by_figure["Fig. 3a–f"] == verdicts.NOT_MEASURED
    counts = verdicts.outcome_counts(rows)
    assert (counts["reproduced"], counts["inconclusive"], counts[verdicts.NO_VERDICT]) == (1, 1, 1)
    assert sum(counts.values()) == len(rows) and "1 reproduced / 1 inconclusive / 1 no verdict / " in out
    assert verdicts.main(["--preset", "cpu", "--root", str(tmp_path), "--check"]) == 1  # CI: a claim unrecorded
    assert "not measured yet at cpu: " in capsys.readouterr().err


def test_landing_table_says_none_where_no_number_could_be_computed(tmp_path):
    from replication.site import registry

    prov = Provenance("smoke", "CPU (2 cores)", 1.0)
    headlines.record_headline("wrn_cifar", "wrn_cifar.tstar_exponent", float("nan"), provenance=prov,
                              label="over 0 runs", seed=0, root=tmp_path)  # fmt: skip
    row = next(r for r in registry.landing_table_html(headlines.load_headlines("smoke", root=tmp_path), set())
               .split("<tr>") if "Fig. 2d" in r)  # fmt: skip
    assert "<td>none <small>(over 0 runs" in row and "nan" not in row


def test_every_chapter_says_how_to_run_it_yourself_with_commands_that_exist():
    """The box's commands name this page's chapter, preset and seed, and only make targets and headless chapters
    that exist (a stale command in the book would send a reader nowhere)."""
    import re
    from pathlib import Path

    from replication.experiments.headless import CHAPTERS

    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    for chapter in ("fc_mnist", "data"):
        cmds = dict(banner.run_yourself_commands(chapter, preset="paper", seed=3))
        assert all(f"{chapter}" in c and "paper" in c and "3" in c for c in cmds.values())
        target = next(c for c in cmds.values() if c.startswith("make ")).split()[1]
        assert re.search(rf"^{target}:", makefile, re.M)
        assert any("replication.experiments" in c for c in cmds.values()) == (chapter in CHAPTERS)
    box = banner.run_yourself_html("fc_mnist", preset="cpu", seed=0)
    assert "<details" in box and "-p preset cpu -p seed 0" in box
