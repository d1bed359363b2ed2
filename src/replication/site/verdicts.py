"""The landing page's verdicts in a terminal (``make verdicts PRESET=cpu``): one Markdown row per claim, read from the
headlines the chapters recorded under ``results/<preset>/headlines``, with the count of each outcome.

For a run on a cluster whose book is built elsewhere, and for notes: the verdicts and reasons are the chapters' own
(:mod:`replication.analysis.criteria`), nothing is decided here. A claim no chapter has recorded at the preset reads
"not measured yet"; one recorded without a verdict (its chapter decides none at that preset) reads "no verdict". A
damaged or foreign headline file is named and set aside, as the landing page does
(:func:`replication.site.headlines.load_headlines`).
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import sys

from replication.site.headlines import load_headlines
from replication.site.registry import figures

__all__ = ["VerdictRow", "verdict_rows", "outcome_counts", "verdicts_markdown", "main"]

NOT_MEASURED, NO_VERDICT = "not measured yet", "no verdict"
OUTCOMES = ("reproduced", "not reproduced", "inconclusive", NO_VERDICT, NOT_MEASURED)


@dataclasses.dataclass(frozen=True)
class VerdictRow:
    """One claim: its figure and chapter, the outcome and reason its chapter recorded, and for an inconclusive one
    the size declared to decide it (None: none declared) and what the recorded probes of it and of the sizes tried
    before it read (``probes``: one phrase each)."""

    figure: str
    chapter: str
    outcome: str
    reason: str = ""
    decider: str | None = None
    probes: tuple[str, ...] = ()
    commit: str | None = None


def verdict_rows(headlines: dict[str, dict]) -> list[VerdictRow]:
    """The landing table's claims in the book's order (:func:`replication.site.registry.figures`), with what
    ``headlines`` (:func:`replication.site.headlines.load_headlines`) recorded for each."""
    rows = []
    for r in figures():
        if not r.headline:
            continue
        record = headlines.get(r.headline)
        if record is None:
            rows.append(VerdictRow(r.figure, r.chapter, NOT_MEASURED))
            continue
        verdict = record.get("verdict") or {}
        decision = record.get("decision") or {}
        probes = [_probe_phrase("its recorded probe", decision.get("probe"))]
        probes += [_probe_phrase(f"tried before, {t.get('config')}()'s probe", t.get("probe"))
                   for t in decision.get("tried", ())]  # fmt: skip
        rows.append(VerdictRow(
            r.figure, r.chapter, verdict.get("outcome", NO_VERDICT), verdict.get("reason", ""),
            decider=decision.get("size") or None, probes=tuple(p for p in probes if p),
            commit=(record.get("provenance") or {}).get("commit"),
        ))  # fmt: skip
    return rows


def _probe_phrase(what: str, probe: dict | None) -> str:
    """``"its recorded probe reads inconclusive"``, qualified where the probe is part of the size or was trained
    by code that has changed since ("" where there is none)."""
    if not probe:
        return ""
    qualified = ""
    if not probe.get("whole", True):
        qualified = " (part of the size)"
    elif probe.get("changed"):
        qualified = " (older code)"
    return f"{what} reads {probe.get('outcome')}{qualified}"


def outcome_counts(rows: list[VerdictRow]) -> dict[str, int]:
    """How many claims read each outcome, in :data:`OUTCOMES`' order (outcomes no claim reads are left out)."""
    counts = collections.Counter(r.outcome for r in rows)
    return {o: counts[o] for o in (*OUTCOMES, *sorted(set(counts) - set(OUTCOMES))) if counts[o]}


def _cell(text: str, width: int | None) -> str:
    text = " ".join(str(text).split()).replace("|", "\\|")
    return text if width is None or len(text) <= width else text[: width - 1] + "…"


def verdicts_markdown(rows: list[VerdictRow], preset: str, *, width: int | None = None) -> str:
    """A Markdown table of ``rows`` (reasons cut to ``width`` characters where given), the commits that recorded
    them, and one line counting the outcomes."""
    header = "| claim | chapter | verdict | reason | what could decide it |"
    lines = [f"Verdicts at preset {preset}", "", header, "| --- | --- | --- | --- | --- |"]
    for r in rows:
        decide = ""
        if r.outcome == "inconclusive":  # what the probes read first: a long size is cut to width
            decide = "; ".join((*r.probes, r.decider or "no size declared"))
        cells = (r.figure, r.chapter, r.outcome, _cell(r.reason, width), _cell(decide, width))
        lines.append("| " + " | ".join(cells) + " |")
    commits = sorted({r.commit for r in rows if r.commit})
    lines += ["", f"Recorded by commit{'s' if len(commits) > 1 else ''}: {', '.join(commits) or 'none'}."]
    lines.append(" / ".join(f"{n} {o}" for o, n in outcome_counts(rows).items()) or "No claims.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m replication.site.verdicts", description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="cpu", help="the preset whose recorded headlines to read (default cpu)")
    parser.add_argument("--root", default=None, help="the results folder (default: the project's results/)")
    parser.add_argument("--width", type=int, default=None, help="cut each reason to this many characters")
    parser.add_argument("--check", action="store_true", help="exit 1 if a claim is not measured yet (CI)")
    args = parser.parse_args(argv)
    rows = verdict_rows(load_headlines(args.preset, args.root, log=lambda m: print(m, file=sys.stderr)))
    print(verdicts_markdown(rows, args.preset, width=args.width))
    missing = [f"{r.figure} ({r.chapter})" for r in rows if r.outcome == NOT_MEASURED]
    if args.check and missing:
        print(f"verdicts: not measured yet at {args.preset}: {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
