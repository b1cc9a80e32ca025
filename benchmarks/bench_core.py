"""Throughput of the vectorised core and of the Mesa engine on the default team.

Prints agent-sprints per second (agents = PM + EM + engineers on the team each sprint) for
the core at 10,000 runs x 52 sprints on one core, for the Mesa engine on the same config with
fewer runs, and their ratio. Targets: core >= 10 M agent-sprints/s; core >= 200x Mesa.

    python benchmarks/bench_core.py [--runs 10000] [--mesa-runs 20] [--sprints 52] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the target says

import numpy as np  # noqa: E402

from pe_sim import config as cfg  # noqa: E402
from pe_sim.runner import batch, run_mesa  # noqa: E402
from pe_sim.core.engine import simulate  # noqa: E402


def agent_sprints(out: dict[str, np.ndarray]) -> float:
    """PM + EM + engineers present, summed over runs and sprints (headcount before leavers)."""
    heads = out["headcount"] - out["hires"] + out["attrition"]
    return float(np.sum(heads + 2.0))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--mesa-runs", type=int, default=20)
    ap.add_argument("--sprints", type=int, default=52)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scenario", default=None, help="shipped scenario (default: built-in defaults)")
    a = ap.parse_args()
    c = cfg.load(a.scenario) if a.scenario else cfg.default()

    p, sch = batch(c, a.runs, a.sprints)
    simulate(p, sch, 2, c.seed)  # warm up
    best = float("inf")
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        out = simulate(p, sch, a.sprints, c.seed)
        best = min(best, time.perf_counter() - t0)
    core_rate = agent_sprints(out) / best
    print(f"core : {a.runs} runs x {a.sprints} sprints in {best:.3f} s (best of {a.repeat}) "
          f"= {core_rate / 1e6:.2f} M agent-sprints/s, {a.runs * a.sprints / best:,.0f} run-sprints/s")

    t0 = time.perf_counter()
    mout = run_mesa(c, a.mesa_runs, a.sprints, c.seed)
    mdt = time.perf_counter() - t0
    mesa_rate = agent_sprints(mout) / mdt
    print(f"mesa : {a.mesa_runs} runs x {a.sprints} sprints in {mdt:.3f} s "
          f"= {mesa_rate / 1e3:.1f} k agent-sprints/s")
    print(f"ratio: core / mesa = {core_rate / mesa_rate:,.0f}x  (targets: core >= 10 M/s, ratio >= 200x)")


if __name__ == "__main__":
    main()
