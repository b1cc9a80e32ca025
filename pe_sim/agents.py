"""The people on the team as Mesa agents: a product manager, an engineering manager and engineers.

Each agent carries the state MODEL.md lists for its role and makes its role's decisions by
calling the rules of :mod:`pe_sim.core.rules` with plain Python floats, the same functions the
vectorised engine (:mod:`pe_sim.core.engine`) applies to whole batches of runs. Randomness comes
only from :mod:`pe_sim.core.rng`, keyed by (seed, run, sprint, agent, draw), so an engineer in slot
``s`` draws exactly the numbers the engine draws for slot ``s``.

Motivator weights are read from the model's parameters (``agent.motivators``), so a parameter
changed between sprints (a dashboard slider) changes how every agent weighs its options.
"""

from __future__ import annotations

import mesa
import numpy as np

from pe_sim.core import rng, rules
from pe_sim.core.rng import Draw

R = rules


def _f(x) -> float:
    return float(x)


class ProductManager(mesa.Agent):
    """The PM: owns the why and the what, pushes for customer value and speed.

    Attributes:
        trust_em: PM's trust in the EM (0-1).
        trust_engineers: PM's trust in the engineers (0-1).
        customer_insight: understanding of customers and the market (0-1).
        tech_understanding: understanding of the technology (0-1).
        workload: hours demanded over hours available last sprint (1 = fully loaded).
        present: 1.0 when at work this sprint, 0.0 when absent (event ``pm_absent``).
    """

    role = "PM"

    def __init__(self, model, trust_em: float, trust_engineers: float, customer_insight: float,
                 tech_understanding: float):
        super().__init__(model)
        self.agent_id = rng.PM
        self.trust_em = float(trust_em)
        self.trust_engineers = float(trust_engineers)
        self.customer_insight = float(customer_insight)
        self.tech_understanding = float(tech_understanding)
        self.workload = 0.0
        self.present = 1.0

    @property
    def motivators(self) -> dict[str, float]:
        p = self.model.p
        return {"customer_value": p.pm_w_customer_value, "competition": p.pm_w_competition,
                "money": p.pm_w_money, "ship_fast": p.pm_w_ship_fast, "look_good": p.pm_w_look_good}

    # 1. communicate
    def meet_customers(self, competitor: float) -> None:
        """Time with customers builds insight; a competitor's launch makes the market move faster."""
        self.customer_insight = _f(R.pm_insight_next(self.customer_insight, self.present, competitor))

    def learn_technology(self) -> None:
        p = self.model.p
        self.tech_understanding = _f(R.understanding_next(self.tech_understanding,
                                                          self.present * R.learning_effort(p.pm_learns_tech)))

    # 2. plan
    def drive(self, competitor: float) -> float:
        """How strongly the PM's motivators push for more committed feature work."""
        return _f(R.pm_drive(self.model.p, competitor))

    def ask_for(self, estimate: float, drive: float, pressure: float) -> float:
        """Work the PM asks the team to commit to."""
        return _f(R.pm_ask(self.model.p, estimate, drive, pressure, self.trust_engineers))

    def sees_tech_value(self, loss: float) -> float:
        """Share of the sprint the PM would give to tech work, from the value they can see in it."""
        return _f(R.pm_tech_want(self.model.p, loss, self.tech_understanding))

    # 6. update people
    def judge_em(self, done: float, together: float, surprise: float, pos: float, neg: float) -> None:
        """Kept commitments and time together build trust in the EM; surprises and lost fights cost it."""
        self.trust_em = _f(R.trust_next(self.model.p, self.trust_em, 0.5 * done + 0.5 * together + pos,
                                        surprise + neg))

    def judge_engineers(self, done: float, surprise: float) -> None:
        self.trust_engineers = _f(R.trust_next(self.model.p, self.trust_engineers, done, 0.5 * surprise))


class EngineeringManager(mesa.Agent):
    """The EM: owns the how, protects the team and the codebase.

    Attributes:
        trust_pm: EM's trust in the PM (0-1).
        trust_engineers: EM's trust in the engineers (0-1).
        customer_understanding: understanding of customers (0-1).
        estimation_accuracy: how well the EM estimates capacity (0-1).
        workload: hours demanded over hours available last sprint.
        present: 1.0 when at work this sprint, 0.0 when absent (event ``em_absent``).
    """

    role = "EM"

    def __init__(self, model, trust_pm: float, trust_engineers: float, customer_understanding: float,
                 estimation_accuracy: float):
        super().__init__(model)
        self.agent_id = rng.EM
        self.trust_pm = float(trust_pm)
        self.trust_engineers = float(trust_engineers)
        self.customer_understanding = float(customer_understanding)
        self.estimation_accuracy = float(estimation_accuracy)
        self.workload = 0.0
        self.present = 1.0

    @property
    def motivators(self) -> dict[str, float]:
        p = self.model.p
        return {"right_way": p.em_w_right_way, "engineers": p.em_w_engineers, "tech_debt": p.em_w_tech_debt,
                "ship_fast": p.em_w_ship_fast, "look_good": p.em_w_look_good}

    # 1. communicate
    def meet_customers(self) -> None:
        p = self.model.p
        self.customer_understanding = _f(R.understanding_next(
            self.customer_understanding, self.present * R.learning_effort(p.em_meets_customers)))

    def hours_free(self, sync_h: float) -> float:
        """EM hours left for coordinating the team after syncs and customer time."""
        return _f(R.em_hours_free(self.model.p, sync_h))

    # 2. plan
    def planning_accuracy(self, pm: ProductManager) -> float:
        """Accuracy of this sprint's estimate: the EM's, or a covering PM's when the EM is away."""
        return _f(R.estimation_accuracy(self.model.p, self.estimation_accuracy, pm.tech_understanding,
                                        self.present))

    def care(self) -> float:
        """How strongly the EM's motivators favour sustainable, well-built work."""
        return _f(R.em_care(self.model.p))

    def drive(self) -> float:
        return _f(R.em_drive(self.model.p))

    def offer(self, estimate: float, care: float, drive: float, mean_burnout: float) -> float:
        """Work the EM offers to commit to: a buffer below the estimate that grows with burnout."""
        return _f(R.em_offer(self.model.p, estimate, care, drive, mean_burnout))

    def wants_tech(self, loss: float) -> float:
        return _f(R.em_tech_want(self.model.p, loss))

    # 6. update people
    def judge_pm(self, respect: float, together: float, overpush: float, pos: float, neg: float) -> None:
        """Respect for tech work and time together build trust in the PM; being overruled costs it."""
        self.trust_pm = _f(R.trust_next(self.model.p, self.trust_pm, 0.5 * respect + 0.5 * together + pos,
                                        2.0 * overpush + neg))

    def judge_engineers(self, done: float, mean_engagement: float, surprise: float) -> None:
        self.trust_engineers = _f(R.trust_next(self.model.p, self.trust_engineers,
                                               0.5 * done + 0.5 * mean_engagement, 0.5 * surprise))

    def learn_estimation(self, alignment: float, drag: float) -> None:
        self.estimation_accuracy = _f(R.estimation_next(self.model.p, self.estimation_accuracy, alignment, drag))


class Engineer(mesa.Agent):
    """An engineer in slot ``slot`` of the team.

    State: ``skill`` (ideal-days per day when ramped and rested), ``tenure`` (sprints on the
    team), ``ramp`` (productivity from onboarding, derived from tenure), ``burnout`` and
    ``engagement`` (0-1), ``trust_em``/``trust_pm`` (0-1), ``user_knowledge`` (0-1).

    Last sprint's decisions are kept for display: ``overtime`` (share of normal hours),
    ``corners`` (share of work done with shortcuts), ``output`` (ideal-days), ``valued`` (0-1),
    ``leave_chance``. ``joined_sprint`` is the sprint they joined (-1 for the starting team).
    """

    role = "engineer"

    def __init__(self, model, slot: int, skill: float, tenure: float, burnout: float, engagement: float,
                 trust_em: float, trust_pm: float, user_knowledge: float, joined_sprint: int = -1,
                 temperament: dict[str, float] | None = None):
        super().__init__(model)
        self.slot = int(slot)
        # Standard-normal offsets of this person's motivators from the team's eng_w_* weights.
        self.temperament = {m: float((temperament or {}).get(m, 0.0)) for m in R.ENGINEER_MOTIVES}
        self.agent_id = rng.ENGINEER_BASE + self.slot
        self.skill = float(skill)
        self.tenure = float(tenure)
        self.burnout = float(burnout)
        self.engagement = float(engagement)
        self.trust_em = float(trust_em)
        self.trust_pm = float(trust_pm)
        self.user_knowledge = float(user_knowledge)
        self.joined_sprint = int(joined_sprint)
        self.overtime = 0.0
        self.corners = 0.0
        self.output = 0.0
        self.valued = 0.0
        self.leave_chance = 0.0

    @property
    def motivators(self) -> dict[str, float]:
        """This engineer's own weights: the team's eng_w_* shifted by their temperament."""
        return {m: _f(w) for m, w in R.individual_weights(self.model.p, self.temperament).items()}

    @property
    def prefs(self):
        """The parameters as this engineer weighs them (their own motivator weights)."""
        return R.engineer_prefs(self.model.p, self.motivators)

    @property
    def ramp(self) -> float:
        """Productivity from onboarding (ramp_start in the first sprint, 1 once ramped up)."""
        return _f(R.ramp(self.model.p, self.tenure))

    # 1. communicate
    def join_discovery(self, involvement: float) -> None:
        """Time in discovery and user research builds knowledge of users."""
        self.user_knowledge = _f(R.understanding_next(self.user_knowledge, involvement))

    # 2. plan
    def mentoring_needed(self) -> float:
        """Mentor days this engineer takes from the team while ramping up."""
        return _f(R.mentor_days(self.model.p, self.ramp))

    def output_rate(self) -> float:
        return _f(R.output_rate(self.model.p, self.skill, self.ramp, self.burnout, self.engagement))

    def wants_tech(self, loss: float) -> float:
        return _f(R.engineer_tech_want(self.model.p, loss))

    # 3. execute
    def work(self, felt: float, available: float, rate: float, skey) -> float:
        """Work the sprint under felt pressure: stretch hours, maybe cut corners; returns ideal-days delivered."""
        p, own = self.model.p, self.prefs
        self.overtime = _f(R.overtime(own, felt, self.engagement))
        self.corners = _f(R.corner_cutting(own, felt, self.burnout))
        noise = rng.normal(skey, rng.TEAM, Draw.NOISE)  # the whole team shares a good or bad sprint
        self.output = _f(R.engineer_output(p, available, rate, self.overtime, self.corners, noise))
        return self.output

    # 6. update people
    def update_wellbeing(self, tech: float, want_tech: float, involvement: float, felt: float, em_here: float,
                         flow: float, quality: float, share_pm: float, toil: float, slack_share: float) -> None:
        """Trust in the EM and PM, burnout and engagement after the sprint."""
        p, own = self.model.p, self.prefs
        self.valued = valued = _f(R.feeling_valued(tech, want_tech, involvement, felt))
        trust_em = R.trust_next(p, self.trust_em, 0.5 * (1.0 - np.minimum(1.0, felt)) * em_here + 0.5 * valued,
                                0.5 * felt + 0.5 * (1.0 - flow))
        trust_pm = R.trust_next(p, self.trust_pm, 0.5 * involvement + 0.5 * valued * quality, 0.5 * felt * share_pm)
        stress = R.stress(own, self.overtime, felt, self.corners, toil, valued)
        burnout = _f(R.burnout_next(p, self.burnout, stress, slack_share))
        engagement = _f(R.engagement_next(own, self.engagement, R.growth(tech, involvement, self.corners), valued,
                                          burnout))
        self.trust_em, self.trust_pm = _f(trust_em), _f(trust_pm)
        self.burnout, self.engagement = burnout, engagement

    def decides_to_leave(self, skey) -> bool:
        """Burned-out or disengaged engineers may leave (one draw per engineer and sprint)."""
        self.leave_chance = _f(R.leave_probability(self.model.p, self.burnout, self.engagement))
        return bool(rng.uniform(skey, self.agent_id, Draw.ATTRITION) < self.leave_chance)


__all__ = ["ProductManager", "EngineeringManager", "Engineer"]
