"""Regenerate examples/team_history.csv: a synthetic team (not real data) simulated by pe-sim.

The team has known parameters, so a calibration of it can be checked against the truth:
split backlogs, 7 engineers, pressure 0.6, 120 debt-days to start, work reported in story
points at 2 points per ideal-day, 26 two-week sprints (one year), seed 2026, run 0.

    python examples/make_team_history.py [--out examples/team_history.csv]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from pe_sim import __version__
from pe_sim.core.engine import param_batch, simulate
from pe_sim.events import schedule
from pe_sim.history import history_from_outcomes, write_history

TRUTH = {"roadmap_mode": "split_backlogs", "n_engineers": 7, "pressure": 0.6, "initial_debt": 120.0}
POINTS_PER_DAY, SPRINTS, SEED, RUN = 2.0, 26, 2026, 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "team_history.csv")
    a = ap.parse_args()
    out = simulate(param_batch([TRUTH]), schedule((), SPRINTS), SPRINTS, SEED, np.array([RUN]))
    columns = history_from_outcomes(out, 0, POINTS_PER_DAY)
    for c in ("committed", "delivered"):
        columns[c] = np.round(columns[c])  # teams report whole story points
    truth = ", ".join(f"{k}={v}" for k, v in TRUTH.items())
    write_history(a.out, columns, decimals=2, comment=(
        f"SYNTHETIC TEAM, NOT REAL DATA: simulated by pe-sim {__version__} (examples/make_team_history.py)\n"
        f"with {truth}, seed {SEED}, run {RUN};\n"
        f"work in story points at {POINTS_PER_DAY:g} points per ideal-day, {SPRINTS} two-week sprints."))
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
