"""Throughput of the compiled kernel (one and two threads), of the Mesa face, and compile time.

Prints agent-sprints per second (agents = PM + EM + engineers on the team each sprint) for the
kernel at 10,000 runs x 52 sprints on one thread and on two, the Mesa face on the same config
with fewer runs, their ratio, and the first-time compile on an empty numba cache (in a fresh
process) against a run that loads the cache. Targets (issue 7): kernel >= 30 M agent-sprints/s
on one core, >= 1.7x that on two, >= 1,000x Mesa; first compile <= 20 s.

    python benchmarks/bench_core.py [--runs 10000] [--mesa-runs 20] [--sprints 52] [--repeat 3] [--no-compile]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numba
import numpy as np

from pe_sim import config as cfg
from pe_sim.commands import int_in
from pe_sim.core.engine import simulate
from pe_sim.runner import batch, run_mesa

FIRST_RUN = (
    "import time; t = time.perf_counter()\n"
    "from pe_sim import config as cfg\n"
    "from pe_sim.runner import batch\n"
    "from pe_sim.core.engine import simulate\n"
    "p, sch = batch(cfg.default(), 2, 2)\n"
    "simulate(p, sch, 2, 1)\n"
    "print(time.perf_counter() - t)\n")


def agent_sprints(out: dict[str, np.ndarray]) -> float:
    """PM + EM + engineers present, summed over runs and sprints (headcount before leavers)."""
    heads = out["headcount"] - out["hires"] + out["attrition"]
    return float(np.sum(heads + 2.0))


def kernel_rate(p, sch, sprints: int, seed: int, threads: int, repeat: int) -> tuple[float, float]:
    numba.set_num_threads(threads)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = simulate(p, sch, sprints, seed)
        best = min(best, time.perf_counter() - t0)
    return agent_sprints(out) / best, best


def startup(cache_dir: str) -> float:
    env = dict(os.environ, PE_SIM_CACHE_DIR=cache_dir)
    r = subprocess.run([sys.executable, "-c", FIRST_RUN], env=env, capture_output=True, text=True, check=True)
    return float(r.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int_in(1, 10**8), default=10_000)
    ap.add_argument("--mesa-runs", type=int_in(1, 10**8), default=20)
    ap.add_argument("--sprints", type=int_in(1, 1000), default=52)
    ap.add_argument("--repeat", type=int_in(1, 10**8), default=3)
    ap.add_argument("--scenario", default=None, help="shipped scenario (default: built-in defaults)")
    ap.add_argument("--no-compile", action="store_true", help="skip the first-compile measurement")
    a = ap.parse_args()
    try:
        c = cfg.load(a.scenario) if a.scenario else cfg.default()
    except cfg.ConfigError as exc:
        ap.error(str(exc))

    if not a.no_compile:
        with tempfile.TemporaryDirectory() as d:
            cold = startup(d)
            warm = startup(d)
        print(f"compile: first run on an empty cache {cold:.1f} s, later runs (cache loaded) {warm:.1f} s "
              "(target: first <= 20 s)")

    p, sch = batch(c, a.runs, a.sprints)
    simulate(p, sch, 2, c.seed)  # load or compile before timing
    one, t1 = kernel_rate(p, sch, a.sprints, c.seed, 1, a.repeat)
    two, t2 = kernel_rate(p, sch, a.sprints, c.seed, min(2, numba.config.NUMBA_NUM_THREADS), a.repeat)
    print(f"kernel, 1 thread : {a.runs} runs x {a.sprints} sprints in {t1:.3f} s = {one / 1e6:.2f} M agent-sprints/s")
    print(f"kernel, 2 threads: {t2:.3f} s = {two / 1e6:.2f} M agent-sprints/s ({two / one:.2f}x)")

    run_mesa(c, 1, 2, c.seed)  # load every compiled function the agents call before timing
    t0 = time.perf_counter()
    mout = run_mesa(c, a.mesa_runs, a.sprints, c.seed)
    mdt = time.perf_counter() - t0
    mesa_rate = agent_sprints(mout) / mdt
    print(f"mesa : {a.mesa_runs} runs x {a.sprints} sprints in {mdt:.3f} s = {mesa_rate / 1e3:.1f} k agent-sprints/s")
    print(f"ratio: kernel (1 thread) / mesa = {one / mesa_rate:,.0f}x  "
          "(targets: >= 30 M/s on one core, >= 1.7x on two, >= 1,000x Mesa)")


if __name__ == "__main__":
    main()
