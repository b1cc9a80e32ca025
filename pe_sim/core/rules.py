"""The model's rules as small scalar functions: one engineer, one manager, one team, one item.

Each rule is compiled with numba and called by both faces of the model: the compiled kernel
(:mod:`pe_sim.core.kernel`) calls them in a loop over runs and engineers, the Mesa agents
(:mod:`pe_sim.agents`) call them one agent at a time. ``p`` is the parameter record
(:data:`pe_sim.params.Params`, every field a float, choices encoded as their index). Apart from 0,
1 and mathematical constants, every coefficient is a parameter of :mod:`pe_sim.params`.

Rates per sprint, chances per sprint and durations in sprints are stated for a sprint of
``reference_sprint_days`` working days; the rules scale them to the run's ``sprint_days`` with the
helpers ``per_sprint()`` (counts and linear rates), ``chance_per_sprint()`` (chances and shares of a
gap closed, as survival), ``factor_per_sprint()`` (shares kept, growth), ``approach_factor()`` (steps
toward a balance) and ``in_sprints()`` (durations). Each gives its argument back unchanged at the
reference length, so sprints of ``reference_sprint_days`` compute exactly what they did before.

Names follow the ODD (docs/ODD.md); the six phases of a sprint are the sections below.
"""

from __future__ import annotations

import math

from pe_sim.core.jit import jit
from pe_sim.core.record import P

EPS = 1e-12
ONE_ROADMAP, SPLIT_BACKLOGS = 0.0, 1.0
FIGHT, AVOID, PRODUCTIVE = 0.0, 1.0, 2.0
SBI = 1.0


# --- shared helpers ----------------------------------------------------------------------

@jit
def clip01(x):
    return min(max(x, 0.0), 1.0)


@jit
def saturating(x, scale):
    """Diminishing returns: 0 at nothing, 63% at ``scale``, approaching 1."""
    return 1.0 - math.exp(-x / scale)


@jit
def learn(level, effort, rate, decay):
    """Understanding that grows with effort toward 1 and decays without it (one reference sprint)."""
    return clip01(level + rate * effort * (1.0 - level) - decay * level)


# --- the sprint's length: rates stated per reference sprint, applied per sprint of sprint_days --------

@jit
def sprint_scale(p):
    """This sprint's length in reference sprints: ``sprint_days / reference_sprint_days`` (1 at the defaults)."""
    return p[P.sprint_days] / p[P.reference_sprint_days]


@jit
def per_sprint(p, x):
    """An expected count, a linear rate or hours stated per reference sprint, for this sprint."""
    return x * sprint_scale(p)


@jit
def chance_per_sprint(p, q):
    """A chance per reference sprint, or a share of a gap closed per reference sprint, for this
    sprint: what does not happen (or stays open) survives each reference sprint, so ``1 - (1 - q)^r``
    with ``r = sprint_scale(p)``; exactly ``q`` at the reference length."""
    r = sprint_scale(p)
    if r == 1.0:
        return q
    return 1.0 - max(0.0, 1.0 - q) ** r


@jit
def factor_per_sprint(p, f):
    """A factor applied once per reference sprint (a share kept, a growth factor), for this sprint:
    ``f^r``; exactly ``f`` at the reference length."""
    r = sprint_scale(p)
    if r == 1.0:
        return f
    return f ** r


@jit
def approach_factor(p, s):
    """For a step that closes the share ``s`` of the gap to its balance per reference sprint (rise
    toward 1 at one rate, fall toward 0 at another, ``s`` their sum): the multiplier of both rates
    that closes ``chance_per_sprint(p, s)`` of it this sprint, keeping the balance. 1 at the
    reference length; ``sprint_scale(p)`` (the limit) when nothing moves."""
    r = sprint_scale(p)
    if r == 1.0:
        return 1.0
    if s <= 0.0:
        return r
    return chance_per_sprint(p, s) / s


@jit
def in_sprints(p, duration):
    """A duration stated in reference sprints, in sprints of this run."""
    return duration / sprint_scale(p)


@jit
def learn_sprint(p, level, effort, rate, decay):
    """``learn()`` over this sprint: rate and decay (per reference sprint) both scaled by ``approach_factor()``."""
    k = approach_factor(p, rate * effort + decay)
    return learn(level, effort, rate * k, decay * k)


@jit
def trust_next(p, trust, pos, neg):
    """Trust moves up on good signals and down on bad ones, ``trust_loss_factor`` times faster; the
    signals are the sprint's (intensities), so the step is scaled as a step toward a balance."""
    k = approach_factor(p, p[P.trust_gain_rate] * (pos + p[P.trust_loss_factor] * neg))
    return clip01(trust + p[P.trust_gain_rate] * k * (pos * (1.0 - trust) - p[P.trust_loss_factor] * neg * trust))


@jit
def trust_with_conflict(p, trust, pos, neg, pos_conflict, neg_conflict):
    """``trust_next()`` for a manager, plus the signals of this sprint's PM-EM conflict: a conflict
    is an event (its chance is scaled, :func:`chance_per_sprint`), so its signals count in full
    whatever the sprint's length, while the sprint's own signals are scaled."""
    k = approach_factor(p, p[P.trust_gain_rate] * (pos + p[P.trust_loss_factor] * neg))
    return clip01(trust + p[P.trust_gain_rate] * ((k * pos + pos_conflict) * (1.0 - trust)
                                                - p[P.trust_loss_factor] * (k * neg + neg_conflict) * trust))


@jit
def individual_weight(team_weight, spread, offset):
    """An engineer's own motivator weight: the team's ``eng_w_*`` shifted by their temperament."""
    return clip01(team_weight + spread * offset)


@jit
def sprint_hours(p):
    return p[P.sprint_days] * p[P.hours_per_day]


@jit
def effort_share(hours, full_hours):
    """Learning effort from hours spent: 1 at ``full_hours`` or more."""
    return min(1.0, hours / full_hours)


@jit
def learning_effort(p, hours):
    """Effort of this sprint's hours of learning: 1 at ``learn_hours_full`` a reference sprint or more."""
    return effort_share(hours, per_sprint(p, p[P.learn_hours_full]))


@jit
def customer_effort(p, hours):
    """Effort of the PM's customer hours this sprint: 1 at ``customer_hours_full`` a reference sprint or more."""
    return effort_share(hours, per_sprint(p, p[P.customer_hours_full]))


# --- 1. communicate: time budgets, syncs, discovery, alignment ------------------------------

@jit
def sync_hours(p, pm_here, em_here):
    """Hours each manager spends in PM-EM syncs (both must be present); ``syncs_per_sprint`` a reference sprint."""
    return per_sprint(p, p[P.syncs_per_sprint]) * p[P.sync_hours] * pm_here * em_here


@jit
def turf_hours(p):
    """Hours each manager spends settling who owns what: the cost of a sharp line between roles (seed 004)."""
    return per_sprint(p, p[P.turf_hours]) * (1.0 - p[P.blurry_line])


@jit
def pm_demand(p, sync_h, disc_team_h, escalation_load, pm_here, em_here):
    """PM hours asked for this sprint: fixed (syncs, escalations, turf, covering an absent EM)
    and discretionary (customers, discovery with engineers, learning the technology, admin)."""
    h = sprint_hours(p)
    fixed = sync_h + p[P.escalation_hours] * escalation_load + turf_hours(p) \
        + (1.0 - em_here) * p[P.blurry_line] * p[P.cover_share] * h
    flexible = (p[P.pm_customer_share] + p[P.pm_learns_tech] + p[P.pm_admin_share]) * h + p[P.pm_discovery_host] * disc_team_h
    return fixed * pm_here, flexible * pm_here


@jit
def em_demand(p, sync_h, n, ownership, open_reqs, new_hires, escalation_load, pm_here, em_here):
    """EM hours asked for this sprint: fixed (syncs, escalations, turf, covering an absent PM) and
    discretionary (customers, coordination the engineers do not own, 1:1s, hiring, onboarding, admin)."""
    h = sprint_hours(p)
    fixed = sync_h + p[P.escalation_hours] * escalation_load + turf_hours(p) \
        + (1.0 - pm_here) * p[P.blurry_line] * p[P.cover_share] * h
    flexible = ((p[P.em_meets_customers] + p[P.em_admin_share]) * h
                + n * per_sprint(p, p[P.coordination_hours]) * (1.0 - ownership) + n * per_sprint(p, p[P.one_on_one_hours]) + open_reqs * per_sprint(p, p[P.interview_hours])
                + new_hires * per_sprint(p, p[P.onboarding_hours]))
    return fixed * em_here, flexible * em_here


@jit
def focus(p, fixed, flexible):
    """Share of discretionary work a manager gets done: 1 until the hours run out."""
    if flexible <= EPS:
        return 1.0
    return clip01((sprint_hours(p) - fixed) / flexible)


@jit
def workload(p, fixed, flexible):
    """Hours asked for over hours available (1 = fully loaded)."""
    return (fixed + flexible) / sprint_hours(p)


@jit
def discovery_hours(p, pm_here, pm_focus):
    """Hours each engineer spends in discovery and user research; the PM hosts it, an absent PM's
    only as far as the EM covers (blurry line), an overloaded PM's less."""
    return p[P.discovery_involvement] * sprint_hours(p) * (pm_here + (1.0 - pm_here) * p[P.blurry_line]) * pm_focus


@jit
def peer_hours(p, n):
    """Coordination hours per engineer, growing with team size (n-1 peers each, Brooks 1975)."""
    return per_sprint(p, p[P.comm_hours_per_peer]) * max(n - 1.0, 0.0)


@jit
def delegation(p, em_trust_eng):
    """Share of project management engineers own: the practice, widened by an EM who trusts them
    and narrowed by one who does not (neutral at trust 0.5; seed 002)."""
    return clip01(p[P.engineer_ownership] * (1.0 + p[P.delegation_trust_effect] * (em_trust_eng - 0.5)))


@jit
def own_pm_hours(p, ownership):
    """Hours each engineer spends on the project management they own."""
    return per_sprint(p, p[P.coordination_hours]) * ownership


@jit
def coordination_flow(p, em_focus, em_here, pm_here, ownership):
    """Share of the team's coordination that gets done: engineers' own, plus what the EM supplies
    (or, when the EM is away, a PM covering across the blurry line)."""
    supplier = em_here * em_focus + (1.0 - em_here) * pm_here * p[P.blurry_line]
    return ownership + (1.0 - ownership) * supplier


@jit
def flow_factor(p, flow):
    """Output kept when coordination falls short (``uncoordinated_output`` at none)."""
    return p[P.uncoordinated_output] + (1.0 - p[P.uncoordinated_output]) * flow


@jit
def context_hours(p, sync_h, disc_h, em_customer_h, pm_tech_h):
    """Hours that build shared understanding: syncs, discovery, the EM with customers, the PM learning tech."""
    return sync_h + p[P.context_discovery] * disc_h + p[P.context_cross_learning] * (em_customer_h + pm_tech_h)


@jit
def alignment_next(p, alignment, context_h, tension):
    """Shared context builds alignment (its hours saturating at ``comm_saturation_hours`` a reference
    sprint), which decays faster under tension; a step toward a balance, scaled by ``approach_factor()``."""
    gain = p[P.alignment_gain] * saturating(context_h, per_sprint(p, p[P.comm_saturation_hours]))
    k = approach_factor(p, gain + p[P.alignment_decay] * (1.0 + tension))
    return clip01(alignment + gain * k * (1.0 - alignment) - p[P.alignment_decay] * k * alignment * (1.0 + tension))


@jit
def pm_insight_next(p, insight, customer_h, competitor):
    """Time with customers builds insight; markets move, faster when a competitor launches."""
    return learn_sprint(p, insight, customer_effort(p, customer_h), p[P.insight_rate],
                        p[P.insight_decay] * (1.0 + p[P.competitor_churn] * competitor))


@jit
def understanding_next(p, level, hours):
    """PM tech understanding, EM customer understanding, engineers' knowledge of users."""
    return learn_sprint(p, level, learning_effort(p, hours), p[P.learn_rate], p[P.learn_decay])


@jit
def time_together(p, sync_h):
    """PM-EM time together this sprint as a trust signal: 63% at ``relationship_hours`` a reference sprint."""
    return saturating(sync_h, per_sprint(p, p[P.relationship_hours]))


@jit
def discovery_power(p, pm_insight, customer_effort, mean_user_knowledge, involvement, em_customer):
    """How fast discovery closes the gap between estimated and true value: the share of it closed
    per reference sprint, for this sprint (``chance_per_sprint()``)."""
    return chance_per_sprint(p, p[P.discovery_rate] * (p[P.discovery_w_pm] * pm_insight * customer_effort
                                                       + p[P.discovery_w_engineers] * mean_user_knowledge * involvement
                                                       + p[P.discovery_w_em] * em_customer))


# --- backlog items -----------------------------------------------------------------------------

@jit
def idea_value(p, size, z):
    """True customer value of a new feature idea: lognormal around ``feature_value`` per day, so
    most ideas are worth little and a few a lot (Kohavi et al. 2009)."""
    return size * p[P.feature_value] * math.exp(p[P.idea_value_sd] * z - 0.5 * p[P.idea_value_sd] ** 2)


@jit
def item_size(mean_size, sd, z):
    """Estimated size (ideal-days) of a new item."""
    return mean_size * math.exp(sd * z - 0.5 * sd ** 2)


@jit
def true_effort(p, size, z):
    """Work an item really takes: its estimate times an uncertain factor."""
    return size * math.exp(p[P.work_uncertainty] * z - 0.5 * p[P.work_uncertainty] ** 2)


@jit
def tech_payoff(p, size, z):
    """Debt-days a tech item removes when done (some refactorings pay back far more than others)."""
    return size * p[P.repay_efficiency] * math.exp(p[P.tech_value_sd] * z - 0.5 * p[P.tech_value_sd] ** 2)


@jit
def estimated_value(true_value, error):
    """What the PM believes an idea is worth: the truth times a log error discovery shrinks."""
    return true_value * math.exp(error)


@jit
def error_after_discovery(error, power):
    return error * (1.0 - min(1.0, power))


@jit
def worth_keeping(p, est_value, size):
    """Discovery kills ideas whose estimated value per day falls below the bar."""
    return est_value / size >= p[P.kill_threshold] * p[P.feature_value]


@jit
def debt_burden(p, debt):
    """How far debt has taken hold of the code (0-1): little at first, then rising steeply and
    saturating (a Hill curve of shape ``debt_drag_shape``, half-way at ``debt_half_saturation``)."""
    r = debt / p[P.debt_half_saturation]
    x = r * r if p[P.debt_drag_shape] == 2.0 else r ** p[P.debt_drag_shape]  # the default, without pow()
    if math.isinf(x):  # runaway debt (compounding interest over long horizons): the curve's limit, not inf / inf
        return 1.0
    return x / (1.0 + x)


@jit
def debt_drag(p, debt):
    """Share of capacity lost to technical debt (the interest paid on it)."""
    return p[P.max_debt_drag] * debt_burden(p, debt)


@jit
def incident_rate(p, debt, mean_burnout, mean_corners, expertise):
    """Expected incidents this sprint: fragile code, tired and hurried engineers, and missing system knowledge."""
    return per_sprint(p, (p[P.base_incident_rate] + p[P.incident_debt_rate] * debt_burden(p, debt))
                      * (1.0 + p[P.defect_factor] * (p[P.defect_w_burnout] * mean_burnout
                                                     + (1.0 - p[P.defect_w_burnout]) * mean_corners))
                      * (1.0 + p[P.knowledge_incident_factor] * (1.0 - expertise)))


@jit
def tech_item_value(p, payoff, debt, burden_now, capacity, expertise):
    """Measurable value of a tech item in value units: the days of drag and incident work it saves
    over ``payback_sprints`` (reference sprints, so as many of this run's as last as long), priced at
    the value of an average feature day. ``capacity`` is this sprint's; ``burden_now`` is
    ``debt_burden(p, debt)``, computed once per sprint."""
    relief = burden_now - debt_burden(p, max(0.0, debt - payoff))
    horizon = in_sprints(p, p[P.payback_sprints])
    drag_days = p[P.max_debt_drag] * relief * capacity
    incident_days = (per_sprint(p, p[P.incident_debt_rate]) * relief * (1.0 + p[P.knowledge_incident_factor] * (1.0 - expertise))
                     * p[P.incident_cost_days])
    return drag_days * horizon * p[P.feature_value], incident_days * horizon * p[P.feature_value]


@jit
def pm_visibility(p, pm_tech):
    """Share of a tech item's value the PM sees: all when framed measurably, else what their
    understanding of the technology reveals (seed 003)."""
    return p[P.tech_value_framing] + (1.0 - p[P.tech_value_framing]) * pm_tech


@jit
def pm_feature_score(p, est_value, size, competitor):
    """PM's value per day of a feature: customer value (less what a competitor's launch took), plus
    the credit of shipping one more thing, which favours small items."""
    return (est_value * (1.0 - p[P.competitor_value_loss] * competitor)
            + p[P.pm_w_ship_fast] * p[P.ship_credit] * p[P.feature_value] * p[P.feature_size]) / size


@jit
def pm_tech_score(p, drag_value, incident_value, size, visibility):
    """PM's value per day of a tech item: what they see of it; incidents cost revenue, so a
    money-minded PM weighs reliability more."""
    return visibility * (drag_value + incident_value * (1.0 + p[P.pm_w_money])) / size


@jit
def em_feature_score(p, est_value, size, competitor):
    """EM's value per day of a feature (the EM takes the PM's value estimate)."""
    return est_value * (1.0 - p[P.competitor_value_loss] * competitor) / size


@jit
def em_tech_score(p, drag_value, incident_value, size):
    """EM's value per day of a tech item: its full value, weighted up by concern for debt and craft."""
    return (drag_value + incident_value) * (1.0 + p[P.em_w_tech_debt] + p[P.em_w_right_way] * p[P.craft_premium]) / size


@jit
def joint_score(share_pm, pm_score, em_score):
    """One roadmap: one ranking, each item scored by both managers as far as each prevails."""
    return share_pm * pm_score + (1.0 - share_pm) * em_score


# --- 2. plan -----------------------------------------------------------------------------------

@jit
def learned(start, rate, decay, sprints):
    """Share of a body of knowledge held after ``sprints`` (not necessarily whole) of learning at
    ``rate`` from ``start`` while ``decay`` of it goes stale each sprint: ``learn()`` with full
    effort, in closed form (with rate + decay of 1 or more, at the balance after one sprint)."""
    if rate + decay <= 0.0:
        return start
    level = rate / (rate + decay)  # where learning and forgetting balance
    return level + (start - level) * max(0.0, 1.0 - rate - decay) ** sprints


@jit
def starting_tenure(p, u):
    """Tenure (sprints of this run) of an engineer of the starting team, from a uniform draw ``u``:
    spread evenly between 0 and twice ``initial_tenure_sprints`` (reference sprints)."""
    return in_sprints(p, p[P.initial_tenure_sprints]) * 2.0 * u


@jit
def knowledge_from_tenure(p, tenure):
    """System knowledge after ``tenure`` sprints with full mentoring (for the starting team)."""
    return learned(p[P.ramp_start], p[P.knowledge_rate], 0.0, per_sprint(p, tenure))


@jit
def expertise_from_tenure(p, tenure):
    """Deep expertise after ``tenure`` sprints beside an expert (for the starting team)."""
    return learned(0.0, p[P.expertise_rate], p[P.expertise_decay], per_sprint(p, tenure))


@jit
def taught(p, teacher):
    """Learning speed beside a teammate who knows ``teacher`` of it (1 with an expert, ``self_study``
    with nobody to learn from)."""
    return p[P.self_study] + (1.0 - p[P.self_study]) * teacher


@jit
def top_two(best, second, value):
    """The highest and second-highest of (best, second) and ``value`` (taken engineer by engineer)."""
    if value > best:
        return value, best
    return best, max(second, value)


@jit
def teacher_of(own, best, second):
    """What the best *other* engineer knows, from the team's highest and second-highest levels: the
    most knowledgeable learn from the runner-up, everyone else from the most knowledgeable."""
    return second if own >= best else best


@jit
def knowledge_next(p, knowledge, teacher):
    """Knowledge of the system grows each sprint (onboarding), faster with a ramped-up
    teammate to learn from."""
    return learn_sprint(p, knowledge, taught(p, teacher), p[P.knowledge_rate], 0.0)


@jit
def expertise_next(p, expertise, teacher):
    """Deep expertise (how the system fails and why it is built as it is) grows over years, not
    months, faster beside someone who has it, and goes stale as the system changes: a key engineer
    who leaves takes theirs with them."""
    return learn_sprint(p, expertise, taught(p, teacher), p[P.expertise_rate], p[P.expertise_decay])


@jit
def mentor_days(p, knowledge):
    """Mentor days a new hire takes from the team this sprint, falling as they learn."""
    return p[P.mentor_cost] * p[P.sprint_days] * clip01((1.0 - knowledge) / max(1.0 - p[P.ramp_start], EPS))


@jit
def output_rate(p, skill, knowledge, burnout, engagement):
    """Ideal-days an engineer delivers per available day, before overtime, corners and noise."""
    return (skill * knowledge * (1.0 - p[P.burnout_output_loss] * burnout)
            * (p[P.disengaged_output] + (1.0 - p[P.disengaged_output]) * engagement))


@jit
def available_days(p, disc_h, peer_h, own_h, mentoring):
    return max(0.0, p[P.sprint_days] - (disc_h + peer_h + own_h) / p[P.hours_per_day] - mentoring)


@jit
def estimation_accuracy(p, em_estimation, em_focus, pm_tech, em_here):
    """Accuracy of this sprint's estimate: the EM's, less when overloaded; when the EM is away, a
    PM covering as far as the blurry line and their tech understanding allow."""
    em = em_estimation * (1.0 - p[P.overload_estimate_loss] * (1.0 - em_focus))
    return em_here * em + (1.0 - em_here) * p[P.blurry_line] * pm_tech


@jit
def estimate(p, expected_capacity, accuracy):
    """Planners overestimate capacity by the optimism bias, less so when accurate (planning fallacy)."""
    return expected_capacity * (1.0 + p[P.optimism_bias] * (1.0 - accuracy))


@jit
def pressure_now(p, business_pressure, pressure_add, competitor):
    """Schedule pressure on the PM: the business's (which follows results) plus events."""
    return min(p[P.pressure_cap], business_pressure + pressure_add + competitor * p[P.pm_w_competition])


@jit
def option_level(lo, hi, k, n):
    """The k-th of n evenly spaced options between lo and hi."""
    if n <= 1.0:
        return hi
    return lo + (hi - lo) * k / (n - 1.0)


@jit
def pm_belief(p, pm_trust_eng):
    """What the PM believes the team can do, as a share of the estimate: a PM who distrusts the
    team's estimates thinks they sandbag (neutral at trust 0.5)."""
    return max(0.0, 1.0 + p[P.distrust_premium] * (1.0 - 2.0 * pm_trust_eng))


@jit
def pm_utility(p, x, belief, pressure, competitor, customer_trust):
    """How the PM values asking for ``x`` times the estimate, weighing each motivator's outcome:
    customer value delivered (up to what the team can do), shipping fast and beating the
    competition (more asked), looking good (a missed commitment hurts, more the bigger the miss),
    money (a miss risks customers, more so when their trust is low)."""
    miss = max(0.0, x - belief)
    return (p[P.pm_w_customer_value] * min(x, belief)
            + (p[P.pm_w_ship_fast] * pressure + p[P.pm_w_competition] * (p[P.market_pace] + competitor)) * x
            - p[P.pm_w_look_good] * p[P.miss_cost] * miss * miss
            - p[P.pm_w_money] * p[P.churn_risk] * miss * (1.0 - customer_trust))


@jit
def em_utility(p, x, target, mean_burnout):
    """How the EM values offering ``x`` times the estimate: shipping fast (more), looking good (no
    miss), the right way (no rush that forces corners), and engineers motivated and challenged
    (a load near ``target``: too much burns them out, too little bores them)."""
    miss = max(0.0, x - 1.0)
    return (p[P.em_w_ship_fast] * x - p[P.em_w_look_good] * p[P.miss_cost] * miss * miss
            - p[P.em_w_right_way] * p[P.rush_cost] * miss
            - p[P.em_w_engineers] * p[P.load_concern] * (1.0 + mean_burnout) * (x - target) ** 2)


@jit
def em_target_load(p, mean_burnout):
    """Load the EM thinks keeps engineers challenged but not overrun: less when they are tired."""
    return p[P.challenge_target] - p[P.burnout_buffer] * mean_burnout


@jit
def pm_power_share(p, pressure, accuracy, pm_trust_em, pm_here, em_here, pm_push, em_push):
    """Weight of the PM's position in the negotiation: their drive and the pressure behind them,
    against the EM's conviction and estimate; a PM who trusts the EM defers to their estimate."""
    pm_power = pm_push * (p[P.power_base] + pressure) * (1.0 - p[P.deference] * pm_trust_em) \
        * (pm_here + (1.0 - pm_here) * p[P.blurry_line])
    em_power = em_push * (p[P.power_base] + accuracy) * (em_here + (1.0 - em_here) * p[P.blurry_line])
    return pm_power / (pm_power + em_power + EPS)


@jit
def pm_push(p):
    """How hard the PM's motivators push in a negotiation (their drive for more, now)."""
    return (p[P.pm_w_customer_value] + p[P.pm_w_competition] + p[P.pm_w_money] + p[P.pm_w_ship_fast] + p[P.pm_w_look_good]) / 5.0


@jit
def em_push(p):
    """How hard the EM's motivators push back (sustainable, well-built work)."""
    return (p[P.em_w_right_way] + p[P.em_w_engineers] + p[P.em_w_tech_debt]) / 3.0


@jit
def negotiate(offer, ask, share_pm):
    return offer + share_pm * (ask - offer)


@jit
def pushes_back(p, w_pace, w_craft, w_valued, load, trust_em):
    """An engineer's choice to push back on the commitment: the overload costs their pace and craft;
    speaking up risks how they are seen, less so with an EM they trust."""
    over = max(0.0, load - 1.0)
    return (w_pace + w_craft) * over > w_valued * p[P.voice_risk] * (1.0 - trust_em)


@jit
def after_pushback(p, commit, capacity, share_pushing, em_trust_eng, em_here):
    """The EM takes the engineers' pushback as far as they trust them."""
    return commit - max(0.0, commit - capacity) * share_pushing * p[P.pushback_effect] * em_trust_eng * em_here


@jit
def tech_reservation(p, commit, pressure, share_pm):
    """Split backlogs: the set tech share of the commitment, squeezed by pressure as far as the PM prevails."""
    return commit * p[P.tech_share] * (1.0 - p[P.tech_squeeze] * min(1.0, pressure) * share_pm)


@jit
def feature_budget(p, commit, tech_planned, alignment):
    """Split backlogs: the PM fills the feature plan against the whole commitment, less the tech plan
    as far as the PM sees it: all of it when aligned, and without shared understanding all but the
    share ``plan_opacity`` (seed 003: engineers overworked)."""
    seen = alignment + (1.0 - p[P.plan_opacity]) * (1.0 - alignment)  # exactly alignment at opacity 1
    return max(0.0, commit - seen * tech_planned)


# --- 3. execute -----------------------------------------------------------------------------------

@jit
def felt_pressure(p, load, expected_capacity, pressure, shield):
    """Schedule pressure on engineers: planned load beyond capacity plus business pressure,
    less what the EM shields."""
    over = load / max(expected_capacity, EPS) - 1.0
    raw = min(p[P.pressure_cap], max(0.0, over + p[P.pressure_to_team] * pressure))
    return raw * (1.0 - shield)


@jit
def shielding(p, em_focus, em_here, relief):
    """Share of pressure the EM keeps off the team: their care for engineers, time, and any relief won by escalation."""
    return clip01(p[P.shielding] * p[P.em_w_engineers] * em_focus * em_here + relief)


@jit
def overtime(p, w_valued, w_pace, felt, engagement, burnout):
    """The hours an engineer chooses: the extra output is worth being seen to deliver under
    pressure, more to the engaged; the cost is their pace, higher when tired."""
    gain = felt * (w_valued + engagement)
    cost = p[P.overtime_cost] * (w_pace + burnout) + EPS
    return min(p[P.overtime_max], max(0.0, gain / cost))


@jit
def slack_kept(p, w_valued, w_pace, felt, engagement, burnout):
    """Share of their available time an engineer keeps off the sprint's work (an easier pace, side
    work, learning): all of ``natural_slack`` when nothing presses, given up as felt pressure
    rises, sooner by those who care to be seen delivering and are engaged, later by those who
    value their pace and by the tired (Parkinson 1955; Abdel-Hamid & Madnick 1991: slack is
    absorbed first under schedule pressure)."""
    drive = felt * (w_valued + engagement) / (p[P.slack_absorb_pressure] * (w_pace + burnout) + EPS)
    return p[P.natural_slack] * (1.0 - min(1.0, drive))


@jit
def corner_cutting(p, w_valued, w_craft, em_right_way, felt, burnout):
    """Share of work done with shortcuts: chosen when delivering under pressure outweighs craft and
    the EM's quality bar; fatigue adds shortcuts nobody chose."""
    gain = felt * w_valued * p[P.corner_cut_speedup]
    cost = p[P.corner_cost] * (w_craft + em_right_way) + EPS
    return clip01(gain / cost + p[P.fatigue_corners] * burnout)


@jit
def luck(p, noise_z):
    """The team's shared good or bad sprint: a lognormal factor with mean 1."""
    return math.exp(p[P.delivery_noise] * noise_z - 0.5 * p[P.delivery_noise] ** 2)


@jit
def engineer_output(p, avail, rate, ot, corners, team_luck):
    """Ideal-days delivered: longer hours at falling hourly efficiency (Thomas & Raynar 1997),
    faster with shortcuts, times the team's luck this sprint."""
    hours = (1.0 + ot) * (1.0 - p[P.overtime_efficiency_loss] * ot)
    return avail * rate * hours * (1.0 + p[P.corner_cut_speedup] * corners) * team_luck


@jit
def scope_added(p, commit, u):
    """Work added mid-sprint without re-planning (mean ``scope_creep`` of the commitment)."""
    return p[P.scope_creep] * 2.0 * u * commit


@jit
def delivered_value(p, value, alignment, customer_trust, bonus, competitor):
    """Value customers get from a shipped feature: built as understood (alignment), adopted as far
    as they trust the product (seed 003), less what a competitor's launch took, plus a third path's gain."""
    fidelity = p[P.fidelity_floor] + (1.0 - p[P.fidelity_floor]) * alignment
    adoption = p[P.adoption_floor] + (1.0 - p[P.adoption_floor]) * customer_trust
    return value * fidelity * adoption * (1.0 - p[P.competitor_value_loss] * competitor) * (1.0 + bonus)


@jit
def debt_next(p, debt, feature_days, repaid, slack_days, mean_corners):
    """Debt compounds (``debt_interest`` a reference sprint), grows with feature work (more when cutting
    corners), falls with tech items done and slack."""
    added = feature_days * (p[P.debt_per_feature_day] + p[P.corner_cut_debt] * mean_corners)
    return max(0.0, debt * factor_per_sprint(p, 1.0 + p[P.debt_interest]) + added - repaid
               - slack_days * p[P.slack_repay] * p[P.repay_efficiency])


# --- 4. review ------------------------------------------------------------------------------------

@jit
def warning_effect(p, mean_trust_eng_em, mean_trust_eng_pm):
    """Share of a shortfall flagged early; engineers warn more when they trust their managers."""
    return p[P.early_warning] * (p[P.warning_base] + (1.0 - p[P.warning_base]) * 0.5 * (mean_trust_eng_em + mean_trust_eng_pm))


@jit
def surprise(done, warned):
    return (1.0 - done) * (1.0 - warned)


@jit
def customer_trust_next(p, trust, done, incidents, escalation):
    """Customer trust rises slowly with promises kept (a step toward 1, scaled by ``approach_factor()``),
    falls with each incident and escalation (events: their count carries the sprint's length)."""
    lost = 1.0 - (1.0 - p[P.incident_trust_loss]) ** incidents
    k = approach_factor(p, p[P.customer_trust_gain] * done)
    return clip01(trust + p[P.customer_trust_gain] * k * done * (1.0 - trust) - trust * lost
                  - p[P.escalation_trust_loss] * escalation * trust)


@jit
def value_memory_next(p, recent, value):
    """Leadership's running view of value delivered per sprint (the latest sprint weighs ``value_memory``
    per reference sprint)."""
    return recent + chance_per_sprint(p, p[P.value_memory]) * (value - recent)


@jit
def expectation_next(p, expectation, recent):
    """Leadership expects what the team has shown it can deliver, forgetting slowly."""
    return max(recent, expectation * factor_per_sprint(p, 1.0 - p[P.expectation_decay]))


@jit
def business_pressure_next(p, recent, expectation, customer_trust):
    """Pressure from the business follows results: value falling short of what was shown before,
    and customer trust below what the business expects of it, both add to the baseline ``pressure``.
    Before the team has shown any value there is nothing to fall short of."""
    shortfall = max(0.0, 1.0 - recent / expectation) if expectation > EPS else 0.0
    trust_gap = max(0.0, p[P.expected_customer_trust] - customer_trust)
    return min(p[P.pressure_cap], p[P.pressure] + p[P.pressure_value_response] * shortfall + p[P.pressure_trust_response] * trust_gap)


@jit
def em_raises(p, loss):
    """Expected tech items the EM raises this sprint, as far as lost capacity worries them."""
    return per_sprint(p, p[P.em_raise_rate]) * loss * p[P.em_w_tech_debt]


@jit
def escalation_pressure_next(p, escalation_pressure, customer_escalation):
    """Pressure from customer escalations fades (``escalation_pressure_decay`` of it per reference
    sprint); one the team caused adds to it."""
    return (escalation_pressure * factor_per_sprint(p, 1.0 - p[P.escalation_pressure_decay])
            + p[P.escalation_pressure] * p[P.own_escalation_severity] * customer_escalation)


@jit
def customer_escalation_chance(p, customer_trust, incidents):
    """Unhappy customers escalate: more incidents and lower trust, higher the chance."""
    return clip01(p[P.customer_escalation_rate] * incidents * (1.0 - customer_trust))


# --- 5. disagree and resolve -------------------------------------------------------------------------

@jit
def disagreement(p, ask, offer, est, tech_gap, tension, alignment, both_here):
    """Chance of a PM-EM conflict: the gap between ask and offer, differing tech wants, carried
    tension and a sharp line between roles, damped by shared understanding."""
    gap = max(0.0, ask - offer) / max(est, EPS) + tech_gap + tension + p[P.turf_tension] * (1.0 - p[P.blurry_line])
    return clip01(gap * (1.0 - p[P.alignment_damping] * alignment)) * both_here


@jit
def conflict_loser_stake(p, pm_wins):
    """How much losing costs the loser's motivators."""
    return pm_wins * em_push(p) + (1.0 - pm_wins) * pm_push(p)


@jit
def third_path_chance(p, mean_trust):
    return clip01(p[P.third_path_base] + p[P.third_path_trust] * mean_trust)


@jit
def feedback_gain(p):
    return 1.0 + p[P.feedback_effect] if p[P.feedback] == SBI else 1.0


@jit
def feedback_damping(p):
    return 1.0 - p[P.feedback_effect] if p[P.feedback] == SBI else 1.0


@jit
def tension_next(p, tension, conflict, avoided, d):
    """Unresolved tension carries over (less with SBI feedback; the share carried is per reference
    sprint); an avoided conflict adds to it."""
    memory = p[P.tension_memory] * (1.0 - p[P.feedback_tension_relief] * p[P.feedback_effect] if p[P.feedback] == SBI else 1.0)
    return min(1.0, tension * factor_per_sprint(p, memory) * (1.0 - conflict * (1.0 - avoided))
               + avoided * p[P.avoid_tension] * d)


# --- 6. update people -------------------------------------------------------------------------------

@jit
def tech_disagreement(p, loss, visibility):
    """How far PM and EM differ on tech work: the capacity lost to debt that the EM sees and the
    PM does not, weighted by the EM's concern for debt."""
    return loss * (1.0 - visibility) * p[P.em_w_tech_debt]


@jit
def em_tech_want(p, loss):
    """Share of the sprint the EM thinks tech work deserves."""
    return min(p[P.tech_want_cap], loss * (p[P.tech_want_base] + p[P.em_w_tech_debt]))


@jit
def resolve_trust(p, fight, productive, third, escalation, pm_wins):
    """Trust signals after a conflict: the loser of a fight loses more trust than the winner, an
    escalation hurts both, productive conflict (more so a third path) builds it; SBI feedback
    amplifies repair and damps loss. Returns (positive for both, negative PM->EM, negative EM->PM)."""
    damp = feedback_damping(p)
    neg_pm = damp * (fight * (p[P.fight_winner_loss] * pm_wins + p[P.fight_loser_loss] * (1.0 - pm_wins))
                     + p[P.escalation_trust_hit] * escalation)
    neg_em = damp * (fight * (p[P.fight_loser_loss] * pm_wins + p[P.fight_winner_loss] * (1.0 - pm_wins))
                     + p[P.escalation_trust_hit] * escalation)
    pos = feedback_gain(p) * p[P.productive_trust] * (productive + third)
    return pos, neg_pm, neg_em


@jit
def respect(tech_share, wanted):
    """How far the tech work someone wants is honoured (1 when they want none)."""
    if wanted <= EPS:
        return 1.0
    return min(1.0, tech_share / wanted)


@jit
def engineer_tech_want(p, w_craft, loss):
    """Share of the sprint an engineer thinks tech work deserves: the capacity lost to debt, weighted by craft."""
    return min(p[P.tech_want_cap], loss * (p[P.tech_want_base] + w_craft))


@jit
def raise_chance(p, w_craft, w_growth, toil, trust_em):
    """Expected tech items an engineer chooses to raise this sprint: the toil they live with, weighed by
    craft and growth, spoken up as far as they trust the EM to listen."""
    return max(0.0, per_sprint(p, p[P.raise_rate]) * toil * (w_craft + w_growth)
               * (p[P.voice_floor] + (1.0 - p[P.voice_floor]) * trust_em))


@jit
def challenge(p, load):
    """Challenge of the sprint's load: best near ``challenge_target``; boredom below, overload above."""
    return clip01(1.0 - abs(load - p[P.challenge_target]) / p[P.challenge_tolerance])


@jit
def feeling_valued(p, respected, involvement, heard, felt):
    return clip01(p[P.valued_w_respect] * respected + p[P.valued_w_involvement] * involvement
                  + p[P.valued_w_heard] * heard + (1.0 - p[P.valued_w_respect] - p[P.valued_w_involvement] - p[P.valued_w_heard])
                  * (1.0 - min(1.0, felt)))


@jit
def growth(p, tech_share, involvement, ownership, challenge_level):
    """Challenge and growth: tech work, discovery, owning their work and a sprint that stretches."""
    return clip01(p[P.growth_w_tech] * min(1.0, tech_share / p[P.growth_tech_share]) + p[P.growth_w_discovery] * involvement
                  + p[P.growth_w_ownership] * ownership
                  + (1.0 - p[P.growth_w_tech] - p[P.growth_w_discovery] - p[P.growth_w_ownership]) * challenge_level)


@jit
def stress(p, w_pace, w_craft, w_valued, ot, felt, corners, toil, valued):
    """Stressors weighted by the engineer's motivators: overtime hours (absolute, so a higher cap
    does not dilute them; tiring for everyone, more for those who value their pace), pressure,
    corner-cutting, toil from debt and incidents, feeling undervalued."""
    tiring = p[P.overtime_stress_base] + (1.0 - p[P.overtime_stress_base]) * w_pace
    total = (tiring * ot / p[P.overtime_reference] + p[P.stress_w_pressure] * min(1.0, felt) + w_craft * corners
             + p[P.stress_w_toil] * toil + w_valued * (1.0 - valued))
    return clip01(total / p[P.stress_norm])


@jit
def burnout_next(p, burnout, stress_level, slack_share):
    """Burnout builds with stress and recovers with slack, ``burnout_recovery_ratio`` times as fast;
    a step toward a balance, scaled by ``approach_factor()``."""
    up = p[P.burnout_rise_rate] * stress_level
    down = p[P.burnout_rise_rate] * p[P.burnout_recovery_ratio] * (1.0 + p[P.slack_recovery] * slack_share) \
        * (1.0 - stress_level)
    k = approach_factor(p, up + down)
    return clip01(burnout + up * k * (1.0 - burnout) - down * k * burnout)


@jit
def engagement_next(p, w_growth, w_valued, engagement, growth_level, valued, burnout):
    target = (w_growth * growth_level + w_valued * valued + p[P.engagement_w_energy] * (1.0 - burnout)) \
        / (w_growth + w_valued + p[P.engagement_w_energy] + EPS)
    return clip01(engagement + chance_per_sprint(p, p[P.engagement_rate]) * (target - engagement))


@jit
def satisfaction(w_growth, w_craft, w_valued, w_pace, growth_level, craft_level, valued, pace_level):
    """How good staying is, by the engineer's own motivators (0-1)."""
    total = w_growth + w_craft + w_valued + w_pace
    if total <= EPS:
        return 1.0
    return (w_growth * growth_level + w_craft * craft_level + w_valued * valued + w_pace * pace_level) / total


@jit
def leave_probability(p, burnout, sat, trust_em):
    """The choice to leave this sprint: outside reasons, burnout, and staying worth less than the outside
    option; loyalty to an EM they trust holds some back (Hirschman's exit and voice). The chances are
    per reference sprint."""
    unhappy = max(0.0, p[P.outside_option] - sat)
    return chance_per_sprint(p, clip01(p[P.base_attrition] + (p[P.burnout_attrition] * burnout ** 2
                                                              + p[P.dissatisfied_attrition] * unhappy ** 2)
                                       * (1.0 - p[P.loyalty] * trust_em)))


@jit
def voice_chance(p, sat, trust_em):
    """An engineer's choice to escalate rather than leave this sprint: the unhappy who trust the EM
    speak up (the chance is per reference sprint)."""
    return chance_per_sprint(p, clip01(p[P.voice_rate] * max(0.0, p[P.outside_option] - sat) * trust_em))


@jit
def estimation_next(p, accuracy, alignment, ownership, drag):
    target = (p[P.estimation_base] + p[P.estimation_w_alignment] * alignment + p[P.estimation_w_ownership] * ownership
              + (1.0 - p[P.estimation_base] - p[P.estimation_w_alignment] - p[P.estimation_w_ownership])
              * (1.0 - drag / max(p[P.max_debt_drag], EPS)))
    return clip01(accuracy + chance_per_sprint(p, p[P.estimation_rate]) * (target - accuracy))


@jit
def hiring_delay(p):
    """Sprints of this run from a departure until the replacement starts: ``hiring_delay_sprints``
    reference sprints, rounded, at least one."""
    return max(1, int(round(in_sprints(p, p[P.hiring_delay_sprints]))))


@jit
def hire_skill(p, z):
    return min(p[P.skill_max], max(p[P.skill_min], p[P.skill_mean] + p[P.skill_sd] * z))
