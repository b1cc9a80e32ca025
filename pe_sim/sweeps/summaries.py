"""End-of-run summaries of sweep runs: each outcome's trajectory reduced to one number per run.

How each outcome is reduced comes from :data:`pe_sim.summary.REDUCTION` (the one classification
`pe-sim run`, the report, sweeps and `pe-sim compare` share): stocks take the value at the horizon
(``<outcome>_final``), flows are summed over the horizon (``<outcome>_total``), and rates and shares
are averaged over sprints (``<outcome>_mean``).
"""

from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np

from pe_sim.summary import REDUCTION


def summary_kind(outcome: str) -> str:
    """How an outcome is reduced to one number per run: final, total or mean (:data:`pe_sim.summary.REDUCTION`)."""
    return REDUCTION[outcome]


def summary_name(outcome: str) -> str:
    """Column name of an outcome's end-of-run summary, e.g. ``customer_value_total``."""
    return f"{outcome}_{summary_kind(outcome)}"


def summarise(trajectories: Mapping[str, np.ndarray], outcomes: Iterable[str]) -> dict[str, np.ndarray]:
    """End-of-run summaries ``{summary_name: (R,) array}`` of (R, S) trajectories."""
    from pe_sim.core import kernel  # compiled: loaded on use, so the CLI starts fast

    out = {}
    for k in outcomes:
        x = np.ascontiguousarray(trajectories[k], dtype=np.float64)
        out[summary_name(k)] = reduced = np.empty(x.shape[0])
        kernel.reduce_runs(x, kernel.REDUCTIONS[summary_kind(k)], reduced)  # as the kernel reduces sweeps
    return out


def running_summary(x: np.ndarray, outcome: str) -> np.ndarray:
    """The summary up to each sprint (R, S): value, cumulative total, or running mean; the last column
    is the end-of-run summary."""
    kind = summary_kind(outcome)
    if kind == "final":
        return x
    c = np.cumsum(x, axis=1)
    return c if kind == "total" else c / np.arange(1, x.shape[1] + 1)
