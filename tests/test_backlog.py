"""The backlog's planning rule against a sorted reference: started items first, then the best
scored (ties by slot, -inf and nan never) while at least half of each fits the budget."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings, strategies as st

from pe_sim.core import backlog as B

N = 12
scores_st = st.lists(st.one_of(st.floats(-5, 5), st.sampled_from([1.0, 2.0, -math.inf, math.inf, math.nan])),
                     min_size=N, max_size=N)


def make_items(alive, started, sizes, left_share):
    items = B.empty(N - 3, 3)
    items[:, B.ALIVE] = alive
    items[:, B.STARTED] = started
    items[:, B.SIZE] = sizes
    items[:, B.EFFORT] = sizes
    items[:, B.LEFT] = np.asarray(sizes) * np.asarray(left_share)
    return items


def reference(items, scores, lo, hi, budget):
    """The rule in words, by sorting."""
    plan, planned = [], 0.0
    for i in range(lo, hi):
        if planned >= budget:
            return plan, planned
        if items[i, B.ALIVE] == 1.0 and items[i, B.STARTED] == 1.0:
            plan.append(i)
            planned += B.size_left(items, i)
    waiting = [i for i in range(lo, hi) if items[i, B.ALIVE] == 1.0 and items[i, B.STARTED] == 0.0
               and not math.isnan(scores[i]) and scores[i] > -math.inf]
    for i in sorted(waiting, key=lambda i: (-scores[i], i)):
        if planned >= budget or planned + 0.5 * B.size_left(items, i) > budget:
            break
        plan.append(i)
        planned += B.size_left(items, i)
    return plan, planned


@settings(max_examples=300, deadline=None, derandomize=True)
@given(alive=st.lists(st.sampled_from([0.0, 1.0]), min_size=N, max_size=N),
       started=st.lists(st.sampled_from([0.0, 0.0, 0.0, 1.0]), min_size=N, max_size=N),
       sizes=st.lists(st.floats(0.5, 10), min_size=N, max_size=N),
       left=st.lists(st.floats(0.1, 1.0), min_size=N, max_size=N),
       scores=scores_st, budget=st.floats(0.0, 40.0), span=st.sampled_from([(0, N), (0, N - 3), (N - 3, N)]),
       prefix=st.integers(0, 2))
def test_select_takes_started_then_best_that_fit(alive, started, sizes, left, scores, budget, span, prefix):
    items = make_items(alive, started, sizes, left)
    s = np.array(scores)
    plan = np.full(N + 2, -7, dtype=np.int64)
    n_plan, planned = B.select(items, s, span[0], span[1], budget, plan, np.int64(prefix), np.zeros(2 * N))
    want, want_planned = reference(items, s, span[0], span[1], budget)
    assert list(plan[prefix:n_plan]) == want
    assert (plan[:prefix] == -7).all()  # what was planned before is kept
    assert planned == want_planned


def test_select_breaks_ties_by_slot_and_skips_unrankable():
    items = make_items([1.0] * N, [0.0] * N, [1.0] * N, [1.0] * N)
    s = np.array([1.0, 3.0, math.nan, 3.0, -math.inf, 2.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    plan = np.zeros(N, dtype=np.int64)
    n_plan, planned = B.select(items, s, 0, N - 3, 100.0, plan, np.int64(0), np.zeros(2 * N))
    assert list(plan[:n_plan]) == [1, 3, 6, 5, 0, 7, 8]  # nan (2) and -inf (4) never planned
    assert planned == 7.0
