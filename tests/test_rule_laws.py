"""Laws and hand-computed values of every rule in ``pe_sim/core/rules.py``.

Two kinds of test, for each rule:

- *values*: the rule at one or two points with literal inputs and literal parameters (every
  parameter the rule reads is set in the test, so a default can change without breaking it). The
  expected number is written out from the equation in docs/ODD.md section 7 with the same literals,
  so a changed operator, constant or swapped argument fails. The points avoid 0, 1/2, 1 and 2
  where a mutant could agree by coincidence (``x * 1 == x ** 1``), except where a branch needs them.
- *laws*: what a rule means, checked for all inputs with hypothesis (bounds, monotone directions,
  limits, symmetric roles). Derandomized and small, so the file runs in well under a second.

The mutation run (benchmarks/mutation.py) runs this file with numba's JIT off.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pe_sim.core import rules as R
from pe_sim.core.record import record
from pe_sim.params import encode

law = settings(max_examples=30, deadline=None, derandomize=True, database=None)
unit = st.floats(0.0, 1.0)


def rec(**kw):
    return record(kw)


def near(got, want):
    assert got == pytest.approx(want, rel=1e-9, abs=1e-12)


# Expectation over z ~ N(0, 1) by Gauss-Hermite quadrature (exact for the smooth factors below).
_Z, _W = np.polynomial.hermite_e.hermegauss(40)
_W = _W / _W.sum()


def normal_mean(f):
    return float(sum(w * f(z) for z, w in zip(_Z, _W)))


# --- constants: the codes the rules compare with are the parameter table's encoding ---------------

def test_choice_codes_match_the_parameter_encoding():
    assert R.ONE_ROADMAP == encode("roadmap_mode", "one_roadmap")
    assert R.SPLIT_BACKLOGS == encode("roadmap_mode", "split_backlogs")
    assert R.FIGHT == encode("conflict_style", "fight")
    assert R.AVOID == encode("conflict_style", "avoid")
    assert R.PRODUCTIVE == encode("conflict_style", "productive")
    assert R.SBI == encode("feedback", "sbi")
    assert 0.0 < R.EPS <= 1e-9


# --- shared helpers -------------------------------------------------------------------------------

def test_helper_values():
    assert R.clip01(-0.3) == 0.0 and R.clip01(1.7) == 1.0 and R.clip01(0.42) == 0.42
    near(R.saturating(1.5, 3.0), 1.0 - math.exp(-0.5))
    assert R.saturating(0.0, 3.0) == 0.0
    near(R.learn(0.4, 0.6, 0.3, 0.1), 0.4 + 0.3 * 0.6 * 0.6 - 0.1 * 0.4)  # 0.468
    near(R.individual_weight(0.6, 0.25, -0.8), 0.4)
    assert R.individual_weight(0.9, 0.5, 0.6) == 1.0 and R.individual_weight(0.1, 0.3, -1.0) == 0.0
    assert R.sprint_hours(rec(sprint_days=9, hours_per_day=7.5)) == 67.5
    near(R.effort_share(6.0, 16.0), 0.375)
    assert R.effort_share(20.0, 16.0) == 1.0


def test_trust_next_values():
    p = rec(trust_gain_rate=0.2, trust_loss_factor=2.5)
    near(R.trust_next(p, 0.6, 0.5, 0.3), 0.6 + 0.2 * (0.5 * 0.4 - 2.5 * 0.3 * 0.6))  # 0.55
    near(R.trust_next(p, 0.3, 0.8, 0.0), 0.3 + 0.2 * 0.8 * 0.7)
    assert R.trust_next(rec(trust_gain_rate=0.5), 0.5, 5.0, 0.0) == 1.0  # clipped at full trust
    assert R.trust_next(rec(trust_gain_rate=0.5, trust_loss_factor=4.0), 0.5, 0.0, 3.0) == 0.0


# --- the sprint's length: rates per reference sprint, scaled to this sprint (ODD 2.3) ---------------

FIVE = dict(sprint_days=5)  # half a reference sprint
FIFTEEN = dict(sprint_days=15)  # one and a half


def test_sprint_scale_values():
    assert R.sprint_scale(rec()) == 1.0
    assert R.sprint_scale(rec(**FIVE)) == 0.5 and R.sprint_scale(rec(**FIFTEEN)) == 1.5
    assert R.sprint_scale(rec(sprint_days=12, reference_sprint_days=8)) == 1.5
    assert R.sprint_scale(rec(sprint_days=7, reference_sprint_days=7)) == 1.0  # rates stated for the run's own sprints


def test_per_sprint_values():
    near(R.per_sprint(rec(**FIVE), 12.0), 6.0)
    near(R.per_sprint(rec(**FIFTEEN), 0.3), 0.45)
    assert R.per_sprint(rec(), 0.3) == 0.3


def test_chance_per_sprint_values():
    near(R.chance_per_sprint(rec(**FIVE), 0.19), 0.1)  # 1 - 0.81 ** 0.5
    near(R.chance_per_sprint(rec(**FIFTEEN), 0.36), 0.488)  # 1 - 0.64 ** 1.5 = 1 - 0.512
    assert R.chance_per_sprint(rec(**FIVE), 0.0) == 0.0 and R.chance_per_sprint(rec(**FIVE), 1.0) == 1.0
    assert R.chance_per_sprint(rec(**FIVE), 1.3) == 1.0  # a share above 1 closes the whole gap, as at most once
    # Exactly q at the reference length: the survival form would not be (why the helper branches).
    assert R.chance_per_sprint(rec(), 0.004) == 0.004 and 1.0 - (1.0 - 0.004) != 0.004


def test_factor_per_sprint_values():
    near(R.factor_per_sprint(rec(**FIVE), 0.81), 0.9)
    near(R.factor_per_sprint(rec(**FIFTEEN), 1.21), 1.331)  # growth compounds: 1.1 ** 3
    assert R.factor_per_sprint(rec(), 0.7) == 0.7


def test_approach_factor_values():
    assert R.approach_factor(rec(), 0.25) == 1.0
    near(R.approach_factor(rec(**FIVE), 0.19), 0.1 / 0.19)
    near(R.approach_factor(rec(**FIFTEEN), 0.36), 0.488 / 0.36)
    assert R.approach_factor(rec(**FIVE), 0.0) == 0.5  # nothing moves: the linear limit, sprint_scale
    near(R.approach_factor(rec(**FIVE), 1.5), 1.0 / 1.5)  # a step past the balance lands on it


def test_in_sprints_values():
    assert R.in_sprints(rec(**FIVE), 6.0) == 12.0 and R.in_sprints(rec(**FIFTEEN), 6.0) == 4.0
    assert R.in_sprints(rec(), 6.3) == 6.3


def test_learn_sprint_values():
    p = rec(**FIVE)
    balance = 0.18 / 0.28  # rate 0.3 x effort 0.6 up, decay 0.1 down
    near(R.learn_sprint(p, 0.4, 0.6, 0.3, 0.1), balance + (0.4 - balance) * 0.72 ** 0.5)
    near(R.learn_sprint(p, 0.4, 0.0, 0.3, 0.0), 0.4)  # no effort, no decay: nothing moves
    assert R.learn_sprint(rec(), 0.4, 0.6, 0.3, 0.1) == R.learn(0.4, 0.6, 0.3, 0.1)
    near(R.learn_sprint(p, 0.2, 1.0, 0.9, 0.3), 0.75)  # 0.9 + 0.3 >= 1: at the balance 0.9 / 1.2 after any sprint


def test_trust_scales_as_a_step_toward_its_balance():
    p = rec(trust_gain_rate=0.2, trust_loss_factor=2.5, **FIVE)
    balance = 0.1 / 0.25  # up 0.2 x 0.5, down 0.2 x 2.5 x 0.3
    near(R.trust_next(p, 0.6, 0.5, 0.3), balance + (0.6 - balance) * 0.75 ** 0.5)
    k = (1.0 - 0.75 ** 0.5) / 0.25
    near(R.trust_with_conflict(p, 0.6, 0.5, 0.3, 0.35, 0.9),  # the conflict's signals count in full
         0.6 + 0.2 * (k * (0.5 * 0.4 - 2.5 * 0.3 * 0.6) + 0.35 * 0.4 - 2.5 * 0.9 * 0.6))
    ref = rec(trust_gain_rate=0.2, trust_loss_factor=2.5)
    assert R.trust_with_conflict(ref, 0.6, 0.5, 0.3, 0.35, 0.9) == R.trust_next(ref, 0.6, 0.5 + 0.35, 0.3 + 0.9)
    near(R.trust_with_conflict(rec(trust_gain_rate=0.2, trust_loss_factor=2.5, **FIFTEEN), 0.6, 0.5, 0.0, 0.0, 0.0),
         1.0 + (0.6 - 1.0) * 0.9 ** 1.5)


def test_hiring_delay_values():
    assert R.hiring_delay(rec(hiring_delay_sprints=6)) == 6
    assert R.hiring_delay(rec(hiring_delay_sprints=6, **FIVE)) == 12
    assert R.hiring_delay(rec(hiring_delay_sprints=6, **FIFTEEN)) == 4
    assert R.hiring_delay(rec(hiring_delay_sprints=5.2, sprint_days=20)) == 3  # 2.6 rounded
    assert R.hiring_delay(rec(hiring_delay_sprints=1, sprint_days=20)) == 1  # at least the next sprint


def test_efforts_and_time_together_saturate_per_reference_sprint():
    p = rec(learn_hours_full=16.0, customer_hours_full=24.0, relationship_hours=2.0, **FIVE)
    near(R.learning_effort(p, 6.0), 0.75)  # full effort at 8 hours of a 5-day sprint
    assert R.learning_effort(p, 9.0) == 1.0
    near(R.customer_effort(rec(customer_hours_full=24.0, **FIFTEEN), 12.0), 1.0 / 3.0)
    near(R.time_together(p, 1.5), 1.0 - math.exp(-1.5))
    ref = rec(learn_hours_full=16.0, customer_hours_full=24.0, relationship_hours=2.0)
    near(R.learning_effort(ref, 6.0), 0.375)
    near(R.customer_effort(ref, 6.0), 0.25)
    near(R.time_together(ref, 1.5), 1.0 - math.exp(-0.75))


def test_escalation_pressure_next_values():
    p = rec(escalation_pressure_decay=0.64, escalation_pressure=0.5, own_escalation_severity=0.6)
    near(R.escalation_pressure_next(p, 0.5, 1.0), 0.5 * 0.36 + 0.3)
    near(R.escalation_pressure_next(p, 0.5, 0.0), 0.18)
    near(R.escalation_pressure_next(rec(escalation_pressure_decay=0.64, **FIVE), 0.5, 0.0), 0.3)  # 0.36 ** 0.5 kept


def test_rules_scale_with_the_sprint():
    """Each rule's per-sprint rate at half a reference sprint, written out from ODD 2.3 and 7."""
    p = rec(base_attrition=0.01, burnout_attrition=0.08, dissatisfied_attrition=0.15, outside_option=0.6, loyalty=0.4,
            voice_rate=0.35, raise_rate=2.5, voice_floor=0.3, em_raise_rate=2.5, em_w_tech_debt=0.7, **FIVE)
    q = 0.01 + (0.08 * 0.25 + 0.15 * 0.09) * (1.0 - 0.4 * 0.6)
    near(R.leave_probability(p, 0.5, 0.3, 0.6), 1.0 - (1.0 - q) ** 0.5)
    near(R.voice_chance(p, 0.3, 0.6), 1.0 - (1.0 - 0.35 * 0.3 * 0.6) ** 0.5)
    near(R.raise_chance(p, 0.6, 0.5, 0.4, 0.7), 0.5 * 2.5 * 0.4 * 1.1 * (0.3 + 0.7 * 0.7))
    near(R.em_raises(p, 0.3), 0.5 * 2.5 * 0.3 * 0.7)
    inc = dict(base_incident_rate=0.3, incident_debt_rate=1.2, debt_half_saturation=40.0, debt_drag_shape=2.0,
               defect_factor=1.5, defect_w_burnout=0.4, knowledge_incident_factor=0.8)
    near(R.incident_rate(rec(**inc, **FIVE), 30.0, 0.3, 0.2, 0.6), 0.5 * R.incident_rate(rec(**inc), 30.0, 0.3, 0.2, 0.6))
    near(R.engagement_next(rec(engagement_w_energy=0.8, engagement_rate=0.36, **FIVE), 0.6, 0.7, 0.5, 0.4, 0.6, 0.3),
         0.5 + 0.2 * ((0.6 * 0.4 + 0.7 * 0.6 + 0.8 * 0.7) / 2.1 - 0.5))  # 1 - 0.64 ** 0.5 = 0.2 of the gap
    est = dict(estimation_base=0.2, estimation_w_alignment=0.3, estimation_w_ownership=0.15, max_debt_drag=0.4,
               estimation_rate=0.36)
    near(R.estimation_next(rec(**est, **FIVE), 0.5, 0.6, 0.4, 0.1), 0.5 + 0.2 * (0.7025 - 0.5))
    business = rec(value_memory=0.36, expectation_decay=0.19, **FIVE)
    near(R.value_memory_next(business, 10.0, 20.0), 12.0)
    near(R.expectation_next(business, 20.0, 15.0), 18.0)  # 20 x 0.81 ** 0.5
    debt = rec(debt_interest=0.21, debt_per_feature_day=0.12, corner_cut_debt=0.8, slack_repay=0.5, repay_efficiency=1.0,
               **FIVE)
    near(R.debt_next(debt, 100.0, 10.0, 5.0, 4.0, 0.25), 110.0 + 10.0 * 0.32 - 5.0 - 2.0)  # 1.21 ** 0.5 = 1.1
    tension = rec(feedback="none", tension_memory=0.64, avoid_tension=0.45, **FIVE)
    near(R.tension_next(tension, 0.5, 1.0, 1.0, 0.6), 0.5 * 0.8 + 0.45 * 0.6)  # an avoided conflict adds in full
    burn = rec(burnout_rise_rate=0.2, burnout_recovery_ratio=0.4, slack_recovery=1.5, **FIVE)
    up, down = 0.2 * 0.6, 0.2 * 0.4 * 1.3 * 0.4
    near(R.burnout_next(burn, 0.3, 0.6, 0.2), up / (up + down) + (0.3 - up / (up + down)) * (1.0 - up - down) ** 0.5)
    align = rec(alignment_gain=0.2, alignment_decay=0.05, comm_saturation_hours=6.0, **FIVE)
    up, down = 0.2 * (1.0 - math.exp(-1.0)), 0.05 * 1.2  # 3 context hours saturate at 3 in a 5-day sprint
    near(R.alignment_next(align, 0.5, 3.0, 0.2), up / (up + down) + (0.5 - up / (up + down)) * (1.0 - up - down) ** 0.5)
    cust = rec(incident_trust_loss=0.05, customer_trust_gain=0.1, escalation_trust_loss=0.3, **FIVE)
    k = (1.0 - 0.92 ** 0.5) / 0.08  # the gain 0.1 x done 0.8 is a step toward 1; incidents are events
    near(R.customer_trust_next(cust, 0.6, 0.8, 2.0, 0.5), 0.6 + k * 0.08 * 0.4 - 0.6 * (1.0 - 0.95 ** 2) - 0.3 * 0.5 * 0.6)
    disc = dict(discovery_rate=0.5, discovery_w_pm=0.5, discovery_w_engineers=0.3, discovery_w_em=0.2)
    raw = 0.5 * (0.5 * 0.6 * 0.8 + 0.3 * 0.4 * 0.25 + 0.2 * 0.3)
    near(R.discovery_power(rec(**disc, **FIVE), 0.6, 0.8, 0.4, 0.25, 0.3), 1.0 - (1.0 - raw) ** 0.5)


def test_durations_and_hours_scale_with_the_sprint():
    p = rec(initial_tenure_sprints=26.0, ramp_start=0.15, knowledge_rate=0.2, expertise_rate=0.03, expertise_decay=0.005,
            **FIVE)
    near(R.starting_tenure(p, 0.5), 52.0)  # a year of 5-day sprints
    near(R.knowledge_from_tenure(p, 6.0), 1.0 - 0.85 * 0.512)  # 6 sprints of 5 days = 3 reference sprints
    level = 0.03 / 0.035
    near(R.expertise_from_tenure(p, 6.0), level - level * 0.965 ** 3)
    m = dict(MANAGERS, sprint_days=5)
    half = rec(**m)
    assert R.sync_hours(half, 1.0, 1.0) == 2.25  # 3 syncs a reference sprint of 1.5 h
    near(R.turf_hours(half), 2.5 * 0.7)
    em_flex = 0.45 * 40 + 0.5 * (6 * 3.0 * 0.7 + 6 * 1.5 + 2 * 8.0 + 3 * 4.0)  # H = 40 h
    near(R.em_demand(half, 1.5, 6.0, 0.3, 2.0, 3.0, 0.0, 1.0, 1.0)[1], em_flex)
    peers = rec(comm_hours_per_peer=0.75, coordination_hours=3.0, **FIVE)
    near(R.peer_hours(peers, 5.0), 0.375 * 4.0)
    near(R.own_pm_hours(peers, 0.4), 1.5 * 0.4)


def test_tech_items_are_valued_over_the_same_weeks_whatever_the_sprint():
    """Half the capacity a sprint over twice the sprints: the same savings (payback_sprints in reference sprints)."""
    kw = dict(max_debt_drag=0.3, debt_half_saturation=45.0, debt_drag_shape=2.0, incident_debt_rate=1.0,
              knowledge_incident_factor=1.0, incident_cost_days=3.0, payback_sprints=13.0, feature_value=1.0)
    ref, half = rec(**kw), rec(**kw, **FIVE)
    burden = R.debt_burden(ref, 60.0)
    a, b = R.tech_item_value(ref, 10.0, 60.0, burden, 40.0, 0.7), R.tech_item_value(half, 10.0, 60.0, burden, 20.0, 0.7)
    near(a[0], b[0])
    near(a[1], b[1])


@law
@given(q=st.floats(0.0, 1.0), x=st.floats(0.0, 50.0))
def test_two_half_sprints_are_one_reference_sprint(q, x):
    """Survival, compounding and linear scaling compose: two 5-day sprints do what one 10-day sprint does."""
    half, ref = rec(**FIVE), rec()
    assert 1.0 - (1.0 - R.chance_per_sprint(half, q)) ** 2 == pytest.approx(R.chance_per_sprint(ref, q), abs=1e-12)
    assert R.factor_per_sprint(half, q) ** 2 == pytest.approx(q, abs=1e-12)
    assert 2.0 * R.per_sprint(half, x) == pytest.approx(x, rel=1e-12)
    assert R.in_sprints(half, x) == pytest.approx(2.0 * x, rel=1e-12)


@law
@given(level=st.floats(0.0, 1.0), effort=st.floats(0.0, 1.0), rate=st.floats(0.0, 0.5), decay=st.floats(0.0, 0.4),
       t=st.floats(0.0, 1.0), pos=st.floats(0.0, 1.0), neg=st.floats(0.0, 0.5))
def test_two_half_steps_toward_a_balance_are_one_reference_step(level, effort, rate, decay, t, pos, neg):
    """learn_sprint() and trust_next() at half a sprint, twice, land where one reference sprint lands (the
    rates below 1, so the reference step does not overshoot and clip)."""
    half, ref = rec(trust_gain_rate=0.3, trust_loss_factor=1.5, **FIVE), rec(trust_gain_rate=0.3, trust_loss_factor=1.5)
    twice = R.learn_sprint(half, R.learn_sprint(half, level, effort, rate, decay), effort, rate, decay)
    assert twice == pytest.approx(R.learn_sprint(ref, level, effort, rate, decay), abs=1e-12)
    twice = R.trust_next(half, R.trust_next(half, t, pos, neg), pos, neg)
    assert twice == pytest.approx(R.trust_next(ref, t, pos, neg), abs=1e-12)


@law
@given(x=st.floats(0.0, 1.0), days=st.sampled_from([5.0, 7.5, 12.0, 20.0]))
def test_every_helper_is_exact_at_the_reference_length(x, days):
    """sprint_days equal to reference_sprint_days leaves every quantity as stated, bit for bit (so the default
    model computes what it did before the rates scaled)."""
    p = rec(sprint_days=days, reference_sprint_days=days)
    assert R.per_sprint(p, x) == x and R.chance_per_sprint(p, x) == x and R.factor_per_sprint(p, x) == x
    assert R.in_sprints(p, x) == x and R.approach_factor(p, x) == 1.0
    assert R.learn_sprint(p, x, 0.6, 0.3, 0.1) == R.learn(x, 0.6, 0.3, 0.1)


# --- 1. communicate ---------------------------------------------------------------------------

MANAGERS = dict(sprint_days=10, hours_per_day=8, escalation_hours=6.0, turf_hours=5.0, blurry_line=0.3, cover_share=0.25,
                pm_customer_share=0.3, pm_learns_tech=0.05, pm_admin_share=0.4, pm_discovery_host=0.25,
                em_meets_customers=0.05, em_admin_share=0.4, coordination_hours=3.0, one_on_one_hours=1.5,
                interview_hours=8.0, onboarding_hours=4.0, syncs_per_sprint=3, sync_hours=1.5)


def test_manager_hours_values():
    p = rec(**MANAGERS)
    assert R.sync_hours(p, 1.0, 1.0) == 4.5 and R.sync_hours(p, 0.0, 1.0) == 0.0 and R.sync_hours(p, 1.0, 0.0) == 0.0
    near(R.turf_hours(p), 5.0 * 0.7)
    # H = 80 h; fixed = sync 1.5 + escalations 6 * 1.5 + turf 3.5 (+ cover 0.3 * 0.25 * 80 = 6 for an absent partner)
    near(R.pm_demand(p, 1.5, 12.0, 1.5, 1.0, 1.0), (14.0, 0.75 * 80 + 0.25 * 12.0))
    near(R.pm_demand(p, 1.5, 12.0, 1.5, 1.0, 0.0), (20.0, 63.0))
    assert R.pm_demand(p, 1.5, 12.0, 1.5, 0.0, 1.0) == (0.0, 0.0)
    em_flex = 0.45 * 80 + 6 * 3.0 * 0.7 + 6 * 1.5 + 2 * 8.0 + 3 * 4.0  # 85.6
    near(R.em_demand(p, 1.5, 6.0, 0.3, 2.0, 3.0, 1.5, 1.0, 1.0), (14.0, em_flex))
    near(R.em_demand(p, 1.5, 6.0, 0.3, 2.0, 3.0, 1.5, 0.0, 1.0), (20.0, em_flex))
    assert R.em_demand(p, 1.5, 6.0, 0.3, 2.0, 3.0, 1.5, 1.0, 0.0) == (0.0, 0.0)


def test_focus_and_workload_values():
    p = rec(sprint_days=10, hours_per_day=8)  # 80 h
    near(R.focus(p, 20.0, 90.0), 60.0 / 90.0)
    assert R.focus(p, 20.0, 30.0) == 1.0  # hours to spare
    assert R.focus(p, 90.0, 30.0) == 0.0  # fixed work alone overruns the sprint
    assert R.focus(p, 90.0, 0.5) == 0.0
    assert R.focus(p, 90.0, 0.0) == 1.0 and R.focus(p, 20.0, 0.0) == 1.0  # nothing discretionary to cut
    near(R.workload(p, 20.0, 70.0), 90.0 / 80.0)


def test_engineer_communication_values():
    p = rec(sprint_days=10, hours_per_day=8, discovery_involvement=0.05, blurry_line=0.3, comm_hours_per_peer=0.75,
            engineer_ownership=0.4, delegation_trust_effect=1.5, coordination_hours=3.0)
    near(R.discovery_hours(p, 1.0, 0.8), 0.05 * 80 * 0.8)
    near(R.discovery_hours(p, 0.0, 0.8), 0.05 * 80 * 0.3 * 0.8)  # the EM hosts across the blurry line
    near(R.peer_hours(p, 6.0), 3.75)
    assert R.peer_hours(p, 1.0) == 0.0 and R.peer_hours(p, 0.0) == 0.0  # no peers, no peer hours
    near(R.delegation(p, 0.8), 0.4 * (1.0 + 1.5 * 0.3))
    near(R.delegation(p, 0.1), 0.4 * (1.0 - 1.5 * 0.4))
    assert R.delegation(p, 0.5) == 0.4  # neutral trust: the practice as set
    assert R.delegation(rec(engineer_ownership=0.9, delegation_trust_effect=1.5), 1.0) == 1.0
    near(R.own_pm_hours(p, 0.3), 0.9)


def test_coordination_values():
    p = rec(blurry_line=0.3, uncoordinated_output=0.6)
    near(R.coordination_flow(p, 0.8, 1.0, 1.0, 0.3), 0.3 + 0.7 * 0.8)
    near(R.coordination_flow(p, 0.8, 0.0, 1.0, 0.3), 0.3 + 0.7 * 0.3)  # the PM covers across the blurry line
    near(R.coordination_flow(p, 0.8, 0.0, 0.0, 0.3), 0.3)  # both away: only what engineers own
    near(R.flow_factor(p, 0.7), 0.6 + 0.4 * 0.7)
    assert R.flow_factor(p, 1.0) == 1.0 and R.flow_factor(p, 0.0) == 0.6


def test_alignment_and_learning_values():
    p = rec(context_discovery=0.4, context_cross_learning=0.25, alignment_gain=0.2, comm_saturation_hours=6.0,
            alignment_decay=0.05, customer_hours_full=24.0, insight_rate=0.2, insight_decay=0.05, competitor_churn=1.5,
            learn_hours_full=16.0, learn_rate=0.1, learn_decay=0.02)
    near(R.context_hours(p, 1.5, 3.2, 4.0, 2.5), 1.5 + 0.4 * 3.2 + 0.25 * 6.5)
    near(R.alignment_next(p, 0.6, 3.0, 0.4), 0.6 + 0.2 * (1.0 - math.exp(-0.5)) * 0.4 - 0.05 * 0.6 * 1.4)
    near(R.pm_insight_next(p, 0.6, 12.0, 1.0), 0.6 + 0.2 * 0.5 * 0.4 - 0.05 * 2.5 * 0.6)  # 0.565
    near(R.pm_insight_next(p, 0.6, 12.0, 0.0), 0.61)
    near(R.understanding_next(p, 0.3, 8.0), 0.3 + 0.1 * 0.5 * 0.7 - 0.02 * 0.3)
    near(R.understanding_next(p, 0.3, 40.0), 0.3 + 0.1 * 0.7 - 0.02 * 0.3)  # effort saturates at full hours


def test_discovery_values():
    p = rec(discovery_rate=0.6, discovery_w_pm=0.5, discovery_w_engineers=0.3, discovery_w_em=0.2,
            kill_threshold=0.3, feature_value=1.5)
    near(R.discovery_power(p, 0.7, 0.4, 0.6, 0.3, 0.8), 0.6 * (0.5 * 0.7 * 0.4 + 0.3 * 0.6 * 0.3 + 0.2 * 0.8))
    near(R.estimated_value(5.0, 0.3), 5.0 * math.exp(0.3))
    assert R.estimated_value(5.0, 0.0) == 5.0
    near(R.error_after_discovery(0.8, 0.25), 0.6)
    near(R.error_after_discovery(-0.8, 0.25), -0.6)
    assert R.error_after_discovery(0.8, 1.7) == 0.0  # power beyond 1 removes the error, not reverses it
    assert R.worth_keeping(p, 2.0, 4.0)  # 0.5 a day >= 0.45
    assert not R.worth_keeping(p, 1.6, 4.0)  # 0.4 a day
    # exactly at the bar (0.25 * 2.0 = 0.5 a day) an idea is kept: only those below it are dropped
    at_bar = rec(kill_threshold=0.25, feature_value=2.0)
    assert R.worth_keeping(at_bar, 2.0, 4.0)


# --- backlog items ------------------------------------------------------------------------------

def test_item_draw_values():
    p = rec(feature_value=1.5, idea_value_sd=0.8, work_uncertainty=0.3, repay_efficiency=1.2, tech_value_sd=0.7)
    near(R.idea_value(p, 4.0, 0.5), 4.0 * 1.5 * math.exp(0.8 * 0.5 - 0.5 * 0.64))
    near(R.item_size(8.0, 0.6, -0.5), 8.0 * math.exp(-0.3 - 0.18))
    near(R.true_effort(p, 5.0, 1.2), 5.0 * math.exp(0.36 - 0.045))
    near(R.tech_payoff(p, 3.0, 0.4), 3.0 * 1.2 * math.exp(0.28 - 0.245))
    near(R.luck(rec(delivery_noise=0.2), 1.5), math.exp(0.3 - 0.02))


def test_debt_burden_values():
    p = rec(debt_half_saturation=40.0, max_debt_drag=0.4)
    near(R.debt_burden(p, 30.0), 0.5625 / 1.5625)  # r = 0.75, r^2 / (1 + r^2) = 0.36
    near(R.debt_burden(p, 40.0), 0.5)
    assert R.debt_burden(p, 0.0) == 0.0
    near(R.debt_drag(p, 30.0), 0.4 * 0.36)
    near(R.debt_burden(rec(debt_half_saturation=40.0, debt_drag_shape=3.0), 30.0), 0.421875 / 1.421875)
    near(R.debt_burden(rec(debt_half_saturation=40.0, debt_drag_shape=1.5), 30.0), 0.75 ** 1.5 / (1.0 + 0.75 ** 1.5))
    near(R.debt_burden(rec(debt_half_saturation=40.0, debt_drag_shape=1.0), 30.0), 0.75 / 1.75)
    for shape in (2.0, 4.0):  # debt so deep that r^shape overflows: saturated, not NaN (it was inf / inf)
        q = rec(debt_half_saturation=40.0, debt_drag_shape=shape, max_debt_drag=0.4)
        assert R.debt_burden(q, 1e300) == 1.0 and R.debt_drag(q, 1e300) == 0.4


INCIDENTS = dict(base_incident_rate=0.3, incident_debt_rate=1.2, defect_factor=1.5, defect_w_burnout=0.4,
                 knowledge_incident_factor=0.8, debt_half_saturation=40.0, debt_drag_shape=2.0)


def test_incident_rate_values():
    p = rec(**INCIDENTS)
    near(R.incident_rate(p, 30.0, 0.5, 0.2, 0.7), (0.3 + 1.2 * 0.36) * (1.0 + 1.5 * (0.4 * 0.5 + 0.6 * 0.2)) * (1.0 + 0.8 * 0.3))
    near(R.incident_rate(p, 0.0, 0.0, 0.0, 1.0), 0.3)  # clean code, rested team, full knowledge: the base rate


def test_tech_item_value_values():
    p = rec(max_debt_drag=0.4, incident_debt_rate=1.2, knowledge_incident_factor=0.8, incident_cost_days=3.0,
            payback_sprints=13, feature_value=1.5, debt_half_saturation=40.0, debt_drag_shape=2.0)
    # debt 40 -> 30: burden 0.5 -> 0.36, relief 0.14; priced over 13 sprints at 1.5 a day (x 19.5)
    drag_v, inc_v = R.tech_item_value(p, 10.0, 40.0, 0.5, 50.0, 0.7)
    near(drag_v, 0.4 * 0.14 * 50.0 * 19.5)
    near(inc_v, 1.2 * 0.14 * 1.24 * 3.0 * 19.5)
    drag_v, inc_v = R.tech_item_value(p, 50.0, 40.0, 0.5, 50.0, 1.0)  # repays more than there is: all of it
    near(drag_v, 0.4 * 0.5 * 50.0 * 19.5)
    near(inc_v, 1.2 * 0.5 * 3.0 * 19.5)
    assert R.tech_item_value(p, 0.0, 40.0, 0.5, 50.0, 0.7) == (0.0, 0.0)


def test_scores_values():
    p = rec(tech_value_framing=0.3, competitor_value_loss=0.4, pm_w_ship_fast=0.8, ship_credit=0.3, feature_value=1.5,
            feature_size=8.0, pm_w_money=0.6, em_w_tech_debt=0.7, em_w_right_way=0.8, craft_premium=0.5)
    near(R.pm_visibility(p, 0.6), 0.3 + 0.7 * 0.6)
    near(R.pm_feature_score(p, 6.0, 4.0, 1.0), (6.0 * 0.6 + 0.8 * 0.3 * 1.5 * 8.0) / 4.0)  # 1.62
    near(R.pm_feature_score(p, 6.0, 4.0, 0.0), (6.0 + 2.88) / 4.0)
    near(R.pm_tech_score(p, 10.0, 4.0, 5.0, 0.7), 0.7 * (10.0 + 4.0 * 1.6) / 5.0)
    near(R.em_feature_score(p, 6.0, 4.0, 1.0), 6.0 * 0.6 / 4.0)
    near(R.em_feature_score(p, 6.0, 4.0, 0.0), 1.5)
    near(R.em_tech_score(p, 10.0, 4.0, 5.0), 14.0 * (1.0 + 0.7 + 0.8 * 0.5) / 5.0)
    near(R.joint_score(0.3, 2.0, 5.0), 0.3 * 2.0 + 0.7 * 5.0)


# --- 2. plan ----------------------------------------------------------------------------------

def test_starting_tenure_spreads_evenly_around_its_mean():
    p = rec(initial_tenure_sprints=26.0)
    near(R.starting_tenure(p, 0.5), 26.0)
    near(R.starting_tenure(p, 0.25), 13.0)
    near(R.starting_tenure(p, 0.9), 46.8)


def test_knowledge_values():
    p = rec(ramp_start=0.15, knowledge_rate=0.2, self_study=0.3, mentor_cost=0.3, sprint_days=10)
    assert R.knowledge_from_tenure(p, 0.0) == pytest.approx(0.15)
    near(R.knowledge_from_tenure(p, 3.0), 1.0 - 0.85 * 0.512)
    near(R.knowledge_next(p, 0.4, 0.8), 0.4 + 0.2 * (0.3 + 0.7 * 0.8) * 0.6)
    near(R.mentor_days(p, 0.15), 3.0)  # a new hire takes mentor_cost of every day
    near(R.mentor_days(p, 0.575), 1.5)  # half-way to full knowledge, half the mentoring
    assert R.mentor_days(p, 1.0) == 0.0
    assert R.mentor_days(p, 0.05) == pytest.approx(3.0)  # below the starting level: no more than a new hire


def test_expertise_values():
    p = rec(expertise_rate=0.03, expertise_decay=0.005, self_study=0.3, ramp_start=0.15, knowledge_rate=0.2)
    assert R.expertise_from_tenure(p, 0.0) == 0.0  # a new hire knows nothing of the system in depth
    level = 0.03 / 0.035  # where learning beside a full expert and going stale balance
    near(R.expertise_from_tenure(p, 3.0), level - level * 0.965 ** 3)
    near(R.expertise_next(p, 0.4, 0.8), 0.4 + 0.03 * (0.3 + 0.7 * 0.8) * 0.6 - 0.005 * 0.4)
    near(R.taught(p, 0.8), 0.3 + 0.7 * 0.8)
    near(R.learned(0.15, 0.2, 0.0, 3.0), 1.0 - 0.85 * 0.512)
    near(R.learned(0.25, 0.2, 0.05, 3.0), 0.8 + (0.25 - 0.8) * 0.75 ** 3)
    assert R.learned(0.37, 0.0, 0.0, 7.0) == 0.37  # no learning, no forgetting
    # Years, not months: after 10 sprints a hire is ramped up but far from expert.
    assert R.knowledge_from_tenure(p, 10.0) > 0.9 > 0.3 > R.expertise_from_tenure(p, 10.0)
    assert R.expertise_from_tenure(p, 1000.0) == pytest.approx(level)  # a veteran keeps only what stays current
    # Everyone learns from the best other engineer: the best from the runner-up.
    assert R.teacher_of(0.9, 0.9, 0.6) == 0.6 and R.teacher_of(0.4, 0.9, 0.6) == 0.9
    assert R.teacher_of(0.9, 0.9, 0.9) == 0.9  # two equal experts teach each other
    assert R.top_two(0.7, 0.4, 0.8) == (0.8, 0.7) and R.top_two(0.7, 0.4, 0.5) == (0.7, 0.5)
    assert R.top_two(0.7, 0.4, 0.3) == (0.7, 0.4) and R.top_two(0.7, 0.4, 0.7) == (0.7, 0.7)


def test_capacity_values():
    p = rec(burnout_output_loss=0.4, disengaged_output=0.75, sprint_days=10, hours_per_day=8, overload_estimate_loss=0.6,
            blurry_line=0.3, optimism_bias=0.25, pressure_cap=1.5, pm_w_competition=0.6)
    near(R.output_rate(p, 1.2, 0.8, 0.5, 0.6), 1.2 * 0.8 * (1.0 - 0.2) * (0.75 + 0.25 * 0.6))
    near(R.available_days(p, 4.0, 3.75, 0.9, 1.5), 10.0 - 8.65 / 8.0 - 1.5)
    assert R.available_days(p, 40.0, 30.0, 20.0, 1.0) == 0.0  # meetings fill the sprint: none left, not less
    near(R.estimation_accuracy(p, 0.8, 0.7, 0.4, 1.0), 0.8 * (1.0 - 0.6 * 0.3))
    near(R.estimation_accuracy(p, 0.8, 0.7, 0.4, 0.0), 0.3 * 0.4)  # the PM estimates across the blurry line
    near(R.estimate(p, 40.0, 0.6), 40.0 * (1.0 + 0.25 * 0.4))
    near(R.pressure_now(p, 0.4, 0.2, 1.0), 1.2)
    assert R.pressure_now(p, 1.0, 0.5, 1.0) == 1.5  # capped


def test_option_values():
    assert R.option_level(0.8, 1.4, 2.0, 5.0) == pytest.approx(1.1)
    assert R.option_level(0.8, 1.4, 0.0, 2.0) == 0.8 and R.option_level(0.8, 1.4, 1.0, 2.0) == 1.4
    assert R.option_level(0.8, 1.4, 0.0, 1.0) == 1.4  # a single option: the top one


def test_belief_and_utility_values():
    p = rec(distrust_premium=0.3, pm_w_customer_value=0.9, pm_w_ship_fast=0.8, pm_w_competition=0.6, market_pace=0.3,
            pm_w_look_good=0.5, miss_cost=2.5, pm_w_money=0.6, churn_risk=1.2, em_w_ship_fast=0.6, em_w_look_good=0.5,
            em_w_right_way=0.8, rush_cost=1.2, em_w_engineers=0.7, load_concern=1.5, challenge_target=1.2,
            burnout_buffer=0.5)
    assert R.pm_belief(p, 0.5) == 1.0  # neutral trust: the estimate
    near(R.pm_belief(p, 0.2), 1.18)  # a distrustful PM thinks the team sandbags
    near(R.pm_belief(p, 0.9), 0.76)
    # miss = 0.2 beyond a belief of 1.1
    near(R.pm_utility(p, 1.3, 1.1, 0.4, 0.5, 0.7),
         0.9 * 1.1 + (0.8 * 0.4 + 0.6 * 0.8) * 1.3 - 0.5 * 2.5 * 0.04 - 0.6 * 1.2 * 0.2 * 0.3)
    near(R.pm_utility(p, 0.9, 1.1, 0.4, 0.5, 0.7), 0.9 * 0.9 + 0.8 * 0.9)
    near(R.em_utility(p, 1.3, 1.1, 0.4), 0.6 * 1.3 - 0.5 * 2.5 * 0.09 - 0.8 * 1.2 * 0.3 - 0.7 * 1.5 * 1.4 * 0.04)
    near(R.em_utility(p, 0.9, 1.1, 0.4), 0.6 * 0.9 - 0.7 * 1.5 * 1.4 * 0.04)
    near(R.em_target_load(p, 0.4), 1.0)


def test_negotiation_values():
    p = rec(power_base=0.4, deference=0.5, blurry_line=0.3, pm_w_customer_value=0.9, pm_w_competition=0.6,
            pm_w_money=0.5, pm_w_ship_fast=0.8, pm_w_look_good=0.4, em_w_right_way=0.8, em_w_engineers=0.7,
            em_w_tech_debt=0.6, voice_risk=1.2, pushback_effect=0.6, tech_share=0.2, tech_squeeze=0.8)
    pm, em = 0.7 * 0.8 * (1.0 - 0.3), 0.75 * 1.0  # pm_push 0.7 at pressure 0.4; em_push 0.75 at accuracy 0.6
    near(R.pm_power_share(p, 0.4, 0.6, 0.6, 1.0, 1.0, 0.7, 0.75), pm / (pm + em))
    near(R.pm_power_share(p, 0.4, 0.6, 0.6, 0.0, 1.0, 0.7, 0.75), 0.3 * pm / (0.3 * pm + em))
    near(R.pm_power_share(p, 0.4, 0.6, 0.6, 1.0, 0.0, 0.7, 0.75), pm / (pm + 0.3 * em))
    near(R.pm_power_share(p, 0.4, 0.6, 0.6, 0.0, 0.0, 0.7, 0.75), pm / (pm + em))
    assert R.pm_power_share(p, 0.4, 0.6, 0.6, 1.0, 1.0, 0.0, 0.0) == 0.0  # nobody pushes: no NaN
    near(R.pm_push(p), (0.9 + 0.6 + 0.5 + 0.8 + 0.4) / 5.0)
    near(R.pm_push(rec(pm_w_customer_value=0.7, pm_w_competition=0.2, pm_w_money=0.9, pm_w_ship_fast=0.4,
                       pm_w_look_good=0.3)), 2.5 / 5.0)
    near(R.em_push(p), (0.8 + 0.7 + 0.6) / 3.0)
    near(R.negotiate(30.0, 40.0, 0.3), 33.0)
    assert not R.pushes_back(p, 0.4, 0.3, 0.6, 1.3, 0.5)  # 0.7 * 0.3 = 0.21 < 0.6 * 1.2 * 0.5 = 0.36
    assert R.pushes_back(p, 0.4, 0.3, 0.6, 1.55, 0.5)  # 0.385 > 0.36
    assert not R.pushes_back(p, 0.4, 0.3, 0.6, 1.5, 0.5)  # 0.35 < 0.36
    assert not R.pushes_back(p, 0.4, 0.3, 0.6, 0.9, 1.0)  # no overload: nothing to push back on, however safe
    near(R.after_pushback(p, 40.0, 30.0, 0.5, 0.8, 1.0), 40.0 - 10.0 * 0.5 * 0.6 * 0.8)
    assert R.after_pushback(p, 40.0, 30.0, 0.5, 0.8, 0.0) == 40.0  # no EM to listen
    assert R.after_pushback(p, 25.0, 30.0, 0.5, 0.8, 1.0) == 25.0
    near(R.tech_reservation(p, 40.0, 0.5, 0.6), 40.0 * 0.2 * (1.0 - 0.8 * 0.5 * 0.6))
    near(R.tech_reservation(p, 40.0, 1.4, 0.6), 40.0 * 0.2 * (1.0 - 0.8 * 0.6))  # pressure counts up to 1
    near(R.feature_budget(p, 40.0, 8.0, 0.7), 40.0 - 0.7 * 8.0)  # opacity 1: the tech plan as far as alignment shows
    assert R.feature_budget(p, 5.0, 10.0, 0.9) == 0.0
    clear, half = rec(plan_opacity=0.0), rec(plan_opacity=0.25)
    near(R.feature_budget(clear, 40.0, 8.0, 0.7), 40.0 - 8.0)  # the whole tech plan, whatever the alignment
    near(R.feature_budget(half, 40.0, 8.0, 0.7), 40.0 - (0.7 + 0.75 * 0.3) * 8.0)
    near(R.feature_budget(half, 40.0, 8.0, 0.0), 40.0 - 0.75 * 8.0)


# --- 3. execute -------------------------------------------------------------------------------

def test_execution_values():
    p = rec(pressure_cap=1.5, pressure_to_team=0.3, shielding=0.3, em_w_engineers=0.8, overtime_cost=8.0, overtime_max=0.5,
            corner_cut_speedup=0.25, corner_cost=1.2, fatigue_corners=0.3, overtime_efficiency_loss=0.35, scope_creep=0.1)
    near(R.felt_pressure(p, 36.0, 30.0, 0.5, 0.4), (0.2 + 0.3 * 0.5) * 0.6)
    assert R.felt_pressure(p, 15.0, 30.0, 0.5, 0.4) == 0.0  # a light plan offsets business pressure
    assert R.felt_pressure(p, 90.0, 30.0, 1.0, 0.0) == 1.5  # capped
    assert R.felt_pressure(p, 10.0, 0.0, 0.5, 0.0) == 1.5  # no capacity at all: the cap, not a division error
    near(R.shielding(p, 0.7, 1.0, 0.1), 0.3 * 0.8 * 0.7 + 0.1)
    near(R.shielding(p, 0.7, 0.0, 0.1), 0.1)  # an absent EM shields only by the relief won
    assert R.shielding(p, 0.7, 1.0, 0.95) == 1.0
    near(R.overtime(p, 0.8, 0.6, 0.5, 0.6, 0.2), 0.5 * 1.4 / (8.0 * 0.8))
    assert R.overtime(p, 0.8, 0.0, 0.5, 0.6, 0.0) == 0.5  # pressed, and nothing holds them back: the cap
    assert R.overtime(p, 0.8, 0.6, 0.0, 0.6, 0.2) == 0.0
    near(R.corner_cutting(p, 0.8, 0.6, 0.7, 0.5, 0.3), 0.5 * 0.8 * 0.25 / (1.2 * 1.3) + 0.3 * 0.3)
    near(R.corner_cutting(p, 0.8, 0.6, 0.7, 0.0, 0.3), 0.09)  # fatigue cuts corners nobody chose
    assert R.corner_cutting(p, 0.8, 0.0, 0.0, 0.5, 0.0) == 1.0  # no craft and no quality bar under pressure
    near(R.engineer_output(p, 8.0, 0.9, 0.3, 0.2, 1.1), 8.0 * 0.9 * 1.3 * (1.0 - 0.35 * 0.3) * (1.0 + 0.25 * 0.2) * 1.1)
    near(R.engineer_output(p, 8.0, 0.9, 0.0, 0.0, 1.0), 7.2)
    near(R.scope_added(p, 40.0, 0.3), 0.1 * 2.0 * 0.3 * 40.0)
    near(R.scope_added(p, 40.0, 0.5), 0.1 * 40.0)  # the median draw adds the mean creep


def test_delivered_value_values():
    p = rec(fidelity_floor=0.4, adoption_floor=0.3, competitor_value_loss=0.4)
    near(R.delivered_value(p, 10.0, 0.7, 0.6, 0.2, 1.0), 10.0 * (0.4 + 0.6 * 0.7) * (0.3 + 0.7 * 0.6) * 0.6 * 1.2)
    near(R.delivered_value(p, 10.0, 1.0, 1.0, 0.0, 0.0), 10.0)  # built as meant, fully adopted
    near(R.delivered_value(p, 10.0, 0.0, 0.0, 0.0, 0.0), 10.0 * 0.4 * 0.3)


def test_debt_next_values():
    p = rec(debt_interest=0.02, debt_per_feature_day=0.12, corner_cut_debt=0.8, slack_repay=0.4, repay_efficiency=1.2)
    near(R.debt_next(p, 50.0, 20.0, 3.0, 4.0, 0.25), 50.0 * 1.02 + 20.0 * (0.12 + 0.8 * 0.25) - 3.0 - 4.0 * 0.4 * 1.2)
    assert R.debt_next(p, 2.0, 0.0, 10.0, 0.0, 0.0) == 0.0  # repaid beyond what there was: none, not negative


# --- 4. review --------------------------------------------------------------------------------

def test_surprise_values():
    near(R.surprise(0.8, 0.3), 0.2 * 0.7)  # a fifth undone, seven tenths of that unflagged
    assert R.surprise(1.0, 0.3) == 0.0  # all done: nothing to be surprised by
    assert R.surprise(0.0, 0.0) == 1.0 and R.surprise(0.3, 1.0) == 0.0


def test_review_values():
    p = rec(early_warning=0.6, warning_base=0.4, incident_trust_loss=0.05, customer_trust_gain=0.1,
            escalation_trust_loss=0.3, value_memory=0.3, expectation_decay=0.02, pressure_cap=1.5, pressure=0.4,
            pressure_value_response=0.5, pressure_trust_response=1.2, initial_customer_trust=0.95,
            expected_customer_trust=0.7, em_raise_rate=2.5,
            em_w_tech_debt=0.7, customer_escalation_rate=0.05)
    near(R.warning_effect(p, 0.7, 0.5), 0.6 * (0.4 + 0.6 * 0.6))
    near(R.customer_trust_next(p, 0.6, 0.8, 2.0, 0.5), 0.6 + 0.1 * 0.8 * 0.4 - 0.6 * (1.0 - 0.95 ** 2) - 0.3 * 0.5 * 0.6)
    near(R.value_memory_next(p, 10.0, 20.0), 13.0)
    near(R.expectation_next(p, 20.0, 15.0), 19.6)
    assert R.expectation_next(p, 20.0, 19.9) == 19.9
    near(R.business_pressure_next(p, 15.0, 20.0, 0.6), 0.4 + 0.5 * 0.25 + 1.2 * 0.1)
    near(R.business_pressure_next(p, 25.0, 20.0, 0.8), 0.4)  # beating expectations, trust above reference: baseline
    assert R.business_pressure_next(p, 0.0, 20.0, 0.0) == 1.5  # capped
    near(R.business_pressure_next(p, 0.0, 0.0, 0.7), 0.4)  # nothing shown yet: nothing to fall short of
    near(R.business_pressure_next(p, 0.0, 0.0, 0.6), 0.4 + 1.2 * 0.1)  # ... but the trust gap still counts
    near(R.em_raises(p, 0.3), 2.5 * 0.3 * 0.7)
    near(R.customer_escalation_chance(p, 0.6, 3.0), 0.05 * 3.0 * 0.4)
    assert R.customer_escalation_chance(p, 0.0, 40.0) == 1.0


# --- 5. disagree and resolve ------------------------------------------------------------------

def test_disagreement_values():
    p = rec(turf_tension=0.2, blurry_line=0.3, alignment_damping=0.6, third_path_base=0.3, third_path_trust=0.4,
            pm_w_customer_value=0.9, pm_w_competition=0.6, pm_w_money=0.5, pm_w_ship_fast=0.8, pm_w_look_good=0.4,
            em_w_right_way=0.8, em_w_engineers=0.7, em_w_tech_debt=0.6)
    gap = 8.0 / 40.0 + 0.1 + 0.15 + 0.2 * 0.7  # 0.59
    near(R.disagreement(p, 44.0, 36.0, 40.0, 0.1, 0.15, 0.5, 1.0), gap * (1.0 - 0.6 * 0.5))
    near(R.disagreement(p, 30.0, 36.0, 40.0, 0.1, 0.15, 0.5, 1.0), (gap - 0.2) * 0.7)  # asking less than offered
    assert R.disagreement(p, 44.0, 36.0, 40.0, 0.1, 0.15, 0.5, 0.0) == 0.0  # a manager away: no conflict
    assert R.disagreement(p, 80.0, 36.0, 40.0, 0.1, 0.15, 0.5, 1.0) == 1.0
    near(R.conflict_loser_stake(p, 1.0), 0.7)  # the PM won: the EM's stake
    near(R.conflict_loser_stake(p, 0.0), 0.64)
    near(R.third_path_chance(p, 0.6), 0.3 + 0.4 * 0.6)
    assert R.third_path_chance(rec(third_path_base=0.8, third_path_trust=0.6), 1.0) == 1.0


def test_feedback_and_tension_values():
    none = rec(feedback="none", feedback_effect=0.4, tension_memory=0.7, feedback_tension_relief=0.6, avoid_tension=0.45)
    sbi = rec(feedback="sbi", feedback_effect=0.4, tension_memory=0.7, feedback_tension_relief=0.6, avoid_tension=0.45)
    assert R.feedback_gain(none) == 1.0 and R.feedback_damping(none) == 1.0
    near(R.feedback_gain(sbi), 1.4)
    near(R.feedback_damping(sbi), 0.6)
    near(R.tension_next(none, 0.5, 1.0, 1.0, 0.6), 0.5 * 0.7 + 0.45 * 0.6)  # avoided: carried and added to
    near(R.tension_next(none, 0.5, 0.0, 0.0, 0.6), 0.35)  # no conflict: carried over
    assert R.tension_next(none, 0.5, 1.0, 0.0, 0.6) == 0.0  # had out: cleared
    near(R.tension_next(sbi, 0.5, 0.0, 0.0, 0.3), 0.5 * 0.7 * (1.0 - 0.6 * 0.4))  # SBI lets go of more
    near(R.tension_next(sbi, 0.5, 1.0, 1.0, 0.3), 0.5 * 0.532 + 0.45 * 0.3)
    assert R.tension_next(none, 0.9, 1.0, 1.0, 1.0) == 1.0  # capped


def test_resolve_trust_values():
    p = rec(feedback="none", fight_winner_loss=0.3, fight_loser_loss=0.9, escalation_trust_hit=0.45, productive_trust=0.35)
    near(R.resolve_trust(p, 1.0, 0.0, 0.0, 1.0, 1.0), (0.0, 0.3 + 0.45, 0.9 + 0.45))  # the PM won, escalated
    near(R.resolve_trust(p, 1.0, 0.0, 0.0, 0.0, 0.0), (0.0, 0.9, 0.3))  # the PM lost
    near(R.resolve_trust(p, 0.0, 1.0, 1.0, 0.0, 0.0), (0.7, 0.0, 0.0))  # productive, with a third path
    near(R.resolve_trust(p, 0.0, 1.0, 0.0, 0.0, 0.0), (0.35, 0.0, 0.0))
    sbi = rec(feedback="sbi", feedback_effect=0.4, fight_winner_loss=0.3, fight_loser_loss=0.9, escalation_trust_hit=0.45,
              productive_trust=0.35)
    near(R.resolve_trust(sbi, 1.0, 0.0, 0.0, 1.0, 0.0), (0.0, 0.6 * (0.9 + 0.45), 0.6 * (0.3 + 0.45)))
    near(R.resolve_trust(sbi, 0.0, 1.0, 0.0, 0.0, 0.0), (1.4 * 0.35, 0.0, 0.0))


# --- 6. update people -------------------------------------------------------------------------

def test_tech_want_and_respect_values():
    p = rec(tech_want_cap=0.8, tech_want_base=0.5, em_w_tech_debt=0.7, raise_rate=2.5, voice_floor=0.3)
    near(R.tech_disagreement(p, 0.4, 0.25), 0.4 * 0.75 * 0.7)
    near(R.em_tech_want(p, 0.3), 0.3 * 1.2)
    assert R.em_tech_want(p, 0.9) == 0.8  # capped
    near(R.engineer_tech_want(p, 0.6, 0.3), 0.3 * 1.1)
    assert R.engineer_tech_want(p, 0.6, 0.9) == 0.8
    near(R.respect(0.1, 0.4), 0.25)
    assert R.respect(0.5, 0.4) == 1.0 and R.respect(0.1, 0.0) == 1.0
    near(R.raise_chance(p, 0.6, 0.5, 0.4, 0.7), 2.5 * 0.4 * 1.1 * (0.3 + 0.7 * 0.7))
    near(R.raise_chance(p, 0.6, 0.5, 0.4, 0.0), 2.5 * 0.4 * 1.1 * 0.3)  # distrust mutes, but not to silence


def test_challenge_valued_growth_values():
    p = rec(challenge_target=1.2, challenge_tolerance=0.4, valued_w_respect=0.35, valued_w_involvement=0.2,
            valued_w_heard=0.15, growth_w_tech=0.3, growth_w_discovery=0.2, growth_w_ownership=0.25, growth_tech_share=0.4)
    near(R.challenge(p, 1.0), 0.5)
    near(R.challenge(p, 1.5), 0.25)
    assert R.challenge(p, 0.5) == 0.0 and R.challenge(p, 1.2) == 1.0
    near(R.feeling_valued(p, 0.6, 0.5, 0.8, 0.4), 0.35 * 0.6 + 0.2 * 0.5 + 0.15 * 0.8 + 0.3 * 0.6)
    near(R.feeling_valued(p, 0.6, 0.5, 0.8, 1.3), 0.35 * 0.6 + 0.2 * 0.5 + 0.15 * 0.8)  # pressure counts up to 1
    heavy = rec(valued_w_respect=0.6, valued_w_involvement=0.6, valued_w_heard=0.6)
    assert R.feeling_valued(heavy, 1.0, 1.0, 1.0, 1.0) == 1.0
    near(R.growth(p, 0.2, 0.5, 0.4, 0.6), 0.3 * 0.5 + 0.2 * 0.5 + 0.25 * 0.4 + 0.25 * 0.6)
    near(R.growth(p, 0.6, 0.5, 0.4, 0.6), 0.3 + 0.1 + 0.1 + 0.15)  # tech work counts up to growth_tech_share
    assert R.growth(rec(growth_w_tech=0.8, growth_w_discovery=0.8, growth_w_ownership=0.0), 1.0, 1.0, 0.0, 0.0) == 1.0


def test_stress_burnout_engagement_values():
    p = rec(overtime_reference=0.4, overtime_stress_base=0.3, stress_w_pressure=0.6, stress_w_toil=0.9, stress_norm=4.0,
            burnout_rise_rate=0.2, burnout_recovery_ratio=0.4, slack_recovery=1.5, engagement_w_energy=0.8,
            engagement_rate=0.25)
    tiring = 0.3 + 0.7 * 0.6  # overtime tires everyone (the base), more those who value their pace
    total = tiring * 0.3 / 0.4 + 0.6 * 0.5 + 0.7 * 0.2 + 0.9 * 0.4 + 0.8 * 0.4  # 1.66
    near(R.stress(p, 0.6, 0.7, 0.8, 0.3, 0.5, 0.2, 0.4, 0.6), total / 4.0)
    near(R.stress(p, 0.0, 0.0, 0.0, 0.4, 0.0, 0.0, 0.0, 1.0), 0.3 * 0.4 / 0.4 / 4.0)  # no pace weight: the base alone
    near(R.stress(p, 0.6, 0.7, 0.8, 0.3, 1.3, 0.2, 0.4, 0.6), (total + 0.6 * 0.5) / 4.0)  # pressure counts up to 1
    assert R.stress(p, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0) == 1.0  # 6.6 / 4: capped
    near(R.burnout_next(p, 0.3, 0.6, 0.2), 0.3 + 0.2 * 0.6 * 0.7 - 0.2 * 0.4 * 1.3 * 0.4 * 0.3)
    target = (0.6 * 0.4 + 0.7 * 0.6 + 0.8 * 0.7) / (0.6 + 0.7 + 0.8)
    near(R.engagement_next(p, 0.6, 0.7, 0.5, 0.4, 0.6, 0.3), 0.5 + 0.25 * (target - 0.5))
    near(R.satisfaction(0.6, 0.7, 0.8, 0.3, 0.5, 0.4, 0.6, 0.9), (0.3 + 0.28 + 0.48 + 0.27) / 2.4)
    assert R.satisfaction(0.0, 0.0, 0.0, 0.0, 0.5, 0.4, 0.6, 0.9) == 1.0  # nothing matters to them: content


def test_exit_and_voice_values():
    p = rec(base_attrition=0.01, burnout_attrition=0.08, dissatisfied_attrition=0.15, outside_option=0.6, loyalty=0.4,
            voice_rate=0.35)
    near(R.leave_probability(p, 0.5, 0.3, 0.6), 0.01 + (0.08 * 0.25 + 0.15 * 0.09) * (1.0 - 0.4 * 0.6))
    near(R.leave_probability(p, 0.5, 0.8, 0.6), 0.01 + 0.08 * 0.25 * 0.76)  # content: only burnout pushes them out
    near(R.leave_probability(p, 0.7, 0.8, 0.6), 0.01 + 0.08 * 0.49 * 0.76)  # burnout counts squared
    assert R.leave_probability(rec(burnout_attrition=0.5, dissatisfied_attrition=1.0, base_attrition=0.1, loyalty=0.0,
                                   outside_option=0.9),
                               1.0, 0.0, 0.0) == 1.0
    near(R.voice_chance(p, 0.3, 0.6), 0.35 * 0.3 * 0.6)
    assert R.voice_chance(p, 0.8, 0.6) == 0.0  # staying beats the outside option: nothing to voice


def test_estimation_and_hiring_values():
    p = rec(estimation_base=0.2, estimation_w_alignment=0.3, estimation_w_ownership=0.15, max_debt_drag=0.4,
            estimation_rate=0.2, skill_min=0.3, skill_max=2.5, skill_mean=1.1, skill_sd=0.25)
    target = 0.2 + 0.3 * 0.6 + 0.15 * 0.4 + 0.35 * (1.0 - 0.1 / 0.4)  # 0.7025
    near(R.estimation_next(p, 0.5, 0.6, 0.4, 0.1), 0.5 + 0.2 * (target - 0.5))
    no_drag = rec(estimation_base=0.2, estimation_w_alignment=0.3, estimation_w_ownership=0.15, max_debt_drag=0.0,
                  estimation_rate=0.2)
    near(R.estimation_next(no_drag, 0.5, 0.6, 0.4, 0.0), 0.5 + 0.2 * (0.2 + 0.18 + 0.06 + 0.35 - 0.5))
    near(R.hire_skill(p, 0.8), 1.3)
    assert R.hire_skill(p, 10.0) == 2.5 and R.hire_skill(p, -10.0) == 0.3


# === laws: what each rule means, for all inputs (after the values, so a broken equation fails fast) ===

@law
@given(t=st.floats(0.05, 0.95), s=st.floats(0.0, 1.0), rate=st.floats(0.01, 0.2), loss=st.floats(1.0, 4.0))
def test_trust_falls_trust_loss_factor_times_faster_than_it_rises(t, s, rate, loss):
    """A bad signal at trust t costs ``trust_loss_factor`` times what the same good signal gains at
    trust 1 - t (the same distance to travel), and trust moves the right way in each signal."""
    p = rec(trust_gain_rate=rate, trust_loss_factor=loss)
    gain = R.trust_next(p, 1.0 - t, s, 0.0) - (1.0 - t)
    drop = t - R.trust_next(p, t, 0.0, s)
    assert drop == pytest.approx(loss * gain, rel=1e-9, abs=1e-12)
    assert R.trust_next(p, t, s, 0.0) >= t >= R.trust_next(p, t, 0.0, s)
    assert R.trust_next(p, t, 0.0, 0.0) == t


@law
@given(level=unit, effort=unit, rate=unit, decay=st.floats(0.0, 0.5))
def test_learning_needs_effort_and_fades_without_it(level, effort, rate, decay):
    assert 0.0 <= R.learn(level, effort, rate, decay) <= 1.0
    near(R.learn(level, 0.0, rate, decay), level * (1.0 - decay))  # no effort: only decay
    assert R.learn(level, 0.0, rate, 0.0) == level  # no effort, no forgetting: no change
    assert R.learn(level, min(1.0, effort + 0.1), rate, decay) >= R.learn(level, effort, rate, decay) - 1e-15
    assert R.learn(level, effort, rate, min(0.5, decay + 0.1)) <= R.learn(level, effort, rate, decay) + 1e-15


@law
@given(fixed=st.floats(0.0, 120.0), flexible=st.floats(0.0, 120.0), more=st.floats(1.0, 20.0))
def test_focus_falls_as_hours_are_asked_for(fixed, flexible, more):
    p = rec(sprint_days=10, hours_per_day=8)
    f = R.focus(p, fixed, flexible)
    assert 0.0 <= f <= 1.0
    assert R.focus(p, fixed + more, flexible) <= f
    if flexible > 0.0:
        assert R.focus(p, fixed, flexible + more) <= f
    assert R.workload(p, fixed + more, flexible) > R.workload(p, fixed, flexible)


@law
@given(trust=unit, effect=st.floats(0.0, 2.0), own=unit)
def test_delegation_widens_with_trust(trust, effect, own):
    p = rec(engineer_ownership=own, delegation_trust_effect=effect)
    d = R.delegation(p, trust)
    assert 0.0 <= d <= 1.0
    assert R.delegation(p, min(1.0, trust + 0.1)) >= d
    if trust >= 0.5:
        assert d >= own  # an EM who trusts the team widens the practice
    else:
        assert d <= own


@law
@given(a=unit, c=st.floats(0.0, 50.0), tension=unit)
def test_alignment_grows_with_context_and_decays_with_tension(a, c, tension):
    p = rec()
    nxt = R.alignment_next(p, a, c, tension)
    assert 0.0 <= nxt <= 1.0
    assert R.alignment_next(p, a, c + 1.0, tension) >= nxt
    assert R.alignment_next(p, a, c, min(1.0, tension + 0.1)) <= nxt


@law
@given(sd=st.floats(0.0, 1.2), size=st.floats(0.5, 20.0))
def test_lognormal_draws_have_the_documented_mean(sd, size):
    """Each uncertain factor is a lognormal of mean 1, so the mean is the documented one (ideas
    worth ``feature_value`` a day on average, efforts the estimate, luck neutral)."""
    p = rec(feature_value=1.5, idea_value_sd=sd, work_uncertainty=sd, repay_efficiency=1.2, tech_value_sd=sd,
            delivery_noise=sd)
    near(normal_mean(lambda z: R.idea_value(p, size, z)), size * 1.5)
    near(normal_mean(lambda z: R.item_size(size, sd, z)), size)
    near(normal_mean(lambda z: R.true_effort(p, size, z)), size)
    near(normal_mean(lambda z: R.tech_payoff(p, size, z)), size * 1.2)
    near(normal_mean(lambda z: R.luck(p, z)), 1.0)
    assert R.true_effort(p, size, 0.5) >= R.true_effort(p, size, 0.0)  # a higher draw, more work


@law
@given(debt=st.floats(0.0, 500.0), more=st.floats(0.5, 50.0), shape=st.sampled_from([1.0, 1.5, 2.0, 3.0, 4.0]),
       half=st.floats(5.0, 200.0))
def test_debt_burden_is_a_hill_curve(debt, more, shape, half):
    p = rec(debt_half_saturation=half, debt_drag_shape=shape)
    b = R.debt_burden(p, debt)
    assert 0.0 <= b < 1.0
    assert R.debt_burden(p, debt + more) > b
    near(R.debt_burden(p, half), 0.5)  # half-way at the half-saturation debt, whatever the shape
    assert R.debt_burden(rec(debt_half_saturation=half * 1.5, debt_drag_shape=shape), debt) <= b


@law
@given(debt=st.floats(0.0, 200.0), b=unit, c=unit, x=unit)
def test_incidents_rise_with_debt_fatigue_corners_and_missing_knowledge(debt, b, c, x):
    p = rec(**INCIDENTS)
    r = R.incident_rate(p, debt, b, c, x)
    assert r >= 0.3
    assert R.incident_rate(p, debt + 5.0, b, c, x) > r
    assert R.incident_rate(p, debt, min(1.0, b + 0.1), c, x) >= r
    assert R.incident_rate(p, debt, b, min(1.0, c + 0.1), x) >= r
    assert R.incident_rate(p, debt, b, c, min(1.0, x + 0.1)) <= r


@law
@given(v=st.floats(0.1, 50.0), s=st.floats(0.5, 20.0), share=unit, a=st.floats(-5.0, 5.0), b=st.floats(-5.0, 5.0))
def test_scores_favour_small_items_and_join_between_the_managers(v, s, share, a, b):
    p = rec()
    # the same value per day in a smaller item: the PM's ship credit prefers it, the EM is indifferent
    assert R.pm_feature_score(p, v, s, 0.0) > R.pm_feature_score(p, 2.0 * v, 2.0 * s, 0.0)
    near(R.em_feature_score(p, v, s, 0.0), R.em_feature_score(p, 2.0 * v, 2.0 * s, 0.0))
    assert R.em_feature_score(p, v, s, 1.0) < R.em_feature_score(p, v, s, 0.0)  # a competitor's launch takes value
    assert R.joint_score(1.0, a, b) == a and R.joint_score(0.0, a, b) == b
    assert min(a, b) - 1e-12 <= R.joint_score(share, a, b) <= max(a, b) + 1e-12
    assert R.pm_tech_score(p, v, v, s, 0.0) == 0.0  # a PM who sees nothing of it scores it nothing


@law
@given(tenure=st.integers(0, 12), rate=st.floats(0.01, 1.0), ramp=st.floats(0.0, 0.9))
def test_knowledge_from_tenure_is_knowledge_grown_with_full_mentoring(tenure, rate, ramp):
    p = rec(knowledge_rate=rate, ramp_start=ramp, self_study=0.3)
    k = ramp
    for _ in range(tenure):
        k = R.knowledge_next(p, k, 1.0)  # an expert teammate: full support
    near(R.knowledge_from_tenure(p, float(tenure)), k)
    assert R.knowledge_next(p, 0.4, 0.2) < R.knowledge_next(p, 0.4, 0.9)  # learning is faster from an expert


@law
@given(tenure=st.integers(0, 60), rate=st.floats(0.0, 0.8), decay=st.floats(0.0, 0.2))
def test_expertise_from_tenure_is_expertise_grown_beside_an_expert(tenure, rate, decay):
    p = rec(expertise_rate=rate, expertise_decay=decay, self_study=0.3)
    x = 0.0
    for _ in range(tenure):
        x = R.expertise_next(p, x, 1.0)
    near(R.expertise_from_tenure(p, float(tenure)), x)
    assert R.expertise_next(p, 0.4, 0.2) <= R.expertise_next(p, 0.4, 0.9)  # faster beside an expert
    assert R.expertise_next(rec(expertise_rate=rate, expertise_decay=0.1, self_study=0.3), 0.6, 0.9) \
        <= R.expertise_next(rec(expertise_rate=rate, expertise_decay=0.0, self_study=0.3), 0.6, 0.9)  # and goes stale


@law
@given(values=st.lists(unit, min_size=1, max_size=8))
def test_top_two_and_teacher_of_are_the_best_and_the_best_other(values):
    best = second = 0.0
    for v in values:
        best, second = R.top_two(best, second, v)
    ranked = sorted(values, reverse=True) + [0.0]
    assert (best, second) == (ranked[0], ranked[1])
    for i, v in enumerate(values):
        assert R.teacher_of(v, best, second) == max(values[:i] + values[i + 1:] + [0.0])


@law
@given(skill=st.floats(0.3, 2.5), k=unit, b=unit, e=unit)
def test_output_rate_rises_with_skill_knowledge_engagement_and_falls_with_burnout(skill, k, b, e):
    p = rec()
    r = R.output_rate(p, skill, k, b, e)
    assert 0.0 <= r <= skill * k
    assert R.output_rate(p, skill, k, min(1.0, b + 0.1), e) <= r
    assert R.output_rate(p, skill, k, b, min(1.0, e + 0.1)) >= r
    assert R.output_rate(p, skill, min(1.0, k + 0.1), b, e) >= r


@law
@given(cap=st.floats(0.0, 100.0), acc=unit, bias=unit)
def test_planners_overestimate_less_when_accurate(cap, acc, bias):
    p = rec(optimism_bias=bias)
    est = R.estimate(p, cap, acc)
    assert cap <= est <= cap * (1.0 + bias) + 1e-9
    assert R.estimate(p, cap, 1.0) == cap  # a perfect estimator is not optimistic
    assert R.estimate(p, cap, min(1.0, acc + 0.1)) <= est


@law
@given(x=st.floats(0.5, 2.0), target=st.floats(0.5, 1.5), b=unit, belief=st.floats(0.5, 1.5), t=unit)
def test_utilities_weigh_each_motivator_its_way(x, target, b, belief, t):
    """Each manager motivator pulls the commitment its documented way."""
    zero_pm = dict(pm_w_customer_value=0.0, pm_w_ship_fast=0.0, pm_w_competition=0.0, pm_w_look_good=0.0, pm_w_money=0.0)
    zero_em = dict(em_w_ship_fast=0.0, em_w_look_good=0.0, em_w_right_way=0.0, em_w_engineers=0.0)
    # the EM who only cares for the engineers likes a load at the target best
    care = rec(**{**zero_em, "em_w_engineers": 0.8})
    assert R.em_utility(care, x, target, b) <= R.em_utility(care, target, target, b) == 0.0
    assert R.em_utility(rec(**{**zero_em, "em_w_ship_fast": 0.6}), x, target, b) == pytest.approx(0.6 * x)
    look = rec(**{**zero_em, "em_w_look_good": 0.5})
    assert R.em_utility(look, min(x, 1.0), target, b) == 0.0 and R.em_utility(look, max(x, 1.0) + 0.1, target, b) < 0.0
    # the PM: customer value up to what the team can do, then a penalty for looking bad and for churn
    value = rec(**{**zero_pm, "pm_w_customer_value": 0.9})
    assert R.pm_utility(value, x, belief, 0.4, 0.0, t) == pytest.approx(0.9 * min(x, belief))
    money = rec(**{**zero_pm, "pm_w_money": 0.6})
    assert R.pm_utility(money, belief + 0.2, belief, 0.4, 0.0, min(1.0, t + 0.1)) >= R.pm_utility(money, belief + 0.2, belief, 0.4, 0.0, t)
    assert R.pm_utility(money, belief - 0.1, belief, 0.4, 0.0, t) == 0.0
    fast = rec(**{**zero_pm, "pm_w_ship_fast": 0.8, "pm_w_competition": 0.6, "market_pace": 0.3})
    assert R.pm_utility(fast, x + 0.1, belief, 0.4, 1.0, t) > R.pm_utility(fast, x, belief, 0.4, 1.0, t)
    assert R.pm_utility(fast, x, belief, 0.4, 1.0, t) > R.pm_utility(fast, x, belief, 0.4, 0.0, t)


@law
@given(pressure=unit, acc=unit, trust=unit, pm_push=st.floats(0.05, 1.0), em_push=st.floats(0.05, 1.0),
       pm_here=st.sampled_from([0.0, 1.0]), em_here=st.sampled_from([0.0, 1.0]))
def test_pm_power_share_follows_each_side_s_power(pressure, acc, trust, pm_push, em_push, pm_here, em_here):
    p = rec()
    s = R.pm_power_share(p, pressure, acc, trust, pm_here, em_here, pm_push, em_push)
    assert 0.0 < s < 1.0
    assert R.pm_power_share(p, min(1.0, pressure + 0.1), acc, trust, pm_here, em_here, pm_push, em_push) >= s
    assert R.pm_power_share(p, pressure, min(1.0, acc + 0.1), trust, pm_here, em_here, pm_push, em_push) <= s
    assert R.pm_power_share(p, pressure, acc, min(1.0, trust + 0.1), pm_here, em_here, pm_push, em_push) <= s
    assert R.pm_power_share(p, pressure, acc, trust, pm_here, em_here, pm_push * 1.2, em_push) > s
    assert R.pm_power_share(p, pressure, acc, trust, pm_here, em_here, pm_push, em_push * 1.2) < s
    # a manager who is away weighs only as far as the other covers across the blurry line
    assert R.pm_power_share(p, pressure, acc, trust, 0.0, em_here, pm_push, em_push) \
        < R.pm_power_share(p, pressure, acc, trust, 1.0, em_here, pm_push, em_push)
    assert R.pm_power_share(p, pressure, acc, trust, pm_here, 0.0, pm_push, em_push) \
        > R.pm_power_share(p, pressure, acc, trust, pm_here, 1.0, pm_push, em_push)


@law
@given(offer=st.floats(0.0, 50.0), ask=st.floats(0.0, 50.0), share=unit)
def test_negotiation_lands_between_offer_and_ask(offer, ask, share):
    c = R.negotiate(offer, ask, share)
    assert min(offer, ask) - 1e-9 <= c <= max(offer, ask) + 1e-9
    assert R.negotiate(offer, ask, 0.0) == offer
    near(R.negotiate(offer, ask, 1.0), ask)


@law
@given(load=st.floats(0.0, 2.5), trust=unit, w=unit)
def test_pushback_needs_overload_and_lowers_the_commitment(load, trust, w):
    p = rec()
    pushed = R.pushes_back(p, w, 0.7, 0.8, load, trust)
    if load <= 1.0:
        assert not pushed
    if pushed:
        assert R.pushes_back(p, w, 0.7, 0.8, load + 0.1, trust)
        assert R.pushes_back(p, min(1.0, w + 0.1), 0.7, 0.8, load, trust)
    c = R.after_pushback(p, 30.0 * max(load, 0.1), 30.0, w, trust, 1.0)
    assert min(30.0, 30.0 * max(load, 0.1)) - 1e-9 <= c <= 30.0 * max(load, 0.1)


@law
@given(load=st.floats(0.0, 80.0), cap=st.floats(1.0, 60.0), pressure=unit, shield=unit)
def test_felt_pressure_grows_with_load_and_pressure_and_shielding_takes_it_off(load, cap, pressure, shield):
    p = rec()
    f = R.felt_pressure(p, load, cap, pressure, shield)
    assert 0.0 <= f <= 1.5
    assert R.felt_pressure(p, load + 1.0, cap, pressure, shield) >= f
    assert R.felt_pressure(p, load, cap + 1.0, pressure, shield) <= f
    assert R.felt_pressure(p, load, cap, min(1.0, pressure + 0.1), shield) >= f
    assert R.felt_pressure(p, load, cap, pressure, min(1.0, shield + 0.1)) <= f
    assert R.felt_pressure(p, load, cap, pressure, 1.0) == 0.0


@law
@given(a=unit, t=unit, bonus=st.floats(0.0, 1.0), c=unit)
def test_delivered_value_rises_with_alignment_trust_and_the_third_path(a, t, bonus, c):
    p = rec()
    v = R.delivered_value(p, 10.0, a, t, bonus, c)
    assert 0.0 <= v <= 10.0 * (1.0 + bonus) + 1e-9
    assert R.delivered_value(p, 10.0, min(1.0, a + 0.1), t, bonus, c) >= v
    assert R.delivered_value(p, 10.0, a, min(1.0, t + 0.1), bonus, c) >= v
    assert R.delivered_value(p, 10.0, a, t, bonus + 0.1, c) >= v
    assert R.delivered_value(p, 10.0, a, t, bonus, min(1.0, c + 0.1)) <= v


@law
@given(debt=st.floats(0.0, 200.0), f=st.floats(0.0, 50.0), repaid=st.floats(0.0, 20.0), slack=st.floats(0.0, 10.0),
       c=unit)
def test_debt_grows_with_features_and_corners_and_falls_with_repayment(debt, f, repaid, slack, c):
    p = rec()
    d = R.debt_next(p, debt, f, repaid, slack, c)
    assert d >= 0.0
    assert R.debt_next(p, debt, f + 1.0, repaid, slack, c) >= d
    assert R.debt_next(p, debt, f, repaid, slack, min(1.0, c + 0.1)) >= d
    assert R.debt_next(p, debt, f, repaid + 1.0, slack, c) <= d
    assert R.debt_next(p, debt, f, repaid, slack + 1.0, c) <= d
    assert R.debt_next(p, debt, 0.0, 0.0, 0.0, c) >= debt  # untouched, debt compounds


@law
@given(done=unit, warned=unit)
def test_surprise_is_the_shortfall_nobody_flagged(done, warned):
    s = R.surprise(done, warned)
    assert 0.0 <= s <= 1.0 - done + 1e-12
    assert R.surprise(min(1.0, done + 0.1), warned) <= s
    assert R.surprise(done, min(1.0, warned + 0.1)) <= s


@law
@given(t=unit, done=unit, k=st.integers(0, 6), e=unit)
def test_customer_trust_follows_promises_incidents_and_escalations(t, done, k, e):
    p = rec()
    nxt = R.customer_trust_next(p, t, done, float(k), e)
    assert 0.0 <= nxt <= 1.0
    assert R.customer_trust_next(p, t, done, 0.0, 0.0) >= t  # no incident, no escalation: trust does not fall
    assert R.customer_trust_next(p, t, min(1.0, done + 0.1), float(k), e) >= nxt
    assert R.customer_trust_next(p, t, done, float(k + 1), e) <= nxt
    assert R.customer_trust_next(p, t, done, float(k), min(1.0, e + 0.1)) <= nxt
    lossy = rec(customer_trust_gain=0.0, incident_trust_loss=0.1)
    near(R.customer_trust_next(lossy, t, done, float(k), 0.0), t * 0.9 ** k)  # each incident takes a tenth


@law
@given(recent=st.floats(0.0, 50.0), value=st.floats(0.0, 50.0), exp=st.floats(0.0, 50.0), m=st.floats(0.01, 1.0))
def test_leadership_memory_moves_toward_value_and_expectation_never_below_it(recent, value, exp, m):
    p = rec(value_memory=m)
    r = R.value_memory_next(p, recent, value)
    assert min(recent, value) - 1e-9 <= r <= max(recent, value) + 1e-9
    near(R.value_memory_next(rec(value_memory=1.0), recent, value), value)
    assert R.value_memory_next(p, value, value) == value
    e = R.expectation_next(p, exp, recent)
    assert e >= recent and e <= max(exp, recent)


@law
@given(recent=st.floats(0.1, 50.0), exp=st.floats(0.1, 50.0), trust=unit)
def test_business_pressure_follows_results(recent, exp, trust):
    p = rec()
    bp = R.business_pressure_next(p, recent, exp, trust)
    assert 0.4 - 1e-12 <= bp <= 1.5  # at least the baseline pressure, at most the cap
    assert R.business_pressure_next(p, recent + 1.0, exp, trust) <= bp
    assert R.business_pressure_next(p, recent, exp, min(1.0, trust + 0.1)) <= bp
    assert R.business_pressure_next(p, exp, exp, 0.7) == pytest.approx(0.4)  # as expected, trust at reference


@law
@given(gap=st.floats(0.0, 10.0), tg=unit, tension=unit, a=unit)
def test_disagreement_rises_with_gaps_and_falls_with_alignment(gap, tg, tension, a):
    p = rec()
    d = R.disagreement(p, 30.0 + gap, 30.0, 30.0, tg, tension, a, 1.0)
    assert 0.0 <= d <= 1.0
    assert R.disagreement(p, 30.0 + gap + 1.0, 30.0, 30.0, tg, tension, a, 1.0) >= d
    assert R.disagreement(p, 30.0 + gap, 30.0, 30.0, min(1.0, tg + 0.1), tension, a, 1.0) >= d
    assert R.disagreement(p, 30.0 + gap, 30.0, 30.0, tg, min(1.0, tension + 0.1), a, 1.0) >= d
    assert R.disagreement(p, 30.0 + gap, 30.0, 30.0, tg, tension, min(1.0, a + 0.1), 1.0) <= d
    assert R.disagreement(rec(blurry_line=1.0), 30.0, 30.0 + gap, 30.0, 0.0, 0.0, a, 1.0) == 0.0  # nothing to fight over


@law
@given(fight=st.sampled_from([0.0, 1.0]), esc=st.sampled_from([0.0, 1.0]), prod=st.sampled_from([0.0, 1.0]),
       third=st.sampled_from([0.0, 1.0]), wins=st.sampled_from([0.0, 1.0]), effect=unit,
       winner=st.floats(0.0, 1.0), extra=st.floats(0.0, 1.0))
def test_resolve_trust_roles_are_symmetric_and_the_loser_loses_more(fight, esc, prod, third, wins, effect, winner, extra):
    kw = dict(feedback_effect=effect, fight_winner_loss=winner, fight_loser_loss=winner + extra)
    for fb in ("none", "sbi"):
        p = rec(feedback=fb, **kw)
        pos, neg_pm, neg_em = R.resolve_trust(p, fight, prod, third, esc, wins)
        pos2, neg_pm2, neg_em2 = R.resolve_trust(p, fight, prod, third, esc, 1.0 - wins)
        assert (pos2, neg_pm2, neg_em2) == (pos, neg_em, neg_pm)  # swap who won, swap who loses trust
        assert pos >= 0.0 and neg_pm >= 0.0 and neg_em >= 0.0
        loser, winner_ = (neg_em, neg_pm) if wins == 1.0 else (neg_pm, neg_em)
        assert loser >= winner_
    sbi, none = rec(feedback="sbi", **kw), rec(feedback="none", **kw)
    assert R.resolve_trust(sbi, fight, prod, third, esc, wins)[0] >= R.resolve_trust(none, fight, prod, third, esc, wins)[0]
    assert R.resolve_trust(sbi, fight, prod, third, esc, wins)[1] <= R.resolve_trust(none, fight, prod, third, esc, wins)[1]


@law
@given(d=st.floats(0.0, 1.0), target=st.floats(0.5, 1.5), tol=st.floats(0.05, 2.0))
def test_challenge_is_symmetric_around_its_target(d, target, tol):
    p = rec(challenge_target=target, challenge_tolerance=tol)
    assert R.challenge(p, target + d) == pytest.approx(R.challenge(p, target - d), abs=1e-12)
    assert 0.0 <= R.challenge(p, target + d) <= R.challenge(p, target + d / 2) <= 1.0


@law
@given(r=unit, i=unit, h=unit, felt=st.floats(0.0, 2.0))
def test_feeling_valued_and_growth_rise_with_their_sources(r, i, h, felt):
    p = rec()
    v = R.feeling_valued(p, r, i, h, felt)
    assert 0.0 <= v <= 1.0
    assert R.feeling_valued(p, min(1.0, r + 0.1), i, h, felt) >= v
    assert R.feeling_valued(p, r, min(1.0, i + 0.1), h, felt) >= v
    assert R.feeling_valued(p, r, i, min(1.0, h + 0.1), felt) >= v
    assert R.feeling_valued(p, r, i, h, felt + 0.1) <= v
    g = R.growth(p, r, i, h, felt / 2.0)
    assert 0.0 <= g <= 1.0
    assert R.growth(p, min(1.0, r + 0.1), i, h, felt / 2.0) >= g
    assert R.growth(p, r, min(1.0, i + 0.1), h, felt / 2.0) >= g
    assert R.growth(p, r, i, min(1.0, h + 0.1), felt / 2.0) >= g
    assert R.growth(p, r, i, h, min(1.0, felt / 2.0 + 0.1)) >= g


@law
@given(wp=unit, wc=unit, wv=unit, ot=st.floats(0.0, 1.0), felt=st.floats(0.0, 2.0), c=unit, toil=unit, valued=unit)
def test_stress_rises_with_each_stressor(wp, wc, wv, ot, felt, c, toil, valued):
    p = rec()
    s = R.stress(p, wp, wc, wv, ot, felt, c, toil, valued)
    assert 0.0 <= s <= 1.0
    assert R.stress(p, wp, wc, wv, ot + 0.1, felt, c, toil, valued) >= s
    assert R.stress(p, wp, wc, wv, ot, felt + 0.1, c, toil, valued) >= s
    assert R.stress(p, wp, wc, wv, ot, felt, min(1.0, c + 0.1), toil, valued) >= s
    assert R.stress(p, wp, wc, wv, ot, felt, c, min(1.0, toil + 0.1), valued) >= s
    assert R.stress(p, wp, wc, wv, ot, felt, c, toil, min(1.0, valued + 0.1)) <= s


@law
@given(b=unit, s=unit, slack=st.floats(0.0, 1.0), rise=st.floats(0.01, 1.0), ratio=unit)
def test_burnout_builds_with_stress_and_recovers_with_slack(b, s, slack, rise, ratio):
    p = rec(burnout_rise_rate=rise, burnout_recovery_ratio=ratio)
    nxt = R.burnout_next(p, b, s, slack)
    assert 0.0 <= nxt <= 1.0
    assert R.burnout_next(p, b, min(1.0, s + 0.1), slack) >= nxt - 1e-15
    assert R.burnout_next(p, b, s, slack + 0.1) <= nxt + 1e-15
    assert R.burnout_next(p, 0.0, 0.0, slack) == 0.0  # nothing to recover from, nothing building
    near(R.burnout_next(p, b, 1.0, slack), b + rise * (1.0 - b))  # full stress: no recovery at all
    near(R.burnout_next(rec(burnout_rise_rate=rise, burnout_recovery_ratio=ratio, slack_recovery=0.0), b, 0.0, slack),
         b - rise * ratio * b)  # no stress and no slack bonus: recovery_ratio times as fast as building


@law
@given(wg=unit, wv=unit, e=unit, g=unit, v=unit, b=unit)
def test_engagement_moves_toward_its_motivator_weighted_target(wg, wv, e, g, v, b):
    p = rec()
    nxt = R.engagement_next(p, wg, wv, e, g, v, b)
    assert 0.0 <= nxt <= 1.0
    # with growth, feeling valued and energy all at one level, the target is that level
    lvl = g
    near(R.engagement_next(rec(engagement_rate=1.0), wg, wv, e, lvl, lvl, 1.0 - lvl), lvl)
    assert R.engagement_next(p, wg, wv, e, g, v, min(1.0, b + 0.1)) <= nxt + 1e-15
    assert R.engagement_next(p, wg, wv, e, min(1.0, g + 0.1), v, b) >= nxt - 1e-15
    assert R.engagement_next(p, wg, wv, e, g, min(1.0, v + 0.1), b) >= nxt - 1e-15


@law
@given(w=st.lists(unit, min_size=4, max_size=4), lv=st.lists(unit, min_size=4, max_size=4))
def test_satisfaction_is_a_motivator_weighted_mean(w, lv):
    s = R.satisfaction(*w, *lv)
    if sum(w) > 1e-9:
        used = [x for x, wi in zip(lv, w) if wi > 0.0]
        assert min(used) - 1e-12 <= s <= max(used) + 1e-12
    near(R.satisfaction(0.3, 0.3, 0.3, 0.3, *lv), sum(lv) / 4.0)
    near(R.satisfaction(0.7, 0.0, 0.0, 0.0, *lv), lv[0])
    near(R.satisfaction(0.0, 0.7, 0.0, 0.0, *lv), lv[1])
    near(R.satisfaction(0.0, 0.0, 0.7, 0.0, *lv), lv[2])
    near(R.satisfaction(0.0, 0.0, 0.0, 0.7, *lv), lv[3])


@law
@given(sat=unit, trust=unit)
def test_voice_needs_unhappiness_and_trust(sat, trust):
    p = rec()
    v = R.voice_chance(p, sat, trust)
    assert 0.0 <= v <= 1.0
    assert R.voice_chance(p, sat, min(1.0, trust + 0.1)) >= v
    assert R.voice_chance(p, max(0.0, sat - 0.1), trust) >= v
    assert R.voice_chance(p, sat, 0.0) == 0.0


@law
@given(a=unit, al=unit, own=unit, drag=st.floats(0.0, 0.3))
def test_estimation_improves_with_alignment_and_ownership_and_worsens_with_drag(a, al, own, drag):
    p = rec()
    nxt = R.estimation_next(p, a, al, own, drag)
    assert 0.0 <= nxt <= 1.0
    assert R.estimation_next(p, a, min(1.0, al + 0.1), own, drag) >= nxt
    assert R.estimation_next(p, a, al, min(1.0, own + 0.1), drag) >= nxt
    assert R.estimation_next(p, a, al, own, min(0.3, drag + 0.05)) <= nxt
    assert R.estimation_next(rec(estimation_rate=0.0), a, al, own, drag) == a


@law
@given(w=st.lists(unit, min_size=8, max_size=8))
def test_pushes_are_the_mean_of_each_manager_s_weights(w):
    p = rec(pm_w_customer_value=w[0], pm_w_competition=w[1], pm_w_money=w[2], pm_w_ship_fast=w[3], pm_w_look_good=w[4],
            em_w_right_way=w[5], em_w_engineers=w[6], em_w_tech_debt=w[7])
    near(R.pm_push(p), sum(w[:5]) / 5.0)
    near(R.em_push(p), sum(w[5:]) / 3.0)
    near(R.conflict_loser_stake(p, 1.0), R.em_push(p))  # the PM won: what the EM stood for is at stake
    near(R.conflict_loser_stake(p, 0.0), R.pm_push(p))
