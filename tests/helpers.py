"""Small helpers shared by the tests."""

from __future__ import annotations

import os

import numpy as np

from pe_sim.core.engine import param_batch, simulate
from pe_sim.events import Event, schedule


def sim(runs: int = 200, sprints: int = 30, seed: int = 11, events: tuple[Event, ...] = (), **params):
    """Outcomes (runs x sprints arrays) of ``runs`` runs of the defaults with ``params`` changed."""
    p = param_batch([params] * runs)
    return simulate(p, schedule(tuple(events), sprints), sprints, seed, np.arange(runs))


def mean(out, key, sprints=slice(None)):
    return float(out[key][:, sprints].mean())


def group_alive(pgid: int) -> bool:
    """Whether any process of a process group is still running."""
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
