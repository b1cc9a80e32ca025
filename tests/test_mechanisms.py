"""Each mechanism of MODEL.md moves outcomes in the documented direction.

Fixed seeds and paired runs (common random numbers); margins are wide enough that a correct
model passes every time and narrow enough that a missing mechanism fails.
"""

import numpy as np
import pytest

from pe_sim.core import rules
from pe_sim.events import Event

from helpers import mean, sim


def test_more_debt_means_less_delivered():
    low, high = sim(initial_debt=20), sim(initial_debt=300)
    assert mean(high, "velocity", slice(0, 5)) < 0.85 * mean(low, "velocity", slice(0, 5))
    assert mean(high, "incidents", slice(0, 5)) > 1.5 * mean(low, "incidents", slice(0, 5))
    assert mean(high, "customer_trust", slice(-1, None)) < mean(low, "customer_trust", slice(-1, None))


def test_pressure_brings_overtime_burnout_and_debt():
    calm, pushed = sim(pressure=0.1), sim(pressure=0.9)
    assert mean(pushed, "overtime_mean") > mean(calm, "overtime_mean") + 0.02
    assert mean(pushed, "burnout_mean", slice(-5, None)) > mean(calm, "burnout_mean", slice(-5, None)) + 0.03
    assert mean(pushed, "committed", slice(0, 2)) > mean(calm, "committed", slice(0, 2))  # later, burnout shrinks capacity


def test_more_overtime_allowed_means_more_burnout():
    none, much = sim(overtime_max=0.0, pressure=0.8), sim(overtime_max=0.8, pressure=0.8)
    assert mean(none, "overtime_mean") == 0.0
    assert mean(much, "burnout_mean", slice(-5, None)) > mean(none, "burnout_mean", slice(-5, None))


def test_split_backlogs_tech_share_is_squeezed_by_pressure():
    calm = sim(roadmap_mode="split_backlogs", tech_share=0.3, pressure=0.0)
    pushed = sim(roadmap_mode="split_backlogs", tech_share=0.3, pressure=1.0)
    assert mean(calm, "tech_share") == pytest.approx(0.3)
    assert mean(pushed, "tech_share") < 0.27


def test_one_roadmap_invests_more_when_debt_hurts_more():
    low, high = sim(initial_debt=10), sim(initial_debt=300)
    assert mean(high, "tech_share", slice(0, 3)) > mean(low, "tech_share", slice(0, 3)) + 0.05


def test_measurable_framing_raises_tech_investment():
    vague, measured = sim(tech_value_framing=0.0), sim(tech_value_framing=1.0)
    assert mean(measured, "tech_share", slice(0, 5)) > mean(vague, "tech_share", slice(0, 5))
    assert mean(measured, "tech_debt", slice(-1, None)) < mean(vague, "tech_debt", slice(-1, None))


def test_no_tech_investment_lets_debt_grow():
    out = sim(roadmap_mode="split_backlogs", tech_share=0.0, sprints=40)
    assert mean(out, "tech_debt", slice(-1, None)) > 1.3 * 50


def test_communication_builds_alignment_with_diminishing_returns():
    a = [mean(sim(syncs_per_sprint=k, sync_hours=1.0, runs=60), "alignment", slice(-5, None)) for k in (0, 2, 4)]
    assert a[0] < a[1] < a[2]
    assert a[1] - a[0] > a[2] - a[1]


def test_communication_costs_capacity():
    few, many = sim(syncs_per_sprint=0, discovery_involvement=0.0), sim(syncs_per_sprint=10, discovery_involvement=0.4)
    assert mean(many, "comm_hours") > mean(few, "comm_hours") + 100
    assert mean(many, "velocity", slice(0, 3)) < mean(few, "velocity", slice(0, 3))


def test_communication_overhead_grows_with_team_size():
    quiet = dict(base_incident_rate=0.0, incident_debt_rate=0.0)  # incidents are a per-team load
    small, big = sim(n_engineers=4, **quiet), sim(n_engineers=16, **quiet)
    per_eng_small = mean(small, "comm_hours", slice(0, 1)) / 4
    per_eng_big = mean(big, "comm_hours", slice(0, 1)) / 16
    assert per_eng_big > per_eng_small + 5
    assert mean(big, "velocity", slice(0, 3)) / 16 < mean(small, "velocity", slice(0, 3)) / 4


def test_discovery_and_customer_contact_build_the_right_thing():
    base = sim(discovery_involvement=0.0, em_meets_customers=0.0)
    involved = sim(discovery_involvement=0.2, em_meets_customers=0.2)
    assert mean(involved, "right_thing", slice(-5, None)) > mean(base, "right_thing", slice(-5, None)) + 0.05


def test_early_warnings_reduce_surprises():
    silent, warned = sim(early_warning=0.0), sim(early_warning=1.0)
    assert mean(warned, "surprise") < 0.7 * mean(silent, "surprise")


def test_conflict_styles_shape_trust():
    fight, avoid, prod = (sim(conflict_style=s, runs=150) for s in ("fight", "avoid", "productive"))
    assert mean(fight, "conflicts_fight") > 0 and mean(avoid, "conflicts_avoid") > 0
    assert mean(prod, "conflicts_productive") > 0 and mean(prod, "third_paths") > 0
    assert mean(fight, "escalations") > 0 and mean(prod, "escalations") == 0
    end = slice(-5, None)
    assert mean(prod, "trust_pm_em", end) > mean(fight, "trust_pm_em", end) + 0.05
    assert mean(prod, "trust_em_pm", end) > mean(fight, "trust_em_pm", end) + 0.05


def test_sbi_feedback_softens_conflict_damage():
    none, sbi = sim(conflict_style="fight", feedback="none"), sim(conflict_style="fight", feedback="sbi")
    assert mean(sbi, "trust_em_pm", slice(-5, None)) > mean(none, "trust_em_pm", slice(-5, None))


def test_blurry_line_keeps_work_flowing_when_em_is_away():
    away = (Event.make("em_absent", 5, duration=4),)
    rigid = sim(events=away, blurry_line=0.0, engineer_ownership=0.0)
    blurry = sim(events=away, blurry_line=1.0, engineer_ownership=0.0)
    during = slice(5, 9)
    assert mean(blurry, "velocity", during) > mean(rigid, "velocity", during) + 1.0


def test_engineers_owning_project_management_removes_the_em_bottleneck():
    away = (Event.make("em_absent", 5, duration=4),)
    bottleneck = sim(events=away, engineer_ownership=0.0, blurry_line=0.0)
    owners = sim(events=away, engineer_ownership=1.0, blurry_line=0.0)
    assert mean(owners, "velocity", slice(5, 9)) > mean(bottleneck, "velocity", slice(5, 9)) + 2.0


def test_pm_learning_technology_raises_tech_investment():
    no, yes = sim(pm_learns_tech=0.0, tech_value_framing=0.0), sim(pm_learns_tech=0.3, tech_value_framing=0.0)
    # Early on the PM sees more of the debt's cost; later the lower debt needs less investment.
    assert mean(yes, "tech_share", slice(3, 8)) > mean(no, "tech_share", slice(3, 8))
    assert mean(yes, "tech_debt", slice(-1, None)) < mean(no, "tech_debt", slice(-1, None))


def test_scope_creep_breaks_commitments_and_adds_debt():
    none, creep = sim(scope_creep=0.0), sim(scope_creep=0.4)
    assert mean(creep, "say_do") < mean(none, "say_do") - 0.1
    assert mean(creep, "surprise") > mean(none, "surprise")


def test_burnout_drives_attrition_and_backfills_arrive_after_delay():
    out = sim(burnout_attrition=0.5, initial_burnout=0.9, hiring_delay_sprints=4, sprints=12, runs=100)
    left = out["attrition"][:, :3].sum(axis=1)
    assert left.mean() > 0.5
    assert out["hires"][:, :4].sum() == 0  # nobody can arrive before the delay
    assert out["hires"][:, 4:].sum() > 0
    no_backfill = sim(burnout_attrition=0.5, initial_burnout=0.9, backfill=False, sprints=12, runs=100)
    assert no_backfill["hires"].sum() == 0


def test_key_engineer_leaving_and_hiring_wave_change_headcount():
    out = sim(events=(Event.make("key_engineer_leaves", 3), Event.make("hiring_wave", 6, magnitude=4)),
              base_attrition=0.0, burnout_attrition=0.0, disengaged_attrition=0.0, hiring_delay_sprints=20)
    assert np.all(out["headcount"][:, 2] == 6)
    assert np.all(out["headcount"][:, 3] == 5)
    assert np.all(out["headcount"][:, 6] == 9)


def test_new_hires_ramp_up_and_cost_mentors():
    wave = (Event.make("hiring_wave", 2, magnitude=6),)
    out = sim(events=wave, base_attrition=0.0, burnout_attrition=0.0, disengaged_attrition=0.0)
    per_head = out["velocity"] / out["headcount"]
    assert per_head[:, 3].mean() < 0.8 * per_head[:, 1].mean()  # 6 newcomers dilute output and take mentoring
    assert per_head[:, 25].mean() > per_head[:, 3].mean() + 1.0  # they ramp up over months
    assert rules.ramp(type("P", (), {"ramp_start": 0.25, "ramp_up_sprints": 9})(), 9) == 1.0


def test_events_escalation_crunch_competitor():
    base = sim()
    esc = sim(events=(Event.make("customer_escalation", 5, magnitude=1.0),))
    assert mean(esc, "customer_trust", slice(5, 6)) < mean(base, "customer_trust", slice(5, 6)) - 0.1
    crunch = sim(events=(Event.make("deadline_crunch", 5, duration=5, magnitude=0.8),))
    assert mean(crunch, "overtime_mean", slice(5, 10)) > mean(base, "overtime_mean", slice(5, 10)) + 0.03
    comp = sim(events=(Event.make("competitor_launch", 5, duration=5, magnitude=1.0),))
    assert mean(comp, "customer_value", slice(5, 10)) < mean(base, "customer_value", slice(5, 10))
    pm_away = sim(events=(Event.make("pm_absent", 5, duration=3),))
    assert mean(pm_away, "comm_hours", slice(5, 8)) < mean(base, "comm_hours", slice(5, 8))


def test_motivators_steer_decisions():
    assert mean(sim(pm_w_ship_fast=1.0, pm_w_money=1.0), "committed", slice(0, 3)) > \
        mean(sim(pm_w_ship_fast=0.0, pm_w_money=0.0), "committed", slice(0, 3))
    assert mean(sim(em_w_tech_debt=1.0), "tech_share", slice(0, 5)) > mean(sim(em_w_tech_debt=0.0), "tech_share", slice(0, 5))
    assert mean(sim(eng_w_pace=1.0, pressure=0.8), "overtime_mean") < mean(sim(eng_w_pace=0.0, pressure=0.8), "overtime_mean")
    careful = sim(eng_w_craft=1.0, pressure=0.8, roadmap_mode="split_backlogs", tech_share=0.1)
    sloppy = sim(eng_w_craft=0.0, pressure=0.8, roadmap_mode="split_backlogs", tech_share=0.1)
    assert mean(careful, "tech_debt", slice(-1, None)) < mean(sloppy, "tech_debt", slice(-1, None))


def test_one_roadmap_beats_split_backlogs_on_defaults():
    one = sim(roadmap_mode="one_roadmap", tech_value_framing=0.6, sprints=52)
    split = sim(roadmap_mode="split_backlogs", sprints=52)
    assert one["customer_value"].sum(axis=1).mean() > split["customer_value"].sum(axis=1).mean()
    assert mean(one, "burnout_mean", slice(-1, None)) < mean(split, "burnout_mean", slice(-1, None))


def test_escalation_follows_the_losers_stake():
    keen = dict(conflict_style="fight", em_w_right_way=1.0, em_w_engineers=1.0, em_w_tech_debt=1.0,
                pm_w_customer_value=1.0, pm_w_money=1.0, pm_w_ship_fast=1.0)
    indifferent = dict(conflict_style="fight", em_w_right_way=0.1, em_w_engineers=0.1, em_w_tech_debt=0.1,
                       pm_w_customer_value=0.1, pm_w_money=0.1, pm_w_ship_fast=0.1)
    assert mean(sim(**keen), "escalations") > 2 * mean(sim(**indifferent), "escalations")


def test_engineers_differ_by_their_own_motivators():
    from pe_sim.model import TeamModel

    def spread_of_burnout(spread):
        model = TeamModel(scenario="split_backlogs", seed=3, motivator_spread=spread,
                          base_attrition=0.0, burnout_attrition=0.0, disengaged_attrition=0.0)
        for _ in range(20):
            model.step()
        burnout = [e.burnout for e in model.engineers]
        return max(burnout) - min(burnout), model

    same, _ = spread_of_burnout(0.0)
    varied, model = spread_of_burnout(0.4)
    assert varied > same + 0.03
    by_pace = sorted(model.engineers, key=lambda e: e.motivators["pace"])
    careless, careful = by_pace[0], by_pace[-1]
    assert careless.motivators["pace"] < careful.motivators["pace"]
    # Under the same pressure and engagement, the one who values a sustainable pace works less overtime.
    assert rules.overtime(careful.prefs, 0.5, 0.7) < rules.overtime(careless.prefs, 0.5, 0.7)
