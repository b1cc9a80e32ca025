"""The compiled kernel: every run of a batch, sprint by sprint, in parallel over runs.

:func:`run_team` simulates one run (one team) for ``n_sprints`` by calling the rules of
:mod:`pe_sim.core.rules` and the backlog functions of :mod:`pe_sim.core.backlog` in the order of
the ODD's six phases; :func:`run_batch` calls it for a range of runs, on several threads at once. The Mesa
model (:mod:`pe_sim.model`) applies the same functions in the same order, one agent at a time.
"""

from __future__ import annotations

import numpy as np
from pe_sim.core import backlog as B
from pe_sim.core import rng, rules as R
from pe_sim.core.jit import jit, jit_borrow, jit_nogil
from pe_sim.core.record import P
from pe_sim.core.rng import Draw
from pe_sim.events import SCHEDULE_FIELDS

EPS = R.EPS
# Typed constants for call arguments: numba compiles a function once per argument type, and a bare
# literal (0, -1, True) is a type of its own, so passing these keeps one compiled version.
PM_ASKS, EM_OFFERS = np.int64(0), np.int64(1)  # ``who`` in best_option
FIRST = np.int64(0)

# Rows of a run's event schedule (see pe_sim.events.schedule).
(EV_PRESSURE, EV_COMPETITOR, EV_ESCALATION, EV_ESCALATION_SPAN, EV_KEY_LEAVES, EV_PM_ABSENT, EV_EM_ABSENT, EV_HIRES,
 EV_TEAM_SIZE) = range(len(SCHEDULE_FIELDS))

# The order run_team writes outcomes in (pe_sim.core.engine.OUTCOMES holds their meanings).
OUTCOME_ORDER = (
    "velocity", "committed", "delivered", "say_do", "customer_value", "features_shipped", "ideas_killed",
    "tech_share", "tech_items_raised", "tech_debt", "debt_drag", "debt_capacity_loss", "incidents",
    "customer_trust", "business_pressure", "customer_escalations", "burnout_mean", "burnout_max",
    "engagement_mean", "overtime_mean", "corners_mean", "pushback", "attrition", "hires", "headcount",
    "expertise", "trust_pm_em", "trust_em_pm", "trust_pm_eng", "trust_em_eng", "trust_eng_pm", "trust_eng_em",
    "comm_hours", "alignment", "right_thing", "surprise", "conflicts_fight", "conflicts_avoid",
    "conflicts_productive", "third_paths", "escalations", "engineer_escalations", "pm_workload", "em_workload",
)
N_OUTCOMES = len(OUTCOME_ORDER)

# What carries from one sprint to the next (the ODD's state variables).
TEAM_STATE = ("pm_trust_em", "pm_trust_eng", "pm_insight", "pm_tech", "em_trust_pm", "em_trust_eng", "em_customer",
              "em_estimation", "alignment", "tension", "bonus", "debt", "customer_trust", "business_pressure",
              "value_recent", "expectation", "escalation_load", "relief", "escalation_pressure", "escalation_work",
              "open_reqs", "hires_due", "items")
ENGINEER_STATE = ("active", "skill", "tenure", "knowledge", "system_expertise", "burnout", "engagement", "trust_em", "trust_pm",
                  "user_knowledge", "w_growth", "w_craft", "w_valued", "w_pace")

# Columns of the engineer slot array.
(E_ACTIVE, E_SKILL, E_TENURE, E_KNOWLEDGE, E_EXPERTISE, E_BURNOUT, E_ENGAGEMENT, E_TRUST_EM, E_TRUST_PM, E_USERS,
 E_W_GROWTH, E_W_CRAFT, E_W_VALUED, E_W_PACE, E_AVAIL, E_RATE, E_OVERTIME, E_CORNERS, E_OUTPUT, E_PUSHED,
 E_SLACK) = range(21)
E_FIELDS = 21


@jit_borrow
def write_sprint(out, t, values):
    """Sprint ``t``'s outcomes into column ``t`` of a run's (outcomes, sprints) block, one by one (a
    slice assignment from a tuple would compile numba's shape-mismatch error message, a few
    seconds of the first compile)."""
    for k in range(len(values)):
        out[k, t] = values[k]


@jit_borrow
def new_engineer(p, eng, s, skey, sprint_of_draw):
    """An engineer joins slot ``s``: skill and temperament drawn from the joining sprint's key."""
    agent = rng.ENGINEER_BASE + s
    eng[s, E_ACTIVE] = 1.0
    eng[s, E_SKILL] = R.hire_skill(p, rng.normal(skey, agent, Draw.SKILL))
    eng[s, E_W_GROWTH] = R.individual_weight(p[P.eng_w_growth], p[P.motivator_spread], rng.normal(skey, agent, Draw.MOTIVE_GROWTH))
    eng[s, E_W_CRAFT] = R.individual_weight(p[P.eng_w_craft], p[P.motivator_spread], rng.normal(skey, agent, Draw.MOTIVE_CRAFT))
    eng[s, E_W_VALUED] = R.individual_weight(p[P.eng_w_valued], p[P.motivator_spread], rng.normal(skey, agent, Draw.MOTIVE_VALUED))
    eng[s, E_W_PACE] = R.individual_weight(p[P.eng_w_pace], p[P.motivator_spread], rng.normal(skey, agent, Draw.MOTIVE_PACE))
    eng[s, E_BURNOUT] = p[P.initial_burnout]
    eng[s, E_TRUST_EM] = p[P.initial_trust]
    eng[s, E_TRUST_PM] = p[P.initial_trust]
    if sprint_of_draw < 0:  # the starting team: tenure spread around its mean, knowledge and expertise from tenure
        eng[s, E_TENURE] = R.starting_tenure(p, rng.uniform(skey, agent, Draw.TENURE0))
        eng[s, E_KNOWLEDGE] = R.knowledge_from_tenure(p, eng[s, E_TENURE])
        eng[s, E_EXPERTISE] = R.expertise_from_tenure(p, eng[s, E_TENURE])
        eng[s, E_ENGAGEMENT] = R.clip01(p[P.initial_engagement] + p[P.engagement_sd] * rng.normal(skey, agent, Draw.ENGAGEMENT0))
        eng[s, E_USERS] = p[P.initial_user_knowledge]
    else:
        eng[s, E_TENURE] = 0.0
        eng[s, E_KNOWLEDGE] = p[P.ramp_start]
        eng[s, E_EXPERTISE] = 0.0
        eng[s, E_ENGAGEMENT] = p[P.initial_engagement]
        eng[s, E_USERS] = p[P.new_hire_user_knowledge]


@jit_borrow
def newest_engineer(eng, n_slots):
    """The slot of the active engineer (not already leaving) with the shortest tenure; the last slot on a tie."""
    pick, fewest = -1, np.inf
    for s in range(n_slots):
        if eng[s, E_ACTIVE] == 1.0 and eng[s, E_TENURE] <= fewest:
            pick, fewest = s, eng[s, E_TENURE]
    return pick


@jit_borrow
def best_option(p, lo, hi, who, belief, pressure, competitor, customer_trust, target, mean_burnout):
    """The option (a multiple of the estimate) a manager chooses: the highest utility on a grid
    of ``choice_options`` levels from lo to hi. ``who`` 0 is the PM, 1 the EM."""
    best_x, best_u = hi, -np.inf
    n = p[P.choice_options]
    for k in range(int(n)):
        x = R.option_level(lo, hi, k, n)
        if who == 0:
            u = R.pm_utility(p, x, belief, pressure, competitor, customer_trust)
        else:
            u = R.em_utility(p, x, target, mean_burnout)
        if u > best_u:
            best_x, best_u = x, u
    return best_x


@jit_borrow
def score_items(p, items, n_feature, share_pm, competitor, debt, capacity, expertise, visibility, pm_s, em_s, joint):
    """Each alive item's value per day as the PM and the EM see it, and jointly (one roadmap)."""
    burden_now = R.debt_burden(p, debt)
    for i in range(items.shape[0]):
        if items[i, B.ALIVE] == 0.0:
            continue
        size = B.size_left(items, i)
        if i < n_feature:
            est = items[i, B.ESTIMATE]  # set by this sprint's discovery, or fixed since work started
            pm_s[i] = R.pm_feature_score(p, est, size, competitor)
            em_s[i] = R.em_feature_score(p, est, size, competitor)
        else:
            drag_v, incident_v = R.tech_item_value(p, items[i, B.VALUE], debt, burden_now, capacity, expertise)
            pm_s[i] = R.pm_tech_score(p, drag_v, incident_v, size, visibility)
            em_s[i] = R.em_tech_score(p, drag_v, incident_v, size)
        joint[i] = R.joint_score(share_pm, pm_s[i], em_s[i])


@jit_borrow
def plan_sprint(p, items, n_feature, commit_target, pressure, share_pm, alignment, pm_s, em_s, joint, plan, ranked):
    """Choose the sprint's items. One roadmap: one ranking of all items. Split backlogs: the EM
    fills the tech reservation from the tech backlog, the PM the feature plan from the feature
    backlog. Returns (items planned, estimated size committed, of which tech)."""
    n_items = items.shape[0]
    if p[P.roadmap_mode] == R.ONE_ROADMAP:
        n_plan, committed = B.select(items, joint, FIRST, n_items, commit_target, plan, FIRST, ranked)
        tech = 0.0
        for j in range(n_plan):
            if plan[j] >= n_feature:
                tech += B.size_left(items, plan[j])
        return n_plan, committed, tech
    n_plan, tech = B.select(items, em_s, n_feature, n_items, R.tech_reservation(p, commit_target, pressure, share_pm),
                            plan, FIRST, ranked)
    n_plan, features = B.select(items, pm_s, FIRST, n_feature, R.feature_budget(p, commit_target, tech, alignment), plan, n_plan,
                                ranked)
    return n_plan, features + tech, tech


@jit_borrow
def work_plan(p, items, n_feature, plan, n_plan, capacity, alignment, customer_trust, bonus, competitor):
    """Work through the plan in order with ``capacity`` ideal-days. Finished features ship (their
    value delivered), finished tech items repay debt; unfinished items carry over. Returns
    (planned effort, effort done, capacity left, value, features shipped, estimated size
    finished, true value shipped, estimated size of shipped features, debt repaid, feature effort)."""
    planned = done = value = shipped = velocity = true_value = shipped_size = repaid = feature_effort = 0.0
    for j in range(n_plan):
        i = plan[j]
        left = items[i, B.LEFT]
        planned += left
        work = min(left, capacity)
        capacity -= work
        done += work
        items[i, B.LEFT] = left - work
        items[i, B.STARTED] = 1.0
        if i < n_feature:
            feature_effort += work
        if items[i, B.LEFT] <= EPS:
            items[i, B.ALIVE] = 0.0
            velocity += items[i, B.SIZE]
            if i < n_feature:
                shipped += 1.0
                true_value += items[i, B.VALUE]
                shipped_size += items[i, B.SIZE]
                value += R.delivered_value(p, items[i, B.VALUE], alignment, customer_trust, bonus, competitor)
            else:
                repaid += items[i, B.VALUE]
    return planned, done, capacity, value, shipped, velocity, true_value, shipped_size, repaid, feature_effort


@jit_borrow
def pull_in(p, items, n_feature, spare, pressure, share_pm, alignment, pm_s, em_s, joint, pulled, ranked, customer_trust,
            bonus, competitor):
    """With the plan done and ``spare`` ideal-days left, the team pulls in the next items of its ranking (split
    backlogs: of both, as a plan would take them) for ``pull_in`` of the spare time; the rest stays slack (clean-up,
    learning, rest). Items pulled in but not touched stay unstarted. Returns (estimated size pulled in, planned
    effort, effort done, value, features shipped, estimated size finished, true value shipped, estimated size of
    shipped features, debt repaid, feature effort)."""
    budget = p[P.pull_in] * spare
    if budget <= EPS:
        return 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    n_pull, size, _ = plan_sprint(p, items, n_feature, budget, pressure, share_pm, alignment, pm_s, em_s, joint, pulled,
                                  ranked)
    (planned, done, _, value, shipped, velocity, true_value, shipped_size, repaid, feature_effort
     ) = work_plan(p, items, n_feature, pulled, n_pull, budget, alignment, customer_trust, bonus, competitor)
    for j in range(n_pull):
        i = pulled[j]
        if items[i, B.ALIVE] == 1.0 and items[i, B.LEFT] == items[i, B.EFFORT]:
            items[i, B.STARTED] = 0.0
    return size, planned, done, value, shipped, velocity, true_value, shipped_size, repaid, feature_effort


@jit_borrow
def work_sprint(p, items, n_feature, plan, n_plan, capacity, commit, pressure, share_pm, alignment, pm_s, em_s, joint,
                pulled, ranked, customer_trust, bonus, competitor):
    """The sprint's work: the plan (:func:`work_plan`), then, with it done early, the items pulled in
    (:func:`pull_in`). Returns work_plan's figures for both together (capacity left is the slack), then the share
    of the plan done (say/do) and the estimated size delivered: the commitment times that share plus what was
    pulled in, by the share of its effort done."""
    (planned, done_work, slack, value, shipped, velocity, true_value, shipped_size, repaid, feature_effort
     ) = work_plan(p, items, n_feature, plan, n_plan, capacity, alignment, customer_trust, bonus, competitor)
    done = done_work / planned if planned > EPS else 1.0
    (pulled_size, pulled_effort, pulled_done, value2, shipped2, velocity2, true_value2, shipped_size2, repaid2,
     feature_effort2) = pull_in(p, items, n_feature, slack, pressure, share_pm, alignment, pm_s, em_s, joint, pulled,
                                ranked, customer_trust, bonus, competitor)
    delivered = commit * done + (pulled_size * pulled_done / pulled_effort if pulled_effort > EPS else 0.0)
    return (planned, done_work, slack - pulled_done, value + value2, shipped + shipped2, velocity + velocity2,
            true_value + true_value2, shipped_size + shipped_size2, repaid + repaid2, feature_effort + feature_effort2,
            done, delivered)


@jit
def run_team(p, ev, seed, run, n_sprints, n_slots, out):
    """Simulate one team for ``n_sprints``; writes each sprint's outcomes into its column of ``out``
    (outcomes, sprints)."""
    rkey = rng.run_key(seed, run)
    H = R.sprint_hours(p)
    n_feature, n_tech = int(p[P.feature_backlog_items]), int(p[P.tech_backlog_items])
    eng = np.zeros((n_slots, E_FIELDS))
    items = B.empty(n_feature, n_tech)
    n_items = n_feature + n_tech
    pm_s = np.zeros(n_items)
    em_s = np.zeros(n_items)
    joint = np.zeros(n_items)
    plan = np.zeros(n_items, dtype=np.int64)
    pulled = np.zeros(n_items, dtype=np.int64)
    ranked = np.zeros(2 * n_items)
    hires_due = np.zeros(n_sprints + R.hiring_delay(p) + 2)  # room for a backfill due after the last sprint

    # Set-up (draws keyed to sprint -1).
    skey0 = rng.sprint_key(rkey, rng.SETUP)
    for s in range(min(n_slots, int(p[P.n_engineers]))):
        new_engineer(p, eng, s, skey0, rng.SETUP)
    B.add_items(p, items, FIRST, n_feature, float(n_feature), B.FEATURE, skey0)
    B.add_items(p, items, n_feature, n_items, float(int(p[P.initial_tech_items])), B.TECH_ITEM, skey0)
    pm_trust_em = pm_trust_eng = em_trust_pm = em_trust_eng = p[P.initial_trust]
    pm_insight, pm_tech = p[P.initial_pm_insight], p[P.initial_pm_tech]
    em_customer, em_estimation = p[P.initial_em_customer], p[P.initial_em_estimation]
    alignment, tension, bonus = p[P.initial_alignment], 0.0, 0.0
    debt, customer_trust, business_pressure = p[P.initial_debt], p[P.initial_customer_trust], p[P.pressure]
    value_recent = expectation = -1.0  # set from the first sprint's value
    escalation_load = relief = escalation_pressure = escalation_work = 0.0
    open_reqs = 0.0  # hires in the pipeline: sum of hires_due from this sprint on

    for t in range(n_sprints):
        skey = rng.sprint_key(rkey, t)
        pm_here = 1.0 - ev[EV_PM_ABSENT, t]
        em_here = 1.0 - ev[EV_EM_ABSENT, t]
        competitor = ev[EV_COMPETITOR, t]
        n = 0.0
        onboarding = 0.0
        # The highest and second-highest knowledge and expertise: each engineer learns from the best
        # other; the team's deep expertise is its most expert engineer's.
        known = known2 = expertise = expertise2 = 0.0
        for s in range(n_slots):
            if eng[s, E_ACTIVE] == 1.0:
                n += 1.0
                onboarding += R.clip01((1.0 - eng[s, E_KNOWLEDGE]) / max(1.0 - p[P.ramp_start], EPS))
                known, known2 = R.top_two(known, known2, eng[s, E_KNOWLEDGE])
                expertise, expertise2 = R.top_two(expertise, expertise2, eng[s, E_EXPERTISE])
        n1 = max(n, 1.0)

        # 1. Communicate: managers' hours, syncs, discovery, alignment, learning ----------------
        sync_h = R.sync_hours(p, pm_here, em_here)
        ownership = R.delegation(p, em_trust_eng)
        pm_fixed, pm_flex = R.pm_demand(p, sync_h, n * R.discovery_hours(p, pm_here, 1.0), escalation_load, pm_here, em_here)
        pm_focus = R.focus(p, pm_fixed, pm_flex)
        em_fixed, em_flex = R.em_demand(p, sync_h, n, ownership, open_reqs, onboarding, escalation_load, pm_here, em_here)
        em_focus = R.focus(p, em_fixed, em_flex)
        disc_h = R.discovery_hours(p, pm_here, pm_focus)
        peer_h = R.peer_hours(p, n)
        own_h = R.own_pm_hours(p, ownership)
        customer_h = p[P.pm_customer_share] * H * pm_focus * pm_here
        pm_tech_h = p[P.pm_learns_tech] * H * pm_focus * pm_here
        em_customer_h = p[P.em_meets_customers] * H * em_focus * em_here
        alignment = R.alignment_next(p, alignment, R.context_hours(p, sync_h, disc_h, em_customer_h, pm_tech_h), tension)
        pm_insight = R.pm_insight_next(p, pm_insight, customer_h, competitor)
        pm_tech = R.understanding_next(p, pm_tech, pm_tech_h)
        em_customer = R.understanding_next(p, em_customer, em_customer_h)
        involvement = R.learning_effort(p, disc_h)
        users = 0.0
        for s in range(n_slots):
            if eng[s, E_ACTIVE] == 1.0:
                eng[s, E_USERS] = R.understanding_next(p, eng[s, E_USERS], disc_h)
                users += eng[s, E_USERS]
        together = R.time_together(p, sync_h)
        comm_hours = 2.0 * sync_h + n * (disc_h + peer_h + own_h)
        power = R.discovery_power(p, pm_insight, R.customer_effort(p, customer_h), users / n1,
                                  involvement, em_customer)
        B.add_items(p, items, FIRST, n_feature,
                    rng.poisson(rng.uniform(skey, rng.TEAM, Draw.IDEAS), R.per_sprint(p, p[P.ideas_per_sprint])), B.FEATURE, skey)
        killed = B.discover(p, items, n_feature, power)

        # 2. Plan: capacity, estimate, the PM's ask and the EM's offer, pushback, items -----------
        mentoring = 0.0
        knowledge_sum = 0.0
        burnout_sum = 0.0
        for s in range(n_slots):
            if eng[s, E_ACTIVE] == 1.0:
                mentoring += R.mentor_days(p, eng[s, E_KNOWLEDGE])
                knowledge_sum += eng[s, E_KNOWLEDGE]
                burnout_sum += eng[s, E_BURNOUT]
        raw_capacity = 0.0
        for s in range(n_slots):
            if eng[s, E_ACTIVE] == 1.0:  # mentors are the knowledgeable: mentoring is shared by knowledge
                eng[s, E_AVAIL] = R.available_days(p, disc_h, peer_h, own_h,
                                                   mentoring * eng[s, E_KNOWLEDGE] / max(knowledge_sum, EPS))
                eng[s, E_RATE] = R.output_rate(p, eng[s, E_SKILL], eng[s, E_KNOWLEDGE], eng[s, E_BURNOUT],
                                               eng[s, E_ENGAGEMENT])
                raw_capacity += eng[s, E_AVAIL] * eng[s, E_RATE]
        mean_burnout = burnout_sum / n1
        drag = R.debt_drag(p, debt)
        flow = R.coordination_flow(p, em_focus, em_here, pm_here, ownership)
        unplanned_expected = (R.incident_rate(p, debt, mean_burnout, 0.0, expertise) * p[P.incident_cost_days]
                              + p[P.escalation_work_days] * ev[EV_ESCALATION, t] + escalation_work)
        expected_capacity = max(0.0, raw_capacity * (1.0 - drag) * R.flow_factor(p, flow) - unplanned_expected)
        accuracy = R.estimation_accuracy(p, em_estimation, em_focus, pm_tech, em_here)
        est = R.estimate(p, expected_capacity, accuracy)
        pressure = R.pressure_now(p, business_pressure, ev[EV_PRESSURE, t] + p[P.escalation_pressure] * ev[EV_ESCALATION_SPAN, t]
                                 + escalation_pressure, competitor)
        ask = est * best_option(p, 1.0, 1.0 + p[P.push_scale], PM_ASKS, R.pm_belief(p, pm_trust_eng), pressure, competitor,
                                customer_trust, 0.0, mean_burnout)
        offer = est * best_option(p, 1.0 - p[P.buffer_scale], 1.0 + p[P.buffer_scale], EM_OFFERS, 0.0, pressure, competitor,
                                  customer_trust, R.em_target_load(p, mean_burnout), mean_burnout)
        share_pm = R.pm_power_share(p, pressure, accuracy, pm_trust_em, pm_here, em_here, R.pm_push(p), R.em_push(p))
        commit0 = R.negotiate(offer, ask, share_pm)
        load0 = commit0 / max(expected_capacity, EPS)
        pushing = 0.0
        for s in range(n_slots):
            if eng[s, E_ACTIVE] == 1.0:
                eng[s, E_PUSHED] = 1.0 if R.pushes_back(p, eng[s, E_W_PACE], eng[s, E_W_CRAFT], eng[s, E_W_VALUED],
                                                        load0, eng[s, E_TRUST_EM]) else 0.0
                pushing += eng[s, E_PUSHED]
        pushing /= n1
        commit_target = R.after_pushback(p, commit0, expected_capacity, pushing, em_trust_eng, em_here)
        visibility = R.pm_visibility(p, pm_tech)
        score_items(p, items, n_feature, share_pm, competitor, debt, raw_capacity, expertise, visibility, pm_s, em_s, joint)
        n_plan, commit, tech_planned = plan_sprint(p, items, n_feature, commit_target, pressure, share_pm, alignment,
                                                   pm_s, em_s, joint, plan, ranked)
        tech_share = tech_planned / max(commit, EPS)
        loss = min(1.0, drag + unplanned_expected / max(raw_capacity, EPS))

        # 3. Execute: engineers choose hours and shortcuts; incidents, scope creep, the plan's work ---
        felt = R.felt_pressure(p, commit, expected_capacity, pressure, R.shielding(p, em_focus, em_here, relief))
        team_luck = R.luck(p, rng.normal(skey, rng.TEAM, Draw.NOISE))
        output = corners_sum = overtime_sum = 0.0
        for s in range(n_slots):
            if eng[s, E_ACTIVE] == 1.0:
                eng[s, E_OVERTIME] = R.overtime(p, eng[s, E_W_VALUED], eng[s, E_W_PACE], felt, eng[s, E_ENGAGEMENT],
                                                eng[s, E_BURNOUT])
                eng[s, E_CORNERS] = R.corner_cutting(p, eng[s, E_W_VALUED], eng[s, E_W_CRAFT], p[P.em_w_right_way], felt,
                                                     eng[s, E_BURNOUT])
                eng[s, E_SLACK] = R.slack_kept(p, eng[s, E_W_VALUED], eng[s, E_W_PACE], felt, eng[s, E_ENGAGEMENT],
                                               eng[s, E_BURNOUT])
                eng[s, E_OUTPUT] = R.engineer_output(p, eng[s, E_AVAIL] * (1.0 - eng[s, E_SLACK]), eng[s, E_RATE],
                                                     eng[s, E_OVERTIME], eng[s, E_CORNERS], team_luck)
                output += eng[s, E_OUTPUT]
                corners_sum += eng[s, E_CORNERS]
                overtime_sum += eng[s, E_OVERTIME]
        team_capacity = output * (1.0 - drag) * R.flow_factor(p, flow)
        mean_corners = corners_sum / n1
        incident_lambda = R.incident_rate(p, debt, mean_burnout, mean_corners, expertise)
        incidents = rng.poisson(rng.uniform(skey, rng.TEAM, Draw.INCIDENTS), incident_lambda)
        unplanned = incidents * p[P.incident_cost_days] + p[P.escalation_work_days] * ev[EV_ESCALATION, t] + escalation_work
        capacity = max(0.0, team_capacity - unplanned)
        creep = R.scope_added(p, commit, rng.uniform(skey, rng.TEAM, Draw.SCOPE_CREEP))
        creep_done = min(creep, capacity)
        capacity -= creep_done
        (planned, done_work, slack, value, shipped, velocity, true_value, shipped_size, repaid, feature_effort, done,
         delivered) = work_sprint(p, items, n_feature, plan, n_plan, capacity, commit, pressure, share_pm, alignment,
                                  pm_s, em_s, joint, pulled, ranked, customer_trust, bonus, competitor)
        value += R.delivered_value(p, creep_done * p[P.feature_value] * p[P.creep_value], alignment, customer_trust, bonus,
                                   competitor)
        slack_share = slack / max(team_capacity, EPS)
        debt_incident_share = (incident_lambda - R.incident_rate(p, 0.0, mean_burnout, mean_corners, expertise)) \
            / max(incident_lambda, EPS)
        debt_loss = min(1.0, drag + (1.0 - drag) * incidents * p[P.incident_cost_days] * debt_incident_share / max(output, EPS))

        # 4. Review: trust of customers, debt, the business's pressure, customer escalations ----------
        trust_em_sum = trust_pm_sum = engagement_sum = 0.0
        for s in range(n_slots):
            if eng[s, E_ACTIVE] == 1.0:
                trust_em_sum += eng[s, E_TRUST_EM]
                trust_pm_sum += eng[s, E_TRUST_PM]
                engagement_sum += eng[s, E_ENGAGEMENT]
        warned = R.warning_effect(p, trust_em_sum / n1, trust_pm_sum / n1)
        surprise = R.surprise(done, warned)
        right_thing = true_value / (shipped_size * p[P.feature_value]) if shipped_size > EPS else 0.0
        customer_escalation = 1.0 if rng.uniform(skey, rng.TEAM, Draw.CUSTOMER_ESCALATION) < \
            R.customer_escalation_chance(p, customer_trust, incidents) else 0.0
        customer_trust = R.customer_trust_next(p, customer_trust, done, incidents,
                                               ev[EV_ESCALATION, t] + p[P.own_escalation_severity] * customer_escalation)
        debt = R.debt_next(p, debt, feature_effort + creep_done, min(repaid, debt), slack, mean_corners)
        if value_recent < 0.0:
            value_recent = expectation = value
        value_recent = R.value_memory_next(p, value_recent, value)
        expectation = R.expectation_next(p, expectation, value_recent)
        business_pressure = R.business_pressure_next(p, value_recent, expectation, customer_trust)

        # 5. Disagree and resolve -----------------------------------------------------------------
        d = R.disagreement(p, ask, offer, est, R.tech_disagreement(p, loss, visibility), tension, alignment,
                           pm_here * em_here)
        conflict = 1.0 if rng.uniform(skey, rng.TEAM, Draw.CONFLICT) < R.chance_per_sprint(p, d) else 0.0
        fight = conflict * (p[P.conflict_style] == R.FIGHT)
        avoid = conflict * (p[P.conflict_style] == R.AVOID)
        productive = conflict * (p[P.conflict_style] == R.PRODUCTIVE)
        u_outcome = rng.uniform(skey, rng.TEAM, Draw.CONFLICT_OUTCOME)
        pm_wins = 1.0 if u_outcome < share_pm else 0.0
        mean_trust = 0.5 * (pm_trust_em + em_trust_pm)
        escalation = fight * (rng.uniform(skey, rng.TEAM, Draw.ESCALATION)
                              < R.conflict_loser_stake(p, pm_wins) * (1.0 - mean_trust))
        third = productive * (u_outcome < R.third_path_chance(p, mean_trust))
        pos, neg_pm, neg_em = R.resolve_trust(p, fight, productive, third, escalation, pm_wins)
        tension = R.tension_next(p, tension, conflict, avoid, d)
        alignment = R.clip01(alignment + productive * p[P.productive_alignment] - fight * p[P.fight_alignment])
        bonus = third * p[P.third_path_bonus]

        # 6. Update people ------------------------------------------------------------------------
        em_want = R.em_tech_want(p, loss)
        overpush = max(0.0, commit - offer) / max(est, EPS)
        pm_trust_em = R.trust_with_conflict(p, pm_trust_em, p[P.trust_mix] * done + (1.0 - p[P.trust_mix]) * together,
                                            surprise, pos, neg_pm)
        em_trust_pm = R.trust_with_conflict(p, em_trust_pm, p[P.trust_mix] * R.respect(tech_share, em_want)
                                            + (1.0 - p[P.trust_mix]) * together, p[P.overpush_weight] * overpush, pos, neg_em)
        pm_trust_eng = R.trust_next(p, pm_trust_eng, done, p[P.surprise_weight] * surprise)
        listened = pushing * p[P.pushback_effect] * em_trust_eng * em_here  # as the EM took it when planning
        em_trust_eng = R.trust_next(p, em_trust_eng, p[P.trust_mix] * done + (1.0 - p[P.trust_mix]) * engagement_sum / n1,
                                    p[P.surprise_weight] * surprise)
        challenge_level = R.challenge(p, commit / max(expected_capacity, EPS))
        toil = min(1.0, drag + unplanned / max(team_capacity, EPS))
        raise_sum = R.em_raises(p, loss)
        voice_sum = 0.0
        leavers = 0.0
        burnout_sum = burnout_max = engagement_sum = 0.0
        for s in range(n_slots):
            if eng[s, E_ACTIVE] == 0.0:
                continue
            heard = listened / max(pushing, EPS) if eng[s, E_PUSHED] == 1.0 else 1.0  # the choice made when planning
            valued = R.feeling_valued(p, R.respect(tech_share, R.engineer_tech_want(p, eng[s, E_W_CRAFT], loss)),
                                      involvement, heard, felt)
            eng[s, E_TRUST_EM] = R.trust_next(p, eng[s, E_TRUST_EM],
                                              p[P.trust_mix] * (1.0 - min(1.0, felt)) * em_here + (1.0 - p[P.trust_mix]) * valued,
                                              p[P.trust_mix] * felt + (1.0 - p[P.trust_mix]) * (1.0 - flow))
            eng[s, E_TRUST_PM] = R.trust_next(p, eng[s, E_TRUST_PM],
                                              p[P.trust_mix] * involvement + (1.0 - p[P.trust_mix]) * valued,
                                              p[P.trust_mix] * felt * share_pm)
            grown = R.growth(p, tech_share, involvement, ownership, challenge_level)
            stressed = R.stress(p, eng[s, E_W_PACE], eng[s, E_W_CRAFT], eng[s, E_W_VALUED], eng[s, E_OVERTIME], felt,
                                eng[s, E_CORNERS], toil, valued)
            eng[s, E_BURNOUT] = R.burnout_next(p, eng[s, E_BURNOUT], stressed, slack_share + eng[s, E_SLACK])
            eng[s, E_ENGAGEMENT] = R.engagement_next(p, eng[s, E_W_GROWTH], eng[s, E_W_VALUED], eng[s, E_ENGAGEMENT],
                                                     grown, valued, eng[s, E_BURNOUT])
            sat = R.satisfaction(eng[s, E_W_GROWTH], eng[s, E_W_CRAFT], eng[s, E_W_VALUED], eng[s, E_W_PACE], grown,
                                 (1.0 - eng[s, E_CORNERS]) * (1.0 - toil), valued,
                                 (1.0 - min(1.0, eng[s, E_OVERTIME] / p[P.overtime_reference])) * (1.0 - eng[s, E_BURNOUT]))
            voice_sum += R.voice_chance(p, sat, eng[s, E_TRUST_EM])
            raise_sum += R.raise_chance(p, eng[s, E_W_CRAFT], eng[s, E_W_GROWTH], toil, eng[s, E_TRUST_EM])
            eng[s, E_KNOWLEDGE] = R.knowledge_next(p, eng[s, E_KNOWLEDGE], R.teacher_of(eng[s, E_KNOWLEDGE], known, known2))
            eng[s, E_EXPERTISE] = R.expertise_next(p, eng[s, E_EXPERTISE],
                                                   R.teacher_of(eng[s, E_EXPERTISE], expertise, expertise2))
            burnout_sum += eng[s, E_BURNOUT]
            burnout_max = max(burnout_max, eng[s, E_BURNOUT])
            engagement_sum += eng[s, E_ENGAGEMENT]
            if rng.uniform(skey, rng.ENGINEER_BASE + s, Draw.ATTRITION) < \
                    R.leave_probability(p, eng[s, E_BURNOUT], sat, eng[s, E_TRUST_EM]):
                eng[s, E_ACTIVE] = -1.0  # leaving at the end of the sprint
                leavers += 1.0
        raised = B.add_items(p, items, n_feature, n_items,
                             rng.poisson(rng.uniform(skey, rng.TEAM, Draw.TECH_ITEMS), raise_sum), B.TECH_ITEM, skey)
        voiced = 1.0 if rng.uniform(skey, rng.TEAM, Draw.VOICE) < min(1.0, voice_sum) else 0.0
        em_estimation = R.estimation_next(p, em_estimation, alignment, ownership, drag)
        escalations_total = escalation + customer_escalation + ev[EV_ESCALATION, t] + voiced
        escalation_load = escalations_total
        relief = p[P.voice_relief] * voiced
        escalation_pressure = R.escalation_pressure_next(p, escalation_pressure, customer_escalation)
        escalation_work = p[P.escalation_work_days] * p[P.own_escalation_severity] * customer_escalation

        # A key engineer leaving takes the most expert first (the first slot on a tie).
        for _ in range(int(ev[EV_KEY_LEAVES, t])):
            pick, best = -1, -1.0
            for s in range(n_slots):
                if eng[s, E_ACTIVE] == 1.0 and eng[s, E_EXPERTISE] > best:
                    pick, best = s, eng[s, E_EXPERTISE]
            if pick >= 0:
                eng[pick, E_ACTIVE] = -1.0
                leavers += 1.0
        # A team size set for this sprint: beyond those leaving anyway, the newest go (last in, first out).
        size = ev[EV_TEAM_SIZE, t]
        if size > 0.0:
            staying = 0.0
            for s in range(n_slots):
                if eng[s, E_ACTIVE] == 1.0:
                    staying += 1.0
            while staying > size:
                pick = newest_engineer(eng, n_slots)
                eng[pick, E_ACTIVE] = -1.0
                leavers += 1.0
                staying -= 1.0
        stayed = 0.0
        trust_em_sum = trust_pm_sum = 0.0
        for s in range(n_slots):
            if eng[s, E_ACTIVE] == -1.0:
                eng[s, E_ACTIVE] = 0.0
            elif eng[s, E_ACTIVE] == 1.0:
                eng[s, E_TENURE] += 1.0
                stayed += 1.0
                trust_em_sum += eng[s, E_TRUST_EM]
                trust_pm_sum += eng[s, E_TRUST_PM]

        # Hiring: backfills arrive after the delay, hiring waves at once; new hires take free slots.
        # With a team size set, the team is filled to it at once and no backfill is open.
        if size > 0.0:
            for k in range(t, hires_due.shape[0]):
                hires_due[k] = 0.0
            open_reqs = 0.0
            arrivals = size - stayed
        else:
            if p[P.backfill] == 1.0:
                hires_due[t + R.hiring_delay(p)] += leavers
                open_reqs += leavers
            arrivals = hires_due[t] + ev[EV_HIRES, t]
            open_reqs -= hires_due[t]
            hires_due[t] = 0.0
        joined = 0.0
        for s in range(n_slots):
            if joined >= arrivals:
                break
            if eng[s, E_ACTIVE] == 0.0:
                new_engineer(p, eng, s, skey, t)
                joined += 1.0
        hires_due[t + 1] += arrivals - joined
        open_reqs += arrivals - joined

        write_sprint(out, t, (
            velocity, commit, delivered, done, value, shipped, killed, tech_share, raised, debt, drag, debt_loss,
            incidents, customer_trust, business_pressure, customer_escalation, burnout_sum / n1, burnout_max,
            engagement_sum / n1, overtime_sum / n1, mean_corners, pushing, leavers, joined, stayed + joined,
            expertise, pm_trust_em, em_trust_pm, pm_trust_eng, em_trust_eng, trust_pm_sum / max(stayed, 1.0),
            trust_em_sum / max(stayed, 1.0), comm_hours, alignment, right_thing, surprise, fight, avoid, productive,
            third, escalation, voiced, R.workload(p, pm_fixed, pm_flex), R.workload(p, em_fixed, em_flex),
        ))


# How an outcome's trajectory is reduced to one number per run (pe_sim.summary.REDUCTION names them).
FINAL, TOTAL, MEAN = np.int64(0), np.int64(1), np.int64(2)
REDUCTIONS = {"final": FINAL, "total": TOTAL, "mean": MEAN}


@jit
def reduce_run(x, kind):
    """One run's trajectory of an outcome as its end-of-run summary: the value at the horizon, the
    total over the sprints (added in sprint order) or their mean."""
    n = x.shape[0]
    if kind == FINAL:
        return x[n - 1]
    total = 0.0
    for t in range(n):
        total += x[t]
    return total if kind == TOTAL else total / n


@jit
def reduce_runs(x, kind, out):
    """Every run's summary of one outcome: ``x`` (R, sprints) into ``out`` (R,)."""
    for r in range(x.shape[0]):
        out[r] = reduce_run(x[r], kind)


@jit_nogil
def run_batch_summaries(params, events, seed, run_ids, n_sprints, n_slots, kinds, out, lo, hi):
    """Like :func:`run_batch`, but only each outcome's end-of-run summary (``kinds``: FINAL, TOTAL
    or MEAN per outcome) into ``out`` (outcomes, R): a run's trajectories live in one small block
    reused run after run, so a sweep of summaries never holds (or first touches) them all."""
    block = np.empty((N_OUTCOMES, n_sprints))
    for r in range(lo, hi):
        ev = events[r] if events.shape[0] > 1 else events[0]
        run_team(params[r], ev, seed, run_ids[r], n_sprints, n_slots, block)
        for k in range(N_OUTCOMES):
            out[k, r] = reduce_run(block[k], kinds[k])


@jit_nogil
def run_batch(params, events, seed, run_ids, n_sprints, n_slots, out, lo, hi):
    """Runs lo..hi-1 of a batch: ``params`` (R, n_params), ``events`` (R or 1, fields, sprints),
    ``out`` (outcomes, R, sprints): outcome-major, so each outcome is one contiguous (R, sprints) block. Runs are independent, so threads run disjoint ranges at once
    (:func:`pe_sim.core.engine.simulate`); this compiles in seconds less than a ``prange`` loop."""
    for r in range(lo, hi):
        ev = events[r] if events.shape[0] > 1 else events[0]
        run_team(params[r], ev, seed, run_ids[r], n_sprints, n_slots, out[:, r, :])
