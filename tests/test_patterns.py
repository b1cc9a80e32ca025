"""Pattern-oriented modelling (Grimm et al. 2005): published qualitative patterns the default
model reproduces at once, none of them written into a rule.

Each test names its source, runs the defaults with paired random numbers (fixed seeds, the same
runs in both arms) and checks the pattern with a margin a correct model passes every time.
docs/ODD.md ("Patterns") lists them with the measured figures.
"""

import numpy as np

from pe_sim.events import Event

from helpers import mean, sim

RUNS, SPRINTS = 300, 52


def run(**kw):
    return sim(runs=RUNS, sprints=SPRINTS, **kw)


def per_sprint(out, key):
    return out[key].mean(axis=0)


def test_better_before_worse_under_a_crunch():
    """Repenning & Sterman 2001: working harder raises output at once and lowers it later."""
    base = run()
    crunch = run(events=(Event.make("deadline_crunch", 10, 8, 0.8),))
    diff = per_sprint(crunch, "velocity") - per_sprint(base, "velocity")
    assert diff[10:13].mean() > 0.5  # better: overtime and shortcuts
    assert diff[17:24].mean() < -0.3  # worse: burnout, debt and shortcuts come due
    assert crunch["customer_value"][:, 10:].sum() < base["customer_value"][:, 10:].sum()


def test_communication_has_an_interior_optimum():
    """Patrashkova-Volzdoska et al. 2003: performance rises, then falls, with communication
    frequency. Engineers' time in discovery and user research builds shared understanding and
    finds the right thing, with diminishing returns, and costs delivery time."""
    value = {d: run(discovery_involvement=d)["customer_value"].sum(axis=1).mean() for d in (0.0, 0.1, 0.4)}
    assert value[0.1] > value[0.0] + 30
    assert value[0.1] > value[0.4] + 50


def test_adding_people_dips_throughput_then_raises_it_and_always_raises_cost():
    """Brooks 1975; Abdel-Hamid 1989: new people first cost their mentors' time."""
    base = run()
    wave = run(events=(Event.make("hiring_wave", 20, 1, 3),))
    diff = per_sprint(wave, "velocity") - per_sprint(base, "velocity")
    assert diff[21] < -1.5  # the sprint after they join
    assert diff[24:30].mean() > 2.0
    cost = lambda o: (o["headcount"][:, 20:].sum(axis=1) / o["customer_value"][:, 20:].sum(axis=1)).mean()  # noqa: E731
    assert cost(wave) > 1.05 * cost(base)  # engineer-sprints per unit of value


def test_customer_trust_is_lost_faster_than_it_is_rebuilt():
    """Slovic 1993; seed 003: an escalation takes in one sprint what takes many sprints to rebuild."""
    trust = per_sprint(run(events=(Event.make("customer_escalation", 10, 1, 1.0),)), "customer_trust")
    drop = trust[9] - trust[10]
    assert drop > 0.07
    back = np.argmax(trust[11:] >= trust[9]) + 1  # sprints until trust is back where it was
    assert back >= 3


def test_burnout_recovers_more_slowly_than_it_builds():
    """Maslach & Leiter 2016: after a crunch, burnout falls more slowly than it rose."""
    burnout = per_sprint(run(events=(Event.make("deadline_crunch", 10, 8, 0.8),)), "burnout_mean")
    peak = 10 + int(np.argmax(burnout[10:24]))
    rise_rate = (burnout[peak] - burnout[9]) / (peak - 9)
    fall_rate = (burnout[peak] - burnout[peak + 10]) / 10
    assert rise_rate > 1.5 * fall_rate > 0.0


def test_under_investing_teams_lose_a_quarter_to_a_third_of_capacity_to_debt():
    """Besker et al. 2018, 2019; Martini et al. 2018: 23-36% of development time is wasted on debt."""
    loss = mean(run(roadmap_mode="split_backlogs", tech_share=0.1), "debt_capacity_loss")
    assert 0.23 <= loss <= 0.36
    assert mean(run(), "debt_capacity_loss") < 0.15  # a team that invests loses far less


def test_annual_turnover_is_twelve_to_twenty_percent():
    """Voluntary turnover in software teams: 12-20% a year (two-week sprints, 26 a year)."""
    for mode in ("one_roadmap", "split_backlogs"):
        out = run(roadmap_mode=mode)
        per_year = out["attrition"].sum(axis=1).mean() / 6 / (SPRINTS / 26)
        assert 0.12 <= per_year <= 0.20, mode


def test_discovery_builds_more_of_the_right_thing():
    """Kohavi et al. 2009: most ideas fail; discovery raises the value of what gets built."""
    assert mean(run(discovery_involvement=0.3), "right_thing") > mean(run(discovery_involvement=0.0), "right_thing") + 0.015


def test_output_per_engineer_falls_with_team_size():
    """Brooks 1975: communication paths grow as n(n-1)/2."""
    small, big = run(n_engineers=4), run(n_engineers=16)
    assert mean(big, "velocity") / 16 < 0.9 * mean(small, "velocity") / 4


def test_teams_overcommit_and_better_estimates_keep_promises():
    """Kahneman & Tversky 1979 (planning fallacy): commitments run over unless estimates are accurate."""
    assert mean(run(), "say_do") < 0.97
    assert mean(run(optimism_bias=0.0), "say_do") > mean(run(), "say_do") + 0.01


def test_schedule_pressure_has_an_interior_optimum():
    """Homer 1985; Abdel-Hamid & Madnick 1991: some schedule pressure raises sustained output
    (slack is absorbed first), more of it lowers output (overtime, shortcuts and burnout)."""
    velocity = {x: mean(run(pressure=x), "velocity") for x in (0.0, 0.4, 1.0)}
    assert velocity[0.4] > velocity[0.0] + 0.3
    assert velocity[0.4] > velocity[1.0] + 1.0
