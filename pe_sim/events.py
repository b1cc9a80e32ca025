"""Events a config's timeline (or a facilitator) injects at a given sprint.

A config lists events as ``[[events]]`` tables; :func:`schedule` turns them into per-sprint
arrays the engines read, so an event is data, not code in the sprint loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class EventKind:
    name: str
    magnitude: float  # default magnitude
    duration: int  # default duration in sprints
    magnitude_meaning: str
    lo: float
    hi: float


EVENT_KINDS: dict[str, EventKind] = {
    k.name: k
    for k in (
        EventKind("customer_escalation", 0.5, 2, "severity: scales customer trust lost (escalation_trust_loss), the next sprint's unplanned work (escalation_work_days) and pressure while it lasts (escalation_pressure)", 0.0, 2.0),
        EventKind("deadline_crunch", 0.5, 4, "pressure added on top of the baseline while it lasts", 0.0, 1.0),
        EventKind("key_engineer_leaves", 1, 1, "number of the most expert engineers who leave at once, taking their deep expertise of the system", 1, 20),
        EventKind("pm_absent", 1, 2, "unused (the PM is away for `duration` sprints)", 0.0, 1.0),
        EventKind("em_absent", 1, 2, "unused (the EM is away for `duration` sprints)", 0.0, 1.0),
        EventKind("hiring_wave", 3, 1, "engineers who join at once (the hiring target grows too)", 1, 20),
        EventKind("competitor_launch", 0.5, 6, "pressure added (scaled by the PM's competition motivator) while it lasts; half of it is the share of feature value lost", 0.0, 1.0),
        EventKind("team_size", 6, 1, "engineers on the team at the end of each sprint it lasts: beyond who leaves of their own accord, the newest leave; new hires fill up at once; backfill hiring waits until it ends (a team's recorded head count, a reorganisation)", 1, 40),
    )
}


@dataclass(frozen=True)
class Event:
    kind: str
    sprint: int
    duration: int
    magnitude: float

    @classmethod
    def make(cls, kind: str, sprint: int, duration: int | None = None, magnitude: float | None = None) -> "Event":
        k = EVENT_KINDS[kind]
        return cls(kind, int(sprint), int(k.duration if duration is None else duration),
                   float(k.magnitude if magnitude is None else magnitude))


SCHEDULE_FIELDS = ("pressure_add", "competitor", "escalation", "escalation_span",
                   "key_leaves", "pm_absent", "em_absent", "hires", "team_size")  # team_size 0: not set


def schedule(events: tuple[Event, ...], n_sprints: int) -> dict[str, np.ndarray]:
    """Per-sprint event arrays of shape (1, n_sprints) for one config's timeline."""
    import numpy as np  # here, so that reading configs (and `pe-sim --help`) does not load numpy

    s = {f: np.zeros((1, n_sprints)) for f in SCHEDULE_FIELDS}
    for ev in events:
        if ev.sprint >= n_sprints:
            continue
        span = slice(ev.sprint, min(n_sprints, ev.sprint + max(1, ev.duration)))
        if ev.kind == "customer_escalation":
            s["escalation"][0, ev.sprint] += ev.magnitude
            s["escalation_span"][0, span] += ev.magnitude
        elif ev.kind == "deadline_crunch":
            s["pressure_add"][0, span] += ev.magnitude
        elif ev.kind == "key_engineer_leaves":
            s["key_leaves"][0, ev.sprint] += round(ev.magnitude)
        elif ev.kind == "pm_absent":
            s["pm_absent"][0, span] = 1.0
        elif ev.kind == "em_absent":
            s["em_absent"][0, span] = 1.0
        elif ev.kind == "hiring_wave":
            s["hires"][0, ev.sprint] += round(ev.magnitude)
        elif ev.kind == "competitor_launch":
            s["competitor"][0, span] = np.maximum(s["competitor"][0, span], ev.magnitude)
        elif ev.kind == "team_size":
            s["team_size"][0, span] = round(ev.magnitude)  # a later event's size replaces an earlier one's
    return s


def team_slots(n_engineers, hires, team_size) -> int:
    """Engineer slots a run needs: the larger of its starting team and any size a team_size event
    sets, plus every hiring wave (arrays of any shape; the largest over them)."""
    import numpy as np

    waves = np.max(np.sum(np.atleast_2d(hires), axis=1))
    return int(max(np.max(n_engineers), np.max(team_size, initial=0.0)) + waves)


def total_hires(events: tuple[Event, ...]) -> int:
    """Engineers that hiring waves add over a timeline (sizes the engineer slot arrays)."""
    return sum(round(e.magnitude) for e in events if e.kind == "hiring_wave")
