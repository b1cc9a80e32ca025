"""Experiment 7: does one roadmap beat split backlogs across the space of the model's assumptions?

    python experiments/07_assumptions/run.py [--points N] [--replicates R] [--sprints S] [--seed SEED]
                                             [--fix NAME=VALUE ...] [--out DIR]

The design is built at run time from the parameter table (pe_sim.params), so it cannot drift from it:
every numeric parameter with ``is_assumption(p)`` (no published source) except those in EXCLUDED is
sampled jointly by a Latin hypercube, each uniformly between half and twice its default, clipped to its
valid range (ints rounded). Point 0 is the default model. Every other parameter keeps the value of the
``split_backlogs`` scenario (tech_share 0.2, tech_squeeze sampled like the other assumptions). At each
point both roadmap modes run with the same seed and run ids (paired random numbers). ``--fix`` holds
assumptions at a value of one's choice everywhere (left out of the sample): the same question under
another view of them.

Writes OUT/runs.parquet (one row per point x mode x replicate with its end-of-run summaries),
OUT/design.parquet (one row per point: the sampled values) and OUT/manifest.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import qmc

from pe_sim import __version__, config
from pe_sim.core import engine
from pe_sim.events import schedule
from pe_sim.files import atomic, write_text
from pe_sim.params import PARAMS, encode, is_assumption
from pe_sim.sweeps.summaries import summarise

# Assumptions left at their default, and why (the README repeats this).
EXCLUDED = {
    "choice_options": "numerical resolution of the managers' option grid, not a claim about behaviour; "
                      "an even count also drops the option 'exactly the estimate'",
    "reference_sprint_days": "the sprint length the per-sprint rates are stated for, a unit convention: moving it "
                             "rescales every rate at once",
}
# Weights whose complement (1 - their sum) is the weight of a further term (pe_sim.config.SHARE_GROUPS,
# which configs may not exceed): where the sampled weights sum to more than 1 they are scaled down to sum
# to 1, so the complement is 0 rather than negative (a negative weight would reverse the rule's meaning,
# e.g. more debt giving better estimates).
WEIGHT_GROUPS = config.SHARE_GROUPS
MODES = ("one_roadmap", "split_backlogs")
OUTCOMES = ("customer_value", "tech_debt", "burnout_mean", "tech_share", "attrition", "debt_capacity_loss")


def sampled_params(fixed=()):
    """The sampled assumptions (all but EXCLUDED and ``fixed``) and their ranges [max(lo, d/2), min(hi, 2d)]."""
    out = []
    for p in PARAMS:
        if not is_assumption(p) or p.name in EXCLUDED or p.name in fixed:
            continue
        d = float(p.default)
        lo, hi = max(p.lo, d / 2), min(p.hi, 2 * d)
        if hi <= lo:
            raise SystemExit(f"{p.name}: empty range [{lo}, {hi}]")
        out.append((p, lo, hi))
    return out


def design(n_points: int, seed: int, base: dict, fixed=()) -> pd.DataFrame:
    sp = sampled_params(fixed)
    u = qmc.LatinHypercube(d=len(sp), rng=np.random.default_rng(seed)).random(n_points)
    cols = {}
    for i, (p, lo, hi) in enumerate(sp):
        v = lo + u[:, i] * (hi - lo)
        if p.kind == "int":
            v = np.rint(v)
        cols[p.name] = np.concatenate([[float(base[p.name])], v])  # point 0: the default model
    df = pd.DataFrame(cols)
    for group in WEIGHT_GROUPS:
        s = sum(df[g] if g in df else float(base[g]) for g in group)
        scale = np.where(s > 1.0, 1.0 / s, 1.0)
        for g in group:
            if g in df:
                df[g] = df[g] * scale
    df.insert(0, "point", np.arange(len(df)))
    return df


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--points", type=int, default=1024, help="Latin hypercube points (plus the default point)")
    ap.add_argument("--replicates", type=int, default=20)
    ap.add_argument("--sprints", type=int, default=52)
    ap.add_argument("--seed", type=int, default=707)
    ap.add_argument("--chunk", type=int, default=256, help="design points per kernel batch")
    ap.add_argument("--out", default="results/exp07_assumptions")
    ap.add_argument("--fix", action="append", default=[], metavar="NAME=VALUE",
                    help="hold an assumption at VALUE at every point (repeatable), e.g. --fix plan_opacity=0")
    ap.add_argument("--force", action="store_true", help="replace the data of an earlier run in --out")
    a = ap.parse_args()
    out = Path(a.out)
    fixed = {}
    for item in a.fix:
        name, sep, value = item.partition("=")
        if not sep or name not in {p.name for p in PARAMS}:
            ap.error(f"--fix {item}: expected NAME=VALUE with NAME a model parameter (`pe-sim params` lists them)")
        try:
            number = float(value)
        except ValueError:
            ap.error(f"--fix {item}: {value!r} is not a number")
        try:
            fixed[name] = config.check_param("--fix", name, name, number)
        except config.ConfigError as exc:
            ap.error(f"--fix {item}: {exc.problem}")
    if (out / "manifest.json").exists() and not a.force:  # before the runs: an hour's data is not replaced by accident
        ap.error(f"{out} already holds this experiment's data; pass --force to replace it or choose another --out")

    cfg = config.load("split_backlogs")
    base = {p.name: cfg.params.get(p.name, p.default) for p in PARAMS} | fixed
    des = design(a.points, a.seed, base, fixed)
    names = [c for c in des.columns if c != "point"]
    sched = schedule(cfg.events, a.sprints)
    R = a.replicates
    t0 = time.perf_counter()
    frames = []
    for start in range(0, len(des), a.chunk):
        block = des.iloc[start:start + a.chunk]
        n = len(block) * R
        point = np.repeat(block.point.to_numpy(), R)
        rep = np.tile(np.arange(R), len(block))
        run_ids = point * R + rep  # the same ids (and seed) in both modes: paired random numbers
        for mode in MODES:
            cols = {k: np.full(n, encode(k, v)) for k, v in base.items() if k != "roadmap_mode"}
            cols["roadmap_mode"] = np.full(n, encode("roadmap_mode", mode))
            for k in names:
                cols[k] = np.repeat(block[k].to_numpy(dtype=np.float64), R)
            traj = engine.simulate(engine.param_arrays(cols, n), sched, a.sprints, a.seed, run_ids=run_ids)
            summ = summarise(traj, OUTCOMES)
            frames.append(pd.DataFrame({"point": point, "replicate": rep, "run_id": run_ids, "roadmap_mode": mode,
                                        **summ}))
        print(f"points {start}-{start + len(block) - 1} done, {time.perf_counter() - t0:.1f} s", flush=True)
    elapsed = time.perf_counter() - t0
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").unlink(missing_ok=True)  # --force: no moment where the old manifest describes new data
    with atomic(out / "runs.parquet") as tmp:  # each file whole or not at all; the manifest last
        pd.concat(frames, ignore_index=True).to_parquet(tmp)
    with atomic(out / "design.parquet") as tmp:
        des.to_parquet(tmp)
    ranges = {p.name: [lo, hi, p.default, p.kind] for p, lo, hi in sampled_params(fixed)}
    write_text(out / "manifest.json", json.dumps({
        "experiment": "07_assumptions", "pe_sim": __version__, "points": a.points, "replicates": R,
        "sprints": a.sprints, "seed": a.seed, "base": "split_backlogs", "modes": MODES, "excluded": EXCLUDED, "fixed": fixed,
        "weight_groups": WEIGHT_GROUPS, "ranges": ranges, "runs": int(len(des) * R * len(MODES)),
        "seconds": round(elapsed, 1), "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S%z")}, indent=1))
    print(f"{len(des)} points x {len(MODES)} modes x {R} replicates = {len(des) * R * len(MODES):,} runs of "
          f"{a.sprints} sprints in {elapsed:.1f} s; data in {out}")


if __name__ == "__main__":
    main()
