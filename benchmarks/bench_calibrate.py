"""Time of a calibration: `pe-sim calibrate` on the shipped example team (26 sprints) at the
default settings (500 particles, up to 8 generations) on 2 local workers, and on one.

Prints wall time, simulated teams and simulations per second. Target (issue 9): a 26-sprint
history calibrates in <= 2 minutes on 2 cores. Then times a large forecast from the first
calibration's posterior (``--forecast-draws`` draws x ``--forecast-sprints`` sprints; 0 draws
skips it), as `pe-sim forecast` makes it (each draw its particle's own run, a particle simulated
once) and as it makes one for a calibration without run ids (every draw a fresh run).

    python benchmarks/bench_calibrate.py [--population 500] [--generations 8] [--workers 2]
                                         [--forecast-draws 100000] [--forecast-sprints 100]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from pe_sim import calibration as C
from pe_sim.history import read_history

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "team_history.csv"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--population", type=int, default=500)
    ap.add_argument("--generations", type=int, default=8)
    ap.add_argument("--workers", type=int, nargs="+", default=[2, 1])
    ap.add_argument("--forecast-draws", type=int, default=100_000)
    ap.add_argument("--forecast-sprints", type=int, default=100)
    a = ap.parse_args()
    history = read_history(EXAMPLE)
    settings = C.Settings(population=a.population, generations=a.generations)
    import pyabc  # noqa: F401  (imported once, before timing: about 4 s)

    post = None
    for w in a.workers:
        with tempfile.TemporaryDirectory() as d:
            t = time.perf_counter()
            h, gens = C.run_abc(history, settings, Path(d) / "abc.db", workers=w)
            sec = time.perf_counter() - t
            sims = h.total_nr_simulations
            post = post or C.posterior(h, settings)
        print(f"{w} worker{'s' if w > 1 else ' '}: {len(gens)} generations, {sims:,} simulated teams in {sec:.1f} s "
              f"({sims / sec:,.0f} a second); target <= 120 s on 2 cores", flush=True)
    if a.forecast_draws and post is not None:
        df, w = post
        for how, runs in (("own runs", df.attrs["runs"]), ("fresh runs", None)):
            t = time.perf_counter()
            C.forecast(history, settings, df, w, a.forecast_sprints, a.forecast_draws, runs=runs)
            print(f"forecast, {how}: {a.forecast_draws:,} draws x {a.forecast_sprints} sprints in "
                  f"{time.perf_counter() - t:.1f} s", flush=True)


if __name__ == "__main__":
    main()
