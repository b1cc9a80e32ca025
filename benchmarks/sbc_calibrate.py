"""Simulation-based calibration of `pe-sim calibrate`: do its 90% credible intervals cover the truth?

Draws ``--teams`` synthetic teams with known parameters from the prior, simulates each one's
sprint history (26 sprints, 6 engineers, the default practice of the calibration), calibrates it
and records, per parameter, whether the 90% interval holds the true value and how wide it is
against the prior's. A well-calibrated posterior covers the truth 80-98% of the time (issue 9);
a parameter whose interval stays as wide as the prior's is not identified by a team's records.

    python benchmarks/sbc_calibrate.py [--teams 50] [--population 500] [--generations 8] [--workers 2] [--out FILE.csv]
    python benchmarks/sbc_calibrate.py --workers 1 --part 1/2 --out a.csv &   # reproducible, side by side
    python benchmarks/sbc_calibrate.py --workers 1 --part 2/2 --out b.csv; python benchmarks/sbc_calibrate.py --tables a.csv b.csv
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from pe_sim import calibration as C
from pe_sim.files import atomic
from pe_sim.history import TeamHistory


def synthetic_team(settings: C.Settings, rng: np.random.Generator, sprints: int, engineers: int, run: int):
    """A team history simulated at parameters drawn from the prior; returns (history, truth)."""
    truth = {k: p.quantile(float(rng.random())) for k, p in settings.priors.items()}
    stub = TeamHistory("<synthetic>", {"sprint": np.arange(1.0, sprints + 1), "headcount": np.full(sprints, engineers),
                                      "hires": np.zeros(sprints), "leavers": np.zeros(sprints),
                                      "committed": np.zeros(sprints), "delivered": np.zeros(sprints),
                                      "incidents": np.zeros(sprints), "tech_share": np.zeros(sprints),
                                      "features_shipped": np.zeros(sprints)})
    columns = C.TeamSimulator(settings, stub).history(truth, run)
    return TeamHistory(f"<synthetic team {run}>", columns), truth


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    p = k / n
    c = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    mid = (p + z * z / (2 * n)) / (1 + z * z / n)
    return mid - c, mid + c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teams", type=int, default=50)
    ap.add_argument("--population", type=int, default=C.Settings.population)
    ap.add_argument("--generations", type=int, default=C.Settings.generations)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--sprints", type=int, default=26)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", type=Path, default=Path("results/sbc_calibrate.csv"))
    ap.add_argument("--part", default=None, metavar="K/N",
                    help="calibrate only the K-th of N equal parts of the teams (run the parts side by side, "
                         "each with --workers 1, then --tables on their CSVs)")
    ap.add_argument("--tables", nargs="+", type=Path, default=None, metavar="CSV",
                    help="print the coverage tables of earlier runs' CSVs (together) and stop")
    a = ap.parse_args()
    if a.tables:
        print_tables(pd.concat([pd.read_csv(f) for f in a.tables], ignore_index=True))
        return
    part, parts = (int(x) for x in a.part.split("/")) if a.part else (1, 1)
    settings = C.Settings(population=a.population, generations=a.generations)
    rng = np.random.default_rng(a.seed)
    rows, t0 = [], time.perf_counter()
    for i in range(a.teams):
        history, truth = synthetic_team(settings, rng, a.sprints, 6, 10_000 + i)  # every team drawn, in order
        if i * parts // a.teams != part - 1:
            continue
        with tempfile.TemporaryDirectory() as d:
            h, gens = C.run_abc(history, C.Settings(**{**vars(settings), "seed": a.seed + i}), Path(d) / "abc.db",
                                workers=a.workers)
            sims = h.total_nr_simulations
            for adjust in C.ADJUSTMENTS:  # the same particles, with and without the regression adjustment
                df, w = C.posterior(h, replace(settings, adjust=adjust))
                for r in C.summarise_posterior(df, w, settings):
                    rows.append({"team": i, "adjust": adjust, "parameter": r["parameter"],
                                 "truth": truth[r["parameter"]], "ci90_low": r["ci90_low"],
                                 "ci90_high": r["ci90_high"], "median": r["median"],
                                 "covered": r["ci90_low"] <= truth[r["parameter"]] <= r["ci90_high"],
                                 "width_vs_prior": r["width_vs_prior"], "simulations": sims})
        print(f"team {i + 1}/{a.teams}: {sims:,} simulations, {time.perf_counter() - t0:.0f} s",
              flush=True)
    table = pd.DataFrame(rows)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    with atomic(a.out) as tmp:
        table.to_csv(tmp, index=False)
    print(f"\n{table['team'].nunique()} synthetic teams, {a.population} particles, {a.generations} generations")
    print_tables(table)
    print(f"wrote {a.out}")


def print_tables(table: pd.DataFrame) -> None:
    print(f"{table['team'].nunique()} teams; 90% intervals should cover the truth 80-98% of the time")
    for adjust, t in table.groupby("adjust", sort=False):
        print(f"\nadjust = {adjust!r}\n{'parameter':22s} {'coverage':>9s} {'95% CI':>16s} {'interval / prior':>17s}")
        for name, g in t.groupby("parameter", sort=False):
            k, n = int(g["covered"].sum()), len(g)
            lo, hi = wilson(k, n)
            print(f"{name:22s} {k / n:9.0%} {f'[{lo:.0%}, {hi:.0%}]':>16s} {g['width_vs_prior'].mean():17.0%}")


if __name__ == "__main__":
    main()
