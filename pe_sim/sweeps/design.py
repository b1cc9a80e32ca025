"""Designs: the points of a sweep (grid, LHS, Sobol', Saltelli, Morris) as a table of parameter values.

No design maps a unit coordinate of exactly 0 or 1 to an infinite quantile: a grid takes a distribution's quantile
midpoints (k + 0.5) / n, a Morris design its levels' midpoints (:func:`morris_probabilities`), and a sampled point
of exactly 0 or 1 the quantile :data:`~pe_sim.sweeps.spec.TAIL` inside (:meth:`Factor.from_unit`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from pe_sim.params import BY_NAME
from pe_sim.sweeps.spec import Factor, SweepSpec

def encode_column(name: str, values: np.ndarray) -> np.ndarray:
    """Numeric codes the core reads for an array of natural values (choices become indices)."""
    p = BY_NAME[name]
    if p.kind == "choice":
        lookup = {c: float(i) for i, c in enumerate(p.choices)}
        return np.array([lookup[v] for v in values], dtype=np.float64)
    return np.asarray(values, dtype=np.float64)


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng([int(seed) % 2**63, 0x5EED])


def saltelli_unit(d: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Matrices A and B (each n x d) for Sobol' indices: the two halves of ONE scrambled Sobol' sequence
    of dimension 2d (as :func:`scipy.stats.sobol_indices` draws them); separately scrambled draws would
    be correlated and bias the indices."""
    ab = qmc.Sobol(d=2 * d, scramble=True, bits=64, rng=_rng(seed)).random(n)
    return ab[:, :d], ab[:, d:]


def saltelli_stack(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Rows A, B, AB_1 .. AB_d (AB_i is A with column i from B) and each row block's label."""
    n, d = a.shape
    blocks = [a, b]
    for i in range(d):
        ab = a.copy()
        ab[:, i] = b[:, i]
        blocks.append(ab)
    labels = ["A", "B"] + [f"AB{i}" for i in range(d)]
    return np.vstack(blocks), [lab for lab in labels for _ in range(n)]


def morris_unit(d: int, r: int, levels: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """r Morris trajectories of d + 1 points on a ``levels`` grid of [0, 1]: the unit points
    (r (d + 1), d), each row's trajectory, step, and the factor index moved at that step (-1 at step 0)."""
    g = _rng(seed)
    delta = levels / (2.0 * (levels - 1))
    rows, traj, step, moved = [], [], [], []
    for j in range(r):
        base = g.integers(0, levels // 2, d) / (levels - 1)
        sign = g.choice([-1.0, 1.0], d)
        x = np.where(sign > 0, base, base + delta)
        order = g.permutation(d)
        rows.append(x.copy())
        traj.append(j), step.append(0), moved.append(-1)
        for k, i in enumerate(order, start=1):
            x[i] += sign[i] * delta
            rows.append(x.copy())
            traj.append(j), step.append(k), moved.append(i)
    return (np.clip(np.array(rows), 0.0, 1.0), np.array(traj), np.array(step), np.array(moved))


def morris_probabilities(u: np.ndarray, levels: int) -> np.ndarray:
    """The probabilities at which a factor with an unbounded distribution (normal, lognormal) takes its quantiles in
    a Morris design: level k / (levels - 1) of the grid becomes (k + 0.5) / levels, the midpoint of the k-th of
    ``levels`` equally likely strata (as a grid design's quantile midpoints), since the grid's own ends 0 and 1 are
    quantiles at -inf and +inf (clipped to the parameter's limits, they were its extremes). The map is affine, so a
    trajectory's step of p / (2 (p - 1)) in the grid is a step of exactly 1/2 in probability: the factor moves between
    the quantiles at 1/(2p) and 1/2 + 1/(2p), 3/(2p) and 1/2 + 3/(2p), ..."""
    return (np.asarray(u, dtype=np.float64) * (levels - 1) + 0.5) / levels


@dataclass
class Design:
    """Design points: ``table`` has point, any block labels and one natural-valued column per factor;
    ``unit`` the unit-cube coordinates (None for grids) each factor's value was mapped from by
    :meth:`Factor.from_unit` (for a distribution, the probability of its inverse CDF; for a range, the fraction of
    the range), so a Morris design's elementary effects, which divide by steps in ``unit``, are per unit of that
    coordinate (see :func:`morris_probabilities`)."""

    kind: str
    factors: tuple[Factor, ...]
    table: pd.DataFrame
    unit: np.ndarray | None = None

    @property
    def n_points(self) -> int:
        return len(self.table)

    def encoded(self) -> dict[str, np.ndarray]:
        """Model parameters as the core's numeric codes (event fields are applied to the timeline)."""
        return {f.name: encode_column(f.name, self.table[f.name].to_numpy()) for f in self.factors if not f.is_event}


def make_design(spec: SweepSpec) -> Design:
    """The design points of a sweep (deterministic given the spec and its root seed)."""
    fs = spec.factors
    d = len(fs)
    extra: dict[str, Any] = {}
    unit = None
    if spec.design == "grid":
        grids = [f.grid_values() for f in fs]
        idx = np.indices([len(g) for g in grids]).reshape(d, -1) if d else np.zeros((0, 1), dtype=np.int64)
        cols = {f.name: g[idx[i]] for i, (f, g) in enumerate(zip(fs, grids))}
    else:
        if spec.design == "lhs":
            unit = qmc.LatinHypercube(d, rng=_rng(spec.seed)).random(spec.points)
        elif spec.design == "sobol":
            unit = qmc.Sobol(d, scramble=True, rng=_rng(spec.seed)).random_base2(int(spec.points).bit_length() - 1)
        elif spec.design == "saltelli":
            unit, labels = saltelli_stack(*saltelli_unit(d, spec.points, spec.seed))
            names = {f"AB{i}": f"AB:{f.name}" for i, f in enumerate(fs)}
            extra["block"] = np.array([names.get(x, x) for x in labels], dtype=object)
        else:
            unit, traj, step, moved = morris_unit(d, spec.points, spec.levels, spec.seed)
            for i, f in enumerate(fs):
                if f.unbounded:  # never the quantiles at 0 and 1 (infinite); see morris_probabilities
                    unit[:, i] = morris_probabilities(unit[:, i], spec.levels)
            extra.update(trajectory=traj, step=step,
                         moved=np.array([fs[i].name if i >= 0 else "" for i in moved], dtype=object))
        cols = {f.name: f.from_unit(unit[:, i]) for i, f in enumerate(fs)}
    n = len(next(iter(cols.values()))) if cols else 1
    table = pd.DataFrame({"point": np.arange(n, dtype=np.int64), **extra, **cols})
    return Design(spec.design, fs, table, unit)
