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


def grandchildren(pid: int) -> list[int]:
    """Processes whose parent is a child of ``pid`` (e.g. pool workers a forkserver started), from /proc."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:  # gone meanwhile
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])  # the field after the state: ppid
    children = {p for p, pp in parents.items() if pp == pid}
    return sorted(p for p, pp in parents.items() if pp in children)
