"""Layer 3, training: the loss of appendix A, the records of a grid, the optimizers (Optax chains), the vectorized
engine (plan, bucket programs, loop), AutoL2 and checkpoints."""

from replication.training.autol2 import AutoL2

from .engine import bucket_steps, train, train_grid, train_seeds
from .losses import l2_term, mse, softmax_xent
from .plan import GridPlan, plan_grid
from .records import METRICS, Dataset, History, TrainSpec

__all__ = [
    "TrainSpec",
    "Dataset",
    "History",
    "METRICS",
    "softmax_xent",
    "mse",
    "l2_term",
    "train_grid",
    "train_seeds",
    "train",
    "bucket_steps",
    "plan_grid",
    "GridPlan",
    "AutoL2",
]
