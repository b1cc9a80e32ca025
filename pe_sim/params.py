"""The parameter table: the single source of truth for every model parameter.

Each entry gives the name, unit, default, valid range (or choices) and a one-line meaning.
`pe-sim params` prints it, docs/ODD.md mirrors it, and config validation reads it.
Defaults anchored in published figures say so in ``source``. A unit "/sprint", or a duration in
sprints, is per sprint of ``reference_sprint_days`` working days; the rules scale it to the run's
``sprint_days`` (docs/ODD.md section 2.3).
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

    @property
    def a_kind(self) -> str:
        """The kind of value it takes, for messages ("an integer", "a number", ...)."""
        return {"int": "an integer", "float": "a number", "bool": "a boolean"}.get(self.kind, "a choice")

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

A = "assumption"  # the source of a value no publication anchors

PARAMS: tuple[Param, ...] = (
    # --- team and people -------------------------------------------------------------
    _i("n_engineers", "engineers", 6, 1, 40, "engineers on the team at sprint 0; with backfill on, leavers are replaced, so the team returns to this size unless a hiring wave grows it", "team", "seed 003: a product squad"),
    _f("sprint_days", "days", 10, 5, 20, "working days in one sprint (one model step); the per-sprint rates and durations in sprints are stated for a sprint of reference_sprint_days and scale with it (ODD 2.3)", "team", "Scrum Guide: sprints of one month or less; two weeks is common"),
    _f("reference_sprint_days", "days", 10, 1, 30, "sprint length the per-sprint rates are stated for: rates in a /sprint unit, chances per sprint and durations in sprints are per sprint of this many working days, scaled to sprint_days where they act (ODD 2.3)", "team", "assumption: the default two-week sprint"),
    _f("hours_per_day", "hours", 8, 4, 12, "normal working hours in a day", "team", "a standard 40-hour week"),
    _f("skill_mean", "ideal-days/day", 1.0, 0.3, 2.0, "mean output of a fully ramped, rested engineer per working day", "team", "definition of an ideal-day"),
    _f("skill_sd", "ideal-days/day", 0.2, 0.0, 0.6, "spread of engineer skill across people", "team", A),
    _f("skill_min", "ideal-days/day", 0.3, 0.05, 1.0, "lowest skill a hire can have", "team", A),
    _f("skill_max", "ideal-days/day", 2.5, 1.0, 5.0, "highest skill a hire can have", "team", A),
    _f("initial_tenure_sprints", "sprints", 26, 0, 260, "mean tenure of the starting engineers (each drawn uniformly between 0 and twice this)", "team", A),
    _f("ramp_start", "fraction", 0.15, 0.0, 1.0, "system knowledge, and so productivity, of a new hire in their first sprint", "team", A),
    _f("knowledge_rate", "1/sprint", 0.2, 0.01, 1.0, "share of missing system knowledge an engineer learns per sprint with a knowledgeable teammate", "team",
       "new hires reach ~90% productivity after 3-6 months (Zhou & Mockus 2010; Rigby et al. 2016): 0.2 gives 90% after ~10 sprints"),
    _f("expertise_rate", "1/sprint", 0.03, 0.0, 1.0, "share of missing deep expertise (how the system fails and why it is built as it is) an engineer gains per sprint beside an expert", "team",
       "Zhou & Mockus 2010: developers do not become fluent for at least three years in large projects; beside a full expert 0.03 gives 63% after ~1.3 years and 91% after ~3 if nothing went stale, 59% and 80% with the default expertise_decay (assumption for the exact rate)"),
    _f("expertise_decay", "1/sprint", 0.005, 0.0, 0.2, "share of an engineer's deep expertise that goes stale each sprint as the system changes around them", "team",
       "assumption (familiarity with code fades as others change it: Fritz et al. 2010); with expertise_rate 0.03 a lone learner beside a full expert levels off at 0.03 / 0.035 = 0.86"),
    _f("self_study", "fraction", 0.3, 0.0, 1.0, "learning speed without anyone who knows the system, as a share of learning with an expert", "team", A),
    _f("mentor_cost", "fraction of a sprint", 0.3, 0.0, 1.0, "mentor time a brand-new hire takes from the rest of the team, falling as they learn", "team",
       "Brooks 1975; Abdel-Hamid 1989: training overhead of new staff (20-25% of an experienced member's time)"),
    _f("hiring_delay_sprints", "sprints", 6, 1, 52, "sprints from a departure until the replacement starts", "team", "time to hire a software engineer: 2-4 months"),
    _b("backfill", True, "whether leavers are replaced after the hiring delay", "team"),
    _f("base_attrition", "probability/sprint", 0.004, 0.0, 0.1, "chance an engineer leaves in a sprint for reasons outside the team", "team",
       "total voluntary turnover of 12-20%/year in software teams; this outside part ~10%/year"),
    _f("burnout_attrition", "probability/sprint", 0.05, 0.0, 0.5, "extra leaving chance per sprint at full burnout (scales with burnout squared)", "team", A),
    _f("dissatisfied_attrition", "probability/sprint", 0.1, 0.0, 1.0, "extra leaving chance per sprint when staying is worth nothing against the outside option (scales with the gap squared)", "team", A),
    _f("outside_option", "0-1", 0.55, 0.0, 1.0, "satisfaction an engineer expects elsewhere: below it they think of leaving or speak up", "team", A),
    _f("loyalty", "fraction", 0.5, 0.0, 1.0, "share of dissatisfied leaving held back by full trust in the EM (Hirschman 1970: loyalty delays exit)", "team", A),
    _f("comm_hours_per_peer", "hours/sprint", 0.75, 0.0, 4.0, "coordination hours each engineer spends per teammate per sprint (paths grow as n(n-1)/2)", "team",
       "Brooks 1975: communication paths grow quadratically"),
    _f("coordination_hours", "hours/sprint", 3.0, 0.0, 10.0, "project-management hours each engineer's work needs per sprint, supplied by the EM or by the engineer who owns it", "team", A),
    _f("uncoordinated_output", "fraction", 0.6, 0.0, 1.0, "share of output kept when none of the needed coordination gets done", "team", A),
    # --- managers' time and learning --------------------------------------------------------
    _f("pm_customer_share", "fraction", 0.3, 0.0, 0.8, "share of PM time with customers and the market", "managers", "seed 000: the PM in close contact with end-users; assumption for the share"),
    _f("customer_hours_full", "hours/sprint", 24, 1, 80, "PM customer hours per sprint at which insight grows at full speed", "managers", A),
    _f("pm_admin_share", "fraction", 0.5, 0.0, 0.8, "share of PM time on stakeholders, roadmap and reporting", "managers", A),
    _f("pm_discovery_host", "hours/hour", 0.25, 0.0, 1.0, "PM hours spent preparing and hosting each engineer-hour of discovery", "managers", A),
    _f("em_admin_share", "fraction", 0.5, 0.0, 0.8, "share of EM time on reporting, hiring pipeline, process and cross-team work", "managers", A),
    _f("one_on_one_hours", "hours/sprint", 1.0, 0.0, 4.0, "EM hours per engineer per sprint in 1:1s and career care", "managers", "a 30-minute weekly 1:1 per report"),
    _f("interview_hours", "hours/sprint", 8.0, 0.0, 40.0, "EM hours per sprint for each open position (screening, interviews, debriefs)", "managers", A),
    _f("onboarding_hours", "hours/sprint", 4.0, 0.0, 20.0, "EM hours per sprint for each engineer still onboarding", "managers", A),
    _f("escalation_hours", "hours", 6.0, 0.0, 40.0, "hours each manager spends on one escalation (the next sprint)", "managers", A),
    _f("turf_hours", "hours/sprint", 4.0, 0.0, 20.0, "hours each manager spends settling who owns what when the line between the roles is sharp (blurry_line 0)", "managers",
       "seed 004: the EM/PM turf battle's mental overhead"),
    _f("cover_share", "fraction", 0.25, 0.0, 1.0, "share of their time a manager gives to covering an absent partner, at full blurry line", "managers", "seed 002: resilience during absence"),
    _f("overload_estimate_loss", "fraction", 0.5, 0.0, 1.0, "share of estimation accuracy an EM with no discretionary time left loses", "managers", A),
    _f("initial_pm_insight", "0-1", 0.5, 0.0, 1.0, "PM's customer insight at sprint 0", "managers", A),
    _f("initial_pm_tech", "0-1", 0.3, 0.0, 1.0, "PM's understanding of the technology at sprint 0", "managers", A),
    _f("initial_em_customer", "0-1", 0.3, 0.0, 1.0, "EM's understanding of customers at sprint 0", "managers", A),
    _f("initial_em_estimation", "0-1", 0.6, 0.0, 1.0, "EM's estimation accuracy at sprint 0", "managers", A),
    _f("insight_rate", "1/sprint", 0.2, 0.0, 1.0, "rate PM customer insight rises at full customer time", "managers", A),
    _f("insight_decay", "1/sprint", 0.05, 0.0, 0.5, "per-sprint decay of PM customer insight (markets move)", "managers", A),
    _f("competitor_churn", "multiplier", 2.0, 0.0, 10.0, "how much faster insight dates while a competitor's launch reshapes the market", "managers", A),
    _f("learn_rate", "1/sprint", 0.1, 0.0, 1.0, "rate PM tech understanding, EM customer understanding and engineers' user knowledge rise at full effort", "managers", A),
    _f("learn_decay", "1/sprint", 0.02, 0.0, 0.5, "per-sprint decay of learned understanding", "managers", A),
    _f("learn_hours_full", "hours/sprint", 16, 1, 80, "hours per sprint at which learning runs at full effort", "managers", A),
    _f("estimation_rate", "1/sprint", 0.1, 0.0, 1.0, "per-sprint rate EM estimation accuracy moves toward its target", "managers", A),
    _f("estimation_base", "0-1", 0.25, 0.0, 1.0, "estimation accuracy with no alignment, no ownership and the worst debt", "managers", A),
    _f("estimation_w_alignment", "0-1", 0.35, 0.0, 1.0, "accuracy gained from full alignment (the rest of 1 - base comes from ownership and a clean codebase)", "managers", A),
    _f("estimation_w_ownership", "0-1", 0.2, 0.0, 1.0, "accuracy gained when engineers own all their project management", "managers", A),
    # --- work, items, debt and incidents ----------------------------------------------------
    _f("feature_value", "value/ideal-day", 1.0, 0.1, 10.0, "mean customer value of one ideal-day of feature work (the value unit)", "work", "definition of the value unit"),
    _f("feature_size", "ideal-days", 8.0, 1.0, 100.0, "mean estimated size of a feature idea", "work", A),
    _f("size_sd", "log-sd", 0.5, 0.0, 1.5, "spread of item sizes", "work", A),
    _f("idea_value_sd", "log-sd", 1.0, 0.0, 2.0, "spread of ideas' true value per day: most are worth little, a few a lot", "work",
       "Kohavi et al. 2009: only about a third of ideas improve the metric they were designed to improve"),
    _f("idea_uncertainty", "log-sd", 1.0, 0.0, 2.0, "error of the PM's first estimate of an idea's value, before discovery", "work", A),
    _f("ideas_per_sprint", "ideas/sprint", 12.0, 0.0, 30.0, "mean new feature ideas per sprint (Poisson), as far as the feature backlog has room: more than the team can build, so ideas compete", "work", "seed 002: there is usually plenty of high-impact work; assumption for the number"),
    _i("feature_backlog_items", "items", 24, 2, 64, "size of the feature backlog (ideas waiting or in progress)", "work", A),
    _i("tech_backlog_items", "items", 8, 1, 64, "size of the tech backlog", "work", A),
    _i("initial_tech_items", "items", 8, 0, 64, "tech items known at sprint 0", "work", A),
    _f("kill_threshold", "fraction", 0.3, 0.0, 2.0, "discovery drops ideas whose estimated value per day falls below this share of feature_value", "work", A),
    _f("discovery_rate", "1/sprint", 0.5, 0.0, 1.0, "largest share of an idea's estimate error discovery closes per sprint", "work", A),
    _f("discovery_w_pm", "0-1", 0.5, 0.0, 1.0, "weight of the PM's customer insight and time in discovery", "work", "seeds 000, 004"),
    _f("discovery_w_engineers", "0-1", 0.3, 0.0, 1.0, "weight of engineers' user knowledge and involvement in discovery", "work", "seeds 001, 002"),
    _f("discovery_w_em", "0-1", 0.2, 0.0, 1.0, "weight of the EM's customer understanding in discovery", "work", "seed 002"),
    _f("work_uncertainty", "log-sd", 0.25, 0.0, 1.0, "spread of an item's true effort around its estimate", "work", A),
    _f("optimism_bias", "fraction", 0.25, 0.0, 1.0, "overestimate of capacity by a planner with zero estimation accuracy", "work",
       "planning fallacy (Kahneman & Tversky 1979)"),
    _f("delivery_noise", "log-sd", 0.1, 0.0, 0.5, "sprint-to-sprint noise in the team's output (a shared good or bad sprint)", "work", A),
    _f("tech_item_size", "ideal-days", 3.0, 0.5, 40.0, "mean size of a tech item", "work", "seed 003: tech investments tightly scoped and iterative"),
    _f("tech_value_sd", "log-sd", 0.5, 0.0, 2.0, "spread of the debt tech items remove per day of work", "work", A),
    _f("payback_sprints", "sprints", 13, 1, 52, "horizon over which planners count a tech item's savings", "work", A),
    _f("initial_debt", "debt-days", 50, 0, 1000, "technical debt at sprint 0", "work", A),
    _f("debt_half_saturation", "debt-days", 45, 1, 2000, "debt at which its burden (drag and debt-caused incidents) reaches half its maximum", "work", A),
    _f("debt_drag_shape", "exponent", 2.0, 1.0, 4.0, "steepness of drag in debt: above 1, a little debt costs little and drag rises steeply before it saturates", "work", A),
    _f("max_debt_drag", "fraction", 0.3, 0.0, 0.9, "largest share of capacity debt drag can consume", "work",
       "with the other debt defaults, a team that under-invests loses 23-36% of capacity to debt (Besker et al. 2018, 2019; Martini et al. 2018)"),
    _f("debt_interest", "fraction/sprint", 0.01, 0.0, 0.1, "growth of the debt stock per sprint when left alone (interest compounding)", "work", A),
    _f("debt_per_feature_day", "debt-days/day", 0.12, 0.0, 1.0, "debt left by one ideal-day of careful feature work", "work", A),
    _f("corner_cut_debt", "debt-days/day", 0.8, 0.0, 2.0, "extra debt per feature day at full corner-cutting", "work", A),
    _f("corner_cut_speedup", "fraction", 0.25, 0.0, 1.0, "extra speed at full corner-cutting", "work", A),
    _f("repay_efficiency", "debt-days/day", 1.0, 0.0, 3.0, "mean debt removed by one ideal-day of tech work", "work", A),
    _f("pull_in", "fraction", 1.0, 0.0, 1.0, "share of the time left once the sprint's plan is done that the team spends on the next items of its ranking (the rest is slack); 0 makes luck a free lunch (ODD 7.3)", "work",
       "assumption; the Scrum Guide 2020 lets Developers add work to the Sprint Backlog during the Sprint"),
    _f("slack_repay", "fraction", 0.5, 0.0, 1.0, "share of slack days engineers spend on small clean-ups", "work", A),
    _f("base_incident_rate", "incidents/sprint", 0.3, 0.0, 5.0, "expected incidents per sprint with no debt, a rested team and full expertise", "work", A),
    _f("incident_debt_rate", "incidents/sprint", 1.0, 0.0, 10.0, "extra expected incidents per sprint when debt has fully taken hold of the code (debt burden 1)", "work", A),
    _f("defect_factor", "multiplier", 1.0, 0.0, 5.0, "extra incident rate at full mean burnout and full corner-cutting", "work", A),
    _f("defect_w_burnout", "0-1", 0.5, 0.0, 1.0, "share of defect_factor due to burnout (the rest to corner-cutting)", "work", A),
    _f("knowledge_incident_factor", "multiplier", 1.0, 0.0, 5.0, "extra incident rate when nobody on the team has deep expertise of the system (the team's expertise is its most expert engineer's)", "work", A),
    _f("incident_cost_days", "ideal-days", 3.0, 0.0, 20.0, "unplanned work each incident takes", "work", A),
    _f("scope_creep", "fraction", 0.0, 0.0, 1.0, "mean work added mid-sprint without re-planning, as a share of commitment", "work", "seed 001: scope creep without reassessing"),
    _f("creep_value", "fraction", 0.5, 0.0, 1.0, "value per day of unvetted scope-creep work, as a share of feature_value", "work", A),
    # --- customers and the business ---------------------------------------------------------------
    _f("initial_customer_trust", "0-1", 0.7, 0.0, 1.0, "customer trust at sprint 0", "customers", A),
    _f("expected_customer_trust", "0-1", 0.7, 0.0, 1.0, "customer trust the business expects: below it, business pressure rises", "customers", A),
    _f("customer_trust_gain", "1/sprint", 0.1, 0.0, 0.5, "rate customer trust rises with promises kept", "customers", A),
    _f("incident_trust_loss", "fraction/incident", 0.03, 0.0, 0.3, "share of customer trust lost per incident", "customers", A),
    _f("escalation_trust_loss", "fraction", 0.3, 0.0, 1.0, "share of customer trust lost per customer escalation of severity 1", "customers", A),
    _f("adoption_floor", "fraction", 0.5, 0.0, 1.0, "share of a feature's value customers take up even with no trust in the product", "customers", "seed 003: customer trust above all"),
    _f("fidelity_floor", "fraction", 0.5, 0.0, 1.0, "share of a feature's value delivered when PM, EM and engineers share no understanding", "customers", "seed 001: requirements thrown over the wall"),
    _f("customer_escalation_rate", "probability/incident", 0.05, 0.0, 1.0, "chance per incident that a customer escalates, at zero customer trust", "customers", A),
    _f("escalation_work_days", "ideal-days", 10.0, 0.0, 40.0, "unplanned work a customer escalation of severity 1 brings (the sprint it happens for an injected one, the next for one the team caused)", "customers", A),
    _f("escalation_pressure", "0-1", 0.5, 0.0, 1.0, "pressure a customer escalation of severity 1 adds", "customers", A),
    _f("own_escalation_severity", "severity", 0.5, 0.0, 2.0, "severity of the customer escalations the team's own incidents cause", "customers", A),
    _f("escalation_pressure_decay", "1/sprint", 0.5, 0.0, 1.0, "share of escalation pressure gone each sprint", "customers", A),
    _f("competitor_value_loss", "fraction", 0.5, 0.0, 1.0, "share of a feature's value lost at a full-strength competitor launch", "customers", A),
    _f("market_pace", "0-1", 0.3, 0.0, 1.0, "pace of competition the PM feels with no launch going on", "customers", A),
    _f("pressure", "0-1", 0.4, 0.0, 1.0, "baseline schedule pressure from the business", "customers", A),
    _f("pressure_cap", "0-1.5+", 1.5, 1.0, 3.0, "highest schedule pressure", "customers", A),
    _f("pressure_value_response", "0-1", 0.5, 0.0, 5.0, "business pressure added when value delivered falls to nothing from its best", "customers", A),
    _f("pressure_trust_response", "0-1", 1.0, 0.0, 5.0, "business pressure added per unit of customer trust below the level the business expects", "customers", A),
    _f("value_memory", "1/sprint", 0.3, 0.01, 1.0, "weight of the latest sprint in leadership's running view of value delivered", "customers", A),
    _f("expectation_decay", "1/sprint", 0.02, 0.0, 0.5, "how fast leadership forgets the best value the team has shown", "customers", A),
    # --- planning and negotiation ---------------------------------------------------------------
    _c("roadmap_mode", "one_roadmap", ROADMAP_MODES, "one ranked roadmap, or split feature/tech backlogs with a set tech share", "planning"),
    _f("tech_share", "fraction", 0.2, 0.0, 1.0, "share of each commitment reserved for tech work in split_backlogs mode", "planning", "seed 003; the 20% rule of thumb"),
    _f("tech_squeeze", "fraction", 0.8, 0.0, 1.0, "share of the tech reservation that full pressure can take back (split_backlogs)", "planning", A),
    _f("plan_opacity", "fraction", 1.0, 0.0, 1.0, "share of the tech plan a PM with no shared understanding leaves out of the feature budget (split_backlogs; at 1 the PM sees it only as far as alignment reveals it, at 0 all of it)", "planning", "assumption (seed 003: split backlogs leave engineers overworked)"),
    _f("tech_value_framing", "0-1", 0.3, 0.0, 1.0, "how measurably tech items are framed (1: the PM sees their full value)", "planning", "seed 003: demonstrate clear and measurable value"),
    _f("push_scale", "fraction", 0.4, 0.0, 1.0, "most the PM can ask above the estimate (the top of the PM's options)", "planning", A),
    _f("buffer_scale", "fraction", 0.2, 0.0, 0.5, "how far below (or above) the estimate the EM's options reach", "planning", A),
    _i("choice_options", "options", 9, 2, 41, "options a manager weighs for the commitment (evenly spaced)", "planning", A),
    _f("distrust_premium", "fraction", 0.3, 0.0, 1.0, "how far above the estimate a PM who fully distrusts the team believes it can go", "planning", A),
    _f("miss_cost", "utility", 2.0, 0.0, 20.0, "cost to 'looking good' of a missed commitment, per squared share missed", "planning", A),
    _f("churn_risk", "utility", 1.0, 0.0, 10.0, "money at risk per share of commitment missed, at zero customer trust", "planning", A),
    _f("rush_cost", "utility", 1.0, 0.0, 10.0, "cost to 'the right way' per share of commitment beyond the estimate", "planning", A),
    _f("load_concern", "utility", 2.0, 0.0, 20.0, "cost to engineers' motivation per squared distance from the target load", "planning", A),
    _f("challenge_target", "ratio", 1.2, 0.5, 1.5, "load (commitment / expected capacity) that challenges without overrunning", "planning",
       "Locke & Latham 2002: difficult but attainable goals raise effort and performance"),
    _f("challenge_tolerance", "ratio", 0.3, 0.05, 2.0, "distance from challenge_target at which a sprint offers no challenge", "planning", A),
    _f("burnout_buffer", "ratio", 0.5, 0.0, 2.0, "how much the EM lowers the target load per unit of mean burnout", "planning", A),
    _f("power_base", "weight", 0.5, 0.0, 2.0, "base weight of each manager's position in the negotiation", "planning", A),
    _f("deference", "fraction", 0.5, 0.0, 1.0, "how far a PM who fully trusts the EM defers to the EM's estimate", "planning", A),
    _f("ship_credit", "fraction", 0.3, 0.0, 2.0, "PM's credit for shipping one more feature, as a share of an average feature's value", "planning", A),
    _f("craft_premium", "weight", 0.5, 0.0, 2.0, "extra weight an EM who values 'the right way' gives tech items", "planning", A),
    _f("pushback_effect", "fraction", 0.5, 0.0, 1.0, "share of the over-commitment removed when every engineer pushes back to an EM who fully trusts them", "planning", A),
    _f("voice_risk", "utility", 1.0, 0.0, 5.0, "cost an engineer sees in speaking up to an EM they do not trust", "planning", A),
    # --- communication --------------------------------------------------------------------------
    _f("syncs_per_sprint", "meetings/sprint", 2, 0, 10, "PM-EM syncs per sprint (2 = weekly, 10 = daily)", "communication", "seed 004: a weekly 1:1"),
    _f("sync_hours", "hours", 0.5, 0.0, 4.0, "length of one PM-EM sync", "communication", A),
    _f("discovery_involvement", "fraction", 0.05, 0.0, 0.5, "share of engineer time in discovery and user research", "communication", "seeds 001, 002"),
    _f("early_warning", "0-1", 0.5, 0.0, 1.0, "habit of raising delivery risks early rather than at the review", "communication", "seed 001: late surprises"),
    _f("warning_base", "fraction", 0.5, 0.0, 1.0, "share of risks raised early by engineers who do not trust their managers", "communication", A),
    _f("initial_alignment", "0-1", 0.5, 0.0, 1.0, "shared understanding between PM, EM and engineers at sprint 0", "communication", A),
    _f("comm_saturation_hours", "hours/sprint", 6.0, 0.5, 40.0, "shared-context hours at which alignment gain reaches 63% of its maximum", "communication", A),
    _f("alignment_gain", "1/sprint", 0.2, 0.0, 1.0, "largest per-sprint gain in PM-EM-team alignment", "communication", A),
    _f("alignment_decay", "1/sprint", 0.05, 0.0, 0.5, "per-sprint loss of alignment without communication", "communication", A),
    _f("alignment_damping", "fraction", 0.5, 0.0, 1.0, "share of disagreement full alignment removes", "communication", A),
    _f("context_discovery", "fraction", 0.5, 0.0, 1.0, "shared context per engineer-hour of discovery, relative to a sync hour", "communication", A),
    _f("context_cross_learning", "fraction", 0.25, 0.0, 1.0, "shared context per hour the EM spends with customers or the PM learning tech", "communication", A),
    _f("relationship_hours", "hours/sprint", 2.0, 0.1, 20.0, "PM-EM hours together at which the trust-building effect reaches 63%", "communication",
       "seed 004: a weekly 1:1 longer than coordination needs"),
    # --- practices ---------------------------------------------------------------------------------
    _c("conflict_style", "avoid", CONFLICT_STYLES, "how PM and EM resolve disagreements", "practices"),
    _c("feedback", "none", FEEDBACK_PRACTICES, "feedback practice after conflicts (sbi: situation-behaviour-impact)", "practices"),
    _f("blurry_line", "0-1", 0.3, 0.0, 1.0, "how far PM and EM share the gray area between their roles (cover each other, no turf battles)", "practices", "seeds 004, 002"),
    _f("pm_learns_tech", "fraction", 0.05, 0.0, 0.5, "share of PM time spent learning the technology", "practices", "seed 002"),
    _f("em_meets_customers", "fraction", 0.05, 0.0, 0.5, "share of EM time spent with customers", "practices", "seed 002"),
    _f("engineer_ownership", "0-1", 0.3, 0.0, 1.0, "how much engineers own their project management (0: the EM is the bottleneck)", "practices", "seed 002"),
    _f("delegation_trust_effect", "ratio", 1.0, 0.0, 2.0, "how far the EM's trust in engineers widens or narrows the ownership they hand over", "practices", A),
    _f("third_path_bonus", "fraction", 0.15, 0.0, 1.0, "extra customer value in the sprint after productive conflict finds a third path", "practices", "seed 004 (third paths); assumption for the size"),
    _f("third_path_base", "probability", 0.3, 0.0, 1.0, "chance a productive conflict finds a third path between partners with no trust", "practices", A),
    _f("third_path_trust", "probability", 0.5, 0.0, 1.0, "extra chance of a third path at full mutual trust", "practices", A),
    _f("feedback_effect", "fraction", 0.5, 0.0, 1.0, "how much SBI feedback amplifies trust repair and damps trust loss and tension after conflict", "practices", A),
    _f("tension_memory", "fraction", 0.7, 0.0, 1.0, "share of unresolved tension carried to the next sprint", "practices", A),
    _f("feedback_tension_relief", "fraction", 0.5, 0.0, 1.0, "share of feedback_effect by which SBI feedback clears carried tension", "practices", A),
    _f("avoid_tension", "fraction", 0.5, 0.0, 1.0, "tension an avoided conflict adds, per unit of disagreement", "practices", A),
    _f("turf_tension", "0-1", 0.2, 0.0, 1.0, "disagreement from a sharp line between the roles (blurry_line 0)", "practices", "seed 004"),
    _f("fight_winner_loss", "signal", 0.3, 0.0, 2.0, "trust the winner of a fight loses in the loser", "practices", A),
    _f("fight_loser_loss", "signal", 1.0, 0.0, 2.0, "trust the loser of a fight loses in the winner", "practices", A),
    _f("escalation_trust_hit", "signal", 0.5, 0.0, 2.0, "trust both managers lose when a fight is escalated", "practices", A),
    _f("productive_trust", "signal", 0.5, 0.0, 2.0, "trust both gain from a productive conflict (and again from a third path)", "practices", A),
    _f("productive_alignment", "0-1", 0.05, 0.0, 0.5, "alignment a productive conflict adds", "practices", A),
    _f("fight_alignment", "0-1", 0.03, 0.0, 0.5, "alignment a fight costs", "practices", A),
    # --- motivators ---------------------------------------------------------------------------------
    _f("pm_w_customer_value", "weight", 1.0, 0.0, 1.0, "PM motivator: deliver customer value fast (values what the team can deliver)", "motivators", "seed 003"),
    _f("pm_w_competition", "weight", 0.6, 0.0, 1.0, "PM motivator: get ahead of the competition (asks more as the market moves)", "motivators", "seed 003"),
    _f("pm_w_money", "weight", 0.6, 0.0, 1.0, "PM motivator: make money for the business (fears churn from misses, values reliability)", "motivators", "seed 003"),
    _f("pm_w_ship_fast", "weight", 0.8, 0.0, 1.0, "PM joint motivator: ship fast (asks more under pressure, favours small items)", "motivators", "seed 003"),
    _f("pm_w_look_good", "weight", 0.5, 0.0, 1.0, "PM joint motivator: look good doing it (avoids missed commitments)", "motivators", "seed 003"),
    _f("em_w_right_way", "weight", 0.8, 0.0, 1.0, "EM motivator: build things the right way (no rush, a quality bar against shortcuts)", "motivators", "seed 003"),
    _f("em_w_engineers", "weight", 0.8, 0.0, 1.0, "EM motivator: keep engineers motivated and challenged (a load near the target, shielding)", "motivators", "seed 003"),
    _f("em_w_tech_debt", "weight", 0.7, 0.0, 1.0, "EM motivator: reduce technical debt (weighs tech items up, raises them)", "motivators", "seed 003"),
    _f("em_w_ship_fast", "weight", 0.6, 0.0, 1.0, "EM joint motivator: ship fast (offers more)", "motivators", "seed 003"),
    _f("em_w_look_good", "weight", 0.5, 0.0, 1.0, "EM joint motivator: look good doing it (avoids missed commitments)", "motivators", "seed 003"),
    _f("eng_w_growth", "weight", 0.7, 0.0, 1.0, "engineer motivator: challenge and growth", "motivators", "seed 002"),
    _f("eng_w_craft", "weight", 0.7, 0.0, 1.0, "engineer motivator: craft and quality", "motivators", "seed 003"),
    _f("eng_w_valued", "weight", 0.8, 0.0, 1.0, "engineer motivator: feeling valued", "motivators", "seed 003: overworked and undervalued"),
    _f("eng_w_pace", "weight", 0.6, 0.0, 1.0, "engineer motivator: sustainable pace", "motivators", "seed 003"),
    _f("motivator_spread", "weight", 0.2, 0.0, 0.5, "spread (sd) of each engineer's own motivator weights around the team's eng_w_* values", "motivators", A),
    # --- trust ---------------------------------------------------------------------------------------
    _f("initial_trust", "0-1", 0.5, 0.0, 1.0, "trust between every pair of roles at sprint 0", "trust", A),
    _f("trust_gain_rate", "1/sprint", 0.08, 0.0, 0.5, "rate trust moves toward 1 on good signals", "trust", A),
    _f("trust_loss_factor", "ratio", 3.0, 1.0, 10.0, "how much faster trust is lost than built", "trust",
       "Slovic 1993: trust is built slowly and destroyed quickly"),
    _f("trust_mix", "fraction", 0.5, 0.0, 1.0, "weight of the delivery signal in trust (the rest: time together, feeling valued)", "trust", A),
    _f("overpush_weight", "ratio", 1.0, 0.0, 10.0, "EM's trust lost in the PM per share of commitment pushed beyond the EM's offer", "trust", A),
    _f("surprise_weight", "ratio", 0.5, 0.0, 2.0, "managers' trust lost in the engineers per unit of late surprise", "trust", A),
    _f("pressure_to_team", "fraction", 0.3, 0.0, 1.0, "share of business pressure engineers feel directly, on top of any over-commitment", "trust", A),
    _f("shielding", "fraction", 0.3, 0.0, 1.0, "share of schedule pressure an engineer-minded EM with time to spare keeps off the team", "trust", A),
    # --- engineers' voice -----------------------------------------------------------------------------
    _f("raise_rate", "items/sprint", 2.0, 0.0, 5.0, "tech items an engineer raises per sprint at full toil, motivation and trust", "voice", "seed 003: turn frustrations into roadmap items"),
    _f("em_raise_rate", "items/sprint", 2.0, 0.0, 5.0, "tech items the EM raises per sprint when debt takes all capacity", "voice", A),
    _f("voice_floor", "fraction", 0.3, 0.0, 1.0, "share of their voice engineers use with an EM they do not trust", "voice", A),
    _f("voice_rate", "probability", 0.3, 0.0, 1.0, "chance an unhappy engineer who trusts the EM escalates, per unit of dissatisfaction", "voice", "Hirschman 1970: voice before exit"),
    _f("voice_relief", "fraction", 0.3, 0.0, 1.0, "extra share of pressure the EM shields for a sprint after engineers escalate", "voice", A),
    _f("tech_want_base", "weight", 0.5, 0.0, 2.0, "share of the capacity lost to debt anyone would give to tech work, before their motivators", "voice", A),
    _f("tech_want_cap", "fraction", 0.8, 0.0, 1.0, "most of a sprint anyone wants for tech work", "voice", A),
    # --- burnout, engagement and overtime -------------------------------------------------------------
    _f("initial_burnout", "0-1", 0.1, 0.0, 1.0, "burnout of every engineer at sprint 0", "burnout", A),
    _f("initial_engagement", "0-1", 0.7, 0.0, 1.0, "mean engagement of the starting engineers", "burnout", A),
    _f("engagement_sd", "0-1", 0.1, 0.0, 0.5, "spread of the starting engineers' engagement", "burnout", A),
    _f("initial_user_knowledge", "0-1", 0.3, 0.0, 1.0, "starting engineers' knowledge of users", "burnout", A),
    _f("new_hire_user_knowledge", "0-1", 0.1, 0.0, 1.0, "a new hire's knowledge of users", "burnout", A),
    _f("burnout_rise_rate", "1/sprint", 0.15, 0.0, 1.0, "rate burnout builds under full stress", "burnout", A),
    _f("burnout_recovery_ratio", "ratio", 0.4, 0.0, 1.0, "recovery rate as a share of the rise rate (recovery is slower)", "burnout",
       "Maslach & Leiter 2016: recovery from burnout is slower than its onset"),
    _f("slack_recovery", "multiplier", 2.0, 0.0, 10.0, "how much faster burnout recovers in a sprint that is all slack", "burnout", A),
    _f("natural_slack", "fraction", 0.2, 0.0, 0.4, "share of available time an engineer keeps off the sprint's work (easier pace, side work) when nothing presses", "burnout",
       "assumption, after Abdel-Hamid & Madnick 1991 (slack time is absorbed first under schedule pressure) and Parkinson 1955"),
    _f("slack_absorb_pressure", "0-1", 0.5, 0.01, 2.0, "felt pressure (x motivation over pace weight plus burnout) at which an engineer has given up all slack", "burnout", A),
    _f("overtime_max", "fraction", 0.5, 0.0, 1.0, "most extra hours an engineer works (0.5 = 60 h/week)", "burnout", A),
    _f("overtime_cost", "utility", 8.0, 0.1, 50.0, "cost of overtime to an engineer, per unit of pace weight plus burnout", "burnout", A),
    _f("overtime_stress_base", "fraction", 0.5, 0.0, 1.0, "share of overtime's full stress felt by an engineer who gives pace no weight (the rest grows with the pace weight); 0 lets such engineers work long hours unstrained", "burnout",
       "assumption, after Sparks et al. 1997 (long hours go with ill health across occupations)"),
    _f("overtime_reference", "fraction", 0.5, 0.1, 1.0, "overtime counted as full overtime stress (0.5 = 60 h/week), the same whatever the cap", "burnout", A),
    _f("overtime_efficiency_loss", "fraction", 0.35, 0.0, 1.0, "hourly efficiency lost per unit of overtime share (linear: 8.75% at 50 h/week, 17.5% at 60 h)", "burnout",
       "Thomas & Raynar 1997: 50-60 h/week lose 10-15% efficiency; linear, so each extra hour is worth less than the last"),
    _f("corner_cost", "utility", 1.0, 0.1, 10.0, "cost of shortcuts to an engineer, per unit of craft weight plus the EM's quality bar", "burnout", A),
    _f("fatigue_corners", "fraction", 0.3, 0.0, 1.0, "shortcuts nobody chose, per unit of burnout", "burnout", A),
    _f("burnout_output_loss", "fraction", 0.5, 0.0, 1.0, "output lost at full burnout", "burnout", A),
    _f("disengaged_output", "fraction", 0.75, 0.0, 1.0, "output of a fully disengaged engineer relative to an engaged one", "burnout", A),
    _f("stress_w_pressure", "weight", 0.6, 0.0, 2.0, "weight of felt pressure among the stressors", "burnout", A),
    _f("stress_w_toil", "weight", 1.0, 0.0, 2.0, "weight of toil (debt drag and incident work) among the stressors", "burnout", A),
    _f("stress_norm", "weight", 5.0, 1.0, 20.0, "divisor turning the weighted stressors into a 0-1 stress level", "burnout", A),
    _f("engagement_rate", "1/sprint", 0.2, 0.0, 1.0, "per-sprint rate engagement moves toward its target", "burnout", A),
    _f("engagement_w_energy", "weight", 1.0, 0.0, 5.0, "weight of energy (1 - burnout) in engagement, beside growth and feeling valued", "burnout", A),
    _f("growth_w_tech", "0-1", 0.3, 0.0, 1.0, "weight of tech work in growth", "burnout", A),
    _f("growth_w_discovery", "0-1", 0.2, 0.0, 1.0, "weight of discovery in growth", "burnout", "seed 002"),
    _f("growth_w_ownership", "0-1", 0.2, 0.0, 1.0, "weight of owning their project management in growth (the rest: a challenging load)", "burnout", "seed 002"),
    _f("growth_tech_share", "fraction", 0.5, 0.05, 1.0, "tech share at which tech work gives its full growth", "burnout", A),
    _f("valued_w_respect", "0-1", 0.35, 0.0, 1.0, "weight of the tech work one wants being honoured in feeling valued", "burnout", "seed 003"),
    _f("valued_w_involvement", "0-1", 0.2, 0.0, 1.0, "weight of involvement in discovery in feeling valued", "burnout", "seed 001"),
    _f("valued_w_heard", "0-1", 0.15, 0.0, 1.0, "weight of being heard when pushing back (the rest: calm, no pressure)", "burnout", A),
)

ASSUMPTION = A
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


def is_assumption(p: Param) -> bool:
    """Whether a parameter's value rests on no published source (the model's assumptions)."""
    return p.kind in ("float", "int") and ASSUMPTION in p.source.lower()


# Parameters that act only in split backlogs (the tech reservation and the feature plan beside it): one roadmap
# ranks tech items with features.
SPLIT_ONLY: tuple[str, ...] = ("tech_share", "tech_squeeze", "plan_opacity")


def unused(params: dict) -> tuple[str, ...]:
    """The parameters that change nothing in a setup with these values (its roadmap mode ignores them)."""
    mode = params.get("roadmap_mode", BY_NAME["roadmap_mode"].default)
    return SPLIT_ONLY if mode == "one_roadmap" else ()


NAMES: tuple[str, ...] = tuple(p.name for p in PARAMS)
