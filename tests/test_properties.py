"""Any valid config gives finite outcomes with every bounded quantity within its bounds."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pe_sim import config as cfg
from pe_sim.config import SHARE_GROUPS
from pe_sim.core.engine import OUTCOMES, param_batch, simulate
from pe_sim.events import EVENT_KINDS, Event, schedule
from pe_sim.params import PARAMS

UNIT_OUTCOMES = ("say_do", "tech_share", "debt_drag", "debt_capacity_loss", "customer_trust", "burnout_mean",
                 "burnout_max", "engagement_mean", "corners_mean", "pushback", "expertise", "trust_pm_em",
                 "trust_em_pm", "trust_pm_eng", "trust_em_eng", "trust_eng_pm", "trust_eng_em", "alignment",
                 "surprise", "customer_escalations", "engineer_escalations",
                 "conflicts_fight", "conflicts_avoid", "conflicts_productive", "third_paths", "escalations")


def value_strategy(p):
    if p.kind == "choice":
        return st.sampled_from(p.choices)
    if p.kind == "bool":
        return st.booleans()
    if p.kind == "int":
        return st.integers(int(p.lo), min(int(p.hi), 20))  # keep batches small
    return st.floats(p.lo, p.hi, allow_nan=False)


def within_shares(values: dict) -> dict:
    """Weights that share 1 with a remainder (config.SHARE_GROUPS) scaled down to sum to 1 at most,
    as a valid config must."""
    out = dict(values)
    for group in SHARE_GROUPS:
        total = sum(out[k] for k in group)
        if total > 1.0:
            for k in group:
                out[k] = out[k] / total
    return out


param_sets = st.fixed_dictionaries({p.name: value_strategy(p) for p in PARAMS}).map(within_shares)
event_lists = st.lists(
    st.builds(lambda k, s, d: Event.make(k, s, duration=d), st.sampled_from(sorted(EVENT_KINDS)),
              st.integers(0, 14), st.integers(1, 6)), max_size=4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=param_sets, events=event_lists, seed=st.integers(0, 2**32))
def test_any_valid_config_stays_finite_and_bounded(values, events, seed):
    c = cfg.from_dict({"params": values})  # every generated value must pass validation
    sprints = 15
    timeline = schedule(tuple(events), sprints)
    out = simulate(param_batch([dict(c.params)] * 4), timeline, sprints, seed)
    for k in OUTCOMES:
        assert np.all(np.isfinite(out[k])), k
        assert np.all(out[k] >= 0.0), k
    for k in UNIT_OUTCOMES:
        assert np.all(out[k] <= 1.0 + 1e-12), k
    sized = max([values["n_engineers"]] + [round(e.magnitude) for e in events if e.kind == "team_size"])
    assert np.all(out["headcount"] <= sized + sum(
        round(e.magnitude) for e in events if e.kind == "hiring_wave"))
    held = timeline["team_size"][0] > 0  # a team_size event holds the head count exactly while it lasts
    assert np.all(out["headcount"][:, held] == timeline["team_size"][0][held])
    # more than was committed only from work pulled in once the whole plan was done (say/do 1)
    short = out["say_do"] < 1.0
    assert np.all(out["delivered"][short] <= out["committed"][short] + 1e-9)
