"""Which chapter reproduces which figure of the paper, and the headline number each one is judged by: the claims
each chapter declares beside its studies (:mod:`replication.experiments.claims`), in the book's order.

The landing page renders this table; a chapter fills the "ours" column by calling
:func:`replication.site.headlines.record_headline` with the claim's key.
"""

from __future__ import annotations

import collections
import dataclasses
import html
from pathlib import Path

from replication.core.html_table import fixed_table
from replication.core.presets import is_replication
from replication.core.project import project_root

__all__ = ["FigureRow", "NOT_REPRODUCED", "figures", "toc_chapters", "toc_chapters_in_order", "landing_table_html",
           "decisions_table_html"]  # fmt: skip


@dataclasses.dataclass(frozen=True)
class FigureRow:
    """One row of the landing page: a claim (declared beside the chapter's studies,
    :class:`replication.experiments.claims.Claim`), or a figure no chapter reproduces (``chapter`` and ``headline``
    empty)."""

    figure: str
    claim: str
    chapter: str
    paper: str
    headline: str | None = None
    setting: str = ""

    def setting_text(self) -> str:
        """``setting`` with the presets' sizes read from their configs (so it cannot go stale)."""
        from replication.experiments.claims import setting_text

        return setting_text(self.setting)


# Figures of the paper that no chapter reproduces, and why.
NOT_REPRODUCED = (
    FigureRow(
        "Fig. S8",
        "ResNet-50 on ImageNet (failure case)",
        "",
        "not reproduced: ImageNet is not available from any package registry",
    ),
)


def figures(toc_path: str | Path | None = None) -> tuple[FigureRow, ...]:
    """Every claim the chapters declare (their experiment modules' ``CLAIMS``), in the book's order, then the figures
    no chapter reproduces. Imports the experiment modules (and JAX) when called, never when this module is imported:
    the Makefile imports it for the chapter list."""
    from replication.experiments.claims import claims_of

    rows = [FigureRow(c.figure, c.statement, c.chapter, c.paper, c.key, c.setting)
            for chapter in toc_chapters_in_order(toc_path) for c in claims_of(chapter)]  # fmt: skip
    return (*rows, *NOT_REPRODUCED)


def toc_chapters(toc_path: str | Path | None = None) -> set[str]:
    """Names (file stems) of the chapters listed in the book's ``_toc.yml`` (default: the project's)."""
    return set(toc_chapters_in_order(toc_path))


def _seed_notes(headlines: dict[str, dict]) -> dict[str, str]:
    """A note for each headline whose chapter's seed is not the one most chapters used (all of them when no one seed
    leads), e.g. ``seed 1 (other chapters: seed 0)``: numbers from different seeds are not quite comparable."""
    by_chapter: dict[str, set] = {}
    for rec in headlines.values():
        by_chapter.setdefault(rec.get("chapter"), set()).add(rec.get("seed"))
    counts = collections.Counter(s for seeds in by_chapter.values() for s in seeds).most_common()
    if len(counts) < 2:
        return {}
    common = counts[0][0] if counts[0][1] > counts[1][1] else None
    notes = {}
    for key, rec in headlines.items():
        seed = rec.get("seed")
        others = {s for ch, seeds in by_chapter.items() if ch != rec.get("chapter") for s in seeds} - {seed}
        if seed != common and others:
            listed = ", ".join(map(str, sorted(others, key=str)))
            notes[key] = f"seed {seed} (other chapters: seed{'s' if len(others) > 1 else ''} {listed})"
    return notes


def _made_by(prov: dict) -> str:
    """``preset <code>cpu</code>, CPU (2 cores, x86_64)`` (+ a warning at smoke): where a number came from."""
    smoke = "" if is_replication(prov["preset"]) else " <strong>(smoke: not a replication)</strong>"
    return f"preset <code>{html.escape(prov['preset'])}</code>, {html.escape(prov['device'])}{smoke}"


def _format_ours(record: dict | None, seed_note: str | None = None, shared: str | None = None) -> str:
    """Our number, its label, and where it came from unless that is ``shared`` (said once above the table)."""
    if record is None:
        return "<em>not measured yet</em>"
    value = record["ours"]
    if isinstance(value, float):
        value = f"{value:.4g}"
    if value in ("nan", "inf", "-inf"):  # json_number's non-finite values: no number could be computed
        value = "none"
    made_by = _made_by(record["provenance"])
    origin = "" if made_by == shared else f"; {made_by}"
    seed = f" <strong>{html.escape(seed_note)}</strong>" if seed_note else ""
    return f"{html.escape(str(value))} <small>({html.escape(record['label'])}{origin})</small>{seed}"


def _format_verdict(row: FigureRow, record: dict | None) -> str:
    """The verdict a chapter computed (:mod:`replication.analysis.criteria`) and its reason; never typed here."""
    if not row.headline:
        return "<em>see chapter</em>"
    verdict = (record or {}).get("verdict")
    if record is None:
        return "<em>not measured yet</em>"
    if not verdict:
        return "<em>no verdict decided by code yet: read the chapter</em>"
    outcome = html.escape(verdict["outcome"])
    if not is_replication(record["provenance"]["preset"]):  # smoke's tiny sizes: the code's reading, nothing more
        decided = f"<em>pipeline check; the code reads {outcome}</em> <small>({html.escape(verdict['reason'])})</small>"
    else:
        decided = f"<strong>{outcome}</strong> <small>({html.escape(verdict['reason'])})</small>"
    if (record.get("decision") or {}).get("size"):
        decided += ' <small><a href="#what-could-decide-them">what could decide it</a></small>'
    return decided


def landing_table_html(headlines: dict[str, dict], built: set[str]) -> str:
    """The landing page's table: one row per figure, the chapter that reproduces it, paper's number and ours, the
    verdict the chapter's code decided with its reason, and the model, data and optimizer that produced ours
    (recorded by the chapter, else the row's). A number whose chapter ran with another seed than the rest says so in
    its cell."""
    seed_notes = _seed_notes(headlines)
    rows_of_page = figures()
    shown = [headlines[r.headline] for r in rows_of_page if r.headline and r.headline in headlines]
    origins = {_made_by(rec["provenance"]) for rec in shown}
    shared = origins.pop() if len(origins) == 1 else None
    rows = []
    for r in rows_of_page:
        if r.chapter and r.chapter in built:
            chapter = f'<a href="{r.chapter}.html">{r.chapter}</a>'
        elif r.chapter:
            chapter = f"{r.chapter} <small>(planned)</small>"
        else:
            chapter = "—"
        record = headlines.get(r.headline) if r.headline else None
        ours = _format_ours(record, seed_notes.get(r.headline), shared) if r.headline else "<em>see chapter</em>"
        setting = (record or {}).get("setting") or r.setting_text()
        rows.append([html.escape(r.figure), html.escape(r.claim), chapter, html.escape(r.paper), ours,
                     _format_verdict(r, record), f"<small>{html.escape(setting)}</small>"])  # fmt: skip
    columns = [("Figure", 11), ("Claim", 16), ("Chapter", 11), ("Paper", 13), ("Ours", 16), ("Verdict", 18),
               ("Ours: model · data · optimizer", 15)]  # fmt: skip
    said_once = f"<p><small>Every number below: {shared}.</small></p>" if shared else ""
    return said_once + fixed_table("replication-figures", columns, rows, phone_min_rem=44)


def decisions_table_html(headlines: dict[str, dict]) -> str:
    """The claims left inconclusive at this preset that declare what could decide them
    (:class:`replication.experiments.claims.Decider`), in the book's order: that size, whether probes back it, and
    its price as the chapter computed it (:mod:`replication.experiments.deciders`); then the inconclusive ones that
    declare none."""
    from replication.experiments.deciders import DecisionCost, duration_text
    from replication.experiments.rehearsal import si_text

    rows, undeclared = [], []
    for r in figures():
        decision = (headlines.get(r.headline) or {}).get("decision") if r.headline else None
        if not decision:
            continue
        if not decision.get("size"):
            undeclared.append(r.figure)
            continue
        cost = DecisionCost.from_dict(decision["cost"])
        evidence = "probed" if decision["probed"] else "our estimate, not probed"
        config = f"<code>{html.escape(r.chapter)}.{html.escape(decision['config'])}()</code>"
        probe = _probe_html(decision.get("probe"), decision.get("probe_error"))
        probe += "".join(_tried_html(t) for t in decision.get("tried", ()))
        rows.append([html.escape(r.figure),
                     f"{html.escape(decision['size'])} <small>({evidence}; {config})</small>{probe}",
                     f"{si_text(cost.run_steps)}<br>{si_text(cost.flops)}",
                     f"{html.escape(cost.here_text())} <small>({html.escape(cost.here_basis)})</small>"
                     + _unplanned_html(cost.errors),
                     f"{html.escape(duration_text(cost.h200_s))} on one<br>"
                     f"{html.escape(duration_text(cost.h200_8_s))} on 8"])  # fmt: skip
    if not rows and not undeclared:
        return "<p>No claim is left inconclusive at this preset.</p>"
    columns = [("Figure", 11), ("What could decide it", 41), ("Run-steps, FLOPs", 13),
               ("On the machine that ran the chapter", 20), ("On H200 GPUs", 15)]  # fmt: skip
    out = fixed_table("replication-decisions", columns, rows, phone_min_rem=44) if rows else ""
    if undeclared:
        listed = html.escape(", ".join(undeclared))
        out += f"<p>Inconclusive, with no size declared that could decide them: {listed}.</p>"
    return out


def _unplanned_html(errors) -> str:
    """Where part of a decider's study could not be planned: its price counts only what was, so it is a lower bound."""
    if not errors:
        return ""
    listed = "; ".join(html.escape(e) for e in errors)
    return f"<br><small><strong>A lower bound:</strong> part of the study could not be planned ({listed}).</small>"


def _tried_html(tried: dict) -> str:
    """A size declared before the decider (``Claim.tried``) and what its recorded probe reads, in one line."""
    head = f"Tried before: {html.escape(tried['size'])} (<code>{html.escape(tried['config'])}()</code>)."
    said = _probe_sentence(tried.get("probe"), tried.get("probe_error")) or "No probe of it is recorded."
    return f"<br><small>{head} {said}</small>"


def _probe_html(probe: dict | None, error: str | None) -> str:
    """A decision's recorded probe in one line (:func:`_probe_sentence`; "" where none is recorded)."""
    said = _probe_sentence(probe, error)
    return f"<br><small>{said}</small>" if said else ""


def _probe_sentence(probe: dict | None, error: str | None) -> str:
    """A recorded probe (:mod:`replication.experiments.probes`): what the chapter's rule reads from it and what it
    rests on; or why it could not be read. Its outcome is set in bold only for the whole declared size trained by
    today's code; otherwise the sentence says what it is instead."""
    if error:
        return f"A recorded probe could not be read: {html.escape(error)}"
    if not probe:
        return ""
    outcome, basis = html.escape(probe["outcome"]), html.escape(probe["basis"])
    if probe.get("whole", True) and not probe.get("changed"):
        what, reads = "at this size", f"<b>{outcome}</b>"
    elif not probe.get("whole", True):
        what, reads = "of part of this size", outcome
    else:
        what, reads = "at this size, trained by code that has changed since,", outcome
    return f"A probe {what} recorded in the repository reads {reads} by the chapter's rule ({basis})."


def toc_chapters_in_order(toc_path: str | Path | None = None) -> list[str]:
    """The book's chapters in execution order: as listed in ``_toc.yml`` (default: the project's), with the root
    (landing page) last."""
    import yaml

    toc = yaml.safe_load(Path(toc_path or project_root() / "_toc.yml").read_text())
    root = Path(toc["root"]).stem
    ordered = []

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                ordered.append(Path(node["file"]).stem)
            for key in ("parts", "chapters", "sections"):
                walk(node.get(key))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return [c for c in ordered if c != root] + [root]
