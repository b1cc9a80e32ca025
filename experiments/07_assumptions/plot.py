"""Figure and tables for experiment 7: one_roadmap minus split_backlogs across the assumption space.

    python experiments/07_assumptions/plot.py [DATA_DIR [FIGURE]]

Writes FIGURE (default: figure.png next to this file) and prints the win shares, the distribution of the per-point
difference and the assumptions that flip the answer (also written to DATA_DIR/flip.csv).
"""

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from pe_sim.files import atomic, save_figure

here = Path(__file__).parent
data = Path(sys.argv[1] if len(sys.argv) > 1 else "results/exp07_assumptions")
runs = pd.read_parquet(data / "runs.parquet")
des = pd.read_parquet(data / "design.parquet").set_index("point")
man = json.loads((data / "manifest.json").read_text())
outs = {"customer_value_total": "customer value", "tech_debt_final": "final tech debt",
        "burnout_mean_final": "final burnout"}

# Per point: mean paired difference (one - split) over replicates, its 95% t-interval.
wide = runs.pivot_table(index=["point", "replicate"], columns="roadmap_mode", values=list(outs) + ["tech_share_mean"])
pts = {}
for c in outs:
    d = (wide[(c, "one_roadmap")] - wide[(c, "split_backlogs")]).groupby("point")
    m, s, n = d.mean(), d.std(), d.count()
    h = stats.t.ppf(0.975, n - 1) * s / np.sqrt(n)
    pts[c] = pd.DataFrame({"mean": m, "lo": m - h, "hi": m + h})
cv = pts["customer_value_total"]
split_level = wide[("customer_value_total", "split_backlogs")].groupby("point").mean()
one_level = wide[("customer_value_total", "one_roadmap")].groupby("point").mean()
sampled = cv.drop(index=0)  # point 0 is the default model
N = len(sampled)

print(f"{N} sampled points (+ the default), {man['replicates']} paired replicates each, {man['sprints']} sprints")
print("default point: value diff {:+.1f} [{:+.1f}, {:+.1f}]; debt {:+.1f}; burnout {:+.3f}".format(
    cv.loc[0, "mean"], cv.loc[0, "lo"], cv.loc[0, "hi"], pts["tech_debt_final"].loc[0, "mean"],
    pts["burnout_mean_final"].loc[0, "mean"]))
for c, lab in outs.items():
    s = pts[c].drop(index=0)
    better = (s["mean"] > 0) if c == "customer_value_total" else (s["mean"] < 0)
    sig_b = (s["lo"] > 0) if c == "customer_value_total" else (s["hi"] < 0)
    sig_w = (s["hi"] < 0) if c == "customer_value_total" else (s["lo"] > 0)
    q = s["mean"].quantile([0.05, 0.25, 0.5, 0.75, 0.95]).round(3).tolist()
    print(f"{lab}: one roadmap better at {better.mean():.1%} of points, significantly better {sig_b.mean():.1%}, "
          f"significantly worse {sig_w.mean():.1%}; diff mean {s['mean'].mean():+.3f}, 5/25/50/75/95%: {q}")
rel = (sampled["mean"] / split_level.drop(index=0))
print("relative value diff (one/split - 1): 5/50/95%:", rel.quantile([0.05, 0.5, 0.95]).round(3).tolist())
print("split value level 5/50/95%:", split_level.drop(index=0).quantile([0.05, 0.5, 0.95]).round(0).tolist())

# Which assumptions flip the answer: win share in the lowest vs highest third of each sampled range,
# and Spearman's rank correlation of the value difference with the parameter.
win = (sampled["mean"] > 0)
rows = []
for name, (lo, hi, default, kind) in man["ranges"].items():
    x = des.loc[sampled.index, name]
    q1, q2 = lo + (hi - lo) / 3, lo + 2 * (hi - lo) / 3
    rho, pval = stats.spearmanr(x, sampled["mean"])
    rows.append({"parameter": name, "default": default, "low": lo, "high": hi,
                 "win_low_third": win[x <= q1].mean(), "win_high_third": win[x >= q2].mean(),
                 "diff_low_third": sampled["mean"][x <= q1].mean(), "diff_high_third": sampled["mean"][x >= q2].mean(),
                 "spearman": rho, "p": pval})
flip = pd.DataFrame(rows)
flip["swing"] = flip.win_high_third - flip.win_low_third
flip = flip.reindex(flip.spearman.abs().sort_values(ascending=False).index).reset_index(drop=True)
with atomic(data / "flip.csv") as tmp:
    flip.to_csv(tmp, index=False)
print(f"\ntop 15 by |Spearman rho| (Bonferroni 5% threshold for {len(flip)} tests: p < {0.05 / len(flip):.1e}):")
print(flip.head(15).round(3).to_string())
tips = flip[(flip.win_low_third < 0.5) | (flip.win_high_third < 0.5)]
rest = flip[~flip.parameter.isin(tips.parameter)]
print(f"assumptions whose lowest or highest third has one roadmap winning at under half the points: "
      f"{', '.join(tips.parameter) or 'none'}; the others' thirds: {min(rest.win_low_third.min(), rest.win_high_third.min()):.0%}"
      f" to {max(rest.win_low_third.max(), rest.win_high_third.max()):.0%}")
for name in man.get("fixed", {}):
    print(f"held fixed at every point: {name} = {man['fixed'][name]}")

# Why: the tech share each mode realises, the noise within a point against the spread between points,
# and how much of that spread the assumptions explain together (a linear model on all of them).
share = {m: wide[("tech_share_mean", m)].groupby("point").mean().drop(index=0) for m in ("one_roadmap", "split_backlogs")}
more_tech = share["one_roadmap"] > share["split_backlogs"]
debt = pts["tech_debt_final"].drop(index=0)["mean"]
se = ((sampled["hi"] - sampled["lo"]) / 2 / stats.t.ppf(0.975, man["replicates"] - 1)).mean()
X = np.column_stack([np.ones(N)] + [des.loc[sampled.index, k].to_numpy(dtype=float) for k in man["ranges"]])
fit = X @ np.linalg.lstsq(X, sampled["mean"].to_numpy(), rcond=None)[0]
r2 = 1 - ((sampled["mean"] - fit) ** 2).sum() / ((sampled["mean"] - sampled["mean"].mean()) ** 2).sum()
print(f"value diff vs tech-share diff: Spearman {stats.spearmanr(share['one_roadmap'] - share['split_backlogs'], sampled['mean'])[0]:.2f}; "
      f"vs final-debt diff: {stats.spearmanr(debt, sampled['mean'])[0]:.2f}; one roadmap wins at {win[more_tech].mean():.0%} of the "
      f"points where it spends a larger tech share, {win[~more_tech].mean():.0%} where less")
for m in share:
    print(f"{m} tech share: {share[m].min():.2f}-{share[m].max():.2f}, SD {share[m].std():.3f}")
print(f"noise within a point: mean SE {se:.0f}; spread between points: SD {sampled['mean'].std():.0f}; "
      f"a linear model on all {len(man['ranges'])} assumptions explains {r2:.0%} of the between-point variance")

fig = Figure(figsize=(16, 9), layout="constrained")
gs = fig.add_gridspec(2, 3)
ax = fig.add_subplot(gs[0, 0])
ax.hist(sampled["mean"], bins=50, color="0.6")
ax.axvline(0, color="k", lw=0.8)
ax.axvline(cv.loc[0, "mean"], color="tab:red", lw=1.2, label=f"default model {cv.loc[0, 'mean']:+.0f}")
ax.set_xlabel("customer value, one_roadmap − split (mean of paired runs per point)")
ax.set_ylabel("design points")
ax.set_title(f"one roadmap ahead at {win.mean():.0%} of {N} points;\nsignificantly (95% CI) ahead at "
             f"{(sampled['lo'] > 0).mean():.0%}, behind at {(sampled['hi'] < 0).mean():.0%}", fontsize=9)
ax.legend(fontsize=8)
ax = fig.add_subplot(gs[0, 1])
o = np.argsort(sampled["mean"].to_numpy())
sig = np.where(sampled["lo"].to_numpy()[o] > 0, "tab:blue", np.where(sampled["hi"].to_numpy()[o] < 0, "tab:red", "0.6"))
ax.vlines(np.arange(N), sampled["lo"].to_numpy()[o], sampled["hi"].to_numpy()[o], colors=sig, lw=0.6)
ax.axhline(0, color="k", lw=0.8)
ax.set_xlabel("design points, sorted by the difference")
ax.set_ylabel("95% CI of the value difference")
ax.set_title("per point, 95% t-interval of the paired difference\nblue: one roadmap significantly ahead; red: split", fontsize=9)
ax = fig.add_subplot(gs[0, 2])
ax.scatter(pts["tech_debt_final"].drop(index=0)["mean"], sampled["mean"], s=5, c="0.4")
ax.axhline(0, color="k", lw=0.8)
ax.axvline(0, color="k", lw=0.8)
ax.set_xlabel("final tech debt, one_roadmap − split (debt-days)")
ax.set_ylabel("customer value, one_roadmap − split")
ax.set_title("value difference against final-debt difference,\nper point", fontsize=9)
top = flip.head(10)
ax = fig.add_subplot(gs[1, :2])
y = np.arange(len(top))[::-1]
ax.barh(y + 0.2, top.win_low_third, height=0.4, color="tab:orange", label="lowest third of its range")
ax.barh(y - 0.2, top.win_high_third, height=0.4, color="tab:blue", label="highest third of its range")
ax.axvline(win.mean(), color="k", lw=0.8, ls="--", label=f"all points ({win.mean():.0%})")
ax.set_yticks(y, [f"{r.parameter} (ρ = {r.spearman:+.2f})" for r in top.itertuples()], fontsize=8)
ax.set_xlim(0, 1)
ax.set_xlabel("share of points where one roadmap delivers more customer value")
ax.set_title("the 10 assumptions most rank-correlated with the value difference", fontsize=9)
ax.legend(fontsize=8, loc="lower right")
ax = fig.add_subplot(gs[1, 2])
t = top.parameter.iloc[0]
ax.scatter(des.loc[sampled.index, t], sampled["mean"], s=5, c="0.4")
ax.axhline(0, color="k", lw=0.8)
ax.set_xlabel(t)
ax.set_ylabel("customer value, one_roadmap − split")
ax.set_title(f"the strongest: {t}", fontsize=9)
fig.suptitle(f"One roadmap vs split backlogs over {N} Latin-hypercube points of {len(man['ranges'])} assumptions "
             f"(each ½× to 2× its default) + the default; {man['replicates']} paired runs per point and mode, "
             f"{man['sprints']} sprints", fontsize=10)
save_figure(fig, Path(sys.argv[2]) if len(sys.argv) > 2 else here / "figure.png", dpi=100)  # atomic: a kill never leaves half a figure
