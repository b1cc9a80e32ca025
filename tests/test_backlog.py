"""The backlog functions: the planning rule against a sorted reference (started items first, then
the best scored, ties by slot, -inf and nan never, while at least half of each fits the budget);
new items from their slot-keyed draws; discovery's estimates and kills."""

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


# --- the other backlog functions: making items, discovery -----------------------------------------

def _p(**values):
    from pe_sim.core.record import record

    return record(values)


def test_empty_backlogs_mark_the_tech_rows():
    items = B.empty(3, 2)
    assert items.shape == (5, B.FIELDS) and len(B.COLUMNS) == B.FIELDS
    assert list(items[:, B.TECH]) == [0, 0, 0, 1, 1] and not items[:, B.ALIVE].any()


def test_add_items_fills_free_slots_in_order_up_to_count_with_the_slot_keyed_draws():
    from pe_sim.core import rng, rules as R
    from pe_sim.core.record import P

    p = _p(idea_uncertainty=0.7)
    skey = rng.sprint_key(rng.run_key(np.uint64(5), 3), 4)
    items = B.empty(6, 3)
    items[1, B.ALIVE] = items[3, B.ALIVE] = 1.0
    kept = items[[1, 3]].copy()
    assert B.add_items(p, items, 0, 6, 3.0, B.FEATURE, skey) == 3.0
    assert list(items[:6, B.ALIVE]) == [1, 1, 1, 1, 1, 0]  # slots 0, 2, 4; slot 5 left free
    assert np.array_equal(items[[1, 3]], kept)  # items already there are untouched
    assert not items[6:, B.ALIVE].any()  # rows outside lo..hi too
    for i in (0, 2, 4):
        agent = rng.ITEM_BASE + i
        size = R.item_size(p[P.feature_size], p[P.size_sd], rng.normal(skey, agent, rng.Draw.ITEM_SIZE))
        effort = R.true_effort(p, size, rng.normal(skey, agent, rng.Draw.ITEM_EFFORT))
        assert items[i, B.SIZE] == size and items[i, B.EFFORT] == effort and items[i, B.LEFT] == effort
        assert items[i, B.VALUE] == R.idea_value(p, size, rng.normal(skey, agent, rng.Draw.ITEM_VALUE))
        assert items[i, B.ERROR] == 0.7 * rng.normal(skey, agent, rng.Draw.ITEM_ERROR)
        assert items[i, B.STARTED] == 0.0
    assert B.add_items(p, items, 0, 6, 5.0, B.FEATURE, skey) == 1.0  # only one free slot left
    assert B.add_items(p, items, 6, 9, 2.0, B.TECH_ITEM, skey) == 2.0
    assert list(items[6:, B.ALIVE]) == [1, 1, 0] and (items[6:8, B.ERROR] == 0.0).all()
    agent = rng.ITEM_BASE + 6
    size = R.item_size(p[P.tech_item_size], p[P.size_sd], rng.normal(skey, agent, rng.Draw.ITEM_SIZE))
    assert items[6, B.SIZE] == size
    assert items[6, B.VALUE] == R.tech_payoff(p, size, rng.normal(skey, agent, rng.Draw.ITEM_VALUE))
    assert B.add_items(p, items, 6, 9, 0.0, B.TECH_ITEM, skey) == 0.0


def _ideas(values, errors, started=(), dead=()):
    items = B.empty(len(values), 1)
    for i, (v, e) in enumerate(zip(values, errors)):
        items[i, [B.ALIVE, B.SIZE, B.EFFORT, B.LEFT, B.VALUE, B.ERROR]] = 1.0, 2.0, 2.0, 2.0, v, e
        items[i, B.ESTIMATE] = -1.0  # not yet estimated
    for i in started:
        items[i, B.STARTED] = 1.0
    for i in dead:
        items[i, B.ALIVE] = 0.0
    return items


def test_discovery_shrinks_the_error_of_waiting_ideas_and_kills_those_below_the_bar():
    p = _p(kill_threshold=0.5, feature_value=1.0)  # the bar: an estimated value of 1.0 per size 2
    # slot: 0 kept, 1 killed (true value low, error gone), 2 killed only because its estimate is low,
    # 3 low but started (never killed or re-estimated), 4 low but already gone (not counted again)
    items = _ideas([3.0, 0.5, 1.5, 0.2, 0.2], [0.4, -0.8, -1.6, -2.0, -2.0], started=[3], dead=[4])
    before = items.copy()
    killed = B.discover(p, items, 5, 0.5)
    assert killed == 2.0
    assert list(items[:5, B.ALIVE]) == [1, 0, 0, 1, 0]
    assert np.allclose(items[:3, B.ERROR], [0.2, -0.4, -0.8])
    assert np.allclose(items[:3, B.ESTIMATE], [3.0 * np.exp(0.2), 0.5 * np.exp(-0.4), 1.5 * np.exp(-0.8)])
    assert np.array_equal(items[3:], before[3:])  # started and dead slots untouched
    assert B.discover(p, items, 5, 2.0) == 0.0  # power above 1 removes the whole error
    assert items[0, B.ERROR] == 0.0 and items[0, B.ESTIMATE] == 3.0


def test_one_roadmap_plans_by_the_joint_score_and_counts_the_tech_work_it_planned():
    from pe_sim.core import kernel as K

    items = B.empty(3, 3)
    sizes = [2.0, 3.0, 4.0, 1.5, 2.5, 5.0]  # features 0-2, tech items 3-5
    items[:, B.ALIVE] = 1.0
    items[:, B.SIZE] = items[:, B.EFFORT] = items[:, B.LEFT] = sizes
    joint = np.array([6.0, 1.0, 4.0, 5.0, 3.0, 0.5])
    pm_s, em_s = np.zeros(6), np.zeros(6)
    plan, ranked = np.zeros(6, dtype=np.int64), np.zeros(12)
    n_plan, committed, tech = K.plan_sprint(_p(roadmap_mode="one_roadmap"), items, 3, 10.0, 0.4, 0.5, 0.8,
                                            pm_s, em_s, joint, plan, ranked)
    assert list(plan[:n_plan]) == [0, 3, 2, 4]  # best first, while at least half the next fits
    assert committed == 2.0 + 1.5 + 4.0 + 2.5 and tech == 1.5 + 2.5  # exactly the tech items planned
    items[3, B.LEFT] = 0.75  # half done: what is left of it counts, in estimated size
    n_plan, committed, tech = K.plan_sprint(_p(roadmap_mode="one_roadmap"), items, 3, 10.0, 0.4, 0.5, 0.8,
                                            pm_s, em_s, joint, plan, ranked)
    assert list(plan[:n_plan]) == [0, 3, 2, 4] and tech == 0.75 + 2.5 and committed == 2.0 + 0.75 + 4.0 + 2.5


def test_pull_in_takes_the_next_best_items_for_its_share_of_the_spare_time_and_leaves_untouched_ones_unstarted():
    """With the plan done early the team pulls in the next items of its ranking for ``pull_in`` of the time
    left; an item pulled in but not reached stays unstarted, so it does not jump the queue next sprint."""
    from pe_sim.core import kernel as K

    def backlog(effort_per_size):
        items = B.empty(3, 3)
        sizes = np.array([2.0, 3.0, 4.0, 1.5, 2.5, 5.0])  # features 0-2, tech items 3-5
        items[:, B.ALIVE] = 1.0
        items[:, B.SIZE] = sizes
        items[:, B.EFFORT] = items[:, B.LEFT] = effort_per_size * sizes
        items[:, B.VALUE] = [10.0, 20.0, 30.0, 7.0, 8.0, 9.0]
        return items

    joint, pm_s, em_s = np.array([6.0, 1.0, 4.0, 5.0, 3.0, 0.5]), np.zeros(6), np.zeros(6)
    pulled, ranked = np.zeros(6, dtype=np.int64), np.zeros(12)
    p = _p(roadmap_mode="one_roadmap", pull_in=0.5)
    items = backlog(1.5)
    got = K.pull_in(p, items, 3, 8.0, 0.4, 0.5, 0.8, pm_s, em_s, joint, pulled, ranked, 0.7, 0.0, 0.0)
    size, planned, done, value, shipped, velocity, true_value, shipped_size, repaid, feature_effort = got
    # budget 0.5 x 8 = 4 estimated days: items 0 (2) and 3 (1.5); item 2 (4) would not half fit
    assert size == 3.5 and planned == 1.5 * 3.5 and done == 4.0
    assert shipped == 1.0 and velocity == 2.0 and true_value == 10.0 and shipped_size == 2.0 and feature_effort == 3.0
    assert repaid == 0.0 and value > 0.0  # tech item 3 got 1 of its 2.25 days: started, not done
    assert items[0, B.ALIVE] == 0.0 and items[3, B.STARTED] == 1.0 and items[3, B.LEFT] == 1.25
    assert np.array_equal(items[[1, 2, 4, 5], B.STARTED], np.zeros(4))
    items = backlog(3.0)  # item 0 takes all 4 days: item 3, pulled in, is never reached
    size, planned, done, *_ = K.pull_in(p, items, 3, 8.0, 0.4, 0.5, 0.8, pm_s, em_s, joint, pulled, ranked, 0.7, 0.0, 0.0)
    assert size == 3.5 and done == 4.0 and items[0, B.STARTED] == 1.0
    assert items[3, B.STARTED] == 0.0 and items[3, B.LEFT] == items[3, B.EFFORT]
    none = backlog(1.5)
    assert K.pull_in(_p(roadmap_mode="one_roadmap", pull_in=0.0), none, 3, 8.0, 0.4, 0.5, 0.8, pm_s, em_s, joint,
                     pulled, ranked, 0.7, 0.0, 0.0) == (0.0,) * 10
    assert np.array_equal(none, backlog(1.5))
