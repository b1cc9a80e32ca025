"""Figure for experiment 4: mean trajectories per crunch intensity; the crunch is shaded.

    python experiments/04_burnout_recovery/plot.py [DATA_DIR]
"""

import sys
from pathlib import Path

import pandas as pd

from pe_sim.analysis import plot_trajectories

here = Path(__file__).parent
df = pd.read_parquet(sys.argv[1] if len(sys.argv) > 1 else "results/exp04_burnout_recovery")
df = df.rename(columns={"deadline_crunch.magnitude": "crunch"})
df["attrition_cumulative"] = df.groupby("run")["attrition"].cumsum()
outcomes = ["burnout_mean", "overtime_mean", "engagement_mean", "attrition_cumulative", "headcount", "customer_value"]
n = df[df.sprint == 0].groupby("crunch").size().iloc[0]
plot_trajectories(df, outcomes, hue="crunch", path=here / "figure.png", shade=(8, 31),
                  title=f"24 sprints (~11 months) of extra pressure (shaded: sprints 8-31) and after; mean and 95% CI of {n} runs "
                        "per crunch level")
at = df[df.sprint.isin([7, 31, 43, 55, 77])]
print(at.groupby(["crunch", "sprint"])[["burnout_mean", "overtime_mean", "engagement_mean", "attrition_cumulative",
                                        "headcount", "customer_value"]].mean().round(3).to_string())
