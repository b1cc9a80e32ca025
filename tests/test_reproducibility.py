"""Randomness is a pure function of (seed, run, sprint, agent, draw): batching cannot change results."""

from types import SimpleNamespace

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pe_sim import config as cfg
from pe_sim.core import rng
from pe_sim.core.engine import param_batch, simulate
from pe_sim.events import schedule


def _subset(p, idx):
    return SimpleNamespace(**{k: v[idx] for k, v in vars(p).items()})


@pytest.fixture(scope="module")
def crunch_batch():
    c = cfg.load("crunch")
    p = param_batch([dict(c.params)] * 60)
    sch = schedule(c.events, 25)
    return p, sch, simulate(p, sch, 25, 99)


@settings(max_examples=15, deadline=None)
@given(cuts=st.lists(st.integers(1, 59), max_size=5, unique=True))
def test_results_do_not_depend_on_how_runs_are_split(crunch_batch, cuts):
    p, sch, full = crunch_batch
    bounds = [0, *sorted(cuts), 60]
    parts = [simulate(_subset(p, slice(a, b)), sch, 25, 99, np.arange(a, b)) for a, b in zip(bounds, bounds[1:])]
    for k in full:
        assert np.array_equal(full[k], np.concatenate([q[k] for q in parts])), k


def test_results_do_not_depend_on_order_or_slot_count(crunch_batch):
    p, sch, full = crunch_batch
    order = np.random.default_rng(0).permutation(60)
    shuffled = simulate(_subset(p, order), sch, 25, 99, order, n_slots=15)
    for k in full:
        assert np.array_equal(full[k][order], shuffled[k]), k


def test_results_do_not_depend_on_the_number_of_threads(crunch_batch):
    p, sch, full = crunch_batch
    before = numba.get_num_threads()
    try:
        for threads in (1, numba.config.NUMBA_NUM_THREADS):
            numba.set_num_threads(threads)
            again = simulate(p, sch, 25, 99)
            for k in full:
                assert np.array_equal(full[k], again[k]), (threads, k)
    finally:
        numba.set_num_threads(before)


def test_heterogeneous_batches_match_single_runs():
    rows = [{"n_engineers": 3, "pressure": 0.9}, {"n_engineers": 12, "roadmap_mode": "split_backlogs"},
            {"n_engineers": 7, "conflict_style": "productive"}]
    sch = schedule((), 20)
    together = simulate(param_batch(rows), sch, 20, 5, np.array([10, 11, 12]))
    for i, row in enumerate(rows):
        alone = simulate(param_batch([row]), sch, 20, 5, np.array([10 + i]))
        for k in together:
            assert np.array_equal(together[k][i], alone[k][0]), (i, k)


def test_seed_and_run_change_the_numbers():
    a = simulate(param_batch([{}] * 2), schedule((), 10), 10, 1)
    b = simulate(param_batch([{}] * 2), schedule((), 10), 10, 2)
    assert not np.array_equal(a["velocity"], b["velocity"])
    assert not np.array_equal(a["velocity"][0], a["velocity"][1])


def test_uniforms_are_uniform_and_independent():
    keys = [np.uint64(rng.sprint_key(k, 4)) for k in rng.run_keys(3, range(5000))]
    u = np.array([[rng.uniform(k, a, rng.Draw.NOISE) for a in range(3, 9)] for k in keys])
    assert u.min() > 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.01
    assert abs(np.corrcoef(u[:, 0], u[:, 1])[0, 1]) < 0.05
    v = np.array([[rng.uniform(k, a, rng.Draw.ATTRITION) for a in range(3, 9)] for k in keys])
    assert abs(np.corrcoef(u.ravel(), v.ravel())[0, 1]) < 0.03
    z = np.array([rng.normal(k, 0, rng.Draw.ITEM_VALUE) for k in keys])
    assert abs(z.mean()) < 0.05 and abs(z.std() - 1.0) < 0.05
