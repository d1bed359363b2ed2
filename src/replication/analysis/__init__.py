"""Layer 4b, analysis of training histories: t* and power laws, sweep planning and summaries, the verdicts the
chapters print, c and λ_pred, and tables."""

from .peaks import NotPeakedError, estimate_c, fit_power_law, measure_c, predict_optimal_l2, time_to_peak
from .plan import SweepRun, plan_sweep

__all__ = [
    "SweepRun",
    "plan_sweep",
    "time_to_peak",
    "fit_power_law",
    "estimate_c",
    "predict_optimal_l2",
    "measure_c",
    "NotPeakedError",
]
