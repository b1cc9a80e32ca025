"""The Mesa face of the model: one team (a PM, an EM and engineers) over a run of sprints.

:class:`TeamModel` is the same model as the vectorised engine (:mod:`pe_sim.core.engine`), one
run at a time: each ``step()`` is one sprint and applies the six phases of MODEL.md in the
engine's order, with the agents of :mod:`pe_sim.agents` making their role's decisions through
the shared rules of :mod:`pe_sim.core.rules`. All randomness comes from :mod:`pe_sim.core.rng`
keyed by (seed, run, sprint, agent, draw); Mesa's own generators are seeded but never used by the
model. Team sums add engineers one by one in slot order, as the engine adds its slots, so both
engines give the same per-sprint outcomes (tests/test_equivalence.py).

Typical use::

    model = TeamModel(scenario="crunch", seed=1, run=0, n_sprints=52)
    while model.running:
        model.step()
    model.datacollector.get_model_vars_dataframe()

    mesa.batch_run(TeamModel, parameters={"roadmap_mode": ["one_roadmap", "split_backlogs"],
                                          "run": range(5)}, max_steps=52)

Keyword arguments that are parameter names (see ``pe-sim params``) override the config's.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import mesa
import numpy as np

from pe_sim import config as config_mod
from pe_sim.agents import Engineer, EngineeringManager, ProductManager
from pe_sim.config import Config, check_event
from pe_sim.core import rng, rules
from pe_sim.core.engine import INITIAL, OUTCOMES, draw_motives
from pe_sim.core.rng import Draw
from pe_sim.core.rules import EPS
from pe_sim.events import schedule as build_schedule
from pe_sim.params import PARAMS, encode

R = rules

ENGINEER_REPORTERS = ("slot", "skill", "tenure", "ramp", "burnout", "engagement", "trust_em", "trust_pm",
                      "user_knowledge", "overtime", "corners", "output")


def _floats(values: dict) -> dict[str, float]:
    return {k: float(v) for k, v in values.items()}


def param_namespace(params) -> SimpleNamespace:
    """Parameters as plain Python floats (choices encoded as their index), as the rules expect."""
    return SimpleNamespace(**{p.name: encode(p.name, params.get(p.name, p.default)) for p in PARAMS})


def _f(x) -> float:
    return float(x)


def _attr(name: str):
    return lambda agent: getattr(agent, name, None)


class TeamModel(mesa.Model):
    """One product team over ``n_sprints`` sprints.

    Args:
        config: a :class:`pe_sim.config.Config` (default: the built-in defaults, or ``scenario``).
        seed: root seed (default: the config's seed).
        run: the run's global index; a run's randomness depends only on (seed, run).
        n_sprints: sprints to simulate; ``running`` turns False after them.
        scenario: name or path of a scenario config, used when ``config`` is not given.
        **params: parameter overrides, validated against the parameter table.

    Readable state (for dashboards): ``sprint`` (sprints done), ``pm``, ``em``, ``engineers``
    (in slot order), team state ``debt``, ``customer_trust``, ``alignment``, ``tension``, ``bonus``,
    ``hires_due`` (sprint -> replacements due), ``outcomes`` (last sprint's outcomes),
    ``outcome_history``, ``joined``/``left`` (engineers who joined/left in the last sprint),
    ``departures`` (every leaver so far), ``current`` (last sprint's intermediate quantities:
    estimate, ask, offer, commit, felt pressure, ...).
    """

    def __init__(self, config: Config | None = None, seed: int | None = None, run: int = 0, n_sprints: int = 52,
                 scenario: str | None = None, **params: Any):
        if config is None:
            config = config_mod.load(scenario) if scenario is not None else config_mod.default()
        if params:
            config = config.with_params(**params)
        seed = config.seed if seed is None else int(seed)
        super().__init__(rng=seed)
        self.config = config
        self.seed = seed
        self.run = int(run)
        self.n_sprints = int(n_sprints)
        self.p = param_namespace(config.params)
        self.run_key = rng.run_key(seed, self.run)
        self.sprint = 0
        self._horizon = self.n_sprints
        self.schedule = build_schedule(config.events, self._horizon)
        self.n_slots = self._slots_needed()
        self._build_team()
        self.outcome_history: list[dict[str, float]] = []
        self.outcomes: dict[str, float] = {}
        self.current = SimpleNamespace()
        self.joined: list[Engineer] = []
        self.left: list[Engineer] = []
        self.departures: list[dict[str, Any]] = []
        self.datacollector = mesa.DataCollector(
            model_reporters={k: (lambda m, k=k: m.outcomes[k]) for k in OUTCOMES},
            agent_reporters={"role": "role", **{name: _attr(name) for name in ENGINEER_REPORTERS}},
        )
        self.running = self.n_sprints > 0

    # --- set-up ---------------------------------------------------------------------------
    def _slots_needed(self) -> int:
        """Engineer slots: the starting team plus every hiring wave (as the engine sizes its arrays)."""
        return int(self.p.n_engineers + float(np.sum(self.schedule["hires"])))

    def _build_team(self) -> None:
        p = self.p
        self.pm = ProductManager(self, p.initial_trust, p.initial_trust, INITIAL["pm_insight"], INITIAL["pm_tech"])
        self.em = EngineeringManager(self, p.initial_trust, p.initial_trust, INITIAL["em_customer"],
                                     INITIAL["em_estimation"])
        self.alignment = _f(INITIAL["alignment"])
        self.tension = 0.0
        self.bonus = 0.0
        self.debt = _f(p.initial_debt)
        self.customer_trust = _f(p.initial_customer_trust)
        self.hires_due: dict[int, float] = {}
        # Set-up draws use sprint -1, like the engine's initial state.
        skey = rng.sprint_key(self.run_key, -1)
        self._slots: list[Engineer | None] = [None] * self.n_slots
        for s in range(self.n_slots):
            if s < p.n_engineers:
                agent = rng.ENGINEER_BASE + s
                self._slots[s] = Engineer(
                    self, s,
                    skill=R.hire_skill(p, rng.normal(skey, agent, Draw.SKILL)) * 1.0,
                    tenure=p.initial_tenure_sprints, burnout=p.initial_burnout,
                    engagement=R.clip01(p.initial_engagement + 0.1 * rng.normal(skey, agent, Draw.ENGAGEMENT0)),
                    trust_em=p.initial_trust, trust_pm=p.initial_trust, user_knowledge=INITIAL["user_knowledge"],
                    temperament=_floats(draw_motives(skey, agent)))

    # --- reading the team ------------------------------------------------------------------------
    @property
    def engineers(self) -> list[Engineer]:
        """Engineers on the team, in slot order."""
        return [e for e in self._slots if e is not None]

    @property
    def headcount(self) -> int:
        return sum(e is not None for e in self._slots)

    @staticmethod
    def team_sum(values) -> float:
        """Sum of per-engineer values added one by one in slot order, as the engine adds its slots."""
        total = 0.0
        for v in values:
            total += v
        return total

    def _sum(self, engineers: list[Engineer], fn) -> float:
        """Sum of ``fn(engineer)`` over ``engineers`` (which are kept in slot order)."""
        return self.team_sum(fn(e) for e in engineers)

    # --- controls (dashboard) -------------------------------------------------------------------
    def inject_event(self, kind: str, duration: int | None = None, magnitude: float | None = None):
        """Add an event starting at the next sprint to be simulated; later steps see it."""
        raw: dict[str, Any] = {"kind": kind, "sprint": self.sprint}
        if duration is not None:
            raw["duration"] = duration
        if magnitude is not None:
            raw["magnitude"] = magnitude
        event = check_event("<inject_event>", "event", raw)
        self._horizon = max(self._horizon, self.sprint + 1)
        self.config = self.config.with_events(tuple(sorted(self.config.events + (event,), key=lambda e: e.sprint)))
        self._rebuild_schedule()
        return event

    def set_param(self, name: str, value: Any) -> None:
        """Change one parameter before the next step (validated against the parameter table)."""
        self.config = self.config.with_params(**{name: value})
        self.p = param_namespace(self.config.params)
        self._rebuild_schedule()

    def _rebuild_schedule(self) -> None:
        self.schedule = build_schedule(self.config.events, self._horizon)
        needed = self._slots_needed()
        if needed > self.n_slots:
            self._slots.extend([None] * (needed - self.n_slots))
            self.n_slots = needed

    def _events_now(self, t: int) -> SimpleNamespace:
        if t >= self._horizon:  # stepping past n_sprints (e.g. a dashboard that keeps going)
            self._horizon = max(2 * self._horizon, t + 1)
            self._rebuild_schedule()
        return SimpleNamespace(**{k: _f(v[0, t]) for k, v in self.schedule.items()})

    # --- one sprint ---------------------------------------------------------------------------------
    def step(self) -> None:
        """One sprint: communicate, plan, execute, review, disagree and resolve, update people."""
        t = self.sprint
        s = SimpleNamespace(t=t, skey=rng.sprint_key(self.run_key, t), ev=self._events_now(t))
        s.team = self.engineers  # engineers at the start of the sprint, in slot order
        self.communicate(s)
        self.plan(s)
        self.execute(s)
        self.review(s)
        self.disagree_and_resolve(s)
        self.update_people(s)
        self.current = s
        self.outcomes = self._outcomes(s)
        self.outcome_history.append(self.outcomes)
        self.sprint = t + 1
        self.datacollector.collect(self)
        if self.sprint >= self.n_sprints:
            self.running = False

    def communicate(self, s: SimpleNamespace) -> None:
        """1. PM-EM syncs, discovery with engineers, peer coordination; alignment and learning."""
        p, pm, em, ev = self.p, self.pm, self.em, s.ev
        pm.present = s.pm_here = 1.0 - ev.pm_absent
        em.present = s.em_here = 1.0 - ev.em_absent
        s.n = _f(len(s.team))
        s.n1 = max(s.n, 1.0)
        s.sync_h = _f(R.sync_hours(p, s.pm_here, s.em_here))
        s.disc_h = _f(R.discovery_hours(p, s.pm_here))
        s.peer_h = _f(R.peer_hours(p, s.n))
        context = R.shared_context_hours(p, s.sync_h, s.disc_h, s.pm_here, s.em_here)
        self.alignment = _f(R.alignment_next(p, self.alignment, context, self.tension))
        pm.meet_customers(ev.competitor)
        pm.learn_technology()
        em.meet_customers()
        s.involvement = _f(R.learning_effort(R.discovery_share(p, s.disc_h)))
        for e in s.team:
            e.join_discovery(s.involvement)
        s.together = _f(R.saturating(s.sync_h, p.relationship_hours))
        s.comm_hours = 2.0 * s.sync_h + s.n * (s.disc_h + s.peer_h)

    def plan(self, s: SimpleNamespace) -> None:
        """2. Estimate capacity, then negotiate the commitment and the tech share between PM and EM."""
        p, pm, em, ev, team = self.p, self.pm, self.em, s.ev, s.team
        s.ramp = {e.slot: e.ramp for e in team}
        mentoring_total = self._sum(team, lambda e: e.mentoring_needed())
        ramp_sum = max(self.team_sum(s.ramp.values()), EPS)
        s.avail, s.rate = {}, {}
        for e in team:
            mentoring = mentoring_total * s.ramp[e.slot] / ramp_sum
            s.avail[e.slot] = _f(R.available_days(p, s.disc_h, s.peer_h, mentoring))
            s.rate[e.slot] = e.output_rate()
        s.raw_capacity = self._sum(team, lambda e: s.avail[e.slot] * s.rate[e.slot])
        s.drag = _f(R.debt_drag(p, self.debt))
        s.delegated = _f(R.delegation(p, em.trust_engineers))
        s.flow = _f(R.coordination_flow(p, s.n, s.em_here, s.pm_here, em.hours_free(s.sync_h), s.delegated))
        s.mean_burnout = self._sum(team, lambda e: e.burnout) / s.n1
        s.unplanned_expected = (_f(R.incident_rate(p, self.debt, s.mean_burnout, 0.0)) * p.incident_cost_days
                                + ev.unplanned_days)
        s.expected_capacity = max(0.0, s.raw_capacity * (1.0 - s.drag) * _f(R.flow_factor(s.flow))
                                  - s.unplanned_expected)
        s.accuracy = em.planning_accuracy(pm)
        s.estimate = _f(R.estimate(p, s.expected_capacity, s.accuracy))
        s.pressure = _f(R.pressure_now(p, ev.pressure_add, ev.competitor))
        drive, care = pm.drive(ev.competitor), em.care()
        s.ask = pm.ask_for(s.estimate, drive, s.pressure)
        s.offer = em.offer(s.estimate, care, em.drive(), s.mean_burnout)
        s.share_pm = _f(R.pm_power_share(p, drive, s.pressure, care, s.accuracy, pm.trust_em, s.pm_here, s.em_here))
        loss = _f(R.loss_share(s.drag, s.unplanned_expected, s.raw_capacity))
        s.want_em = em.wants_tech(loss)
        s.want_pm = pm.sees_tech_value(loss)
        s.want_eng = team[0].wants_tech(loss) if team else _f(R.engineer_tech_want(p, loss))
        s.tech = _f(R.tech_share_now(p, s.want_pm, s.want_em, s.share_pm, s.pressure))
        s.commit = _f(R.negotiate(s.offer, s.ask, s.share_pm)) * (1.0 + _f(R.hidden_load(p, s.tech, self.alignment)))

    def execute(self, s: SimpleNamespace) -> None:
        """3. Engineers work under felt pressure; incidents, effort surprises and scope creep happen."""
        p, ev, team, skey = self.p, s.ev, s.team, s.skey
        s.felt = _f(R.felt_pressure(p, s.commit, s.expected_capacity, s.pressure, s.em_here))
        for e in team:
            e.work(s.felt, s.avail[e.slot], s.rate[e.slot], skey)
        flow_factor = _f(R.flow_factor(s.flow))
        s.team_capacity = self._sum(team, lambda e: e.output) * (1.0 - s.drag) * flow_factor
        s.mean_corners = self._sum(team, lambda e: e.corners) / s.n1
        s.incidents = _f(rng.poisson(rng.uniform(skey, rng.TEAM, Draw.INCIDENTS),
                                     R.incident_rate(p, self.debt, s.mean_burnout, s.mean_corners)))
        s.unplanned = s.incidents * p.incident_cost_days + ev.unplanned_days
        planned_capacity = max(0.0, s.team_capacity - s.unplanned)
        creep = _f(R.scope_added(p, rng.uniform(skey, rng.TEAM, Draw.SCOPE_CREEP)))
        required = s.commit * _f(R.effort_multiplier(p, rng.normal(skey, rng.TEAM, Draw.EFFORT))) * (1.0 + creep)
        s.done = _f(R.completion(s.commit, required, planned_capacity))
        s.delivered = s.commit * s.done
        s.creep_done = s.commit * creep * s.done
        s.slack = max(0.0, planned_capacity - required)
        s.slack_share = s.slack / max(s.team_capacity, EPS)
        s.tech_days = s.delivered * s.tech
        s.feature_days = s.delivered * (1.0 - s.tech)

    def review(self, s: SimpleNamespace) -> None:
        """4. Say/do, surprises, whether the right thing was built, customer trust and debt."""
        p, ev, team = self.p, s.ev, s.team
        warned = _f(R.warning_effect(p, self._sum(team, lambda e: e.trust_em) / s.n1,
                                     self._sum(team, lambda e: e.trust_pm) / s.n1))
        s.surprise = _f(R.surprise(s.done, warned))
        s.quality = _f(R.right_thing(self.pm.customer_insight, self.em.customer_understanding,
                                     self._sum(team, lambda e: e.user_knowledge) / s.n1, self.alignment))
        s.value = _f(R.customer_value(p, s.feature_days, s.creep_done, s.quality, ev.competitor, self.bonus,
                                      self.customer_trust))
        self.customer_trust = _f(R.customer_trust_next(p, self.customer_trust, s.done, s.quality, s.incidents,
                                                       ev.escalation))
        self.debt = _f(R.debt_next(p, self.debt, s.feature_days + s.creep_done, s.tech_days, s.slack,
                                   s.mean_corners))

    def disagree_and_resolve(self, s: SimpleNamespace) -> None:
        """5. Divergent positions may become a PM-EM conflict, resolved by the practised style."""
        p, skey = self.p, s.skey
        d = _f(R.disagreement(s.ask, s.offer, s.estimate, s.want_pm, s.want_em, self.tension, self.alignment,
                              s.pm_here * s.em_here))
        conflict = 1.0 if rng.uniform(skey, rng.TEAM, Draw.CONFLICT) < d else 0.0
        (s.pos_pm, s.neg_pm, s.pos_em, s.neg_em, tension, d_align, bonus, s.fight, s.avoid, s.productive,
         s.escalation, s.third) = (_f(x) for x in R.resolve(
             p, conflict, d, s.share_pm, rng.uniform(skey, rng.TEAM, Draw.CONFLICT_OUTCOME),
             rng.uniform(skey, rng.TEAM, Draw.ESCALATION), self.pm.trust_em, self.em.trust_pm, self.tension))
        s.disagreement, s.conflict = d, conflict
        self.tension, self.bonus = tension, bonus
        self.alignment = _f(R.clip01(self.alignment + d_align))

    def update_people(self, s: SimpleNamespace) -> None:
        """6. Trust, burnout and engagement move; engineers may leave; replacements and waves join."""
        p, pm, em, ev, team, t = self.p, self.pm, self.em, s.ev, s.team, s.t
        respect_em = float(R.respect(s.tech, s.want_em))
        overpush = max(0.0, s.commit - s.offer) / max(s.estimate, EPS)
        pm.judge_em(s.done, s.together, s.surprise, s.pos_pm, s.neg_pm)
        em.judge_pm(respect_em, s.together, overpush, s.pos_em, s.neg_em)
        pm.judge_engineers(s.done, s.surprise)
        em.judge_engineers(s.done, self._sum(team, lambda e: e.engagement) / s.n1, s.surprise)
        toil = min(1.0, s.drag + s.unplanned / max(s.team_capacity, EPS))
        for e in team:
            e.update_wellbeing(s.tech, s.want_eng, s.involvement, s.felt, s.em_here, s.flow, s.quality,
                               s.share_pm, toil, s.slack_share)
        em.learn_estimation(self.alignment, s.drag)
        # Outcomes over the sprint's team (leavers included), before anyone leaves.
        s.burnout_mean = self._sum(team, lambda e: e.burnout) / s.n1
        s.burnout_max = max([0.0] + [e.burnout for e in team])
        s.engagement_mean = self._sum(team, lambda e: e.engagement) / s.n1
        s.overtime_mean = self._sum(team, lambda e: e.overtime) / s.n1
        s.new_hires_load = self._sum(team, lambda e: 1.0 - s.ramp[e.slot])

        # Attrition: each engineer may leave; a key-engineer event takes the most skilled first.
        leaving = [e for e in team if e.decides_to_leave(s.skey)]
        reasons = {e.slot: "attrition" for e in leaving}
        for _ in range(int(ev.key_leaves)):
            stay = [e for e in team if e.slot not in reasons]
            if not stay:
                break
            key = max(stay, key=lambda e: (e.skill, -e.slot))
            leaving.append(key)
            reasons[key.slot] = "key_engineer_leaves"
        leaving.sort(key=lambda e: e.slot)
        s.leavers = _f(len(leaving))
        for e in leaving:
            self.departures.append({"sprint": t, "slot": e.slot, "reason": reasons[e.slot], "skill": e.skill,
                                    "tenure": e.tenure, "burnout": e.burnout, "engagement": e.engagement,
                                    "unique_id": e.unique_id})
            self._slots[e.slot] = None
            e.remove()
        self.left = leaving
        for e in self.engineers:
            e.tenure = e.tenure + 1.0

        # Hiring: backfills arrive after the delay, hiring waves at once; new hires take the lowest free slots.
        due = t + max(1, int(np.rint(p.hiring_delay_sprints)))
        self.hires_due[due] = self.hires_due.get(due, 0.0) + s.leavers * p.backfill
        arrivals = self.hires_due.get(t, 0.0) + ev.hires
        joined: list[Engineer] = []
        free_seen = 0.0
        for slot in range(self.n_slots):
            if self._slots[slot] is None:
                free_seen += 1.0
                if free_seen <= arrivals:
                    agent = rng.ENGINEER_BASE + slot
                    e = Engineer(self, slot, skill=R.hire_skill(p, rng.normal(s.skey, agent, Draw.SKILL)),
                                 tenure=0.0, burnout=p.initial_burnout, engagement=p.initial_engagement,
                                 trust_em=p.initial_trust, trust_pm=p.initial_trust,
                                 user_knowledge=INITIAL["new_hire_user_knowledge"], joined_sprint=t,
                                 temperament=_floats(draw_motives(s.skey, agent)))
                    self._slots[slot] = e
                    joined.append(e)
        s.joined = _f(len(joined))
        self.hires_due[t + 1] = self.hires_due.get(t + 1, 0.0) + (arrivals - s.joined)
        self.hires_due.pop(t, None)
        self.joined = joined
        stayers = [e for e in self.engineers if e.joined_sprint != t]
        n_stay = max(_f(len(stayers)), 1.0)
        s.trust_eng_pm = self._sum(stayers, lambda e: e.trust_pm) / n_stay
        s.trust_eng_em = self._sum(stayers, lambda e: e.trust_em) / n_stay
        pm.workload = _f(R.pm_workload(p, s.sync_h, s.n * s.disc_h, 1.0 - s.em_here, s.escalation)) * s.pm_here
        em.workload = _f(R.em_workload(p, s.sync_h, s.n, s.new_hires_load, s.escalation, s.delegated)) * s.em_here

    def _outcomes(self, s: SimpleNamespace) -> dict[str, float]:
        p = self.p
        out = {
            "velocity": s.delivered + s.creep_done, "committed": s.commit, "delivered": s.delivered,
            "say_do": s.done, "customer_value": s.value,
            "features_shipped": (s.feature_days + s.creep_done) / p.feature_size,
            "tech_share": s.tech, "tech_debt": self.debt, "debt_drag": s.drag, "incidents": s.incidents,
            "customer_trust": self.customer_trust,
            "burnout_mean": s.burnout_mean, "burnout_max": s.burnout_max, "engagement_mean": s.engagement_mean,
            "overtime_mean": s.overtime_mean,
            "attrition": s.leavers, "hires": s.joined, "headcount": _f(self.headcount),
            "trust_pm_em": self.pm.trust_em, "trust_em_pm": self.em.trust_pm,
            "trust_pm_eng": self.pm.trust_engineers, "trust_em_eng": self.em.trust_engineers,
            "trust_eng_pm": s.trust_eng_pm, "trust_eng_em": s.trust_eng_em,
            "comm_hours": s.comm_hours, "alignment": self.alignment, "right_thing": s.quality,
            "surprise": s.surprise,
            "conflicts_fight": s.fight, "conflicts_avoid": s.avoid, "conflicts_productive": s.productive,
            "third_paths": s.third, "escalations": s.escalation,
            "pm_workload": self.pm.workload, "em_workload": self.em.workload,
        }
        return {k: _f(out[k]) for k in OUTCOMES}
