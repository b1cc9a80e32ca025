"""Parameter sweeps: designs, chunked execution on local processes or Dask, resumable output.

A sweep TOML names a base scenario, the parameters to vary and how, and where to write::

    [sweep]
    base = "split_backlogs"   # shipped scenario name, or a scenario TOML (relative to this file or the cwd)
    design = "grid"           # grid | lhs | sobol | saltelli | morris
    points = 64               # lhs/sobol points (sobol, saltelli: a power of 2); saltelli: base samples N;
                              # morris: trajectories
    replicates = 20           # runs per design point
    sprints = 52              # horizon (default: the base scenario's [run] sprints)
    seed = 1                  # root seed (default: the base scenario's [run] seed)
    keep = "summary"          # summary: one row per run | trajectories: one row per run x sprint
    outcomes = ["customer_value", "tech_debt"]   # default: every outcome
    out = "results/my_sweep"  # default: results/<file stem>
    chunk_size = 2000         # runs the core advances together (default: automatic)
    crn = false               # common random numbers: replicate i of every point uses random stream i

    [vary]
    syncs_per_sprint = [0, 1, 2, 5, 10]                       # a list of values
    pressure = { low = 0.1, high = 0.9, steps = 5 }           # a range: uniform for lhs/sobol; `steps` for grid;
                                                              # `log = true` for log-uniform
    roadmap_mode = ["one_roadmap", "split_backlogs"]          # choices and booleans: lists only
    tech_share = { dist = "normal", mean = 0.2, sd = 0.05 }   # a distribution, clipped to the valid range:
                                                              # uniform(low, high), normal(mean, sd),
                                                              # lognormal(median, sigma), triangular(low, mode, high)
    hiring_wave.sprint = [6, 14, 22]                          # an event field: <kind>.sprint / .duration / .magnitude
                                                              # of the base scenario's one event of that kind
                                                              # (a sprint at or after the horizon: no event)

    [sensitivity]             # optional, read by `pe-sim sensitivity`
    method = "sobol"          # sobol | morris
    outcomes = ["customer_value", "tech_debt", "burnout_mean"]
    levels = 4                # morris grid levels
    confidence = 0.95
    resamples = 1000

Designs. ``grid`` is the Cartesian product of every factor's values (last factor varies fastest;
ranges and distributions need ``steps``: evenly spaced values, or quantile midpoints). ``lhs`` and
``sobol`` draw ``points`` points in the unit cube (:mod:`scipy.stats.qmc`, scrambled with the root
seed) and map each coordinate through its factor: lists are picked uniformly, ranges are uniform (int
parameters uniform over the integers), distributions by their inverse CDF. ``saltelli`` is the design
Sobol' indices need: matrices A and B are the two halves of ONE scrambled Sobol' sequence of dimension
2d, followed by the d matrices AB_i (A with column i from B); N (d + 2) points. ``morris`` is r
elementary-effect trajectories of d + 1 points on a ``levels``-level grid.

Runs. Design point ``j`` has runs ``j * replicates + i`` for replicate ``i``; the run id is the
run's global index and (with the root seed) its only source of randomness, so any worker count,
chunk size or backend gives bit-identical numbers (with ``crn = true`` the random stream is the
replicate index instead, so every point sees the same luck).

End-of-run summaries (``keep = "summary"``) reduce each run's trajectory to one number per outcome,
named ``<outcome>_<how>``:

- ``_final``: stocks, the value at the horizon: tech_debt, customer_trust, burnout_mean, burnout_max,
  engagement_mean, headcount, alignment and the six trust_* outcomes;
- ``_total``: flows, summed over the horizon: velocity, committed, delivered, customer_value,
  features_shipped, incidents, attrition, hires, comm_hours, conflicts_*, third_paths, escalations;
- ``_mean``: rates and shares, averaged over sprints: say_do, tech_share, debt_drag, overtime_mean,
  right_thing, surprise, pm_workload, em_workload (and any outcome not listed above).

Output. ``OUT/part-NNNNNN.parquet`` holds chunk NNNNNN (one tidy row per run, or per run x sprint,
with run, point, replicate, seed, every varied parameter, then the outcomes); files starting with
``_`` or ``.`` are ignored by Parquet readers, so ``pandas.read_parquet(OUT)`` loads the whole sweep.
``_manifest.json`` holds provenance (sweep config, base scenario, design, package versions,
timestamps), ``_design.parquet`` the design table and ``_done.jsonl`` one line per finished chunk.
A part file is written to a temporary name and renamed into place, so it is either complete or
absent; ``resume`` recomputes exactly the chunks not recorded as done. In trajectory mode a varied
parameter whose name is also an outcome (``tech_share``) is stored as ``<name>_param``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
import multiprocessing as mp
import os
import platform
import signal
import sys
import threading
import time
import tomllib
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import MappingProxyType, SimpleNamespace
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from scipy import stats
from scipy.special import ndtri
from scipy.stats import qmc

from pe_sim import __version__
from pe_sim.config import Config, ConfigError, _did_you_mean, check_param, load as load_config
from pe_sim.core.engine import OUTCOMES, n_slots_for, param_arrays, simulate
from pe_sim.events import EVENT_KINDS, SCHEDULE_FIELDS, Event, schedule
from pe_sim.params import BY_NAME, PARAMS, Param, encode

# --------------------------------------------------------------------------------------------
# End-of-run summaries
# --------------------------------------------------------------------------------------------

FINAL = ("tech_debt", "customer_trust", "burnout_mean", "burnout_max", "engagement_mean", "headcount",
         "alignment", "trust_pm_em", "trust_em_pm", "trust_pm_eng", "trust_em_eng", "trust_eng_pm",
         "trust_eng_em")
TOTAL = ("velocity", "committed", "delivered", "customer_value", "features_shipped", "incidents", "attrition",
         "hires", "comm_hours", "conflicts_fight", "conflicts_avoid", "conflicts_productive", "third_paths",
         "escalations")


def summary_kind(outcome: str) -> str:
    """How an outcome is reduced to one number per run: final, total or mean."""
    return "final" if outcome in FINAL else "total" if outcome in TOTAL else "mean"


def summary_name(outcome: str) -> str:
    """Column name of an outcome's end-of-run summary, e.g. ``customer_value_total``."""
    return f"{outcome}_{summary_kind(outcome)}"


def summarise(trajectories: Mapping[str, np.ndarray], outcomes: Iterable[str]) -> dict[str, np.ndarray]:
    """End-of-run summaries ``{summary_name: (R,) array}`` of (R, S) trajectories."""
    out = {}
    for k in outcomes:
        x = trajectories[k]
        kind = summary_kind(k)
        out[summary_name(k)] = x[:, -1].copy() if kind == "final" else x.sum(axis=1) if kind == "total" else x.mean(axis=1)
    return out


def running_summary(x: np.ndarray, outcome: str) -> np.ndarray:
    """The summary up to each sprint (R, S): value, cumulative total, or running mean; the last column
    is the end-of-run summary."""
    kind = summary_kind(outcome)
    if kind == "final":
        return x
    c = np.cumsum(x, axis=1)
    return c if kind == "total" else c / np.arange(1, x.shape[1] + 1)


# --------------------------------------------------------------------------------------------
# Factors and sweep specs
# --------------------------------------------------------------------------------------------

DESIGNS = ("grid", "lhs", "sobol", "saltelli", "morris")
KEEPS = ("summary", "trajectories")
DISTS: dict[str, tuple[str, ...]] = {"uniform": ("low", "high"), "normal": ("mean", "sd"),
                                     "lognormal": ("median", "sigma"), "triangular": ("low", "mode", "high")}
TOP_KEYS = ("sweep", "vary", "sensitivity")
SWEEP_KEYS = ("name", "description", "base", "design", "points", "replicates", "sprints", "seed", "keep",
              "outcomes", "out", "chunk_size", "crn")
SENSITIVITY_KEYS = ("method", "outcomes", "levels", "confidence", "resamples")
SENSITIVITY_METHODS = ("sobol", "morris")
RANGE_KEYS = ("low", "high", "steps", "log")
MAX_RUNS = 10**9
DEFAULT_SENSITIVITY_OUTCOMES = ("customer_value", "tech_debt", "burnout_mean")


EVENT_FIELDS = ("sprint", "duration", "magnitude")


def event_param(name: str) -> Param | None:
    """A pseudo-parameter for an event field a sweep can vary, e.g. ``deadline_crunch.magnitude``."""
    kind, _, fld = name.partition(".")
    ek = EVENT_KINDS.get(kind)
    if ek is None or fld not in EVENT_FIELDS:
        return None
    if fld == "sprint":
        return Param(name, "sprint", 0, 0, 1000, f"sprint the {kind} event starts (0-based; at or after the horizon: "
                                                 "it does not happen)", "events", "int")
    if fld == "duration":
        return Param(name, "sprints", ek.duration, 1, 1000, f"sprints the {kind} event lasts", "events", "int")
    whole = kind in ("key_engineer_leaves", "hiring_wave")
    return Param(name, "-", ek.magnitude, ek.lo, ek.hi, ek.magnitude_meaning, "events", "int" if whole else "float")


def _param(name: str) -> Param:
    return BY_NAME.get(name) or event_param(name)


def _check_value(file: str, key: str, name: str, value: Any) -> Any:
    if name in BY_NAME:
        return check_param(file, key, name, value)
    p = event_param(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(file, key, f"{value!r} is not a number; expected a {p.kind} in {p.describe_range()}")
    if p.kind == "int" and float(value) != int(value):
        raise ConfigError(file, key, f"{value!r} is not a whole number; expected an integer in {p.describe_range()}")
    if value != value or not (p.lo <= value <= p.hi):
        raise ConfigError(file, key, f"{value!r} is out of range; expected {p.describe_range()} ({p.meaning})")
    return int(value) if p.kind == "int" else float(value)


def with_event_values(events: tuple[Event, ...], values: Mapping[str, Any]) -> tuple[Event, ...]:
    """The timeline with varied fields (``{"kind.field": value}``) applied to the one event of each kind."""
    out = list(events)
    for name, v in values.items():
        kind, fld = name.split(".")
        i = next(j for j, e in enumerate(out) if e.kind == kind)
        out[i] = dataclasses.replace(out[i], **{fld: int(v) if fld in ("sprint", "duration") else float(v)})
    return tuple(sorted(out, key=lambda e: e.sprint))


@dataclass(frozen=True)
class Factor:
    """One varied parameter: a list of values, a range, or a distribution."""

    name: str
    kind: str  # values | range | dist
    values: tuple = ()
    low: float = 0.0
    high: float = 1.0
    steps: int = 0
    log: bool = False
    dist: str = ""
    args: tuple[tuple[str, float], ...] = ()

    @property
    def param(self) -> Param:
        return _param(self.name)

    @property
    def is_event(self) -> bool:
        return self.name not in BY_NAME

    def describe(self) -> dict[str, Any]:
        if self.kind == "values":
            return {"name": self.name, "values": list(self.values)}
        if self.kind == "range":
            d = {"name": self.name, "low": self.low, "high": self.high, "log": self.log}
        else:
            d = {"name": self.name, "dist": self.dist, **dict(self.args)}
        if self.steps:
            d["steps"] = self.steps
        return d

    def natural(self, values: Sequence) -> np.ndarray:
        """Values as an array of the parameter's natural type (str, bool, int64 or float64)."""
        kind = self.param.kind
        if kind == "choice":
            return np.array(list(values), dtype=object)
        if kind == "bool":
            return np.array(list(values), dtype=bool)
        if kind == "int":
            return np.rint(np.asarray(values, dtype=np.float64)).astype(np.int64)
        return np.asarray(values, dtype=np.float64)

    def grid_values(self) -> np.ndarray:
        """The values a grid design takes."""
        if self.kind == "values":
            return self.natural(self.values)
        if self.kind == "range":
            v = (np.geomspace(self.low, self.high, self.steps) if self.log
                 else np.linspace(self.low, self.high, self.steps))
        else:
            v = self._ppf((np.arange(self.steps) + 0.5) / self.steps)
        v = self.natural(self._clip(v))
        _, first = np.unique(v, return_index=True)
        return v[np.sort(first)]

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Map unit-cube coordinates in [0, 1] to parameter values."""
        u = np.asarray(u, dtype=np.float64)
        if self.kind == "values":
            k = len(self.values)
            idx = np.clip(np.floor(u * k).astype(np.int64), 0, k - 1)
            return self.natural(self.values)[idx]
        p = self.param
        uniform = self.kind == "range" or self.dist == "uniform"
        if p.kind == "int" and uniform and not self.log:
            a = dict(self.args)
            lo, hi = math.ceil(a.get("low", self.low)), math.floor(a.get("high", self.high))
            return np.clip(np.floor(lo + u * (hi - lo + 1)), lo, hi).astype(np.int64)
        return self.natural(self._clip(self._ppf(u)))

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        a = dict(self.args)
        if self.kind == "range":
            if self.log:
                return np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low)))
            return self.low + u * (self.high - self.low)
        if self.dist == "uniform":
            return a["low"] + u * (a["high"] - a["low"])
        if self.dist == "normal":
            return a["mean"] + a["sd"] * ndtri(u)
        if self.dist == "lognormal":
            return a["median"] * np.exp(a["sigma"] * ndtri(u))
        lo, mode, hi = a["low"], a["mode"], a["high"]
        return stats.triang.ppf(u, (mode - lo) / (hi - lo), loc=lo, scale=hi - lo)

    def _clip(self, v: np.ndarray) -> np.ndarray:
        return np.clip(v, self.param.lo, self.param.hi)


def encode_column(name: str, values: np.ndarray) -> np.ndarray:
    """Numeric codes the core reads for an array of natural values (choices become indices)."""
    p = BY_NAME[name]
    if p.kind == "choice":
        lookup = {c: float(i) for i, c in enumerate(p.choices)}
        return np.array([lookup[v] for v in values], dtype=np.float64)
    return np.asarray(values, dtype=np.float64)


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: base scenario, factors, design, replicates, horizon, seed, output."""

    name: str
    base: Config
    base_ref: str
    factors: tuple[Factor, ...] = ()
    design: str = "grid"
    points: int | None = None
    replicates: int = 10
    sprints: int = 52
    seed: int = 1
    keep: str = "summary"
    outcomes: tuple[str, ...] = tuple(OUTCOMES)
    out: str = "results/sweep"
    chunk_size: int | None = None
    crn: bool = False
    description: str = ""
    file: str = "<dict>"
    sensitivity: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    levels: int = 4

    def replace(self, **changes) -> "SweepSpec":
        return dataclasses.replace(self, **changes)

    @property
    def varied(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.factors)

    def label_columns(self) -> dict[str, str]:
        """Column name of each varied parameter in the tidy output."""
        clash = set(self.outcomes) if self.keep == "trajectories" else set()
        return {n: f"{n}_param" if n in clash else n for n in self.varied}

    def n_points(self) -> int:
        d = len(self.factors)
        if self.design == "grid":
            return int(np.prod([len(f.grid_values()) for f in self.factors], dtype=np.int64)) if d else 1
        if self.design == "saltelli":
            return int(self.points) * (d + 2)
        if self.design == "morris":
            return int(self.points) * (d + 1)
        return int(self.points)

    def n_runs(self) -> int:
        return self.n_points() * self.replicates

    def identity(self) -> dict[str, Any]:
        """Everything that determines the data (not where it goes or how it is computed)."""
        base = self.base.to_dict()
        base.pop("path", None)
        base.pop("run", None)
        base.pop("scenario", None)
        return {"pe_sim": __version__, "base": base, "factors": [f.describe() for f in self.factors],
                "design": self.design, "points": self.points, "levels": self.levels if self.design == "morris" else None,
                "replicates": self.replicates, "sprints": self.sprints, "seed": self.seed, "keep": self.keep,
                "outcomes": list(self.outcomes), "crn": self.crn}

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.identity(), sort_keys=True, default=str).encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """The sweep as TOML-like tables (for manifests)."""
        sweep = {"name": self.name, "description": self.description, "base": self.base_ref, "design": self.design,
                 "points": self.points, "replicates": self.replicates, "sprints": self.sprints, "seed": self.seed,
                 "keep": self.keep, "outcomes": list(self.outcomes), "out": self.out, "chunk_size": self.chunk_size,
                 "crn": self.crn}
        return {"sweep": sweep, "vary": {f.name: f.describe() for f in self.factors},
                "sensitivity": dict(self.sensitivity), "file": self.file}


def _num(file: str, key: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v:
        raise ConfigError(file, key, f"{v!r} is not a number")
    return float(v)


def _int(file: str, key: str, v: Any, lo: int, hi: int, what: str = "an integer") -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not (lo <= v <= hi):
        raise ConfigError(file, key, f"{v!r} is not valid; expected {what} in [{lo}, {hi}]")
    return v


def _unknown_key(file: str, key: str, word: str, options: Sequence[str]) -> ConfigError:
    return ConfigError(file, key, f"unknown key '{word}'{_did_you_mean(word, options)} (valid: {', '.join(options)})")


def check_factor(file: str, key: str, name: str, raw: Any) -> Factor:
    """Validate one ``[vary]`` entry (a parameter, or an event field ``kind.field``)."""
    if name not in BY_NAME and event_param(name) is None:
        raise ConfigError(file, key, f"unknown parameter '{name}'{_did_you_mean(name, BY_NAME)} "
                                     "(`pe-sim params` lists the valid names; event fields are "
                                     "<event kind>.sprint/duration/magnitude)")
    p = _param(name)
    if isinstance(raw, list):
        if not raw:
            raise ConfigError(file, key, "empty list; expected at least one value")
        vals = tuple(_check_value(file, f"{key}[{i}]", name, v) for i, v in enumerate(raw))
        if len(set(vals)) != len(vals):
            raise ConfigError(file, key, f"{list(raw)!r} repeats a value; list each value once")
        return Factor(name, "values", vals)
    if not isinstance(raw, dict):
        raise ConfigError(file, key, f"{raw!r} is a single value; expected a list [a, b, ...], a range "
                                     "{ low = .., high = .. } or a distribution { dist = \"normal\", mean = .., sd = .. } "
                                     "(fixed values belong in the base scenario's [params])")
    if p.kind in ("choice", "bool"):
        example = list(p.choices) if p.kind == "choice" else [True, False]
        raise ConfigError(file, key, f"a {p.kind} parameter takes a list of values, e.g. {json.dumps(example)}")
    steps = raw.get("steps", 0)
    if "steps" in raw:
        steps = _int(file, f"{key}.steps", steps, 1, 100_000, "a whole number of steps")
    if "dist" in raw:
        dist = raw["dist"]
        if dist not in DISTS:
            raise ConfigError(file, f"{key}.dist", f"{dist!r} is not a distribution{_did_you_mean(str(dist), DISTS)}; "
                                                   f"expected one of {', '.join(DISTS)}")
        need = DISTS[dist]
        for k in raw:
            if k not in (*need, "dist", "steps"):
                raise _unknown_key(file, f"{key}.{k}", k, (*need, "dist", "steps"))
        for k in need:
            if k not in raw:
                raise ConfigError(file, f"{key}.{k}", f"missing; a {dist} distribution needs {', '.join(need)}")
        a = {k: _num(file, f"{key}.{k}", raw[k]) for k in need}
        if dist in ("uniform", "triangular"):
            for k in ("low", "high"):
                if not p.lo <= a[k] <= p.hi:
                    raise ConfigError(file, f"{key}.{k}", f"{a[k]:g} is out of range; expected {p.describe_range()} "
                                                          f"({p.unit}): {p.meaning}")
            if not a["low"] < a["high"]:
                raise ConfigError(file, key, f"low {a['low']:g} must be below high {a['high']:g}")
            if dist == "triangular" and not a["low"] <= a["mode"] <= a["high"]:
                raise ConfigError(file, f"{key}.mode", f"{a['mode']:g} is not valid; expected low <= mode <= high")
        if dist == "normal":
            if a["sd"] <= 0:
                raise ConfigError(file, f"{key}.sd", f"{a['sd']:g} is not valid; expected sd > 0")
            if not p.lo <= a["mean"] <= p.hi:
                raise ConfigError(file, f"{key}.mean", f"{a['mean']:g} is out of range; expected {p.describe_range()}")
        if dist == "lognormal":
            if a["sigma"] <= 0 or a["median"] <= 0:
                raise ConfigError(file, key, "a lognormal needs median > 0 and sigma > 0")
            if not p.lo <= a["median"] <= p.hi:
                raise ConfigError(file, f"{key}.median", f"{a['median']:g} is out of range; expected {p.describe_range()}")
        return Factor(name, "dist", steps=steps, dist=dist, args=tuple(a.items()))
    for k in raw:
        if k not in RANGE_KEYS:
            raise _unknown_key(file, f"{key}.{k}", k, (*RANGE_KEYS, "dist"))
    for k in ("low", "high"):
        if k not in raw:
            raise ConfigError(file, f"{key}.{k}", "missing; a range needs low and high "
                                                  "(or give dist = \"normal\" etc. for a distribution)")
    low = float(_check_value(file, f"{key}.low", name, raw["low"]))
    high = float(_check_value(file, f"{key}.high", name, raw["high"]))
    if not low < high:
        raise ConfigError(file, key, f"low {low:g} must be below high {high:g}")
    log = raw.get("log", False)
    if not isinstance(log, bool):
        raise ConfigError(file, f"{key}.log", f"{log!r} is not a boolean; expected true or false")
    if log and low <= 0:
        raise ConfigError(file, f"{key}.low", f"{low:g} is not valid for a log range; expected low > 0")
    if steps == 1:
        raise ConfigError(file, f"{key}.steps", "1 is not valid for a range; expected at least 2 steps")
    return Factor(name, "range", low=low, high=high, steps=steps, log=log)


def sweep_from_dict(data: Mapping[str, Any], file: str = "<dict>", base_dir: str | Path | None = None) -> SweepSpec:
    """Validate a parsed sweep (the TOML's tables) into a :class:`SweepSpec`."""
    for k in data:
        if k not in TOP_KEYS:
            raise _unknown_key(file, k, k, TOP_KEYS)
    sw = data.get("sweep")
    if not isinstance(sw, dict):
        raise ConfigError(file, "sweep", "missing; expected a [sweep] table with at least base = \"<scenario>\"")
    for k in sw:
        if k not in SWEEP_KEYS:
            raise _unknown_key(file, f"sweep.{k}", k, SWEEP_KEYS)
    for k in ("name", "description", "base", "design", "keep", "out"):
        if k in sw and not isinstance(sw[k], str):
            raise ConfigError(file, f"sweep.{k}", f"{sw[k]!r} is not text; expected a string")
    if "base" not in sw:
        raise ConfigError(file, "sweep.base", "missing; expected a shipped scenario name (e.g. \"split_backlogs\") "
                                              "or a path to a scenario TOML")
    base_ref = sw["base"]
    base_path = Path(base_dir) / base_ref if base_dir is not None else None
    try:
        base = load_config(base_path if base_path is not None and base_path.is_file() else base_ref)
    except ConfigError as exc:
        if exc.key == "file" and exc.file == str(base_ref):
            raise ConfigError(file, "sweep.base", f"{base_ref!r}: {exc.problem}") from None
        raise
    design = sw.get("design", "grid")
    if design not in DESIGNS:
        raise ConfigError(file, "sweep.design", f"{design!r} is not a design{_did_you_mean(design, DESIGNS)}; "
                                                f"expected one of {', '.join(DESIGNS)}")
    vary = data.get("vary", {})
    if not isinstance(vary, dict):
        raise ConfigError(file, "vary", "expected a [vary] table of parameter = values/range/distribution")
    factors = []
    for k, v in vary.items():
        if k in EVENT_KINDS and isinstance(v, dict):  # [vary.<event kind>] sprint / duration / magnitude
            same = [e for e in base.events if e.kind == k]
            if len(same) != 1:
                raise ConfigError(file, f"vary.{k}", f"the base scenario has {len(same)} {k} events; a sweep varies "
                                                     f"the fields of exactly one (add it to the base's [[events]])")
            for fld, fv in v.items():
                if fld not in EVENT_FIELDS:
                    raise _unknown_key(file, f"vary.{k}.{fld}", fld, EVENT_FIELDS)
                factors.append(check_factor(file, f"vary.{k}.{fld}", f"{k}.{fld}", fv))
        else:
            factors.append(check_factor(file, f"vary.{k}", k, v))
    factors = tuple(factors)
    points = sw.get("points")
    if points is not None:
        points = _int(file, "sweep.points", points, 1, MAX_RUNS, "a number of points")
    if design != "grid":
        if not factors:
            raise ConfigError(file, "vary", f"empty; a {design} design needs at least one parameter to vary")
        if points is None:
            raise ConfigError(file, "sweep.points", f"missing; a {design} design needs the number of "
                                                    f"{'trajectories' if design == 'morris' else 'points'}")
        if design in ("sobol", "saltelli") and points & (points - 1):
            lo = 1 << (points.bit_length() - 1)
            raise ConfigError(file, "sweep.points", f"{points} is not a power of 2 (Sobol' sequences are balanced "
                                                    f"only at powers of 2); try {lo} or {2 * lo}")
    else:
        for f in factors:
            if f.kind != "values" and not f.steps:
                raise ConfigError(file, f"vary.{f.name}", f"a {'range' if f.kind == 'range' else 'distribution'} "
                                                          "in a grid design needs steps, e.g. steps = 5")
    replicates = _int(file, "sweep.replicates", sw.get("replicates", 10), 1, MAX_RUNS, "a number of replicates")
    sprints = _int(file, "sweep.sprints", sw.get("sprints", base.sprints), 1, 1000, "a number of sprints")
    seed = _int(file, "sweep.seed", sw.get("seed", base.seed), 0, 2**63 - 1, "a seed")
    keep = sw.get("keep", "summary")
    if keep not in KEEPS:
        raise ConfigError(file, "sweep.keep", f"{keep!r} is not valid{_did_you_mean(keep, KEEPS)}; "
                                              f"expected one of {', '.join(KEEPS)}")
    outcomes = _check_outcomes(file, "sweep.outcomes", sw.get("outcomes", list(OUTCOMES)))
    chunk_size = sw.get("chunk_size")
    if chunk_size is not None:
        chunk_size = _int(file, "sweep.chunk_size", chunk_size, 1, 1_000_000, "a number of runs")
    crn = sw.get("crn", False)
    if not isinstance(crn, bool):
        raise ConfigError(file, "sweep.crn", f"{crn!r} is not a boolean; expected true or false")
    name = sw.get("name") or (Path(file).stem if file.endswith(".toml") else "sweep")
    sens = data.get("sensitivity", {})
    if not isinstance(sens, dict):
        raise ConfigError(file, "sensitivity", "expected a [sensitivity] table")
    for k in sens:
        if k not in SENSITIVITY_KEYS:
            raise _unknown_key(file, f"sensitivity.{k}", k, SENSITIVITY_KEYS)
    sens = dict(sens)
    if "method" in sens and sens["method"] not in SENSITIVITY_METHODS:
        raise ConfigError(file, "sensitivity.method", f"{sens['method']!r} is not valid; expected one of "
                                                      f"{', '.join(SENSITIVITY_METHODS)}")
    if "outcomes" in sens:
        sens["outcomes"] = list(_check_outcomes(file, "sensitivity.outcomes", sens["outcomes"]))
    levels = sens.get("levels", 4)
    levels = _int(file, "sensitivity.levels", levels, 2, 100, "an even number of levels")
    if levels % 2:
        raise ConfigError(file, "sensitivity.levels", f"{levels} is odd; expected an even number of levels (e.g. 4)")
    if "confidence" in sens and not (isinstance(sens["confidence"], float) and 0.5 <= sens["confidence"] < 1):
        raise ConfigError(file, "sensitivity.confidence", f"{sens['confidence']!r} is not valid; expected a number in [0.5, 1)")
    if "resamples" in sens:
        _int(file, "sensitivity.resamples", sens["resamples"], 10, 1_000_000, "a number of resamples")
    spec = SweepSpec(name=name, base=base, base_ref=base_ref, factors=factors, design=design, points=points,
                     replicates=replicates, sprints=sprints, seed=seed, keep=keep, outcomes=outcomes,
                     out=sw.get("out", f"results/{name}"), chunk_size=chunk_size, crn=crn,
                     description=sw.get("description", ""), file=file, sensitivity=MappingProxyType(sens),
                     levels=levels)
    n = spec.n_runs()
    if n > MAX_RUNS:
        raise ConfigError(file, "sweep", f"{spec.n_points():,} points x {replicates:,} replicates = {n:,} runs; "
                                         f"at most {MAX_RUNS:,} runs per sweep")
    return spec


def _check_outcomes(file: str, key: str, raw: Any) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        raise ConfigError(file, key, f"{raw!r} is not valid; expected a list of outcome names")
    for i, o in enumerate(raw):
        if o not in OUTCOMES:
            raise ConfigError(file, f"{key}[{i}]", f"unknown outcome {o!r}{_did_you_mean(str(o), OUTCOMES)} "
                                                   f"(valid: {', '.join(OUTCOMES)})")
    if len(set(raw)) != len(raw):
        raise ConfigError(file, key, "lists an outcome twice")
    return tuple(raw)


def load_sweep(path: str | Path) -> SweepSpec:
    """Load and validate a sweep TOML."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(str(path), "file", "no such sweep file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), "file", f"not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "file", f"cannot be read: {exc}") from None
    return sweep_from_dict(data, str(path), path.parent)


def as_spec(spec: SweepSpec | str | Path | Mapping[str, Any]) -> SweepSpec:
    if isinstance(spec, SweepSpec):
        return spec
    if isinstance(spec, Mapping):
        return sweep_from_dict(spec)
    return load_sweep(spec)


# --------------------------------------------------------------------------------------------
# Designs
# --------------------------------------------------------------------------------------------

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


@dataclass
class Design:
    """Design points: ``table`` has point, any block labels and one natural-valued column per factor;
    ``unit`` the unit-cube coordinates (None for grids)."""

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
            extra.update(trajectory=traj, step=step,
                         moved=np.array([fs[i].name if i >= 0 else "" for i in moved], dtype=object))
        cols = {f.name: f.from_unit(unit[:, i]) for i, f in enumerate(fs)}
    n = len(next(iter(cols.values()))) if cols else 1
    table = pd.DataFrame({"point": np.arange(n, dtype=np.int64), **extra, **cols})
    return Design(spec.design, fs, table, unit)


# --------------------------------------------------------------------------------------------
# Chunks: the unit of work
# --------------------------------------------------------------------------------------------

@dataclass
class ChunkJob:
    """Everything a worker needs to compute one chunk of runs (small and picklable)."""

    index: int
    start: int
    stop: int
    replicates: int
    seed: int
    sprints: int
    crn: bool
    keep: str
    outcomes: tuple[str, ...]
    constants: dict[str, float]
    events: tuple[Event, ...]
    point_lo: int
    encoded: dict[str, np.ndarray]
    labels: dict[str, np.ndarray]
    event_values: dict[str, np.ndarray]  # varied event fields per point ("kind.field")
    n_slots: int  # engineer slots every chunk of the sweep simulates (see compute_chunk)


def part_name(index: int) -> str:
    return f"part-{index:06d}.parquet"


def compute_chunk(job: ChunkJob) -> pa.Table:
    """Simulate one chunk of runs and shape it as a tidy Arrow table."""
    runs = np.arange(job.start, job.stop, dtype=np.int64)
    point = runs // job.replicates
    rep = runs % job.replicates
    local = point - job.point_lo
    n = len(runs)
    cols = {k: np.full(n, v) for k, v in job.constants.items()}
    for k, v in job.encoded.items():
        cols[k] = v[local]
    streams = rep if job.crn else runs
    # The engineer-slot width is fixed for the whole sweep (the largest team any run reaches) so
    # sums over slots round identically whichever chunk a run lands in.
    if job.event_values:  # each point has its own timeline: per-run (n, S) event arrays
        keys = list(job.event_values)
        rows = list(zip(*(job.event_values[k] for k in keys)))
        cache: dict[tuple, dict[str, np.ndarray]] = {}
        per_point = [cache.setdefault(r, schedule(with_event_values(job.events, dict(zip(keys, r))), job.sprints))
                     for r in rows]
        sched = {f: np.concatenate([pp[f] for pp in per_point])[local] for f in SCHEDULE_FIELDS}
    else:
        sched = schedule(job.events, job.sprints)
    traj = simulate(param_arrays(cols, n), sched, job.sprints, job.seed, streams, n_slots=job.n_slots)
    frame: dict[str, Any] = {"run": runs, "point": point, "replicate": rep,
                             "seed": np.full(n, job.seed, dtype=np.int64)}
    if job.crn:
        frame["stream"] = rep
    for k, v in job.labels.items():
        frame[k] = v[local]
    if job.keep == "summary":
        for k, v in summarise({k: np.ascontiguousarray(traj[k]) for k in job.outcomes}, job.outcomes).items():
            frame[k] = v
    else:
        s = job.sprints
        frame = {k: np.repeat(v, s) for k, v in frame.items()}
        frame["sprint"] = np.tile(np.arange(s, dtype=np.int64), n)
        for k in job.outcomes:
            frame[k] = np.ascontiguousarray(traj[k]).reshape(-1)
    return pa.table({k: pa.array(v) for k, v in frame.items()})


def _write_atomic(path: Path, write: Callable[[Any], None]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def run_chunk(job: ChunkJob, out_dir: str | None = None) -> dict[str, Any]:
    """Compute a chunk; write its part file atomically to ``out_dir``, or return the Parquet bytes
    (Dask workers return bytes so the cluster needs no shared filesystem)."""
    t0 = time.perf_counter()
    table = compute_chunk(job)
    res = {"chunk": job.index, "runs": job.stop - job.start, "rows": table.num_rows, "file": part_name(job.index)}
    if out_dir is None:
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="zstd")
        res["data"] = sink.getvalue().to_pybytes()
    else:
        _write_atomic(Path(out_dir) / res["file"], lambda f: pq.write_table(table, f, compression="zstd"))
    res["seconds"] = time.perf_counter() - t0
    return res


def iter_jobs(spec: SweepSpec, design: Design, chunk_size: int, chunks: Iterable[int]) -> Iterator[ChunkJob]:
    """Jobs for the given chunk indices."""
    total = design.n_points * spec.replicates
    enc = design.encoded()
    varied = set(enc)
    constants = {p.name: encode(p.name, spec.base.params[p.name]) for p in PARAMS if p.name not in varied}
    ne = enc.get("n_engineers")
    biggest = float(np.max(ne)) if ne is not None else constants["n_engineers"]
    events = spec.base.events
    if any(f.name.startswith("hiring_wave.") for f in spec.factors):  # the largest wave any point gets, at sprint 0
        base_wave = next(e for e in events if e.kind == "hiring_wave")
        size = design.table["hiring_wave.magnitude"].max() if "hiring_wave.magnitude" in design.table else base_wave.magnitude
        events = with_event_values(events, {"hiring_wave.magnitude": size, "hiring_wave.sprint": 0})
    n_slots = n_slots_for(SimpleNamespace(n_engineers=np.array([biggest])), schedule(events, max(1, spec.sprints)))
    ev_names = [f.name for f in spec.factors if f.is_event]
    label_cols = spec.label_columns()
    labels = {f.name: design.table[f.name].to_numpy() for f in spec.factors}
    for c in chunks:
        start, stop = c * chunk_size, min(total, (c + 1) * chunk_size)
        lo, hi = start // spec.replicates, (stop - 1) // spec.replicates + 1
        yield ChunkJob(index=c, start=start, stop=stop, replicates=spec.replicates, seed=spec.seed,
                       sprints=spec.sprints, crn=spec.crn, keep=spec.keep, outcomes=spec.outcomes,
                       constants=constants, events=spec.base.events, point_lo=lo,
                       encoded={k: v[lo:hi] for k, v in enc.items()},
                       labels={label_cols[k]: v[lo:hi] for k, v in labels.items()},
                       event_values={k: design.table[k].to_numpy()[lo:hi] for k in ev_names},
                       n_slots=n_slots)


def auto_chunk_size(spec: SweepSpec, workers: int) -> int:
    """Chunks big enough for the core to be efficient, small enough to bound memory and keep every
    worker busy."""
    total = spec.n_runs()
    cap = 4096 if spec.keep == "summary" else max(16, 100_000 // spec.sprints)
    cap = max(16, min(cap, 4096 * 52 // spec.sprints))
    return int(max(1, min(cap, math.ceil(total / (4 * max(1, workers))))))


# --------------------------------------------------------------------------------------------
# Output directory, manifest and resume
# --------------------------------------------------------------------------------------------

MANIFEST = "_manifest.json"
DONE = "_done.jsonl"
DESIGN_FILE = "_design.parquet"


def read_manifest(out: str | Path) -> dict[str, Any]:
    path = Path(out) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(out), "out", "holds no pe-sim sweep (no _manifest.json)") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(str(path), "file", f"damaged manifest: {exc}") from None


def _write_manifest(out: Path, manifest: Mapping[str, Any]) -> None:
    data = json.dumps(manifest, indent=2, default=str).encode()
    _write_atomic(out / MANIFEST, lambda f: f.write(data))


def done_chunks(out: str | Path) -> set[int]:
    """Chunks recorded as finished whose part file exists (a torn last line is ignored)."""
    out = Path(out)
    done = set()
    try:
        lines = (out / DONE).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return done
    for line in lines:
        try:
            c = int(json.loads(line)["chunk"])
        except (ValueError, KeyError, TypeError):
            continue
        if (out / part_name(c)).is_file():
            done.add(c)
    return done


def _ours(p: Path) -> bool:
    n = p.name
    return (n.startswith("part-") and n.endswith(".parquet")) or n in (MANIFEST, DONE, DESIGN_FILE) or \
        (n.startswith(".part-") and n.endswith(".tmp"))


def _clear(out: Path) -> None:
    for p in out.iterdir():
        if p.is_file() and _ours(p):
            p.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_tmp(out: Path) -> None:
    for p in out.glob(".part-*.tmp"):
        try:
            pid = int(p.name.rsplit(".", 2)[-2].split("-")[0])
        except ValueError:
            pid = -1
        if pid <= 0 or not _alive(pid):
            p.unlink(missing_ok=True)


def _versions() -> dict[str, str]:
    import scipy
    return {"pe_sim": __version__, "python": platform.python_version(), "numpy": np.__version__,
            "pandas": pd.__version__, "pyarrow": pa.__version__, "scipy": scipy.__version__}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# --------------------------------------------------------------------------------------------
# Backends
# --------------------------------------------------------------------------------------------

def _watch_parent(pid: int) -> None:
    while True:
        time.sleep(0.5)
        if not _alive(pid):
            os._exit(1)


def _worker_init(parent: int) -> None:
    """Pool workers leave Ctrl-C to the parent and exit if it dies (e.g. kill -9)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _run_inline(jobs: Iterator[ChunkJob], out: Path, on_result: Callable[[dict], None]) -> None:
    for job in jobs:
        on_result(run_chunk(job, str(out)))


def _mp_context():
    """forkserver (safe with threads; workers import pe_sim once). Like any spawn-style start it
    re-imports the main script in workers, so scripts must guard their entry point with
    ``if __name__ == "__main__":``; a main that cannot be re-imported (``python - <<EOF``) falls
    back to fork."""
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    main_spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    if main_spec is None and main_file is not None and not Path(main_file).is_file() \
            and "fork" in mp.get_all_start_methods():
        return mp.get_context("fork")
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["pe_sim.sweep"])
        return ctx
    return mp.get_context("spawn")  # pragma: no cover


def _run_local(jobs: Iterator[ChunkJob], out: Path, workers: int, on_result: Callable[[dict], None]) -> None:
    ex = ProcessPoolExecutor(workers, mp_context=_mp_context(), initializer=_worker_init, initargs=(os.getpid(),))
    ok = False
    try:
        pending: set = set()

        def fill() -> None:
            while len(pending) < 2 * workers:
                job = next(jobs, None)
                if job is None:
                    return
                pending.add(ex.submit(run_chunk, job, str(out)))

        fill()
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                on_result(f.result())
            fill()
        ok = True
    finally:
        if not ok:  # Ctrl-C or a failed chunk: stop at once; finished parts are on disk
            for proc in list((getattr(ex, "_processes", None) or {}).values()):
                proc.terminate()
        ex.shutdown(wait=ok, cancel_futures=True)


def connect_dask(scheduler: str | None = None, scheduler_file: str | None = None, timeout: float = 20):
    """A ``distributed.Client`` for an existing cluster."""
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover
        raise ConfigError("--scheduler", "dask", "needs the distributed package: pip install 'pe-sim[distributed]'") from None
    try:
        if scheduler_file:
            if not Path(scheduler_file).is_file():
                raise ConfigError(scheduler_file, "--scheduler-file", "no such file")
            return Client(scheduler_file=scheduler_file, timeout=timeout)
        return Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        where = scheduler_file or scheduler
        raise ConfigError(str(where), "--scheduler", f"cannot connect to the Dask scheduler: {exc}") from None


def _run_dask(jobs: Iterator[ChunkJob], out: Path, client, tag: str, on_result: Callable[[dict], None]) -> None:
    from distributed import as_completed

    nthreads = sum(client.nthreads().values()) or 1
    window = 2 * nthreads + 2

    def submit(job: ChunkJob):
        return client.submit(run_chunk, job, None, key=f"pe-sim-{tag}-{job.index:06d}", pure=False, retries=3)

    first = [submit(j) for j in itertools.islice(jobs, window)]
    ac = as_completed(first)
    for fut in ac:
        res = fut.result()
        data = res.pop("data")
        _write_atomic(out / res["file"], lambda f: f.write(data))
        fut.release()
        on_result(res)
        nxt = next(jobs, None)
        if nxt is not None:
            ac.add(submit(nxt))


# --------------------------------------------------------------------------------------------
# Running a sweep
# --------------------------------------------------------------------------------------------

@dataclass
class SweepReport:
    """What a sweep call did."""

    out: Path
    runs: int
    points: int
    chunks: int
    chunks_run: int
    chunks_skipped: int
    seconds: float
    backend: str
    workers: int
    keep: str

    @property
    def rate(self) -> float:
        ran = self.runs * self.chunks_run / max(1, self.chunks)
        return ran / self.seconds if self.seconds > 0 else float("nan")

    def line(self) -> str:
        if not self.chunks_run:
            return (f"sweep already complete: {self.runs:,} runs ({self.points:,} points, {self.keep}) in "
                    f"{self.out} (pandas.read_parquet('{self.out}'))")
        how = (f"{self.chunks_run} of {self.chunks} chunks computed ({self.chunks_skipped} already done)"
               if self.chunks_skipped else f"{self.chunks} chunks")
        return (f"sweep done: {self.runs:,} runs ({self.points:,} points, {self.keep}) in {self.seconds:.1f} s, "
                f"{how}, {self.rate:,.0f} runs/s on {self.backend}; data in {self.out} "
                f"(pandas.read_parquet('{self.out}'))")


def run_sweep(spec: SweepSpec | str | Path | Mapping[str, Any], *, out: str | Path | None = None,
              workers: int | None = None, scheduler: str | None = None, scheduler_file: str | None = None,
              client=None, resume: bool = False, overwrite: bool = False, chunk_size: int | None = None,
              progress: bool = True) -> SweepReport:
    """Run (or finish, with ``resume``) a sweep, writing Parquet parts to ``out``.

    Local processes by default (``workers``: all cores); a Dask cluster given ``scheduler`` (address),
    ``scheduler_file`` or a ``distributed.Client``. ``resume`` finishes only the chunks not yet done;
    ``overwrite`` discards an existing sweep in ``out``. Local workers are started with forkserver, which
    re-imports the main script: in a script, call this under ``if __name__ == "__main__":``.
    """
    spec = as_spec(spec)
    out_dir = Path(out if out is not None else spec.out)
    if workers is not None and workers < 1:
        raise ConfigError("--workers", "workers", f"{workers} is not valid; expected at least 1")
    if chunk_size is not None and chunk_size < 1:
        raise ConfigError("--chunk-size", "chunk_size", f"{chunk_size} is not valid; expected at least 1")
    if resume and overwrite:
        raise ConfigError(str(out_dir), "out", "choose either resume or overwrite, not both")
    dask = client is not None or scheduler is not None or scheduler_file is not None
    n_workers = workers or default_workers()
    design = make_design(spec)
    total = design.n_points * spec.replicates
    digest = spec.digest()

    own_client = None
    if dask and client is None:  # connect first: a bad address must not leave a half-made output directory
        client = own_client = connect_dask(scheduler, scheduler_file)
    try:
        return _run_sweep(spec, out_dir, design, total, digest, n_workers, dask, client, resume, overwrite,
                          chunk_size, progress)
    finally:
        if own_client is not None:
            own_client.close()


def _run_sweep(spec: SweepSpec, out_dir: Path, design: Design, total: int, digest: str, n_workers: int, dask: bool,
               client, resume: bool, overwrite: bool, chunk_size: int | None, progress: bool) -> SweepReport:
    existing = out_dir.is_dir() and any(_ours(p) for p in out_dir.iterdir())
    done: set[int] = set()
    if existing and resume:
        manifest = read_manifest(out_dir)
        if manifest.get("digest") != digest:
            raise ConfigError(str(out_dir), "out", "holds a different sweep (its config, design or pe-sim version "
                                                   "differ); use another --out, or --overwrite to discard it")
        chunk = int(manifest["chunk_size"])
        _remove_stale_tmp(out_dir)
        done = done_chunks(out_dir)
    else:
        if existing and not overwrite:
            raise ConfigError(str(out_dir), "out", "already holds sweep data; pass --resume to finish it or "
                                                   "--overwrite to start again")
        if existing:
            _clear(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        chunk = chunk_size or spec.chunk_size or auto_chunk_size(spec, 1 if dask else n_workers)
        manifest = {"format": 1, "status": "running", "created": _now(), "digest": digest, "chunk_size": chunk,
                    "n_chunks": math.ceil(total / chunk), "runs": total, "points": design.n_points,
                    "replicates": spec.replicates, "sprints": spec.sprints, "seed": spec.seed, "keep": spec.keep,
                    "crn": spec.crn, "design": {"kind": spec.design, "points": spec.points, "levels": spec.levels,
                                                "factors": [f.describe() for f in spec.factors]},
                    "columns": {"varied": spec.label_columns(),
                                "outcomes": ({summary_name(o): {"outcome": o, "summary": summary_kind(o),
                                                                "meaning": OUTCOMES[o]} for o in spec.outcomes}
                                             if spec.keep == "summary" else {o: OUTCOMES[o] for o in spec.outcomes})},
                    "sweep": spec.to_dict(), "base": spec.base.to_dict(), "versions": _versions(),
                    "runs_log": []}
        pq.write_table(pa.Table.from_pandas(design.table, preserve_index=False), out_dir / DESIGN_FILE)
        (out_dir / DONE).write_text("", encoding="utf-8")
        _write_manifest(out_dir, manifest)

    n_chunks = math.ceil(total / chunk)
    todo = [c for c in range(n_chunks) if c not in done]
    done_runs = sum(min(total, (c + 1) * chunk) - c * chunk for c in done)
    backend = "dask" if dask else "inline" if (n_workers == 1 or len(todo) <= 1) else "processes"
    t0 = time.perf_counter()
    from tqdm.auto import tqdm

    bar = tqdm(total=total, initial=done_runs, unit="runs", unit_scale=total >= 100_000, disable=not progress or not todo,
               desc=spec.name, smoothing=0.05, dynamic_ncols=True, file=sys.stderr)
    log = open(out_dir / DONE, "a", encoding="utf-8")

    def on_result(res: dict) -> None:
        log.write(json.dumps({k: res[k] for k in ("chunk", "runs", "rows", "file")}) + "\n")
        log.flush()
        os.fsync(log.fileno())
        bar.update(res["runs"])

    jobs = iter_jobs(spec, design, chunk, todo)
    try:
        if todo:
            if dask:
                n_workers = len(client.scheduler_info().get("workers", {})) or n_workers
                _run_dask(jobs, out_dir, client, digest[:12], on_result)
            elif backend == "inline":
                _run_inline(jobs, out_dir, on_result)
            else:
                n_workers = min(n_workers, len(todo))
                _run_local(jobs, out_dir, n_workers, on_result)
    finally:
        bar.close()
        log.close()
    seconds = time.perf_counter() - t0
    missing = set(range(n_chunks)) - done_chunks(out_dir)
    if missing:  # pragma: no cover - would be a bug
        raise RuntimeError(f"sweep finished with {len(missing)} chunks missing: {sorted(missing)[:5]}")
    manifest = read_manifest(out_dir)
    manifest["status"] = "complete"
    manifest.setdefault("runs_log", []).append({"finished": _now(), "seconds": round(seconds, 3), "backend": backend,
                                                 "workers": n_workers, "chunks_run": len(todo)})
    _write_manifest(out_dir, manifest)
    return SweepReport(out_dir, total, design.n_points, n_chunks, len(todo), len(done), seconds,
                       backend if backend != "processes" else f"{n_workers} processes", n_workers, spec.keep)


def load_results(out: str | Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A finished sweep's tidy data, in run order (and sprint order for trajectories)."""
    df = pd.read_parquet(out, columns=list(columns) if columns else None)
    if "run" in df and not df["run"].is_monotonic_increasing:  # part files are read in name order; be sure
        df = df.sort_values(["run", "sprint"] if "sprint" in df else ["run"], kind="stable")
    return df.reset_index(drop=True)


def sweep(spec: SweepSpec | str | Path | Mapping[str, Any], *, out: str | Path | None = None,
          workers: int | None = None, scheduler: str | None = None, scheduler_file: str | None = None,
          client=None, resume: bool = True, overwrite: bool = False, chunk_size: int | None = None,
          progress: bool = True) -> pd.DataFrame:
    """Run a sweep (a TOML path, a dict of its tables, or a :class:`SweepSpec`) and return its tidy data.

    In Python ``resume`` defaults to True: calling again with the same sweep and ``out`` reuses the
    finished chunks (the data are deterministic), so re-running a notebook cell is cheap.
    """
    report = run_sweep(spec, out=out, workers=workers, scheduler=scheduler, scheduler_file=scheduler_file,
                       client=client, resume=resume and not overwrite, overwrite=overwrite, chunk_size=chunk_size,
                       progress=progress)
    df = load_results(report.out)
    df.attrs["out"] = str(report.out)
    return df


def describe(spec: SweepSpec, workers: int | None = None) -> str:
    """A short plan of a sweep (for --dry-run)."""
    design = make_design(spec)
    chunk = spec.chunk_size or auto_chunk_size(spec, workers or default_workers())
    lines = [f"sweep {spec.name!r}: base {spec.base.name!r}, design {spec.design}, {design.n_points:,} points x "
             f"{spec.replicates:,} replicates = {spec.n_runs():,} runs of {spec.sprints} sprints "
             f"({math.ceil(spec.n_runs() / chunk):,} chunk{'s' if math.ceil(spec.n_runs() / chunk) > 1 else ''} of {chunk:,}); keep {spec.keep}; seed {spec.seed}"
             f"{'; common random numbers' if spec.crn else ''}; out {spec.out}"]
    for f in spec.factors:
        vals = design.table[f.name]
        shown = ", ".join(map(str, pd.unique(vals)[:8]))
        lines.append(f"  {f.name}: {f.describe()}  -> {vals.nunique():,} distinct values ({shown}{', ...' if vals.nunique() > 8 else ''})")
    return "\n".join(lines)
