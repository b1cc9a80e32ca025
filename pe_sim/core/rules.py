"""The model's rules as pure, elementwise functions.

Every function works on Python floats (one agent, as the Mesa agents call them) and on numpy
arrays with a leading runs axis (as the vectorised engine calls them): shape (R, 1) for team
quantities and (R, E) for per-engineer quantities. ``p`` is any object whose attributes are
the parameters of :mod:`pe_sim.params` (floats, or arrays of shape (R, 1)). Because both
engines call these same functions in the same order, they are one model.

Fixed structural constants (not user parameters) are in :data:`CONSTANTS`, documented in the
ODD. Names of rule inputs follow the ODD's notation.
"""

from __future__ import annotations

import numpy as np

HOURS_PER_DAY = 8.0
EPS = 1e-12

CONSTANTS: dict[str, tuple[float, str]] = {
    "pm_customer_time": (0.6, "share of PM time spent with customers and the market (insight effort)"),
    "insight_rate": (0.2, "rate PM customer insight rises at full customer time"),
    "insight_decay": (0.05, "per-sprint decay of PM customer insight (markets move)"),
    "learn_rate": (0.1, "rate PM tech understanding, EM customer understanding and engineers' user knowledge rise at full effort"),
    "learn_decay": (0.02, "per-sprint decay of learned understanding"),
    "learn_effort_scale": (5.0, "effort multiplier: a time share of 1/scale is full learning effort"),
    "em_coord_share": (0.5, "share of EM time available for coordinating the team"),
    "pm_cover_share": (0.25, "share of PM time that can go to covering for an absent EM"),
    "estimation_rate": (0.1, "per-sprint rate EM estimation accuracy moves toward its target"),
    "engagement_rate": (0.2, "per-sprint rate engagement moves toward its target"),
    "tension_memory": (0.7, "share of unresolved tension carried to the next sprint"),
    "stress_norm": (5.0, "divisor normalising the five stressors into a 0-1 stress level"),
}


def c(name: str) -> float:
    return CONSTANTS[name][0]


# --- shared helpers ----------------------------------------------------------------------

def clip01(x):
    y = np.maximum(x, 0.0)
    if isinstance(y, np.ndarray) and y.ndim:
        return np.minimum(y, 1.0, out=y)  # in place: this is on the engine's hot path
    return np.minimum(y, 1.0)


def saturating(hours, scale):
    """Diminishing returns: 0 at no time, 63% at ``scale``, approaching 1."""
    return 1.0 - np.exp(-hours / scale)


def learn(level, effort, rate, decay):
    """Understanding that grows with effort toward 1 and decays without it."""
    return clip01(level + rate * effort * (1.0 - level) - decay * level)


def trust_next(p, trust, pos, neg):
    """Trust moves up on good signals and down on bad ones, ``trust_loss_factor`` times faster."""
    return clip01(trust + p.trust_gain_rate * (pos * (1.0 - trust) - p.trust_loss_factor * neg * trust))


ENGINEER_MOTIVES = ("growth", "craft", "valued", "pace")


def individual_weight(team_weight, spread, offset):
    """An engineer's own motivator weight: the team's ``eng_w_*`` shifted by their temperament
    (a standard-normal ``offset`` drawn when they join), kept within 0-1."""
    return clip01(team_weight + spread * offset)


def individual_weights(p, offsets):
    """Own weights of each of :data:`ENGINEER_MOTIVES` from the engineer's offsets."""
    return {m: individual_weight(getattr(p, f"eng_w_{m}"), p.motivator_spread, offsets[m]) for m in ENGINEER_MOTIVES}


def engineer_prefs(p, weights):
    """The parameters as one engineer (or every engineer slot) sees them: ``eng_w_*`` replaced by
    their own ``weights`` (a mapping motive -> weight, see :func:`individual_weights`)."""
    own = dict(vars(p))
    own.update({f"eng_w_{m}": w for m, w in weights.items()})
    return type(p)(**own)


# --- 1. communicate --------------------------------------------------------------------

def sync_hours(p, pm_here, em_here):
    """Hours each manager spends in PM-EM syncs this sprint (both must be present)."""
    return p.syncs_per_sprint * p.sync_hours * pm_here * em_here


def discovery_hours(p, pm_here):
    """Hours each engineer spends in discovery; an absent PM's discovery runs only as far as the EM covers."""
    return p.discovery_involvement * p.sprint_days * HOURS_PER_DAY * (pm_here + (1.0 - pm_here) * p.blurry_line)


def peer_hours(p, n):
    """Coordination hours per engineer, growing with team size (n-1 peers each)."""
    return p.comm_hours_per_peer * np.maximum(n - 1.0, 0.0)


def shared_context_hours(p, sync_h, disc_h, pm_here, em_here):
    """Hours that build shared understanding: syncs, discovery, EM with customers, PM learning tech."""
    sprint_h = p.sprint_days * HOURS_PER_DAY
    return (sync_h + 0.5 * disc_h + 0.25 * p.em_meets_customers * sprint_h * em_here
            + 0.25 * p.pm_learns_tech * sprint_h * pm_here)


def alignment_next(p, alignment, context_h, tension):
    return clip01(alignment + p.alignment_gain * saturating(context_h, p.comm_saturation_hours) * (1.0 - alignment)
                  - p.alignment_decay * alignment * (1.0 + tension))


def pm_insight_next(insight, pm_here, competitor):
    return learn(insight, pm_here * c("pm_customer_time"), c("insight_rate"), c("insight_decay") * (1.0 + 2.0 * competitor))


def learning_effort(share):
    return np.minimum(1.0, share * c("learn_effort_scale"))


def understanding_next(level, effort):
    return learn(level, effort, c("learn_rate"), c("learn_decay"))


def discovery_share(p, disc_h):
    return disc_h / (p.sprint_days * HOURS_PER_DAY)


# --- 2. plan --------------------------------------------------------------------------------

def ramp(p, tenure):
    """Productivity of an engineer with ``tenure`` sprints, rising linearly to 1 (onboarding)."""
    return np.minimum(1.0, p.ramp_start + (1.0 - p.ramp_start) * tenure / p.ramp_up_sprints)


def mentor_days(p, ramp_level):
    """Mentor days a new hire takes from the team this sprint; zero once ramped up."""
    return p.mentor_cost * p.sprint_days * (1.0 - ramp_level) / np.maximum(1.0 - p.ramp_start, 1e-9)


def output_rate(p, skill, ramp_level, burnout, engagement):
    """Ideal-days an engineer delivers per available day, before overtime, corners and noise."""
    return skill * ramp_level * (1.0 - p.burnout_output_loss * burnout) * (0.75 + 0.25 * engagement)


def available_days(p, disc_h, peer_h, mentoring):
    return np.maximum(0.0, p.sprint_days - (disc_h + peer_h) / HOURS_PER_DAY - mentoring)


def debt_drag(p, debt):
    """Share of capacity lost to technical debt (the interest paid on it)."""
    return p.max_debt_drag * debt / (debt + p.debt_half_saturation)


def incident_rate(p, debt, mean_burnout, mean_corners):
    return ((p.base_incident_rate + p.incident_debt_rate * debt / p.debt_half_saturation)
            * (1.0 + p.defect_factor * 0.5 * (mean_burnout + mean_corners)))


def em_hours_free(p, sync_h):
    return c("em_coord_share") * p.sprint_days * HOURS_PER_DAY - sync_h - p.em_meets_customers * p.sprint_days * HOURS_PER_DAY


def delegation(p, em_trust_eng):
    """Share of project management the engineers own: the practice, widened by an EM who trusts
    them and narrowed by one who does not (neutral at trust 0.5; seed 002)."""
    return clip01(p.engineer_ownership * (0.5 + em_trust_eng))


def coordination_flow(p, n, em_here, pm_here, em_free_h, ownership):
    """Share of needed coordination that gets done: the EM is a bottleneck unless engineers own it
    or the PM covers (blurry line)."""
    need = n * p.coordination_hours * (1.0 - ownership)
    supply = (em_here * np.maximum(em_free_h, 0.0)
              + (1.0 - em_here) * pm_here * p.blurry_line * c("pm_cover_share") * p.sprint_days * HOURS_PER_DAY)
    return np.where(need > 0, np.minimum(1.0, supply / np.maximum(need, EPS)), 1.0)


def flow_factor(flow):
    return 0.5 + 0.5 * flow


def estimation_accuracy(p, em_estimation, pm_tech, em_here):
    """Who estimates: the EM, or when away, a PM covering as far as the blurry line and their tech understanding allow."""
    return em_here * em_estimation + (1.0 - em_here) * p.blurry_line * pm_tech


def estimate(p, expected_capacity, accuracy):
    """Planners overestimate capacity by the optimism bias, less so when accurate."""
    return expected_capacity * (1.0 + p.optimism_bias * (1.0 - accuracy))


def pressure_now(p, pressure_add, competitor):
    """Baseline pressure plus event pressure (crunch, escalation, competitor), capped at 1.5."""
    return np.minimum(1.5, p.pressure + pressure_add + competitor * p.pm_w_competition)


def pm_drive(p, competitor):
    """PM's motivators that favour more committed feature work (0-1; up to 1.2 under a competitor)."""
    return (p.pm_w_customer_value + p.pm_w_competition * (1.0 + competitor) + p.pm_w_money
            + p.pm_w_ship_fast + p.pm_w_look_good) / 5.0


def em_care(p):
    """EM's motivators that favour sustainable, well-built work (0-1)."""
    return (p.em_w_right_way + p.em_w_engineers + p.em_w_tech_debt) / 3.0


def em_drive(p):
    return (p.em_w_ship_fast + p.em_w_look_good) / 2.0


def pm_ask(p, est, drive, pressure, trust_eng):
    """Work the PM asks for: above estimated capacity by drive and pressure, more so when the PM
    distrusts the team's estimates (neutral at trust 0.5)."""
    return est * (1.0 + p.push_scale * drive * pressure * (1.5 - trust_eng))


def em_offer(p, est, care, drive, mean_burnout):
    """Work the EM offers: a buffer below estimate, larger when the team is burning out."""
    return est * (1.0 - p.buffer_scale * care * (1.0 - 0.5 * drive) * (0.5 + mean_burnout))


def pm_power_share(p, drive, pressure, care, accuracy, pm_trust_em, pm_here, em_here):
    """Weight of the PM's position in the negotiation; a PM who trusts the EM defers to their estimate."""
    pm_power = drive * (0.5 + pressure) * (1.0 - 0.5 * pm_trust_em) * (pm_here + (1.0 - pm_here) * p.blurry_line)
    em_power = care * (0.5 + accuracy) * (em_here + (1.0 - em_here) * p.blurry_line)
    return pm_power / (pm_power + em_power + EPS)


def negotiate(offer, ask, share_pm):
    return offer + share_pm * (ask - offer)


def loss_share(drag, unplanned_expected, raw_capacity):
    """Capacity visibly lost to debt and incidents: the measurable value of tech work."""
    return np.minimum(1.0, drag + unplanned_expected / np.maximum(raw_capacity, EPS))


def em_tech_want(p, loss):
    return np.minimum(0.8, loss * (0.5 + p.em_w_tech_debt))


def pm_tech_want(p, loss, pm_tech):
    """What the PM sees of tech value: all of it when framed measurably, else what their tech understanding reveals."""
    return np.minimum(0.8, loss * (p.tech_value_framing + (1.0 - p.tech_value_framing) * pm_tech))


def engineer_tech_want(p, loss):
    return np.minimum(0.8, loss * (0.5 + p.eng_w_craft))


def tech_share_now(p, want_pm, want_em, share_pm, pressure):
    """Share of the sprint for tech work.

    one_roadmap: tech items compete on value in one ranking, so the share is the negotiated
    mix of what PM and EM see. split_backlogs: the set reservation, squeezed by pressure as far
    as the PM prevails.
    """
    one = want_pm + (1.0 - share_pm) * (want_em - want_pm)
    split = p.tech_share * (1.0 - p.tech_squeeze * np.minimum(1.0, pressure) * share_pm)
    return np.where(p.roadmap_mode == 0, one, split)


def hidden_load(p, tech_share, alignment):
    """Split backlogs are planned apart: the feature plan ignores the tech reservation except as
    far as shared understanding reveals it, so total commitment overshoots (seed 003)."""
    return np.where(p.roadmap_mode == 1, tech_share * (1.0 - alignment), 0.0)


# --- 3. execute -------------------------------------------------------------------------------

def felt_pressure(p, commit, expected_capacity, pressure, em_here):
    """Schedule pressure on engineers: overcommitment plus business pressure, less what the EM shields."""
    over = commit / np.maximum(expected_capacity, EPS) - 1.0
    raw = np.minimum(1.5, np.maximum(0.0, over + 0.5 * pressure))
    return raw * (1.0 - p.shielding * p.em_w_engineers * em_here)


def overtime(p, felt, engagement):
    """Overtime share of normal hours: engaged engineers stretch, those valuing sustainable pace less."""
    return p.overtime_max * clip01(felt * (0.5 + engagement) * (1.0 - 0.5 * p.eng_w_pace))


def corner_cutting(p, felt, burnout):
    """Share of work done with shortcuts: pressure against craft and the EM's 'right way', plus fatigue."""
    return clip01(felt * (1.0 - 0.7 * p.eng_w_craft) * (1.0 - 0.5 * p.em_w_right_way) + 0.3 * burnout)


def engineer_output(p, avail, rate, ot, corners, noise_z):
    """Ideal-days delivered: longer hours with lower hourly efficiency (Thomas & Raynar), faster when cutting corners."""
    hours = (1.0 + ot) * (1.0 - p.overtime_efficiency_loss * np.sqrt(ot / 0.5))
    noise = np.exp(p.delivery_noise * noise_z - 0.5 * p.delivery_noise ** 2)
    return avail * rate * hours * (1.0 + p.corner_cut_speedup * corners) * noise


def completion(commit, required, planned_capacity):
    """Share of the commitment delivered (say/do)."""
    return np.where(required > 0, np.minimum(1.0, planned_capacity / np.maximum(required, EPS)), 1.0)


def effort_multiplier(p, z):
    return np.exp(p.work_uncertainty * z - 0.5 * p.work_uncertainty ** 2)


def scope_added(p, u):
    """Work added mid-sprint without re-planning, as a share of commitment (mean ``scope_creep``)."""
    return p.scope_creep * 2.0 * u


# --- 4. review --------------------------------------------------------------------------------

def warning_effect(p, mean_trust_eng_em, mean_trust_eng_pm):
    """Share of a shortfall flagged early; engineers warn more when they trust their managers."""
    return p.early_warning * (0.5 + 0.25 * (mean_trust_eng_em + mean_trust_eng_pm))


def surprise(done, warned):
    return (1.0 - done) * (1.0 - warned)


def right_thing(pm_insight, em_customer, mean_user_knowledge, alignment):
    """Discovery quality: the chance the work built is what customers need (seed 000, 004)."""
    return 0.35 * pm_insight + 0.15 * em_customer + 0.25 * mean_user_knowledge + 0.25 * alignment


def customer_value(p, feature_days, creep_days, quality, competitor, bonus, customer_trust):
    """Outcome: value of the right features delivered; unvetted scope-creep work counts half, and
    customers who trust the product less adopt less of what ships (seed 003: customer trust above all)."""
    return ((feature_days + 0.5 * creep_days) * p.feature_value * quality * (1.0 - 0.5 * competitor) * (1.0 + bonus)
            * (0.5 + 0.5 * customer_trust))


def customer_trust_next(p, trust, done, quality, incidents, escalation):
    lost = 1.0 - (1.0 - p.incident_trust_loss) ** incidents
    return clip01(trust + p.customer_trust_gain * done * quality * (1.0 - trust) - trust * lost - 0.3 * escalation * trust)


def debt_next(p, debt, feature_days, tech_days, slack_days, mean_corners):
    """Debt compounds, grows with feature work (more when cutting corners) and falls with tech work and slack."""
    added = feature_days * (p.debt_per_feature_day + p.corner_cut_debt * mean_corners)
    repaid = (tech_days + 0.5 * slack_days) * p.repay_efficiency
    return np.maximum(0.0, debt * (1.0 + p.debt_interest) + added - repaid)


# --- 5. disagree and resolve -----------------------------------------------------------------

def disagreement(ask, offer, est, want_pm, want_em, tension, alignment, both_here):
    gap = np.maximum(0.0, ask - offer) / np.maximum(est, EPS) + np.abs(want_em - want_pm) + tension
    return clip01(gap * (1.0 - 0.5 * alignment)) * both_here


def resolve(p, conflict, d, share_pm, u_outcome, u_escalate, trust_pm_em, trust_em_pm, tension):
    """Resolve this sprint's PM-EM conflict by the practised style (seed 004).

    Returns trust signals (pos/neg for PM->EM and EM->PM), the new tension, alignment change,
    the value bonus of a third path, and event flags (fight, avoid, productive, escalation,
    third path) as floats.
    """
    fight = conflict * (p.conflict_style == 0)
    avoid = conflict * (p.conflict_style == 1)
    productive = conflict * (p.conflict_style == 2)
    sbi = p.feedback == 1
    gain = np.where(sbi, 1.0 + p.feedback_effect, 1.0)
    loss = np.where(sbi, 1.0 - p.feedback_effect, 1.0)
    mean_trust = 0.5 * (trust_pm_em + trust_em_pm)
    pm_wins = (u_outcome < share_pm) * 1.0
    # The loser of a fight escalates to leadership more readily the more the decision costs
    # their own motivators and the less they trust their partner.
    loser_stake = pm_wins * em_care(p) + (1.0 - pm_wins) * pm_drive(p, 0.0)
    escalation = fight * (u_escalate < loser_stake * (1.0 - mean_trust))
    third = productive * (u_outcome < 0.3 + 0.5 * mean_trust)
    # The loser of a fight loses more trust than the winner; an escalation hurts both.
    neg_pm = loss * (fight * (0.3 * pm_wins + 1.0 * (1.0 - pm_wins)) + 0.5 * escalation)
    neg_em = loss * (fight * (1.0 * pm_wins + 0.3 * (1.0 - pm_wins)) + 0.5 * escalation)
    pos = gain * (productive * 0.5 + third * 0.5)
    memory = c("tension_memory") * np.where(sbi, 1.0 - 0.5 * p.feedback_effect, 1.0)
    new_tension = np.minimum(1.0, tension * memory * (1.0 - conflict * (1.0 - avoid)) + avoid * 0.5 * d)
    d_align = productive * 0.05 - fight * 0.03
    bonus = third * p.third_path_bonus
    return pos, neg_pm, pos, neg_em, new_tension, d_align, bonus, fight, avoid, productive, escalation, third


# --- 6. update people --------------------------------------------------------------------------

def respect(tech_share, wanted):
    """How far the tech work someone wants is honoured (1 when they want none)."""
    return np.where(wanted > EPS, np.minimum(1.0, tech_share / np.maximum(wanted, EPS)), 1.0)


def feeling_valued(tech_share, want_eng, involvement, felt):
    return clip01(0.4 * respect(tech_share, want_eng) + 0.3 * involvement + 0.3 * (1.0 - np.minimum(1.0, felt)))


def growth(tech_share, involvement, corners):
    """Challenge and growth: discovery, tech work and doing things well."""
    return clip01(0.3 * involvement + 0.4 * np.minimum(1.0, 2.0 * tech_share) + 0.3 * (1.0 - corners))


def stress(p, ot, felt, corners, toil, valued):
    """Stressors weighted by the engineer's motivators: overtime (pace), corner-cutting (craft), undervalued."""
    ot_norm = ot / np.maximum(p.overtime_max, EPS)
    total = (p.eng_w_pace * ot_norm + 0.6 * np.minimum(1.0, felt) + p.eng_w_craft * corners + toil
             + p.eng_w_valued * (1.0 - valued))
    return clip01(total / c("stress_norm"))


def burnout_next(p, burnout, stress_level, slack_share):
    """Burnout builds with stress and recovers with slack, ``burnout_recovery_ratio`` times as fast."""
    rise = p.burnout_rise_rate * stress_level * (1.0 - burnout)
    fall = p.burnout_rise_rate * p.burnout_recovery_ratio * (1.0 + 2.0 * slack_share) * (1.0 - stress_level) * burnout
    return clip01(burnout + rise - fall)


def engagement_next(p, engagement, growth_level, valued, burnout):
    target = (p.eng_w_growth * growth_level + p.eng_w_valued * valued + (1.0 - burnout)) / (p.eng_w_growth + p.eng_w_valued + 1.0)
    return clip01(engagement + c("engagement_rate") * (target - engagement))


def leave_probability(p, burnout, engagement):
    return clip01(p.base_attrition + p.burnout_attrition * burnout ** 2 + p.disengaged_attrition * (1.0 - engagement) ** 2)


def estimation_next(p, accuracy, alignment, drag):
    target = 0.25 + 0.35 * alignment + 0.2 * p.engineer_ownership + 0.2 * (1.0 - drag / np.maximum(p.max_debt_drag, EPS))
    return clip01(accuracy + c("estimation_rate") * (target - accuracy))


def hire_skill(p, z):
    return np.minimum(2.5, np.maximum(0.3, p.skill_mean + p.skill_sd * z))


def pm_workload(p, sync_h, disc_h_team, cover_em, escalations):
    """PM hours demanded over hours available (1 = fully loaded)."""
    sprint_h = p.sprint_days * HOURS_PER_DAY
    demand = (sync_h + c("pm_customer_time") * sprint_h + 0.25 * disc_h_team + p.pm_learns_tech * sprint_h
              + cover_em * p.blurry_line * c("pm_cover_share") * sprint_h + 4.0 * escalations)
    return demand / sprint_h


def em_workload(p, sync_h, n, new_hires_load, escalations, ownership):
    sprint_h = p.sprint_days * HOURS_PER_DAY
    demand = (sync_h + p.em_meets_customers * sprint_h + n * p.coordination_hours * (1.0 - ownership)
              + 0.5 * n + 2.0 * new_hires_load + 4.0 * escalations + 0.25 * sprint_h)
    return demand / sprint_h
