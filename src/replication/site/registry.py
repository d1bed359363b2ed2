"""Which chapter reproduces which figure of the paper, and the headline number each one is judged by.

The landing page renders this table; a chapter fills the "ours" column by calling
:func:`replication.site.headlines.record_headline` with the row's ``headline`` key.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import html
from pathlib import Path

from replication.core.html_table import fixed_table
from replication.core.project import project_root

__all__ = ["FigureRow", "FIGURES", "toc_chapters", "toc_chapters_in_order", "landing_table_html"]


@dataclasses.dataclass(frozen=True)
class FigureRow:
    """One figure: the claim, the chapter, the paper's number, the headline key of ours, and ``setting``: which model,
    data and optimizer produce "ours" at every preset (a chapter may record a more precise one with its number).
    ``setting`` may name a preset's size as ``{wrn_cpu}``, ``{cnn_paper}``, ...: :meth:`setting_text` fills them in."""

    figure: str
    claim: str
    chapter: str
    paper: str
    headline: str | None = None
    setting: str = ""

    def setting_text(self) -> str:
        """``setting`` with the presets' sizes read from their configs (so it cannot go stale)."""
        return self.setting.format_map(_preset_sizes()) if "{" in self.setting else self.setting


@functools.cache
def _preset_sizes() -> dict[str, str]:
    # read when the landing page is rendered, not at import: the configs import JAX, and the Makefile imports this
    # module for the chapter list on every call
    from replication.experiments.configs import get_config

    sizes = {}
    for preset in ("paper", "cpu"):
        wrn = get_config("wrn_cifar", preset).model
        sizes[f"wrn_{preset}"] = f"{wrn.depth}-{wrn.widen}"
        sizes[f"cnn_{preset}"] = str(get_config("cnn_cifar", preset).model.channels)
        sizes[f"fc_{preset}"] = str(get_config("fc_mnist", preset).model.width)
        sizes[f"beyond_{preset}"] = str(get_config("beyond", preset).model.width)
    return sizes


FIGURES = (
    FigureRow(
        "Data (App. A)",
        "MNIST as the paper uses it: 512 samples for FC, 200 with even/odd labels for the NTK",
        "data",
        "train label counts 5923 … 5949 (60000 images)",
        "data.mnist_train_images",
        setting="MNIST: the full set (the first 1000 images at smoke)",
    ),
    FigureRow(
        "Fig. 2a–c, S1, S6",
        "FC on MNIST: epochs to peak test accuracy t* ∝ 1/(ηλ); small λ matches or beats λ = 0 when trained for 2/(ηλ)",
        "fc_mnist",
        "exponent −1 over 6 decades of ηλ",
        "fc_mnist.tstar_exponent",
        setting="FC, 3 hidden ReLU layers of width {fc_paper} ({fc_cpu} at cpu) · the first 512 MNIST images · "
        "full-batch SGD",
    ),
    FigureRow(
        "Fig. 2b",
        "FC on MNIST: small λ trained for τ/(ηλ) matches or beats λ = 0",
        "fc_mnist",
        "small λ as good as λ = 0 or better (λ = 0 trained 10⁶/η epochs)",
        "fc_mnist.small_lambda_vs_zero",
        setting="FC, 3 hidden ReLU layers of width {fc_paper} ({fc_cpu} at cpu) · the first 512 MNIST images · "
        "full-batch SGD",
    ),
    FigureRow(
        "Beyond the paper: Fig. 2a over seeds",
        "FC on MNIST: the t* exponent with a bootstrap confidence interval over initialization seeds",
        "fc_mnist",
        "one seed per configuration (no error bars)",
        "fc_mnist.tstar_exponent_seeds",
        setting="FC 3×{fc_paper} (width {fc_cpu} at cpu) · MNIST, 512 images, full batch · SGD + L2, several seeds",
    ),
    FigureRow(
        "Fig. S5",
        "MSE loss: test accuracy depends on η at training accuracy 1, not at t_test",
        "fc_mnist",
        "qualitative",
        "fc_mnist.mse_eta_flattening",
        setting="FC, 3 hidden ReLU layers of width {fc_paper} ({fc_cpu} at cpu), MSE loss · 512 MNIST images · "
        "full-batch SGD",
    ),
    FigureRow(
        "Fig. 2d–f, S2",
        "Wide ResNet on CIFAR-10: t* ∝ 1/(ηλ)",
        "wrn_cifar",
        "exponent −1",
        "wrn_cifar.tstar_exponent",
        setting="WRN ({wrn_paper} at paper, {wrn_cpu} at cpu) · CIFAR-10 or its stand-in · SGD; S2: "
        "momentum, augmentation",
    ),
    FigureRow(
        "Fig. 2e",
        "Wide ResNet: small λ trained for τ/(ηλ) matches or beats λ = 0",
        "wrn_cifar",
        "small λ as good as λ = 0 or better",
        "wrn_cifar.small_lambda_vs_zero",
        setting="WRN ({wrn_paper} at paper, {wrn_cpu} at cpu) · CIFAR-10 or its stand-in · SGD, no augmentation",
    ),
    FigureRow(
        "Fig. 1a",
        "WRN with schedule: fixed T = 200 peaks at one λ; T ∝ 1/λ plateaus",
        "wrn_cifar",
        "best fixed-T λ = 0.0005 (test acc. 0.967)",
        "wrn_cifar.fixed_T_best_lambda",
        setting="WRN ({wrn_paper} at paper, {wrn_cpu} at cpu) · CIFAR-10 or its stand-in · momentum 0.9, "
        "flip/crop/mixup, step schedule",
    ),
    FigureRow(
        "Fig. S12",
        "Late-time accuracy independent of the init scale σ_w",
        "wrn_cifar",
        "qualitative",
        "wrn_cifar.sigma_final_spread",
        setting="Wide ResNet · CIFAR-10 or its stand-in · Fig. 1a's setup",
    ),
    FigureRow(
        "Fig. 3a–f",
        "CNN ± BatchNorm on CIFAR-10: t* ∝ 1/(ηλ)",
        "cnn_cifar",
        "exponent −1",
        "cnn_cifar.tstar_exponent",
        setting="CNN ± BN ({cnn_paper} channels at paper, {cnn_cpu} at cpu) · CIFAR-10 or its stand-in · SGD",
    ),
    FigureRow(
        "Fig. 3b, 3e",
        "CNN ± BatchNorm: small λ trained for τ/(ηλ) matches or beats λ = 0",
        "cnn_cifar",
        "small λ as good as λ = 0 or better",
        "cnn_cifar.small_lambda_vs_zero",
        setting="CNN ± BN ({cnn_paper} channels at paper, {cnn_cpu} at cpu) · CIFAR-10 or its stand-in · SGD",
    ),
    FigureRow(
        "Fig. S7",
        "Failure case: FC width 64 on CIFAR-10 is not overparameterized; scaling breaks below λ_opt",
        "failure_case",
        "t* constant below λ_opt",
        "failure_case.exponent_below_opt",
        setting="FC depth 3, width 64 · CIFAR-10 or its stand-in · SGD, batch 512",
    ),
    FigureRow(
        "Fig. 1b, 4, S3, S4",
        "Predicted optimal λ = c/T within an order of magnitude of the tuned λ",
        "optimal_l2",
        "c ≈ 0.0066; accuracy within 0.4% of tuned",
        "optimal_l2.accuracy_gap",
        setting="the paper's setting at our sizes: a Wide ResNet (WRN-28-10 at paper) · CIFAR-10 or its stand-in · "
        "momentum 0.9, flip/crop/mixup; the chapter's second setting is FC on MNIST with full-batch SGD",
    ),
    FigureRow(
        "Fig. 1c, S9, S10, S11",
        "AutoL2 trains faster and ends better than the tuned constant λ",
        "autol2",
        "faster and better (no LR schedule)",
        "autol2.speedup",
        setting="the paper's setting at our sizes: a Wide ResNet · CIFAR-10 or its stand-in · momentum 0.9, "
        "flip/crop/mixup, AutoL2 every 10 steps; S11's FC (full-batch SGD) and CNN panels in the chapter",
    ),
    FigureRow(
        "Fig. 5a–b",
        "Mode solution eq. (3): learn at t ~ 1/γ, decay at t ~ 1/λ (k ≥ 2); linear model k = 1",
        "theory",
        "analytic",
        "theory.mode_timescales",
        setting="the mode solution eq. (3), computed",
    ),
    FigureRow(
        "Fig. 5c",
        "Kernel evolution eq. (1) with k = 2 tracks gradient descent of a wide 2-layer ReLU net",
        "theory",
        "qualitative",
        "theory.fig5c_loss_gap",
        setting="a 2-layer ReLU network (NTK parameterization) · 200 MNIST images, even/odd · gradient descent",
    ),
    FigureRow(
        "Thm. 1",
        "Θ_t = exp(−2(k−1)λt) Θ_0 at infinite width",
        "theory",
        "exact as width → ∞",
        "theory.kernel_decay_width_exponent",
        setting="2- and 3-layer ReLU networks at growing width · MNIST · gradient flow",
    ),
    FigureRow(
        "Lemma 1",
        "Σ θ ∂f/∂θ = k f for k-homogeneous networks",
        "theory",
        "k = L for L layers",
        "theory.homogeneity_k",
        setting="FC ReLU networks without biases (and with, to show the difference) · MNIST",
    ),
    FigureRow(
        "App. B.1",
        "Deep linear fixed point f − 1 = −λ√n (eq. S21, sign corrected)",
        "theory",
        "λ√n = f − 1 as printed: a sign typo (L2 pulls f below the label); the chapter tests f − 1 = −λ√n",
        "theory.deep_linear_error",
        setting="a 2-layer linear network, one sample, MSE, gradient descent",
    ),
    FigureRow(
        "Beyond the paper: SGDW",
        "FC on MNIST, Fig. 2a's protocol with momentum SGD and decoupled weight decay (SGDW)",
        "beyond",
        "not in the paper",
        "beyond.sgdw_exponent",
        setting="FC 3×{beyond_paper} (width {beyond_cpu} at cpu) · MNIST, 512 images, full batch · "
        "SGDW (momentum, decoupled), seeds",
    ),
    FigureRow(
        "Beyond the paper: momentum + L2",
        "FC on MNIST, Fig. 2a's protocol with momentum SGD and the coupled L2 term",
        "beyond",
        "not in the paper",
        "beyond.momentum_exponent",
        setting="FC 3×{beyond_paper} (width {beyond_cpu} at cpu) · MNIST, 512 images, full batch · "
        "momentum SGD + L2, several seeds",
    ),
    FigureRow(
        "Beyond the paper: Adam + L2",
        "FC on MNIST, Fig. 2a's protocol with Adam and the coupled L2 term",
        "beyond",
        "not in the paper",
        "beyond.adam_exponent",
        setting="FC 3×{beyond_paper} (width {beyond_cpu} at cpu) · MNIST, 512 images, full batch · "
        "Adam + L2, several seeds",
    ),
    FigureRow(
        "Beyond the paper: AdamW",
        "FC on MNIST, Fig. 2a's protocol with AdamW: is t* still ∝ 1/(ηλ)?",
        "beyond",
        "not in the paper",
        "beyond.adamw_exponent",
        setting="FC 3×{beyond_paper} (width {beyond_cpu} at cpu) · MNIST, 512 images, full batch · "
        "AdamW, several seeds",
    ),
    FigureRow(
        "Fig. S8",
        "ResNet-50 on ImageNet (failure case)",
        "",
        "not reproduced: ImageNet is not available from any package registry",
        None,
    ),
)


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
    smoke = " <strong>(smoke: not a replication)</strong>" if prov["preset"] == "smoke" else ""
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
    return f"<strong>{html.escape(verdict['outcome'])}</strong> <small>({html.escape(verdict['reason'])})</small>"


def landing_table_html(headlines: dict[str, dict], built: set[str]) -> str:
    """The landing page's table: one row per figure, the chapter that reproduces it, paper's number and ours, the
    verdict the chapter's code decided with its reason, and the model, data and optimizer that produced ours
    (recorded by the chapter, else the row's). A number whose chapter ran with another seed than the rest says so in
    its cell."""
    seed_notes = _seed_notes(headlines)
    shown = [headlines[r.headline] for r in FIGURES if r.headline and r.headline in headlines]
    origins = {_made_by(rec["provenance"]) for rec in shown}
    shared = origins.pop() if len(origins) == 1 else None
    rows = []
    for r in FIGURES:
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
