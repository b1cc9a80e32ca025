"""Plain-language text for the workshop dashboard and the HTML handout.

Everything a room of PMs and EMs reads lives here, so the dashboard and the report say the same
thing in the same words. No Solara import: the report uses this module without the dashboard extras.
"""

from __future__ import annotations

# One sentence under every plot, for people who do not build models.
CAPTIONS: dict[str, str] = {
    "customer_value": "How much the work shipped each sprint actually helped customers: building the right "
                      "thing counts, merely building things does not.",
    "velocity": "How much work the team finished each sprint; watch it sag when tech debt, burnout or "
                "incidents eat the team's time.",
    "tech_debt": "The shortcuts piling up in the code: when this line climbs, every later sprint gets slower "
                 "and riskier.",
    "incidents_trust": "Bars are the incidents customers hit each sprint and the line is how far customers "
                       "trust the product (0 = not at all, 1 = fully).",
    "incidents": "Outages and bugs customers hit each sprint; they rise with tech debt, tired engineers "
                 "and cut corners.",
    "customer_trust": "How far customers trust the product (0 to 1): it grows with reliable delivery of the "
                      "right things and drops with every incident.",
    "trust": "How much the PM and EM trust each other, and how much engineers trust their managers: "
             "trust is built slowly and lost quickly.",
    "trust_pm_em": "How much the PM trusts the EM (0 to 1): built slowly by kept promises and time together, "
                   "lost quickly to surprises and fights.",
    "trust_eng_em": "How much engineers trust their EM (0 to 1): it falls when pressure lands on them and "
                    "rises when they are shielded and heard.",
    "burnout": "Average (solid) and worst (dashed) burnout on the team: burned-out people work slower, make "
               "more mistakes and leave.",
    "burnout_mean": "Average engineer burnout (0 to 1): it builds under overtime and pressure and recovers "
                    "more slowly than it built.",
    "team": "Each card is one engineer: bars show burnout (green to red), ramp-up (blue, months) and deep "
            "expertise (purple, years; a key engineer leaving takes theirs), and joiners and leavers are marked.",
}

# Titles of the dashboard's plots (the report uses pe_sim.plots titles for its own panels).
TITLES: dict[str, str] = {
    "customer_value": "Customer value delivered",
    "velocity": "Velocity (work finished per sprint)",
    "tech_debt": "Technical debt",
    "incidents_trust": "Incidents and customer trust",
    "trust": "Trust between roles",
    "burnout": "Burnout",
    "team": "The team, one card per engineer",
}

# Event buttons: event kind -> (button label, what it does, in one sentence).
EVENT_BUTTONS: dict[str, tuple[str, str]] = {
    "customer_escalation": ("Customer escalation", "A big customer escalates: trust drops, unplanned work lands "
                                                   "and pressure rises for a couple of sprints."),
    "deadline_crunch": ("Deadline crunch", "Leadership sets a hard deadline: four sprints of extra pressure."),
    "key_engineer_leaves": ("Key engineer leaves", "The team's most expert engineer resigns today, and their deep knowledge of the system goes with them."),
    "pm_absent": ("PM away", "The PM is away for two sprints; how well the EM covers depends on the blurry line."),
    "hiring_wave": ("Hiring wave", "Three new engineers join at once and need onboarding."),
    "team_size": ("Reorganisation", "Two engineers, the newest, move to another team; no one replaces them."),
}

# Practice controls a room argues about: parameter -> (label, plain-language help).
PRACTICE_LABELS: dict[str, tuple[str, str]] = {
    "roadmap_mode": ("Roadmap", "one ranked roadmap, or split feature and tech backlogs"),
    "tech_share": ("Tech share (split backlogs)", "share of each sprint reserved for tech work"),
    "syncs_per_sprint": ("PM-EM syncs per sprint", "2 = weekly, 10 = daily"),
    "discovery_involvement": ("Engineers in discovery", "share of engineer time with users and research"),
    "conflict_style": ("Conflict style", "fight to win, avoid, or productive conflict"),
    "feedback": ("Feedback practice", "none, or situation-behaviour-impact (sbi)"),
    "pressure": ("Business pressure", "baseline schedule pressure, 0 to 1"),
}

CHOICE_LABELS: dict[str, str] = {
    "one_roadmap": "one roadmap",
    "split_backlogs": "split backlogs",
    "fight": "fight to win",
    "avoid": "avoid",
    "productive": "productive",
    "none": "none",
    "sbi": "SBI feedback",
}

# Plain-language names of outcomes for the handout's tables and sentences.
OUTCOME_NAMES: dict[str, str] = {
    "customer_value": "customer value delivered",
    "features_shipped": "features shipped",
    "velocity": "velocity",
    "tech_debt": "technical debt",
    "incidents": "incidents",
    "customer_trust": "customer trust",
    "burnout_mean": "mean burnout",
    "burnout_max": "worst burnout",
    "attrition": "engineers who left",
    "trust_pm_em": "PM's trust in the EM",
    "trust_em_pm": "EM's trust in the PM",
    "trust_eng_em": "engineers' trust in the EM",
    "trust_eng_pm": "engineers' trust in the PM",
    "alignment": "alignment",
}

REDUCTION_WORDS = {"final": "at the last sprint", "total": "summed over all sprints", "mean": "average per sprint"}
