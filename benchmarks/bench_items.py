"""What the backlog items alone cost: a floor under the kernel's time per run-sprint.

Issue 7's target of 30 M agent-sprints/s on one core leaves about 8 agents / 30 M = 0.27 us per
run-sprint of a default team. This script measures, on one thread and side by side:

* the whole kernel at the defaults (``simulate``), in ns per run-sprint;
* creating as many new items per sprint as a default run creates on average (feature ideas for
  those shipped and killed, tech items raised), with the model's own functions (``new_feature``,
  ``new_tech_item``: counter-based draws of size, effort and value) and nothing else;
* one discovery pass over the feature backlog per sprint (``discover``: each waiting idea's
  estimate is recomputed and checked against the kill bar);
* scoring every item and choosing the sprint's plan from a full backlog (``score_items`` and
  ``plan_sprint``), for the share of the kernel the backlogs take in all.

The last two are work the model's item mechanics (issue 7, item 1) require every sprint, so their
sum bounds the kernel's speed from above whatever else is made faster; the script prints that
bound as agent-sprints/s.

    python benchmarks/bench_items.py [--runs 10000] [--sprints 52] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pe_sim import config as cfg  # noqa: E402
from pe_sim.commands import int_in  # noqa: E402
from pe_sim.core import backlog as B, kernel as K, rng  # noqa: E402
from pe_sim.core.engine import param_matrix, simulate  # noqa: E402
from pe_sim.core.record import P  # noqa: E402
from pe_sim.runner import batch  # noqa: E402


@numba.njit(nogil=True, error_model="numpy")
def arrivals(rate, t):
    """Whole arrivals in sprint t that average ``rate`` per sprint (no randomness: a fixed load)."""
    return int((t + 1) * rate) - int(t * rate)


@numba.njit(nogil=True, error_model="numpy")
def create_items(p, seed, n_runs, n_sprints, feature_rate, tech_rate):
    """Per run and sprint, new feature ideas and tech items at the given average rates."""
    n_feature, n_tech = int(p[P.feature_backlog_items]), int(p[P.tech_backlog_items])
    check = 0.0
    for r in range(n_runs):
        items = B.empty(n_feature, n_tech)
        rkey = rng.run_key(seed, r)
        for t in range(n_sprints):
            skey = rng.sprint_key(rkey, t)
            k = arrivals(feature_rate, t)
            for j in range(k):
                B.new_feature(p, items, (t * 7 + j) % n_feature, skey)
            k = arrivals(tech_rate, t)
            for j in range(k):
                B.new_tech_item(p, items, n_feature + (t * 3 + j) % n_tech, skey)
        check += items[0, B.VALUE]
    return check


@numba.njit(nogil=True, error_model="numpy")
def discover_items(p, seed, n_runs, n_sprints, power):
    """Per run and sprint, one discovery pass over a full feature backlog (refilled once a sprint)."""
    n_feature, n_tech = int(p[P.feature_backlog_items]), int(p[P.tech_backlog_items])
    items = B.empty(n_feature, n_tech)
    skey = rng.sprint_key(rng.run_key(seed, 0), 0)
    for i in range(n_feature):
        B.new_feature(p, items, i, skey)
    killed = 0.0
    for r in range(n_runs):
        for t in range(n_sprints):
            for i in range(n_feature):  # killed ideas come back: the pass always sees a full backlog
                items[i, B.ALIVE] = 1.0
            killed += B.discover(p, items, n_feature, power)
    return killed


@numba.njit(nogil=True, error_model="numpy")
def plan_items(p, seed, n_runs, n_sprints, commit_target):
    """Per run and sprint, both managers score every item and the sprint's plan is chosen from a
    full backlog (``score_items`` and ``plan_sprint``, as the kernel calls them)."""
    n_feature, n_tech = int(p[P.feature_backlog_items]), int(p[P.tech_backlog_items])
    n_items = n_feature + n_tech
    items = B.empty(n_feature, n_tech)
    skey = rng.sprint_key(rng.run_key(seed, 0), 0)
    for i in range(n_feature):
        B.new_feature(p, items, i, skey)
        items[i, B.ESTIMATE] = items[i, B.VALUE]
    for i in range(n_feature, n_items):
        B.new_tech_item(p, items, i, skey)
    pm_s, em_s, joint = np.zeros(n_items), np.zeros(n_items), np.zeros(n_items)
    plan = np.zeros(n_items, dtype=np.int64)
    ranked = np.zeros(2 * n_items)
    planned = 0.0
    for r in range(n_runs):
        for t in range(n_sprints):
            K.score_items(p, items, n_feature, 0.5, 0.0, p[P.initial_debt], commit_target, 0.8, 0.5, pm_s, em_s, joint)
            n_plan, commit, tech = K.plan_sprint(p, items, n_feature, commit_target, p[P.pressure], 0.5, 0.6, pm_s, em_s,
                                                 joint, plan, ranked)
            planned += commit
    return planned


def best_time(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int_in(1, 10**8), default=10_000)
    ap.add_argument("--sprints", type=int_in(1, 1000), default=52)
    ap.add_argument("--repeat", type=int_in(1, 10**8), default=3)
    a = ap.parse_args()
    numba.set_num_threads(1)
    c = cfg.default()
    p, sch = batch(c, a.runs, a.sprints)
    seed = np.uint64(rng.seed_u64(c.seed))
    out = simulate(p, sch, a.sprints, c.seed)  # also loads or compiles the kernel
    run_sprints = a.runs * a.sprints
    agents = float(np.mean(out["headcount"] - out["hires"] + out["attrition"])) + 2.0
    feature_rate = float(np.mean(out["features_shipped"] + out["ideas_killed"]))
    tech_rate = float(np.mean(out["tech_items_raised"]))
    row = param_matrix(p)[0]
    power = 0.1  # a middling discovery power; the cost of a pass hardly depends on it
    create_items(row, seed, 2, 2, feature_rate, tech_rate)  # compile before timing
    discover_items(row, seed, 2, 2, power)
    commit_target = float(np.mean(out["committed"]))
    plan_items(row, seed, 2, 2, commit_target)

    kernel = best_time(lambda: simulate(p, sch, a.sprints, c.seed), a.repeat) / run_sprints * 1e9
    create = best_time(lambda: create_items(row, seed, a.runs, a.sprints, feature_rate, tech_rate), a.repeat) \
        / run_sprints * 1e9
    discover = best_time(lambda: discover_items(row, seed, a.runs, a.sprints, power), a.repeat) / run_sprints * 1e9
    planning = best_time(lambda: plan_items(row, seed, a.runs, a.sprints, commit_target), a.repeat) / run_sprints * 1e9
    floor = create + discover
    print(f"default team: {agents:.2f} agents a sprint; per sprint {feature_rate:.2f} new feature ideas and "
          f"{tech_rate:.2f} tech items, discovery over {int(row[P.feature_backlog_items])} idea slots")
    print(f"kernel, 1 thread      : {kernel:7.0f} ns per run-sprint = {agents / kernel * 1e3:6.2f} M agent-sprints/s")
    print(f"creating the new items: {create:7.0f} ns per run-sprint ({create / kernel:.0%} of the kernel)")
    print(f"one discovery pass    : {discover:7.0f} ns per run-sprint ({discover / kernel:.0%} of the kernel)")
    print(f"items alone (a floor) : {floor:7.0f} ns per run-sprint -> at most {agents / floor * 1e3:.1f} M agent-sprints/s "
          f"however fast the rest (target: 30 M = {agents / 30e6 * 1e9:.0f} ns per run-sprint)")
    print(f"scoring and planning  : {planning:7.0f} ns per run-sprint ({planning / kernel:.0%} of the kernel); with the "
          f"floor, the backlogs take {(floor + planning) / kernel:.0%} of the kernel's time")


if __name__ == "__main__":
    main()
