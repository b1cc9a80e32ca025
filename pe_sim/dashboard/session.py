"""The Mesa model the workshop page drives: one or two team setups stepping together.

:class:`Workshop` is a :class:`mesa.Model` whose ``step`` advances every setup by one sprint.
Each setup is a :class:`~pe_sim.model.TeamModel` built from a scenario with the same seed and
team size, so in side-by-side mode the two columns meet the same luck and differ only in their
practices. Practice changes (:meth:`Workshop.set_param`) and events (:meth:`Workshop.inject_event`)
land between sprints, under a lock, because Solara's play loop steps in a worker thread while
buttons fire from the page.

:class:`Room` holds the one :class:`Workshop` of a dashboard process at server level, with its play
loop: every browser tab (and a reloaded page) attaches to the same room, so a refresh never loses a
room's session, and pause stops the loop within one step at every speed. :func:`band` computes, with
the fast vectorised core and a cache per settings, the runs a chosen run is compared with (the room runs
one band worker per setup, on the newest settings asked for: settings it has moved past are dropped).

No Solara import here: the soak test, the session tests and the benchmark drive these classes directly.
"""

from __future__ import annotations

import math
import numbers
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import mesa

from pe_sim import config as cfg
from pe_sim.core.engine import OUTCOMES
from pe_sim.dashboard.captions import CHOICE_LABELS, EVENT_BUTTONS, PRACTICE_LABELS
from pe_sim.events import EVENT_KINDS
from pe_sim.params import BY_NAME

DEFAULT_SCENARIO = "split_backlogs"
NO_COMPARE = "(none)"
DEFAULT_SEED = 1
DEFAULT_HORIZON = 260  # sprints the page runs before play stops (ten years of two-week sprints)
MAX_HORIZON = cfg.RUN_LIMITS["sprints"][1]  # the one limit on sprints: a config's runs and events obey it too
BAND_RUNS = 100  # runs with the same settings the chosen run is shown against
LEFT_SHOWN_SPRINTS = 8  # how long a leaver stays on the team view, greyed out
MAX_TEAM = int(BY_NAME["n_engineers"].hi)  # the model's range is 1 to this many engineers: a hiring wave stops there

# Practices (and the business pressure) the room argues about, changed live between sprints.
LIVE_PARAMS = ("roadmap_mode", "tech_share", "syncs_per_sprint", "discovery_involvement", "conflict_style", "feedback",
               "pressure")
EVENTS = ("customer_escalation", "deadline_crunch", "key_engineer_leaves", "pm_absent", "hiring_wave", "team_size")
REORG_MOVES = 2  # the room's "reorganisation" (team_size without a size): this many of the newest move to another team
# Slider steps of the live practices; a step of 1 makes the value a count, shown as a whole number.
SLIDER_STEPS = {"tech_share": 0.05, "syncs_per_sprint": 1, "discovery_involvement": 0.05, "pressure": 0.05}

# Outcomes that must stay inside these bounds (the soak test checks them every sprint).
UNIT_INTERVAL = ("customer_trust", "burnout_mean", "burnout_max", "engagement_mean", "trust_pm_em",
                 "trust_em_pm", "trust_pm_eng", "trust_em_eng", "trust_eng_pm", "trust_eng_em", "alignment",
                 "surprise", "tech_share", "debt_capacity_loss", "corners_mean", "pushback", "expertise")
NON_NEGATIVE = ("velocity", "say_do", "committed", "delivered", "customer_value", "features_shipped", "tech_debt", "debt_drag",
                "incidents", "overtime_mean", "attrition", "hires", "headcount", "comm_hours", "conflicts_fight",
                "conflicts_avoid", "conflicts_productive", "third_paths", "escalations", "pm_workload", "em_workload")


def team_model_class():
    from pe_sim.model import TeamModel

    return TeamModel


def engineer_class():
    from pe_sim.agents import Engineer

    return Engineer


def scenario_choices() -> list[str]:
    return cfg.scenario_names()


CARES = {"growth": "growth", "craft": "craft", "valued": "feeling valued", "pace": "a sustainable pace"}


@dataclass
class EngineerRecord:
    """One person on the team view: who they are, when they joined or left, how they have been."""

    key: int
    slot: int
    joined: int  # sprint they joined, counted from 1 as on the plots (-1: on the starting team)
    left: int | None = None  # the sprint they left in (at its end), counted from 1
    reason: str = ""  # why they left: attrition (burnout or disengagement), key_engineer_leaves or team_size
    burnout: list[float] = field(default_factory=list)  # one value per sprint on the team
    ramp: float = 1.0
    expertise: float = 0.0  # deep expertise of the system (the key engineer is the most expert)
    skill: float = 1.0
    engagement: float = 1.0
    tenure: float = 0.0
    cares: str = ""  # the motivator this person weighs most, in plain words

    @property
    def name(self) -> str:
        return f"Engineer {self.key}"


class Setup:
    """One column of the page: a scenario's TeamModel plus what the team view needs."""

    def __init__(self, label: str, config: cfg.Config, seed: int, horizon: int):
        self.label = label
        self.config = config
        self.model = team_model_class()(config=config, seed=seed, run=0, n_sprints=horizon)
        self.people: dict[int, EngineerRecord] = {}
        self._next_key = 1
        self._by_agent: dict[int, int] = {}  # id(agent) -> record key
        # (0-based sprint the event hits first, as configs count, kind, sprints it lasts): scripted and
        # injected; the page numbers sprints from 1, so it shows and plots such an event at sprint t + 1
        self.events: list[tuple[int, str, int]] = [(e.sprint, e.kind, int(e.duration)) for e in config.events]
        self._observe()

    @property
    def sprint(self) -> int:
        return len(self.model.outcome_history)

    @property
    def history(self) -> list[dict[str, float]]:
        return self.model.outcome_history

    def engineers(self) -> list[Any]:
        """The model's engineers on the team, in slot order."""
        return list(self.model.engineers)

    def _observe(self) -> None:
        """Match the model's engineers to team-view records: new agents join, missing ones have left."""
        now = self.sprint
        seen = set()
        for a in self.engineers():
            akey = a.unique_id if getattr(a, "unique_id", None) is not None else id(a)
            if akey not in self._by_agent:
                joined = int(getattr(a, "joined_sprint", -1 if now == 0 else now - 1))
                joined = joined + 1 if joined >= 0 else -1  # sprints are shown 1-based: sprint t+1 is step t
                self._by_agent[akey] = self._next_key
                self.people[self._next_key] = EngineerRecord(self._next_key, a.slot, int(joined))
                self._next_key += 1
            rec = self.people[self._by_agent[akey]]
            seen.add(rec.key)
            rec.slot = a.slot
            rec.burnout.append(float(a.burnout))
            rec.ramp = float(getattr(a, "ramp", 1.0))
            rec.expertise = float(getattr(a, "system_expertise", 0.0))
            rec.skill = float(getattr(a, "skill", 1.0))
            rec.engagement = float(getattr(a, "engagement", 1.0))
            rec.tenure = float(getattr(a, "tenure", 0.0))
            motives = getattr(a, "motivators", None)
            if motives:
                rec.cares = CARES[max(motives, key=motives.get)]
        reasons = {d.get("unique_id"): d.get("reason", "left") for d in getattr(self.model, "departures", [])}
        for akey, key in self._by_agent.items():
            rec = self.people[key]
            if rec.left is None and key not in seen:
                rec.left = now
                rec.reason = reasons.get(akey, "left")

    def step(self) -> None:
        self.model.step()
        self._observe()

    def team_view(self) -> list[EngineerRecord]:
        """Engineers on the team (by slot), then recent leavers (most recent first), shown as greyed cards."""
        now = self.sprint
        here = sorted((r for r in self.people.values() if r.left is None), key=lambda r: r.slot)
        gone = sorted((r for r in self.people.values() if r.left is not None and now - r.left < LEFT_SHOWN_SPRINTS),
                      key=lambda r: (-r.left, r.key))
        return here + gone

    def earlier_leavers(self) -> list[EngineerRecord]:
        """Everyone who left before the recent window (most recent first): the team view lists them too."""
        now = self.sprint
        return sorted((r for r in self.people.values() if r.left is not None and now - r.left >= LEFT_SHOWN_SPRINTS),
                      key=lambda r: (-r.left, r.key))

    def param(self, name: str) -> Any:
        """The parameter's current value (as in a config: choices are their names)."""
        return self.model.config.params[name]

    def practice_changes(self) -> list[tuple[str, str, str]]:
        """Live practices that differ from the scenario's: (label, scenario's value, value now), as shown."""
        return [(practice_label(k), shown_value(k, self.config.params[k]), shown_value(k, self.param(k)))
                for k in LIVE_PARAMS if self.param(k) != self.config.params[k]]


def practice_label(name: str) -> str:
    """The name a control shows for a parameter (the log uses it too)."""
    return PRACTICE_LABELS[name][0] if name in PRACTICE_LABELS else name.replace("_", " ")


def shown_value(name: str, value: Any) -> str:
    """A parameter's value as the page shows it: a choice's label, a count whole, a share to two decimals."""
    spec = BY_NAME[name]
    if spec.kind == "choice":
        return CHOICE_LABELS.get(value, str(value))
    if spec.kind == "bool":
        return "yes" if value else "no"
    if spec.kind == "int" or SLIDER_STEPS.get(name, 0) >= 1:
        return f"{float(value):.0f}"
    return f"{float(value):.2f}"


def check_horizon(horizon: Any) -> int:
    """The one check on how many sprints a dashboard session runs (injected events obey the same limit)."""
    if isinstance(horizon, float) and horizon.is_integer():
        horizon = int(horizon)
    if isinstance(horizon, bool) or not isinstance(horizon, numbers.Integral):
        raise cfg.ConfigError("<dashboard>", "horizon", f"{horizon!r} is not a whole number of sprints")
    if not 1 <= horizon <= MAX_HORIZON:
        raise cfg.ConfigError("<dashboard>", "horizon", f"{horizon} sprints is outside 1 to {MAX_HORIZON}")
    return int(horizon)


class Workshop(mesa.Model):
    """What the dashboard steps: setup A (the scenario) and optionally setup B (``compare``).

    (The setup argument is not called ``scenario``: Mesa's SolaraViz reserves that name for
    :class:`mesa.experimental.scenarios.Scenario` objects when it re-creates the model on Reset.)

    Args:
        setup: shipped scenario name (or config path) for setup A.
        compare: scenario for setup B run side by side, or ``"(none)"``.
        n_engineers: team size at sprint 0 for both setups.
        seed: root seed shared by both setups (same luck, different practices).
        horizon: sprints before the model stops running (1 to :data:`MAX_HORIZON`).
    """

    def __init__(self, setup: str = DEFAULT_SCENARIO, compare: str = NO_COMPARE, n_engineers: int | None = None,
                 seed: int = DEFAULT_SEED, horizon: int = DEFAULT_HORIZON):
        seed = cfg.check_run_settings("<dashboard>", seed=seed)["seed"]  # the CLI's and a config's seed range
        if n_engineers is not None:
            n_engineers = cfg.check_param("<dashboard>", "n_engineers", "n_engineers", n_engineers)
        super().__init__(rng=seed)
        self.lock = threading.RLock()
        self.seed_value = seed
        self.horizon = check_horizon(horizon)
        self.setup_name = setup
        self.compare_name = compare if compare and compare != NO_COMPARE else None
        base = cfg.load(setup)
        size = int(n_engineers) if n_engineers is not None else int(base.params["n_engineers"])
        self.setups: list[Setup] = [Setup(self._label(base), base.with_params(n_engineers=size), self.seed_value,
                                          self.horizon)]
        if self.compare_name:
            other = cfg.load(self.compare_name)
            self.setups.append(Setup(self._label(other), other.with_params(n_engineers=size), self.seed_value,
                                     self.horizon))
        self.n_engineers = size
        self.version = 0  # bumps on every change the page must redraw for
        self.log: list[str] = []
        self._moves: dict[int, int] = {}  # 0-based sprint -> engineers the room's reorganisations move in it

    @staticmethod
    def _label(c: cfg.Config) -> str:
        return c.name.replace("_", " ")

    @property
    def sprint(self) -> int:
        return self.setups[0].sprint

    def step(self) -> None:
        with self.lock:
            if self.sprint >= self.horizon:
                self.running = False
                return
            for s in self.setups:
                s.step()
            self.version += 1
            if self.sprint >= self.horizon:
                self.running = False

    def set_param(self, name: str, value: Any, setup: int | None = None) -> Any:
        """Change a parameter from the next sprint on, in one setup (0 = A, 1 = B) or every setup (None)."""
        if name not in BY_NAME:
            raise cfg.ConfigError("<dashboard>", name, "not a parameter")
        value = cfg.check_param("<dashboard>", name, name, value)
        targets = range(len(self.setups)) if setup is None else [setup]
        with self.lock:
            self._check_running("a practice")
            for i in targets:
                if self.setups[i].param(name) != value:
                    self.setups[i].model.set_param(name, value)
            self.version += 1
            where = "" if len(self.setups) == 1 else " (both)" if setup is None else f" ({'AB'[setup]})"
            # logged with the sprint it first applies to and the words and rounding the control shows
            self.log.append(f"sprint {self.sprint + 1}: {practice_label(name)} = {shown_value(name, value)}{where}")
        return value

    def _check_running(self, what: str) -> None:
        """Refuse a change no sprint would see: the run has ended (a new run starts from the scenario)."""
        if self.sprint >= self.horizon:
            raise cfg.ConfigError("<dashboard>", "event" if what == "an event" else "practice",
                                  f"the run has ended (all {self.horizon} sprints played), so {what} can no longer "
                                  "take effect; press Reset to start again")

    def inject_event(self, kind: str, duration: int | None = None, magnitude: float | None = None) -> None:
        """An event at the next sprint to play, in every setup (both columns face the same world).

        A reorganisation (``team_size`` without a size) moves :data:`REORG_MOVES` of the newest
        engineers to another team. The kernel reads ``team_size`` as the head count at the end of the
        sprint, which would swallow a hiring wave or a key engineer leaving in the same sprint; so the
        size is computed from every event queued for that sprint, and set again when such an event
        comes after the reorganisation: the team ends as the events add up (6 + 3 hired - 2 moved = 7).

        A hiring wave never takes a team past :data:`MAX_TEAM` engineers (the model's range): a column
        with room for fewer hires gets that many (the log says so), and a wave no column has room for is
        refused with a :class:`~pe_sim.config.ConfigError`, as an event after the end of the run is.
        """
        if kind not in EVENT_KINDS:
            raise cfg.ConfigError("<dashboard>", "event", f"{kind!r} is not an event kind")
        with self.lock:
            self._check_running("an event")
            t = self.sprint
            asked, hires = self._check_hires(kind, duration, magnitude)  # per column: engineers a wave adds
            reorg = kind == "team_size" and magnitude is None
            if reorg:
                self._moves[t] = self._moves.get(t, 0) + REORG_MOVES
            resize = reorg or (kind in ("hiring_wave", "key_engineer_leaves") and self._moves.get(t, 0) > 0)
            sizes = []  # what this sprint's team changes do to each column, for the log
            for i, (column, s) in enumerate(zip("AB", self.setups)):
                if not reorg and (hires is None or hires[i] > 0):  # a column with no room for hires gets no wave
                    ev = s.model.inject_event(kind, duration=duration, magnitude=magnitude if hires is None else hires[i])
                    s.events.append((t, kind, int(ev.duration)))
                if resize:
                    size, said = self._reorg_size(s, t)
                    # the later of two sizes set for one sprint wins (events.schedule), so this replaces any earlier one
                    s.model.inject_event("team_size", magnitude=size)
                    if reorg:
                        s.events.append((t, kind, 1))
                    sizes.append((f"{column} " if len(self.setups) > 1 else "") + said)
            self.version += 1
            label = EVENT_BUTTONS[kind][0] if kind in EVENT_BUTTONS else kind.replace("_", " ")
            label = label if label[:2].isupper() else label[0].lower() + label[1:]  # "PM away" keeps its capitals
            if hires:
                label += self._hires_said(asked, hires)
            if sizes and not reorg:
                self.log.append(f"sprint {t + 1}: {label} (with this sprint's reorganisation, {' | '.join(sizes)})")
            else:
                self.log.append(f"sprint {t + 1}: {label}" + (f" ({' | '.join(sizes)})" if sizes else ""))

    def _wave_room(self, s: Setup, t: int) -> int | None:
        """Engineers a hiring wave in sprint ``t`` can add to ``s`` without the team passing :data:`MAX_TEAM`,
        counting hires on the way (backfills due) and hiring waves already queued; None when a team size
        set for that sprint decides the head count (a size is at most :data:`MAX_TEAM`)."""
        events = s.model.config.events

        def held(u: int) -> bool:
            return any(e.kind == "team_size" and e.sprint <= u < e.sprint + max(1, e.duration) for e in events)

        if held(t):
            return None
        queued = sum(round(e.magnitude) for e in events if e.kind == "hiring_wave" and e.sprint >= t and not held(e.sprint))
        due = round(sum(s.model.hires_due.values()))
        return max(0, MAX_TEAM - (int(s.model.headcount) + due + queued))

    def _check_hires(self, kind: str, duration: int | None,
                     magnitude: float | None) -> tuple[int, list[int]] | tuple[None, None]:
        """For a hiring wave: the engineers it adds to each column (the asked number, or the room left below
        :data:`MAX_TEAM`); ConfigError when no column has room. (None, None) for other events."""
        if kind != "hiring_wave":
            return None, None
        raw: dict[str, Any] = {"kind": kind, "sprint": self.sprint}
        raw.update({k: v for k, v in (("duration", duration), ("magnitude", magnitude)) if v is not None})
        asked = round(cfg.check_event("<dashboard>", "event", raw).magnitude)
        rooms = [self._wave_room(s, self.sprint) for s in self.setups]
        if all(room == 0 for room in rooms):
            teams = "every team already has" if len(self.setups) > 1 else "the team already has"
            raise cfg.ConfigError("<dashboard>", "event", f"a hiring wave cannot take effect: {teams} {MAX_TEAM} "
                                                          "engineers (counting hires on the way), the most the model "
                                                          "allows")
        return asked, [asked if room is None else min(asked, room) for room in rooms]

    def _hires_said(self, asked: int, hires: list[int]) -> str:
        """What the log adds to a hiring wave cut short by :data:`MAX_TEAM` (nothing when every column hires
        all it asked for)."""
        if all(n == asked for n in hires):
            return ""
        said = [f"{n} of {asked} hired" if n else "no one hired" for n in hires]
        if len(set(hires)) > 1:  # the columns differ: say each
            said = [f"{column}: {x}" for column, x in zip("AB", said)]
        else:
            said = said[:1]
        return f" ({' | '.join(said)}: {MAX_TEAM} engineers is the most the model allows)"

    def _reorg_size(self, s: Setup, t: int) -> tuple[int, str]:
        """The head count a reorganisation sets for sprint ``t`` in ``s``, from every event queued for that
        sprint (hires add, key engineers leaving subtract, each reorganisation moves two), and what to say."""
        queued = [e for e in s.model.config.events if e.sprint == t]
        hires = sum(round(e.magnitude) for e in queued if e.kind == "hiring_wave")
        keys = sum(round(e.magnitude) for e in queued if e.kind == "key_engineer_leaves")
        now = int(s.model.headcount)
        planned = [e for e in s.config.events  # a size the scenario itself sets for this sprint
                   if e.kind == "team_size" and e.sprint <= t < e.sprint + max(1, e.duration)]
        base = int(round(planned[-1].magnitude)) if planned else max(0, now + hires - keys)
        spec = EVENT_KINDS["team_size"]
        size = int(min(spec.hi, max(spec.lo, base - self._moves.get(t, 0))))
        moved = base - size
        if moved <= 0 and not (hires or keys or planned):
            return size, f"{now} engineer{'s' if now != 1 else ''}, no one can move"
        terms = [f"scenario's planned {base}"] if planned else \
            [f"+{hires} hired"] * bool(hires) + [f"-{keys} key engineer{'s' if keys > 1 else ''}"] * bool(keys)
        terms += [f"-{moved} moved"] if moved > 0 else ["no one can move"]
        said = f"{now} -> {size} engineer{'s' if size != 1 else ''}"
        if terms != [f"-{moved} moved"]:
            said += ": " + ", ".join(terms)
            if hires and moved > 0 and not planned:  # the kernel moves the newest: this sprint's hires
                k = min(hires, moved)
                said += (f"; the newest move, so {k} of the new hires go{'es' if k == 1 else ''} straight to the "
                         "other team")
        return size, said

    def problems(self) -> list[str]:
        """Every outcome or engineer state out of bounds (empty when all is well)."""
        out = []
        for s in self.setups:
            for t, row in enumerate(s.history):
                for k in OUTCOMES:
                    v = row[k]
                    if not math.isfinite(v):
                        out.append(f"{s.label} sprint {t}: {k} = {v}")
                    elif k in UNIT_INTERVAL and not -1e-9 <= v <= 1 + 1e-9:
                        out.append(f"{s.label} sprint {t}: {k} = {v} outside [0, 1]")
                    elif k in NON_NEGATIVE and v < -1e-9:
                        out.append(f"{s.label} sprint {t}: {k} = {v} < 0")
            for a in s.engineers():
                for k in ("burnout", "engagement", "trust_em", "trust_pm"):
                    v = float(getattr(a, k))
                    if not (math.isfinite(v) and -1e-9 <= v <= 1 + 1e-9):
                        out.append(f"{s.label} sprint {s.sprint}: engineer slot {a.slot} {k} = {v}")
                if not 0 <= a.ramp <= 1 + 1e-9 or a.skill <= 0 or a.tenure < 0:
                    out.append(f"{s.label} sprint {s.sprint}: engineer slot {a.slot} ramp/skill/tenure "
                               f"{a.ramp}/{a.skill}/{a.tenure}")
            head = len(s.engineers())
            if head > MAX_TEAM:
                out.append(f"{s.label} sprint {s.sprint}: {head} engineers, above the model's range of 1 to {MAX_TEAM}")
            if s.history and head != round(s.history[-1]["headcount"]):
                out.append(f"{s.label} sprint {s.sprint}: {head} engineer agents but headcount "
                           f"{s.history[-1]['headcount']}")
        return out


# --- the band: many runs with the same settings -------------------------------------------------------

BAND_OUTCOMES = ("customer_value", "velocity", "tech_debt", "customer_trust", "trust_pm_em", "burnout_mean")
_BAND_CACHE: "OrderedDict[tuple, dict]" = OrderedDict()
_BAND_CACHE_SIZE = 16
_BAND_LOCK = threading.Lock()


def band_key(config: cfg.Config, seed: int, horizon: int, runs: int = BAND_RUNS) -> tuple:
    """What a band depends on: every parameter and event, the seed, the sprints and the number of runs."""
    return (tuple(sorted((k, repr(v)) for k, v in config.params.items())), tuple(config.events), int(seed),
            int(horizon), int(runs))


def band(config: cfg.Config, seed: int, horizon: int, runs: int = BAND_RUNS) -> dict:
    """``runs`` runs of ``config`` (run 0 is the dashboard's own run) through the vectorised core.

    Returns ``{outcome: (p10, p50, p90)}`` per sprint for :data:`BAND_OUTCOMES`, plus ``"runs"``
    (outcome -> runs x sprints array) and ``"key"``. Cached per settings (:func:`band_key`).
    """
    import numpy as np

    from pe_sim import runner

    key = band_key(config, seed, horizon, runs)
    with _BAND_LOCK:
        if key in _BAND_CACHE:
            _BAND_CACHE.move_to_end(key)
            return _BAND_CACHE[key]
    out = runner.run_core(config, runs, horizon, seed)
    result: dict[str, Any] = {"runs": {}, "key": key}
    for k in BAND_OUTCOMES:
        if k not in out:  # the model's outcome names may change: band what exists
            continue
        arr = np.asarray(out[k], dtype=float)
        lo, mid, hi = np.percentile(arr, [10, 50, 90], axis=0)
        result[k] = (lo, mid, hi)
        result["runs"][k] = arr
    with _BAND_LOCK:
        _BAND_CACHE[key] = result
        while len(_BAND_CACHE) > _BAND_CACHE_SIZE:
            _BAND_CACHE.popitem(last=False)
    return result


# --- the room: one session per dashboard process ------------------------------------------------------

PLAY_INTERVALS = (0.1, 0.2, 0.4, 0.8, 1.5)  # seconds between sprints while playing (the speed choices)
DEFAULT_INTERVAL = 0.4  # a pace a room can follow


class Room:
    """The dashboard's session at server level: the current :class:`Workshop`, its play loop and its band.

    Every browser tab attaches to the process's one room (:func:`shared_room`), so reloading the page or
    opening a second tab shows the same sprint instead of starting again. ``version`` bumps on every change
    a page must redraw for; :meth:`wait_change` lets a page's watcher sleep until then.

    The play loop steps in its own thread under :attr:`lock`; :meth:`pause` takes the same lock, so when
    it returns no further step starts: pause stops within one step at every speed. Play stops at the
    horizon.
    """

    def __init__(self, workshop: Workshop | None = None, interval: float = DEFAULT_INTERVAL, **settings: Any):
        self.lock = threading.RLock()
        self._changed = threading.Condition(self.lock)
        self.workshop = workshop if workshop is not None else Workshop(**settings)
        self.interval = float(interval)
        self.playing = False
        self.show_band = False
        self.version = 0
        self.error: str | None = None
        self.notice: str | None = None  # why the last practice change or event was refused, for the page
        self._generation = 0  # bumps on pause/reset: an older play thread sees it and ends
        self._pause_wanted = False  # set by pause() so a full-speed play loop lets it in
        self._thread: threading.Thread | None = None
        self._bands: dict[int, dict] = {}  # setup index -> band for the setup's current settings
        # One band worker per setup index at most, computing the newest band asked for: a request replaces
        # the one waiting (a slider dragged through twenty values computes the first and the last, no more).
        self._band_wanted: dict[int, tuple] = {}  # setup index -> (key, config, workshop) waiting for the worker
        self._band_busy: dict[int, tuple | None] = {}  # setup index -> key its live worker computes (None: between)
        self._band_failed: dict[int, tuple] = {}  # setup index -> key whose band failed (not tried again at once)
        self.run_number = 0  # bumps on every reset: a page re-creates its controls for the new run

    # -- changes ---------------------------------------------------------------------------------------
    def _bump(self) -> None:
        self.version += 1
        self._changed.notify_all()

    def wait_change(self, seen: int, timeout: float = 1.0) -> int:
        """Block until ``version`` differs from ``seen`` (or ``timeout`` passes); return the version."""
        with self.lock:
            if self.version == seen:
                self._changed.wait(timeout)
            return self.version

    @property
    def sprint(self) -> int:
        return self.workshop.sprint

    @property
    def running(self) -> bool:
        """Whether the run can go on (False at the horizon)."""
        return bool(self.workshop.running)

    def step(self) -> bool:
        """One sprint (ignored while playing or at the horizon); True if it stepped."""
        with self.lock:
            if self.playing or not self.workshop.running:
                return False
            self.workshop.step()
            self._bump()
            return True

    def set_param(self, name: str, value: Any, setup: int | None = None) -> Any:
        with self.lock:
            value = self._refusable(self.workshop.set_param, name, value, setup=setup)
            self._bump()
            return value

    def inject_event(self, kind: str, duration: int | None = None, magnitude: float | None = None) -> None:
        """An event at the next sprint (:meth:`Workshop.inject_event`); one refused (after the end, or a hiring
        wave with no room left) raises ConfigError and leaves its reason in :attr:`notice` for the page."""
        with self.lock:
            self._refusable(self.workshop.inject_event, kind, duration=duration, magnitude=magnitude)
            self._bump()

    def _refusable(self, change, *args: Any, **kwargs: Any) -> Any:
        """Make a change; a refused one leaves its reason in :attr:`notice` (one line) and raises again."""
        try:
            out = change(*args, **kwargs)
        except cfg.ConfigError as exc:
            self.notice = exc.problem[:1].upper() + exc.problem[1:] + "."
            self._bump()
            raise
        self.notice = None
        return out

    def reset(self, **settings: Any) -> Workshop:
        """A fresh workshop (play stops); settings as :class:`Workshop` takes them."""
        fresh = Workshop(**settings)  # build (and validate) before touching the running session
        with self.lock:
            self._generation += 1
            self.playing = False
            self.workshop = fresh
            self.run_number += 1
            self.error = None
            self.notice = None
            self._bands = {}
            self._band_failed = {}
            self._bump()
            return fresh

    def set_interval(self, seconds: float) -> None:
        with self.lock:
            self.interval = max(0.0, float(seconds))
            self._bump()

    # -- play ------------------------------------------------------------------------------------------
    def play(self) -> bool:
        """Start stepping every ``interval`` seconds until pause, reset or the horizon; True if it started."""
        with self.lock:
            if self.playing or not self.workshop.running:
                return False
            self._generation += 1
            self.playing = True
            self.error = None
            self._thread = threading.Thread(target=self._loop, args=(self._generation,), daemon=True,
                                            name="pe-sim-play")
            self._thread.start()
            self._bump()
            return True

    def pause(self) -> int:
        """Stop playing; when this returns no further step starts. Returns the sprint it stopped at."""
        self._pause_wanted = True  # the play loop steps aside at once (a lock is not fair to waiters)
        try:
            with self.lock:
                if self.playing:
                    self._generation += 1
                    self.playing = False
                    self._bump()
                return self.workshop.sprint
        finally:
            self._pause_wanted = False

    def toggle(self) -> None:
        with self.lock:
            if self.playing:
                self.pause()
            else:
                self.play()

    def _loop(self, generation: int) -> None:
        next_at = time.monotonic() + self.interval
        while True:
            while self._pause_wanted and self._generation == generation:
                time.sleep(0.0005)  # at full speed, give pause() the lock before the next step
            with self.lock:
                while self._generation == generation and (wait := next_at - time.monotonic()) > 0:
                    self._changed.wait(wait)  # releases the lock: pause, events and redraws get in
                if self._generation != generation or not self.playing:
                    return
                try:
                    self.workshop.step()
                except Exception as exc:  # keep the page alive and say what happened
                    self.error = f"the model failed at sprint {self.workshop.sprint}: {exc}"
                    self.playing = False
                if not self.workshop.running:
                    self.playing = False
                self._bump()
                if not self.playing:
                    return
                next_at = max(next_at + self.interval, time.monotonic())

    # -- band ------------------------------------------------------------------------------------------
    def set_show_band(self, on: bool) -> None:
        with self.lock:
            self.show_band = bool(on)
            self._bump()

    def bands(self, wait: bool = False) -> list[dict | None] | None:
        """Bands for every setup's current settings, or None while off; a band still computing is None
        (computed in a background thread; the room's version bumps when it is ready) unless ``wait``."""
        with self.lock:
            if not self.show_band:
                return None
            w = self.workshop
            wanted = [(i, s.model.config, band_key(s.model.config, w.seed_value, w.horizon))
                      for i, s in enumerate(w.setups)]
        out: list[dict | None] = []
        for i, config, key in wanted:
            have = self._bands.get(i)
            if have is not None and have["key"] == key:
                out.append(have)
            elif wait:
                self._bands[i] = band(config, w.seed_value, w.horizon)
                out.append(self._bands[i])
            else:
                self._start_band(i, config, key, w)
                out.append(None)
        return out

    def _start_band(self, i: int, config: cfg.Config, key: tuple, w: Workshop) -> None:
        """Ask for setup ``i``'s band in the background: the newest request replaces one still waiting, and
        one worker per setup computes them in turn, so changes in quick succession never pile up work."""
        with self.lock:
            if self._band_failed.get(i) == key:
                return  # it failed (the page says why): asking again at every redraw would fail again
            if i in self._band_busy:  # a worker for this setup is alive: it takes this request next
                if self._band_busy[i] == key:
                    self._band_wanted.pop(i, None)  # what it computes is the newest: a waiting one is stale
                else:
                    self._band_wanted[i] = (key, config, w)
                return
            self._band_busy[i] = None
            self._band_wanted[i] = (key, config, w)
            threading.Thread(target=self._band_worker, args=(i,), daemon=True, name="pe-sim-band").start()

    def _band_current(self, i: int, key: tuple, w: Workshop) -> bool:
        """Whether a band for ``key`` is still what setup ``i`` of the room shows (call under the lock)."""
        return (self.show_band and self.workshop is w and i < len(w.setups)
                and band_key(w.setups[i].model.config, w.seed_value, w.horizon) == key)

    def _band_worker(self, i: int) -> None:
        """Setup ``i``'s band worker: computes the newest band asked for until none is waiting; a request
        superseded while it waited (settings changed again, a reset, the band switched off) is dropped."""
        while True:
            with self.lock:
                job = self._band_wanted.pop(i, None)
                if job is None or not self._band_current(i, job[0], job[2]):
                    del self._band_busy[i]
                    return
                key, config, w = job
                self._band_busy[i] = key
            try:
                result = band(config, w.seed_value, w.horizon)
            except Exception as exc:  # reported on the page
                with self.lock:
                    self._band_failed[i] = key
                    self.error = f"could not compute the band: {exc}"
                    self._bump()
                continue
            with self.lock:
                if self._band_current(i, key, w):
                    self._bands[i] = result
                    self._bump()


_ROOM: Room | None = None
_ROOM_LOCK = threading.Lock()


def shared_room(**settings: Any) -> Room:
    """This process's one room (created on first use with ``settings``): every tab attaches to it."""
    global _ROOM
    with _ROOM_LOCK:
        if _ROOM is None:
            _ROOM = Room(**settings)
        return _ROOM


def forget_room() -> None:
    """Drop the process's room (tests; the next :func:`shared_room` builds a fresh one)."""
    global _ROOM
    with _ROOM_LOCK:
        if _ROOM is not None:
            _ROOM.pause()
        _ROOM = None
