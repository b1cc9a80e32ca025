"""Rules that must hold for all inputs (hypothesis)."""

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from pe_sim.core import rules
from pe_sim.params import defaults

unit = st.floats(0.0, 1.0)


def params(**kw):
    d = {k: v for k, v in defaults().items() if not isinstance(v, str)}
    d.update(kw)
    return SimpleNamespace(**d)


@given(t=unit, s=st.floats(0.01, 1.0), loss=st.floats(1.0, 10.0), rate=st.floats(0.01, 0.5))
def test_trust_is_lost_faster_than_built(t, s, loss, rate):
    p = params(trust_loss_factor=loss, trust_gain_rate=rate)
    up = rules.trust_next(p, 0.5, s, 0.0) - 0.5
    down = 0.5 - rules.trust_next(p, 0.5, 0.0, s)
    assert down >= min(0.5, loss * up) - 1e-12  # trust cannot fall below 0
    assert 0.0 <= rules.trust_next(p, t, s, s) <= 1.0


@given(b=st.floats(0.05, 0.95), s=st.floats(0.05, 0.95), ratio=st.floats(0.0, 0.99))
def test_burnout_recovers_more_slowly_than_it_builds(b, s, ratio):
    p = params(burnout_recovery_ratio=ratio)
    rise = rules.burnout_next(p, b, s, 0.0) - rules.burnout_next(p, b, 0.0, 0.0)
    # From the same level, full stress raises burnout by more than zero stress lowers it.
    fall = b - rules.burnout_next(p, b, 0.0, 0.0)
    assert fall < p.burnout_rise_rate * b + 1e-12
    assert rise > 0
    assert 0.0 <= rules.burnout_next(p, b, s, 1.0) <= 1.0


@given(h=st.floats(0.0, 100.0), scale=st.floats(0.1, 50.0))
def test_communication_has_diminishing_returns(h, scale):
    g1 = rules.saturating(h, scale)
    g2 = rules.saturating(h + 1.0, scale)
    g3 = rules.saturating(h + 2.0, scale)
    assert 0.0 <= g1 <= g2 <= g3 <= 1.0
    assert g3 - g2 <= g2 - g1 + 1e-12


@given(debt=st.floats(0.0, 1e5))
def test_debt_drag_is_bounded_and_increasing(debt):
    p = params()
    d = rules.debt_drag(p, debt)
    assert 0.0 <= d <= p.max_debt_drag
    assert rules.debt_drag(p, debt + 10.0) >= d


@given(n=st.integers(1, 40))
def test_peer_hours_grow_with_team(n):
    p = params()
    assert rules.peer_hours(p, n + 1) > rules.peer_hours(p, n)


@given(ot=st.floats(0.0, 1.0))
def test_overtime_has_falling_hourly_efficiency(ot):
    p = params()
    out = rules.engineer_output(p, 10.0, 1.0, ot, 0.0, 0.0)
    base = rules.engineer_output(p, 10.0, 1.0, 0.0, 0.0, 0.0)
    assert out <= base * (1.0 + ot) + 1e-9


@given(low=st.floats(0.0, 0.49), high=st.floats(0.51, 1.0))
def test_trust_in_the_team_feeds_back(low, high):
    p = params(engineer_ownership=0.5)
    # A PM who distrusts the team's estimates asks for more ...
    assert rules.pm_ask(p, 30.0, 0.7, 0.5, low) > rules.pm_ask(p, 30.0, 0.7, 0.5, high)
    # ... an EM who trusts the engineers lets them own more of the project management ...
    assert rules.delegation(p, high) > rules.delegation(p, low)
    need_met = [rules.coordination_flow(p, 12, 1.0, 1.0, 20.0, rules.delegation(p, t)) for t in (low, high)]
    assert need_met[1] >= need_met[0]
    # ... and engineers who trust their PM as well as their EM warn earlier.
    assert rules.warning_effect(p, 0.5, high) > rules.warning_effect(p, 0.5, low)
    # Neutral at 0.5: the practice parameters keep their documented meaning at the default trust.
    assert rules.delegation(p, 0.5) == p.engineer_ownership
