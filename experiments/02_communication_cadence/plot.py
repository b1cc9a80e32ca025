"""Figure for experiment 2: outcomes against PM-EM syncs per sprint, per roadmap mode.

    python experiments/02_communication_cadence/plot.py [DATA_DIR]
"""

import sys
from pathlib import Path

import pandas as pd

from pe_sim.analysis import plot_sweep

here = Path(__file__).parent
df = pd.read_parquet(sys.argv[1] if len(sys.argv) > 1 else "results/exp02_communication_cadence")
cols = ["customer_value_total", "tech_debt_final", "burnout_mean_final", "alignment_final", "trust_em_pm_final",
        "trust_pm_em_final", "surprise_mean", "em_workload_mean", "right_thing_mean"]
plot_sweep(df, x="syncs_per_sprint", columns=cols, hue="roadmap_mode", path=here / "figure.png",
           title=f"PM-EM syncs per sprint (0 = none, 2 = weekly, 10 = daily): mean and 95% CI of "
                 f"{df.groupby(['syncs_per_sprint', 'roadmap_mode']).size().iloc[0]} runs per point, 52 sprints")
print(df.groupby(["roadmap_mode", "syncs_per_sprint"])[cols].mean().round(3).to_string())
