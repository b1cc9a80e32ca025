"""The fast face of the model from Python: batches of runs through the compiled kernel.

:func:`simulate` takes parameters with a leading runs axis (from :func:`param_batch` or
:func:`param_arrays`) and an event schedule, runs :func:`pe_sim.core.kernel.run_batch` on
``numba.get_num_threads()`` threads (each a range of runs) and returns every outcome as a (runs,
sprints) array. A run's numbers depend only on (seed, run id, its parameters and events): not on
the batch, its order, its size or the number of threads.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Callable, Mapping, Sequence

import numba
import numpy as np

from pe_sim import outcomes
from pe_sim.core import kernel, rng
from pe_sim.events import SCHEDULE_FIELDS, team_slots
from pe_sim.params import NAMES, PARAMS, encode

OUTCOMES = outcomes.OUTCOMES  # re-exported: the per-sprint outcomes and their meanings
assert tuple(OUTCOMES) == kernel.OUTCOME_ORDER, "OUTCOMES must list the kernel's outcomes in its order"


def param_batch(values: Sequence[Mapping[str, object]] | Mapping[str, object]) -> SimpleNamespace:
    """Parameters as (R, 1) float arrays, from one mapping per run (or one mapping for R=1).

    Missing names take their defaults; choices are encoded as their index.
    """
    rows = [values] if isinstance(values, Mapping) else list(values)
    cols = {}
    for p in PARAMS:
        cols[p.name] = np.array([encode(p.name, r.get(p.name, p.default)) for r in rows], dtype=np.float64)[:, None]
    return SimpleNamespace(**cols)


def param_arrays(columns: Mapping[str, np.ndarray], n_runs: int) -> SimpleNamespace:
    """Parameters as (R, 1) arrays from columns of already-encoded values (fast path for sweeps)."""
    out = {}
    for p in PARAMS:
        v = columns.get(p.name)
        if v is None:
            v = np.full(n_runs, encode(p.name, p.default))
        out[p.name] = np.asarray(v, dtype=np.float64).reshape(n_runs, 1)
    return SimpleNamespace(**out)


def param_matrix(p: SimpleNamespace) -> np.ndarray:
    """The (R, n_params) array the kernel reads, columns in parameter-table order."""
    return np.ascontiguousarray(np.hstack([np.asarray(getattr(p, n), dtype=np.float64).reshape(-1, 1) for n in NAMES]))


def event_array(schedule: Mapping[str, np.ndarray], n_sprints: int) -> np.ndarray:
    """The (R or 1, fields, sprints) event array the kernel reads."""
    rows = max(np.asarray(schedule[f]).shape[0] for f in SCHEDULE_FIELDS)
    out = np.zeros((rows, len(SCHEDULE_FIELDS), n_sprints))
    for k, f in enumerate(SCHEDULE_FIELDS):
        out[:, k, :] = np.asarray(schedule[f], dtype=np.float64)[:, :n_sprints]
    return out


def n_slots_for(p: SimpleNamespace, schedule: Mapping[str, np.ndarray]) -> int:
    """Engineer slots a batch needs: the largest team any run can reach."""
    return team_slots(p.n_engineers, schedule["hires"], schedule["team_size"])


def _prepare(p: SimpleNamespace, schedule: Mapping[str, np.ndarray], run_ids: np.ndarray | None,
             n_slots: int | None) -> tuple[np.ndarray, np.ndarray, int]:
    """The kernel's parameter matrix, run ids and engineer slots for a batch."""
    params = param_matrix(p)
    run_ids = np.arange(params.shape[0], dtype=np.int64) if run_ids is None else np.asarray(run_ids, dtype=np.int64)
    need = n_slots_for(p, schedule)
    if n_slots is not None and n_slots < need:
        raise ValueError(f"n_slots={n_slots} is too small; this batch needs {need}")
    return params, run_ids, max(need, 1)


def on_threads(runs: Callable[[tuple[int, int]], None], r: int) -> None:
    """Call ``runs`` on ranges of the batch's r runs, on ``numba.get_num_threads()`` threads at once
    (the kernel releases the GIL); a few ranges per thread even out uneven runs."""
    threads = min(numba.get_num_threads(), r)
    if threads <= 1:
        runs((0, r))
        return
    edges = np.linspace(0, r, min(r, 4 * threads) + 1).astype(int)
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(runs, zip(edges[:-1].tolist(), edges[1:].tolist())))


def simulate(p: SimpleNamespace, schedule: Mapping[str, np.ndarray], n_sprints: int, seed: int,
             run_ids: np.ndarray | None = None, on_sprint: Callable[[int], None] | None = None,
             n_slots: int | None = None) -> dict[str, np.ndarray]:
    """Run a batch for ``n_sprints``; returns each outcome as an (R, n_sprints) array.

    ``schedule`` holds event arrays of shape (R or 1, >= n_sprints) from :func:`pe_sim.events.schedule`.
    ``run_ids`` are the runs' global indices (their randomness depends only on seed and run id).
    ``n_slots`` is accepted for compatibility: unused engineer slots never change a run's numbers.
    ``on_sprint`` is called once per sprint after the whole batch has run (the kernel runs each
    team through every sprint at once).
    """
    params, run_ids, slots = _prepare(p, schedule, run_ids, n_slots)
    r = params.shape[0]
    out = np.empty((len(OUTCOMES), r, n_sprints))  # outcome-major: each outcome a contiguous block, no copies
    if r and n_sprints:
        events, key = event_array(schedule, n_sprints), np.uint64(rng.seed_u64(seed))
        on_threads(lambda lo_hi: kernel.run_batch(params, events, key, run_ids, n_sprints, slots, out, *lo_hi), r)
    if on_sprint is not None:
        for t in range(n_sprints):
            on_sprint(t)
    return {k: out[i] for i, k in enumerate(OUTCOMES)}


def simulate_summaries(p: SimpleNamespace, schedule: Mapping[str, np.ndarray], n_sprints: int, seed: int,
                       run_ids: np.ndarray | None = None, n_slots: int | None = None) -> dict[str, np.ndarray]:
    """Like :func:`simulate`, but each outcome's end-of-run summary only, as an (R,) array keyed by
    outcome (reduced as :data:`pe_sim.summary.REDUCTION` says; the same numbers as
    :func:`pe_sim.sweeps.summarise` of :func:`simulate`'s trajectories). Sweeps use it: nothing of
    size runs x sprints is held."""
    from pe_sim.summary import REDUCTION  # here: pe_sim.summary imports this module

    if n_sprints < 1:
        raise ValueError("summaries need at least one sprint")
    params, run_ids, slots = _prepare(p, schedule, run_ids, n_slots)
    r = params.shape[0]
    kinds = np.array([kernel.REDUCTIONS[REDUCTION[k]] for k in OUTCOMES], dtype=np.int64)
    out = np.empty((len(OUTCOMES), r))
    if r:
        events, key = event_array(schedule, n_sprints), np.uint64(rng.seed_u64(seed))
        on_threads(lambda lo_hi: kernel.run_batch_summaries(params, events, key, run_ids, n_sprints, slots, kinds, out,
                                                             *lo_hi), r)
    return {k: out[i] for i, k in enumerate(OUTCOMES)}
