"""Analysis of runs: paired comparisons, global sensitivity, and figures.

:func:`compare` runs several setups with the same seed and run ids (common random numbers: run i of
every setup draws the same random numbers, so differences are paired and the noise cancels) and
reports each setup's difference from the first:

- at the horizon, on the end-of-run summaries of :mod:`pe_sim.sweeps` (final value of stocks, totals
  of flows, means of rates): mean difference with a bootstrap CI (``scipy.stats.bootstrap``, BCa, on
  the paired differences) and a standardised effect size, Cohen's d = mean difference / pooled SD
  of the two setups' summaries;
- over time, on the same summary computed up to each sprint (value, cumulative total, running mean),
  so the last point of each curve is the horizon difference; percentile bootstrap CIs per sprint.

:func:`sensitivity` runs a sweep's Saltelli design and estimates Sobol' first- and total-order
indices with bootstrap CIs (``scipy.stats.sobol_indices``, Saltelli 2010 estimators) of the mean
end-of-run summary at each design point (replicates averaged); ``method="morris"`` screens with
elementary effects (mu*, sigma) instead. :func:`sobol_from_outputs` and :func:`ishigami` let the
wiring be checked on a function with known indices. It warns below 64 base samples (Sobol') or 10
trajectories (Morris), and marks Sobol' indices outside [0, 1] by more than their CI (never clipped).

SALib. ``SALib.analyze.sobol.analyze(..., calc_second_order=False)`` on the same outputs
(:func:`pe_sim.sweeps.salib_problem_and_outputs`) gives the same total-order indices (Jansen's
estimator, both) and first-order indices from the same Saltelli (2010) estimator
mean(f_B (f_ABi - f_A)) / Var, Var the variance of f_A and f_B together, but on outputs centred
differently: scipy (so pe-sim) subtracts the mean m of f_A and f_B, SALib the mean M of all
N (d + 2) outputs (and divides by their SD, which cancels). Centring on c instead of m changes the
estimate by (m - c) mean(f_ABi - f_A) / Var, so the two differ by exactly

    S1_SALib = S1_pe-sim + (m - M) mean(f_ABi - f_A) / Var,

a term that vanishes as N grows (the mean of f_ABi - f_A tends to 0) but is visible at small N
(e.g. 0.225 and 0.247 at N = 16). pe-sim keeps scipy's centring: m comes from the independent
samples A and B only. The CIs differ too: SALib's are normal intervals from bootstrap SDs, pe-sim's
scipy's bootstrap intervals.
"""

from __future__ import annotations

import math
import numbers
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from pe_sim.config import (Config, ConfigError, check_outcomes, check_per_run, check_run_settings, distinct_names,
                           load as load_config)
from pe_sim.core.engine import OUTCOMES, param_arrays, simulate
from pe_sim.outcomes import WORK_OUTCOMES, meaning_in_team_unit
from pe_sim.events import schedule
from pe_sim.files import (atomic, check_figure_name, distinct_outputs, option, ready_to_write, refuse_existing,
                          save_figure)
from pe_sim.summary import HEADLINE
from pe_sim.params import PARAMS, encode
from pe_sim.sweeps import (as_spec, default_workers, load_results, make_design, run_sweep, running_summary,
                           summarise, summary_kind, summary_name)
from pe_sim.sweeps.execute import interrupt_after, main_script_unguarded, process_pool, stop_pool
from pe_sim.sweeps.spec import STABLE_SENSITIVITY_POINTS, sensitivity_design
from pe_sim.words import counted

CORE_OUTCOMES = HEADLINE  # one list of key outcomes for run, compare and report
SENSITIVITY_OUTCOMES = ("customer_value", "tech_debt", "burnout_mean")


# --------------------------------------------------------------------------------------------
# Running configs with common random numbers
# --------------------------------------------------------------------------------------------

def check_workers(where: str, workers: Any) -> None:
    """``workers`` given to the Python API: None (all cores) or a whole number of processes, at least 1."""
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, numbers.Integral) or workers < 1):
        raise ConfigError(where, "workers", f"{workers!r} is not valid; expected a whole number of worker processes, "
                                            "at least 1 (or None for all cores)")


def _config_chunk(params: Mapping[str, Any], events, sprints: int, seed: int, start: int, stop: int,
                  outcomes: Sequence[str], per_run: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    n = stop - start
    cols = {p.name: np.full(n, encode(p.name, params[p.name])) for p in PARAMS}
    for name, values in (per_run or {}).items():
        cols[name] = np.asarray(values, dtype=np.float64)
    out = simulate(param_arrays(cols, n), schedule(events, sprints), sprints, seed, np.arange(start, stop))
    return {k: out[k] for k in outcomes}


def run_config(config: Config, runs: int, sprints: int, seed: int, outcomes: Sequence[str] = tuple(OUTCOMES),
               chunk: int = 2000, executor: ProcessPoolExecutor | None = None,
               per_run: Mapping[str, np.ndarray] | None = None,
               on_runs: Callable[[int], object] | None = None) -> dict[str, np.ndarray]:
    """(runs, sprints) trajectories of one config; run i uses run id i (so two configs share their luck).
    ``per_run`` gives some parameters a value per run (encoded, length ``runs``), e.g. posterior draws.
    ``on_runs(n)`` is told as each chunk of n runs is done (a progress bar)."""
    spans = [(s, min(runs, s + chunk)) for s in range(0, runs, chunk)]
    per_run = {k: np.asarray(v, dtype=np.float64) for k, v in (per_run or {}).items()}
    args = [(dict(config.params), config.events, sprints, seed, a, b, tuple(outcomes), {k: v[a:b] for k, v in per_run.items()})
            for a, b in spans]
    if executor is None:
        handed = (_config_chunk(*a) for a in args)
    else:
        with interrupt_after():  # the work is handed over (and workers started) whole
            handed = executor.map(_config_chunk, *zip(*args))
    parts = []
    for (a, b), part in zip(spans, handed):  # in order, as each chunk is done
        parts.append(part)
        if on_runs is not None:
            on_runs(b - a)
    return {k: np.concatenate([p[k] for p in parts]) for k in outcomes}


def _as_configs(configs) -> list[Config]:
    items = list(configs.items()) if isinstance(configs, Mapping) else [(None, c) for c in configs]
    return distinct_names([c if isinstance(c, Config) else load_config(c) for _, c in items], [n for n, _ in items])


# --------------------------------------------------------------------------------------------
# compare
# --------------------------------------------------------------------------------------------

@dataclass
class Comparison:
    """Result of :func:`compare`: ``summary`` (one row per setup x outcome at the horizon),
    ``over_time`` (one row per setup x outcome x sprint) and ``runs`` (per-run summaries). Each row of
    ``summary`` and ``over_time`` carries what computes it again: runs, sprints, seed, confidence and resamples."""

    summary: pd.DataFrame
    over_time: pd.DataFrame
    runs: pd.DataFrame
    reference: str
    confidence: float
    seed: int

    def differences(self) -> dict[str, np.ndarray]:
        """Each setup's paired differences from the reference at the horizon, run by run, labelled
        "outcome (summary), setup - reference"."""
        by_setup = {name: part.sort_values("run") for name, part in self.runs.groupby("setup")}
        ref = by_setup[self.reference]
        return {f"{r.outcome} ({r.summary}), {r.setup} - {self.reference}":
                by_setup[r.setup][r.column].to_numpy() - ref[r.column].to_numpy() for r in self.summary.itertuples()}

    def table(self) -> str:
        """The horizon differences as aligned text."""
        pct = round(100 * self.confidence)
        rows = []
        for r in self.summary.itertuples():
            rows.append({"outcome": f"{r.outcome} ({r.summary})", "setup": r.setup,
                         f"{self.reference}": f"{r.mean_reference:.4g}", "setup mean": f"{r.mean_setup:.4g}",
                         "difference": f"{r.diff:+.4g}", f"{pct}% CI": f"[{r.ci_low:+.4g}, {r.ci_high:+.4g}]",
                         "d": f"{r.effect_size:+.2f}"})
        n = int(self.summary["runs"].iloc[0]) if len(self.summary) else 0
        head = (f"differences from {self.reference!r} at the horizon ({n} paired runs, seed {self.seed}, "
                f"common random numbers; d = Cohen's d):")
        return head + "\n" + pd.DataFrame(rows).to_string(index=False)

    def plot(self, path: str | Path | None = None):
        return plot_compare(self, path)


SCIPY_BCA_MAX = 2000  # above this many runs, the BCa interval of a mean is computed here, in O(n) memory


def bca_mean(d: np.ndarray, confidence: float, resamples: int, rng: np.random.Generator) -> tuple[float, float]:
    """The BCa bootstrap interval of the mean of ``d`` (Efron 1987), as scipy's ``stats.bootstrap``
    computes it, but with the jackknife of a mean in closed form (leave-one-out means are
    (sum - x_i) / (n - 1)): scipy's generic jackknife holds n x (n - 1) values, 1.5 GB at 8,000 runs."""
    from scipy.special import ndtr, ndtri

    n = len(d)
    theta = float(np.mean(d))
    means = np.empty(resamples)
    step = max(1, 2_000_000 // n)  # resamples at a time: at most ~16 MB of indices
    for lo in range(0, resamples, step):
        hi = min(resamples, lo + step)
        means[lo:hi] = d[rng.integers(0, n, size=(hi - lo, n))].mean(axis=1)
    z0 = ndtri(np.mean(means < theta))
    jack = (d.sum() - d) / (n - 1)
    dev = jack.mean() - jack
    a = float(np.sum(dev**3) / (6.0 * np.sum(dev**2) ** 1.5))
    z = ndtri(np.array([(1 - confidence) / 2, (1 + confidence) / 2]))
    levels = ndtr(z0 + (z0 + z) / (1 - a * (z0 + z)))
    lo, hi = np.percentile(means, 100 * levels)
    return float(lo), float(hi)


def _boot_ci(d: np.ndarray, confidence: float, resamples: int, rng: np.random.Generator, method: str = "BCa"
             ) -> tuple[float, float]:
    if np.all(d == d[0]):
        return float(d[0]), float(d[0])
    if method == "BCa" and len(d) > SCIPY_BCA_MAX:
        return bca_mean(d, confidence, resamples, rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ci = stats.bootstrap((d,), np.mean, confidence_level=confidence, n_resamples=resamples, method=method,
                             vectorized=True, rng=rng).confidence_interval
    return float(ci.low), float(ci.high)


def _effect_size(a: np.ndarray, b: np.ndarray) -> float:
    diff = float(np.mean(b) - np.mean(a))
    pooled = math.sqrt((np.var(a, ddof=1) + np.var(b, ddof=1)) / 2) if len(a) > 1 else 0.0
    if pooled == 0:
        return 0.0 if diff == 0 else math.copysign(math.inf, diff)
    return diff / pooled


def compare(configs, *, runs: int | None = None, sprints: int | None = None, seed: int | None = None,
            outcomes: Sequence[str] | None = None, confidence: float = 0.95, resamples: int = 2000,
            figure: str | Path | None = None, workers: int | None = None,
            per_run: Mapping[str, np.ndarray] | None = None, work_unit: np.ndarray | None = None,
            force: bool = False, progress: bool = False) -> Comparison:
    """Compare setups with common random numbers; the first is the reference.

    ``configs``: scenario TOML paths, shipped scenario names or :class:`~pe_sim.config.Config` objects
    (a mapping gives them labels). ``runs``/``sprints``/``seed`` default to the first config's [run].
    ``per_run`` sets some parameters per run, the same in every setup (paired): run i of each setup
    uses value i, e.g. draws from a team's posterior (:func:`pe_sim.calibration.posterior_draws`), so
    the intervals include the uncertainty about the team. ``work_unit`` (one value per run, e.g.
    :func:`pe_sim.calibration.posterior_unit`) multiplies the work outcomes (velocity, committed,
    delivered: ideal-days) run by run, putting them in a team's own unit.
    Intervals are BCa bootstrap intervals at the horizon and percentile ones over time; above 2,000
    runs the horizon's BCa is computed in O(n) memory and the time course uses t-intervals.
    Returns a :class:`Comparison` whose ``summary``, ``over_time`` and ``runs`` are DataFrames; with
    ``figure`` a PNG with one panel per outcome is written (an existing file only with ``force``).
    With ``progress``, bars on stderr count the runs simulated and the intervals computed.
    """
    from tqdm import tqdm

    if isinstance(configs, (str, Path, Config)):  # one config: its name's letters are not configs
        raise ConfigError("compare", "configs", "expected a list (or a mapping of labels) of at least two configs, "
                                                "the first the reference")
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real) or not 0.5 <= confidence < 1:
        raise ConfigError("compare", "confidence", f"{confidence!r} is not valid; expected a number in [0.5, 1)")
    check_workers("compare", workers)
    if figure:  # before the runs (an existing file is replaced only with ``force``)
        check_figure_name(figure, "figure")
        ready_to_write(figure, force, "figure")
    cfgs = _as_configs(configs)
    if len(cfgs) < 2:
        raise ConfigError("compare", "configs", "expected at least two configs (the first is the reference)")
    ref = cfgs[0]
    checked = check_run_settings("compare", runs=ref.runs if runs is None else runs,
                                 sprints=ref.sprints if sprints is None else sprints, seed=ref.seed if seed is None else seed)
    runs, sprints, seed = checked["runs"], checked["sprints"], checked["seed"]
    outcomes = check_outcomes("compare", "outcomes", outcomes) if outcomes is not None else CORE_OUTCOMES
    resamples = check_run_settings("compare", resamples=resamples)["resamples"]
    if runs < 2:
        raise ConfigError("compare", "runs", f"{runs} is not valid; expected at least 2 paired runs")
    per_run = check_per_run("compare", per_run, runs)
    n_workers = workers or default_workers()
    total = runs * len(cfgs)
    pool = n_workers > 1 and total >= 4000 and not main_script_unguarded()
    ex = process_pool(n_workers) if pool else None
    finished = False
    try:
        chunk = max(250, min(2000, math.ceil(runs / max(1, n_workers))))
        with tqdm(total=total, unit="run", desc="simulating", disable=not progress, file=sys.stderr) as bar:
            traj = {c.name: run_config(c, runs, sprints, seed, outcomes, chunk=chunk, executor=ex, per_run=per_run,
                                       on_runs=bar.update) for c in cfgs}
        finished = True
    finally:
        if ex is not None:
            stop_pool(ex, finished)
    meaning = dict(OUTCOMES)
    if work_unit is not None:
        work_unit = np.asarray(work_unit, dtype=np.float64)
        if work_unit.shape != (runs,):
            raise ConfigError("compare", "work_unit", f"expected one value per run ({runs})")
        for o in WORK_OUTCOMES & set(outcomes):
            for t in traj.values():
                t[o] = t[o] * work_unit[:, None]
            meaning[o] = meaning_in_team_unit(o)
    rng = np.random.default_rng(seed)
    summ = {name: summarise(t, outcomes) for name, t in traj.items()}
    run_rows = []
    for name, s in summ.items():
        run_rows.append(pd.DataFrame({"setup": name, "run": np.arange(runs), "seed": seed, **s}))
    rows, time_rows = [], []
    # every row of both tables says how to compute it again: `pe-sim compare A B --runs R --sprints S --seed X
    # --confidence C --resamples B` (intervals are drawn from a generator seeded with the seed)
    provenance = {"runs": runs, "sprints": sprints, "seed": seed, "confidence": confidence, "resamples": resamples}
    batch = max(1, int(5e6 // max(1, runs * sprints)))
    intervals = tqdm(total=(len(cfgs) - 1) * len(outcomes), unit="outcome", desc="intervals", disable=not progress,
                     file=sys.stderr)
    for c in cfgs[1:]:
        for o in outcomes:
            col = summary_name(o)
            a, b = summ[ref.name][col], summ[c.name][col]
            d = b - a
            lo, hi = _boot_ci(d, confidence, resamples, rng)
            rows.append({"reference": ref.name, "setup": c.name, "outcome": o, "summary": summary_kind(o),
                         "column": col, "mean_reference": a.mean(), "mean_setup": b.mean(), "diff": d.mean(),
                         "ci_low": lo, "ci_high": hi, "effect_size": _effect_size(a, b), "sd_diff": d.std(ddof=1),
                         **provenance, "meaning": meaning[o]})
            dt = running_summary(traj[c.name][o], o) - running_summary(traj[ref.name][o], o)
            mean = dt.mean(axis=0)
            low, high = mean.copy(), mean.copy()
            varies = np.ptp(dt, axis=0) > 0
            if varies.any() and runs > SCIPY_BCA_MAX:  # the mean of thousands of runs is normal to well within
                # the bootstrap's own error, and resampling every sprint's runs would take seconds per outcome
                half = stats.t.ppf(0.5 + confidence / 2, runs - 1) * dt[:, varies].std(axis=0, ddof=1) / math.sqrt(runs)
                low[varies], high[varies] = mean[varies] - half, mean[varies] + half
            elif varies.any():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    ci = stats.bootstrap((dt[:, varies],), np.mean, axis=0, confidence_level=confidence,
                                         n_resamples=min(resamples, 1000), method="percentile", vectorized=True,
                                         batch=batch, rng=rng).confidence_interval
                low[varies], high[varies] = ci.low, ci.high
            time_rows.append(pd.DataFrame({"reference": ref.name, "setup": c.name, "outcome": o,
                                           "summary": summary_kind(o), "sprint": np.arange(sprints),
                                           "diff": mean, "ci_low": low, "ci_high": high, **provenance}))
            intervals.update(1)
    intervals.close()
    res = Comparison(pd.DataFrame(rows), pd.concat(time_rows, ignore_index=True),
                     pd.concat(run_rows, ignore_index=True), ref.name, confidence, seed)
    if figure:
        plot_compare(res, figure)
    return res


def _grid(n: int, ncols: int = 4, size=(3.6, 2.8)):
    from matplotlib.figure import Figure

    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(size[0] * ncols, size[1] * nrows + 0.6), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes


def plot_compare(res: Comparison, path: str | Path | None = None):
    """One panel per outcome: each setup's difference from the reference over time with its CI band."""
    outcomes = list(dict.fromkeys(res.summary["outcome"]))
    fig, axes = _grid(len(outcomes))
    pct = round(100 * res.confidence)
    for ax, o in zip(axes, outcomes):
        sub = res.over_time[res.over_time["outcome"] == o]
        notes = []
        for i, (setup, g) in enumerate(sub.groupby("setup", sort=False)):
            x = g["sprint"].to_numpy()
            ax.plot(x, g["diff"], color=f"C{i}", lw=1.5, label=f"{setup} − {res.reference}")
            ax.fill_between(x, g["ci_low"], g["ci_high"], color=f"C{i}", alpha=0.25, lw=0)
            h = res.summary[(res.summary["outcome"] == o) & (res.summary["setup"] == setup)].iloc[0]
            notes.append((f"C{i}", f"{h['diff']:+.3g} [{h['ci_low']:+.3g}, {h['ci_high']:+.3g}], d={h['effect_size']:+.2f}"))
        ax.axhline(0, color="0.3", lw=0.8, ls="--")
        kind = summary_kind(o)
        ax.set_title(f"{o} ({'cumulative' if kind == 'total' else 'running mean' if kind == 'mean' else 'level'})",
                     fontsize=9)
        ax.set_xlabel("sprint", fontsize=8)
        ax.tick_params(labelsize=7)
        for j, (color, text) in enumerate(notes):
            ax.text(0.02, 0.97 - 0.085 * j, text, transform=ax.transAxes, fontsize=6.5, va="top", color=color,
                    bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 0.6})
    import textwrap

    from pe_sim.plots import fitted_legend

    handles, labels = axes[0].get_legend_handles_labels()
    fitted_legend(fig, handles, labels, loc="outside lower center", fontsize=8)  # as many columns as fit
    n = int(res.summary["runs"].iloc[0])
    title = (f"Difference from {res.reference} (mean of {n} paired runs, common random numbers; "
             f"{pct}% bootstrap CI); horizon difference, CI and Cohen's d in each panel")
    fig.suptitle(textwrap.fill(title, width=max(30, int(fig.get_figwidth() * 11))), fontsize=10)
    if path:
        save_figure(fig, path, dpi=110)
    return fig


# --------------------------------------------------------------------------------------------
# Sobol' indices and Morris screening
# --------------------------------------------------------------------------------------------

def sobol_from_outputs(y: np.ndarray, n: int, factors: Sequence[str], outcomes: Sequence[str] | None = None,
                       confidence: float = 0.95, resamples: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Sobol' first- and total-order indices with bootstrap CIs from outputs on a Saltelli design.

    ``y`` has one row per design point in the order of :func:`pe_sim.sweeps.saltelli_stack` (A, B,
    AB_1 .. AB_d; n rows each) and one column per outcome. S1 = mean(f_B (f_ABi - f_A)) / Var and
    ST = mean((f_A - f_ABi)^2) / (2 Var) on outputs centred on the mean m of f_A and f_B (Var: their
    variance); SALib centres on the mean M of all outputs, so its S1 is this S1 + (m - M) mean(f_ABi - f_A)
    / Var and its ST the same (see the module docstring). Indices are not clipped to [0, 1].
    """
    y = np.asarray(y, dtype=np.float64)
    y = y[:, None] if y.ndim == 1 else y
    d, s = len(factors), y.shape[1]
    if y.shape[0] != n * (d + 2):
        raise ValueError(f"expected {n * (d + 2)} rows (n (d + 2)), got {y.shape[0]}")
    outcomes = list(outcomes) if outcomes is not None else [f"y{i}" for i in range(s)]
    if d == 1 and s == 1:  # scipy's sobol_indices squeezes a 1 x 1 result to a scalar and then fails on it
        return sobol_from_outputs(np.hstack([y, y]), n, factors, [*outcomes, "copy"], confidence, resamples,
                                  seed).iloc[:1].reset_index(drop=True)
    f_a, f_b = y[:n].T, y[n:2 * n].T
    f_ab = y[2 * n:].reshape(d, n, s).transpose(0, 2, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = stats.sobol_indices(func={"f_A": f_a, "f_B": f_b, "f_AB": f_ab}, n=n, rng=np.random.default_rng(seed))
        # SobolResult.bootstrap takes no seed and draws from numpy's global RandomState: seed it for
        # reproducible CIs, then put the caller's state back.
        state = np.random.get_state()
        try:
            np.random.seed(seed % 2**32)
            boot = res.bootstrap(confidence_level=confidence, n_resamples=resamples)
        finally:
            np.random.set_state(state)
    shape = (s, d)
    s1, st = np.reshape(res.first_order, shape), np.reshape(res.total_order, shape)
    s1_ci, st_ci = boot.first_order.confidence_interval, boot.total_order.confidence_interval
    s1_lo, s1_hi = np.reshape(s1_ci.low, shape).copy(), np.reshape(s1_ci.high, shape).copy()
    st_lo, st_hi = np.reshape(st_ci.low, shape).copy(), np.reshape(st_ci.high, shape).copy()
    inert = np.all(f_ab == f_a[None], axis=-1).T  # (s, d): changing the factor changed nothing at all
    for lo, hi, v in ((s1_lo, s1_hi, s1), (st_lo, st_hi, st)):
        lo[inert], hi[inert] = v[inert], v[inert]  # a degenerate bootstrap; the index is exactly known
    rows = []
    for k, o in enumerate(outcomes):
        for i, f in enumerate(factors):
            rows.append({"outcome": o, "parameter": f, "S1": s1[k, i], "S1_low": s1_lo[k, i], "S1_high": s1_hi[k, i],
                         "ST": st[k, i], "ST_low": st_lo[k, i], "ST_high": st_hi[k, i]})
    return pd.DataFrame(rows)


def morris_from_outputs(y: np.ndarray, unit: np.ndarray, moved: np.ndarray, factors: Sequence[str],
                        outcomes: Sequence[str] | None = None, confidence: float = 0.95, resamples: int = 1000,
                        seed: int = 0) -> pd.DataFrame:
    """Morris elementary effects: mu, mu* (with a bootstrap CI over trajectories) and sigma.

    Rows of ``y``/``unit`` follow :func:`pe_sim.sweeps.morris_unit` (trajectories of d + 1 points);
    ``moved[i]`` is the factor index changed between row i - 1 and row i (-1 at a trajectory start).
    Effects are per unit of ``unit``: of each factor's normalised range, and for a normal or lognormal
    factor (whose levels a Morris design takes at probabilities (k + 0.5) / p,
    :func:`pe_sim.sweeps.design.morris_probabilities`) per unit of its probability (CDF) scale. For an integer
    or a list, ``unit`` holds the positions the values really took (:meth:`pe_sim.sweeps.Factor.positions`),
    so an effect divides by the step the factor really made. A step that left a factor where it was (an
    integer distribution too narrow for its levels) gives no effect; a factor with none has NaN statistics.
    """
    y = np.asarray(y, dtype=np.float64)
    y = y[:, None] if y.ndim == 1 else y
    outcomes = list(outcomes) if outcomes is not None else [f"y{i}" for i in range(y.shape[1])]
    moved = np.asarray(moved)
    rng = np.random.default_rng(seed)
    rows = []
    for i, f in enumerate(factors):
        at = np.nonzero(moved == i)[0]
        delta = unit[at, i] - unit[at - 1, i]
        at, delta = at[delta != 0], delta[delta != 0]
        ee = (y[at] - y[at - 1]) / delta[:, None]  # (r, s)
        for k, o in enumerate(outcomes):
            e = ee[:, k]
            a = np.abs(e)
            lo = hi = float("nan")
            if len(a) > 1:
                lo, hi = _boot_ci(a, confidence, resamples, rng, method="percentile")
            rows.append({"outcome": o, "parameter": f, "mu": e.mean() if len(e) else float("nan"),
                         "mu_star": a.mean() if len(e) else float("nan"), "mu_star_low": lo,
                         "mu_star_high": hi, "sigma": e.std(ddof=1) if len(e) > 1 else float("nan"),
                         "trajectories": len(e)})
    return pd.DataFrame(rows)


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """The Ishigami function of x (n, 3) in [-pi, pi]^3."""
    x = np.asarray(x)
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Exact first- and total-order Sobol' indices of :func:`ishigami`."""
    pi = np.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


# below these `sensitivity` warns (why these numbers: pe_sim.sweeps.spec.STABLE_SENSITIVITY_POINTS)
MIN_SOBOL_POINTS = STABLE_SENSITIVITY_POINTS["sobol"]
MIN_MORRIS_TRAJECTORIES = STABLE_SENSITIVITY_POINTS["morris"]


def _few_points_warning(method: str, points: int) -> str | None:
    """The warning for a base sample (sobol) or number of trajectories (morris) too small for stable indices."""
    enough = MIN_SOBOL_POINTS if method == "sobol" else MIN_MORRIS_TRAJECTORIES
    if points >= enough:
        return None
    more = option(f"--points {enough}", f"points={enough}") + " or more"
    if method == "sobol":
        return (f"{points} base samples are too few for stable Sobol' indices (they can fall outside [0, 1], with "
                f"confident-looking intervals); use {more}")
    return (f"{points} trajectories are too few for a stable Morris ranking (mu*, sigma and the CI of mu* rest on "
            f"one elementary effect of each parameter per trajectory); use {more} (20 is usual)")


def outside_unit_interval(table: pd.DataFrame) -> pd.DataFrame:
    """(S1, ST) flags of a Sobol' table: the index lies outside [0, 1], where every Sobol' index is, by more than
    its sampling noise -- its whole bootstrap CI is below 0 or above 1. Such an estimate says the sample is too small
    for the outcome's variance (or replicate noise without crn); it is reported as estimated, never clipped."""
    return pd.DataFrame({k: (table[f"{k}_high"] < 0) | (table[f"{k}_low"] > 1) for k in ("S1", "ST")})


def sensitivity(spec, *, method: str | None = None, outcomes: Sequence[str] | None = None, points: int | None = None,
                out: str | Path | None = None, workers: int | None = None, scheduler: str | None = None,
                scheduler_file: str | None = None, client=None, chunk_size: int | None = None,
                overwrite: bool = False, confidence: float | None = None, resamples: int | None = None,
                figure: str | Path | bool | None = None, csv: str | Path | None = None,
                progress: bool = True, force: bool = False) -> pd.DataFrame:
    """Global sensitivity of end-of-run summaries to a sweep's [vary] factors.

    ``method="sobol"`` (default) runs the Saltelli design (N = ``points`` or [sweep].points base samples,
    a power of 2; N (d + 2) points x replicates runs) and returns first- and total-order indices with
    bootstrap CIs; ``"morris"`` runs ``points`` elementary-effect trajectories. Runs are kept in ``out``
    (default: the sweep's out with ``_sobol``/``_morris``) and reused when called again. Writes the
    table and a bar plot to ``out/_analysis`` unless ``csv``/``figure`` say otherwise (``figure=False``:
    no plot); a ``csv`` or ``figure`` file that exists is replaced only with ``force``. Returns the
    index table (``.attrs`` hold the text summary and paths).
    """
    check_workers("sensitivity", workers)
    if isinstance(outcomes, str):  # one outcome, not its letters
        outcomes = [outcomes]
    spec = as_spec(spec, rules="sensitivity")  # the file's own design is replaced, so its rules do not apply
    sens = dict(spec.sensitivity)
    sspec = sensitivity_design(spec, method, points)  # the method and points checked, the size too
    method = "sobol" if sspec.design == "saltelli" else "morris"
    points = int(sspec.points)
    outcomes = list(outcomes or sens.get("outcomes") or [o for o in SENSITIVITY_OUTCOMES if o in spec.outcomes])
    for o in outcomes:
        if o not in spec.outcomes:
            raise ConfigError(spec.file, "sweep.outcomes", f"does not keep {o!r}, which the sensitivity analysis needs")
    design_kind = sspec.design
    confidence = confidence or sens.get("confidence", 0.95)
    resamples = resamples or sens.get("resamples", 1000)
    out_dir = Path(out if out is not None else (spec.out if spec.design == design_kind else f"{spec.out}_{method}"))
    adir = out_dir / "_analysis"
    named_figure = figure if figure and not isinstance(figure, bool) else None  # a path the caller gave
    csv_path = Path(csv) if csv else adir / f"{method}.csv"
    fig_path = None if figure is False else Path(named_figure) if named_figure else adir / f"{method}.png"
    # before the runs: nothing is overwritten, and a folder that cannot be made is found now
    if named_figure:
        refuse_existing(named_figure, force, "figure")  # a folder is named as one first
        check_figure_name(named_figure, "figure")
    # only a default can clash here (the CLI checks the paths it was given), so name it as the default
    distinct_outputs((csv_path, "csv" if csv else "the default table"),
                     (fig_path, "figure" if named_figure else "the default figure"))
    for path, flag in ((csv, "csv"), (named_figure, "figure")):
        if path:
            ready_to_write(path, force, flag)
    if progress:  # the design replaces the sweep file's own, so say how big it is before the work starts
        per = len(spec.factors) + (2 if method == "sobol" else 1)  # design points per base sample or trajectory
        own = f", replacing the file's design = {spec.design!r}" if spec.design != design_kind else ""
        print(f"pe-sim sensitivity: {design_kind} design for {method} indices{own}: {points:,} "
              f"{'base samples' if method == 'sobol' else 'trajectories'} x {per} = {points * per:,} points x "
              f"{counted(spec.replicates, 'replicate')} = {points * per * spec.replicates:,} runs -> {out_dir}",
              file=sys.stderr)
    # The warnings are about the numbers, not the work: said with or without progress.
    if not spec.crn and spec.replicates > 1:
        print("pe-sim sensitivity: warning: without crn = true in [sweep], each point's replicates draw their own "
              "random numbers, and that noise inflates the indices (total-order most) of noisy outcomes such as "
              "attrition; add crn = true to compare points on the same random numbers", file=sys.stderr)
    for line in spec.event_warnings():
        print(f"pe-sim sensitivity: warning: {line}", file=sys.stderr)
    few = _few_points_warning(method, points)
    if few:
        print(f"pe-sim sensitivity: warning: {few}", file=sys.stderr)
    report = run_sweep(sspec, out=out_dir, workers=workers, scheduler=scheduler, scheduler_file=scheduler_file,
                       client=client, resume=not overwrite, overwrite=overwrite, chunk_size=chunk_size,
                       progress=progress)
    cols = [summary_name(o) for o in outcomes]
    data = load_results(out_dir, columns=["point", *cols])
    y = data.groupby("point")[cols].mean().sort_index().to_numpy()
    names = list(spec.varied)
    if method == "sobol":
        table = sobol_from_outputs(y, points, names, outcomes, confidence, resamples, spec.seed)
    else:
        design = make_design(sspec)
        moved = np.array([names.index(m) if m else -1 for m in design.table["moved"]])
        position = np.column_stack([f.positions(design.table[f.name].to_numpy(), design.unit[:, i])
                                    for i, f in enumerate(design.factors)])
        table = morris_from_outputs(y, position, moved, names, outcomes, confidence, resamples, spec.seed)
        still = sorted(set(table.loc[table["trajectories"] == 0, "parameter"]))
        if still:  # their rows are NaN: say why rather than leave a table of NaN
            print(f"pe-sim sensitivity: warning: {', '.join(still)} never changed value between the design's levels "
                  "(rounded to one integer at every level), so no elementary effect could be computed for "
                  f"{'it' if len(still) == 1 else 'them'}: widen {'its' if len(still) == 1 else 'their'} range",
                  file=sys.stderr)
    table.insert(1, "summary", [summary_name(o) for o in table["outcome"]])
    adir.mkdir(exist_ok=True)
    # The default table and figure in out/_analysis are pe-sim's own: each analysis rewrites them,
    # and says so when one was there (a table or figure to keep is named with csv/figure).
    replaced = [str(p) for p, given in ((csv_path, csv), (fig_path, named_figure)) if p is not None and not given
                and Path(p).is_file()]
    with atomic(csv_path) as tmp:
        table.to_csv(tmp, index=False)
    if fig_path is not None:
        plot_sensitivity(table, method, fig_path, title=f"{spec.name}: {method} sensitivity, "
                         f"{counted(report.points, 'point')} x {counted(spec.replicates, 'replicate')} = "
                         f"{counted(report.runs, 'run')}")
    text = (f"{method} sensitivity of {spec.name} ({counted(report.points, 'point')} x "
            f"{counted(spec.replicates, 'replicate')}, "
            f"runs in {out_dir}):\n" + index_table_text(table, method, confidence, points)
            + f"\ntable: {csv_path}" + (f"\nfigure: {fig_path}" if fig_path else "")
            + "".join(f"\n(replaced the earlier analysis in {p}; name a file with --csv/--figure to keep one)"
                      for p in replaced))
    table.attrs.update(text=text, out=str(out_dir), csv=str(csv_path), figure=str(fig_path) if fig_path else None)
    return table


def index_table_text(table: pd.DataFrame, method: str, confidence: float, points: int) -> str:
    """A sensitivity table as aligned text. Sobol' indices outside [0, 1] by more than their CI
    (:func:`outside_unit_interval`) are marked ``*`` and explained in a line under the table."""
    if method != "sobol":
        txt = table[["outcome", "parameter", "mu", "mu_star", "mu_star_low", "mu_star_high", "sigma"]]
        return txt.to_string(index=False, float_format=lambda v: f"{v:.3f}")
    pct = round(100 * confidence)
    off = outside_unit_interval(table)
    cols = {}
    for k in ("S1", "ST"):  # a mark after an index outside [0, 1] beyond its CI, a space after the others
        cols[k] = [f"{v:.3f}{'*' if o else ' '}" for v, o in zip(table[k], off[k])]
        cols[f"{k} {pct}% CI"] = [f"[{a:.3f}, {b:.3f}]" for a, b in zip(table[f"{k}_low"], table[f"{k}_high"])]
    txt = table.assign(**cols)
    text = txt[["outcome", "parameter", "S1", f"S1 {pct}% CI", "ST", f"ST {pct}% CI"]].to_string(index=False)
    n_off = int(off.to_numpy().sum())
    if n_off:
        text += (f"\n* {n_off} {'index lies' if n_off == 1 else 'indices lie'} outside [0, 1] by more than "
                 f"{'its' if n_off == 1 else 'their'} {pct}% CI, though a Sobol' index lies in [0, 1]: {points} base "
                 f"samples are too few for the outcome's variance (or replicate noise swamps it; crn = true helps); "
                 f"shown as estimated, not clipped; use more {option('--points', 'points')}")
    return text


def plot_sensitivity(table: pd.DataFrame, method: str = "sobol", path: str | Path | None = None, title: str = ""):
    """Bar plot: per outcome, S1 and ST (sobol) or mu* (morris) per parameter with CI whiskers."""
    outcomes = list(dict.fromkeys(table["outcome"]))
    key = "ST" if method == "sobol" else "mu_star"
    if method == "sobol":
        order = table.groupby("parameter")[key].mean().sort_values().index.tolist()
    else:
        norm = table.assign(rel=table[key] / table.groupby("outcome")[key].transform("max").replace(0, 1))
        order = norm.groupby("parameter")["rel"].mean().sort_values().index.tolist()
    h = max(2.5, 0.28 * len(order) + 1)
    fig, axes = _grid(len(outcomes), ncols=3, size=(4.2, h))
    pos = np.arange(len(order))
    for ax, o in zip(axes, outcomes):
        t = table[table["outcome"] == o].set_index("parameter").loc[order]
        if method == "sobol":
            for off, k, color, label in ((-0.2, "S1", "C0", "first order S1"), (0.2, "ST", "C3", "total order ST")):
                err = np.clip(np.vstack([t[k] - t[f"{k}_low"], t[f"{k}_high"] - t[k]]), 0, None)
                ax.barh(pos + off, t[k], height=0.4, color=color, xerr=err, error_kw={"lw": 0.8}, label=label)
            ax.axvline(0, color="0.3", lw=0.6)
            ax.set_xlabel("Sobol' index", fontsize=8)
        else:
            err = np.clip(np.vstack([t["mu_star"] - t["mu_star_low"], t["mu_star_high"] - t["mu_star"]]), 0, None)
            ax.barh(pos, t["mu_star"], height=0.6, color="C0", xerr=np.nan_to_num(err), error_kw={"lw": 0.8},
                    label="mu* (mean |elementary effect|)")
            ax.plot(t["sigma"], pos, "k|", ms=8, label="sigma")
            ax.set_xlabel("effect per unit of parameter range", fontsize=8)
        ax.set_yticks(pos, order, fontsize=7)
        ax.tick_params(axis="x", labelsize=7)
        ax.set_title(summary_name(o), fontsize=9)
    axes[0].legend(fontsize=7, loc="lower right")
    return _finish(fig, title, path)


# --------------------------------------------------------------------------------------------
# Sweep figures
# --------------------------------------------------------------------------------------------

def _mean_ci(g: pd.core.groupby.SeriesGroupBy, confidence: float) -> pd.DataFrame:
    m, s, n = g.mean(), g.std(ddof=1), g.count()
    half = stats.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1)) * s / np.sqrt(n)
    return pd.DataFrame({"mean": m, "low": m - half.fillna(0), "high": m + half.fillna(0)})


def plot_sweep(df: pd.DataFrame, x: str, columns: Sequence[str], hue: str | None = None,
               path: str | Path | None = None, confidence: float = 0.95, title: str = "", ncols: int = 3):
    """Mean (with a t-interval over runs) of summary ``columns`` against parameter ``x``, one line per
    ``hue`` value, one panel per column. Categorical ``x`` is shown at evenly spaced positions."""
    fig, axes = _grid(len(columns), ncols=ncols)
    cats = not pd.api.types.is_numeric_dtype(df[x]) or pd.api.types.is_bool_dtype(df[x])
    levels = list(dict.fromkeys(df[x])) if cats else None
    groups = [(None, df)] if hue is None else list(df.groupby(hue, sort=True))
    for ax, col in zip(axes, columns):
        for i, (h, g) in enumerate(groups):
            st = _mean_ci(g.groupby(x)[col], confidence)
            if cats:
                st = st.reindex(levels)
                xs = np.arange(len(levels)) + (i - (len(groups) - 1) / 2) * 0.08
            else:
                xs = st.index.to_numpy(dtype=float)
            label = None if h is None else f"{hue} = {h}"
            ax.errorbar(xs, st["mean"], yerr=[st["mean"] - st["low"], st["high"] - st["mean"]], color=f"C{i}",
                        marker="o", ms=3.5, lw=1.3, capsize=2, label=label)
        if cats:
            ax.set_xticks(np.arange(len(levels)), [str(v) for v in levels], fontsize=7)
        ax.set_xlabel(x, fontsize=8)
        ax.set_title(col, fontsize=9)
        ax.tick_params(labelsize=7)
    if hue is not None:
        axes[0].legend(fontsize=7)
    return _finish(fig, title, path)


def plot_trajectories(df: pd.DataFrame, outcomes: Sequence[str], hue: str, path: str | Path | None = None,
                      confidence: float = 0.95, title: str = "", shade: tuple[int, int] | None = None,
                      ncols: int = 3):
    """Mean trajectory (with a t-interval band over runs) of each outcome per ``hue`` value."""
    fig, axes = _grid(len(outcomes), ncols=ncols)
    for ax, o in zip(axes, outcomes):
        for i, (h, g) in enumerate(df.groupby(hue, sort=True)):
            st = _mean_ci(g.groupby("sprint")[o], confidence)
            x = st.index.to_numpy()
            ax.plot(x, st["mean"], color=f"C{i}", lw=1.3, label=f"{hue} = {h}")
            ax.fill_between(x, st["low"], st["high"], color=f"C{i}", alpha=0.2, lw=0)
        if shade:
            ax.axvspan(shade[0], shade[1], color="0.85", zorder=0)
        ax.set_title(o, fontsize=9)
        ax.set_xlabel("sprint", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
    return _finish(fig, title, path)


def _finish(fig, title: str, path: str | Path | None):
    """Title the figure and save it if a path is given."""
    if title:
        fig.suptitle(title, fontsize=10)
    if path:
        save_figure(fig, path, dpi=110)
    return fig
