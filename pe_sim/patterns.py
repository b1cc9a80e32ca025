"""Published patterns the default model should reproduce at once (pattern-oriented modelling,
Grimm et al. 2005), measured on paired runs.

Each ``measure_*`` function runs the defaults (300 runs x 52 sprints, one fixed seed, the same
runs in every arm) and returns the figures the pattern is judged by; ``tests/test_patterns.py``
checks them with margins and ``python -m pe_sim.patterns`` prints them for the table in
``docs/ODD.md`` (§9.2). No rule was written to produce any of them.
"""

from __future__ import annotations

import numpy as np

from pe_sim.core.engine import param_batch, simulate
from pe_sim.events import Event, schedule

RUNS, SPRINTS, SEED = 300, 52, 11
CRUNCH = Event.make("deadline_crunch", 10, 8, 0.8)


def run(events: tuple[Event, ...] = (), **params) -> dict[str, np.ndarray]:
    """Outcomes (runs x sprints) of the defaults with ``params`` changed, paired across calls."""
    p = param_batch([params] * RUNS)
    return simulate(p, schedule(tuple(events), SPRINTS), SPRINTS, SEED, np.arange(RUNS))


def mean(out: dict[str, np.ndarray], key: str) -> float:
    return float(out[key].mean())


def per_sprint(out: dict[str, np.ndarray], key: str) -> np.ndarray:
    return out[key].mean(axis=0)


def total_value(out: dict[str, np.ndarray]) -> float:
    return float(out["customer_value"].sum(axis=1).mean())


def measure_better_before_worse() -> dict[str, float]:
    """Repenning & Sterman 2001: a crunch raises velocity at once and lowers it later."""
    base, crunch = run(), run(events=(CRUNCH,))
    diff = per_sprint(crunch, "velocity") - per_sprint(base, "velocity")
    return {"early": float(diff[10:13].mean()), "late": float(diff[17:24].mean()),
            "value_crunch": float(crunch["customer_value"][:, 10:].sum(axis=1).mean()),
            "value_base": float(base["customer_value"][:, 10:].sum(axis=1).mean())}


def measure_communication_optimum() -> dict[float, float]:
    """Patrashkova-Volzdoska et al. 2003: value by engineers' share of time in discovery."""
    return {d: total_value(run(discovery_involvement=d)) for d in (0.0, 0.1, 0.4)}


def measure_sync_optimum() -> dict[float, float]:
    """Patrashkova-Volzdoska et al. 2003: value by hours of PM-EM syncs per sprint (ten syncs a
    sprint, daily, of 0, 1.2 and 3 hours)."""
    return {10 * h: total_value(run(syncs_per_sprint=10, sync_hours=h)) for h in (0.0, 1.2, 3.0)}


def measure_pressure_optimum() -> dict[float, float]:
    """Homer 1985; Abdel-Hamid & Madnick 1991: sustained velocity by baseline schedule pressure."""
    return {x: mean(run(pressure=x), "velocity") for x in (0.0, 0.4, 1.0)}


def measure_hiring_wave() -> dict[str, float]:
    """Brooks 1975; Abdel-Hamid 1989: three hires at sprint 20."""
    base, wave = run(), run(events=(Event.make("hiring_wave", 20, 1, 3),))
    diff = per_sprint(wave, "velocity") - per_sprint(base, "velocity")

    def cost(o):  # engineer-sprints per unit of value from sprint 20
        return float((o["headcount"][:, 20:].sum(axis=1) / o["customer_value"][:, 20:].sum(axis=1)).mean())

    return {"dip": float(diff[21]), "later": float(diff[24:30].mean()), "cost_ratio": cost(wave) / cost(base)}


def measure_customer_trust() -> dict[str, float]:
    """Slovic 1993: an escalation at sprint 10; the drop in one sprint and sprints to come back."""
    trust = per_sprint(run(events=(Event.make("customer_escalation", 10, 1, 1.0),)), "customer_trust")
    back = trust[11:] >= trust[9]
    return {"drop": float(trust[9] - trust[10]), "back_after": float(np.argmax(back) + 1) if back.any() else np.inf}


def measure_burnout_recovery() -> dict[str, float]:
    """Maslach & Leiter 2016: burnout's rise and fall per sprint around a crunch."""
    burnout = per_sprint(run(events=(CRUNCH,)), "burnout_mean")
    peak = 10 + int(np.argmax(burnout[10:24]))
    return {"rise": float((burnout[peak] - burnout[9]) / (peak - 9)), "fall": float((burnout[peak] - burnout[peak + 10]) / 10)}


def measure_debt_loss() -> dict[str, float]:
    """Besker et al. 2018, 2019; Martini et al. 2018: capacity lost to debt."""
    return {"split_10pct": mean(run(roadmap_mode="split_backlogs", tech_share=0.1), "debt_capacity_loss"),
            "defaults": mean(run(), "debt_capacity_loss")}


def measure_turnover() -> dict[str, float]:
    """Leavers per engineer-year (26 two-week sprints a year) in both roadmap modes."""
    years = SPRINTS / 26
    return {mode: float(run(roadmap_mode=mode)["attrition"].sum(axis=1).mean() / 6 / years)
            for mode in ("one_roadmap", "split_backlogs")}


def measure_right_thing() -> dict[float, float]:
    """Kohavi et al. 2009: value per day of what ships, by discovery involvement."""
    return {d: mean(run(discovery_involvement=d), "right_thing") for d in (0.0, 0.3)}


def measure_team_size() -> dict[int, float]:
    """Brooks 1975: velocity per engineer, 4 vs 16 engineers."""
    return {n: mean(run(n_engineers=n), "velocity") / n for n in (4, 16)}


def measure_planning_fallacy() -> dict[str, float]:
    """Kahneman & Tversky 1979: say/do at defaults and without optimism bias."""
    return {"defaults": mean(run(), "say_do"), "no_optimism": mean(run(optimism_bias=0.0), "say_do")}


MEASURES = (measure_better_before_worse, measure_communication_optimum, measure_sync_optimum, measure_pressure_optimum,
            measure_hiring_wave, measure_customer_trust, measure_burnout_recovery, measure_debt_loss, measure_turnover,
            measure_right_thing, measure_team_size, measure_planning_fallacy)


def main() -> None:
    for m in MEASURES:
        figures = {k: round(float(v), 4) for k, v in m().items()}
        print(f"{m.__name__.removeprefix('measure_'):28s} {figures}", flush=True)


if __name__ == "__main__":
    main()
