"""The per-sprint outcomes every run reports, with their meanings, in the order the kernel writes them.

Kept apart from the compiled engine so the command line and data tools can name outcomes without
loading numba (``pe_sim.core.engine.OUTCOMES`` is the same mapping).
"""

from __future__ import annotations

OUTCOMES: dict[str, str] = {
    "velocity": "estimated size (ideal-days) of the items finished this sprint",
    "committed": "estimated size of the items planned at the start of the sprint",
    "delivered": "committed times the share of the planned work done (say/do x committed), plus the estimated size of the work pulled in once the plan was done",
    "say_do": "share of the planned work done this sprint",
    "customer_value": "value customers got from the features shipped (outcomes)",
    "features_shipped": "features finished this sprint (outputs)",
    "ideas_killed": "feature ideas discovery dropped before they were built",
    "tech_share": "share of the commitment given to tech items",
    "tech_items_raised": "tech items raised by engineers and the EM this sprint",
    "tech_debt": "technical debt at the end of the sprint (debt-days)",
    "debt_drag": "share of capacity lost to debt drag this sprint",
    "debt_capacity_loss": "share of capacity lost to debt: drag plus incident work debt caused",
    "incidents": "incidents this sprint",
    "customer_trust": "customer trust at the end of the sprint (0-1)",
    "business_pressure": "pressure from the business after this sprint's results (0 to pressure_cap)",
    "customer_escalations": "customer escalations the team's incidents caused this sprint",
    "burnout_mean": "mean engineer burnout (0-1)",
    "burnout_max": "highest engineer burnout (0-1)",
    "engagement_mean": "mean engineer engagement (0-1)",
    "overtime_mean": "mean overtime share of normal hours",
    "corners_mean": "mean share of work done with shortcuts",
    "pushback": "share of engineers who pushed back on the commitment",
    "attrition": "engineers who left this sprint",
    "hires": "engineers who joined this sprint",
    "headcount": "engineers on the team at the end of the sprint",
    "expertise": "deep system expertise (how it fails, why it is built as it is) of the team's most expert engineer at the start of the sprint (0-1)",
    "trust_pm_em": "PM's trust in the EM (0-1)",
    "trust_em_pm": "EM's trust in the PM (0-1)",
    "trust_pm_eng": "PM's trust in the engineers (0-1)",
    "trust_em_eng": "EM's trust in the engineers (0-1)",
    "trust_eng_pm": "engineers' mean trust in the PM (0-1)",
    "trust_eng_em": "engineers' mean trust in the EM (0-1)",
    "comm_hours": "hours spent communicating (syncs, discovery, peer coordination, own project management)",
    "alignment": "shared understanding between PM, EM and engineers (0-1)",
    "right_thing": "true value per ideal-day of the features shipped, relative to an average idea (0 if none shipped)",
    "surprise": "shortfall not flagged early (0-1)",
    "conflicts_fight": "PM-EM conflicts resolved by fighting to win",
    "conflicts_avoid": "PM-EM conflicts avoided",
    "conflicts_productive": "PM-EM conflicts resolved productively",
    "third_paths": "conflicts that found a third path",
    "escalations": "PM-EM conflicts escalated to leadership",
    "engineer_escalations": "sprints in which unhappy engineers escalated (voice)",
    "pm_workload": "PM hours asked for / available",
    "em_workload": "EM hours asked for / available",
}

# Outcomes measured in work (the model's ideal-days): a calibrated team's unit (points per ideal-day) scales them.
WORK_OUTCOMES = frozenset({"velocity", "committed", "delivered"})


def meaning_in_team_unit(outcome: str) -> str:
    """A work outcome's meaning when it is given in a calibrated team's own unit."""
    return OUTCOMES[outcome].replace(" (ideal-days)", "") + " (in the team's unit, the calibration's points_per_day)"
