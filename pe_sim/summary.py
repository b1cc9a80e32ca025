"""End-of-horizon summaries with 95% confidence intervals.

Each outcome is reduced over a run's sprints by its nature: stocks (levels at the end of a sprint)
take the final value, flows (counts and amounts that happen in a sprint) are summed over the horizon,
and rates (pace per sprint, ratios and shares) are averaged (see :data:`REDUCTION`). This is the one
classification: `pe-sim run`, the report, sweeps (:mod:`pe_sim.sweeps.summaries`) and `pe-sim compare`
all use it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from pe_sim.core.engine import OUTCOMES

FLOWS = ("customer_value", "features_shipped", "ideas_killed", "tech_items_raised", "incidents", "customer_escalations",
         "attrition", "hires", "comm_hours", "conflicts_fight", "conflicts_avoid", "conflicts_productive", "third_paths",
         "escalations", "engineer_escalations")
# velocity, committed and delivered are the team's pace (ideal-days per sprint), so they are averaged.
RATES = ("velocity", "committed", "delivered", "say_do", "tech_share", "debt_drag", "debt_capacity_loss",
         "overtime_mean", "corners_mean", "pushback", "surprise", "right_thing", "pm_workload", "em_workload")
STOCKS = ("tech_debt", "customer_trust", "business_pressure", "burnout_mean", "burnout_max", "engagement_mean",
          "headcount", "expertise", "trust_pm_em", "trust_em_pm", "trust_pm_eng", "trust_em_eng", "trust_eng_pm",
          "trust_eng_em", "alignment")
REDUCTION = {k: ("total" if k in FLOWS else "mean" if k in RATES else "final") for k in OUTCOMES}
# The one list of key outcomes that `run`, `compare` and `report` show (by default).
HEADLINE = ("customer_value", "features_shipped", "velocity", "tech_debt", "incidents", "customer_trust",
            "burnout_mean", "attrition", "trust_pm_em", "trust_em_pm", "trust_eng_em", "alignment")


def end_of_run(df: pd.DataFrame, by: tuple[str, ...] = ("scenario", "run")) -> pd.DataFrame:
    """One row per run: each outcome reduced over sprints (final / total / mean)."""
    g = df.sort_values("sprint", kind="stable").groupby(list(by), sort=False)  # stable: keeps scenario order
    parts = {}
    for k, how in REDUCTION.items():
        parts[k] = g[k].last() if how == "final" else g[k].sum() if how == "total" else g[k].mean()
    return pd.DataFrame(parts).reset_index()


def mean_ci(x: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and t-based confidence interval."""
    x = np.asarray(x, dtype=float)
    m = float(np.mean(x))
    if len(x) < 2:
        return m, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * np.std(x, ddof=1) / np.sqrt(len(x)))
    return m, m - half, m + half


def summary_table(df: pd.DataFrame, outcomes=HEADLINE) -> pd.DataFrame:
    """Tidy summary: scenario, outcome, reduction, mean, ci_low, ci_high, n."""
    runs = end_of_run(df)
    rows = []
    for scen, sub in runs.groupby("scenario", sort=False):
        for k in outcomes:
            m, lo, hi = mean_ci(sub[k].to_numpy())
            rows.append({"scenario": scen, "outcome": k, "reduction": REDUCTION[k], "mean": m,
                         "ci_low": lo, "ci_high": hi, "n": len(sub)})
    return pd.DataFrame(rows)


def paired_difference(df: pd.DataFrame, a: str, b: str, outcomes=HEADLINE) -> pd.DataFrame:
    """Mean difference a - b per outcome with a 95% CI over paired runs (same seed and run id): one
    row per outcome, saying which setup minus which (``setup`` a, ``reference`` b), how each run was
    reduced to one number (``summary``) and over how many paired runs."""
    runs = end_of_run(df).set_index(["scenario", "run"])
    rows = []
    for k in outcomes:
        d = (runs.loc[a, k] - runs.loc[b, k]).dropna().to_numpy()
        m, lo, hi = mean_ci(d)
        rows.append({"setup": a, "reference": b, "outcome": k, "summary": REDUCTION[k], "difference": m, "ci_low": lo,
                     "ci_high": hi, "runs": len(d)})
    return pd.DataFrame(rows)


def format_table(summary: pd.DataFrame, diff: pd.DataFrame | None = None, labels: tuple[str, str] | None = None) -> str:
    """Plain-text table: one row per outcome, one 'mean [low, high]' column per scenario."""
    scenarios = list(dict.fromkeys(summary["scenario"]))
    cells = {}
    for r in summary.itertuples():
        cells[(r.outcome, r.scenario)] = (f"{r.mean:.3g} [{r.ci_low:.3g}, {r.ci_high:.3g}]" if r.n > 1
                                          else f"{r.mean:.3g} (one run: no CI)")
    header = ["outcome (reduction)"] + scenarios
    if diff is not None:
        header.append(f"{labels[0]} - {labels[1]}")
    rows = []
    for k in dict.fromkeys(summary["outcome"]):
        row = [f"{k} ({REDUCTION[k]})"] + [cells[(k, s)] for s in scenarios]
        if diff is not None:
            d = diff.set_index("outcome").loc[k]
            row.append(f"{d.difference:+.3g} [{d.ci_low:+.3g}, {d.ci_high:+.3g}]" if np.isfinite(d.ci_low)
                       else f"{d.difference:+.3g} (one run: no CI)")
        rows.append(row)
    widths = [max(len(x[i]) for x in [header] + rows) for i in range(len(header))]
    line = lambda cols: "  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])
