"""What could decide an inconclusive claim (#27): every declared size plans without error at its preset and changes
something; its price is the rehearsal's FLOPs at the rate a timed step reached (or at the matmul rate, a bound); a
decided verdict asks for nothing; the landing page lists the sizes the chapters recorded."""

import math

import pytest

from replication.analysis.criteria import Verdict
from replication.core.provenance import Provenance
from replication.experiments import claims, deciders, fc_mnist, rehearsal
from replication.experiments.configs import Fields, chapters, decider_config, get_config
from replication.experiments.configs import fc_mnist as fc_configs
from replication.experiments.request import ModelRequest, build_model
from replication.site import headlines, registry

DECLARED = [(c.chapter, c) for ch in chapters() for c in claims.claims_of(ch) if c.decider]
# every size a claim declares: its decider and the sizes tried before it
SIZES = [(c.chapter, d, f"{c.key}:{d.config}") for _, c in DECLARED for d in (c.decider, *c.tried)]
INCONCLUSIVE = Verdict("inconclusive", "the runs cannot decide")


def test_the_claims_left_inconclusive_at_cpu_declare_a_size():
    # the six that sessions 15-18 left inconclusive at cpu, and Fig. 1a since session 24 (NOTES.md, the landing table)
    assert {c.key for _, c in DECLARED} >= {"fc_mnist.mse_eta_flattening", "cnn_cifar.tstar_exponent",
                                            "wrn_cifar.small_lambda_vs_zero", "optimal_l2.accuracy_gap",
                                            "autol2.speedup", "beyond.adam_exponent",
                                            "wrn_cifar.fixed_T_best_lambda"}  # fmt: skip


@pytest.mark.parametrize("chapter,d,name", SIZES, ids=[name for *_, name in SIZES])
def test_every_declared_size_plans_at_its_preset_and_differs_from_it(chapter, d, name, tmp_path, monkeypatch):
    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path))
    cfg = decider_config(chapter, d.config, d.base)
    assert cfg.preset == d.base and cfg.to_dict() != get_config(chapter, d.base).to_dict()
    module = __import__(f"replication.experiments.{chapter}", fromlist=[d.study])
    grids, error = rehearsal.plan_study(module, d.study, cfg, seed=0, cifar_shapes=d.base == "paper",
                                        options=dict(d.options))  # fmt: skip
    assert error is None and grids and not any(g.stored for g in grids)
    assert d.size and d.size[0].islower()  # a phrase that follows "could be decided by"


# claim -> the size declared where cpu's span rested on one run (Fig. 2d–f's, probed, is now among its ``tried``;
# beyond's three, probed in session 35, are cpu's own grids since session 37: test_beyond_cpu_trains_the_span_sizes)
SPANS = {"wrn_cifar.tstar_exponent": "decide_tstar"}


def _size(key: str, config: str) -> claims.Decider:
    declared = claims.claim(key)
    return next(d for d in (declared.decider, *declared.tried) if d.config == config)


def _products(grid) -> list[float]:
    return sorted(r["lr"] * r["lam"] for r in grid.config["runs"] if r["lam"] > 0)


@pytest.mark.parametrize("key", list(SPANS))
def test_the_exponent_deciders_resolve_t_star_and_reach_below_cpus_grid(key, tmp_path, monkeypatch):
    """The sizes declared where cpu's span rested on one run (session 35): runs below cpu's smallest ηλ (beyond's:
    two, one at each η), and 32 evaluations a bucket spaced in log time (as wrn_cifar's cpu grid since session 36),
    so that a peak from the 4th of 512 chunks on is resolved to the rule's 25%."""
    from replication.analysis.criteria import DEFAULT
    from replication.training.plan import evaluated_chunks

    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path))
    d, chapter = _size(key, SPANS[key]), claims.claim(key).chapter
    (grid,), error = rehearsal.plan_decider(chapter, d, seed=0)
    assert error is None and (grid.spec.evals, grid.spec.evals_per_octave) == (512, 4)
    evaluated = [c for c, e in enumerate(evaluated_chunks(512, 4), 1) if e]
    assert len(evaluated) == 32
    resolved = [c for before, c in zip(evaluated, evaluated[1:]) if c - before <= DEFAULT.peak_resolution * c]
    assert resolved == [c for c in evaluated[1:] if c >= 4]
    module = __import__(f"replication.experiments.{chapter}", fromlist=[d.study])
    (cpu_grid,), _ = rehearsal.plan_study(module, d.study, get_config(chapter, "cpu"), seed=0, cifar_shapes=False,
                                          options=dict(d.options))  # fmt: skip
    below = [p for p in _products(grid) if p < _products(cpu_grid)[0]]
    assert len(below) == 1


@pytest.mark.parametrize("optimizer", ["momentum", "sgdw"])
def test_beyond_cpu_trains_the_span_sizes(optimizer, tmp_path, monkeypatch):
    """Momentum + L2 and SGDW, whose spans at the shared window rested on one run (session 35), train at cpu one
    octave further down, with a run at each η there (two hold the low end); every grid (AdamW's at the shared
    window) evaluates 32 times a bucket in log time, so that a peak from the 4th of 512 chunks on is resolved."""
    from replication.experiments import beyond

    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path))
    cfg = get_config("beyond", "cpu")

    def planned(name):
        (grid,), error = rehearsal.plan_study(beyond, "optimizer_sweep", cfg, seed=0, cifar_shapes=False,
                                              options=dict(optimizer=name))  # fmt: skip
        assert error is None
        return grid

    grid = planned(optimizer)
    for shared in (planned("sgd"), planned("adamw")):
        assert (shared.spec.evals, shared.spec.evals_per_octave) == (512, 4)
        assert _products(shared)[0] == pytest.approx(cfg.sweep.min_lr_lam)
    assert (grid.spec.evals, grid.spec.evals_per_octave) == (512, 4)
    gain = beyond.clock_gain(optimizer, cfg.momentum)
    lowest = _products(grid)[0]
    assert lowest == pytest.approx(cfg.sweep.min_lr_lam / 2 / gain)  # one octave below the shared window
    assert {r["lr"] for r in grid.config["runs"] if r["lam"] > 0 and r["lr"] * r["lam"] < lowest * 1.001} == set(
        cfg.optimizers[optimizer].lrs
    )
    if optimizer == "sgdw":  # λ = 0.2 below its top run (η = 0.08, λ = 0.4), so no one run holds the top
        assert {(r["lr"], r["lam"]) for r in grid.config["runs"]} >= {(0.08, 0.2), (0.08, 0.4)}


def test_an_unknown_size_names_the_ones_there_are():
    with pytest.raises(ValueError, match=r"config='decide_nothing'.*\['decide_s5', 'decide_zero'\]"):
        decider_config("fc_mnist", "decide_nothing", "cpu")
    with pytest.raises(ValueError, match="preset"):
        decider_config("fc_mnist", "decide_s5", "laptop")


def _tiny() -> Fields:
    c = fc_configs.smoke()
    c.mse.lams = (0.01,)  # one λ > 0 (with λ = 0 beside it)
    return c


def test_the_price_is_the_rehearsals_flops_at_the_timed_rate_or_at_the_matmul_rate(tmp_path, monkeypatch):
    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path))
    monkeypatch.setattr(fc_configs, "decide_tiny", _tiny, raising=False)
    timed = []

    def fake_time(*args, **kwargs):
        timed.append(args[3])  # the batch
        return 0.002

    monkeypatch.setattr(deciders, "time_step", fake_time)
    monkeypatch.setattr(deciders, "matmul_rate", lambda: 1e11)
    size = claims.Decider("a tiny grid", "decide_tiny", "mse_sweep")
    cost = deciders.decision_cost("fc_mnist", size, log=lambda _: None)
    # the same grid as the rehearsal plans and counts it
    cfg = decider_config("fc_mnist", "decide_tiny", "cpu")
    grids, _ = rehearsal.plan_study(fc_mnist, "mse_sweep", cfg, seed=0, cifar_shapes=False)
    step, _ = rehearsal.cached_step_cost(grids[0], {}, log=lambda _: None)
    counted = rehearsal.grid_cost(grids[0], step)
    assert (cost.grids, cost.run_steps, cost.flops) == (1, counted.run_steps, counted.flops)
    assert timed == [grids[0].plan.batch]  # one step timed per model
    assert cost.here_s == pytest.approx(counted.flops / (step.flops / 0.002))
    assert not cost.here_is_bound and "GFLOP/s" in cost.here_basis
    rate = rehearsal.MEASURED["fraction"] * rehearsal.ACCELERATORS[-1].tf32_flops
    assert cost.h200_s == pytest.approx(counted.seconds(rate))
    assert cost.h200_s >= counted.sequential_steps * rehearsal.STEP_FLOOR_S
    paper_based = claims.Decider("the same at paper", "decide_tiny", "mse_sweep", base="paper")
    bound = deciders.decision_cost("fc_mnist", paper_based, log=lambda _: None)
    assert bound.here_is_bound and bound.here_s == pytest.approx(bound.flops / 1e11)
    assert "at least" in bound.describe() and len(timed) == 1  # a paper-size step is never timed
    # once the size is trained and stored here (as on the machine that records its probe), its price is the same
    fc_mnist.mse_sweep(cfg, seed=0)
    assert all(g.stored for g in rehearsal.plan_study(fc_mnist, "mse_sweep", cfg, seed=0, cifar_shapes=False)[0])
    again = deciders.decision_cost("fc_mnist", size, log=lambda _: None)
    assert (again.grids, again.run_steps, again.flops) == (cost.grids, cost.run_steps, cost.flops)


def test_a_timed_step_and_the_matmul_rate_are_measured_here():
    apply_fn, params = build_model(ModelRequest.of("fc", width=16, depth=1), (8,), seed=0)
    seconds = rehearsal.time_step(apply_fn, params, (8,), 4, max_steps=3)
    assert 0 < seconds < 1
    assert 1e8 < deciders.matmul_rate(n=256, repeats=2) < 1e15


def test_a_decided_verdict_asks_for_nothing_and_an_undeclared_size_is_said(monkeypatch):
    monkeypatch.setattr(deciders, "decision_cost", lambda *a, **k: pytest.fail("nothing to price"))
    decided = deciders.what_would_decide("cnn_cifar.tstar_exponent", Verdict("not reproduced", "x"))
    assert not decided.needed and decided.cost is None
    assert "nothing more is needed" in decided.describe()
    undeclared = deciders.what_would_decide("fc_mnist.tstar_exponent", INCONCLUSIVE)
    assert undeclared.needed and undeclared.decider is None
    assert "no size that could decide it is declared" in undeclared.describe()


def test_long_durations_read_in_days_and_years():
    assert deciders.duration_text(40) == "40 s"
    assert deciders.duration_text(3 * 86400) == "3.0 days"
    assert deciders.duration_text(3 * 365 * 86400) == "3.0 years"
    assert deciders.duration_text(math.nan) == "?"


def test_the_landing_page_lists_each_recorded_size_with_its_price(tmp_path):
    prov = Provenance("cpu", "CPU (2 cores)", 1.0)
    declared = claims.claim("cnn_cifar.tstar_exponent").decider
    cost = deciders.DecisionCost(2, 2_236_428, 1.09e15, 81000.0, False, "CPU (2 cores); timed", 560.0, 560.0)
    decision = deciders.Decision("cnn_cifar.tstar_exponent", "inconclusive", declared, cost)
    headlines.record_headline("cnn_cifar", "cnn_cifar.tstar_exponent", -1.2, provenance=prov, label="x", seed=0,
                              verdict=INCONCLUSIVE, decision=decision, root=tmp_path)  # fmt: skip
    with pytest.raises(ValueError, match="decision is about"):
        headlines.record_headline("fc_mnist", "fc_mnist.tstar_exponent", -1.0, provenance=prov, label="x", seed=0,
                                  verdict=INCONCLUSIVE, decision=decision, root=tmp_path)  # fmt: skip
    got = headlines.load_headlines("cpu", root=tmp_path)
    assert got["cnn_cifar.tstar_exponent"]["decision"]["cost"]["run_steps"] == 2_236_428
    table = registry.decisions_table_html(got)
    row = next(r for r in table.split("<tr>") if "Fig. 3a" in r)
    assert "from 6.25e-5 to 2e-3" in row and "2.24 M" in row and "1.09 P" in row
    assert "about 22.5 h" in row and "9.3 min" in row
    assert "probed; <code>cnn_cifar.decide_exponent()</code>" in row
    landing = registry.landing_table_html(got, {"cnn_cifar"})
    assert 'href="#what-could-decide-them"' in landing
    assert "No claim is left inconclusive" in registry.decisions_table_html({})


def test_make_decide_prices_every_declared_size_and_names_an_unknown_chapter(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path))
    monkeypatch.setattr(deciders, "time_step", lambda *a, **k: 0.001)
    assert deciders.main(["fc_mnist"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| Fig.")]
    assert len(rows) == 2 and "fc_mnist.small_lambda_vs_zero" in rows[0] and "| estimate |" in rows[0]
    assert "fc_mnist.mse_eta_flattening" in rows[1] and "| probed; recorded probe" in rows[1]
    with pytest.raises(SystemExit) as stop:
        deciders.main(["fc_mnsit"])
    assert stop.value.code == 2 and "unknown chapter 'fc_mnsit'" in capsys.readouterr().err


COST = deciders.DecisionCost(1, 7_700_000, 2.3e20, 9e8, True, "CPU (2 cores); matmul", 4e5, 5e4)


def test_a_declared_size_whose_whole_probe_reads_inconclusive_is_not_offered_as_deciding():
    # Fig. 2d–f's decide_tstar, probed in session 35: the seeds' exponents −0.99 … −1.35, the interval across −1.25
    from replication.experiments.probes import recorded_probe

    size = _size("wrn_cifar.tstar_exponent", "decide_tstar")
    probe = recorded_probe("wrn_cifar.tstar_exponent", decider=size)
    assert probe is not None and probe.whole and probe.verdict.outcome == "inconclusive"
    summary = deciders.Decision("wrn_cifar.tstar_exponent", "inconclusive", size, COST, probe).summary()
    assert summary.startswith("was declared decidable by ") and "could be decided by" not in summary
    assert "probed, does not decide it either" in summary and "crosses the edge of -1 ± 0.25" in summary


def test_a_size_tried_before_is_shown_with_its_probe_beside_the_next_candidate(tmp_path, monkeypatch):
    # Fig. 2d–f since session 36: decide_tstar (probed, inconclusive) tried; the paper's own size declared
    from replication.experiments import probes

    monkeypatch.setattr(deciders, "decision_cost", lambda *a, **k: COST)  # a WRN-28-10 step is not compiled here
    decision = deciders.what_would_decide("wrn_cifar.tstar_exponent", INCONCLUSIVE)
    assert decision.decider.config == "decide_tstar_paper" and decision.decider.base == "paper"
    assert decision.probe is None and [t.decider.config for t in decision.tried] == ["decide_tstar"]
    summary = decision.summary()
    assert summary.startswith("could be decided by the paper's own size") and "our estimate, not probed" in summary
    assert "Tried before: cpu's grid with ηλ down to 2.5e-4" in summary
    assert "(decide_tstar()); a recorded probe at this size (probes/wrn_cifar/decide_tstar/" in summary
    assert "reads inconclusive: the seed interval -1.323" in summary
    prov = Provenance("cpu", "CPU (2 cores)", 1.0)
    headlines.record_headline("wrn_cifar", "wrn_cifar.tstar_exponent", -1.2, provenance=prov, label="x", seed=0,
                              verdict=INCONCLUSIVE, decision=decision, root=tmp_path)  # fmt: skip
    got = headlines.load_headlines("cpu", root=tmp_path)
    (tried,) = got["wrn_cifar.tstar_exponent"]["decision"]["tried"]
    assert tried["config"] == "decide_tstar" and tried["probe"]["outcome"] == "inconclusive"
    row = next(r for r in registry.decisions_table_html(got).split("<tr>") if "Fig. 2d" in r)
    assert "our estimate, not probed; <code>wrn_cifar.decide_tstar_paper()</code>" in row
    assert "Tried before: cpu&#x27;s grid" in row
    assert "<code>decide_tstar()</code>). A probe at this size recorded in the repository reads <b>inconclusive" in row
    from replication.site import verdicts

    (row,) = [r for r in verdicts.verdict_rows(got) if r.figure.startswith("Fig. 2d")]
    assert row.probes == ("tried before, decide_tstar()'s probe reads inconclusive",)
    assert verdicts.verdicts_markdown([row], "cpu", width=60).count("tried before, decide_tstar()'s probe reads") == 1
    unknown = claims.Decider("x", "decide_s5", "mse_sweep")
    with pytest.raises(ValueError, match="declares no size decide_s5"):
        probes.probe_folder("wrn_cifar.tstar_exponent", decider=unknown)


def test_the_paper_size_of_fig_2d_resolves_t_star_on_the_paper_grid(tmp_path, monkeypatch):
    """The paper's own runs (every run the paper preset's Fig. 2d–f grid trains), with 64 evaluations a bucket in
    log time: each from the 4th of 1024 chunks on lies within the rule's 25% of the one before."""
    from replication.analysis.criteria import DEFAULT
    from replication.training.plan import evaluated_chunks

    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path))
    declared = claims.claim("wrn_cifar.tstar_exponent")
    (grid,), error = rehearsal.plan_decider("wrn_cifar", declared.decider, seed=0)
    assert error is None and (grid.spec.evals, grid.spec.evals_per_octave) == (1024, 8)
    assert grid.config["seeds"] == [] and grid.config["seed"] == 0  # one initialization, as the paper
    evaluated = [c for c, e in enumerate(evaluated_chunks(1024, 8), 1) if e]
    assert len(evaluated) == 64
    assert all(c - before <= DEFAULT.peak_resolution * c for before, c in zip(evaluated, evaluated[1:]) if c >= 4)
    for program in grid.plan.programs:  # as the engine will run it: 1024 chunks, those evaluations and the runs' ends
        assert program.n_chunks <= 1024 and program.evaluate is not None
        kept = {c for c, e in enumerate(program.evaluate, 1) if e}
        n = program.n_chunks
        assert kept == {c for c in evaluated if c <= n} | {e for e in program.ends if 1 <= e <= n} | {n}
    from replication.experiments import wrn_cifar

    (paper,), _ = rehearsal.plan_study(wrn_cifar, "sgd_sweep", get_config("wrn_cifar", "paper"), seed=0,
                                       cifar_shapes=True)  # fmt: skip
    assert grid.config["runs"] == paper.config["runs"] and grid.config["model"] == paper.config["model"]


def test_a_declared_size_whose_whole_probe_is_recorded_is_not_called_an_estimate(tmp_path, monkeypatch):
    # Fig. S5's decide_s5 as if declared as our estimate (not marked probed), its whole probe then recorded (as
    # beyond's momentum + L2 size was in session 35, before cpu trained it)
    import dataclasses

    unmarked = [dataclasses.replace(c, decider=dataclasses.replace(c.decider, probed=False)) if c.decider else c
                for c in fc_mnist.CLAIMS]  # fmt: skip
    monkeypatch.setattr(fc_mnist, "CLAIMS", tuple(unmarked))
    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path))
    monkeypatch.setattr(deciders, "time_step", lambda *a, **k: 0.001)
    decision = deciders.what_would_decide("fc_mnist.mse_eta_flattening", INCONCLUSIVE)
    assert not decision.decider.probed and decision.probe.whole and decision.probed
    assert "not probed" not in decision.summary() and "its evidence: probes recorded" in decision.summary()
    assert decision.to_dict()["probed"] is True
