"""The Mesa face of the model: one team (a PM, an EM and engineers) over a run of sprints.

:class:`TeamModel` is the same model as the compiled kernel (:func:`pe_sim.core.kernel.run_team`),
one agent at a time: each ``step()`` is one sprint and applies the six phases of the ODD in the
kernel's order, the agents of :mod:`pe_sim.agents` making their role's choices through the same
compiled rules, the team's backlog (``model.items``) changed by the same backlog functions. All
randomness comes from :mod:`pe_sim.core.rng` keyed by (seed, run, sprint, agent, draw), and team
sums add engineers one by one in slot order as the kernel does, so both faces give the same
per-sprint outcomes (tests/test_equivalence.py). Mesa's own generators are seeded but unused.

Typical use::

    model = TeamModel(scenario="crunch", seed=1, run=0, n_sprints=52)
    while model.running:
        model.step()
    model.datacollector.get_model_vars_dataframe()

    mesa.batch_run(TeamModel, parameters={"roadmap_mode": ["one_roadmap", "split_backlogs"]},
                   rng=[None] * 5, max_steps=52)  # None: each run draws a fresh seed (model.seed)

Keyword arguments that are parameter names (see ``pe-sim params``) override the config's.
"""

from __future__ import annotations

import secrets
from types import SimpleNamespace
from typing import Any, Iterable

import mesa
import numpy as np

from pe_sim import config as config_mod
from pe_sim.agents import Engineer, EngineeringManager, ProductManager
from pe_sim.config import Config, check_event
from pe_sim.core import backlog as B
from pe_sim.core import kernel as K
from pe_sim.core import rng, rules as R
from pe_sim.core.engine import OUTCOMES
from pe_sim.core.record import P, record
from pe_sim.core.rng import DRAW, run_key, seed_u64
from pe_sim.events import SCHEDULE_FIELDS, Event, team_slots
from pe_sim.events import schedule as build_schedule

EPS = R.EPS
ENGINEER_REPORTERS = ("slot", "skill", "tenure", "knowledge", "system_expertise", "ramp", "burnout", "engagement", "trust_em", "trust_pm",
                      "user_knowledge", "w_growth", "w_craft", "w_valued", "w_pace", "overtime", "corners", "output",
                      "valued", "leave_chance")


def _attr(name: str):
    return lambda agent: getattr(agent, name, None)


def team_sum(values: Iterable[float]) -> float:
    """Per-engineer values added one by one in slot order, as the kernel adds its slots (a
    different grouping, e.g. numpy's pairwise sum, would change the last bits)."""
    total = 0.0
    for v in values:
        total += v
    return total


MAX_SEED = 2**63 - 1  # as a config's [run] seed


def root_seed(rng: Any) -> int:
    """A root seed from what Mesa accepts as ``rng`` or ``seed``: an integer (>= 0) as it is, or one
    drawn from a numpy Generator, BitGenerator or SeedSequence (the same state gives the same run)."""
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if not 0 <= rng <= MAX_SEED:  # larger ones would alias smaller ones (keys are built mod 2**64)
            raise ValueError(f"a seed must be a whole number from 0 to 2**63 - 1; got {rng}")
        return int(rng)
    if isinstance(rng, (list, tuple)) and rng and all(isinstance(x, (int, np.integer)) and not isinstance(x, bool)
                                                      and x >= 0 for x in rng):
        if len(rng) == 1:  # numpy seeds [5] as it seeds 5, so one element is that seed
            return root_seed(rng[0])
        rng = np.random.SeedSequence([int(x) for x in rng])  # Mesa takes a sequence of ints as a seed too
    if isinstance(rng, np.random.BitGenerator):
        rng = np.random.Generator(rng)
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63 - 1))
    if isinstance(rng, np.random.SeedSequence):
        return int(rng.generate_state(1, np.uint64)[0] >> np.uint64(1))
    raise TypeError("a seed (or rng) must be a whole number >= 0, a sequence of them, a numpy Generator, BitGenerator "
                    f"or SeedSequence, or None; got {type(rng).__name__}")


class TeamModel(mesa.Model):
    """One product team over ``n_sprints`` sprints.

    Args:
        config: a :class:`pe_sim.config.Config` (default: the built-in defaults, or ``scenario``).
        seed: root seed (or a numpy Generator, BitGenerator or SeedSequence to draw it from); ``None``
            draws a fresh one (as Mesa does), kept in ``model.seed`` so the run can be repeated.
        run: the run's global index; a run's randomness depends only on (seed, run).
        n_sprints: sprints to simulate; ``running`` turns False after them (``step()`` may go on).
        scenario: name or path of a scenario config, used when ``config`` is not given.
        rng: Mesa's name for the seed: an integer, a ``numpy.random.Generator`` or
            ``SeedSequence`` (the root seed is drawn from it), or ``None``; give ``seed`` or ``rng``.
        **params: parameter overrides, validated against the parameter table.

    Readable state: ``sprint`` (sprints done), ``pm``, ``em``, ``engineers`` (slot order), team
    state ``debt``, ``customer_trust``, ``business_pressure``, ``alignment``, ``tension``,
    ``bonus``, ``items`` (the backlogs, see :mod:`pe_sim.core.backlog`), ``hires_due`` (sprint ->
    engineers due to join), ``open_reqs``, ``outcomes`` (last sprint's), ``outcome_history``,
    ``joined``/``left`` (last sprint), ``departures`` (every leaver so far), ``current`` (last
    sprint's intermediate quantities: estimate, ask, offer, commit, felt pressure, ...).
    """

    def __init__(self, config: Config | None = None, seed: int | None = None, run: int = 0, n_sprints: int = 52,
                 scenario: str | None = None, rng: Any = None, **params: Any):
        if rng is not None:
            if seed is not None:
                raise ValueError("TeamModel takes a seed or an rng, not both")
            seed = rng
        if config is None:
            config = config_mod.as_config(scenario, "TeamModel", "scenario") if scenario is not None else config_mod.default()
        config = config_mod.as_config(config, "TeamModel")
        if params:
            config = config.with_params(**params)
        run = config_mod.check_run_settings("TeamModel", run=run)["run"]
        n_sprints = config_mod._check_int("TeamModel", "n_sprints", n_sprints, 0, config_mod.RUN_LIMITS["sprints"][1])
        seed = secrets.randbits(63) if seed is None else root_seed(seed)  # mesa.batch_run passes rng values as seed
        super().__init__(rng=seed)
        self.config = config
        self.seed = seed
        self.run = int(run)
        self.n_sprints = int(n_sprints)
        self.p = record(config.params)
        # Keys stay uint64 on the Python side too: the same integers the kernel hashes.
        self.run_key = np.uint64(run_key(np.uint64(seed_u64(seed)), self.run))  # (``rng`` is the argument here)
        self.sprint = 0
        self._horizon = max(self.n_sprints, 1)
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
        """Engineer slots: the starting team (or the largest size set) plus every hiring wave (as the
        engine sizes its arrays)."""
        return team_slots(self.p[P.n_engineers], self.schedule["hires"], self.schedule["team_size"])

    def _build_team(self) -> None:
        """The kernel's set-up: managers, the starting engineers and the first backlogs (draws keyed to sprint -1)."""
        p = self.p
        self.pm = ProductManager(self, p)
        self.em = EngineeringManager(self, p)
        self.alignment, self.tension, self.bonus = float(p[P.initial_alignment]), 0.0, 0.0
        self.debt, self.customer_trust = float(p[P.initial_debt]), float(p[P.initial_customer_trust])
        self.business_pressure = float(p[P.pressure])
        self.value_recent = self.expectation = -1.0  # set from the first sprint's value
        self.escalation_load = self.relief = self.escalation_pressure = self.escalation_work = 0.0
        self.open_reqs = 0.0  # hires in the pipeline
        self.hires_due: dict[int, float] = {}
        skey = np.uint64(rng.sprint_key(self.run_key, -1))
        self._slots: list[Engineer | None] = [None] * self.n_slots
        for s in range(min(self.n_slots, int(p[P.n_engineers]))):
            self._slots[s] = Engineer.joins(self, s, skey, -1)
        self.n_feature, self.n_tech = int(p[P.feature_backlog_items]), int(p[P.tech_backlog_items])
        self.items = B.empty(self.n_feature, self.n_tech)
        B.add_items(p, self.items, 0, self.n_feature, float(self.n_feature), B.FEATURE, skey)
        B.add_items(p, self.items, self.n_feature, self.n_items, float(int(p[P.initial_tech_items])), B.TECH_ITEM, skey)

    # --- reading the team ------------------------------------------------------------------------
    @property
    def engineers(self) -> list[Engineer]:
        """Engineers on the team, in slot order."""
        return [e for e in self._slots if e is not None]

    @property
    def headcount(self) -> int:
        return sum(e is not None for e in self._slots)

    @property
    def n_items(self) -> int:
        return self.n_feature + self.n_tech

    team_sum = staticmethod(team_sum)

    # --- controls (dashboard) -------------------------------------------------------------------
    def inject_event(self, kind: str, duration: int | None = None, magnitude: float | None = None) -> Event:
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
        """Change one parameter before the next step (validated against the parameter table).
        The backlogs keep the sizes the team started with (``model.items`` has a fixed shape)."""
        self.config = self.config.with_params(**{name: value})
        self.p = record(self.config.params)
        self.p[P.feature_backlog_items], self.p[P.tech_backlog_items] = self.n_feature, self.n_tech
        self._rebuild_schedule()

    def _rebuild_schedule(self) -> None:
        self.schedule = build_schedule(self.config.events, self._horizon)
        needed = self._slots_needed()
        if needed > self.n_slots:
            self._slots.extend([None] * (needed - self.n_slots))
            self.n_slots = needed

    def _events_now(self, t: int) -> SimpleNamespace:
        """This sprint's column of the event schedule (the kernel's ``ev[:, t]``), by field name."""
        if t >= self._horizon:  # stepping past n_sprints (e.g. a dashboard that keeps going)
            self._horizon = max(2 * self._horizon, t + 1)
            self._rebuild_schedule()
        return SimpleNamespace(**{k: float(self.schedule[k][0, t]) for k in SCHEDULE_FIELDS})

    # --- one sprint ---------------------------------------------------------------------------------
    def step(self) -> None:
        """One sprint: communicate, plan, execute, review, disagree and resolve, update people."""
        t = self.sprint
        s = SimpleNamespace(t=t, skey=np.uint64(rng.sprint_key(self.run_key, t)), ev=self._events_now(t))
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
        """1. Managers' hours, PM-EM syncs, discovery, alignment and learning; new ideas, and
        discovery kills the ideas that now look worth too little."""
        p, pm, em, ev, team = self.p, self.pm, self.em, s.ev, s.team
        pm.present = s.pm_here = 1.0 - ev.pm_absent
        em.present = s.em_here = 1.0 - ev.em_absent
        s.n = float(len(team))
        s.n1 = max(s.n, 1.0)
        s.onboarding = team_sum(e.onboarding_load() for e in team)
        # The highest and second-highest knowledge and expertise: each engineer learns from the best
        # other; the team's deep expertise is its most expert engineer's.
        s.known = s.known2 = s.expertise = s.expertise2 = 0.0
        for e in team:
            s.known, s.known2 = R.top_two(s.known, s.known2, e.knowledge)
            s.expertise, s.expertise2 = R.top_two(s.expertise, s.expertise2, e.system_expertise)
        s.sync_h = R.sync_hours(p, s.pm_here, s.em_here)
        s.ownership = em.delegates()
        pm.plan_time(s.sync_h, s.n * R.discovery_hours(p, s.pm_here, 1.0), self.escalation_load, s.em_here)
        em.plan_time(s.sync_h, s.n, s.ownership, self.open_reqs, s.onboarding, self.escalation_load, s.pm_here)
        s.disc_h = R.discovery_hours(p, s.pm_here, pm.focus)
        s.peer_h = R.peer_hours(p, s.n)
        s.own_h = R.own_pm_hours(p, s.ownership)
        s.customer_h, s.pm_tech_h, s.em_customer_h = pm.customer_hours(), pm.tech_hours(), em.customer_hours()
        self.alignment = R.alignment_next(p, self.alignment, R.context_hours(p, s.sync_h, s.disc_h, s.em_customer_h,
                                                                            s.pm_tech_h), self.tension)
        pm.meet_customers(s.customer_h, ev.competitor)
        pm.learn_technology(s.pm_tech_h)
        em.meet_customers(s.em_customer_h)
        s.involvement = R.learning_effort(p, s.disc_h)
        for e in team:
            e.join_discovery(s.disc_h)
        users = team_sum(e.user_knowledge for e in team)
        s.together = R.time_together(p, s.sync_h)
        s.comm_hours = 2.0 * s.sync_h + s.n * (s.disc_h + s.peer_h + s.own_h)
        power = R.discovery_power(p, pm.customer_insight, R.customer_effort(p, s.customer_h),
                                  users / s.n1, s.involvement, em.customer_understanding)
        new_ideas = rng.poisson(rng.uniform(s.skey, rng.TEAM, DRAW.IDEAS), R.per_sprint(p, p[P.ideas_per_sprint]))
        B.add_items(p, self.items, 0, self.n_feature, new_ideas, B.FEATURE, s.skey)
        s.killed = B.discover(p, self.items, self.n_feature, power)

    def plan(self, s: SimpleNamespace) -> None:
        """2. Capacity and estimate; the PM's ask, the EM's offer, the engineers' pushback; the items."""
        p, pm, em, ev, team = self.p, self.pm, self.em, s.ev, s.team
        mentoring = team_sum(e.mentoring_needed() for e in team)
        knowledge_sum = team_sum(e.knowledge for e in team)
        s.mean_burnout = team_sum(e.burnout for e in team) / s.n1
        # Mentors are the knowledgeable: mentoring is shared by knowledge.
        s.raw_capacity = team_sum(e.plan_capacity(s.disc_h, s.peer_h, s.own_h,
                                                  mentoring * e.knowledge / max(knowledge_sum, EPS)) for e in team)
        s.drag = R.debt_drag(p, self.debt)
        s.flow = R.coordination_flow(p, em.focus, s.em_here, s.pm_here, s.ownership)
        s.unplanned_expected = (R.incident_rate(p, self.debt, s.mean_burnout, 0.0, s.expertise) * p[P.incident_cost_days]
                                + p[P.escalation_work_days] * ev.escalation + self.escalation_work)
        s.expected_capacity = max(0.0, s.raw_capacity * (1.0 - s.drag) * R.flow_factor(p, s.flow) - s.unplanned_expected)
        s.accuracy = em.planning_accuracy(pm)
        s.estimate = R.estimate(p, s.expected_capacity, s.accuracy)
        s.pressure = R.pressure_now(p, self.business_pressure,
                                    ev.pressure_add + p[P.escalation_pressure] * ev.escalation_span
                                    + self.escalation_pressure, ev.competitor)
        s.ask = pm.ask_for(s.estimate, s.pressure, ev.competitor, self.customer_trust, s.mean_burnout)
        s.offer = em.offer(s.estimate, s.pressure, ev.competitor, self.customer_trust, s.mean_burnout)
        s.share_pm = R.pm_power_share(p, s.pressure, s.accuracy, pm.trust_em, s.pm_here, s.em_here, R.pm_push(p),
                                      R.em_push(p))
        commit0 = R.negotiate(s.offer, s.ask, s.share_pm)
        s.load0 = commit0 / max(s.expected_capacity, EPS)
        s.pushing = team_sum(1.0 for e in team if e.pushes_back(s.load0)) / s.n1
        s.commit_target = em.listens(commit0, s.expected_capacity, s.pushing)
        s.visibility = pm.sees_tech_value()
        s.pm_s, s.em_s, s.joint = np.zeros(self.n_items), np.zeros(self.n_items), np.zeros(self.n_items)
        s.plan = np.zeros(self.n_items, dtype=np.int64)
        K.score_items(p, self.items, self.n_feature, s.share_pm, ev.competitor, self.debt, s.raw_capacity, s.expertise,
                      s.visibility, s.pm_s, s.em_s, s.joint)
        s.n_plan, s.commit, s.tech_planned = K.plan_sprint(p, self.items, self.n_feature, s.commit_target, s.pressure,
                                                           s.share_pm, self.alignment, s.pm_s, s.em_s, s.joint, s.plan,
                                                           np.zeros(2 * self.n_items))
        s.tech_share = s.tech_planned / max(s.commit, EPS)
        s.loss = min(1.0, s.drag + s.unplanned_expected / max(s.raw_capacity, EPS))

    def execute(self, s: SimpleNamespace) -> None:
        """3. Engineers choose hours and shortcuts; incidents and scope creep happen; the plan's work is done."""
        p, em, ev, team, skey = self.p, self.em, s.ev, s.team, s.skey
        s.felt = R.felt_pressure(p, s.commit, s.expected_capacity, s.pressure, em.shields(self.relief))
        s.luck = R.luck(p, rng.normal(skey, rng.TEAM, DRAW.NOISE))  # the whole team shares a good or bad sprint
        s.output = team_sum(e.work(s.felt, s.luck) for e in team)
        s.mean_corners = team_sum(e.corners for e in team) / s.n1
        s.overtime_mean = team_sum(e.overtime for e in team) / s.n1
        s.team_capacity = s.output * (1.0 - s.drag) * R.flow_factor(p, s.flow)
        incident_lambda = R.incident_rate(p, self.debt, s.mean_burnout, s.mean_corners, s.expertise)
        s.incidents = rng.poisson(rng.uniform(skey, rng.TEAM, DRAW.INCIDENTS), incident_lambda)
        s.unplanned = s.incidents * p[P.incident_cost_days] + p[P.escalation_work_days] * ev.escalation + self.escalation_work
        capacity = max(0.0, s.team_capacity - s.unplanned)
        creep = R.scope_added(p, s.commit, rng.uniform(skey, rng.TEAM, DRAW.SCOPE_CREEP))
        s.creep_done = min(creep, capacity)
        capacity -= s.creep_done
        # the plan's work, then, with it done early, the next items pulled in for part of the time left
        (s.planned, s.done_work, s.slack, s.value, s.shipped, s.velocity, s.true_value, s.shipped_size, s.repaid,
         s.feature_effort, s.done, s.delivered) = K.work_sprint(
            p, self.items, self.n_feature, s.plan, s.n_plan, capacity, s.commit, s.pressure, s.share_pm, self.alignment,
            s.pm_s, s.em_s, s.joint, np.zeros(self.n_items, dtype=np.int64), np.zeros(2 * self.n_items),
            self.customer_trust, self.bonus, ev.competitor)
        s.value += R.delivered_value(p, s.creep_done * p[P.feature_value] * p[P.creep_value], self.alignment,
                                     self.customer_trust, self.bonus, ev.competitor)
        s.slack_share = s.slack / max(s.team_capacity, EPS)
        debt_incident_share = ((incident_lambda - R.incident_rate(p, 0.0, s.mean_burnout, s.mean_corners, s.expertise))
                               / max(incident_lambda, EPS))
        s.debt_loss = min(1.0, s.drag + (1.0 - s.drag) * s.incidents * p[P.incident_cost_days] * debt_incident_share
                          / max(s.output, EPS))

    def review(self, s: SimpleNamespace) -> None:
        """4. Surprises, the right thing, customer trust and escalations, debt, the business's pressure."""
        p, ev, team = self.p, s.ev, s.team
        warned = R.warning_effect(p, team_sum(e.trust_em for e in team) / s.n1, team_sum(e.trust_pm for e in team) / s.n1)
        s.mean_engagement = team_sum(e.engagement for e in team) / s.n1
        s.surprise = R.surprise(s.done, warned)
        s.right_thing = s.true_value / (s.shipped_size * p[P.feature_value]) if s.shipped_size > EPS else 0.0
        chance = R.customer_escalation_chance(p, self.customer_trust, s.incidents)
        s.customer_escalation = 1.0 if rng.uniform(s.skey, rng.TEAM, DRAW.CUSTOMER_ESCALATION) < chance else 0.0
        self.customer_trust = R.customer_trust_next(p, self.customer_trust, s.done, s.incidents,
                                                    ev.escalation + p[P.own_escalation_severity] * s.customer_escalation)
        self.debt = R.debt_next(p, self.debt, s.feature_effort + s.creep_done, min(s.repaid, self.debt), s.slack,
                                s.mean_corners)
        if self.value_recent < 0.0:
            self.value_recent = self.expectation = s.value
        self.value_recent = R.value_memory_next(p, self.value_recent, s.value)
        self.expectation = R.expectation_next(p, self.expectation, self.value_recent)
        self.business_pressure = R.business_pressure_next(p, self.value_recent, self.expectation, self.customer_trust)

    def disagree_and_resolve(self, s: SimpleNamespace) -> None:
        """5. Divergent positions may become a PM-EM conflict, resolved by the practised style."""
        p, skey = self.p, s.skey
        s.disagreement = R.disagreement(p, s.ask, s.offer, s.estimate, R.tech_disagreement(p, s.loss, s.visibility),
                                        self.tension, self.alignment, s.pm_here * s.em_here)
        chance = R.chance_per_sprint(p, s.disagreement)  # the disagreement's chance of a conflict this sprint
        s.conflict = conflict = 1.0 if rng.uniform(skey, rng.TEAM, DRAW.CONFLICT) < chance else 0.0
        style = p[P.conflict_style]
        s.fight = conflict * (style == R.FIGHT)
        s.avoid = conflict * (style == R.AVOID)
        s.productive = conflict * (style == R.PRODUCTIVE)
        u_outcome = rng.uniform(skey, rng.TEAM, DRAW.CONFLICT_OUTCOME)  # who wins, and whether a third path appears
        s.pm_wins = 1.0 if u_outcome < s.share_pm else 0.0
        mean_trust = 0.5 * (self.pm.trust_em + self.em.trust_pm)
        s.escalation = s.fight * (rng.uniform(skey, rng.TEAM, DRAW.ESCALATION)
                                  < R.conflict_loser_stake(p, s.pm_wins) * (1.0 - mean_trust))
        s.third = s.productive * (u_outcome < R.third_path_chance(p, mean_trust))
        s.pos, s.neg_pm, s.neg_em = R.resolve_trust(p, s.fight, s.productive, s.third, s.escalation, s.pm_wins)
        self.tension = R.tension_next(p, self.tension, conflict, s.avoid, s.disagreement)
        self.alignment = R.clip01(self.alignment + s.productive * p[P.productive_alignment] - s.fight * p[P.fight_alignment])
        self.bonus = s.third * p[P.third_path_bonus]

    def update_people(self, s: SimpleNamespace) -> None:
        """6. Trust, burnout, engagement and knowledge move; people raise tech items, speak up or
        leave; replacements and hiring waves join."""
        p, pm, em, ev, team, skey = self.p, self.pm, self.em, s.ev, s.team, s.skey
        overpush = max(0.0, s.commit - s.offer) / max(s.estimate, EPS)
        pm.judge_em(s.done, s.together, s.surprise, s.pos, s.neg_pm)
        em.judge_pm(R.respect(s.tech_share, em.wants_tech(s.loss)), s.together, overpush, s.pos, s.neg_em)
        pm.judge_engineers(s.done, s.surprise)
        s.listened = s.pushing * p[P.pushback_effect] * em.trust_engineers * s.em_here  # as the EM took it when planning
        em.judge_engineers(s.done, s.mean_engagement, s.surprise)
        s.challenge = R.challenge(p, s.commit / max(s.expected_capacity, EPS))
        s.toil = min(1.0, s.drag + s.unplanned / max(s.team_capacity, EPS))
        raise_sum = em.raises_tech_items(s.loss)
        voice_sum = 0.0
        leaving: list[Engineer] = []
        for e in team:
            e.looks_back(s)
            voice_sum += e.speaks_up()
            raise_sum += e.raises_tech_items(s.toil)
            e.learn_system(s)
            if e.decides_to_leave(skey):
                leaving.append(e)
        s.burnout_mean = team_sum(e.burnout for e in team) / s.n1
        s.burnout_max = 0.0
        for e in team:
            s.burnout_max = max(s.burnout_max, e.burnout)
        s.engagement_mean = team_sum(e.engagement for e in team) / s.n1
        s.raised = B.add_items(p, self.items, self.n_feature, self.n_items,
                               rng.poisson(rng.uniform(skey, rng.TEAM, DRAW.TECH_ITEMS), raise_sum), B.TECH_ITEM, skey)
        s.voiced = 1.0 if rng.uniform(skey, rng.TEAM, DRAW.VOICE) < min(1.0, voice_sum) else 0.0
        em.learn_estimation(self.alignment, s.ownership, s.drag)
        self.escalation_load = s.escalation + s.customer_escalation + ev.escalation + s.voiced
        self.relief = p[P.voice_relief] * s.voiced
        self.escalation_pressure = R.escalation_pressure_next(p, self.escalation_pressure, s.customer_escalation)
        self.escalation_work = p[P.escalation_work_days] * p[P.own_escalation_severity] * s.customer_escalation
        self._leave(s, leaving)
        self._hire(s)

    def _leave(self, s: SimpleNamespace, leaving: list[Engineer]) -> None:
        """Leavers go at the end of the sprint; a key engineer leaving takes the most expert of
        those staying (the first in slot order on a tie); the rest gain tenure."""
        reasons = {e.slot: "attrition" for e in leaving}
        for _ in range(int(s.ev.key_leaves)):
            pick, best = None, -1.0
            for e in s.team:
                if e.slot not in reasons and e.system_expertise > best:
                    pick, best = e, e.system_expertise
            if pick is not None:
                leaving.append(pick)
                reasons[pick.slot] = "key_engineer_leaves"
        if s.ev.team_size > 0.0:  # a team size set for this sprint: beyond those leaving anyway, the newest go
            staying = [e for e in s.team if e.slot not in reasons]
            while len(staying) > s.ev.team_size:
                # the kernel's newest_engineer(): the shortest tenure, the last slot on a tie
                pick = max(staying, key=lambda e: (-e.tenure, e.slot))
                staying.remove(pick)
                leaving.append(pick)
                reasons[pick.slot] = "team_size"
        leaving.sort(key=lambda e: e.slot)
        s.leavers = float(len(leaving))
        for e in leaving:
            self.departures.append({"sprint": s.t, "slot": e.slot, "reason": reasons[e.slot], "skill": e.skill,
                                    "tenure": e.tenure, "knowledge": e.knowledge, "system_expertise": e.system_expertise,
                                    "burnout": e.burnout,
                                    "engagement": e.engagement, "unique_id": e.unique_id})
            self._slots[e.slot] = None
            e.remove()
        self.left = leaving
        stayers = self.engineers
        for e in stayers:
            e.tenure += 1.0
        s.stayed = float(len(stayers))
        s.trust_eng_pm = team_sum(e.trust_pm for e in stayers) / max(s.stayed, 1.0)
        s.trust_eng_em = team_sum(e.trust_em for e in stayers) / max(s.stayed, 1.0)

    def _hire(self, s: SimpleNamespace) -> None:
        """Backfills arrive after the hiring delay, hiring waves at once; new hires take the lowest
        free slots, and whoever finds no free slot comes the sprint after."""
        p, t = self.p, s.t
        if s.ev.team_size > 0.0:  # the team is filled to the size set, at once; no backfill is open
            self.hires_due.clear()
            self.open_reqs = 0.0
            arrivals = s.ev.team_size - s.stayed
        else:
            if p[P.backfill] == 1.0:
                due = t + R.hiring_delay(p)
                self.hires_due[due] = self.hires_due.get(due, 0.0) + s.leavers
                self.open_reqs += s.leavers
            backfills = self.hires_due.pop(t, 0.0)
            arrivals = backfills + s.ev.hires
            self.open_reqs -= backfills
        joined: list[Engineer] = []
        for slot in range(self.n_slots):
            if len(joined) >= arrivals:
                break
            if self._slots[slot] is None:
                self._slots[slot] = e = Engineer.joins(self, slot, s.skey, t)
                joined.append(e)
        s.joined = float(len(joined))
        if arrivals - s.joined != 0.0:
            self.hires_due[t + 1] = self.hires_due.get(t + 1, 0.0) + (arrivals - s.joined)
        self.open_reqs += arrivals - s.joined
        self.joined = joined

    def _outcomes(self, s: SimpleNamespace) -> dict[str, float]:
        """This sprint's outcomes, as the kernel writes them (keys and order of engine.OUTCOMES)."""
        out = {
            "velocity": s.velocity, "committed": s.commit, "delivered": s.delivered, "say_do": s.done,
            "customer_value": s.value, "features_shipped": s.shipped, "ideas_killed": s.killed,
            "tech_share": s.tech_share, "tech_items_raised": s.raised, "tech_debt": self.debt, "debt_drag": s.drag,
            "debt_capacity_loss": s.debt_loss, "incidents": s.incidents, "customer_trust": self.customer_trust,
            "business_pressure": self.business_pressure, "customer_escalations": s.customer_escalation,
            "burnout_mean": s.burnout_mean, "burnout_max": s.burnout_max, "engagement_mean": s.engagement_mean,
            "overtime_mean": s.overtime_mean, "corners_mean": s.mean_corners, "pushback": s.pushing,
            "attrition": s.leavers, "hires": s.joined, "headcount": s.stayed + s.joined, "expertise": s.expertise,
            "trust_pm_em": self.pm.trust_em, "trust_em_pm": self.em.trust_pm,
            "trust_pm_eng": self.pm.trust_engineers, "trust_em_eng": self.em.trust_engineers,
            "trust_eng_pm": s.trust_eng_pm, "trust_eng_em": s.trust_eng_em, "comm_hours": s.comm_hours,
            "alignment": self.alignment, "right_thing": s.right_thing, "surprise": s.surprise,
            "conflicts_fight": s.fight, "conflicts_avoid": s.avoid, "conflicts_productive": s.productive,
            "third_paths": s.third, "escalations": s.escalation, "engineer_escalations": s.voiced,
            "pm_workload": self.pm.workload, "em_workload": self.em.workload,
        }
        return {k: float(out[k]) for k in OUTCOMES}
