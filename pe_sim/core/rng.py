"""Counter-based random numbers: every draw is a pure function of
(seed, run, sprint, agent, draw).

No generator state is carried between calls, so a run's numbers do not depend on which
batch, chunk, worker or engine computes it (the JAX idea, done with SplitMix64 hashing on
uint64 in numpy). Keys are built in stages so the hot path hashes once per draw:

    run_key(seed, run)           -> uint64 per run          (once per simulation)
    sprint_key(run_key, sprint)  -> uint64 per run × sprint (once per sprint)
    uniform(sprint_key, agent, draw) -> float64 in (0, 1)
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(s) for s in (30, 27, 31, 11))
_TO_UNIT = 2.0**-53

# Agent identifiers inside a run. Engineers use ENGINEER_BASE + slot.
TEAM, PM, EM, ENGINEER_BASE = 0, 1, 2, 3


class Draw:
    """Named draw indices; one number per random decision so streams never collide."""

    NOISE = 1
    EFFORT = 2
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


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser (wrapping uint64 arithmetic)."""
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


def run_key(seed: int, run: np.ndarray | int) -> np.ndarray:
    """Key of each run: depends only on the root seed and the run's global index."""
    with np.errstate(over="ignore"):
        s = _mix(np.asarray(int(seed) % 2**64, dtype=np.uint64) + _GOLDEN)
        return _mix(s ^ (np.asarray(run, dtype=np.uint64) * _GOLDEN + _M1))


def sprint_key(rkey: np.ndarray, sprint: int) -> np.ndarray:
    """Key of one sprint of each run (sprint may be negative for set-up draws)."""
    with np.errstate(over="ignore"):
        return _mix(rkey ^ (np.uint64((sprint + 1024) % 2**64) * _M2 + _GOLDEN))


def uniform(skey: np.ndarray, agent: np.ndarray | int, draw: int) -> np.ndarray:
    """Uniform numbers in the open interval (0, 1), broadcast over key and agent shapes."""
    with np.errstate(over="ignore"):
        lane = (np.asarray(agent, dtype=np.uint64) << np.uint64(8)) | np.uint64(draw)
        h = _mix(skey ^ (lane * _GOLDEN))
        return ((h >> _S11).astype(np.float64) + 0.5) * _TO_UNIT


def normal(skey: np.ndarray, agent: np.ndarray | int, draw: int) -> np.ndarray:
    """Standard normal numbers by inverting the normal CDF of :func:`uniform`."""
    return ndtri(uniform(skey, agent, draw))


def poisson(u: np.ndarray, lam: np.ndarray, kmax: int = 40) -> np.ndarray:
    """Poisson(lam) by inverse transform of uniform ``u``; counts are capped at ``kmax``.

    A fixed number of vectorised iterations keeps the arithmetic identical for a single
    run and for a batch, which the engine-equivalence test relies on.
    """
    lam = np.asarray(lam, dtype=np.float64)
    pk = np.exp(-lam)
    cdf = pk
    k = np.zeros(np.broadcast(u, lam).shape)
    for i in range(1, kmax + 1):
        above = u > cdf
        if not above.any():  # cdf only grows, so no later step can add a count
            break
        k = k + above
        pk = pk * lam / i
        cdf = cdf + pk
    return k
