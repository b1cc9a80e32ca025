"""The Mesa face's public API: agents and their state, slots, leavers and joiners, data
collection, batch_run, keyword parameters and live parameter changes."""

from __future__ import annotations

import mesa
import numpy as np
import pytest

from pe_sim.agents import Engineer, EngineeringManager, ProductManager
from pe_sim.core import backlog as B
from pe_sim.core.engine import OUTCOMES
from pe_sim.core.record import P
from pe_sim.model import TeamModel
from test_equivalence import SEED, SPRINTS, turbulent

PM_STATE = ("trust_em", "trust_engineers", "customer_insight", "tech_understanding", "workload", "present")
EM_STATE = ("trust_pm", "trust_engineers", "customer_understanding", "estimation_accuracy", "workload", "present")
ENGINEER_STATE = ("slot", "skill", "tenure", "knowledge", "burnout", "engagement", "trust_em", "trust_pm",
                  "user_knowledge", "w_growth", "w_craft", "w_valued", "w_pace", "overtime", "corners", "output",
                  "valued", "leave_chance")


def test_agents_carry_their_state():
    model = TeamModel(config=turbulent(), seed=SEED, run=5, n_sprints=3)
    model.step()
    assert isinstance(model.pm, ProductManager) and isinstance(model.em, EngineeringManager)
    assert all(isinstance(getattr(model.pm, a), float) for a in PM_STATE)
    assert all(isinstance(getattr(model.em, a), float) for a in EM_STATE)
    for e in model.engineers:
        assert all(isinstance(getattr(e, a), (int, float)) for a in ENGINEER_STATE)
        assert 0.0 <= e.leave_chance <= 1.0 and e.output > 0.0
    assert set(model.pm.motivators) == {"customer_value", "competition", "money", "ship_fast", "look_good"}
    assert set(model.engineers[0].motivators) == {"growth", "craft", "valued", "pace"}
    assert model.items.shape == (model.n_feature + model.n_tech, B.FIELDS)
    assert model.current.commit == model.outcomes["committed"] and model.current.ask >= model.current.estimate


def test_slots_leavers_and_joiners():
    model = TeamModel(config=turbulent(), seed=SEED, run=5, n_sprints=SPRINTS)
    assert [e.slot for e in model.engineers] == list(range(6)) and model.headcount == 6
    left = joined = 0
    while model.running:
        model.step()
        engineers = model.engineers
        slots = [e.slot for e in engineers]
        assert slots == sorted(set(slots)) and len(slots) == model.headcount == model.outcomes["headcount"]
        assert all(e.model is model for e in engineers)
        assert len(model.agents_by_type[Engineer]) == len(engineers)
        assert len(model.left) == model.outcomes["attrition"] and len(model.joined) == model.outcomes["hires"]
        assert all(e not in model.agents for e in model.left)
        assert all(e.joined_sprint == model.sprint - 1 and e.tenure == 0.0 for e in model.joined)
        left += len(model.left)
        joined += len(model.joined)
    assert model.sprint == SPRINTS and len(model.departures) == left and left > 0 and joined > 0
    assert all({"sprint", "slot", "skill", "tenure", "burnout", "reason", "unique_id"} <= set(d) for d in model.departures)
    assert {d["reason"] for d in model.departures} == {"attrition", "key_engineer_leaves", "team_size"}
    assert all(isinstance(v, float) for v in model.hires_due.values())


def test_datacollector_collects_outcomes_and_engineers():
    model = TeamModel(scenario="crunch", seed=1, n_sprints=6)
    while model.running:
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 6 and list(frame.columns) == list(OUTCOMES)
    np.testing.assert_array_equal(frame["velocity"].to_numpy(), [r["velocity"] for r in model.outcome_history])
    agents = model.datacollector.get_agent_vars_dataframe()
    engineers = agents[agents["role"] == "engineer"]
    for col in ENGINEER_STATE + ("ramp",):
        assert engineers[col].notna().all(), col
    assert set(agents["role"]) == {"PM", "EM", "engineer"}


def test_batch_run_small_grid():
    results = mesa.batch_run(
        TeamModel,
        parameters={"roadmap_mode": ["one_roadmap", "split_backlogs"], "pressure": [0.2, 0.8], "run": [0, 1]},
        rng=[SEED], max_steps=4, number_processes=1, data_collection_period=-1, display_progress=False,
    )
    rows = [r for r in results if r["role"] == "PM"]
    assert len(rows) == 8
    assert {(r["roadmap_mode"], r["pressure"]) for r in rows} == {
        (m, p) for m in ("one_roadmap", "split_backlogs") for p in (0.2, 0.8)}
    assert all(set(OUTCOMES) <= set(r) for r in rows)
    # batch_run's models are the configured model: one cell is the direct run.
    direct = TeamModel(roadmap_mode="split_backlogs", pressure=0.8, run=1, n_sprints=4, seed=SEED)
    for _ in range(4):
        direct.step()
    cell = next(r for r in rows if r["roadmap_mode"] == "split_backlogs" and r["pressure"] == 0.8 and r["run"] == 1)
    assert all(cell[k] == direct.outcomes[k] for k in OUTCOMES)


def test_keyword_params_override_and_validate():
    model = TeamModel(scenario="feature_factory", pressure=0.1)
    assert model.config.params["pressure"] == 0.1 and model.config.params["tech_share"] == 0.0
    assert model.p[P.pressure] == 0.1
    with pytest.raises(ValueError):
        TeamModel(pressure=3.0)
    with pytest.raises(ValueError):
        TeamModel(no_such_param=1)


def test_set_param_between_steps():
    model = TeamModel(seed=SEED, n_sprints=8)
    ref = TeamModel(seed=SEED, n_sprints=8)
    for _ in range(3):
        model.step()
        ref.step()
    model.set_param("pressure", 1.0)
    assert model.p[P.pressure] == 1.0 and model.config.params["pressure"] == 1.0
    model.step()
    ref.step()
    assert model.outcomes["business_pressure"] > ref.outcomes["business_pressure"] + 0.3
    with pytest.raises(ValueError):
        model.set_param("pressure", -1)
    model.set_param("roadmap_mode", "split_backlogs")
    assert model.p[P.roadmap_mode] == 1.0
    model.set_param("feature_backlog_items", 40)  # the backlogs keep their shape
    model.step()
    assert model.items.shape[0] == model.n_feature + model.n_tech and model.p[P.feature_backlog_items] == model.n_feature


def test_rng_is_mesas_name_for_the_seed():
    """TeamModel(rng=...) as Mesa's own models take it: an int is the seed, a Generator or a
    SeedSequence gives one reproducibly; seed and rng together are refused."""
    a = TeamModel(scenario="crunch", rng=5, n_sprints=3)
    b = TeamModel(scenario="crunch", seed=5, n_sprints=3)
    for m in (a, b):
        for _ in range(3):
            m.step()
    assert a.seed == 5 and a.outcome_history == b.outcome_history
    g1 = TeamModel(rng=np.random.default_rng(3), n_sprints=1)
    g2 = TeamModel(rng=np.random.default_rng(3), n_sprints=1)
    assert g1.seed == g2.seed != TeamModel(rng=np.random.default_rng(4), n_sprints=1).seed
    assert TeamModel(rng=np.random.SeedSequence(7)).seed == TeamModel(rng=np.random.SeedSequence(7)).seed
    with pytest.raises(ValueError, match="a seed or an rng, not both"):
        TeamModel(seed=1, rng=2)
    with pytest.raises(TypeError, match="must be a whole number >= 0, a sequence of them, a numpy Generator"):
        TeamModel(rng="five")
    with pytest.raises(ValueError, match=r"a seed must be a whole number from 0 to 2\*\*63 - 1; got -1"):
        TeamModel(rng=-1)
    with pytest.raises(ValueError, match="got 18446744073709551616"):
        TeamModel(seed=2**64)  # would have been the same run as seed 0
    assert TeamModel(rng=[1, 2]).seed == TeamModel(seed=[1, 2]).seed != TeamModel(rng=[2, 1]).seed
    assert TeamModel(rng=[5]).seed == TeamModel(rng=5).seed == 5  # as numpy seeds [5] like 5
    assert TeamModel(rng=np.random.PCG64(1)).seed == TeamModel(rng=np.random.PCG64(1)).seed
    # mesa.batch_run hands its rng values to the model's seed argument: the same values work there
    rows = mesa.batch_run(TeamModel, parameters={"pressure": [0.5]}, rng=[np.random.default_rng(1),
                                                                          np.random.SeedSequence(7), 3],
                          max_steps=2, number_processes=1, display_progress=False)
    assert len({r["customer_value"] for r in rows if r["Step"] == 2}) == 3
