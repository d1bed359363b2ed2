"""What could decide a claim our runs leave inconclusive, and what that would cost.

A claim may declare a :class:`~replication.experiments.claims.Decider`: the size that could decide it, in words and
as a function of its chapter's config module (``decide_...``, built from ``cpu()`` or ``paper()``), and the study
that judges it. :func:`what_would_decide` plans that study at that size as the rehearsal does (nothing trains,
nothing is written; :mod:`replication.experiments.rehearsal`) and prices it:

* run-steps and FLOPs as the rehearsal counts them: XLA's count of one compiled training step × the steps the engine
  would compute, evaluations as forward passes;
* on one H200 and on 8, as the rehearsal estimates: at the fraction of the TF32 peak measured on one
  (:data:`~replication.experiments.rehearsal.MEASURED`), no step faster than 0.25 ms;
* on this machine: for a size built from ``cpu``, each model's training step is timed here (:func:`~replication.
  experiments.rehearsal.time_step`) and the grid's FLOPs are run at the rate that step reached; for a size built
  from ``paper``, only a lower bound: the FLOPs at this machine's float32 matrix-multiply rate (no step of a network
  runs faster than its matrix products).
"""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
import time

from replication.core.progress import format_duration
from replication.core.provenance import device_description
from replication.core.validation import check_positive_int
from replication.experiments.claims import Decider, claim
from replication.experiments.probes import ProbeError, RecordedProbe, recorded_probe
from replication.experiments.rehearsal import (
    ACCELERATORS,
    MEASURED,
    cached_step_cost,
    environment_variable,
    grid_cost,
    plan_decider,
    si_text,
    time_step,
)

__all__ = ["DecisionCost", "Tried", "Decision", "tried_sizes", "decision_cost", "what_would_decide", "matmul_rate",
           "duration_text", "main"]  # fmt: skip


@dataclasses.dataclass(frozen=True)
class DecisionCost:
    """The price of a :class:`Decider`'s grids (see the module's docstring). ``here_s`` is an estimate on the
    machine that computed it, or a lower bound where ``here_is_bound``; ``here_basis`` says how it was reached."""

    grids: int
    run_steps: int
    flops: float
    here_s: float
    here_is_bound: bool
    here_basis: str
    h200_s: float
    h200_8_s: float
    errors: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, d: dict) -> DecisionCost:
        """The cost as a headline record keeps it (:meth:`Decision.to_dict`)."""
        return cls(**{**d, "errors": tuple(d.get("errors", ()))})

    def here_text(self) -> str:
        """``"about 55 min"``, or ``"at least 14.4 years"`` where the time here is a lower bound."""
        return ("at least " if self.here_is_bound else "about ") + duration_text(self.here_s)

    def describe(self) -> str:
        line = (f"{self.grids} grid{'s' if self.grids != 1 else ''}, {self.run_steps:,} run-steps, "
                f"{self.flops:.3g} FLOPs: {self.here_text()} on this machine ({self.here_basis}); about "
                f"{duration_text(self.h200_s)} on one H200, {duration_text(self.h200_8_s)} on 8 (the rehearsal's "
                "estimate)")  # fmt: skip
        return line + "".join(f"; could not plan {e}" for e in self.errors)


@dataclasses.dataclass(frozen=True)
class Tried:
    """A size declared before a claim's decider (:attr:`replication.experiments.claims.Claim.tried`) and what its
    recorded probe reads (None, with ``probe_error`` where it cannot be read or none is recorded)."""

    decider: Decider
    probe: RecordedProbe | None = None
    probe_error: str | None = None

    def describe(self) -> str:
        """One sentence: the size tried before, and what its probe reads."""
        head = f"Tried before: {self.decider.size} ({self.decider.config}())"
        if self.probe is not None:
            return f"{head}; {self.probe.describe()}"
        if self.probe_error:
            return f"{head}; its recorded probe could not be read: {self.probe_error}"
        return f"{head}; no probe of it is recorded"

    def to_dict(self) -> dict:
        """What a headline record keeps (plain JSON)."""
        probe = None if self.probe is None else self.probe.to_dict()
        d = self.decider
        return dict(size=d.size, config=d.config, base=d.base, probe=probe, probe_error=self.probe_error)


@dataclasses.dataclass(frozen=True)
class Decision:
    """A claim's verdict at this preset and, where it is inconclusive, what could decide it, its price (None where
    the claim declares no :class:`Decider`, or the verdict is decided) and what a probe of that size recorded in the
    repository reads (:mod:`replication.experiments.probes`; None where none is recorded)."""

    key: str
    outcome: str
    decider: Decider | None = None
    cost: DecisionCost | None = None
    probe: RecordedProbe | None = None  # the size trained once and recorded under probes/, judged by the chapter
    probe_error: str | None = None  # why a recorded probe could not be read
    tried: tuple[Tried, ...] = ()  # sizes declared before, whose probes did not decide it (Claim.tried)

    @property
    def needed(self) -> bool:
        return self.outcome == "inconclusive"

    @property
    def probed(self) -> bool:
        """Whether probes back the declared size: its ``Decider`` says so, or the whole size is recorded."""
        return self.decider is not None and (self.decider.probed or (self.probe is not None and self.probe.whole))

    def summary(self) -> str:
        """One sentence for the landing page (and the sizes tried before it, one sentence each)."""
        return self._summary() + "".join(f". {t.describe()}" for t in self.tried)

    def _summary(self) -> str:
        if not self.needed:
            return f"{self.outcome}: nothing more is needed to decide it"
        if self.decider is None:
            return "inconclusive, and no size that could decide it is declared"
        evidence = "its evidence: probes recorded in NOTES.md" if self.probed else "our estimate, not probed"
        probe = f"; {self.probe.describe()}" if self.probe is not None else ""
        if self.probe_error:
            probe += f"; the recorded probe could not be read: {self.probe_error}"
        if self.probe is not None and self.probe.whole and self.probe.verdict.outcome == "inconclusive":
            return (f"was declared decidable by {self.decider.size}, and that size, probed, does not decide it "
                    f"either{probe}: no size known to decide it is declared yet. Cost of the probed size: "
                    f"{self.cost.describe()}")  # fmt: skip
        return f"could be decided by {self.decider.size} ({evidence}){probe}. Cost: {self.cost.describe()}"

    def describe(self) -> str:
        """What the chapter prints: the summary and, where a size is declared, the call that would train it; then
        the sizes tried before it."""
        if not self.needed or self.decider is None:
            return f"{self.key}: {self.summary()}."
        d, chapter = self.decider, self.key.split(".", 1)[0]
        options = "".join(f", {k}={v!r}" for k, v in d.options)
        call = (f"{chapter}.{d.study}(decider_config({chapter!r}, {d.config!r}, {d.base!r}), seed=0{options}) "
                f"(replication.experiments; the size is {d.config}() in its configs.{chapter})")  # fmt: skip
        tried = "".join(f"\n  {t.describe()}." for t in self.tried)
        return f"{self.key}: {self._summary()}.\n  To train it: {call}.{tried}"

    def to_dict(self) -> dict:
        """What a headline record keeps (plain JSON): the outcome, the summary, and where a size is declared its
        fields and its price."""
        out = {"outcome": self.outcome, "summary": self.summary()}
        if self.needed and self.decider is not None:
            d = self.decider
            out.update(size=d.size, probed=self.probed, config=d.config, base=d.base, study=d.study)
            if self.probe is not None:
                out["probe"] = self.probe.to_dict()
            if self.probe_error:
                out["probe_error"] = self.probe_error
            if self.tried:
                out["tried"] = [t.to_dict() for t in self.tried]
        if self.cost is not None:
            out["cost"] = dataclasses.asdict(self.cost)
        return out


def duration_text(seconds: float) -> str:
    """:func:`replication.core.progress.format_duration`, and beyond two days in days, beyond two years in years
    (``?`` for NaN)."""
    if seconds != seconds:
        return "?"
    if seconds < 2 * 86400:
        return format_duration(seconds)
    days = seconds / 86400
    return f"{days:.1f} days" if days < 2 * 365 else f"{days / 365:.1f} years"


def matmul_rate(n: int = 1024, repeats: int = 5) -> float:
    """This machine's float32 matrix-multiply rate in FLOP/s: the best of ``repeats`` jitted n×n products."""
    import jax
    import jax.numpy as jnp

    check_positive_int("n", n)
    check_positive_int("repeats", repeats)
    a = jnp.ones((n, n), jnp.float32)
    product = jax.jit(lambda x: x @ x)
    jax.block_until_ready(product(a))
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(product(a))
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best


@contextlib.contextmanager
def _nothing_stored():
    """Plan as a machine that stores none of a size's grids would: a size costs what training it costs, also where
    this machine keeps its grids (the one that recorded its probe priced it at 0 s)."""
    with tempfile.TemporaryDirectory() as empty, environment_variable("REPLICATION_RESULTS", empty):
        yield


def decision_cost(chapter: str, decider: Decider, *, seed: int = 0, log=print) -> DecisionCost:
    """Plan ``decider``'s study of ``chapter`` at its size, as if nothing of it were stored, and price it (the
    module's docstring)."""
    with _nothing_stored():
        grids, error = plan_decider(chapter, decider, seed=seed)
    h200 = ACCELERATORS[-1]
    gpu_rate = MEASURED["fraction"] * h200.tf32_flops
    costs, seen, priced = {}, set(), []
    here_s, rates = 0.0, {}
    matmul = matmul_rate() if decider.base == "paper" else None
    for g in grids:
        if g.identity in seen:  # asked for twice: trained once (nothing is stored where it is planned)
            continue
        seen.add(g.identity)
        step, _ = cached_step_cost(g, costs, log)
        cost = grid_cost(dataclasses.replace(g, build=None), step)
        priced.append(cost)
        if matmul is None:
            key = (g.input_shape, g.plan.batch, g.spec.loss, step.flops)
            if key not in rates:
                apply_fn, params = g.build()  # this machine's convolutions, as its engine runs them
                log(f"  timing one step of {g.name} on this machine ...")
                rates[key] = step.flops / time_step(apply_fn, params, g.input_shape, g.plan.batch, g.spec.loss)
            here_s += cost.flops / rates[key]
    if matmul is None:
        basis = "each model's training step timed here: " + ", ".join(f"{r / 1e9:.3g} GFLOP/s" for r in rates.values())
        here = here_s
    else:
        here = sum(c.flops for c in priced) / matmul
        basis = f"its FLOPs at this machine's float32 matrix-multiply rate, {matmul / 1e9:.3g} GFLOP/s"
    return DecisionCost(
        len(priced), sum(c.run_steps for c in priced), sum(c.flops for c in priced), here, matmul is not None,
        f"{device_description()}; {basis}", sum(c.seconds(gpu_rate) for c in priced),
        sum(c.seconds(gpu_rate, 8) for c in priced), (error,) if error else (),
    )  # fmt: skip


def what_would_decide(key: str, verdict, *, seed: int = 0, log=None) -> Decision:
    """Where ``verdict`` (:class:`replication.analysis.criteria.Verdict`) on the claim ``key`` is inconclusive, the
    size its :class:`Decider` declares and that size's price (:func:`decision_cost`; its progress lines go to
    ``log``, none by default); otherwise nothing to add."""
    declared = claim(key)
    if verdict.outcome != "inconclusive" or declared.decider is None:
        return Decision(key, verdict.outcome, declared.decider if verdict.outcome == "inconclusive" else None)
    cost = decision_cost(declared.chapter, declared.decider, seed=seed, log=log or (lambda line: None))
    probe, error = _probe(key)
    return Decision(key, verdict.outcome, declared.decider, cost, probe, error, tried_sizes(key))


def tried_sizes(key: str) -> tuple[Tried, ...]:
    """The claim ``key``'s ``tried`` sizes, each with what its recorded probe reads."""
    out = []
    for d in claim(key).tried:
        probe, error = _probe(key, d)
        out.append(Tried(d, probe, error))
    return tuple(out)


def _probe(key: str, decider: Decider | None = None) -> tuple[RecordedProbe | None, str | None]:
    """The probe recorded for ``key`` (:func:`~replication.experiments.probes.recorded_probe`, judged at the seed
    it was trained from; ``decider``: one of its ``tried`` sizes), or why it cannot be read: a damaged file is said
    in the book, not raised from it."""
    try:
        return recorded_probe(key, decider=decider), None
    except ProbeError as err:
        return None, str(err)


def main(argv=None) -> int:
    """``python -m replication.experiments decide <chapter>... [--seed S]``: every size the chapters' claims declare
    (whatever their verdicts are now), each planned and priced, as a Markdown table (``make decide``)."""
    import argparse

    from replication.experiments.claims import claims_of
    from replication.experiments.headless import CHAPTERS, chapters_named

    p = argparse.ArgumentParser(prog="python -m replication.experiments decide", description=main.__doc__)
    p.add_argument("chapters", nargs="+", metavar="chapter", help=f"one or more of: {', '.join(CHAPTERS)}, or all")
    p.add_argument("--seed", type=int, default=0, help="the initialization seed the grids are planned with")
    args = p.parse_args(argv)
    lines = ["| claim | what could decide it | evidence | run-steps | FLOPs | this machine | one H200 | 8 H200s |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    for chapter in chapters_named(p, args.chapters):
        for c in claims_of(chapter):
            if c.decider is None:
                continue
            print(f"{c.key}: planning and pricing {c.decider.config}() ...", flush=True)
            cost = decision_cost(chapter, c.decider, seed=args.seed, log=lambda line: print(line, flush=True))
            probe, error = _probe(c.key)
            decision = Decision(c.key, "inconclusive", c.decider, cost, probe, error, tried_sizes(c.key))
            evidence = "probed" if decision.probed else "estimate"
            if probe is not None:
                evidence += f"; recorded probe ({probe.folder()}{'' if probe.whole else ', part of the size'}): "
                evidence += probe.verdict.outcome
            elif error:
                evidence += f"; recorded probe unreadable: {error}"
            lines.append(f"| {c.figure} ({c.key}) | {c.decider.size} | {evidence} | {si_text(cost.run_steps)} "
                         f"| {si_text(cost.flops)} | {cost.here_text()} ({cost.here_basis}) "
                         f"| {duration_text(cost.h200_s)} | {duration_text(cost.h200_8_s)} |")  # fmt: skip
            lines += [f"|   could not plan: {e} | | | | | | | |" for e in cost.errors]
            lines += [f"|   {t.describe()} | | | | | | | |" for t in decision.tried]
    print("\n".join(lines))
    return 0
