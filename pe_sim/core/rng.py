"""Counter-based random numbers: every draw is a pure function of
(seed, run, sprint, agent, draw).

No generator state is carried between calls, so a run's numbers do not depend on which
batch, chunk, worker or engine computes it (the JAX idea, done with SplitMix64 hashing on
uint64). Keys are built in stages so the hot path hashes once per draw:

    run_key(seed, run)              -> uint64 per run           (once per run)
    sprint_key(run_key, sprint)     -> uint64 per run x sprint  (once per sprint)
    uniform(sprint_key, agent, draw) -> float64 in (0, 1)

The functions are scalar and compiled with numba: the compiled kernel and the Mesa agents call
the very same code.
"""

from __future__ import annotations

import math
from enum import IntEnum
from types import SimpleNamespace

import numpy as np

from pe_sim.core.jit import jit

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
M1 = np.uint64(0xBF58476D1CE4E5B9)
M2 = np.uint64(0x94D049BB133111EB)
TO_UNIT = 2.0**-53
SPRINT_OFFSET = 1024  # set-up draws use sprint -1, so sprint numbers are shifted to stay positive
SETUP = np.int64(-1)  # the set-up "sprint" (typed, so numba compiles one version of sprint_key)

# Agent identifiers inside a run. Engineers use ENGINEER_BASE + slot, backlog items ITEM_BASE + slot.
TEAM, PM, EM, ENGINEER_BASE, ITEM_BASE = 0, 1, 2, 3, 4096


class Draw(IntEnum):
    """Named draw indices; one number per random decision so streams never collide."""

    NOISE = 1
    SCOPE_CREEP = 3
    INCIDENTS = 4
    CONFLICT = 5
    CONFLICT_OUTCOME = 6
    ATTRITION = 7
    SKILL = 8
    ENGAGEMENT0 = 9
    ESCALATION = 10
    MOTIVE_GROWTH = 11  # an engineer's own motivator offsets, drawn once when they join
    MOTIVE_CRAFT = 12
    MOTIVE_VALUED = 13
    MOTIVE_PACE = 14
    TENURE0 = 15
    IDEAS = 16  # how many new feature ideas arrive this sprint
    TECH_ITEMS = 17  # how many tech items the team raises this sprint
    CUSTOMER_ESCALATION = 18
    VOICE = 19  # whether dissatisfied engineers escalate this sprint
    ITEM_VALUE = 20  # per backlog item, at its creation sprint
    ITEM_ERROR = 21
    ITEM_SIZE = 22
    ITEM_EFFORT = 23


# The draws as plain ints, for Python callers (the Mesa agents): numba types an IntEnum argument by
# walking its whole class on every call from Python (~0.2 ms a call), which made the Mesa face
# about three times slower. Compiled code uses ``Draw`` itself (a constant there).
DRAW = SimpleNamespace(**{d.name: int(d) for d in Draw})


@jit
def mix(x):
    """SplitMix64 finaliser (wrapping uint64 arithmetic)."""
    x = (x ^ (x >> np.uint64(30))) * M1
    x = (x ^ (x >> np.uint64(27))) * M2
    return x ^ (x >> np.uint64(31))


@jit
def run_key(seed, run):
    """Key of one run: depends only on the root seed (as uint64) and the run's global index."""
    s = mix(np.uint64(seed) + GOLDEN)
    return mix(s ^ (np.uint64(run) * GOLDEN + M1))


@jit
def sprint_key(rkey, sprint):
    """Key of one sprint of a run (sprint may be -1 for set-up draws)."""
    return mix(rkey ^ (np.uint64(sprint + SPRINT_OFFSET) * M2 + GOLDEN))


@jit
def uniform(skey, agent, draw):
    """A uniform number in the open interval (0, 1)."""
    lane = (np.uint64(agent) << np.uint64(8)) | np.uint64(draw)
    h = mix(skey ^ (lane * GOLDEN))
    return (float(h >> np.uint64(11)) + 0.5) * TO_UNIT


@jit
def inverse_normal(u):
    """Standard normal quantile of ``u`` (Acklam's rational approximation, relative error < 1.2e-9)."""
    if u < 0.02425:
        q = math.sqrt(-2.0 * math.log(u))
        return (((((-7.784894002430293e-03 * q - 3.223964580411365e-01) * q - 2.400758277161838e+00) * q
                  - 2.549732539343734e+00) * q + 4.374664141464968e+00) * q + 2.938163982698783e+00) / \
            ((((7.784695709041462e-03 * q + 3.224671290700398e-01) * q + 2.445134137142996e+00) * q
              + 3.754408661907416e+00) * q + 1.0)
    if u > 0.97575:
        q = math.sqrt(-2.0 * math.log(1.0 - u))
        return -(((((-7.784894002430293e-03 * q - 3.223964580411365e-01) * q - 2.400758277161838e+00) * q
                   - 2.549732539343734e+00) * q + 4.374664141464968e+00) * q + 2.938163982698783e+00) / \
            ((((7.784695709041462e-03 * q + 3.224671290700398e-01) * q + 2.445134137142996e+00) * q
              + 3.754408661907416e+00) * q + 1.0)
    q = u - 0.5
    r = q * q
    return (((((-3.969683028665376e+01 * r + 2.209460984245205e+02) * r - 2.759285104469687e+02) * r
              + 1.383577518672690e+02) * r - 3.066479806614716e+01) * r + 2.506628277459239e+00) * q / \
        (((((-5.447609879822406e+01 * r + 1.615858368580409e+02) * r - 1.556989798598866e+02) * r
           + 6.680131188771972e+01) * r - 1.328068155288572e+01) * r + 1.0)


@jit
def normal(skey, agent, draw):
    """A standard normal number."""
    return inverse_normal(uniform(skey, agent, draw))


@jit
def poisson(u, lam):
    """Poisson(lam) by inverse transform of the uniform ``u``; counts are capped at 60."""
    pk = math.exp(-lam)
    cdf = pk
    k = 0
    while u > cdf and k < 60:
        k += 1
        pk = pk * lam / k
        cdf += pk
    return float(k)


def seed_u64(seed: int) -> int:
    """A root seed of any size as the uint64 the keys are built from."""
    return int(seed) % 2**64


def run_keys(seed: int, runs) -> np.ndarray:
    """Keys of many runs (a small Python-side helper for tests and set-up)."""
    s = seed_u64(seed)
    return np.array([run_key(np.uint64(s), int(r)) for r in np.asarray(runs).ravel()], dtype=np.uint64)
