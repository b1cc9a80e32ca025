"""Sweep specs: the factors a sweep varies, validation of sweep TOMLs, :class:`SweepSpec`."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping, Sequence

import numpy as np
from scipy import stats
from scipy.special import ndtri

from pe_sim import __version__
from pe_sim.config import (COUNTED_EVENTS, MAX_CHUNK, Config, ConfigError, _check_int, _did_you_mean, _slug, as_int,
                           check_name, check_outcomes, check_param, check_shares, check_value, load as load_config,
                           read_toml, sprint_days_warning, toml_value)
from pe_sim.core.engine import OUTCOMES
from pe_sim.events import EVENT_KINDS, Event
from pe_sim.params import BY_NAME, Param, unused

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
SENSITIVITY_DESIGNS = {"sobol": "saltelli", "morris": "morris"}  # the design each method runs
SENSITIVITY_POINTS = {"sobol": 256, "morris": 20}  # base samples / trajectories when neither file nor caller says
# Sobol' bootstrap CIs need two base samples, Morris' sigma and mu* CI two effects per factor (one per trajectory)
MIN_SENSITIVITY_POINTS = 2
# Below these, `pe-sim sensitivity` warns: Saltelli estimators at fewer than 64 base samples often fall outside
# [0, 1] (cf. SALib's examples, which use 1024 or more); Morris rankings by mu* from fewer than 10 trajectories
# are unstable (Campolongo et al. 2007 use r = 10 to 20; the default here is 20).
STABLE_SENSITIVITY_POINTS = {"sobol": 64, "morris": 10}
UNBOUNDED_DISTS = ("normal", "lognormal")  # an inverse CDF that is infinite at 0 or 1
# Unit coordinates of an unbounded distribution are kept this far inside (0, 1): a sampled point of exactly 0 or 1
# (a scrambled Sobol' or LHS coordinate can be one) takes the quantile of the nearest double rather than +-inf
# (8.2 standard deviations of a normal).
TAIL = 2.0**-53
RULES = ("sweep", "sensitivity", "file")


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
    whole = kind in COUNTED_EVENTS
    return Param(name, "-", ek.magnitude, ek.lo, ek.hi, ek.magnitude_meaning, "events", "int" if whole else "float")


def _param(name: str) -> Param:
    return BY_NAME.get(name) or event_param(name)


def _check_value(file: str, key: str, name: str, value: Any) -> Any:
    if name in BY_NAME:
        return check_param(file, key, name, value)
    return check_value(file, key, event_param(name), value)


def with_event_values(events: tuple[Event, ...], values: Mapping[str, Any]) -> tuple[Event, ...]:
    """The timeline with varied fields (``{"kind.field": value}``) applied to the one event of each kind."""
    out = list(events)
    for name, v in values.items():
        kind, fld = name.split(".")
        i = next(j for j, e in enumerate(out) if e.kind == kind)
        out[i] = dataclasses.replace(out[i], **{fld: int(v) if fld in ("sprint", "duration") else float(v)})
    return tuple(sorted(out, key=lambda e: e.sprint))


def _one_event(file: str, key: str, base: Config, kind: str) -> None:
    """A sweep varies the fields of exactly one event of a kind, which the base scenario must have."""
    same = [e for e in base.events if e.kind == kind]
    if len(same) != 1:
        raise ConfigError(file, key, f"the base scenario has {len(same)} {kind} events; a sweep varies "
                                     f"the fields of exactly one (add it to the base's [[events]])")


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

    @property
    def unbounded(self) -> bool:
        """A distribution whose quantiles at 0 and 1 are infinite (normal, lognormal)."""
        return self.kind == "dist" and self.dist in UNBOUNDED_DISTS

    def words(self) -> str:
        """How this factor varies, for people: "values 0, 0.5, 1", "uniform 0.1 to 0.9 (log)"."""
        if self.kind == "values":
            return "values " + ", ".join(str(v) for v in self.values)
        if self.kind == "range":
            how = f"from {self.low:g} to {self.high:g}" + (" on a log scale" if self.log else "")
        else:
            how = f"{self.dist} (" + ", ".join(f"{k} {v:g}" for k, v in dict(self.args).items()) + ")"
        return how + (f", in {self.steps} steps" if self.steps else "")

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
        """Map unit-cube coordinates in [0, 1] to parameter values (an unbounded distribution takes its
        quantiles at ``u`` kept :data:`TAIL` inside (0, 1), so never an infinite one)."""
        u = np.asarray(u, dtype=np.float64)
        if self.kind == "values":
            return self.natural(self.values)[self._item(u)]
        p = self.param
        uniform = self.kind == "range" or self.dist == "uniform"
        if p.kind == "int" and uniform and not self.log:
            lo, hi = self._whole_bounds()
            return np.clip(np.floor(lo + u * (hi - lo + 1)), lo, hi).astype(np.int64)
        return self.natural(self._clip(self._ppf(u)))

    def _item(self, u: np.ndarray) -> np.ndarray:
        """The index of the list item each unit coordinate takes (equal shares of [0, 1])."""
        k = len(self.values)
        return np.clip(np.floor(u * k).astype(np.int64), 0, k - 1)

    def _whole_bounds(self) -> tuple[int, int]:
        """The lowest and highest whole numbers of an integer parameter's uniform range."""
        a = dict(self.args)
        return math.ceil(a.get("low", self.low)), math.floor(a.get("high", self.high))

    def positions(self, values: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Where ``values`` (taken by :meth:`from_unit` at ``u``) lie on this factor's own unit scale: for a list,
        the item's place (0 for the first, 1 for the last); for an integer parameter, the rounded value mapped back
        to the range's fraction (log fraction on a log scale) or the distribution's CDF; otherwise ``u`` itself.
        A Morris elementary effect divides by the change of this position, not of ``u``: rounding moves an
        integer or a list item by uneven steps (n_engineers 3 to 8 at four levels moves by 4 or by 3)."""
        u = np.asarray(u, dtype=np.float64)
        if self.kind == "values":
            return self._item(u) / max(len(self.values) - 1, 1)
        if self.param.kind != "int":
            return u
        x = np.asarray(values, dtype=np.float64)
        a = dict(self.args)
        if self.kind == "range" and self.log:
            return (np.log(x) - math.log(self.low)) / (math.log(self.high) - math.log(self.low))
        if self.kind == "range" or self.dist == "uniform":
            lo, hi = self._whole_bounds()
            return (x - lo) / max(hi - lo, 1)
        if self.dist == "normal":
            return stats.norm.cdf(x, a["mean"], a["sd"])
        if self.dist == "lognormal":
            return stats.lognorm.cdf(x, a["sigma"], scale=a["median"])
        lo, mode, hi = a["low"], a["mode"], a["high"]
        return stats.triang.cdf(x, (mode - lo) / (hi - lo), loc=lo, scale=hi - lo)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        a = dict(self.args)
        if self.kind == "range":
            if self.log:
                return np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low)))
            return self.low + u * (self.high - self.low)
        if self.dist == "uniform":
            return a["low"] + u * (a["high"] - a["low"])
        if self.dist in UNBOUNDED_DISTS:
            z = ndtri(np.clip(u, TAIL, 1.0 - TAIL))  # finite: ppf(0) and ppf(1) are -inf and +inf
            return a["mean"] + a["sd"] * z if self.dist == "normal" else a["median"] * np.exp(a["sigma"] * z)
        lo, mode, hi = a["low"], a["mode"], a["high"]
        return stats.triang.ppf(u, (mode - lo) / (hi - lo), loc=lo, scale=hi - lo)

    def _clip(self, v: np.ndarray) -> np.ndarray:
        return np.clip(v, self.param.lo, self.param.hi)

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
            # Python ints: a large grid's count overflows int64 (4 factors x 65,536 steps wrapped to 0 points)
            return math.prod(len(f.grid_values()) for f in self.factors)
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
        from pe_sim.core.jit import MODEL_DIGEST

        return {"pe_sim": __version__, "model": MODEL_DIGEST, "base": base, "factors": [f.describe() for f in self.factors],
                "design": self.design, "points": self.points, "levels": self.levels if self.design == "morris" else None,
                "replicates": self.replicates, "sprints": self.sprints, "seed": self.seed, "keep": self.keep,
                "outcomes": list(self.outcomes), "crn": self.crn, **self._morris_levels()}

    def _morris_levels(self) -> dict[str, str]:
        """In a Morris design of an unbounded distribution, the quantiles its levels take (see
        :func:`pe_sim.sweeps.design.morris_probabilities`): part of the identity, so a folder of runs made when those
        levels were its quantiles at 0 and 1, clipped to the parameter's limits, is not reused as this design's."""
        if self.design == "morris" and any(f.unbounded for f in self.factors):
            return {"morris_levels": "quantiles (k + 0.5) / levels"}
        return {}

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.identity(), sort_keys=True, default=str).encode()).hexdigest()

    def event_warnings(self) -> list[str]:
        """:func:`pe_sim.config.event_warnings` for the base scenario at the sweep's horizon, without the lines
        about events whose sprint or duration the sweep varies (each design point times those itself)."""
        from pe_sim.config import event_warnings

        timed = frozenset(f.name.partition(".")[0] for f in self.factors if f.is_event and not f.name.endswith(".magnitude"))
        lines = event_warnings(self.base, self.sprints, timed, frozenset(self.varied))
        days = next((f for f in self.factors if f.name == "sprint_days"), None)
        if days is not None and not (days.kind == "values" and set(days.values) == {BY_NAME["sprint_days"].default}):
            lines.append(sprint_days_warning(f"{self.file}: vary.sprint_days"))
        if not any(f.name == "roadmap_mode" for f in self.factors):  # else some points use it
            idle = [f.name for f in self.factors if f.name in unused(self.base.params)]
            lines += [f"vary.{name}: the base {self.base.name} plans one roadmap, which does not use {name}: every "
                      f"value gives the same numbers (vary it on a split-backlogs base, or vary roadmap_mode too)"
                      for name in idle]
        return lines

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
        raise ConfigError(file, key, f"{toml_value(v)} is not a number")
    return float(v)


def _int(file: str, key: str, v: Any, lo: int, hi: int, what: str = "an integer") -> int:
    """An integer key of a sweep file, by the rule of every integer key (:func:`pe_sim.config.as_int`)."""
    whole = as_int(v)
    if whole is None or not (lo <= whole <= hi):
        raise ConfigError(file, key, f"{toml_value(v)} is not valid; expected {what} in [{lo}, {hi}]")
    return whole


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
            raise ConfigError(file, key, f"{toml_value(list(raw))} repeats a value; list each value once")
        return Factor(name, "values", vals)
    if not isinstance(raw, dict):
        raise ConfigError(file, key, f"{toml_value(raw)} is a single value; expected a list [a, b, ...], a range "
                                     "{ low = .., high = .. } or a distribution { dist = \"normal\", mean = .., sd = .. } "
                                     "(fixed values belong in the base scenario's [params])")
    if p.kind in ("choice", "bool"):
        example = list(p.choices) if p.kind == "choice" else [True, False]
        raise ConfigError(file, key, f"{name} takes {p.a_kind}, so it is varied by a list of values, e.g. {json.dumps(example)}")
    steps = raw.get("steps", 0)
    if "steps" in raw:
        steps = _int(file, f"{key}.steps", steps, 1, 100_000, "a whole number of steps")
    if "dist" in raw:
        dist = raw["dist"]
        if not isinstance(dist, str) or dist not in DISTS:
            raise ConfigError(file, f"{key}.dist", f"{toml_value(dist)} is not a distribution{_did_you_mean(str(dist), DISTS)}; "
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
            if p.kind == "int" and math.ceil(a["low"]) > math.floor(a["high"]):  # every draw would round outside it
                raise ConfigError(file, key, f"{a['low']:g} to {a['high']:g} holds no whole number; {name} takes "
                                             "whole numbers")
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
        raise ConfigError(file, f"{key}.log", f"{toml_value(log)} is not a boolean; expected true or false")
    if log and low <= 0:
        raise ConfigError(file, f"{key}.low", f"{low:g} is not valid for a log range; expected low > 0")
    if steps == 1:
        raise ConfigError(file, f"{key}.steps", "1 is not valid for a range; expected at least 2 steps")
    return Factor(name, "range", low=low, high=high, steps=steps, log=log)


def sweep_from_dict(data: Mapping[str, Any], file: str = "<dict>", base_dir: str | Path | None = None,
                    rules: str = "sweep") -> SweepSpec:
    """Validate a parsed sweep (the TOML's tables) into a :class:`SweepSpec`.

    ``rules``: ``"sweep"`` holds the file to the design it names (what `pe-sim sweep` runs);
    ``"sensitivity"`` leaves the design's rules out, as `pe-sim sensitivity` replaces the design with its own
    (:func:`sensitivity_design` checks that one); ``"file"`` (`pe-sim validate`) checks what the file sets up:
    its sweep, and with a [sensitivity] table that analysis too (without a design key such a file is no grid
    sweep, so a grid's rules are not applied).
    """
    if rules not in RULES:
        raise ValueError(f"rules: {rules!r} is not one of {', '.join(RULES)}")
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
            raise ConfigError(file, f"sweep.{k}", f"{toml_value(sw[k])} is not text; expected a string")
    if "base" not in sw:
        raise ConfigError(file, "sweep.base", "missing; expected a shipped scenario name (e.g. \"split_backlogs\") "
                                              "or a path to a scenario TOML")
    base_ref = sw["base"]
    base_path = Path(base_dir) / base_ref if base_dir is not None else None
    try:
        base = load_config(base_path if base_path is not None and base_path.is_file() else base_ref)
    except ConfigError as exc:
        if exc.key == "file" and exc.file == str(base_ref):
            raise ConfigError(file, "sweep.base", f"{toml_value(base_ref)}: {exc.problem}") from None
        raise
    design = sw.get("design", "grid")
    if design not in DESIGNS:
        raise ConfigError(file, "sweep.design", f"{toml_value(design)} is not a design{_did_you_mean(design, DESIGNS)}; "
                                                f"expected one of {', '.join(DESIGNS)}")
    vary = data.get("vary", {})
    if not isinstance(vary, dict):
        raise ConfigError(file, "vary", "expected a [vary] table of parameter = values/range/distribution")
    factors = []
    for k, v in vary.items():
        if k in EVENT_KINDS and isinstance(v, dict):  # [vary.<event kind>] sprint / duration / magnitude
            _one_event(file, f"vary.{k}", base, k)
            for fld, fv in v.items():
                if fld not in EVENT_FIELDS:
                    raise _unknown_key(file, f"vary.{k}.{fld}", fld, EVENT_FIELDS)
                factors.append(check_factor(file, f"vary.{k}.{fld}", f"{k}.{fld}", fv))
        else:
            factors.append(check_factor(file, f"vary.{k}", k, v))
            if factors[-1].is_event:  # "kind.field" = ..., the same event field in one key
                _one_event(file, f"vary.{k}", base, k.partition(".")[0])
    factors = tuple(factors)
    highest = dict(base.params)  # the largest value each varied weight can take in the design
    for f in factors:
        if f.name in highest and f.param.kind == "float":
            highest[f.name] = (max(f.values) if f.kind == "values" else f.high if f.kind == "range"
                               else dict(f.args).get("high", f.param.hi))  # a distribution is clipped to the range
    check_shares(file, highest, "vary.", " at the top of the varied ranges")
    points = sw.get("points")
    if points is not None:
        points = _int(file, "sweep.points", points, 1, MAX_RUNS, "a number of points")
    # `pe-sim sensitivity` replaces the file's design with its own, so its rules are not the design's
    as_sweep = rules == "sweep" or (rules == "file" and ("design" in sw or "sensitivity" not in data))
    if as_sweep:
        # a file that may be meant for `pe-sim sensitivity` is told that it needs none of this there
        hint = "" if "design" in sw and "sensitivity" not in data else \
            " (`pe-sim sensitivity` uses its own design and needs no steps)"
        _design_rules(file, design, points, factors, hint, grid_points="sensitivity" not in data)
    replicates = _int(file, "sweep.replicates", sw.get("replicates", 10), 1, MAX_RUNS, "a number of replicates")
    sprints = _int(file, "sweep.sprints", sw.get("sprints", base.sprints), 1, 1000, "a number of sprints")
    seed = _int(file, "sweep.seed", sw.get("seed", base.seed), 0, 2**63 - 1, "a seed")
    keep = sw.get("keep", "summary")
    if keep not in KEEPS:
        raise ConfigError(file, "sweep.keep", f"{toml_value(keep)} is not valid{_did_you_mean(keep, KEEPS)}; "
                                              f"expected one of {', '.join(KEEPS)}")
    outcomes = check_outcomes(file, "sweep.outcomes", sw.get("outcomes", list(OUTCOMES)))
    chunk_size = sw.get("chunk_size")
    if chunk_size is not None:
        chunk_size = _int(file, "sweep.chunk_size", chunk_size, 1, MAX_CHUNK, "a number of runs")
    crn = sw.get("crn", False)
    if not isinstance(crn, bool):
        raise ConfigError(file, "sweep.crn", f"{toml_value(crn)} is not a boolean; expected true or false")
    # The name becomes the default output folder, results/<name>: the same rule as scenario names.
    name = check_name(file, sw["name"], "sweep.name") if sw.get("name") else \
        _slug(Path(file).stem if file.endswith(".toml") else "sweep")
    sens = data.get("sensitivity", {})
    if not isinstance(sens, dict):
        raise ConfigError(file, "sensitivity", "expected a [sensitivity] table")
    for k in sens:
        if k not in SENSITIVITY_KEYS:
            raise _unknown_key(file, f"sensitivity.{k}", k, SENSITIVITY_KEYS)
    sens = dict(sens)
    if "method" in sens and (not isinstance(sens["method"], str) or sens["method"] not in SENSITIVITY_METHODS):
        raise ConfigError(file, "sensitivity.method", f"{toml_value(sens['method'])} is not valid; expected one of "
                                                      f"{', '.join(SENSITIVITY_METHODS)}")
    if "outcomes" in sens:
        sens["outcomes"] = list(check_outcomes(file, "sensitivity.outcomes", sens["outcomes"]))
    levels = sens.get("levels", 4)
    levels = _int(file, "sensitivity.levels", levels, 2, 100, "an even number of levels")
    if levels % 2:
        raise ConfigError(file, "sensitivity.levels", f"{levels} is odd; expected an even number of levels (e.g. 4)")
    if "confidence" in sens and not (isinstance(sens["confidence"], float) and 0.5 <= sens["confidence"] < 1):
        raise ConfigError(file, "sensitivity.confidence", f"{toml_value(sens['confidence'])} is not valid; expected a number in [0.5, 1)")
    if "resamples" in sens:
        _int(file, "sensitivity.resamples", sens["resamples"], 10, 1_000_000, "a number of resamples")
    spec = SweepSpec(name=name, base=base, base_ref=base_ref, factors=factors, design=design, points=points,
                     replicates=replicates, sprints=sprints, seed=seed, keep=keep, outcomes=outcomes,
                     out=sw.get("out", f"results/{name}"), chunk_size=chunk_size, crn=crn,
                     description=sw.get("description", ""), file=file, sensitivity=MappingProxyType(sens),
                     levels=levels)
    if as_sweep:
        check_size(spec)
    if rules == "file" and "sensitivity" in data:  # the analysis the file sets up, with its own method and points
        sensitivity_design(spec)
    return spec


def _design_rules(file: str, design: str, points: int | None, factors: Sequence[Factor], hint: str = "",
                  grid_points: bool = True) -> None:
    """The rules of the design a sweep file names. ``grid_points``: refuse points in a grid design (a file
    with a [sensitivity] table may give them to `pe-sim sensitivity`)."""
    if design != "grid":
        for f in factors:
            if f.steps:  # a sampled design draws from the whole range; steps would be silently ignored
                raise ConfigError(file, f"vary.{f.name}.steps", f"steps apply to a grid design only; a {design} design "
                                                                "samples the whole range (remove steps, or use design = \"grid\")")
        _sampled_needs(file, design, points, factors)
        if design in ("sobol", "saltelli") and points & (points - 1):
            lo = 1 << (points.bit_length() - 1)
            raise ConfigError(file, "sweep.points", f"{points} is not a power of 2 (Sobol' sequences are balanced "
                                                    f"only at powers of 2); try {lo} or {2 * lo}")
        return
    _grid_needs_steps(file, factors, hint)
    if grid_points and points is not None:  # a grid is every combination of the values; points would be ignored
        raise ConfigError(file, "sweep.points", f"{points} is not used by a grid design, which runs every combination "
                                                "of the [vary] values; remove points, or choose a sampled design that "
                                                f"draws {points} points (design = \"lhs\" or \"sobol\")")


def _grid_needs_steps(file: str, factors: Sequence[Factor], hint: str = "") -> None:
    for f in factors:
        if f.kind != "values" and not f.steps:
            raise ConfigError(file, f"vary.{f.name}", f"a {'range' if f.kind == 'range' else 'distribution'} "
                                                      f"in a grid design needs steps, e.g. steps = 5{hint}")


def _sampled_needs(file: str, design: str, points: int | None, factors: Sequence[Factor]) -> None:
    if not factors:
        raise ConfigError(file, "vary", f"empty; a {design} design needs at least one parameter to vary")
    if points is None:
        raise ConfigError(file, "sweep.points", f"missing; a {design} design needs the number of "
                                                f"{'trajectories' if design == 'morris' else 'points'}")


def check_runnable(spec: SweepSpec) -> None:
    """What running a spec needs of its design (a spec read for `pe-sim sensitivity` or `validate` was not held to
    its design's rules): a grid's ranges need steps, a sampled design its points."""
    if spec.design == "grid":
        _grid_needs_steps(spec.file, spec.factors)
    else:
        _sampled_needs(spec.file, spec.design, spec.points, spec.factors)


def check_size(spec: SweepSpec, what: str = "") -> None:
    """Refuse more than :data:`MAX_RUNS` runs, counted exactly (the count says how far over it is)."""
    n = spec.n_runs()
    if n > MAX_RUNS:
        reps = f"{spec.replicates:,} replicate{'s' if spec.replicates > 1 else ''}"
        raise ConfigError(spec.file, "sweep", f"{what}{spec.n_points():,} points x {reps} = {n:,} runs; "
                                              f"at most {MAX_RUNS:,} runs per sweep")


def sensitivity_design(spec: SweepSpec, method: str | None = None, points: int | None = None) -> SweepSpec:
    """The sweep `pe-sim sensitivity` runs for ``spec``: the Saltelli (``method`` sobol) or Morris design of its
    factors, with ``points`` base samples or trajectories (else the file's [sweep].points, else a default),
    summaries kept. Refuses a method or points the analysis cannot use."""
    method = method or spec.sensitivity.get("method", "sobol")
    if method not in SENSITIVITY_DESIGNS:
        raise ConfigError(spec.file, "sensitivity.method", f"{toml_value(method)} is not valid; expected one of "
                                                           f"{', '.join(SENSITIVITY_DESIGNS)}")
    if not spec.factors:
        raise ConfigError(spec.file, "vary", "empty; sensitivity needs at least one parameter to vary")
    file, key = ("sensitivity", "points") if points else (spec.file, "sweep.points")  # like compare: runs
    if points is not None:  # a Python caller's: a whole number (the CLI's is one already)
        points = _check_int("sensitivity", "points", points, 1, 2**31)
    points = points or spec.points or SENSITIVITY_POINTS[method]
    if method == "morris" and points < MIN_SENSITIVITY_POINTS:
        raise ConfigError(file, key, f"{points} is too few trajectories for Morris screening; expected at least "
                                     f"{MIN_SENSITIVITY_POINTS} (sigma and the CI of mu* need two elementary effects "
                                     f"of each parameter; {STABLE_SENSITIVITY_POINTS['morris']} or more for a stable "
                                     "ranking, 20 is usual)")
    if method == "sobol" and points < MIN_SENSITIVITY_POINTS:
        raise ConfigError(file, key, f"{points} is too few base samples for Sobol' indices; expected a power of 2, at "
                                     f"least {MIN_SENSITIVITY_POINTS} (the bootstrap CIs need two; "
                                     f"{STABLE_SENSITIVITY_POINTS['sobol']} or more for stable indices)")
    if method == "sobol" and points & (points - 1):
        lo = 1 << (points.bit_length() - 1)
        raise ConfigError(file, key, f"{points} is not a power of 2 (needed for Sobol' indices); try {lo} or {2 * lo}")
    design = SENSITIVITY_DESIGNS[method]
    sspec = spec.replace(design=design, points=points, keep="summary")
    check_size(sspec, f"the {design} design of {method} sensitivity: ")
    return sspec


SWEEP_DIR = Path(__file__).resolve().parent.parent / "sweep_configs"


def sweep_names() -> list[str]:
    """The example sweeps that ship with pe-sim (usable by name from any folder)."""
    return sorted(p.stem for p in SWEEP_DIR.glob("*.toml"))


def load_sweep(path: str | Path, rules: str = "file") -> SweepSpec:
    """Load and validate a sweep TOML, given its path or the name of a shipped example (``rules``: see
    :func:`sweep_from_dict`; a sweep run from it checks what running needs, :func:`check_runnable`)."""
    path = Path(path)
    if not path.is_file() and (SWEEP_DIR / f"{path}.toml").is_file():
        path = SWEEP_DIR / f"{path}.toml"
    if not path.is_file():
        raise ConfigError(str(path), "file", f"no such sweep file or shipped example "
                                             f"(shipped: {', '.join(sweep_names())})")
    return sweep_from_dict(read_toml(path), str(path), path.parent, rules)


def as_spec(spec: SweepSpec | str | Path | Mapping[str, Any], rules: str = "sweep") -> SweepSpec:
    if isinstance(spec, SweepSpec):
        return spec
    if isinstance(spec, Mapping):
        return sweep_from_dict(spec, rules=rules)
    return load_sweep(spec, rules)
