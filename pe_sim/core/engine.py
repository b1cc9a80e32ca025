"""The vectorised engine: a batch of runs advances one sprint per call.

Parameters arrive with a leading runs axis, (R, 1). Inside the engine, arrays are laid out
runs-last so that sums over engineers add contiguous rows: (1, R) for team quantities and
(E, R) for engineer slots. Headcount changes are masks over slots (``active``), never Python loops over runs or
agents. Each sprint applies the six phases of MODEL.md using :mod:`pe_sim.core.rules`; the
Mesa model (:mod:`pe_sim.model`) applies the same rules in the same order, one agent at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Callable, Mapping, Sequence

import numpy as np

from pe_sim.core import rng, rules
from pe_sim.core.rng import Draw
from pe_sim.core.rules import EPS
from pe_sim.params import PARAMS, encode

OUTCOMES: dict[str, str] = {
    "velocity": "ideal-days of work completed (committed plus scope creep)",
    "committed": "ideal-days of work committed at planning",
    "delivered": "ideal-days of committed work delivered",
    "say_do": "delivered / committed",
    "customer_value": "value of the right features delivered (outcomes)",
    "features_shipped": "features shipped (outputs)",
    "tech_share": "share of the sprint given to tech work",
    "tech_debt": "technical debt at the end of the sprint (debt-days)",
    "debt_drag": "share of capacity lost to debt this sprint",
    "incidents": "incidents this sprint",
    "customer_trust": "customer trust at the end of the sprint (0-1)",
    "burnout_mean": "mean engineer burnout (0-1)",
    "burnout_max": "highest engineer burnout (0-1)",
    "engagement_mean": "mean engineer engagement (0-1)",
    "overtime_mean": "mean overtime share of normal hours",
    "attrition": "engineers who left this sprint",
    "hires": "engineers who joined this sprint",
    "headcount": "engineers on the team at the end of the sprint",
    "trust_pm_em": "PM's trust in the EM (0-1)",
    "trust_em_pm": "EM's trust in the PM (0-1)",
    "trust_pm_eng": "PM's trust in the engineers (0-1)",
    "trust_em_eng": "EM's trust in the engineers (0-1)",
    "trust_eng_pm": "engineers' mean trust in the PM (0-1)",
    "trust_eng_em": "engineers' mean trust in the EM (0-1)",
    "comm_hours": "hours spent communicating (syncs, discovery, peer coordination)",
    "alignment": "shared understanding between PM, EM and engineers (0-1)",
    "right_thing": "discovery quality: share of delivered work that is what customers need (0-1)",
    "surprise": "shortfall not flagged early (0-1)",
    "conflicts_fight": "PM-EM conflicts resolved by fighting to win",
    "conflicts_avoid": "PM-EM conflicts avoided",
    "conflicts_productive": "PM-EM conflicts resolved productively",
    "third_paths": "conflicts that found a third path",
    "escalations": "conflicts escalated to leadership",
    "pm_workload": "PM hours demanded / available",
    "em_workload": "EM hours demanded / available",
}

# Starting levels of team state that are not user parameters (documented in the ODD).
INITIAL = {"pm_insight": 0.5, "pm_tech": 0.3, "em_customer": 0.3, "em_estimation": 0.6,
           "alignment": 0.5, "user_knowledge": 0.3, "new_hire_user_knowledge": 0.1}


@dataclass(frozen=True)
class State:
    """Everything that carries from one sprint to the next for a batch of runs."""

    pm_trust_em: np.ndarray
    em_trust_pm: np.ndarray
    pm_trust_eng: np.ndarray
    em_trust_eng: np.ndarray
    pm_insight: np.ndarray
    pm_tech: np.ndarray
    em_customer: np.ndarray
    em_estimation: np.ndarray
    alignment: np.ndarray
    tension: np.ndarray
    bonus: np.ndarray
    debt: np.ndarray
    customer_trust: np.ndarray
    active: np.ndarray  # float 0/1 mask of engineer slots
    skill: np.ndarray
    tenure: np.ndarray
    burnout: np.ndarray
    engagement: np.ndarray
    trust_em: np.ndarray
    trust_pm: np.ndarray
    user_knowledge: np.ndarray
    w_growth: np.ndarray  # each engineer's own motivator weights, set when they join
    w_craft: np.ndarray   # (parameters are fixed during a batch, so they are computed once)
    w_valued: np.ndarray
    w_pace: np.ndarray
    hires_due: np.ndarray  # (horizon, R) replacements arriving at each sprint


def param_batch(values: Sequence[Mapping[str, object]] | Mapping[str, object]) -> SimpleNamespace:
    """Parameters as (R, 1) float arrays, from one mapping per run (or one mapping for R=1).

    Missing names take their defaults; choices are encoded as their index.
    """
    rows = [values] if isinstance(values, Mapping) else list(values)
    cols = {}
    for p in PARAMS:
        cols[p.name] = np.array([encode(p.name, r.get(p.name, p.default)) for r in rows], dtype=np.float64)[:, None]
    return SimpleNamespace(**cols)


def param_arrays(columns: Mapping[str, np.ndarray], n_runs: int) -> SimpleNamespace:
    """Parameters as (R, 1) arrays from columns of already-encoded values (fast path for sweeps)."""
    out = {}
    for p in PARAMS:
        v = columns.get(p.name)
        if v is None:
            v = np.full(n_runs, encode(p.name, p.default))
        out[p.name] = np.asarray(v, dtype=np.float64).reshape(n_runs, 1)
    return SimpleNamespace(**out)


HIRE_PARAMS = ("skill_mean", "skill_sd", "motivator_spread", *(f"eng_w_{m}" for m in rules.ENGINEER_MOTIVES))


def draw_motives(skey: np.ndarray, agents: np.ndarray) -> dict[str, np.ndarray]:
    """Motivator offsets of engineers joining at the sprint of ``skey`` (one draw per motive)."""
    return {m: rng.normal(skey, agents, getattr(Draw, f"MOTIVE_{m.upper()}")) for m in rules.ENGINEER_MOTIVES}


def motives(st: "State") -> dict[str, np.ndarray]:
    """Each engineer slot's own motivator weights."""
    return {m: getattr(st, f"w_{m}") for m in rules.ENGINEER_MOTIVES}


def _engineer_agents(n_slots: int) -> np.ndarray:
    return (rng.ENGINEER_BASE + np.arange(n_slots, dtype=np.uint64))[:, None]


def initial_state(p: SimpleNamespace, rkeys: np.ndarray, n_slots: int, horizon: int) -> State:
    """Sprint-0 state; engineer skills and engagement come from the set-up draws (sprint -1)."""
    r = p.n_engineers.shape[1]
    skey = rng.sprint_key(rkeys, -1)
    agents = _engineer_agents(n_slots)
    slot = np.arange(n_slots)[:, None]
    active = (slot < p.n_engineers).astype(np.float64)
    run = lambda v: np.broadcast_to(np.asarray(v, dtype=np.float64), (1, r)).copy()  # noqa: E731
    eng = lambda v: np.broadcast_to(np.asarray(v, dtype=np.float64), (n_slots, r)).copy()  # noqa: E731
    return State(
        pm_trust_em=run(p.initial_trust), em_trust_pm=run(p.initial_trust),
        pm_trust_eng=run(p.initial_trust), em_trust_eng=run(p.initial_trust),
        pm_insight=run(INITIAL["pm_insight"]), pm_tech=run(INITIAL["pm_tech"]),
        em_customer=run(INITIAL["em_customer"]), em_estimation=run(INITIAL["em_estimation"]),
        alignment=run(INITIAL["alignment"]), tension=run(0.0), bonus=run(0.0),
        debt=run(p.initial_debt), customer_trust=run(p.initial_customer_trust),
        active=active,
        skill=rules.hire_skill(p, rng.normal(skey, agents, Draw.SKILL)) * active,
        tenure=eng(p.initial_tenure_sprints),
        burnout=eng(p.initial_burnout),
        engagement=rules.clip01(p.initial_engagement + 0.1 * rng.normal(skey, agents, Draw.ENGAGEMENT0)),
        trust_em=eng(p.initial_trust), trust_pm=eng(p.initial_trust),
        user_knowledge=eng(INITIAL["user_knowledge"]),
        **{f"w_{m}": w for m, w in rules.individual_weights(p, draw_motives(skey, agents)).items()},
        hires_due=np.zeros((horizon + 64, r)),
    )


def _sum(x: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Sum over engineer slots (axis 0), added slot by slot in order, so unused trailing slots
    cannot change the rounding: a run's result does not depend on how many slots its batch has."""
    y = x * active
    if y.shape[1] > 1:  # rows are added one after another, in slot order
        return np.add.reduce(y, axis=0, keepdims=True)
    total = y[0:1].copy()  # a single run is one contiguous column, which numpy would sum pairwise
    for j in range(1, y.shape[0]):
        total += y[j:j + 1]
    return total


def _running_count(x: np.ndarray) -> np.ndarray:
    """Cumulative sum over slots (axis 0); row by row, as numpy's accumulate along axis 0 is slow."""
    out = np.empty_like(x)
    total = np.zeros((1, x.shape[1]))
    for j in range(x.shape[0]):
        total = total + x[j:j + 1]
        out[j] = total
    return out


def step(st: State, p: SimpleNamespace, ev: Mapping[str, np.ndarray], skey: np.ndarray, t: int
         ) -> tuple[State, dict[str, np.ndarray]]:
    """Advance every run in the batch by one sprint (runs-last layout). ``ev`` holds this sprint's
    event values, shape (1, R) or (1, 1)."""
    R = rules
    act = st.active
    agents = _engineer_agents(act.shape[0])
    pm_here = 1.0 - ev["pm_absent"]
    em_here = 1.0 - ev["em_absent"]
    competitor = ev["competitor"]
    n = np.sum(act, axis=0, keepdims=True)
    n1 = np.maximum(n, 1.0)

    # 1. Communicate -------------------------------------------------------------------
    sync_h = R.sync_hours(p, pm_here, em_here)
    disc_h = R.discovery_hours(p, pm_here)
    peer_h = R.peer_hours(p, n)
    alignment = R.alignment_next(p, st.alignment, R.shared_context_hours(p, sync_h, disc_h, pm_here, em_here), st.tension)
    pm_insight = R.pm_insight_next(st.pm_insight, pm_here, competitor)
    pm_tech = R.understanding_next(st.pm_tech, pm_here * R.learning_effort(p.pm_learns_tech))
    em_customer = R.understanding_next(st.em_customer, em_here * R.learning_effort(p.em_meets_customers))
    involvement = R.learning_effort(R.discovery_share(p, disc_h))
    user_knowledge = R.understanding_next(st.user_knowledge, involvement)
    together = R.saturating(sync_h, p.relationship_hours)
    comm_hours = 2.0 * sync_h + n * (disc_h + peer_h)

    # 2. Plan --------------------------------------------------------------------------------
    ramp = R.ramp(p, st.tenure)
    mentoring_total = _sum(R.mentor_days(p, ramp), act)
    mentoring = mentoring_total * ramp / np.maximum(_sum(ramp, act), EPS)
    avail = R.available_days(p, disc_h, peer_h, mentoring)
    rate = R.output_rate(p, st.skill, ramp, st.burnout, st.engagement)
    raw_capacity = _sum(avail * rate, act)
    drag = R.debt_drag(p, st.debt)
    delegated = R.delegation(p, st.em_trust_eng)
    flow = R.coordination_flow(p, n, em_here, pm_here, R.em_hours_free(p, sync_h), delegated)
    mean_burnout = _sum(st.burnout, act) / n1
    unplanned_expected = R.incident_rate(p, st.debt, mean_burnout, 0.0) * p.incident_cost_days + ev["unplanned_days"]
    expected_capacity = np.maximum(0.0, raw_capacity * (1.0 - drag) * R.flow_factor(flow) - unplanned_expected)
    accuracy = R.estimation_accuracy(p, st.em_estimation, pm_tech, em_here)
    est = R.estimate(p, expected_capacity, accuracy)
    pressure = R.pressure_now(p, ev["pressure_add"], competitor)
    drive = R.pm_drive(p, competitor)
    care = R.em_care(p)
    ask = R.pm_ask(p, est, drive, pressure, st.pm_trust_eng)
    offer = R.em_offer(p, est, care, R.em_drive(p), mean_burnout)
    share_pm = R.pm_power_share(p, drive, pressure, care, accuracy, st.pm_trust_em, pm_here, em_here)
    loss = R.loss_share(drag, unplanned_expected, raw_capacity)
    want_em = R.em_tech_want(p, loss)
    want_pm = R.pm_tech_want(p, loss, pm_tech)
    want_eng = R.engineer_tech_want(p, loss)
    tech = R.tech_share_now(p, want_pm, want_em, share_pm, pressure)
    commit = R.negotiate(offer, ask, share_pm) * (1.0 + R.hidden_load(p, tech, alignment))

    # 3. Execute -----------------------------------------------------------------------------
    felt = R.felt_pressure(p, commit, expected_capacity, pressure, em_here)
    own = R.engineer_prefs(p, motives(st))  # every engineer weighs outcomes by their own motivators
    ot = R.overtime(own, felt, st.engagement)
    corners = R.corner_cutting(own, felt, st.burnout)
    out = R.engineer_output(p, avail, rate, ot, corners, rng.normal(skey, rng.TEAM, Draw.NOISE))
    team_capacity = _sum(out, act) * (1.0 - drag) * R.flow_factor(flow)
    mean_corners = _sum(corners, act) / n1
    incidents = rng.poisson(rng.uniform(skey, rng.TEAM, Draw.INCIDENTS),
                            R.incident_rate(p, st.debt, mean_burnout, mean_corners))
    unplanned = incidents * p.incident_cost_days + ev["unplanned_days"]
    planned_capacity = np.maximum(0.0, team_capacity - unplanned)
    creep = R.scope_added(p, rng.uniform(skey, rng.TEAM, Draw.SCOPE_CREEP))
    required = commit * R.effort_multiplier(p, rng.normal(skey, rng.TEAM, Draw.EFFORT)) * (1.0 + creep)
    done = R.completion(commit, required, planned_capacity)
    delivered = commit * done
    creep_done = commit * creep * done
    slack = np.maximum(0.0, planned_capacity - required)
    slack_share = slack / np.maximum(team_capacity, EPS)
    tech_days = delivered * tech
    planned_feature_days = delivered * (1.0 - tech)

    # 4. Review ------------------------------------------------------------------------------
    warned = R.warning_effect(p, _sum(st.trust_em, act) / n1, _sum(st.trust_pm, act) / n1)
    surprise = R.surprise(done, warned)
    quality = R.right_thing(pm_insight, em_customer, _sum(user_knowledge, act) / n1, alignment)
    value = R.customer_value(p, planned_feature_days, creep_done, quality, competitor, st.bonus, st.customer_trust)
    customer_trust = R.customer_trust_next(p, st.customer_trust, done, quality, incidents, ev["escalation"])
    debt = R.debt_next(p, st.debt, planned_feature_days + creep_done, tech_days, slack, mean_corners)

    # 5. Disagree and resolve ----------------------------------------------------------------------
    d = R.disagreement(ask, offer, est, want_pm, want_em, st.tension, alignment, pm_here * em_here)
    conflict = (rng.uniform(skey, rng.TEAM, Draw.CONFLICT) < d) * 1.0
    (pos_pm, neg_pm, pos_em, neg_em, tension, d_align, bonus, fight, avoid, productive, escalation, third
     ) = R.resolve(p, conflict, d, share_pm, rng.uniform(skey, rng.TEAM, Draw.CONFLICT_OUTCOME),
                   rng.uniform(skey, rng.TEAM, Draw.ESCALATION), st.pm_trust_em, st.em_trust_pm, st.tension)
    alignment = R.clip01(alignment + d_align)

    # 6. Update people -------------------------------------------------------------------------------
    respect_em = R.respect(tech, want_em)
    overpush = np.maximum(0.0, commit - offer) / np.maximum(est, EPS)
    pm_trust_em = R.trust_next(p, st.pm_trust_em, 0.5 * done + 0.5 * together + pos_pm, surprise + neg_pm)
    em_trust_pm = R.trust_next(p, st.em_trust_pm, 0.5 * respect_em + 0.5 * together + pos_em, 2.0 * overpush + neg_em)
    pm_trust_eng = R.trust_next(p, st.pm_trust_eng, done, 0.5 * surprise)
    em_trust_eng = R.trust_next(p, st.em_trust_eng, 0.5 * done + 0.5 * _sum(st.engagement, act) / n1, 0.5 * surprise)
    valued = R.feeling_valued(tech, want_eng, involvement, felt)
    trust_em = R.trust_next(p, st.trust_em, 0.5 * (1.0 - np.minimum(1.0, felt)) * em_here + 0.5 * valued,
                            0.5 * felt + 0.5 * (1.0 - flow))
    trust_pm = R.trust_next(p, st.trust_pm, 0.5 * involvement + 0.5 * valued * quality, 0.5 * felt * share_pm)
    toil = np.minimum(1.0, drag + unplanned / np.maximum(team_capacity, EPS))
    burnout = R.burnout_next(p, st.burnout, R.stress(own, ot, felt, corners, toil, valued), slack_share)
    engagement = R.engagement_next(own, st.engagement, R.growth(tech, involvement, corners), valued, burnout)
    em_estimation = R.estimation_next(p, st.em_estimation, alignment, drag)

    # Attrition: each engineer may leave; a key-engineer event takes the most skilled first.
    leave = act * (rng.uniform(skey, agents, Draw.ATTRITION) < R.leave_probability(p, burnout, engagement))
    key = ev["key_leaves"]
    for j in range(int(np.max(key, initial=0))):
        candidates = np.where((act - leave) > 0, st.skill, -np.inf)
        pick = np.argmax(candidates, axis=0)
        hit = (key[0] > j) & np.isfinite(candidates[pick, np.arange(len(pick))])
        leave[pick[hit], np.nonzero(hit)[0]] = 1.0
    leavers = np.sum(leave, axis=0, keepdims=True)
    stayed = act - leave
    tenure = st.tenure + stayed

    # Hiring: backfills arrive after the delay, hiring waves at once; new hires take the lowest free slots.
    # The pipeline is updated in place (it is large and only future columns change): step()
    # takes ownership of st.hires_due.
    hires_due = st.hires_due
    runs = act.shape[1]
    due = t + np.maximum(1, np.rint(np.broadcast_to(p.hiring_delay_sprints, (1, runs))[0]).astype(int))
    hires_due[due, np.arange(runs)] += leavers[0] * np.broadcast_to(p.backfill, (1, runs))[0]
    arrivals = hires_due[t:t + 1] + ev["hires"]
    free = 1.0 - stayed
    new = free * (_running_count(free) <= arrivals)
    joined = np.sum(new, axis=0, keepdims=True)
    hires_due[t + 1] += (arrivals - joined)[0]
    joining = new > 0
    skill, temperament = st.skill, motives(st)
    if new.any():  # draw only where someone joins: hires are rare, slots x runs are many
        slots, cols = np.nonzero(joining)
        at = lambda v: np.broadcast_to(v, (1, runs))[0, cols]  # noqa: E731
        skill = skill.copy()
        hire_p = SimpleNamespace(**{k: at(getattr(p, k)) for k in HIRE_PARAMS})
        skill[slots, cols] = R.hire_skill(hire_p, rng.normal(skey[0, cols], agents[slots, 0], Draw.SKILL))
        for m, w in R.individual_weights(hire_p, draw_motives(skey[0, cols], agents[slots, 0])).items():
            temperament[m] = temperament[m].copy()
            temperament[m][slots, cols] = w
    active = stayed + new
    head = np.sum(active, axis=0, keepdims=True)

    new_state = State(
        pm_trust_em=pm_trust_em, em_trust_pm=em_trust_pm, pm_trust_eng=pm_trust_eng, em_trust_eng=em_trust_eng,
        pm_insight=pm_insight, pm_tech=pm_tech, em_customer=em_customer, em_estimation=em_estimation,
        alignment=alignment, tension=tension, bonus=bonus, debt=debt, customer_trust=customer_trust,
        active=active,
        skill=skill,
        tenure=np.where(joining, 0.0, tenure),
        burnout=np.where(joining, p.initial_burnout, burnout),
        engagement=np.where(joining, p.initial_engagement, engagement),
        trust_em=np.where(joining, p.initial_trust, trust_em),
        trust_pm=np.where(joining, p.initial_trust, trust_pm),
        user_knowledge=np.where(joining, INITIAL["new_hire_user_knowledge"], user_knowledge),
        **{f"w_{m}": w for m, w in temperament.items()},
        hires_due=hires_due,
    )
    outcomes = {
        "velocity": delivered + creep_done, "committed": commit, "delivered": delivered, "say_do": done,
        "customer_value": value, "features_shipped": (planned_feature_days + creep_done) / p.feature_size,
        "tech_share": tech, "tech_debt": debt, "debt_drag": drag, "incidents": incidents,
        "customer_trust": customer_trust,
        "burnout_mean": _sum(burnout, act) / n1,
        "burnout_max": np.max(np.where(act > 0, burnout, 0.0), axis=0, keepdims=True),
        "engagement_mean": _sum(engagement, act) / n1,
        "overtime_mean": _sum(ot, act) / n1,
        "attrition": leavers, "hires": joined, "headcount": head,
        "trust_pm_em": pm_trust_em, "trust_em_pm": em_trust_pm, "trust_pm_eng": pm_trust_eng,
        "trust_em_eng": em_trust_eng,
        "trust_eng_pm": _sum(trust_pm, stayed) / np.maximum(n - leavers, 1.0),
        "trust_eng_em": _sum(trust_em, stayed) / np.maximum(n - leavers, 1.0),
        "comm_hours": comm_hours, "alignment": alignment, "right_thing": quality, "surprise": surprise,
        "conflicts_fight": fight, "conflicts_avoid": avoid, "conflicts_productive": productive,
        "third_paths": third, "escalations": escalation,
        "pm_workload": R.pm_workload(p, sync_h, n * disc_h, 1.0 - em_here, escalation) * pm_here,
        "em_workload": R.em_workload(p, sync_h, n, _sum(1.0 - ramp, act), escalation, delegated) * em_here,
    }
    return new_state, outcomes


def n_slots_for(p: SimpleNamespace, schedule: Mapping[str, np.ndarray]) -> int:
    """Engineer slots a batch needs: the largest team any run can reach."""
    waves = np.sum(schedule["hires"], axis=1)
    return int(np.max(np.ravel(p.n_engineers)) + np.max(waves))


def simulate(p: SimpleNamespace, schedule: Mapping[str, np.ndarray], n_sprints: int, seed: int,
             run_ids: np.ndarray | None = None, on_sprint: Callable[[int], None] | None = None,
             n_slots: int | None = None) -> dict[str, np.ndarray]:
    """Run a batch for ``n_sprints``; returns each outcome as an (R, n_sprints) array.

    ``schedule`` holds event arrays of shape (R or 1, >= n_sprints) from :func:`pe_sim.events.schedule`.
    ``run_ids`` are the runs' global indices (their randomness depends only on seed and run id).
    ``n_slots`` fixes the engineer-slot count; pass the same value for every chunk of a sweep whose
    team sizes vary so sums over slots round identically in every chunk (default: this batch's need).
    """
    r = p.n_engineers.shape[0]
    run_ids = np.arange(r) if run_ids is None else np.asarray(run_ids)
    rkeys = rng.run_key(seed, run_ids)[None, :]
    p = SimpleNamespace(**{k: v.reshape(1, r) for k, v in vars(p).items()})  # runs-last inside
    need = n_slots_for(p, schedule)
    if n_slots is not None and n_slots < need:
        raise ValueError(f"n_slots={n_slots} is too small; this batch needs {need}")
    st = initial_state(p, rkeys, n_slots or need, n_sprints)
    out = {k: np.empty((n_sprints, r)) for k in OUTCOMES}  # sprint-major: each write is contiguous
    for t in range(n_sprints):
        ev = {k: v[:, t][None, :] for k, v in schedule.items()}
        st, o = step(st, p, ev, rng.sprint_key(rkeys, t), t)
        for k, v in o.items():
            out[k][t] = v[0]
        if on_sprint is not None:
            on_sprint(t)
    return {k: v.T for k, v in out.items()}

