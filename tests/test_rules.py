"""Rules that must hold for all inputs (hypothesis), called as the kernel and the agents call them."""

from hypothesis import given, settings
from hypothesis import strategies as st

from pe_sim.core import rules as R
from pe_sim.core.record import record

unit = st.floats(0.0, 1.0)
fast = settings(max_examples=60, deadline=None, derandomize=True, database=None)


def params(**kw):
    return record(kw)


@fast
@given(s=st.floats(0.01, 1.0), loss=st.floats(1.0, 10.0), rate=st.floats(0.01, 0.5), t=unit)
def test_trust_is_lost_faster_than_built(s, loss, rate, t):
    p = params(trust_loss_factor=loss, trust_gain_rate=rate)
    up = R.trust_next(p, 0.5, s, 0.0) - 0.5
    down = 0.5 - R.trust_next(p, 0.5, 0.0, s)
    assert down >= min(0.5, loss * up) - 1e-12
    assert 0.0 <= R.trust_next(p, t, s, s) <= 1.0


@fast
@given(b=st.floats(0.05, 0.95), s=st.floats(0.05, 0.95), ratio=st.floats(0.0, 0.99))
def test_burnout_recovers_more_slowly_than_it_builds(b, s, ratio):
    p = params(burnout_recovery_ratio=ratio, slack_recovery=0.0)
    rise = R.burnout_next(p, b, 1.0, 0.0) - b
    fall = b - R.burnout_next(p, b, 0.0, 0.0)
    assert fall <= rise * b / (1.0 - b) + 1e-12  # per unit of distance to travel, recovery is slower


@fast
@given(debt=st.floats(0.0, 5000.0), extra=st.floats(0.1, 100.0))
def test_debt_drag_is_bounded_and_increasing(debt, extra):
    p = params()
    d0, d1 = R.debt_drag(p, debt), R.debt_drag(p, debt + extra)
    assert 0.0 <= d0 <= d1 <= 0.6


@fast
@given(ot=st.floats(0.0, 0.99), step=st.floats(0.005, 0.05))
def test_overtime_has_diminishing_returns(ot, step):
    """Each extra hour of overtime adds less output than the one before (Thomas & Raynar 1997)."""
    p = params(overtime_max=1.0, delivery_noise=0.0)
    f = lambda x: R.engineer_output(p, 10.0, 1.0, x, 0.0, 1.0)  # noqa: E731
    hi = min(1.0, ot + 2 * step)
    if hi - ot < 2 * step:
        return
    assert f(ot + 2 * step) - f(ot + step) < f(ot + step) - f(ot) + 1e-12


def test_overtime_efficiency_is_calibrated():
    p = params(delivery_noise=0.0)
    base = R.engineer_output(p, 10.0, 1.0, 0.0, 0.0, 1.0)
    per_hour = lambda ot: R.engineer_output(p, 10.0, 1.0, ot, 0.0, 1.0) / base / (1.0 + ot)  # noqa: E731
    assert 0.08 <= 1.0 - per_hour(0.25) <= 0.12  # 50 h/week
    assert 0.14 <= 1.0 - per_hour(0.5) <= 0.20  # 60 h/week


@fast
@given(ot=st.floats(0.0, 0.5), cap=st.floats(0.5, 1.0))
def test_overtime_stress_does_not_fall_when_the_cap_rises(ot, cap):
    low, high = params(overtime_max=0.5), params(overtime_max=cap)
    args = (0.6, 0.7, 0.8, ot, 0.3, 0.1, 0.2, 0.5)
    assert R.stress(high, *args) == R.stress(low, *args)


@fast
@given(n=st.floats(1.0, 40.0), m=st.floats(1.0, 40.0))
def test_peer_hours_grow_with_team(n, m):
    p = params()
    if n < m:
        assert R.peer_hours(p, n) <= R.peer_hours(p, m)


@fast
@given(felt=st.floats(0.0, 1.5), w_pace=unit, burnout=unit, engagement=unit)
def test_overtime_choice_rises_with_pressure_and_falls_with_pace(felt, w_pace, burnout, engagement):
    p = params()
    ot = R.overtime(p, 0.8, w_pace, felt, engagement, burnout)
    assert 0.0 <= ot <= 0.5
    assert R.overtime(p, 0.8, w_pace, felt + 0.1, engagement, burnout) >= ot
    assert R.overtime(p, 0.8, min(1.0, w_pace + 0.1), felt, engagement, burnout) <= ot


@fast
@given(felt=st.floats(0.0, 1.5), w_craft=unit, rw=unit, burnout=unit)
def test_corners_rise_with_pressure_and_fall_with_craft(felt, w_craft, rw, burnout):
    p = params()
    c = R.corner_cutting(p, 0.8, w_craft, rw, felt, burnout)
    assert 0.0 <= c <= 1.0
    assert R.corner_cutting(p, 0.8, w_craft, rw, felt + 0.1, burnout) >= c
    assert R.corner_cutting(p, 0.8, min(1.0, w_craft + 0.1), rw, felt, burnout) <= c


@fast
@given(load=st.floats(0.0, 3.0))
def test_challenge_peaks_at_the_target_load(load):
    p = params()
    assert R.challenge(p, load) <= R.challenge(p, 1.2) == 1.0


@fast
@given(trust=unit, loss=unit)
def test_pm_sees_tech_value_through_framing_and_understanding(trust, loss):
    assert R.pm_visibility(params(tech_value_framing=1.0), trust) == 1.0
    assert R.pm_visibility(params(tech_value_framing=0.0), trust) == trust


@fast
@given(err=st.floats(-3.0, 3.0), power=unit)
def test_discovery_narrows_estimate_errors(err, power):
    after = R.error_after_discovery(err, power)
    assert abs(after) <= abs(err)
    assert R.error_after_discovery(err, 1.0) == 0.0


def test_discovery_power_combines_pm_engineers_and_em():
    p = params()
    none = R.discovery_power(p, 0.0, 0.0, 0.0, 0.0, 0.0)
    assert none == 0.0
    pm = R.discovery_power(p, 1.0, 1.0, 0.0, 0.0, 0.0)
    eng = R.discovery_power(p, 0.0, 0.0, 1.0, 1.0, 0.0)
    em = R.discovery_power(p, 0.0, 0.0, 0.0, 0.0, 1.0)
    assert pm > eng > em > 0.0
    assert abs(R.discovery_power(p, 1.0, 1.0, 1.0, 1.0, 1.0) - 0.5) < 1e-12  # discovery_rate at full strength


@fast
@given(load=st.floats(0.5, 2.0), trust=unit)
def test_pushback_needs_overload_and_is_likelier_with_trust(load, trust):
    p = params()
    if load <= 1.0:
        assert not R.pushes_back(p, 0.6, 0.7, 0.8, load, trust)
    if R.pushes_back(p, 0.6, 0.7, 0.8, load, trust):
        assert R.pushes_back(p, 0.6, 0.7, 0.8, load, min(1.0, trust + 0.1))


@fast
@given(sat=unit, trust=unit, burnout=unit)
def test_leaving_rises_with_burnout_and_dissatisfaction_and_falls_with_loyalty(sat, trust, burnout):
    p = params()
    q = R.leave_probability(p, burnout, sat, trust)
    assert q >= R.leave_probability(p, burnout, min(1.0, sat + 0.1), trust) - 1e-15
    assert q >= R.leave_probability(p, max(0.0, burnout - 0.1), sat, trust) - 1e-15
    assert q <= R.leave_probability(p, burnout, sat, max(0.0, trust - 0.1)) + 1e-15


def test_pm_ask_weighs_each_motivator_differently():
    """Each PM motivator moves the ask its own way (none is a mere gain on another)."""
    from pe_sim.core import kernel as K

    def ask(**w):
        return K.best_option(params(**w), 1.0, 1.4, 0, 1.0, 0.4, 0.0, 0.7, 0.0, 0.0)

    base = dict(pm_w_customer_value=0.5, pm_w_competition=0.5, pm_w_money=0.5, pm_w_ship_fast=0.5, pm_w_look_good=0.5)
    assert ask(**{**base, "pm_w_ship_fast": 1.0}) > ask(**base)
    assert ask(**{**base, "pm_w_competition": 1.0}) > ask(**base)
    assert ask(**{**base, "pm_w_look_good": 1.0}) < ask(**base)
    assert ask(**{**base, "pm_w_money": 1.0}) < ask(**base)
    assert ask(**{**base, "pm_w_customer_value": 0.0, "pm_w_ship_fast": 0.0, "pm_w_competition": 0.0}) == 1.0


def test_equations_pinned_as_the_odd_writes_them():
    """Small cases with known answers, one per rule the sampled mutation run showed unpinned."""
    p = params()
    assert R.after_pushback(p, 30.0, 30.5, 1.0, 1.0, 1.0) == 30.0  # no overload: nothing to push back
    assert R.after_pushback(p, 40.0, 30.0, 1.0, 1.0, 1.0) == 40.0 - 10.0 * p[R.P.pushback_effect]
    fixed, _ = R.em_demand(p, 0.0, 6.0, 0.3, 0.0, 0.0, 2.0, 1.0, 1.0)
    assert fixed == 2.0 * p[R.P.escalation_hours] + R.turf_hours(p)
    memory = p[R.P.tension_memory]
    assert R.tension_next(p, 0.5, 1.0, 1.0, 0.0) == 0.5 * memory  # an avoided conflict clears nothing
    assert R.tension_next(p, 0.5, 1.0, 0.0, 0.0) == 0.0  # a conflict had out clears the tension
    assert R.surprise(0.5, 0.5) == 0.25 and R.surprise(0.2, 1.0) == 0.0
    assert R.own_pm_hours(p, 0.5) == 0.5 * p[R.P.coordination_hours]
    assert R.tech_disagreement(p, 0.4, 1.0) == 0.0
    assert R.tech_disagreement(p, 0.4, 0.5) == 0.4 * 0.5 * p[R.P.em_w_tech_debt]
    steep = params(debt_drag_shape=3.0, debt_half_saturation=45.0)
    assert abs(R.debt_burden(steep, 45.0) - 0.5) < 1e-12
    assert abs(R.debt_burden(steep, 90.0) - 8.0 / 9.0) < 1e-12


def test_more_equations_pinned():
    """Cases the sampled mutation run also left open: market churn, slack recovery, manager focus."""
    p = params()
    h = R.sprint_hours(p)
    assert R.focus(p, h / 2, h) == 0.5 and R.focus(p, 0.0, h / 2) == 1.0
    calm, churn = R.pm_insight_next(p, 0.6, 0.0, 0.0), R.pm_insight_next(p, 0.6, 0.0, 1.0)
    assert churn < calm < 0.6  # insight dates, faster while a competitor reshapes the market
    assert abs(calm - (0.6 - p[R.P.insight_decay] * 0.6)) < 1e-12
    rested = R.burnout_next(p, 0.5, 0.0, 1.0)
    fall = p[R.P.burnout_rise_rate] * p[R.P.burnout_recovery_ratio] * (1.0 + p[R.P.slack_recovery]) * 0.5
    assert abs(rested - (0.5 - fall)) < 1e-12


@fast
@given(felt=st.floats(0.0, 1.5), w_valued=unit, w_pace=unit, engagement=unit, burnout=unit)
def test_slack_is_given_up_under_pressure(felt, w_valued, w_pace, engagement, burnout):
    """Engineers keep all their natural slack when nothing presses and give it up as pressure
    rises (Abdel-Hamid & Madnick 1991), sooner when they care to be seen delivering, later when
    they value their pace or are tired."""
    p = params(natural_slack=0.3, slack_absorb_pressure=0.7)
    kept = R.slack_kept(p, w_valued, w_pace, felt, engagement, burnout)
    assert 0.0 <= kept <= 0.3
    assert R.slack_kept(p, w_valued, w_pace, 0.0, engagement, burnout) == 0.3
    assert R.slack_kept(p, w_valued, w_pace, felt + 0.1, engagement, burnout) <= kept
    assert R.slack_kept(p, min(1.0, w_valued + 0.1), w_pace, felt, engagement, burnout) <= kept
    assert R.slack_kept(p, w_valued, min(1.0, w_pace + 0.1), felt, engagement, burnout) >= kept
    assert R.slack_kept(p, w_valued, w_pace, felt, engagement, min(1.0, burnout + 0.1)) >= kept


def test_slack_equation_pinned():
    p = params(natural_slack=0.3, slack_absorb_pressure=0.7)
    drive = 0.2 * (0.4 + 0.6) / (0.7 * (0.5 + 0.1))
    assert abs(R.slack_kept(p, 0.4, 0.5, 0.2, 0.6, 0.1) - 0.3 * (1.0 - drive)) < 1e-12
    assert R.slack_kept(p, 0.4, 0.5, 2.0, 0.6, 0.1) == 0.0  # enough pressure takes all of it
