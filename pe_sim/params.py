"""The parameter table: the single source of truth for every model parameter.

Each entry gives the name, unit, default, valid range (or choices) and a one-line meaning.
`pe-sim params` prints it, docs/ODD.md mirrors it, and config validation reads it.
Defaults anchored in published figures say so in ``source``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Param:
    name: str
    unit: str
    default: float | int | str | bool
    lo: float | None
    hi: float | None
    meaning: str
    group: str
    kind: str = "float"  # float | int | bool | choice
    choices: tuple[str, ...] = ()
    source: str = ""

    def describe_range(self) -> str:
        if self.kind == "choice":
            return " | ".join(self.choices)
        if self.kind == "bool":
            return "true | false"
        return f"[{self.lo:g}, {self.hi:g}]"


def _f(name, unit, default, lo, hi, meaning, group, source=""):
    return Param(name, unit, default, lo, hi, meaning, group, "float", (), source)


def _i(name, unit, default, lo, hi, meaning, group, source=""):
    return Param(name, unit, default, lo, hi, meaning, group, "int", (), source)


def _c(name, default, choices, meaning, group):
    return Param(name, "-", default, None, None, meaning, group, "choice", tuple(choices))


def _b(name, default, meaning, group):
    return Param(name, "-", default, None, None, meaning, group, "bool")


ROADMAP_MODES = ("one_roadmap", "split_backlogs")
CONFLICT_STYLES = ("fight", "avoid", "productive")
FEEDBACK_PRACTICES = ("none", "sbi")

PARAMS: tuple[Param, ...] = (
    # --- team and people -------------------------------------------------------------
    _i("n_engineers", "engineers", 6, 1, 40, "engineers on the team at sprint 0; with backfill on, leavers are replaced, so the team returns to this size unless a hiring wave grows it", "team"),
    _f("sprint_days", "days", 10, 5, 20, "working days in one sprint (one model step)", "team"),
    _f("skill_mean", "ideal-days/day", 1.0, 0.3, 2.0, "mean output of a fully ramped, rested engineer per working day", "team"),
    _f("skill_sd", "ideal-days/day", 0.2, 0.0, 0.6, "spread of engineer skill across people", "team"),
    _f("initial_tenure_sprints", "sprints", 26, 0, 260, "tenure of the starting engineers", "team"),
    _f("ramp_up_sprints", "sprints", 9, 1, 40, "sprints a new hire needs to reach full productivity", "team",
       "Zhou & Mockus 2010: 3-6 months to become productive (6-13 sprints)"),
    _f("ramp_start", "fraction", 0.25, 0.0, 1.0, "productivity of a new hire in their first sprint", "team"),
    _f("mentor_cost", "fraction of a sprint", 0.25, 0.0, 1.0, "mentor time a brand-new hire takes from the rest of the team, falling as they ramp up", "team"),
    _f("hiring_delay_sprints", "sprints", 6, 1, 52, "sprints from a departure until the replacement starts", "team"),
    _b("backfill", True, "whether leavers are replaced after the hiring delay", "team"),
    _f("base_attrition", "probability/sprint", 0.005, 0.0, 0.1, "chance an engineer leaves in a sprint for reasons outside the team", "team",
       "~12%/year voluntary turnover in software teams"),
    _f("burnout_attrition", "probability/sprint", 0.05, 0.0, 0.5, "extra leaving chance per sprint at full burnout (scales with burnout squared)", "team"),
    _f("disengaged_attrition", "probability/sprint", 0.01, 0.0, 0.5, "extra leaving chance per sprint at zero engagement (scales with disengagement squared)", "team"),
    _f("comm_hours_per_peer", "hours/sprint", 0.75, 0.0, 4.0, "coordination hours each engineer spends per teammate per sprint (paths grow as n(n-1)/2)", "team",
       "Brooks 1975: communication paths grow quadratically"),
    _f("coordination_hours", "hours/sprint", 3.0, 0.0, 10.0, "project-management hours per engineer the EM must supply if engineers own none of it", "team"),
    # --- work, debt and incidents ----------------------------------------------------
    _f("feature_value", "value/ideal-day", 1.0, 0.1, 10.0, "customer value of one ideal-day of the right feature work", "work"),
    _f("feature_size", "ideal-days", 8.0, 1.0, 100.0, "mean size of one shippable feature", "work"),
    _f("work_uncertainty", "log-sd", 0.25, 0.0, 1.0, "spread of true versus estimated effort of a sprint's committed work", "work"),
    _f("optimism_bias", "fraction", 0.25, 0.0, 1.0, "overestimate of capacity by a planner with zero estimation accuracy", "work",
       "planning fallacy (Kahneman & Tversky 1979)"),
    _f("delivery_noise", "log-sd", 0.1, 0.0, 0.5, "sprint-to-sprint noise in the team's output (a shared good or bad sprint)", "work"),
    _f("initial_debt", "debt-days", 50, 0, 1000, "technical debt at sprint 0", "work"),
    _f("debt_half_saturation", "debt-days", 70, 1, 2000, "debt at which drag reaches half its maximum", "work"),
    _f("max_debt_drag", "fraction", 0.6, 0.0, 0.9, "largest share of capacity debt can consume", "work",
       "defaults give 25% drag at sprint 0: Martini et al. 2018 (25%), Besker et al. 2018-19 (23-36%)"),
    _f("debt_interest", "fraction/sprint", 0.015, 0.0, 0.1, "growth of the debt stock per sprint when left alone (interest compounding)", "work"),
    _f("debt_per_feature_day", "debt-days/day", 0.12, 0.0, 1.0, "debt left by one ideal-day of careful feature work", "work"),
    _f("corner_cut_debt", "debt-days/day", 0.8, 0.0, 2.0, "extra debt per feature day at full corner-cutting", "work"),
    _f("corner_cut_speedup", "fraction", 0.25, 0.0, 1.0, "extra speed at full corner-cutting", "work"),
    _f("repay_efficiency", "debt-days/day", 1.0, 0.0, 3.0, "debt removed by one ideal-day of technical investment", "work"),
    _f("base_incident_rate", "incidents/sprint", 0.3, 0.0, 5.0, "expected incidents per sprint with no debt and a rested team", "work"),
    _f("incident_debt_rate", "incidents/sprint", 1.0, 0.0, 10.0, "extra expected incidents per sprint per debt_half_saturation of debt", "work"),
    _f("defect_factor", "multiplier", 1.0, 0.0, 5.0, "extra incident rate at full mean burnout and full corner-cutting (each contributes half)", "work"),
    _f("incident_cost_days", "ideal-days", 3.0, 0.0, 20.0, "unplanned work each incident takes", "work"),
    # --- customers ------------------------------------------------------------------------
    _f("initial_customer_trust", "0-1", 0.7, 0.0, 1.0, "customer trust at sprint 0", "customers"),
    _f("customer_trust_gain", "1/sprint", 0.05, 0.0, 0.5, "rate customer trust rises with the right work delivered as promised", "customers"),
    _f("incident_trust_loss", "fraction/incident", 0.03, 0.0, 0.3, "share of customer trust lost per incident", "customers"),
    # --- planning and pressure -----------------------------------------------------------------
    _c("roadmap_mode", "one_roadmap", ROADMAP_MODES, "one ranked roadmap, or split feature/tech backlogs with a set tech share", "planning"),
    _f("tech_share", "fraction", 0.2, 0.0, 1.0, "share of each sprint reserved for tech work in split_backlogs mode", "planning"),
    _f("tech_squeeze", "fraction", 0.8, 0.0, 1.0, "share of the tech reservation that full pressure can take back (split_backlogs)", "planning"),
    _f("tech_value_framing", "0-1", 0.3, 0.0, 1.0, "how measurably tech investments are framed (1: PM sees their full value)", "planning"),
    _f("pressure", "0-1", 0.4, 0.0, 1.0, "baseline schedule pressure from the business", "planning"),
    _f("push_scale", "fraction", 0.4, 0.0, 1.0, "most the PM asks above estimated capacity at full drive and pressure", "planning"),
    _f("buffer_scale", "fraction", 0.2, 0.0, 0.5, "most the EM holds back below estimated capacity to protect the team", "planning"),
    _f("scope_creep", "fraction", 0.0, 0.0, 1.0, "mean work added mid-sprint without re-planning, as a share of commitment", "planning"),
    # --- communication --------------------------------------------------------------------------
    _f("syncs_per_sprint", "meetings/sprint", 2, 0, 10, "PM-EM syncs per sprint (2 = weekly, 10 = daily)", "communication"),
    _f("sync_hours", "hours", 0.5, 0.0, 4.0, "length of one PM-EM sync", "communication"),
    _f("discovery_involvement", "fraction", 0.05, 0.0, 0.5, "share of engineer time in discovery and user research", "communication"),
    _f("early_warning", "0-1", 0.5, 0.0, 1.0, "habit of raising delivery risks early rather than at the review", "communication"),
    _f("comm_saturation_hours", "hours/sprint", 6.0, 0.5, 40.0, "shared-context hours at which alignment gain reaches 63% of its maximum", "communication"),
    _f("alignment_gain", "1/sprint", 0.2, 0.0, 1.0, "largest per-sprint gain in PM-EM-team alignment", "communication"),
    _f("alignment_decay", "1/sprint", 0.05, 0.0, 0.5, "per-sprint loss of alignment without communication", "communication"),
    _f("relationship_hours", "hours/sprint", 2.0, 0.1, 20.0, "PM-EM hours together at which the trust-building effect reaches 63%", "communication",
       "seed 004: a weekly 1:1 longer than coordination needs"),
    # --- practices ---------------------------------------------------------------------------------
    _c("conflict_style", "avoid", CONFLICT_STYLES, "how PM and EM resolve disagreements", "practices"),
    _c("feedback", "none", FEEDBACK_PRACTICES, "feedback practice after conflicts (sbi: situation-behaviour-impact)", "practices"),
    _f("blurry_line", "0-1", 0.3, 0.0, 1.0, "how far PM and EM can cover each other's work", "practices"),
    _f("pm_learns_tech", "fraction", 0.05, 0.0, 0.5, "share of PM time spent learning the technology", "practices"),
    _f("em_meets_customers", "fraction", 0.05, 0.0, 0.5, "share of EM time spent with customers", "practices"),
    _f("engineer_ownership", "0-1", 0.3, 0.0, 1.0, "how much engineers own their project management (0: EM is the bottleneck)", "practices"),
    _f("third_path_bonus", "fraction", 0.15, 0.0, 1.0, "extra customer value in the sprint after productive conflict finds a third path", "practices"),
    _f("feedback_effect", "fraction", 0.5, 0.0, 1.0, "how much SBI feedback amplifies trust repair and damps trust loss after conflict", "practices"),
    # --- motivators ---------------------------------------------------------------------------------
    _f("pm_w_customer_value", "weight", 1.0, 0.0, 1.0, "PM motivator: deliver customer value fast", "motivators"),
    _f("pm_w_competition", "weight", 0.6, 0.0, 1.0, "PM motivator: get ahead of the competition", "motivators"),
    _f("pm_w_money", "weight", 0.6, 0.0, 1.0, "PM motivator: make money for the business", "motivators"),
    _f("pm_w_ship_fast", "weight", 0.8, 0.0, 1.0, "PM joint motivator: ship fast", "motivators"),
    _f("pm_w_look_good", "weight", 0.5, 0.0, 1.0, "PM joint motivator: look good doing it", "motivators"),
    _f("em_w_right_way", "weight", 0.8, 0.0, 1.0, "EM motivator: build things the right way", "motivators"),
    _f("em_w_engineers", "weight", 0.8, 0.0, 1.0, "EM motivator: keep engineers motivated and challenged", "motivators"),
    _f("em_w_tech_debt", "weight", 0.7, 0.0, 1.0, "EM motivator: reduce technical debt", "motivators"),
    _f("em_w_ship_fast", "weight", 0.6, 0.0, 1.0, "EM joint motivator: ship fast", "motivators"),
    _f("em_w_look_good", "weight", 0.5, 0.0, 1.0, "EM joint motivator: look good doing it", "motivators"),
    _f("eng_w_growth", "weight", 0.7, 0.0, 1.0, "engineer motivator: challenge and growth", "motivators"),
    _f("eng_w_craft", "weight", 0.7, 0.0, 1.0, "engineer motivator: craft and quality", "motivators"),
    _f("eng_w_valued", "weight", 0.8, 0.0, 1.0, "engineer motivator: feeling valued", "motivators"),
    _f("eng_w_pace", "weight", 0.6, 0.0, 1.0, "engineer motivator: sustainable pace", "motivators"),
    _f("motivator_spread", "weight", 0.2, 0.0, 0.5, "spread (sd) of each engineer's own motivator weights around the team's eng_w_* values", "motivators"),
    # --- trust ---------------------------------------------------------------------------------------
    _f("initial_trust", "0-1", 0.5, 0.0, 1.0, "trust between every pair of roles at sprint 0", "trust"),
    _f("trust_gain_rate", "1/sprint", 0.08, 0.0, 0.5, "rate trust moves toward 1 on good signals", "trust"),
    _f("trust_loss_factor", "ratio", 3.0, 1.0, 10.0, "how much faster trust is lost than built", "trust",
       "Slovic 1993: trust is built slowly and destroyed quickly"),
    _f("shielding", "fraction", 0.3, 0.0, 1.0, "share of schedule pressure an engineer-minded EM keeps off the team", "trust"),
    # --- burnout and engagement -----------------------------------------------------------------------
    _f("initial_burnout", "0-1", 0.1, 0.0, 1.0, "burnout of every engineer at sprint 0", "burnout"),
    _f("initial_engagement", "0-1", 0.7, 0.0, 1.0, "mean engagement of the starting engineers", "burnout"),
    _f("burnout_rise_rate", "1/sprint", 0.15, 0.0, 1.0, "rate burnout builds under full stress", "burnout"),
    _f("burnout_recovery_ratio", "ratio", 0.4, 0.0, 1.0, "recovery rate as a share of the rise rate (recovery is slower)", "burnout",
       "Maslach & Leiter 2016: recovery from burnout is slower than its onset"),
    _f("overtime_max", "fraction", 0.5, 0.0, 1.0, "most extra hours an engineer works (0.5 = 60 h/week)", "burnout"),
    _f("overtime_efficiency_loss", "fraction", 0.15, 0.0, 0.7, "loss of hourly efficiency at 60 h/week (overtime 0.5), growing with the square root of overtime", "burnout",
       "Thomas & Raynar 1997: 50-60 h/week loses 10-15% efficiency (gives 10.6% at 50 h, 15% at 60 h)"),
    _f("burnout_output_loss", "fraction", 0.5, 0.0, 1.0, "output lost at full burnout", "burnout"),
)

BY_NAME: dict[str, Param] = {p.name: p for p in PARAMS}
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(p.group for p in PARAMS))


def defaults() -> dict[str, object]:
    """Default value of every parameter."""
    return {p.name: p.default for p in PARAMS}


def encode(name: str, value: object) -> float:
    """Numeric code the core uses for a parameter value (choices become their index)."""
    p = BY_NAME[name]
    if p.kind == "choice":
        return float(p.choices.index(value))
    return float(value)
