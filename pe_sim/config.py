"""Scenario configs: TOML files validated into immutable :class:`Config` objects.

A config has four tables, all optional::

    [scenario]           name, description, source (which seed document it comes from)
    [params]             any parameter from `pe-sim params`
    [[events]]           kind, sprint, duration, magnitude (see pe_sim.events.EVENT_KINDS)
    [run]                runs, sprints, seed (defaults for `pe-sim run`)

Every problem raises :class:`ConfigError` naming the file, the key, the value (as TOML spells it:
:func:`toml_value`) and what is valid. Integer keys take 6 or 6.0 alike, never 6.5 (:func:`as_int`).
"""

from __future__ import annotations

import codecs
import difflib
import json
import numbers
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping, Sequence

from pe_sim.events import EVENT_KINDS, Event
from pe_sim.params import BY_NAME, Param, defaults

SCENARIO_DIR = Path(__file__).parent / "scenarios"
RUN_DEFAULTS = {"runs": 200, "sprints": 52, "seed": 20261122}
RUN_LIMITS = {"runs": (1, 10_000_000), "sprints": (1, 1000), "seed": (0, 2**63 - 1)}
MAX_CHUNK = 1_000_000  # runs in one sweep chunk (a sweep file's chunk_size and the CLI's --chunk-size)
MIN_RESAMPLES = 100  # bootstrap resamples of a confidence interval: fewer give noise, or none at all
RESAMPLES_LIMITS = (MIN_RESAMPLES, 1_000_000)
TOP_KEYS = ("scenario", "params", "events", "run")
SCENARIO_KEYS = ("name", "description", "source")
COUNTED_EVENTS = ("key_engineer_leaves", "hiring_wave", "team_size")  # magnitudes that count engineers
EVENT_KEYS = ("kind", "sprint", "duration", "magnitude")


# Characters a terminal acts on rather than shows: C0 controls (escape sequences can recolour it or
# retitle its window), DEL, C1 controls, and the bidirectional overrides and isolates (which reorder
# the text around them).
_UNSHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def shown(text: str) -> str:
    """``text`` as it may be printed: what a terminal would act on is shown escaped (\\x1b, \\u202e)."""
    return _UNSHOWN.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)


class ConfigError(ValueError):
    """A config problem, phrased for the person who wrote the file. The message is one line that is
    safe to print: a file name, key or value from the user's files is shown with its control
    characters escaped (:func:`shown`)."""

    def __init__(self, file: str, key: str, problem: str):
        self.file, self.key, self.problem = file, key, problem
        super().__init__(shown(f"{file}: {key}: {problem}"))


NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
SHOWN_CHARS = 60  # a message shows this much of a value: a pasted list or a 400-digit number stays one readable line
SHOWN_ITEMS = 10  # items of a list or table shown, and ...
SHOWN_DEPTH = 3  # ... levels of nesting (deeper ones as [...]), so that showing a value is cheap and cannot recurse far


def toml_value(value: Any) -> str:
    """A value as a TOML file spells it, for messages: true, 'text', [1, 2], { a = 1 }, nan; long ones cut.

    Whoever wrote the file wrote TOML, so Python's spelling (True, {'a': 1}) is not what they see."""
    text = _toml(value, 0)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS - 3] + "..."


def _toml(value: Any, depth: int) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):  # numpy integers too
        value = int(value)
        # str() of a huge integer is slow, or refused past 4300 digits; TOML hex integers can be that long
        return str(value) if value.bit_length() <= 1000 else "an integer of over 300 digits"
    if isinstance(value, numbers.Real):
        return repr(float(value))  # Python spells floats as TOML does: 6.0, 1e-05, 1e+20, inf, -inf, nan
    if isinstance(value, str):
        if "'" not in value and not _UNSHOWN.search(value):
            return f"'{value}'"  # a TOML literal string: what was written, no escapes
        return _UNSHOWN.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False))  # a TOML basic string
    if isinstance(value, (list, tuple)):
        if depth >= SHOWN_DEPTH:
            return "[...]"
        items = [_toml(v, depth + 1) for v in value[:SHOWN_ITEMS]]
        return "[" + ", ".join(items + ["..."] * (len(value) > SHOWN_ITEMS)) + "]"
    if isinstance(value, Mapping):
        if depth >= SHOWN_DEPTH:
            return "{...}"
        pairs = [f"{k if isinstance(k, str) and BARE_KEY.fullmatch(k) else _toml(str(k), depth)} = {_toml(v, depth + 1)}"
                 for k, v in list(value.items())[:SHOWN_ITEMS]]
        return "{ " + ", ".join(pairs + ["..."] * (len(value) > SHOWN_ITEMS)) + " }" if pairs else "{}"
    if hasattr(value, "isoformat"):  # TOML dates, times and date-times
        return value.isoformat()
    return repr(value)  # not a TOML value (None, an object given to the Python API): Python's spelling is the truth


def as_int(value: Any) -> int | None:
    """An integer key's value as an int, or None if it is not one.

    The rule for every integer key (parameters, [run], event fields): an integer, or a float with no
    fraction (TOML's 6.0 or 1e1, a numpy float from the Python API), since both name a whole number;
    never a boolean, and never 6.5."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and float(value).is_integer():  # False for nan and inf
        return int(value)
    return None


def check_name(file: str, name: str, key: str = "scenario.name") -> str:
    """A scenario (or sweep) name, which becomes part of output file names: 1-64 ASCII letters, digits, '_',
    '.', '-', starting with a letter or digit. '..' is refused anywhere in it (as :func:`_slug` removes it), so
    that no name reads as a parent folder. Callers take an empty or missing name to mean the file's own name
    (made safe by :func:`_slug`) and do not pass it here; the message says so."""
    if not NAME_PATTERN.fullmatch(name) or ".." in name:
        raise ConfigError(file, key, f"{toml_value(name)} cannot be used in file names; expected 1-64 ASCII "
                                     "letters, digits, '_', '.' or '-', starting with a letter or digit, with no "
                                     "'..' (or leave it out or empty to use the file's name)")
    return name


def _slug(text: str) -> str:
    """A safe name made from a file name."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._-")[:64].replace("..", "_")
    return slug or "custom"


def _did_you_mean(word: Any, options) -> str:
    if not isinstance(word, str):
        word = toml_value(word)  # not str(): that of an integer of thousands of digits raises
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _unknown(file: str, key: str, word: str, options) -> ConfigError:
    valid = (f"valid: {', '.join(sorted(options))}" if len(options) <= 12
             else "`pe-sim params` lists the valid names")
    return ConfigError(file, key, f"unknown key {toml_value(word)}{_did_you_mean(word, options)} ({valid})")


@dataclass(frozen=True)
class Config:
    """A validated scenario: parameter values, an event timeline and run defaults."""

    name: str
    description: str = ""
    source: str = ""
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType(defaults()))
    events: tuple[Event, ...] = ()
    runs: int = RUN_DEFAULTS["runs"]
    sprints: int = RUN_DEFAULTS["sprints"]
    seed: int = RUN_DEFAULTS["seed"]
    path: str = ""

    def with_params(self, **changes: Any) -> "Config":
        """A copy with some parameters changed (validated)."""
        merged = dict(self.params)
        where = f"{self.name} (keyword arguments)"  # the changes are the caller's, not the scenario file's
        for k, v in changes.items():
            merged[k] = check_param(where, k, k, v)
        check_shares(where, merged, key_prefix="")
        return replace(self, params=MappingProxyType(merged))

    def with_events(self, events: tuple[Event, ...]) -> "Config":
        return replace(self, events=tuple(events))

    def to_dict(self) -> dict[str, Any]:
        """Plain data for manifests: everything needed to rerun this config."""
        return {"scenario": {"name": self.name, "description": self.description, "source": self.source},
                "params": dict(self.params),
                "events": [e.__dict__ for e in self.events],
                "run": {"runs": self.runs, "sprints": self.sprints, "seed": self.seed},
                "path": self.path}


# Weights whose remainder (1 minus their sum) weighs one more term of the same rule
# (feeling_valued, growth, estimation_next): each lies in [0, 1], and so must their sum.
SHARE_GROUPS = (("valued_w_respect", "valued_w_involvement", "valued_w_heard"),
                ("growth_w_tech", "growth_w_discovery", "growth_w_ownership"),
                ("estimation_base", "estimation_w_alignment", "estimation_w_ownership"))


def check_shares(file: str, values: Mapping[str, Any], key_prefix: str = "params.", what: str = "") -> None:
    """Refuse weights of a share group (:data:`SHARE_GROUPS`) that add up to more than 1."""
    for group in SHARE_GROUPS:
        total = sum(float(values[k]) for k in group)
        if total > 1.0 + 1e-9:
            parts = " + ".join(f"{k} {float(values[k]):g}" for k in group)
            raise ConfigError(file, key_prefix + group[0], f"{parts} = {total:g}{what} is above 1; the rest, 1 minus "
                                                           "their sum, weighs one more term, so they may add up to 1 at most")


def check_param(file: str, key: str, name: str, value: Any) -> Any:
    """Validate one parameter value against the table; returns the normalised value."""
    if name not in BY_NAME:
        raise _unknown(file, key, name, BY_NAME)
    return check_value(file, key, BY_NAME[name], value)


def check_value(file: str, key: str, p: Param, value: Any) -> Any:
    """Validate a value against one :class:`~pe_sim.params.Param` (kind, choices, range)."""
    if p.kind == "choice":
        if not isinstance(value, str) or value not in p.choices:
            raise ConfigError(file, key, f"{toml_value(value)} is not a valid choice{_did_you_mean(value, p.choices)}; "
                                         f"expected one of {', '.join(p.choices)}")
        return value
    if p.kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(file, key, f"{toml_value(value)} is not a boolean; expected true or false")
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError(file, key, f"{toml_value(value)} is not a number; expected {p.a_kind} in "
                                     f"{p.describe_range()} ({p.unit})")
    if value != value or value in (float("inf"), float("-inf")):
        raise ConfigError(file, key, f"{toml_value(value)} is not a finite number; expected {p.describe_range()} "
                                     f"({p.unit}): {p.meaning}")
    whole = as_int(value)  # no float() of an integer: one too large for a float is merely out of range
    if p.kind == "int" and whole is None:
        raise ConfigError(file, key, f"{toml_value(value)} is not a whole number; expected an integer in {p.describe_range()}")
    if not (p.lo <= value <= p.hi):
        raise ConfigError(file, key, f"{toml_value(value)} is out of range; expected {p.describe_range()} "
                                     f"({p.unit}): {p.meaning}")
    return whole if p.kind == "int" else float(value)


def _check_int(file: str, key: str, value: Any, lo: int, hi: int) -> int:
    """An integer key outside the parameter table ([run], event fields): :func:`as_int`'s rule, then the range."""
    whole = as_int(value)
    if whole is None or not (lo <= whole <= hi):
        raise ConfigError(file, key, f"{toml_value(value)} is not valid; expected an integer in [{lo}, {hi}]")
    return whole


def check_run_settings(where: str, **values: Any) -> dict[str, int]:
    """``runs``, ``sprints``, ``seed`` (and ``run``, a run index, or ``resamples``) given to the Python
    API, checked against the limits a config's [run] table and the CLI have (numpy integers, and floats
    with no fraction, are fine: :func:`as_int`); returns them as ints."""
    limits = {**RUN_LIMITS, "run": (0, 2**63 - 1), "resamples": RESAMPLES_LIMITS}
    return {key: _check_int(where, key, value, *limits[key]) for key, value in values.items()}


def as_config(value: Any, where: str, key: str = "config") -> "Config":
    """A :class:`Config`, or one loaded from a scenario TOML path or a shipped scenario's name, for the
    Python API; anything else is one clear error naming the argument."""
    if isinstance(value, Config):
        return value
    if isinstance(value, (str, Path)):
        return load(value)
    raise ConfigError(where, key, f"got a value of type {type(value).__name__}; expected a Config, a scenario TOML path or "
                                  "a shipped scenario's name (`pe-sim scenarios` lists them)")


def check_outcomes(file: str, key: str, raw: Any) -> tuple[str, ...]:
    """A list of outcome names (one name is a list of one), each known and none twice."""
    from pe_sim.outcomes import OUTCOMES

    if isinstance(raw, str):
        raw = [raw]
    if isinstance(raw, tuple):
        raw = list(raw)
    if not isinstance(raw, list) or not raw:
        raise ConfigError(file, key, f"{toml_value(raw)} is not valid; expected a list of outcome names")
    for i, o in enumerate(raw):
        if not isinstance(o, str) or o not in OUTCOMES:
            raise ConfigError(file, f"{key}[{i}]", f"unknown outcome {toml_value(o)}{_did_you_mean(o, OUTCOMES)} "
                                                   f"(valid: {', '.join(OUTCOMES)})")
    twice = sorted({o for o in raw if raw.count(o) > 1})
    if twice:
        raise ConfigError(file, key, f"lists {toml_value(twice[0])} twice")
    return tuple(raw)


def check_per_run(file: str, per_run: Mapping[str, Any] | None, runs: int) -> dict[str, Any] | None:
    """Parameters given one value per run (``per_run`` of compare and run): each a known parameter
    with ``runs`` finite values within its range (choices and booleans as their codes); returns them
    as float arrays."""
    import numpy as np

    if per_run is None:
        return None
    out = {}
    for name, raw in per_run.items():
        key = f"per_run[{name!r}]"
        if name not in BY_NAME:
            raise _unknown(file, key, str(name), BY_NAME)
        p = BY_NAME[name]
        try:
            v = np.asarray(raw, dtype=np.float64)
        except (TypeError, ValueError):
            raise ConfigError(file, key, f"expected numbers, one per run ({runs})") from None
        if v.shape != (runs,):
            raise ConfigError(file, key, f"has shape {v.shape}; expected one value per run ({runs},)")
        lo, hi = (p.lo, p.hi) if p.kind in ("float", "int") else (0, len(p.choices) - 1 if p.kind == "choice" else 1)
        whole = p.kind != "float"
        bad = ~np.isfinite(v) | (v < lo) | (v > hi) | (whole & (v != np.round(v)))
        if bad.any():
            i = int(np.argmax(bad))
            what = p.describe_range() if p.kind in ("float", "int") else f"a code from 0 to {int(hi)} ({p.describe_range()})"
            raise ConfigError(file, key, f"run {i}'s value {toml_value(float(v[i]))} is not valid; expected {what}")
        out[name] = v
    return out


def check_event(file: str, key: str, raw: Any) -> Event:
    if not isinstance(raw, dict):
        raise ConfigError(file, key, f"{toml_value(raw)} is not a table; expected kind, sprint, duration, magnitude")
    for k in raw:
        if k not in EVENT_KEYS:
            raise _unknown(file, f"{key}.{k}", k, EVENT_KEYS)
    if "kind" not in raw:
        raise ConfigError(file, f"{key}.kind", f"missing; expected the kind of event, one of {', '.join(EVENT_KINDS)}")
    kind = raw["kind"]
    if not isinstance(kind, str) or kind not in EVENT_KINDS:
        raise ConfigError(file, f"{key}.kind", f"{toml_value(kind)} is not an event kind"
                                               f"{_did_you_mean(kind, EVENT_KINDS)}; "
                                               f"expected one of {', '.join(EVENT_KINDS)}")
    if "sprint" not in raw:
        raise ConfigError(file, f"{key}.sprint", "missing; expected the sprint (0-based) the event happens at")
    sprint = _check_int(file, f"{key}.sprint", raw["sprint"], 0, RUN_LIMITS["sprints"][1])
    ek = EVENT_KINDS[kind]
    duration = _check_int(file, f"{key}.duration", raw.get("duration", ek.duration), 1, 1000)
    if kind == "team_size" and "magnitude" not in raw:  # a size is what the event is: no default to fall back on
        raise ConfigError(file, f"{key}.magnitude", f"missing; team_size sets the team's size, so it needs one "
                                                    f"(an integer in [{ek.lo:g}, {ek.hi:g}]: {ek.magnitude_meaning})")
    mag = raw.get("magnitude", ek.magnitude)
    if isinstance(mag, bool) or not isinstance(mag, numbers.Real) or not (ek.lo <= mag <= ek.hi):
        raise ConfigError(file, f"{key}.magnitude", f"{toml_value(mag)} is not valid for {kind}; expected a number in "
                                                    f"[{ek.lo:g}, {ek.hi:g}] ({ek.magnitude_meaning})")
    if kind in COUNTED_EVENTS and as_int(mag) is None:
        raise ConfigError(file, f"{key}.magnitude", f"{toml_value(mag)} is not a whole number; {kind} counts engineers "
                                                    f"(expected an integer in [{ek.lo:g}, {ek.hi:g}])")
    return Event.make(kind, sprint, duration, float(mag))


def event_warnings(config: "Config", sprints: int, timed_elsewhere: frozenset[str] = frozenset(),
                   varied: frozenset[str] = frozenset()) -> list[str]:
    """One line for each event that never happens: it starts at or after ``sprints``, or it is a
    hiring wave while a team_size event holds the team's size (which the wave then cannot change);
    and one line when hiring waves could take the team past the model's range of engineers
    (n_engineers' upper limit, 40), naming them. Events of the kinds in ``timed_elsewhere`` are left
    out (a sweep that varies their sprint or duration times them point by point), as is a base value of a
    parameter in ``varied``."""
    where = config.path or config.name
    lines = [f"{where}: events[{i}] ({e.kind} at sprint {e.sprint}) is beyond the last sprint ({sprints - 1}) and "
             "never happens" for i, e in enumerate(config.events) if e.sprint >= sprints and e.kind not in timed_elsewhere]
    days, reference = config.params["sprint_days"], config.params["reference_sprint_days"]
    if days != BY_NAME["sprint_days"].default and days != reference and "sprint_days" not in varied:
        lines.append(sprint_days_warning(f"{where}: params.sprint_days = {days:g}"))
    if reference != BY_NAME["reference_sprint_days"].default and "reference_sprint_days" not in varied:
        lines.append(f"{where}: params.reference_sprint_days = {reference:g}: every per-sprint rate, chance and duration "
                     f"is read as stated for a sprint of {reference:g} working days, not the default "
                     f"{BY_NAME['reference_sprint_days'].default:g} the values were chosen for (ODD 2.3)"
                     + (f"; with sprint_days = {days:g} they act once a sprint as stated, unscaled" if days == reference
                        else f"; they scale by sprint_days / reference_sprint_days = {days / reference:g}"))
    if timed_elsewhere & {"hiring_wave", "team_size"}:
        return lines
    adds_no_one = set()
    for i, e in enumerate(config.events):
        if e.kind != "hiring_wave" or e.sprint >= sprints:
            continue
        held = [j for j, s in enumerate(config.events) if s.kind == "team_size" and s.sprint <= e.sprint < s.sprint + s.duration]
        if held:
            adds_no_one.add(i)
            s = config.events[held[-1]]
            lines.append(f"{where}: events[{i}] (hiring_wave at sprint {e.sprint}) falls while events[{held[-1]}] "
                         f"(team_size, sprints {s.sprint}-{s.sprint + s.duration - 1}) holds the team at "
                         f"{s.magnitude:g} engineers, so it adds no one")
    lines += _team_range_warnings(config, sprints, adds_no_one, where)
    return lines


def sprint_days_warning(what: str) -> str:
    """What still changes with another sprint length: the per-sprint rates scale with it (ODD 2.3), but the run
    counts its own sprints, and what is judged sprint by sprint is judged on plans of that length."""
    return (f"{what}: the per-sprint rates and durations scale to this sprint length (ODD 2.3), but the horizon, "
            "event timings and each sprint's outcomes count sprints of this length, and a few things stay per sprint "
            "(luck, a third path's bonus, voice relief, each plan's items), so results are close to, not the same as, "
            "the same team's on two-week sprints; not so for split backlogs on shorter sprints, whose tech reservation "
            "gets too small for the tech items, which keep their size (ODD 2.3)")


def _team_range_warnings(config: "Config", sprints: int, adds_no_one: set[int], where: str) -> list[str]:
    """A line when hiring waves could take the team above n_engineers' upper limit (the model's range):
    from the starting team (or the size a team_size event last set), each wave adds its engineers (those
    who leave are backfilled, so none are counted off). Names the waves that reach the largest team."""
    cap = BY_NAME["n_engineers"].hi
    size, base, waves = float(config.params["n_engineers"]), f"n_engineers {config.params['n_engineers']}", []
    worst = None
    order = sorted(range(len(config.events)), key=lambda i: (config.events[i].sprint, config.events[i].kind != "team_size"))
    for i in order:
        e = config.events[i]
        if e.sprint >= sprints:
            continue
        if e.kind == "team_size":
            size, base, waves = float(round(e.magnitude)), f"events[{i}] (team_size {e.magnitude:g} at sprint {e.sprint})", []
        elif e.kind == "hiring_wave" and i not in adds_no_one:
            size += round(e.magnitude)
            waves.append(i)
            if size > cap and (worst is None or size > worst[0]):
                worst = (size, base, list(waves))
    if worst is None:
        return []
    size, base, waves = worst
    named = ", ".join(f"events[{i}] (+{config.events[i].magnitude:g} at sprint {config.events[i].sprint})" for i in waves)
    return [f"{where}: hiring wave{'s' if len(waves) > 1 else ''} {named} on top of {base} could take the team to {size:g} engineers, beyond the "
            f"model's range of {BY_NAME['n_engineers'].lo:g} to {cap:g} engineers"]


def from_dict(data: Mapping[str, Any], file: str = "<dict>") -> Config:
    """Validate a parsed config (the TOML's tables) into a :class:`Config`."""
    for k in data:
        if k not in TOP_KEYS:
            raise _unknown(file, k, k, TOP_KEYS)
    scen = data.get("scenario", {})
    if not isinstance(scen, dict):
        raise ConfigError(file, "scenario", "expected a table [scenario]")
    for k, v in scen.items():
        if k not in SCENARIO_KEYS:
            raise _unknown(file, f"scenario.{k}", k, SCENARIO_KEYS)
        if not isinstance(v, str):
            raise ConfigError(file, f"scenario.{k}", f"{toml_value(v)} is not text; expected a string")
        bad = next((c for c in v if (c < " " and c not in "\t\n\r") or "\x7f" <= c <= "\x9f"), None)
        if bad is not None:  # it goes into reports, plots and manifests as written
            raise ConfigError(file, f"scenario.{k}", f"holds the control character {shown(bad)}; expected plain text "
                                                     "(tabs and line breaks are fine)")
    params = defaults()
    raw_params = data.get("params", {})
    if not isinstance(raw_params, dict):
        raise ConfigError(file, "params", "expected a table [params]")
    for k, v in raw_params.items():
        params[k] = check_param(file, f"params.{k}", k, v)
    check_shares(file, params)
    raw_events = data.get("events", [])
    if not isinstance(raw_events, list):
        raise ConfigError(file, "events", "expected an array of tables [[events]]")
    events = tuple(sorted((check_event(file, f"events[{i}]", e) for i, e in enumerate(raw_events)),
                          key=lambda e: e.sprint))
    run = dict(RUN_DEFAULTS)
    raw_run = data.get("run", {})
    if not isinstance(raw_run, dict):
        raise ConfigError(file, "run", "expected a table [run]")
    for k, v in raw_run.items():
        if k not in RUN_DEFAULTS:
            raise _unknown(file, f"run.{k}", k, RUN_DEFAULTS)
        run[k] = _check_int(file, f"run.{k}", v, *RUN_LIMITS[k])
    name = check_name(file, scen["name"]) if scen.get("name") else _slug(Path(file).stem if file.endswith(".toml") else "custom")
    return Config(name, scen.get("description", ""), scen.get("source", ""), MappingProxyType(params), events,
                  run["runs"], run["sprints"], run["seed"], file)


def scenario_names() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def resolve_path(spec: str | Path) -> Path:
    """A config path, or the name of a shipped scenario."""
    path = Path(spec)
    try:
        if path.is_file():
            return path
        shipped = SCENARIO_DIR / f"{spec}.toml"
        if shipped.is_file():
            return shipped
        folder = path.is_dir()
    except OSError as exc:  # a name too long for the file system, say: not a file, and no scenario's name
        raise ConfigError(str(spec)[:80] + ("..." if len(str(spec)) > 80 else ""), "file",
                          f"cannot be a scenario TOML file or a shipped scenario's name ({exc.strerror})") from None
    if folder:
        raise ConfigError(str(spec), "file", "is a folder; expected a scenario TOML file or the name of a shipped "
                                             f"scenario ({', '.join(scenario_names())})")
    if path.exists():  # a device, a pipe or a socket
        raise ConfigError(str(spec), "file", "is not a regular file; expected a scenario TOML file or the name of a "
                                             f"shipped scenario ({', '.join(scenario_names())})")
    raise ConfigError(str(spec), "file", f"no such file or shipped scenario{_did_you_mean(str(spec), scenario_names())} "
                                         f"(shipped: {', '.join(scenario_names())})")


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; unreadable or malformed files raise :class:`ConfigError` naming the file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(str(path), "file", f"cannot be read: {exc}") from None
    try:
        text = raw.decode("utf-8-sig")  # -sig: a byte-order mark some editors add
    except UnicodeDecodeError:  # (a ValueError: decoded apart from the parse so that no handler below takes it)
        saved_as = next((f" (it is {enc})" for enc, boms in (("UTF-32", (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)),
                                                            ("UTF-16", (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)))
                         if raw.startswith(boms)), "")  # UTF-32 first: its LE mark begins as UTF-16's does
        raise ConfigError(str(path), "file", f"is not UTF-8 text{saved_as}; save it as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), "file", f"not valid TOML: {exc}") from None
    except ValueError as exc:  # Python refuses to read an integer of more than 4300 digits (sys.get_int_max_str_digits)
        if "integer string conversion" not in str(exc):
            raise
        raise ConfigError(str(path), "file", "holds an integer too long to read (thousands of digits); no "
                                             "pe-sim setting takes one") from None
    except RecursionError:
        raise ConfigError(str(path), "file", "nested too deeply to be a pe-sim config (tables or arrays inside "
                                             "each other thousands of levels deep)") from None



def distinct_names(configs: Sequence[Config], names: Sequence[str | None] | None = None) -> list[Config]:
    """Configs labelled for a comparison: ``names[i]`` (if given) or config i's own name, and a name met
    again gets ``#2``, ``#3``, ... (the first keeps its name): `run`, `compare` and `report` label
    a repeated config alike."""
    seen: dict[str, int] = {}
    out = []
    for i, c in enumerate(configs):
        label = str(names[i]) if names is not None and names[i] is not None else c.name
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            label = f"{label}#{seen[label]}"
        out.append(c if label == c.name else replace(c, name=label))
    return out

def load(spec: str | Path) -> Config:
    """Load and validate a config file (or shipped scenario name)."""
    path = resolve_path(spec)
    return from_dict(read_toml(path), str(path))


def default() -> Config:
    """The built-in defaults as a config."""
    return from_dict({"scenario": {"name": "defaults"}})
