"""The figures behind two of the calibration's design choices (ODD section 9.3), measured afresh.

``--kernel``: the perturbation kernel's ``kernel_scale``. Synthetic teams (drawn from the prior as
``sbc_calibrate.py`` draws them) are calibrated at scale 1 (pyabc's default) and at 3 (pe-sim's);
for each, the effective sample of the last generation's importance weights (1 / sum of squared
normalised weights, before the regression adjustment) and the simulations it took.

``--forecast``: forecasts that go on from each particle's own accepted run against draws simulated
afresh, on a team that delivered 33-36 points every sprint with no incidents (made here) and on
the example team (``examples/team_history.csv``); mean delivery per sprint, median [80% interval].

    python benchmarks/calibration_choices.py --kernel [--teams 4] [--workers 2]
    python benchmarks/calibration_choices.py --forecast [--workers 2]

(``--population`` and ``--generations`` shrink the calibrations for a quick try; the figures in the
ODD are for the defaults.)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pe_sim import calibration as C  # noqa: E402
from pe_sim.commands import int_in  # noqa: E402
from pe_sim.history import TeamHistory, read_history  # noqa: E402
from sbc_calibrate import synthetic_team  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "team_history.csv"
QUANTILES = (0.1, 0.5, 0.9)


def effective_sample(w: np.ndarray) -> float:
    w = w / w.sum()
    return float(1.0 / np.sum(w * w))


def calibrate(history: TeamHistory, settings: C.Settings, workers: int):
    """pyabc's History of a calibration run in a throwaway database, and the seconds it took."""
    d = tempfile.mkdtemp()
    t0 = time.perf_counter()
    h, _ = C.run_abc(history, settings, Path(d) / "abc.db", workers=workers)
    return h, time.perf_counter() - t0


def kernel(base: C.Settings, teams: int, seed: int, workers: int) -> None:
    rng = np.random.default_rng(seed)
    print(f"{teams} synthetic 26-sprint teams of 6 engineers (seed {seed}); population {base.population}, "
          f"up to {base.generations} generations")
    print(f"{'team':>4s} {'kernel_scale':>12s} {'generations':>11s} {'simulations':>11s} {'effective sample':>16s}")
    for i in range(teams):
        history, _ = synthetic_team(base, rng, 26, 6, 10_000 + i)  # the first of sbc_calibrate.py's teams
        for scale in (1.0, 3.0):
            h, _ = calibrate(history, replace(base, kernel_scale=scale, seed=seed + i), workers)
            _, w = C.posterior(h, replace(base, adjust="none"))
            print(f"{i + 1:4d} {scale:12g} {h.max_t + 1:11d} {h.total_nr_simulations:11,d} "
                  f"{effective_sample(w):16.0f}", flush=True)


def smooth_team(sprints: int = 26, engineers: int = 6) -> TeamHistory:
    """A team that delivered 33-36 points every sprint, committed 35, with no incidents or turnover."""
    n = np.arange(1.0, sprints + 1)
    delivered = 33.0 + (np.arange(sprints) % 4)
    cols = {"sprint": n, "headcount": np.full(sprints, float(engineers)), "hires": np.zeros(sprints),
            "leavers": np.zeros(sprints), "committed": np.full(sprints, 35.0), "delivered": delivered,
            "incidents": np.zeros(sprints)}
    return TeamHistory("<a team that delivered 33-36 every sprint>", cols)


def forecast_line(history: TeamHistory, settings: C.Settings, df, w, runs, sprints: int) -> str:
    fc, counts = C.forecast(history, settings, df, w, sprints, 1000, 0, runs=runs)
    lo, mid, hi = C.counted_quantile(fc["delivered"].mean(axis=1), counts, QUANTILES)
    return f"{mid:.1f} [{lo:.1f}, {hi:.1f}]"


def forecasts(base: C.Settings, workers: int) -> None:
    for history, ahead in ((smooth_team(), 13), (read_history(EXAMPLE), 39)):
        settings = C.with_practice(base)
        h, seconds = calibrate(history, settings, workers)
        df, w = C.posterior(h, settings)
        runs = df.attrs["runs"]
        past = history.columns["delivered"]
        print(f"{history.source}: {history.n_sprints} sprints, delivered {past.mean():.1f} on average "
              f"({past[-8:].mean():.1f} over the last 8); calibrated in {seconds:.0f} s")
        print(f"  mean delivery per sprint over the next {ahead}, median [80% interval]: going on from each "
              f"particle's accepted run {forecast_line(history, settings, df, w, runs, ahead)}; "
              f"simulated afresh {forecast_line(history, settings, df, w, None, ahead)}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    what = ap.add_mutually_exclusive_group(required=True)
    what.add_argument("--kernel", action="store_true", help="effective sample at kernel_scale 1 and 3")
    what.add_argument("--forecast", action="store_true", help="forecasts going on from accepted runs vs afresh")
    ap.add_argument("--teams", type=int_in(1, 1000), default=4)
    ap.add_argument("--seed", type=int_in(0, 2**31), default=2026)
    ap.add_argument("--workers", type=int_in(1, 64), default=2)
    ap.add_argument("--population", type=int_in(20, 100_000), default=C.Settings.population)
    ap.add_argument("--generations", type=int_in(1, 100), default=C.Settings.generations)
    a = ap.parse_args()
    base = C.Settings(population=a.population, generations=a.generations)
    if a.kernel:
        kernel(base, a.teams, a.seed, a.workers)
    else:
        forecasts(base, a.workers)


if __name__ == "__main__":
    main()
