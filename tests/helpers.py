"""Small helpers shared by the tests."""

from __future__ import annotations

import numpy as np

from pe_sim.core.engine import param_batch, simulate
from pe_sim.events import Event, schedule


def sim(runs: int = 200, sprints: int = 30, seed: int = 11, events: tuple[Event, ...] = (), **params):
    """Outcomes (runs x sprints arrays) of ``runs`` runs of the defaults with ``params`` changed."""
    p = param_batch([params] * runs)
    return simulate(p, schedule(tuple(events), sprints), sprints, seed, np.arange(runs))


def mean(out, key, sprints=slice(None)):
    return float(out[key][:, sprints].mean())
