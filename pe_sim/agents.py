"""The people on the team as Mesa agents: a product manager, an engineering manager and engineers.

Each agent carries the state the ODD lists for its role and makes its role's choices by calling
the compiled rules of :mod:`pe_sim.core.rules` (and the kernel's compiled helpers), the very
functions :func:`pe_sim.core.kernel.run_team` calls for whole batches of runs. Randomness comes
only from :mod:`pe_sim.core.rng`, keyed by (seed, run, sprint, agent, draw): an engineer in slot
``s`` draws with agent id ``ENGINEER_BASE + s``, exactly the numbers the kernel draws for slot ``s``.

Methods are named for what the person does; each says which part of the kernel's sprint it is.
Values stay plain floats (the rules return float64), so both faces do the same arithmetic.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

import mesa

from pe_sim.core import kernel as K
from pe_sim.core import rng, rules as R
from pe_sim.core.record import P
from pe_sim.core.rng import DRAW

if TYPE_CHECKING:
    from pe_sim.model import TeamModel

EPS = R.EPS


class ProductManager(mesa.Agent):
    """The PM: owns the why and the what; weighs customer value, competition, money, shipping fast
    and looking good.

    Attributes:
        trust_em, trust_engineers: the PM's trust in the EM and in the engineers (0-1).
        customer_insight: understanding of customers and the market (0-1).
        tech_understanding: understanding of the technology (0-1).
        focus: share of their discretionary hours they get to this sprint (1 unless overloaded).
        workload: hours asked for over hours available (1 = fully loaded).
        present: 1.0 at work, 0.0 when absent (event ``pm_absent``).
    """

    role = "PM"

    def __init__(self, model: TeamModel, p):
        super().__init__(model)
        self.agent_id = rng.PM
        self.trust_em = self.trust_engineers = float(p[P.initial_trust])
        self.customer_insight = float(p[P.initial_pm_insight])
        self.tech_understanding = float(p[P.initial_pm_tech])
        self.focus, self.workload, self.present = 1.0, 0.0, 1.0
        self.hours = (0.0, 0.0)  # this sprint's (fixed, discretionary) hours asked of the PM

    @property
    def motivators(self) -> dict[str, float]:
        p = self.model.p
        return {"customer_value": p[P.pm_w_customer_value], "competition": p[P.pm_w_competition],
                "money": p[P.pm_w_money], "ship_fast": p[P.pm_w_ship_fast], "look_good": p[P.pm_w_look_good]}

    # 1. communicate
    def plan_time(self, sync_h: float, disc_team_h: float, escalation_load: float, em_here: float) -> None:
        """Hours asked of the PM this sprint, and the share of discretionary work they get to."""
        p = self.model.p
        self.hours = R.pm_demand(p, sync_h, disc_team_h, escalation_load, self.present, em_here)
        self.focus = R.focus(p, *self.hours)
        self.workload = R.workload(p, *self.hours)

    def customer_hours(self) -> float:
        p = self.model.p
        return p[P.pm_customer_share] * R.sprint_hours(p) * self.focus * self.present

    def tech_hours(self) -> float:
        """Hours the PM spends learning the technology."""
        p = self.model.p
        return p[P.pm_learns_tech] * R.sprint_hours(p) * self.focus * self.present

    def meet_customers(self, hours: float, competitor: float) -> None:
        """Time with customers builds insight; markets move, faster when a competitor launches."""
        self.customer_insight = R.pm_insight_next(self.model.p, self.customer_insight, hours, competitor)

    def learn_technology(self, hours: float) -> None:
        self.tech_understanding = R.understanding_next(self.model.p, self.tech_understanding, hours)

    # 2. plan
    def ask_for(self, estimate: float, pressure: float, competitor: float, customer_trust: float,
                mean_burnout: float) -> float:
        """The commitment the PM asks for: the option that best serves the PM's motivators, given
        what they believe the team can do."""
        p = self.model.p
        return estimate * K.best_option(p, 1.0, 1.0 + p[P.push_scale], K.PM_ASKS, R.pm_belief(p, self.trust_engineers),
                                        pressure, competitor, customer_trust, 0.0, mean_burnout)

    def sees_tech_value(self) -> float:
        """Share of a tech item's value the PM sees."""
        return R.pm_visibility(self.model.p, self.tech_understanding)

    # 6. update people
    def judge_em(self, done: float, together: float, surprise: float, pos: float, neg: float) -> None:
        """Kept commitments and time together build trust in the EM; surprises and lost fights cost it."""
        p = self.model.p
        self.trust_em = R.trust_with_conflict(p, self.trust_em, p[P.trust_mix] * done + (1.0 - p[P.trust_mix]) * together,
                                              surprise, pos, neg)

    def judge_engineers(self, done: float, surprise: float) -> None:
        p = self.model.p
        self.trust_engineers = R.trust_next(p, self.trust_engineers, done, p[P.surprise_weight] * surprise)


class EngineeringManager(mesa.Agent):
    """The EM: owns the how; weighs building it right, engineers' motivation, debt, shipping fast
    and looking good.

    Attributes:
        trust_pm, trust_engineers: the EM's trust in the PM and in the engineers (0-1).
        customer_understanding: understanding of customers (0-1).
        estimation_accuracy: how well the EM estimates capacity (0-1).
        focus, workload, present: as for the PM.
    """

    role = "EM"

    def __init__(self, model: TeamModel, p):
        super().__init__(model)
        self.agent_id = rng.EM
        self.trust_pm = self.trust_engineers = float(p[P.initial_trust])
        self.customer_understanding = float(p[P.initial_em_customer])
        self.estimation_accuracy = float(p[P.initial_em_estimation])
        self.focus, self.workload, self.present = 1.0, 0.0, 1.0
        self.hours = (0.0, 0.0)

    @property
    def motivators(self) -> dict[str, float]:
        p = self.model.p
        return {"right_way": p[P.em_w_right_way], "engineers": p[P.em_w_engineers], "tech_debt": p[P.em_w_tech_debt],
                "ship_fast": p[P.em_w_ship_fast], "look_good": p[P.em_w_look_good]}

    # 1. communicate
    def delegates(self) -> float:
        """Share of project management the EM hands to the engineers, as far as the EM trusts them."""
        return R.delegation(self.model.p, self.trust_engineers)

    def plan_time(self, sync_h: float, n: float, ownership: float, open_reqs: float, onboarding: float,
                  escalation_load: float, pm_here: float) -> None:
        """Hours asked of the EM this sprint, and the share of discretionary work they get to."""
        p = self.model.p
        self.hours = R.em_demand(p, sync_h, n, ownership, open_reqs, onboarding, escalation_load, pm_here, self.present)
        self.focus = R.focus(p, *self.hours)
        self.workload = R.workload(p, *self.hours)

    def customer_hours(self) -> float:
        p = self.model.p
        return p[P.em_meets_customers] * R.sprint_hours(p) * self.focus * self.present

    def meet_customers(self, hours: float) -> None:
        self.customer_understanding = R.understanding_next(self.model.p, self.customer_understanding, hours)

    # 2. plan
    def planning_accuracy(self, pm: ProductManager) -> float:
        """Accuracy of this sprint's estimate: the EM's, or a covering PM's when the EM is away."""
        return R.estimation_accuracy(self.model.p, self.estimation_accuracy, self.focus, pm.tech_understanding,
                                     self.present)

    def offer(self, estimate: float, pressure: float, competitor: float, customer_trust: float,
              mean_burnout: float) -> float:
        """The commitment the EM offers: the option that best serves the EM's motivators (a load
        the team can sustain, lower when they are tired)."""
        p = self.model.p
        return estimate * K.best_option(p, 1.0 - p[P.buffer_scale], 1.0 + p[P.buffer_scale], K.EM_OFFERS, 0.0, pressure,
                                        competitor, customer_trust, R.em_target_load(p, mean_burnout), mean_burnout)

    def listens(self, commit: float, capacity: float, share_pushing: float) -> float:
        """The commitment after the engineers' pushback, taken as far as the EM trusts them."""
        return R.after_pushback(self.model.p, commit, capacity, share_pushing, self.trust_engineers, self.present)

    # 3. execute
    def shields(self, relief: float) -> float:
        """Share of pressure the EM keeps off the team (plus relief won by an escalation)."""
        return R.shielding(self.model.p, self.focus, self.present, relief)

    # 6. update people
    def wants_tech(self, loss: float) -> float:
        """Share of the sprint the EM thinks tech work deserves."""
        return R.em_tech_want(self.model.p, loss)

    def raises_tech_items(self, loss: float) -> float:
        """Expected tech items the EM raises this sprint."""
        return R.em_raises(self.model.p, loss)

    def judge_pm(self, respect: float, together: float, overpush: float, pos: float, neg: float) -> None:
        """Respect for tech work and time together build trust in the PM; being overruled costs it."""
        p = self.model.p
        self.trust_pm = R.trust_with_conflict(p, self.trust_pm, p[P.trust_mix] * respect + (1.0 - p[P.trust_mix]) * together,
                                              p[P.overpush_weight] * overpush, pos, neg)

    def judge_engineers(self, done: float, mean_engagement: float, surprise: float) -> None:
        p = self.model.p
        self.trust_engineers = R.trust_next(p, self.trust_engineers,
                                            p[P.trust_mix] * done + (1.0 - p[P.trust_mix]) * mean_engagement,
                                            p[P.surprise_weight] * surprise)

    def learn_estimation(self, alignment: float, ownership: float, drag: float) -> None:
        self.estimation_accuracy = R.estimation_next(self.model.p, self.estimation_accuracy, alignment, ownership, drag)


class Engineer(mesa.Agent):
    """An engineer in slot ``slot`` of the team.

    State: ``skill`` (ideal-days per day when ramped and rested), ``tenure`` (sprints on the team),
    ``knowledge`` of the system (0-1; their productivity while they ramp up), deep ``system_expertise`` of it
    (0-1; how it fails and why it is built as it is, learned over years), ``burnout`` and
    ``engagement`` (0-1), ``trust_em``/``trust_pm`` (0-1), ``user_knowledge`` (0-1), and their own
    motivator weights ``w_growth``, ``w_craft``, ``w_valued``, ``w_pace`` (the team's ``eng_w_*``
    shifted by their temperament, drawn when they join). The sprint's choices are kept for display:
    ``available``, ``rate``, ``overtime``, ``slack`` (share of time kept off the work), ``corners``, ``output``,
    ``pushed_back``, ``valued``,
    ``satisfaction``, ``leave_chance``. ``joined_sprint`` is -1 for the starting team.
    """

    role = "engineer"

    def __init__(self, model: TeamModel, slot: int, *, skill: float, tenure: float, knowledge: float, system_expertise: float,
                 burnout: float, engagement: float, trust_em: float, trust_pm: float, user_knowledge: float,
                 w_growth: float, w_craft: float, w_valued: float, w_pace: float, joined_sprint: int = -1):
        super().__init__(model)
        self.slot = int(slot)
        self.agent_id = rng.ENGINEER_BASE + self.slot
        self.joined_sprint = int(joined_sprint)
        self.skill, self.tenure, self.knowledge = skill, tenure, knowledge
        self.system_expertise = system_expertise
        self.burnout, self.engagement = burnout, engagement
        self.trust_em, self.trust_pm, self.user_knowledge = trust_em, trust_pm, user_knowledge
        self.w_growth, self.w_craft, self.w_valued, self.w_pace = w_growth, w_craft, w_valued, w_pace
        self.available = self.rate = self.overtime = self.slack = self.corners = self.output = 0.0
        self.pushed_back, self.valued, self.satisfaction, self.leave_chance = False, 0.0, 0.0, 0.0

    @classmethod
    def joins(cls, model: TeamModel, slot: int, skey, sprint: int) -> Engineer:
        """Someone joins ``slot``: skill and temperament drawn from the joining sprint's key, as
        :func:`pe_sim.core.kernel.new_engineer` draws them (``sprint`` -1: the starting team)."""
        p, agent = model.p, rng.ENGINEER_BASE + slot

        def weight(team_weight: float, draw: int) -> float:
            return R.individual_weight(team_weight, p[P.motivator_spread], rng.normal(skey, agent, draw))

        skill = R.hire_skill(p, rng.normal(skey, agent, DRAW.SKILL))
        motives = dict(w_growth=weight(p[P.eng_w_growth], DRAW.MOTIVE_GROWTH),
                       w_craft=weight(p[P.eng_w_craft], DRAW.MOTIVE_CRAFT),
                       w_valued=weight(p[P.eng_w_valued], DRAW.MOTIVE_VALUED),
                       w_pace=weight(p[P.eng_w_pace], DRAW.MOTIVE_PACE))
        if sprint < 0:  # the starting team: tenure spread around its mean, knowledge and expertise from tenure
            tenure = R.starting_tenure(p, rng.uniform(skey, agent, DRAW.TENURE0))
            knowledge = R.knowledge_from_tenure(p, tenure)
            expertise = R.expertise_from_tenure(p, tenure)
            engagement = R.clip01(p[P.initial_engagement] + p[P.engagement_sd] * rng.normal(skey, agent, DRAW.ENGAGEMENT0))
            users = p[P.initial_user_knowledge]
        else:  # a new hire starts ramping up and knows the users as newcomers do
            tenure, knowledge, expertise = 0.0, p[P.ramp_start], 0.0
            engagement, users = p[P.initial_engagement], p[P.new_hire_user_knowledge]
        return cls(model, slot, skill=skill, tenure=float(tenure), knowledge=float(knowledge),
                   system_expertise=float(expertise),
                   burnout=float(p[P.initial_burnout]), engagement=float(engagement),
                   trust_em=float(p[P.initial_trust]), trust_pm=float(p[P.initial_trust]), user_knowledge=float(users),
                   joined_sprint=sprint, **motives)

    @property
    def motivators(self) -> dict[str, float]:
        """This engineer's own motivator weights."""
        return {"growth": self.w_growth, "craft": self.w_craft, "valued": self.w_valued, "pace": self.w_pace}

    @property
    def ramp(self) -> float:
        """Productivity from knowing the system (ramp_start when new, 1 once ramped up)."""
        return self.knowledge

    # 1. communicate
    def onboarding_load(self) -> float:
        """How far from ramped up they are (1 on their first day, 0 once they know the system)."""
        p = self.model.p
        return R.clip01((1.0 - self.knowledge) / max(1.0 - p[P.ramp_start], EPS))

    def join_discovery(self, hours: float) -> None:
        """Time in discovery and user research builds knowledge of users."""
        self.user_knowledge = R.understanding_next(self.model.p, self.user_knowledge, hours)

    # 2. plan
    def mentoring_needed(self) -> float:
        """Mentor days they take from the team while ramping up."""
        return R.mentor_days(self.model.p, self.knowledge)

    def plan_capacity(self, disc_h: float, peer_h: float, own_h: float, mentoring: float) -> float:
        """Days available for the plan and output per day; returns their product (raw capacity)."""
        p = self.model.p
        self.available = R.available_days(p, disc_h, peer_h, own_h, mentoring)
        self.rate = R.output_rate(p, self.skill, self.knowledge, self.burnout, self.engagement)
        return self.available * self.rate

    def pushes_back(self, load: float) -> bool:
        """Whether they speak up against the commitment: the overload costs their pace and craft,
        speaking up risks how they are seen, less so with an EM they trust (kept as ``pushed_back``)."""
        self.pushed_back = bool(R.pushes_back(self.model.p, self.w_pace, self.w_craft, self.w_valued, load,
                                              self.trust_em))
        return self.pushed_back

    # 3. execute
    def work(self, felt: float, team_luck: float) -> float:
        """Choose hours, slack and shortcuts under felt pressure; returns ideal-days delivered."""
        p = self.model.p
        self.overtime = R.overtime(p, self.w_valued, self.w_pace, felt, self.engagement, self.burnout)
        self.corners = R.corner_cutting(p, self.w_valued, self.w_craft, p[P.em_w_right_way], felt, self.burnout)
        self.slack = R.slack_kept(p, self.w_valued, self.w_pace, felt, self.engagement, self.burnout)
        self.output = R.engineer_output(p, self.available * (1.0 - self.slack), self.rate, self.overtime, self.corners,
                                        team_luck)
        return self.output

    # 6. update people
    def looks_back(self, s: SimpleNamespace) -> None:
        """After the sprint: whether they felt valued, their trust in the EM and PM, burnout,
        engagement and how good staying is. ``s`` is the sprint as the team lived it
        (:attr:`pe_sim.model.TeamModel.current`)."""
        p = self.model.p
        mix = p[P.trust_mix]
        heard = s.listened / max(s.pushing, EPS) if self.pushed_back else 1.0  # the choice made when planning
        self.valued = R.feeling_valued(p, R.respect(s.tech_share, R.engineer_tech_want(p, self.w_craft, s.loss)),
                                       s.involvement, heard, s.felt)
        self.trust_em = R.trust_next(p, self.trust_em,
                                     mix * (1.0 - min(1.0, s.felt)) * s.em_here + (1.0 - mix) * self.valued,
                                     mix * s.felt + (1.0 - mix) * (1.0 - s.flow))
        self.trust_pm = R.trust_next(p, self.trust_pm, mix * s.involvement + (1.0 - mix) * self.valued,
                                     mix * s.felt * s.share_pm)
        grown = R.growth(p, s.tech_share, s.involvement, s.ownership, s.challenge)
        stressed = R.stress(p, self.w_pace, self.w_craft, self.w_valued, self.overtime, s.felt, self.corners, s.toil,
                            self.valued)
        self.burnout = R.burnout_next(p, self.burnout, stressed, s.slack_share + self.slack)
        self.engagement = R.engagement_next(p, self.w_growth, self.w_valued, self.engagement, grown, self.valued,
                                            self.burnout)
        self.satisfaction = R.satisfaction(self.w_growth, self.w_craft, self.w_valued, self.w_pace, grown,
                                           (1.0 - self.corners) * (1.0 - s.toil), self.valued,
                                           (1.0 - min(1.0, self.overtime / p[P.overtime_reference])) * (1.0 - self.burnout))

    def speaks_up(self) -> float:
        """Chance they escalate their unhappiness rather than leave (voice before exit)."""
        return R.voice_chance(self.model.p, self.satisfaction, self.trust_em)

    def raises_tech_items(self, toil: float) -> float:
        """Expected tech items they raise this sprint: the toil they live with, as far as they trust the EM."""
        return R.raise_chance(self.model.p, self.w_craft, self.w_growth, toil, self.trust_em)

    def learn_system(self, s: SimpleNamespace) -> None:
        """Knowledge of the system grows, faster with a ramped-up teammate to learn from; deep
        expertise grows over years, faster beside the most expert other teammate, and goes stale
        as the system changes (``s`` holds the team's highest and second-highest levels)."""
        p = self.model.p
        self.knowledge = R.knowledge_next(p, self.knowledge, R.teacher_of(self.knowledge, s.known, s.known2))
        self.system_expertise = R.expertise_next(p, self.system_expertise,
                                                 R.teacher_of(self.system_expertise, s.expertise, s.expertise2))

    def decides_to_leave(self, skey) -> bool:
        """Burnout, dissatisfaction and outside reasons may take them away (one draw per sprint)."""
        self.leave_chance = R.leave_probability(self.model.p, self.burnout, self.satisfaction, self.trust_em)
        return bool(rng.uniform(skey, self.agent_id, DRAW.ATTRITION) < self.leave_chance)


__all__ = ["ProductManager", "EngineeringManager", "Engineer"]
