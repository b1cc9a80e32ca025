"""A team's backlogs: feature ideas and tech items, one row per item slot.

``items`` is a float array of shape (slots, FIELDS): the first ``n_feature`` rows hold feature
ideas, the rest tech items. A row's columns are named by the constants below. The functions are
compiled and shared by the kernel and the Mesa model (which keeps one such array per team).
"""

from __future__ import annotations

import numpy as np

from pe_sim.core import rng, rules
from pe_sim.core.jit import jit, jit_borrow
from pe_sim.core.record import P
from pe_sim.core.rng import Draw

ALIVE, TECH, SIZE, EFFORT, LEFT, VALUE, ERROR, STARTED, ESTIMATE = range(9)
FIELDS = 9
COLUMNS = ("alive", "tech", "size", "effort", "left", "value", "error", "started", "estimate")
FEATURE, TECH_ITEM = np.bool_(False), np.bool_(True)  # the ``tech`` flag of add_items (typed, see kernel)


@jit
def empty(n_feature, n_tech):
    """Empty backlogs: n_feature feature slots, then n_tech tech slots."""
    items = np.zeros((n_feature + n_tech, FIELDS))
    items[n_feature:, TECH] = 1.0
    return items


@jit_borrow
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


@jit_borrow
def new_feature(p, items, i, skey):
    """A new feature idea in slot ``i``: estimated size, true effort, true value, and the PM's
    first estimate of its value (off by a log error of sd ``idea_uncertainty``)."""
    agent = start_item(p, items, i, skey, p[P.feature_size])
    items[i, VALUE] = rules.idea_value(p, items[i, SIZE], rng.normal(skey, agent, Draw.ITEM_VALUE))
    items[i, ERROR] = p[P.idea_uncertainty] * rng.normal(skey, agent, Draw.ITEM_ERROR)


@jit_borrow
def new_tech_item(p, items, i, skey):
    """A new tech item in slot ``i``: size, true effort and the debt-days it removes when done."""
    agent = start_item(p, items, i, skey, p[P.tech_item_size])
    items[i, VALUE] = rules.tech_payoff(p, items[i, SIZE], rng.normal(skey, agent, Draw.ITEM_VALUE))
    items[i, ERROR] = 0.0


@jit_borrow
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


@jit_borrow
def discover(p, items, n_feature, power):
    """Discovery narrows every waiting idea's estimate error, keeps the PM's new estimate of its
    value (which stays as it is once work starts) and kills those that now look worth too little
    to build; returns how many were killed."""
    killed = 0.0
    for i in range(n_feature):
        if items[i, ALIVE] == 1.0 and items[i, STARTED] == 0.0:
            items[i, ERROR] = rules.error_after_discovery(items[i, ERROR], power)
            est = rules.estimated_value(items[i, VALUE], items[i, ERROR])
            items[i, ESTIMATE] = est
            if not rules.worth_keeping(p, est, items[i, SIZE]):
                items[i, ALIVE] = 0.0
                killed += 1.0
    return killed


@jit
def size_left(items, i):
    """Estimated size of what is left of item ``i``."""
    return items[i, SIZE] * items[i, LEFT] / items[i, EFFORT]


@jit
def best_of(x, m):
    """Index of the largest of x[:m], the first if tied; -1 if none is above -inf."""
    k, best = -1, -np.inf
    for j in range(m):
        if x[j] > best:
            k, best = j, x[j]
    return k


@jit_borrow
def select(items, scores, lo, hi, budget, plan, n_plan, ranked):
    """Plan items from rows lo..hi-1 into ``plan`` (after its first n_plan entries): items already
    started first, then the best-scored while each fits (at least half of it within ``budget``).
    ``ranked`` is scratch space of twice the slots. Returns (new n_plan, estimated size planned)."""
    # One pass: started items go into the plan in slot order (until the budget is reached); the
    # waiting items' scores are kept in slot order (an item scored -inf or nan is never taken).
    n = items.shape[0]
    planned = 0.0
    m = 0
    for i in range(lo, hi):
        if items[i, ALIVE] != 1.0:
            continue
        if items[i, STARTED] == 1.0:
            if planned >= budget:
                return n_plan, planned  # finish what was started first
            plan[n_plan] = i
            n_plan += 1
            planned += size_left(items, i)
        elif scores[i] > -np.inf:
            ranked[m] = scores[i]
            ranked[n + m] = i
            m += 1
    # Then the best first, ties by slot; a taken item's score becomes -inf.
    while planned < budget:
        k = best_of(ranked, m)
        if k < 0:
            break
        i = int(ranked[n + k])
        if planned + 0.5 * size_left(items, i) > budget:
            break  # commit to what fits, rounding to the nearest item
        plan[n_plan] = i
        n_plan += 1
        planned += size_left(items, i)
        ranked[k] = -np.inf
    return n_plan, planned
