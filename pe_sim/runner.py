"""Running configs through either engine and shaping the results as tidy tables."""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from pe_sim.config import Config, ConfigError, as_config, check_outcomes, check_per_run, check_run_settings, default, load
from pe_sim.core.engine import OUTCOMES, param_batch, simulate
from pe_sim.events import schedule
from pe_sim.params import BY_NAME

ENGINES = ("core", "mesa")


def batch(config: Config, n_runs: int, n_sprints: int, per_run: Mapping[str, np.ndarray] | None = None):
    """Core parameter arrays and event schedule for ``n_runs`` copies of one config; ``per_run`` gives
    some numeric parameters one value per run instead (e.g. posterior draws)."""
    p = param_batch([config.params])
    p = type(p)(**{k: np.repeat(v, n_runs, axis=0) for k, v in vars(p).items()})
    for k, v in (per_run or {}).items():
        setattr(p, k, np.asarray(v, dtype=np.float64).reshape(n_runs, 1))
    return p, schedule(config.events, n_sprints)


def _per_run_config(config: Config, per_run: Mapping[str, np.ndarray] | None, i: int) -> Config:
    """Run i's config when some numeric parameters vary by run."""
    if not per_run:
        return config
    return config.with_params(**{k: int(v[i]) if BY_NAME[k].kind == "int" else float(v[i]) for k, v in per_run.items()})


def tidy(outcomes: dict[str, np.ndarray], run_ids: np.ndarray, **labels) -> pd.DataFrame:
    """One row per run x sprint: labels, run, sprint, then every outcome."""
    r, s = next(iter(outcomes.values())).shape
    frame = {k: v for k, v in labels.items()}
    frame["run"] = np.repeat(np.asarray(run_ids, dtype=np.int64), s)
    frame["sprint"] = np.tile(np.arange(s, dtype=np.int64), r)
    for k in OUTCOMES:
        frame[k] = outcomes[k].reshape(-1)
    return pd.DataFrame(frame)


def run_core(config: Config, runs: int, sprints: int, seed: int, chunk: int = 5000,
             on_runs: Callable[[int], None] | None = None,
             per_run: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """All runs of one config through the vectorised core, ``chunk`` runs at a time."""
    parts = []
    for start in range(0, runs, chunk):
        ids = np.arange(start, min(runs, start + chunk))
        p, sch = batch(config, len(ids), sprints, {k: np.asarray(v)[ids] for k, v in (per_run or {}).items()})
        parts.append(simulate(p, sch, sprints, seed, ids))
        if on_runs is not None:
            on_runs(len(ids))
    return {k: np.concatenate([part[k] for part in parts]) for k in OUTCOMES}


def run_mesa(config: Config, runs: int, sprints: int, seed: int,
             on_runs: Callable[[int], None] | None = None,
             per_run: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """All runs of one config through the Mesa model, one run at a time."""
    from pe_sim.model import TeamModel

    out = {k: np.empty((runs, sprints)) for k in OUTCOMES}
    for i in range(runs):
        model = TeamModel(config=_per_run_config(config, per_run, i), seed=seed, run=i, n_sprints=sprints)
        for _ in range(sprints):
            model.step()
        rows = model.outcome_history
        for k in OUTCOMES:
            out[k][i] = [row[k] for row in rows]
        if on_runs is not None:
            on_runs(1)
    return out


def run(config: Config, runs: int, sprints: int, seed: int, engine: str = "core",
        on_runs: Callable[[int], None] | None = None, per_run: Mapping[str, np.ndarray] | None = None) -> pd.DataFrame:
    """Tidy per-sprint outcomes of ``runs`` runs of ``config`` (a :class:`Config`, a scenario TOML or a
    shipped scenario's name; ``per_run``: see :func:`batch`)."""
    config = as_config(config, "run")
    checked = check_run_settings("run", runs=runs, sprints=sprints, seed=seed)
    runs, sprints, seed = checked["runs"], checked["sprints"], checked["seed"]
    per_run = check_per_run("run", per_run, runs)
    if engine == "core":
        out = run_core(config, runs, sprints, seed, on_runs=on_runs, per_run=per_run)
    elif engine == "mesa":
        out = run_mesa(config, runs, sprints, seed, on_runs=on_runs, per_run=per_run)
    else:
        raise ConfigError("run", "engine", f"{engine!r} is not an engine; expected one of {', '.join(ENGINES)}")
    return tidy(out, np.arange(runs), scenario=config.name, seed=seed)


def run_one(scenario: str | Config | None = None, *, sprints: int | None = None, seed: int | None = None,
            run: int = 0, outcomes: Sequence[str] | None = None, **params: Any) -> dict[str, float]:
    """One run's end-of-horizon outcomes as a plain dict, for tools that call a model function once per
    experiment (EMA Workbench's ``Model(name, function=pe_sim.run_one)``).

    ``scenario``: a shipped scenario name, a scenario TOML or a :class:`Config` (default: the built-in
    defaults); ``**params``: parameter overrides (``pe-sim params``; numpy scalars are fine). ``sprints``
    and ``seed`` default to the scenario's [run] values; ``run`` is the run index, the only other source
    of randomness, so the same arguments give the same numbers and replicates differ in ``run``. Keys are
    the sweep summary columns ``<outcome>_<reduction>`` (e.g. ``customer_value_total``, ``tech_debt_final``;
    :data:`pe_sim.summary.REDUCTION`), for ``outcomes`` (default: every outcome).
    """
    from pe_sim.sweeps.summaries import summarise

    config = scenario if isinstance(scenario, Config) else load(scenario) if scenario is not None else default()
    if params:
        config = config.with_params(**{k: v.item() if isinstance(v, np.generic) else v for k, v in params.items()})
    checked = check_run_settings("run_one", sprints=config.sprints if sprints is None else sprints,
                                 seed=config.seed if seed is None else seed, run=run)
    sprints, seed = checked["sprints"], checked["seed"]
    wanted = check_outcomes("run_one", "outcomes", outcomes) if outcomes is not None else tuple(OUTCOMES)
    p, sch = batch(config, 1, sprints)
    traj = simulate(p, sch, sprints, seed, np.array([checked["run"]]))
    return {k: float(v[0]) for k, v in summarise(traj, wanted).items()}
