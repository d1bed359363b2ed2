"""Where our code departs from the authors' (google/autol2), declared once.

The authors released code for the Wide ResNet on CIFAR-10 only (``jax_wideresnet_exps.py`` and ``jaxwrn_utils.py``,
read at commit 9851fdf); the FC and CNN settings follow appendix A's text, so departures exist only where that code
does. The loss's and L2 term's factors of two are not departures: the presets convert the authors' (η, λ) to ours
(:mod:`replication.training.conventions`, and the data chapter's table). Each :class:`Departure` names what the
authors' code does (file and line), what ours does, the chapters whose runs it touches, and what it may change, which
is our judgement, not a measurement. Every chapter prints its own (:func:`departures_note`, through
``banner.start_chapter``); the data chapter shows them all (:func:`departures_table_html`).
"""

from __future__ import annotations

import dataclasses
import html

from replication.core.html_table import fixed_table

__all__ = ["AUTHORS_CODE", "Departure", "DEPARTURES", "departures_for", "departures_note", "departures_table_html"]

AUTHORS_CODE = "google/autol2 (commit 9851fdf)"
WRN_CHAPTERS = ("wrn_cifar", "optimal_l2", "autol2")  # the chapters whose runs use the WRN setting


@dataclasses.dataclass(frozen=True)
class Departure:
    """One way our runs differ from the authors' code."""

    topic: str
    theirs: str
    ours: str
    effect: str  # our judgement of what it may change
    chapters: tuple[str, ...] = WRN_CHAPTERS

    def line(self) -> str:
        return f"{self.topic}: ours {self.ours}; theirs {self.theirs}"


DEPARTURES: tuple[Departure, ...] = (
    Departure(
        "WRN shortcut where the width or stride changes",
        "a 3×3 convolution of the block's input, beside BN-ReLU-conv (jaxwrn_utils.py:159-160)",
        "a 1×1 convolution of relu(bn(x)), as in Zagoruyko & Komodakis (models.convnets._Block)",
        "the first block of each of the three groups; appendix A only names WRN-28-10",
    ),
    Departure(
        "input standardization",
        "one mean and standard deviation over all pixels and channels, each split with its own "
        "(jaxwrn_utils.py:189-190)",
        "per-channel statistics of the training set, applied to both splits (data.transforms)",
        "small: CIFAR-10's training and test statistics nearly agree",
    ),
    Departure(
        "evaluation cadence",
        "the whole test set every 10 steps (flag meas_step, jax_wideresnet_exps.py:58)",
        "a fixed number of evaluations per run (TrainSpec.evals), spread over the run's power-of-two bucket (at cpu "
        "the optimal-λ and AutoL2 sweeps and the WRN's Fig. 2d–f grid: evenly in log time, "
        "TrainSpec.evals_per_octave); at cpu the training loss "
        "and error over the first 512 training images (TrainSpec.train_eval_samples)",
        "t* is resolved to one evaluation interval: coarser than theirs in long runs; t* and the verdicts read the "
        "test accuracy, which is over the whole test split",
    ),
    Departure(
        "initialization and seed",
        "every run initialized from PRNGKey(0); --seed (default 1) sets only the data order "
        "(jax_wideresnet_exps.py:225, 233)",
        "a grid's runs share one initialization (as the paper says); the chapter's seed sets the data order and the "
        "first initialization, and a grid trained from several seeds (seeds.count) varies the initialization only",
        "none for a comparison within a grid; our seed-to-seed spread includes the initialization's",
    ),
    Departure(
        "data order",
        "each of the 8 devices keeps a fixed eighth of the training set for the whole run, shuffled within it "
        "(jaxwrn_utils.py:199-229)",
        "one permutation of the whole training set each epoch; batch-norm groups of 128 are cut from it",
        "which images share a batch-norm group; expected small",
    ),
    Departure(
        "augmentation",
        "crop offsets 0 to 7 after a 4-pixel pad; mixup pairs each image with the reversed batch "
        "(jaxwrn_utils.py:262-309)",
        "crop offsets 0 to 8 (every window of the padded image); mixup pairs through a random permutation "
        "(data.augment)",
        "small; only Fig. 1 and S2 train with augmentation",
    ),
    Departure(
        "training metrics",
        "measured on one augmented, mixed-up training batch at each evaluation (jax_wideresnet_exps.py:289-295)",
        "measured on the clean training set at each evaluation (at cpu its first 512 images for the convnets: "
        "TrainSpec.train_eval_samples)",
        "the training curves only, not the test accuracy or t*",
    ),
    Departure(
        "AutoL2's decay test",
        "non-strict: loss at most both previous minima, or accuracy at least its maximum (jax_wideresnet_exps.py:299)",
        "Algorithm 1 as appendix E prints it (strict) in the WRN race; the FC race runs both",
        "when λ is decayed at a tie; appendix E says every 5 steps, appendix A and their code 10 (ours: 10)",
        ("autol2",),
    ),
)


def departures_for(chapter: str) -> list[Departure]:
    """The departures that touch ``chapter``'s runs."""
    return [d for d in DEPARTURES if chapter in d.chapters]


def departures_note(chapter: str) -> str | None:
    """What a chapter prints first: its departures from the authors' code, one per line (None where it has none
    because the authors released no code for its setting)."""
    mine = departures_for(chapter)
    if not mine:
        return None
    lines = [f"Where these runs depart from the authors' code ({AUTHORS_CODE}; the data chapter has them all):"]
    return "\n".join(lines + [f"  - {d.line()}" for d in mine])


def departures_table_html() -> str:
    """Every departure as a table: topic, theirs, ours, what it may change (ours), chapters."""
    columns = [("What", 14), ("The authors' code", 24), ("Ours", 24), ("What it may change (our judgement)", 22),
               ("Chapters", 16)]  # fmt: skip
    rows = [[html.escape(x) for x in (d.topic, d.theirs, d.ours, d.effect, ", ".join(d.chapters))] for d in DEPARTURES]
    return fixed_table("replication-departures", columns, rows, phone_min_rem=40)
