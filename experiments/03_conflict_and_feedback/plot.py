"""Figure for experiment 3: trust and outcomes by conflict style, with and without SBI feedback.

    python experiments/03_conflict_and_feedback/plot.py [DATA_DIR]
"""

import sys
from pathlib import Path

import pandas as pd

from pe_sim.analysis import plot_sweep

here = Path(__file__).parent
df = pd.read_parquet(sys.argv[1] if len(sys.argv) > 1 else "results/exp03_conflict_and_feedback")
df["conflicts_total"] = df[["conflicts_fight_total", "conflicts_avoid_total", "conflicts_productive_total"]].sum(axis=1)
cols = ["trust_pm_em_final", "trust_em_pm_final", "alignment_final", "customer_value_total", "tech_debt_final",
        "burnout_mean_final", "conflicts_total", "escalations_total", "third_paths_total"]
plot_sweep(df, x="conflict_style", columns=cols, hue="feedback", path=here / "figure.png",
           title=f"Conflict style x feedback practice (split backlogs; mean and 95% CI of "
                 f"{df.groupby(['conflict_style', 'feedback']).size().iloc[0]} runs per cell, 52 sprints)")
print(df.groupby(["conflict_style", "feedback"])[cols + ["attrition_total"]].mean().round(3).T.to_string())
