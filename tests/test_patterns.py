"""Pattern-oriented modelling (Grimm et al. 2005): published qualitative patterns the default
model reproduces at once, none of them written into a rule.

Each test names its source; :mod:`pe_sim.patterns` runs the defaults with paired random numbers
(fixed seed, the same runs in every arm) and measures the figures; the tests check the pattern
with a margin a correct model passes every time. docs/ODD.md (§9.2) lists the measured figures.
"""

from pe_sim import patterns as pat


def test_better_before_worse_under_a_crunch():
    """Repenning & Sterman 2001: working harder raises output at once and lowers it later."""
    m = pat.measure_better_before_worse()
    assert m["early"] > 0.5  # better: overtime and shortcuts
    assert m["late"] < -0.3  # worse: burnout, debt and shortcuts come due
    assert m["value_crunch"] < m["value_base"]


def test_communication_has_an_interior_optimum():
    """Patrashkova-Volzdoska et al. 2003: performance rises, then falls, with communication
    frequency. Engineers' time in discovery and user research builds shared understanding and
    finds the right thing, with diminishing returns, and costs delivery time."""
    value = pat.measure_communication_optimum()
    assert value[0.1] > value[0.0] + 30
    assert value[0.1] > value[0.4] + 50


def test_pm_em_sync_time_has_an_interior_optimum():
    """Patrashkova-Volzdoska et al. 2003, for the PM-EM pair: syncs build shared understanding and
    trust with diminishing returns, and every sync hour comes out of the managers' budgets, so
    past a point the customer time, discovery, coordination and estimates they crowd out cost
    more than the alignment they add."""
    value = pat.measure_sync_optimum()
    assert value[12.0] > value[0.0] + 60
    assert value[12.0] > value[30.0] + 40


def test_schedule_pressure_has_an_interior_optimum():
    """Homer 1985; Abdel-Hamid & Madnick 1991: some schedule pressure raises sustained output
    (slack is absorbed first), more of it lowers output (overtime, shortcuts and burnout)."""
    velocity = pat.measure_pressure_optimum()
    assert velocity[0.4] > velocity[0.0] + 0.3
    assert velocity[0.4] > velocity[1.0] + 1.0


def test_adding_people_dips_throughput_then_raises_it_and_always_raises_cost():
    """Brooks 1975; Abdel-Hamid 1989: new people first cost their mentors' time."""
    m = pat.measure_hiring_wave()
    assert m["dip"] < -1.5  # the sprint after they join
    assert m["later"] > 2.0
    assert m["cost_ratio"] > 1.05  # engineer-sprints per unit of value


def test_customer_trust_is_lost_faster_than_it_is_rebuilt():
    """Slovic 1993; seed 003: an escalation takes in one sprint what takes many sprints to rebuild."""
    m = pat.measure_customer_trust()
    assert m["drop"] > 0.07
    assert m["back_after"] >= 3


def test_burnout_recovers_more_slowly_than_it_builds():
    """Maslach & Leiter 2016: after a crunch, burnout falls more slowly than it rose."""
    m = pat.measure_burnout_recovery()
    assert m["rise"] > 1.5 * m["fall"] > 0.0


def test_under_investing_teams_lose_a_quarter_to_a_third_of_capacity_to_debt():
    """Besker et al. 2018, 2019; Martini et al. 2018: 23-36% of development time is wasted on debt."""
    m = pat.measure_debt_loss()
    assert 0.23 <= m["split_10pct"] <= 0.36
    assert m["defaults"] < 0.15  # a team that invests loses far less


def test_annual_turnover_is_twelve_to_twenty_percent():
    """Voluntary turnover in software teams: 12-20% a year (two-week sprints, 26 a year)."""
    for mode, per_year in pat.measure_turnover().items():
        assert 0.12 <= per_year <= 0.20, mode


def test_discovery_builds_more_of_the_right_thing():
    """Kohavi et al. 2009: most ideas fail; discovery raises the value of what gets built."""
    right = pat.measure_right_thing()
    assert right[0.3] > right[0.0] + 0.015


def test_output_per_engineer_falls_with_team_size():
    """Brooks 1975: communication paths grow as n(n-1)/2."""
    per_engineer = pat.measure_team_size()
    assert per_engineer[16] < 0.9 * per_engineer[4]


def test_teams_overcommit_and_better_estimates_keep_promises():
    """Kahneman & Tversky 1979 (planning fallacy): commitments run over unless estimates are accurate."""
    m = pat.measure_planning_fallacy()
    assert m["defaults"] < 0.97
    assert m["no_optimism"] > m["defaults"] + 0.01
