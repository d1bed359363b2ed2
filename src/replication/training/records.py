"""The records of a grid: what all its runs share (:class:`TrainSpec`), the data (:class:`Dataset`) and one run's
evaluations (:class:`History`, round-tripped through JSON for the result store)."""

from __future__ import annotations

import dataclasses

import numpy as np

from replication.core.validation import check_choice, check_positive_int
from replication.data.augment import AUGMENTATIONS
from replication.training.autol2 import AutoL2

LOSSES = ("xent", "mse")
OPTIMIZERS = ("sgd", "momentum", "sgdw", "adam", "adamw")  # see training.step.optimizer_direction
SCHEDULES = ("constant", "step")
METRICS = ("step", "epoch", "train_loss", "train_error", "test_accuracy", "test_loss", "sq_norm", "lam", "lr")


@dataclasses.dataclass(frozen=True)
class TrainSpec:
    """What is shared by every run of a grid (η, λ and the step budget vary per run)."""

    loss: str = "xent"
    optimizer: str = "sgd"
    momentum: float = 0.9
    batch_size: int | None = None  # None: full batch
    schedule: str = "constant"  # "step": η × 0.2 at 0.3T, 0.6T, 0.9T (Fig. 1a)
    evals: int = 100  # evaluations per run (over its bucket)
    # Evaluations spaced in log time instead (ours, for speed where an evaluation costs many steps: NOTES.md,
    # session 15): ``evals`` chunks per bucket, of which the first 2n each end in an evaluation, then n per doubling
    # of the step (plan.evaluated_chunks). None: after every chunk. A power of two.
    evals_per_octave: int | None = None
    autol2: AutoL2 | None = None  # λ follows AutoL2 (appendix E), starting from each run's λ
    augment: tuple[str, ...] = ()  # subset of ("flip", "crop", "mixup"), applied to each training batch
    eval_batch_size: int | None = None  # evaluate train/test sets in chunks of this many (None: at once)
    # The training metrics (train_loss, train_error) over the first this many images of the training split (None,
    # or a number ≥ the split: all of it). Only the metrics: the steps see the whole split. Ours, for speed where
    # the split is large and the runs short (NOTES.md, session 14).
    train_eval_samples: int | None = None
    # "Ghost" batch norm: each training batch's batch-norm statistics are computed over groups of this many images
    # (None: over the whole batch). With ``train_grid(shard="batch")`` the groups are split over the devices, so
    # bn_group = batch / devices is per-device batch norm. Evaluation is not grouped (statistics over each chunk of
    # ``eval_batch_size`` images, as without bn_group).
    bn_group: int | None = None
    # How many runs one compiled program trains at once (vmapped); None: all the runs of a bucket. Only speed
    # depends on it: on CPU a vmapped convnet grid is slower than one run at a time (NOTES.md, session 6).
    runs_per_program: int | None = None

    def __post_init__(self):
        check_choice("loss", self.loss, LOSSES)
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_choice("schedule", self.schedule, SCHEDULES)
        check_positive_int("evals", self.evals)
        if self.evals_per_octave is not None:
            check_positive_int("evals_per_octave", self.evals_per_octave)
            if self.evals_per_octave & (self.evals_per_octave - 1):
                n = self.evals_per_octave
                raise ValueError(f"evals_per_octave={n!r} must be a power of two (1, 2, 4, …) or None.")
        if self.batch_size is not None:
            check_positive_int("batch_size", self.batch_size)
        if self.eval_batch_size is not None:
            check_positive_int("eval_batch_size", self.eval_batch_size)
        if self.train_eval_samples is not None:
            check_positive_int("train_eval_samples", self.train_eval_samples)
        if self.bn_group is not None:
            check_positive_int("bn_group", self.bn_group)
            if self.batch_size is not None:
                check_bn_group(self.batch_size, self.bn_group, f"batch_size={self.batch_size} (groups of equal size)")
        if self.runs_per_program is not None:
            check_positive_int("runs_per_program", self.runs_per_program)
        if self.autol2 is not None and not isinstance(self.autol2, AutoL2):
            raise ValueError(f"autol2={self.autol2!r} must be an replication.autol2.AutoL2 or None.")
        if isinstance(self.augment, str):
            raise ValueError(f"augment={self.augment!r} must be a tuple of names from {AUGMENTATIONS}, not a string.")
        for name in self.augment:
            check_choice("augment", name, AUGMENTATIONS)
        if not 0.0 <= self.momentum < 1.0:
            raise ValueError(f"momentum={self.momentum!r} must lie in [0, 1).")

    def batch_for(self, n_train: int) -> int:
        """Images per training step on a training set of ``n_train``: ``batch_size`` clamped to the set (None: the
        whole set, full-batch gradient descent). Raises if ``bn_group`` does not divide it."""
        batch = min(self.batch_size or n_train, n_train)
        check_bn_group(batch, self.bn_group)
        return batch

    def describe_evaluations(self) -> str:
        """The evaluation cadence in words (``evals``, ``evals_per_octave``)."""
        if self.evals_per_octave is None:
            return f"{self.evals} evaluations per run, evenly spaced over its power-of-two bucket"
        n = self.evals_per_octave
        return (f"evaluations spaced in log time: after each of the first {2 * n} of {self.evals} chunks per "
                f"bucket, then {n} per doubling of the step (at most 1/{n} of the step apart)")  # fmt: skip

    def train_eval_size(self, n_train: int) -> int:
        """Images the training metrics are evaluated on, of a training split of ``n_train``."""
        return min(self.train_eval_samples or n_train, n_train)

    def steps_per_epoch(self, n_train: int) -> int:
        """Whole batches per pass over the training set (a remainder of the shuffled set is left out of that
        epoch)."""
        return n_train // self.batch_for(n_train)


def check_bn_group(batch: int, bn_group: int | None, what: str | None = None) -> None:
    """Batch-norm groups must be of equal size: ``bn_group`` (None: no groups) must divide the batch ("ghost" batch
    norm over ``batch / bn_group`` groups). ``what`` names the batch in the message."""
    if bn_group is not None and batch % bn_group:
        raise ValueError(f"bn_group={bn_group} must divide {what or f'the training batch of {batch} images'}.")


@dataclasses.dataclass(frozen=True)
class Dataset:
    """Training and test arrays: inputs float32, targets one-hot (or regression targets), labels int."""

    x_train: np.ndarray
    y_train: np.ndarray
    labels_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    labels_test: np.ndarray

    @property
    def n_train(self) -> int:
        """Number of training examples."""
        return int(np.shape(self.x_train)[0])


@dataclasses.dataclass
class History:
    """One run: its hyperparameters, whether it diverged, and METRICS at each evaluation (arrays)."""

    lr: float
    lam: float
    steps: int
    diverged: bool
    diverged_at: float | None  # step of the first non-finite evaluation
    metrics: dict[str, np.ndarray]

    def to_json(self) -> dict:
        def clean(a):
            return [None if not np.isfinite(v) else float(v) for v in np.asarray(a, dtype=float)]

        return dict(
            lr=self.lr,
            lam=self.lam,
            steps=self.steps,
            diverged=self.diverged,
            diverged_at=self.diverged_at,
            metrics={k: clean(v) for k, v in self.metrics.items()},
        )

    @classmethod
    def from_json(cls, d: dict) -> "History":
        metrics = {
            k: np.array([np.nan if v is None else v for v in vals], dtype=float) for k, vals in d["metrics"].items()
        }
        return cls(
            lr=d["lr"],
            lam=d["lam"],
            steps=d["steps"],
            diverged=d["diverged"],
            diverged_at=d["diverged_at"],
            metrics=metrics,
        )
