"""A team's backlogs: feature ideas and tech items, one row per item slot.

``items`` is a float array of shape (slots, FIELDS): the first ``n_feature`` rows hold feature
ideas, the rest tech items. A row's columns are named by the constants below. The functions are
compiled and shared by the kernel and the Mesa model (which keeps one such array per team).
"""

from __future__ import annotations

import numpy as np

from pe_sim.core import rng, rules
from pe_sim.core.jit import jit
from pe_sim.core.record import P
from pe_sim.core.rng import Draw

ALIVE, TECH, SIZE, EFFORT, LEFT, VALUE, ERROR, STARTED = range(8)
FIELDS = 8
COLUMNS = ("alive", "tech", "size", "effort", "left", "value", "error", "started")
FEATURE, TECH_ITEM = np.bool_(False), np.bool_(True)  # the ``tech`` flag of add_items (typed, see kernel)


@jit
def empty(n_feature, n_tech):
    """Empty backlogs: n_feature feature slots, then n_tech tech slots."""
    items = np.zeros((n_feature + n_tech, FIELDS))
    items[n_feature:, TECH] = 1.0
    return items


@jit
def start_item(p, items, i, skey, mean_size):
    """Slot ``i`` holds a new item of mean size ``mean_size``: estimated size and true effort drawn;
    returns the item's agent id for its other draws."""
    agent = rng.ITEM_BASE + i
    size = rules.item_size(mean_size, p[P.size_sd], rng.normal(skey, agent, Draw.ITEM_SIZE))
    items[i, ALIVE] = 1.0
    items[i, SIZE] = size
    items[i, EFFORT] = rules.true_effort(p, size, rng.normal(skey, agent, Draw.ITEM_EFFORT))
    items[i, LEFT] = items[i, EFFORT]
    items[i, STARTED] = 0.0
    return agent


@jit
def new_feature(p, items, i, skey):
    """A new feature idea in slot ``i``: estimated size, true effort, true value, and the PM's
    first estimate of its value (off by a log error of sd ``idea_uncertainty``)."""
    agent = start_item(p, items, i, skey, p[P.feature_size])
    items[i, VALUE] = rules.idea_value(p, items[i, SIZE], rng.normal(skey, agent, Draw.ITEM_VALUE))
    items[i, ERROR] = p[P.idea_uncertainty] * rng.normal(skey, agent, Draw.ITEM_ERROR)


@jit
def new_tech_item(p, items, i, skey):
    """A new tech item in slot ``i``: size, true effort and the debt-days it removes when done."""
    agent = start_item(p, items, i, skey, p[P.tech_item_size])
    items[i, VALUE] = rules.tech_payoff(p, items[i, SIZE], rng.normal(skey, agent, Draw.ITEM_VALUE))
    items[i, ERROR] = 0.0


@jit
def add_items(p, items, lo, hi, count, tech, skey):
    """Fill up to ``count`` free slots in rows lo..hi-1 with new items; returns how many were added."""
    added = 0
    for i in range(lo, hi):
        if added >= count:
            break
        if items[i, ALIVE] == 0.0:
            if tech:
                new_tech_item(p, items, i, skey)
            else:
                new_feature(p, items, i, skey)
            added += 1
    return float(added)


@jit
def discover(p, items, n_feature, power):
    """Discovery narrows every waiting idea's estimate error and kills those that now look worth
    too little to build; returns how many were killed."""
    killed = 0.0
    for i in range(n_feature):
        if items[i, ALIVE] == 1.0 and items[i, STARTED] == 0.0:
            items[i, ERROR] = rules.error_after_discovery(items[i, ERROR], power)
            est = rules.estimated_value(items[i, VALUE], items[i, ERROR])
            if not rules.worth_keeping(p, est, items[i, SIZE]):
                items[i, ALIVE] = 0.0
                killed += 1.0
    return killed


@jit
def size_left(items, i):
    """Estimated size of what is left of item ``i``."""
    return items[i, SIZE] * items[i, LEFT] / items[i, EFFORT]


@jit
def select(items, scores, lo, hi, budget, plan, n_plan):
    """Plan items from rows lo..hi-1 into ``plan`` (after its first n_plan entries): items already
    started first, then the best-scored while each fits (at least half of it within ``budget``).
    Returns (new n_plan, estimated size planned)."""
    planned = 0.0
    for i in range(lo, hi):  # finish what was started
        if planned >= budget:
            return n_plan, planned
        if items[i, ALIVE] == 1.0 and items[i, STARTED] == 1.0:
            plan[n_plan] = i
            n_plan += 1
            planned += size_left(items, i)
    if planned >= budget:
        return n_plan, planned
    # The waiting items are gathered behind the plan and taken best first (ties by slot): a
    # partial selection sort, which stops as soon as the budget is filled.
    m = n_plan
    for i in range(lo, hi):
        if items[i, ALIVE] == 1.0 and items[i, STARTED] == 0.0:
            plan[m] = i
            m += 1
    for j in range(n_plan, m):
        best_k, best_i, best_s = -1, -1, -np.inf  # an item scored -inf or nan is never taken
        for k in range(j, m):
            i = plan[k]
            s = scores[i]
            if s > best_s or (s == best_s and i < best_i):
                best_k, best_i, best_s = k, i, s
        if best_k < 0 or planned + 0.5 * size_left(items, best_i) > budget:
            break  # commit to what fits, rounding to the nearest item
        plan[best_k] = plan[j]
        plan[j] = best_i
        n_plan = j + 1
        planned += size_left(items, best_i)
        if planned >= budget:
            break
    return n_plan, planned
