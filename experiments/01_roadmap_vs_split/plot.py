"""Figure for experiment 1: one_roadmap minus split_backlogs, per pressure x tech_share cell.

    python experiments/01_roadmap_vs_split/plot.py [DATA_DIR]
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from pe_sim.files import save_figure

here = Path(__file__).parent
data = Path(sys.argv[1] if len(sys.argv) > 1 else "results/exp01_roadmap_vs_split")
df = pd.read_parquet(data)
cols = ["customer_value_total", "tech_debt_final", "burnout_mean_final", "attrition_total"]
fmt = {"customer_value_total": "{:+.0f}", "tech_debt_final": "{:+.0f}", "burnout_mean_final": "{:+.3f}",
       "attrition_total": "{:+.2f}"}
keys = ["pressure", "tech_share", "replicate"]
one = df[df.roadmap_mode == "one_roadmap"].set_index(keys)[cols]
split = df[df.roadmap_mode == "split_backlogs"].set_index(keys)[cols]
diff = (one - split.loc[one.index]).reset_index()  # paired: same replicate = same random numbers

fig = Figure(figsize=(18, 4.4), layout="constrained")
axes = fig.subplots(1, len(cols))
for ax, c in zip(axes, cols):
    g = diff.groupby(["pressure", "tech_share"])[c]
    m = g.mean().unstack()
    half = (stats.t.ppf(0.975, g.count() - 1) * g.std() / np.sqrt(g.count())).unstack()
    lim = np.nanmax(np.abs(m.to_numpy()))
    im = ax.imshow(m.to_numpy(), origin="lower", cmap="RdBu_r" if c != "customer_value_total" else "RdBu",
                   vmin=-lim, vmax=lim, aspect="auto")
    for i, p in enumerate(m.index):
        for j, t in enumerate(m.columns):
            v, h = m.loc[p, t], half.loc[p, t]
            ax.text(j, i, fmt[c].format(v), ha="center", va="center", fontsize=7,
                    color="k" if abs(v) > h else "0.55", fontweight="bold" if abs(v) > h else "normal")
    ax.set_xticks(range(len(m.columns)), [f"{t:g}" for t in m.columns], fontsize=8)
    ax.set_yticks(range(len(m.index)), [f"{p:g}" for p in m.index], fontsize=8)
    ax.set_xlabel("tech_share of the split-backlog team", fontsize=9)
    ax.set_ylabel("pressure", fontsize=9)
    ax.set_title(f"{c}: one_roadmap − split", fontsize=9)
    fig.colorbar(im, ax=ax, shrink=0.8)
n = diff.groupby(["pressure", "tech_share"]).size().iloc[0]
fig.suptitle(f"One roadmap minus split backlogs (mean of {n} paired runs per cell, 52 sprints; bold: 95% CI excludes 0; "
             "blue = one roadmap better)", fontsize=10)
save_figure(fig, here / "figure.png", dpi=100)  # atomic: a kill never leaves half a figure
summary = diff.groupby(["pressure", "tech_share"])[cols].mean().round(3)
print(summary.to_string())
