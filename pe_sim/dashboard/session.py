"""The Mesa model the workshop page drives: one or two team setups stepping together.

:class:`Workshop` is a :class:`mesa.Model` whose ``step`` advances every setup by one sprint.
Each setup is a :class:`~pe_sim.model.TeamModel` built from a scenario with the same seed and
team size, so in side-by-side mode the two columns meet the same luck and differ only in their
practices. Practice changes (:meth:`Workshop.set_param`) and events (:meth:`Workshop.inject_event`)
land between sprints, under a lock, because Solara's play loop steps in a worker thread while
buttons fire from the page.

No Solara import here: the soak test and the benchmark drive this class directly.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Any

import mesa

from pe_sim import config as cfg
from pe_sim.core.engine import OUTCOMES
from pe_sim.events import EVENT_KINDS
from pe_sim.params import BY_NAME

DEFAULT_SCENARIO = "split_backlogs"
NO_COMPARE = "(none)"
DEFAULT_SEED = 1
DEFAULT_HORIZON = 260  # sprints the page runs before play stops (ten years of two-week sprints)
LEFT_SHOWN_SPRINTS = 8  # how long a leaver stays on the team view, greyed out

# Practices (and the business pressure) the room argues about, changed live between sprints.
LIVE_PARAMS = ("roadmap_mode", "tech_share", "syncs_per_sprint", "discovery_involvement", "conflict_style", "feedback",
               "pressure")
EVENTS = ("customer_escalation", "deadline_crunch", "key_engineer_leaves", "pm_absent", "hiring_wave")

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
    left: int | None = None  # the last sprint they worked, counted from 1
    reason: str = ""  # why they left: attrition (burnout or disengagement) or key_engineer_leaves
    burnout: list[float] = field(default_factory=list)  # one value per sprint on the team
    ramp: float = 1.0
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
        # (0-based sprint the event hits, kind): scripted and injected; plotted just before sprint t+1
        self.events: list[tuple[int, str]] = [(e.sprint, e.kind) for e in config.events]
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
        """Engineers on the team (by slot), then recent leavers (most recent first)."""
        now = self.sprint
        here = sorted((r for r in self.people.values() if r.left is None), key=lambda r: r.slot)
        gone = sorted((r for r in self.people.values() if r.left is not None and now - r.left < LEFT_SHOWN_SPRINTS),
                      key=lambda r: -r.left)
        return here + gone

    def param(self, name: str) -> Any:
        """The parameter's current value (as in a config: choices are their names)."""
        return self.model.config.params[name]


class Workshop(mesa.Model):
    """What the dashboard steps: setup A (the scenario) and optionally setup B (``compare``).

    (The setup argument is not called ``scenario``: Mesa's SolaraViz reserves that name for
    :class:`mesa.experimental.scenarios.Scenario` objects when it re-creates the model on Reset.)

    Args:
        setup: shipped scenario name (or config path) for setup A.
        compare: scenario for setup B run side by side, or ``"(none)"``.
        n_engineers: team size at sprint 0 for both setups.
        seed: root seed shared by both setups (same luck, different practices).
        horizon: sprints before the model stops running.
    """

    def __init__(self, setup: str = DEFAULT_SCENARIO, compare: str = NO_COMPARE, n_engineers: int | None = None,
                 seed: int = DEFAULT_SEED, horizon: int = DEFAULT_HORIZON):
        super().__init__(rng=int(seed))
        self.lock = threading.RLock()
        self.seed_value = int(seed)
        self.horizon = int(horizon)
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
            for i in targets:
                if self.setups[i].param(name) != value:
                    self.setups[i].model.set_param(name, value)
            self.version += 1
            where = "" if len(self.setups) == 1 else " (both)" if setup is None else f" ({'AB'[setup]})"
            self.log.append(f"sprint {self.sprint + 1}: {name.replace('_', ' ')} = {value}{where}")
        return value

    def inject_event(self, kind: str, duration: int | None = None, magnitude: float | None = None) -> None:
        """An event at the current sprint, in every setup (both columns face the same world)."""
        if kind not in EVENT_KINDS:
            raise cfg.ConfigError("<dashboard>", "event", f"{kind!r} is not an event kind")
        with self.lock:
            for s in self.setups:
                s.model.inject_event(kind, duration=duration, magnitude=magnitude)
                s.events.append((s.sprint, kind))
            self.version += 1
            self.log.append(f"sprint {self.sprint + 1}: {kind.replace('_', ' ')}")

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
            if s.history and head != round(s.history[-1]["headcount"]):
                out.append(f"{s.label} sprint {s.sprint}: {head} engineer agents but headcount "
                           f"{s.history[-1]['headcount']}")
        return out
