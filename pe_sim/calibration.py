"""Calibrating pe-sim to a team's own sprint history by approximate Bayesian computation.

The team's history (:mod:`pe_sim.history`) is reduced to summary statistics (:func:`team_statistics`);
the model, run for the same sprints from the same head count, is reduced the same way; ABC-SMC
(pyabc, Klinger et al. 2018) keeps the parameter values whose simulated teams look like the real
one, generation after generation, with an adaptive weighting of the statistics (Prangle 2017).
Every simulation goes through the compiled kernel, one run per particle: pyabc proposes one
particle at a time.

A calibration is set by a ``[calibrate]`` table (:func:`settings_from_dict`): the team's practice
(``base``, a shipped scenario or TOML file), priors (``[calibrate.priors]``, each ``{low, high,
scale}``) that replace or add to :data:`DEFAULT_PRIORS`, values to hold fixed instead
(``[calibrate.fixed]``), and the sampler's size and stopping rules.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from pe_sim import config as cfg
from pe_sim.config import ConfigError
from pe_sim.history import TeamHistory, history_from_outcomes
from pe_sim.params import BY_NAME, SPLIT_ONLY, defaults, encode, unused
from pe_sim.words import counted

FIXED_UNIT_RANGE = (1e-3, 1e3)  # points per ideal-day a team may fix: beyond, its history would be implausible
POINTS_PER_DAY = "points_per_day"  # the team's unit of work per model ideal-day: calibrated, not a model parameter
RUN = "run"  # posterior.parquet's column of each particle's run id: the run that got it accepted (:func:`run_for`)


@dataclass(frozen=True)
class Prior:
    """A uniform prior on [low, high], or log-uniform (``scale = "log"``)."""

    low: float
    high: float
    scale: str = "linear"

    def rv(self):
        """pyabc's prior on the sampling scale: uniform in the value, or in its log for a log prior
        (so the perturbation kernel works in log units too; in the value's units it piles weight
        onto the particles near the lower bound, where the log-uniform density is highest)."""
        import pyabc

        lo, hi = self.to_sampling(self.low), self.to_sampling(self.high)
        return pyabc.RV("uniform", lo, hi - lo)

    def to_sampling(self, x: float) -> float:
        return math.log(x) if self.scale == "log" else float(x)

    def from_sampling(self, z: float) -> float:
        return math.exp(z) if self.scale == "log" else float(z)

    def quantile(self, q: float) -> float:
        if self.scale == "log":
            return math.exp(math.log(self.low) + q * (math.log(self.high) - math.log(self.low)))
        return self.low + q * (self.high - self.low)


# The default set: what a team's sprint records can speak to. Ranges are assumptions, chosen wide.
DEFAULT_PRIORS: dict[str, Prior] = {
    POINTS_PER_DAY: Prior(0.25, 20.0, "log"),
    "skill_mean": Prior(0.3, 2.0),
    "initial_debt": Prior(0.0, 300.0),
    "pressure": Prior(0.0, 1.0),
    "optimism_bias": Prior(0.0, 1.0),
    "work_uncertainty": Prior(0.0, 0.8),
    "base_incident_rate": Prior(0.0, 3.0),
    "base_attrition": Prior(0.0, 0.03),
    "tech_share": Prior(0.0, 0.5),
}


@dataclass(frozen=True)
class Settings:
    """What a calibration runs: the practice, priors, fixed values, sampler size and stopping rules.

    ``kernel_scale`` multiplies the covariance of pyabc's perturbation kernel (pyabc's ``scaling``;
    1 is its Silverman-rule default). At 1 the importance weights degenerate in nine dimensions
    (an effective sample of 23-160 of 500 particles in the last generation on four synthetic teams);
    at 3 it is 330-347 on three of them and 100 on the fourth, for about 40% more simulations
    (``benchmarks/calibration_choices.py --kernel``). ``adjust`` post-processes the last generation
    (:func:`regression_adjust`, or ``"none"``). ``warmup`` is the sprints a simulated team works
    before its history begins, at its starting head count, so that it enters the history in its
    own steady state as a real team does, not fresh from the model's initial values (assumption:
    a year, 26 sprints; the initial values then describe the team a year before its records)."""

    base: str = "split_backlogs"
    priors: Mapping[str, Prior] = field(default_factory=lambda: dict(DEFAULT_PRIORS))
    fixed: Mapping[str, Any] = field(default_factory=dict)
    population: int = 500
    generations: int = 8
    min_acceptance: float = 0.02
    seed: int = 1
    adjust: str = "linear"
    kernel_scale: float = 3.0
    warmup: int = 26
    source: str = "<defaults>"
    practice: Mapping[str, Any] | None = None  # the base's parameter values, as read when the calibration began


def with_practice(settings: Settings) -> Settings:
    """``settings`` with the base's parameter values recorded, so that the calibration keeps the
    practice it ran with (a base file changed or moved later changes nothing)."""
    return settings if settings.practice is not None else replace(settings, practice=dict(cfg.load(settings.base).params))


ADJUSTMENTS = ("linear", "none")  # how the last generation is post-processed (:func:`regression_adjust`)
SETTING_KEYS = ("base", "priors", "fixed", "population", "generations", "min_acceptance", "seed", "adjust",
                "kernel_scale", "warmup")
MAX_WARMUP = 520  # sprints: 20 years


def settings_from_dict(data: Mapping[str, Any], file: str = "<dict>", base_dir=None) -> Settings:
    """Check a ``[calibrate]`` table (the whole TOML document is passed; other tables are refused). A
    ``base`` file is looked for beside the config (``base_dir``) first, as a sweep's is."""
    for top in data:
        if top != "calibrate":
            raise ConfigError(file, top, "unknown table; a calibration config holds one [calibrate] table")
    raw = data.get("calibrate", {})
    if not isinstance(raw, Mapping):
        raise ConfigError(file, "calibrate", "expected a table")
    for k in raw:
        if k not in SETTING_KEYS:
            raise cfg._unknown(file, f"calibrate.{k}", k, SETTING_KEYS)
    s = Settings(source=file)
    base = raw.get("base", s.base)
    if not isinstance(base, str):
        raise ConfigError(file, "calibrate.base", f"{cfg.toml_value(base)} is not a scenario name or TOML path")
    with contextlib.suppress(OSError):  # a name too long to be a file: resolve_path says so below
        if base_dir is not None and (Path(base_dir) / base).is_file():
            base = str(Path(base_dir) / base)
    try:
        cfg.resolve_path(base)
    except ConfigError as exc:
        raise ConfigError(file, "calibrate.base", f"{base!r}: {exc.problem}") from None
    practice = cfg.load(base)  # a scenario file's own errors name that file
    priors = dict(DEFAULT_PRIORS)
    given = _table(file, raw, "priors")
    for name, spec in given.items():
        priors[name] = _prior(file, f"calibrate.priors.{name}", name, spec)
    fixed = {}
    for name, value in _table(file, raw, "fixed").items():
        if name in given:
            raise ConfigError(file, f"calibrate.fixed.{name}", "is also given a prior in [calibrate.priors]; a "
                                                               "parameter is either calibrated or fixed")
        if name == "n_engineers":
            raise ConfigError(file, f"calibrate.fixed.{name}", "comes from the history (the head count at the start "
                                                               "of its first sprint); leave it out")
        if name == POINTS_PER_DAY:  # a team that knows its unit (work recorded in days: 1)
            fixed[name] = _fixed_unit(file, f"calibrate.fixed.{name}", value)
        else:
            fixed[name] = cfg.check_param(file, f"calibrate.fixed.{name}", name, value)
        priors.pop(name, None)
    if fixed.get("roadmap_mode", practice.params["roadmap_mode"]) == "one_roadmap":
        why = ("calibrate.fixed.roadmap_mode" if "roadmap_mode" in fixed else f"the base {base}")
        for name in sorted(SPLIT_ONLY):
            for table, named in (("priors", given), ("fixed", fixed)):
                if name in named:  # asked for by name: say why it cannot be, rather than drop or keep it silently
                    raise ConfigError(file, f"calibrate.{table}.{name}",
                                      f"changes nothing when the team plans with one roadmap ({why}), so "
                                      f"{'the history cannot tell its value' if table == 'priors' else 'fixing it has no effect'}; "
                                      "leave it out, or calibrate a team with split backlogs")
            priors.pop(name, None)
    if not priors:
        raise ConfigError(file, "calibrate.priors", "nothing left to calibrate; every parameter is fixed")
    ints = {"population": (20, 1_000_000), "generations": (1, 100), "seed": (0, 2**63 - 1), "warmup": (0, MAX_WARMUP)}
    values = {}
    for key, (lo, hi) in ints.items():
        v = raw.get(key, getattr(s, key))
        values[key] = cfg._check_int(file, f"calibrate.{key}", v, lo, hi)
    acc = raw.get("min_acceptance", s.min_acceptance)
    if isinstance(acc, bool) or not isinstance(acc, (int, float)) or not 0 <= acc < 1:
        raise ConfigError(file, "calibrate.min_acceptance", f"{cfg.toml_value(acc)} is not valid; expected a share in [0, 1)")
    scale = raw.get("kernel_scale", s.kernel_scale)
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0 < scale <= 100:
        raise ConfigError(file, "calibrate.kernel_scale", f"{cfg.toml_value(scale)} is not valid; expected a number in (0, 100] "
                                                          "(the perturbation covariance over pyabc's default)")
    adjust = raw.get("adjust", s.adjust)
    if adjust not in ADJUSTMENTS:
        raise ConfigError(file, "calibrate.adjust", f"{cfg.toml_value(adjust)} is not valid; expected one of "
                                                    f"{', '.join(repr(a) for a in ADJUSTMENTS)}")
    return replace(s, base=base, priors=priors, fixed=fixed, min_acceptance=float(acc), adjust=adjust,
                   kernel_scale=float(scale), practice=dict(practice.params), **values)


def _fixed_unit(file: str, key: str, value: Any) -> float:
    """A fixed ``points_per_day``: a number in :data:`FIXED_UNIT_RANGE`."""
    lo, hi = FIXED_UNIT_RANGE
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
        raise ConfigError(file, key, f"{cfg.toml_value(value)} is not valid; expected the team's unit of work per "
                                     f"ideal-day, a number in [{lo:g}, {hi:g}] (1 if its history records work in days)")
    return float(value)


def _table(file: str, raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    t = raw.get(key, {})
    if not isinstance(t, Mapping):
        raise ConfigError(file, f"calibrate.{key}", "expected a table, e.g. [calibrate.%s]" % key)
    return t


def _prior(file: str, key: str, name: str, spec: Any) -> Prior:
    if name != POINTS_PER_DAY and name not in BY_NAME:
        raise cfg._unknown(file, key, name, [POINTS_PER_DAY, *BY_NAME])
    if not isinstance(spec, Mapping) or set(spec) - {"low", "high", "scale"} or not {"low", "high"} <= set(spec):
        raise ConfigError(file, key, f"{cfg.toml_value(spec)} is not a prior; expected {{low = ..., high = ...}} and optionally "
                                     "scale = \"log\"")
    scale = spec.get("scale", "linear")
    if scale not in ("linear", "log"):
        raise ConfigError(file, f"{key}.scale", f"{cfg.toml_value(scale)} is not valid; expected \"linear\" or \"log\"")
    lo, hi = spec["low"], spec["high"]
    for end, v in (("low", lo), ("high", hi)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ConfigError(file, f"{key}.{end}", f"{cfg.toml_value(v)} is not a finite number")
    if not lo < hi:
        raise ConfigError(file, key, f"low {lo} is not below high {hi}")
    if scale == "log" and lo <= 0:
        raise ConfigError(file, f"{key}.low", f"{lo} must be above 0 for a log-uniform prior")
    if name != POINTS_PER_DAY:
        p = BY_NAME[name]
        if p.kind != "float":
            raise ConfigError(file, key, f"{name} takes {p.a_kind}; only real-valued parameters can be calibrated")
        if lo < p.lo or hi > p.hi:
            raise ConfigError(file, key, f"[{lo}, {hi}] leaves the parameter's valid range {p.describe_range()}")
    return Prior(float(lo), float(hi), scale)


# --- summary statistics --------------------------------------------------------------------------

def _thirds(x: np.ndarray) -> tuple[float, float]:
    k = max(1, len(x) // 3)
    return float(np.mean(x[:k])), float(np.mean(x[-k:]))


def team_statistics(columns: Mapping[str, np.ndarray]) -> dict[str, float]:
    """The numbers a team's history is judged by (the same for a real and a simulated team): work
    committed and delivered (level, say/do, sprint-to-sprint spread, trend), incidents (level,
    trend), leavers and hires per engineer-sprint, and, when the team records them, the tech share
    and features shipped."""
    committed, delivered = columns["committed"], columns["delivered"]
    heads = float(np.mean(columns["headcount"]))
    n = len(delivered)
    level = float(np.mean(delivered))
    first, last = _thirds(delivered)
    inc_first, inc_last = _thirds(columns["incidents"])
    stats = {
        "delivered_mean": level,
        "committed_mean": float(np.mean(committed)),
        "say_do": level / max(float(np.mean(committed)), 1e-9),
        "delivered_spread": float(np.std(delivered)) / max(level, 1e-9),
        "delivered_trend": (last - first) / max(level, 1e-9),
        "incidents_mean": float(np.mean(columns["incidents"])),
        "incidents_trend": inc_last - inc_first,
        "leavers_rate": float(np.sum(columns["leavers"])) / (heads * n),
        "hires_rate": float(np.sum(columns["hires"])) / (heads * n),
    }
    if "tech_share" in columns:
        stats["tech_share_mean"] = float(np.mean(columns["tech_share"]))
    if "features_shipped" in columns:
        stats["features_mean"] = float(np.mean(columns["features_shipped"]))
    return stats


# --- the simulated team ---------------------------------------------------------------------------

class TeamSimulator:
    """The model set up as the team: its practice, its starting head count and its horizon (the
    history's sprints, or ``n_sprints``); one call simulates one run for a parameter draw, straight
    through the compiled kernel. The team first works ``settings.warmup`` sprints at its starting
    head count (not returned); over the history its size follows its record (a team_size event each
    sprint: who leaves of their own accord is the model's; the newest go if the team shrank more,
    hires fill it up at once); after it, the team goes on at its current size."""

    def __init__(self, settings: Settings, history: TeamHistory, n_sprints: int | None = None):
        from pe_sim.core import kernel
        from pe_sim.core.engine import event_array
        from pe_sim.core.record import P, record
        from pe_sim.events import schedule

        values = dict(with_practice(settings).practice)
        values.update({k: v for k, v in settings.fixed.items() if k != POINTS_PER_DAY})
        values["n_engineers"] = history.starting_headcount
        self.unit = float(settings.fixed.get(POINTS_PER_DAY, 1.0))  # the team's unit, when it is not calibrated
        self.columns = tuple(c for c in history.columns if c != "sprint")
        self.n_sprints = n_sprints or history.n_sprints
        self.first_sprint = int(history.columns["sprint"][0])
        self.row = record(values)
        self.index = {name: int(P[name]) for name in settings.priors if name != POINTS_PER_DAY}
        self.warmup = settings.warmup
        sizes = np.asarray(history.columns["headcount"], dtype=np.float64)[:self.n_sprints]
        total = self.warmup + self.n_sprints
        self.events = event_array(schedule((), total), total)
        self.events[0, kernel.EV_TEAM_SIZE, :self.warmup] = history.starting_headcount
        self.events[0, kernel.EV_TEAM_SIZE, self.warmup:self.warmup + len(sizes)] = sizes
        self.slots = max(1, history.starting_headcount, int(sizes.max()))
        self.key = np.uint64(settings.seed % 2**64)
        self.priors = dict(settings.priors)
        self._kernel = kernel

    def outcomes(self, theta: Mapping[str, float], run: int) -> dict[str, np.ndarray]:
        """One run's outcomes (1, sprints) for the parameter values ``theta``, from the history's first
        sprint on (the warm-up is left out)."""
        K = self._kernel
        row = self.row.copy()
        for name, i in self.index.items():
            row[i] = encode(name, float(theta[name]))
        total = self.warmup + self.n_sprints
        out = np.empty((K.N_OUTCOMES, 1, total))
        K.run_batch(row[None, :], self.events, self.key, np.array([run], dtype=np.int64), total, self.slots, out, 0, 1)
        return {k: out[i][:, self.warmup:] for i, k in enumerate(K.OUTCOME_ORDER)}

    def many(self, thetas: list[Mapping[str, float]], runs: np.ndarray, keep: tuple[str, ...], start: int = 0,
             bar=None, chunk: int = 256) -> dict[str, np.ndarray]:
        """Outcomes ``keep`` of many runs, each (len(thetas), sprints) from sprint ``start`` of the
        history on: the same numbers as :meth:`outcomes` run by run, simulated in chunks on numba's
        threads (a run's numbers depend on its parameters and run id only); ``bar`` (tqdm) counts
        the runs."""
        from pe_sim.core.engine import on_threads

        K = self._kernel
        total = self.warmup + self.n_sprints
        ids = np.asarray(runs, dtype=np.int64)
        rows = [K.OUTCOME_ORDER.index(k) for k in keep]
        out = {k: np.empty((len(thetas), self.n_sprints - start)) for k in keep}
        for lo in range(0, len(thetas), chunk):
            hi = min(len(thetas), lo + chunk)
            params = np.repeat(self.row[None, :], hi - lo, axis=0)
            for name, i in self.index.items():
                params[:, i] = [encode(name, float(theta[name])) for theta in thetas[lo:hi]]
            block = np.empty((K.N_OUTCOMES, hi - lo, total))
            part = ids[lo:hi]
            on_threads(lambda a_b: K.run_batch(params, self.events, self.key, part, total, self.slots, block, *a_b), hi - lo)
            for k, i in zip(keep, rows):
                out[k][lo:hi] = block[i, :, self.warmup + start:]
            if bar is not None:
                bar.update(hi - lo)
        return out

    def history(self, theta: Mapping[str, float], run: int) -> dict[str, np.ndarray]:
        """One simulated run as the team's history columns, in the team's unit of work."""
        return history_from_outcomes(self.outcomes(theta, run), 0, float(theta.get(POINTS_PER_DAY, self.unit)),
                                     self.first_sprint, ("sprint", *self.columns))

    def draws(self, df, w: np.ndarray, n: int, seed: int) -> list[tuple[dict[str, float], int]]:
        """``n`` parameter draws from weighted particles (by weight), each with a fresh run id."""
        thetas = particles(df, pick(w, n, seed))
        return [(theta, (run_for(theta) + 1 + j) % 2**63) for j, theta in enumerate(thetas)]  # not the run it was judged by

    def __call__(self, sampled: Mapping[str, float]) -> dict[str, float]:
        """pyabc's model: summary statistics of one run for a draw on the sampling scale
        (:meth:`Prior.rv`), its random numbers keyed to the draw (so a draw always gives the same
        team, whichever worker simulates it)."""
        theta = {k: self.priors[k].from_sampling(float(v)) for k, v in sampled.items()}
        return team_statistics(self.history(theta, run_for(theta)))


def particles(df, rows) -> list[dict[str, float]]:
    """The values of particles ``rows`` (every column but the weight and the run id), one dict each."""
    names = [k for k in df.columns if k not in ("weight", RUN)]
    values = df[names].to_numpy(dtype=np.float64)[np.asarray(rows, dtype=np.int64)]
    return [dict(zip(names, row.tolist())) for row in values]


def pick(w: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Indices of ``n`` particles drawn with replacement by weight."""
    return np.random.default_rng(seed).choice(len(w), size=n, p=w / w.sum())


def run_for(theta: Mapping[str, float]) -> int:
    """A run id from a parameter draw: the same draw, the same random numbers."""
    data = np.array([float(theta[k]) for k in sorted(theta)], dtype=np.float64).tobytes()
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little") >> 1


# --- inference -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Generation:
    """What one ABC-SMC generation did (the progress line and the manifest)."""

    t: int
    epsilon: float
    simulations: int
    acceptance: float


class _ProgressLines:
    """A logging filter that turns pyabc's per-generation lines into one plain line each
    ("generation 2 of 8: 50 of 133 simulated teams within distance 4.12 (38%) ...") and drops
    its timings and set-up chatter; a line it does not recognise passes unchanged."""

    def __init__(self, total: int):
        self.total, self.t, self.eps = total, None, None

    def text(self, message: str) -> str | None:
        """What to show for one of pyabc's messages (None: nothing)."""
        if message.startswith(("Timing ", "Calibration sample")):
            return None
        if m := re.fullmatch(r"t: (\d+), eps: (\S+?)\.?", message):
            self.t, self.eps = int(m.group(1)), float(m.group(2))
            return None
        if (m := re.fullmatch(r"Accepted: (\d+) / (\d+) = \S+, ESS: (\S+?)\.?", message)) and self.t is not None:
            kept, tried, ess = int(m.group(1)), int(m.group(2)), float(m.group(3))
            return (f"generation {self.t + 1} of {self.total}: {kept} of {tried} simulated teams within distance "
                    f"{self.eps:.3g} ({kept / max(tried, 1):.0%} accepted), effective sample {ess:.0f}")
        if m := re.fullmatch(r"Stop: (.*?)\.?", message):
            return f"stopped: {m.group(1)[:1].lower()}{m.group(1)[1:]}"
        return message

    def filter(self, record) -> bool:
        line = self.text(record.getMessage())
        if line is None:
            return False
        if record.levelno > 20:  # above INFO: say it is pyabc's warning or error
            line = f"pyabc {record.levelname.lower()}: {line}"
        record.msg, record.args = line, ()
        return True


def pyabc_progress(show: bool, generations: int = 0) -> None:
    """pyabc's progress on stderr, one plain line per generation (threshold, acceptance), or none."""
    import logging

    import pyabc  # noqa: F401  (sets up the "ABC" logger and its handler)

    main = logging.getLogger("ABC")
    main.setLevel(logging.INFO if show else logging.WARNING)
    main.filters = [f for f in main.filters if not isinstance(f, _ProgressLines)]
    main.addFilter(_ProgressLines(generations))
    for handler in main.handlers:
        handler.setFormatter(logging.Formatter("pe-sim calibrate: %(message)s"))
    for quiet in ("ABC.Population", "ABC.Distance", "ABC.Sampler", "ABC.History", "ABC.Epsilon", "ABC.Adaptation"):
        logging.getLogger(quiet).setLevel(logging.WARNING)  # set-up chatter, once per generation


DASK_BATCH = 50  # particles per Dask task


def sampler_for(workers: int, client=None):
    """pyabc's sampler: a Dask cluster, local processes, or this process (reproducible from the seed)."""
    import pyabc

    if client is not None:  # a task per particle would cost more in scheduling than the 0.2 ms simulation
        return pyabc.sampler.DaskDistributedSampler(dask_client=client, batch_size=DASK_BATCH)
    if workers > 1:
        return pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers)
    return pyabc.sampler.SingleCoreSampler()


_FORK_HOOK: list[bool] = []  # [active]; the hook is registered once: os.register_at_fork cannot be undone


def _workers_leave_ctrl_c_to_the_main_process() -> None:
    """pyabc forks its local workers every generation. A Ctrl-C goes to the whole process group; a
    worker that took it would die with a traceback and the main process report "a worker is dead"
    instead of stopping cleanly and saying how to resume. So processes forked from here ignore SIGINT
    from their first instruction; the main process stops them (they are daemonic)."""
    import signal

    def in_child() -> None:
        if _FORK_HOOK[0]:  # only while a calibration runs here
            signal.signal(signal.SIGINT, signal.SIG_IGN)

    if not _FORK_HOOK:
        _FORK_HOOK.append(False)
        os.register_at_fork(after_in_child=in_child)
    _FORK_HOOK[0] = True


def run_abc(history: TeamHistory, settings: Settings, db_path, workers: int = 1, client=None,
            progress: bool = False) -> tuple[Any, list[Generation]]:
    """Run (or resume) ABC-SMC into the SQLite database ``db_path`` until ``settings.generations``
    generations are done or acceptance falls below ``settings.min_acceptance``. Returns pyabc's
    History and its generations. A database left by an interrupted run is continued from its last
    complete generation (pyabc's load), so an interrupted calibration loses at most one generation."""
    import pyabc
    from pathlib import Path

    pyabc_progress(progress, settings.generations)
    db_path = Path(db_path)
    np.random.seed(settings.seed % 2**32)  # pyabc proposes particles from numpy's global generator
    from pe_sim.abcsmc import BoxPrior, CholeskyNormalTransition

    prior = BoxPrior(**{k: p.rv() for k, p in settings.priors.items()})
    sampler = sampler_for(workers, client)
    if workers > 1 and client is None:
        from pe_sim.compiling import workers_will_compile

        _workers_leave_ctrl_c_to_the_main_process()
        workers_will_compile()  # pyabc's forked workers compile on an empty cache, not this process
    # a bar per generation (pyabc's, through jabbar, which writes to stdout): only on a terminal
    sampler.show_progress = progress and sys.stdout.isatty()
    abc = pyabc.ABCSMC(TeamSimulator(settings, history), prior, pyabc.AdaptivePNormDistance(p=2),
                       population_size=settings.population, sampler=sampler, transitions=CholeskyNormalTransition(scaling=settings.kernel_scale))
    url = "sqlite:///" + str(db_path.resolve())
    if db_path.exists() and not repair_database(db_path, settings.population):
        db_path.unlink()  # nothing had finished: start afresh
    h = abc.load(url, 1) if db_path.exists() else abc.new(url, team_statistics(history.columns))
    done = generations(h)
    stopped = bool(done) and done[-1].acceptance < settings.min_acceptance
    if len(done) < settings.generations and not stopped:
        try:
            h = abc.run(max_nr_populations=settings.generations - len(done),
                        min_acceptance_rate=settings.min_acceptance)
        finally:
            if _FORK_HOOK:
                _FORK_HOOK[0] = False
    return h, generations(h)


PYABC_TABLES = frozenset({"version", "abc_smc", "populations", "models", "particles", "parameters", "samples",
                          "summary_statistics"})


class DamagedDatabase(Exception):
    """A calibration's database that is not one pyabc wrote."""


def repair_database(db_path, population: int, fix: bool = True) -> int:
    """Make an interrupted calibration's pyabc database resumable; returns its complete generations.

    An interrupt can land while pyabc adds a generation's particles: its clean-up then commits the
    part already added, and pyabc cannot load the database again (the weights no longer sum to 1).
    A generation counts as complete when it holds ``population`` particles whose weights sum to 1;
    the first incomplete one and everything after it are removed. 0 means nothing had finished
    (the caller starts afresh). With ``fix`` False nothing is removed (a count only). Raises
    :class:`DamagedDatabase` for a file that is not pyabc's (or that cannot be read)."""
    import sqlite3

    path = str(db_path)
    if os.path.getsize(path) == 0:
        return 0
    try:
        con = sqlite3.connect(path)
    except sqlite3.Error as e:
        raise DamagedDatabase(str(e)) from e
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return 0
        missing = sorted(PYABC_TABLES - tables)
        if missing:
            raise DamagedDatabase(f"it lacks pyabc's table{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
        if con.execute("SELECT COUNT(*) FROM abc_smc WHERE id = 1").fetchone()[0] == 0:
            return 0
        rows = con.execute(
            "SELECT p.t, COUNT(pa.id), COALESCE(SUM(pa.w), 0) FROM populations p LEFT JOIN models m ON m.population_id = p.id "
            "LEFT JOIN particles pa ON pa.model_id = m.id WHERE p.abc_smc_id = 1 AND p.t >= 0 GROUP BY p.t ORDER BY p.t"
        ).fetchall()
        complete = 0
        for t, n, w in rows:
            if t != complete or n != population or abs(w - 1.0) > 1e-6:
                break
            complete += 1
        if complete == 0:
            return 0
        if fix:  # drop a half-written generation (and anything after it), then every row left without its
            with con:  # parent, child tables after their parents (SQLite reuses ids: an orphan would rejoin)
                con.execute("DELETE FROM populations WHERE abc_smc_id = 1 AND t >= ?", (complete,))
                for child, key, parent in (("models", "population_id", "populations"), ("particles", "model_id", "models"),
                                           ("parameters", "particle_id", "particles"), ("samples", "particle_id", "particles"),
                                           ("summary_statistics", "sample_id", "samples")):
                    con.execute(f"DELETE FROM {child} WHERE {key} NOT IN (SELECT id FROM {parent})")
        return complete
    except sqlite3.Error as e:
        raise DamagedDatabase(str(e)) from e
    finally:
        con.close()


def generations(h) -> list[Generation]:
    """The complete generations in a pyabc History (t >= 0)."""
    if h.max_t < 0:
        return []
    pops = h.get_all_populations()
    pops = pops[pops.t >= 0]
    return [Generation(int(r.t), float(r.epsilon), int(r.samples), float(r.particles) / max(float(r.samples), 1.0))
            for r in pops.itertuples()]


def posterior(h, settings: Settings) -> tuple[Any, np.ndarray]:
    """The posterior: the last generation's particles (a DataFrame of parameter values; its
    ``attrs["adjusted"]`` says whether they were adjusted, ``attrs["runs"]`` holds each particle's
    run id, the run it was accepted with) and their weights, regression-adjusted as
    ``settings.adjust`` says (:func:`regression_adjust`)."""
    import pandas as pd

    pop = h.get_population(t=h.max_t)
    names = list(settings.priors)
    theta = np.array([[settings.priors[k].from_sampling(float(pt.parameter[k])) for k in names]
                      for pt in pop.particles], dtype=np.float64)
    runs = np.array([run_for(dict(zip(names, row))) for row in theta], dtype=np.int64)  # of the values as accepted
    w = np.array([pt.weight for pt in pop.particles], dtype=np.float64)
    if settings.adjust == "linear":
        keys = sorted(h.observed_sum_stat())
        observed = h.observed_sum_stat()
        stats = np.array([[float(pt.sum_stat[k]) for k in keys] for pt in pop.particles], dtype=np.float64)
        d = np.array([pt.distance for pt in pop.particles], dtype=np.float64)
        theta, w, adjusted = regression_adjust(theta, stats, np.array([float(observed[k]) for k in keys]), d, w,
                                               [settings.priors[k] for k in names])
    else:
        adjusted = False
    df = pd.DataFrame(theta, columns=names)
    df.attrs["adjusted"] = adjusted  # False also when there were too few effective particles to adjust
    df.attrs["runs"] = runs
    return df, w / w.sum()


def _to_line(x: np.ndarray, prior: Prior) -> np.ndarray:
    """Prior box -> real line (logit of the position in the box; log units for a log prior)."""
    lo, hi, v = (prior.low, prior.high, x) if prior.scale == "linear" else \
        (math.log(prior.low), math.log(prior.high), np.log(x))
    u = np.clip((v - lo) / (hi - lo), 1e-9, 1.0 - 1e-9)
    return np.log(u) - np.log1p(-u)


def _from_line(z: np.ndarray, prior: Prior) -> np.ndarray:
    u = 1.0 / (1.0 + np.exp(-z))
    if prior.scale == "linear":
        return prior.low + u * (prior.high - prior.low)
    return np.exp(math.log(prior.low) + u * (math.log(prior.high) - math.log(prior.low)))


def regression_adjust(theta: np.ndarray, stats: np.ndarray, observed: np.ndarray, distances: np.ndarray,
                      w: np.ndarray, priors: list[Prior]) -> tuple[np.ndarray, np.ndarray, bool]:
    """Local-linear regression adjustment of accepted ABC particles (Beaumont, Zhang & Balding 2002,
    Genetics 162:2025): on the real line (each parameter's logit in its prior box, so adjusted
    values stay inside it), regress the parameters on the statistics' deviations from the observed
    ones, weighting each particle by its importance weight times an Epanechnikov kernel of its
    distance, and move every particle along the fitted slope to the observed statistics. This
    removes what the ABC tolerance leaves of the statistics' spread (posteriors otherwise wider than
    the data warrant). Returns the adjusted (particles, parameters), the kernel-times-importance
    weights and True. Statistics constant over the particles are left out; with too few effective
    particles for the regression (under 10 per coefficient) the particles and weights come back as
    they were, with False."""
    k = w * np.clip(1.0 - (distances / max(float(distances.max()), 1e-300)) ** 2, 0.0, None)
    if not k.sum() > 0:
        k = w.copy()
    k = k / k.sum()
    mean = k @ stats
    sd = np.sqrt(k @ (stats - mean) ** 2)
    use = sd > 1e-12 * np.maximum(1.0, np.abs(mean))
    x = (stats[:, use] - observed[use]) / sd[use]
    n_eff = 1.0 / float(np.sum(k ** 2))
    if n_eff < 10.0 * (x.shape[1] + 1):
        return theta, w, False
    z = np.column_stack([_to_line(theta[:, j], p) for j, p in enumerate(priors)])
    design = np.column_stack([np.ones(len(x)), x])
    root = np.sqrt(k)[:, None]
    beta = np.linalg.lstsq(design * root, z * root, rcond=None)[0]
    z_adj = z - x @ beta[1:]
    return np.column_stack([_from_line(z_adj[:, j], p) for j, p in enumerate(priors)]), k, True


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    """The q-quantile of weighted samples (each sample at the middle of its share of the weight)."""
    keep = w > 0
    x, w = x[keep], w[keep]
    order = np.argsort(x)
    cw = np.cumsum(w[order])
    return float(np.interp(q, (cw - 0.5 * w[order]) / cw[-1], x[order]))


def counted_quantile(x: np.ndarray, counts: np.ndarray, q, method: str = "linear") -> np.ndarray:
    """``np.quantile(np.repeat(x, counts, axis=0), q, axis=0, method=method)`` without the repeats:
    row i of ``x`` (n, ...) stands for ``counts[i]`` equal draws. ``method`` is "linear" (numpy's
    default) or "inverted_cdf" (a value that occurs, for whole sprints). ``q`` a number or a
    sequence (then the quantiles are the first axis, as numpy's)."""
    x, counts = np.asarray(x, dtype=np.float64), np.asarray(counts, dtype=np.int64)
    keep = counts > 0
    x, counts = x[keep], counts[keep]
    order = np.argsort(x, axis=0, kind="stable")
    xs = np.take_along_axis(x, order, axis=0)
    ends = np.cumsum(counts[order], axis=0)  # draws up to and including each sorted row
    n = int(counts.sum())

    def at(k):  # the k-th smallest draw (0-based), per column
        return np.take_along_axis(xs, (ends > k).argmax(axis=0)[None], axis=0)[0]

    out = []
    for level in np.atleast_1d(q):
        if method == "inverted_cdf":  # the smallest draw with at least ``level`` of the draws at or below it
            out.append(at(min(max(math.ceil(n * level) - 1, 0), n - 1)))
        elif method == "linear":
            h = (n - 1) * level
            lo = math.floor(h)
            below, above = at(lo), at(min(lo + 1, n - 1))
            out.append(below + (h - lo) * (above - below))
        else:
            raise ValueError(f"method {method!r}: expected 'linear' or 'inverted_cdf'")
    return np.array(out[0] if np.ndim(q) == 0 else out)


IDENTIFIED_RATIO = 0.5  # a parameter is identified when its 90% interval is under half the prior's


def summarise_posterior(df, w: np.ndarray, settings: Settings) -> list[dict[str, Any]]:
    """Per parameter: posterior mean, median and 90% credible interval, the prior's 90% interval,
    and whether the data narrowed it (interval under half the prior's)."""
    rows = []
    for name, prior in settings.priors.items():
        x = df[name].to_numpy(dtype=np.float64)
        lo, med, hi = (weighted_quantile(x, w, q) for q in (0.05, 0.5, 0.95))
        plo, phi = prior.quantile(0.05), prior.quantile(0.95)
        ratio = (hi - lo) / (phi - plo) if prior.scale == "linear" else \
            (math.log(hi) - math.log(lo)) / (math.log(phi) - math.log(plo))
        rows.append({"parameter": name, "mean": float(np.average(x, weights=w)), "median": med, "ci90_low": lo,
                     "ci90_high": hi, "prior_low": prior.low, "prior_high": prior.high, "prior_scale": prior.scale,
                     "width_vs_prior": ratio, "identified": bool(ratio < IDENTIFIED_RATIO)})
    return rows


def predictive(history: TeamHistory, settings: Settings, df, w: np.ndarray, draws: int = 200,
               seed: int = 0) -> dict[str, np.ndarray]:
    """Posterior-predictive histories: ``draws`` particles drawn by weight, each simulated afresh
    (new random numbers); returns each column as (draws, sprints)."""
    sim = TeamSimulator(settings, history)
    runs = [sim.history(theta, run) for theta, run in sim.draws(df, w, draws, seed)]
    return {c: np.stack([r[c] for r in runs]) for c in sim.columns}


def coverage(history: TeamHistory, bands: Mapping[str, np.ndarray], level: float = 0.9) -> dict[str, float]:
    """Share of the team's sprints inside the central ``level`` band of the predictive histories."""
    out = {}
    for c, sims in bands.items():
        lo, hi = np.quantile(sims, [(1 - level) / 2, (1 + level) / 2], axis=0)
        obs = history.columns[c]
        out[c] = float(np.mean((obs >= lo) & (obs <= hi)))
    return out


# What each statistic measures, for the misfit caution (pe-sim calibrate and forecast print it).
STATISTIC_WORDS = {
    "delivered_mean": "work delivered per sprint", "committed_mean": "work committed per sprint",
    "say_do": "say/do (delivered over committed)", "delivered_spread": "sprint-to-sprint spread of delivery",
    "delivered_trend": "trend of delivery (last third over first)", "incidents_mean": "incidents per sprint",
    "incidents_trend": "trend of incidents (per sprint, last third minus first)", "leavers_rate": "leavers per engineer-sprint",
    "hires_rate": "hires per engineer-sprint", "tech_share_mean": "tech share", "features_mean": "features per sprint",
}


def misfits(history: TeamHistory, bands: Mapping[str, np.ndarray], level: float = 0.9) -> dict[str, dict[str, float]]:
    """The team's summary statistics that fall outside the central ``level`` range of the same
    statistics over the posterior-predictive teams (``bands``, from :func:`predictive`): what the
    calibrated model does not reproduce. Returns {statistic: {observed, low, high}}."""
    n = len(next(iter(bands.values())))
    sims = [team_statistics({c: bands[c][j] for c in bands}) for j in range(n)]
    out = {}
    for k, observed in team_statistics(history.columns).items():
        lo, hi = np.quantile([x[k] for x in sims], [(1 - level) / 2, (1 + level) / 2])
        if not lo - 1e-12 <= observed <= hi + 1e-12:
            out[k] = {"observed": float(observed), "low": float(lo), "high": float(hi)}
    return out


def misfit_lines(found: Mapping[str, Mapping[str, float]]) -> list[str]:
    """The caution about :func:`misfits`, one line per statistic after a heading (none if all fit)."""
    if not found:
        return []
    lines = ["caution: the calibrated model does not reproduce these statistics of this team (each outside the 90% "
             "range of 200 posterior-predictive teams):"]
    for k, m in found.items():
        side = "below" if m["observed"] < m["low"] else "above"
        lines.append(f"  {STATISTIC_WORDS.get(k, k)} ({k}): the team {m['observed']:.3g}, {side} the model's "
                     f"{m['low']:.3g} to {m['high']:.3g}")
    smoother = "delivered_spread" in found and found["delivered_spread"]["observed"] < found["delivered_spread"]["low"]
    lines.append("  forecasts carry this: the model's teams differ from this one there (see predictive.png)"
                 + ("; a team smoother than the model's is forecast lower and wider than its history" if smoother else ""))
    return lines


def settings_record(settings: Settings) -> dict[str, Any]:
    """The settings as plain data (manifest; :func:`settings_from_manifest` reads it back)."""
    return {"base": settings.base, "population": settings.population, "generations": settings.generations,
            "min_acceptance": settings.min_acceptance, "seed": settings.seed, "adjust": settings.adjust,
            "kernel_scale": settings.kernel_scale, "warmup": settings.warmup, "source": settings.source,
            "priors": {k: vars(p) for k, p in settings.priors.items()}, "fixed": dict(settings.fixed),
            "practice": dict(with_practice(settings).practice)}


def settings_from_manifest(m: Mapping[str, Any]) -> Settings:
    """The settings a finished calibration ran with (from its manifest), checked as a config's are:
    the manifest is pe-sim's own file, but one damaged or edited by hand must not reach the model
    (ConfigError naming the setting)."""
    s = m["settings"]
    settings = _settings_record(s)
    where = "manifest"
    for name, prior in settings.priors.items():
        _prior(where, f"settings.priors.{name}", name, vars(prior))
    for name, value in settings.fixed.items():
        if name == POINTS_PER_DAY:
            _fixed_unit(where, f"settings.fixed.{name}", value)
        else:
            cfg.check_param(where, f"settings.fixed.{name}", name, value)
    if settings.practice is not None:
        if not isinstance(settings.practice, Mapping):
            raise ConfigError(where, "settings.practice", f"{cfg.toml_value(settings.practice)} is not a table of "
                                                          "parameter values")
        for name, value in settings.practice.items():
            cfg.check_param(where, f"settings.practice.{name}", name, value)
    if not 0 <= settings.warmup <= MAX_WARMUP:
        raise ConfigError(where, "settings.warmup", f"{settings.warmup} is not in [0, {MAX_WARMUP}]")
    return settings


def _settings_record(s: Mapping[str, Any]) -> Settings:
    return Settings(base=s["base"], priors={k: Prior(**v) for k, v in s["priors"].items()}, fixed=dict(s["fixed"]),
                    population=int(s["population"]), generations=int(s["generations"]),
                    min_acceptance=float(s["min_acceptance"]), seed=int(s["seed"]),
                    adjust=s.get("adjust", "none"), kernel_scale=float(s.get("kernel_scale", 1.0)),
                    warmup=int(s.get("warmup", 0)), source=s["source"],  # calibrations before warm-up had none
                    practice=s.get("practice"))  # None in calibrations before it was kept: the base is read again


def calibration_misfits(folder) -> dict[str, dict[str, float]]:
    """The :func:`misfits` a finished calibration recorded in its manifest (none for older ones)."""
    import json
    from pathlib import Path

    from pe_sim.files import MANIFEST

    try:
        found = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8")).get("predictive_misfits") or {}
    except (OSError, ValueError, AttributeError):
        return {}
    return found if isinstance(found, dict) else {}


def _check_posterior(post, settings: Settings, path: str) -> None:
    """posterior.parquet as a calibration writes it: a row per particle, each prior's values finite and
    inside its prior, weights finite and not all 0, and run ids (if kept) whole numbers in [0, 2^63)."""
    again = "run `pe-sim calibrate` into the folder again with --force"
    missing = [k for k in (*settings.priors, "weight") if k not in post.columns]
    if missing:
        raise ConfigError(path, "posterior", f"has no column {', '.join(missing)}: it is not this calibration's "
                                             f"posterior; {again}")
    if len(post) == 0:
        raise ConfigError(path, "posterior", f"has no particles; {again}")

    def numbers(name: str) -> np.ndarray:
        try:
            x = post[name].to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):
            raise ConfigError(path, name, f"holds values that are not numbers; {again}") from None
        if not np.isfinite(x).all():
            raise ConfigError(path, name, f"holds missing or infinite values; {again}")
        return x

    w = numbers("weight")
    with np.errstate(over="ignore"):  # a sum too large is what is checked, not a warning
        total = w.sum()
    if (w < 0).any() or not 0 < total < np.inf:
        raise ConfigError(path, "weight", f"is not a set of weights (negative, all 0, or too large to add up); {again}")
    for name, prior in settings.priors.items():
        x = numbers(name)
        if ((x < prior.low) | (x > prior.high)).any():
            raise ConfigError(path, name, f"holds values outside its prior [{prior.low:g}, {prior.high:g}]; {again}")
    if RUN in post.columns:
        if post[RUN].dtype.kind not in "iu" or post[RUN].isna().any():
            raise ConfigError(path, RUN, f"is not a column of run ids (whole numbers); {again}")
        r = post[RUN].to_numpy(dtype=post[RUN].dtype.numpy_dtype if hasattr(post[RUN].dtype, "numpy_dtype") else None)
        if ((r < 0) | (r >= 2**63)).any():
            raise ConfigError(path, RUN, f"holds run ids outside [0, 2^63); {again}")


def load_calibration(folder) -> tuple[TeamHistory, Settings, Any]:
    """A finished calibration folder: its history, settings and posterior (clear errors otherwise)."""
    import json
    from pathlib import Path

    import pandas as pd

    from pe_sim.files import MANIFEST
    from pe_sim.history import read_history

    folder = Path(folder)
    m = folder / MANIFEST
    if not folder.is_dir():
        raise ConfigError(str(folder), "CALIBRATION", ("is a file" if folder.exists() else "no such folder")
                          + "; expected a folder `pe-sim calibrate` wrote")
    if not m.is_file():
        if (folder / "calibration.json").is_file():
            raise ConfigError(str(folder), "CALIBRATION", "is an unfinished calibration; run the same `pe-sim calibrate` "
                                                          "command again to resume it")
        raise ConfigError(str(folder), "CALIBRATION", "has no manifest.json; expected a folder `pe-sim calibrate` wrote")
    try:
        manifest = json.loads(m.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(str(m), "manifest", f"is damaged ({exc}); run `pe-sim calibrate` into the folder again "
                                              "with --force") from None
    if not isinstance(manifest, dict) or manifest.get("command") != "calibrate" or manifest.get("complete") is not True:
        raise ConfigError(str(folder), "CALIBRATION", "is not a finished calibration; run or resume `pe-sim calibrate` "
                                                      "into it first")
    try:
        settings = settings_from_manifest(manifest)
    except ConfigError as exc:
        raise ConfigError(str(m), exc.key, f"{exc.problem}; the manifest is damaged: run `pe-sim calibrate` into the "
                                           "folder again with --force") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(str(m), "settings", f"is damaged or from another version ({exc!r}); run `pe-sim calibrate` "
                                              "into the folder again with --force") from None
    if settings.practice is None:  # a calibration from before the practice was kept: its base must still be there
        try:
            settings = with_practice(settings)
        except ConfigError as exc:
            raise ConfigError(str(folder), "base", f"the calibration's base {settings.base!r} cannot be read "
                                                   f"({exc.problem}); run from the folder it was calibrated in, or "
                                                   "calibrate again (calibrations now keep their practice)") from None
    path = folder / "posterior.parquet"
    try:
        post = pd.read_parquet(path)
    except Exception as exc:  # missing, truncated or not Parquet: pyarrow raises several kinds
        raise ConfigError(str(path), "posterior", f"cannot be read ({type(exc).__name__}: {exc}); run `pe-sim "
                                                  "calibrate` into the folder again with --force") from None
    _check_posterior(post, settings, str(path))
    copy = folder / "history.csv"
    kept = manifest.get("history", {}).get("copy_sha256") if isinstance(manifest.get("history"), dict) else None
    if kept and copy.is_file() and hashlib.sha256(copy.read_bytes()).hexdigest() != kept:
        raise ConfigError(str(copy), "history", "was changed after the calibration: the posterior is of the history as "
                                                "it was; restore the file, or calibrate the changed history again")
    return read_history(copy), settings, post


# --- forecasting ------------------------------------------------------------------------------------

FORECAST = ("delivered", "say_do", "tech_debt", "burnout_mean", "headcount")
PROGRESS_RUN_SPRINTS = 2_000_000  # a forecast longer than this (a few seconds) shows a progress bar


def forecast(history: TeamHistory, settings: Settings, df, w: np.ndarray, sprints: int, draws: int = 1000,
             seed: int = 0, progress: bool = False, runs: np.ndarray | None = None
             ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The team's coming ``sprints`` under its current practice, for ``draws`` particles drawn from
    the posterior by weight. With ``runs`` (each particle's run id, :data:`RUN`), each draw is its
    particle's own run, the one that got it accepted, simulated through the history and on: the
    team's state at the end of its history (debt, burnout, trust, backlog, who is on it) is one
    whose history came close to the team's, and only the future sprints are new. A particle drawn
    more than once is simulated once and stands for all its draws, so memory grows with the
    particles, not the draws. Without (a calibration from before pe-sim recorded the runs), each
    draw is simulated afresh. Returns :data:`FORECAST` outcomes as (simulated runs, sprints), work
    in the team's unit, and how many draws each run stands for (for :func:`counted_quantile`;
    they add up to ``draws``). With ``progress`` a bar on stderr counts the simulations (shown only
    when they take a while)."""
    from tqdm.auto import tqdm

    n = history.n_sprints
    sim = TeamSimulator(settings, history, n + sprints)
    if runs is None:
        drawn = sim.draws(df, w, draws, seed)
        thetas, ids = [theta for theta, _ in drawn], np.array([run for _, run in drawn], dtype=np.int64)
        counts = np.ones(len(thetas), dtype=np.int64)
    else:
        chosen, counts = np.unique(pick(w, draws, seed), return_counts=True)
        thetas, ids = particles(df, chosen), np.asarray(runs, dtype=np.int64)[chosen]
    work = len(thetas) * (settings.warmup + n + sprints)  # run-sprints; about 2 us each
    with tqdm(total=len(thetas), unit="runs", file=sys.stderr, dynamic_ncols=True, desc="forecast",
              disable=not progress or work < PROGRESS_RUN_SPRINTS) as bar:
        out = sim.many(thetas, ids, FORECAST + ("committed",), n, bar)
    # say/do as a team records it, delivered over committed: above 1 when work was pulled in, unlike the
    # model's say_do outcome (the share of the plan done); a sprint that committed nothing keeps the latter
    committed = out.pop("committed")
    out["say_do"] = np.where(committed > 0, out["delivered"] / np.where(committed > 0, committed, 1.0), out["say_do"])
    out["delivered"] *= np.array([theta.get(POINTS_PER_DAY, sim.unit) for theta in thetas])[:, None]
    return out, counts


def sprints_to_finish(delivered: np.ndarray, backlog: float) -> np.ndarray:
    """Per draw, the future sprints until the work delivered adds up to ``backlog`` (inf if not
    within the horizon); ``delivered`` is (draws, sprints) in the team's unit."""
    done = np.cumsum(delivered, axis=1) >= backlog
    return np.where(done.any(axis=1), np.argmax(done, axis=1) + 1.0, np.inf)


def posterior_unit(df, w: np.ndarray, runs: int, seed: int = 0, fixed: float = 1.0) -> np.ndarray:
    """The team's unit of work per ideal-day (``points_per_day``) of the same posterior draws as
    :func:`posterior_draws` with the same ``runs`` and ``seed``: :func:`pe_sim.analysis.compare`'s
    ``work_unit``, which puts its work outcomes in the team's own unit (``fixed`` when the
    calibration fixed the unit rather than inferring it)."""
    if POINTS_PER_DAY not in df:
        return np.full(runs, float(fixed))
    return df[POINTS_PER_DAY].to_numpy(dtype=np.float64)[pick(w, runs, seed)]


def posterior_draws(history: TeamHistory, df, w: np.ndarray, runs: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Model parameters for ``runs`` paired runs of a what-if comparison for teams like this one:
    each run a draw from the posterior (by weight), at the team's current head count; encoded,
    one value per run (:func:`pe_sim.analysis.compare`'s ``per_run``). The team's unit of work is
    not a model parameter: :func:`posterior_unit` gives it for the same draws."""
    picks = pick(w, runs, seed)
    out = {k: np.array([encode(k, float(v)) for v in df[k].to_numpy()[picks]])
           for k in df.columns if k in BY_NAME}
    out["n_engineers"] = np.full(runs, float(history.current_headcount))
    return out


def replaced_by_posterior(configs, per_run: Mapping[str, np.ndarray]) -> list[str]:
    """For a what-if comparison over a team's posterior: one line per setup whose own file sets a
    value (other than the default) that the posterior's draws replace in every run, naming them, so
    a setup's defining values are never overridden without a word."""
    base = defaults()
    lines = []
    for c in configs:
        own = [f"{k} = {cfg.toml_value(c.params[k])}" for k in per_run if k != "n_engineers" and k in c.params
               and c.params[k] != base[k] and k not in unused(c.params)]
        if own:
            lines.append(f"{c.name} sets {', '.join(own)}; the posterior's draws replace {'them' if len(own) > 1 else 'it'} "
                         "in every run (the team as calibrated): to compare the setup as its file says, fix them in "
                         "[calibrate.fixed] or compare without --posterior")
    return lines


HINGE_RHO = 0.5  # assumption: a rank correlation this strong means a difference is largely that parameter's doing


def hinges(folder, per_run: Mapping[str, np.ndarray], differences: Mapping[str, np.ndarray], limit: int = 4) -> list[str]:
    """Caution lines for a what-if comparison over a team's posterior (:func:`posterior_runs`): the
    paired differences (label -> one value per run, e.g. :meth:`pe_sim.analysis.Comparison.differences`)
    that follow a parameter the team's history did not narrow (Spearman's rho at least
    :data:`HINGE_RHO` in size over the runs), with the mean difference in the runs below and above
    that parameter's median; at most ``limit`` differences, the strongest first. None: no line."""
    from scipy import stats

    _, settings, post = load_calibration(folder)
    df, w = post.drop(columns=["weight", RUN], errors="ignore"), post["weight"].to_numpy(dtype=np.float64)
    weak = {r["parameter"]: r["width_vs_prior"] for r in summarise_posterior(df, w, settings)
            if not r["identified"] and r["parameter"] in per_run}
    found = []
    for label, d in differences.items():
        d = np.asarray(d, dtype=np.float64)
        if not np.isfinite(d).all() or np.ptp(d) == 0:
            continue
        strongest = None
        for name, ratio in weak.items():
            x = np.asarray(per_run[name], dtype=np.float64)
            if np.ptp(x) == 0:
                continue
            rho = float(stats.spearmanr(x, d)[0])
            if abs(rho) >= HINGE_RHO and (strongest is None or abs(rho) > abs(strongest[1])):
                strongest = (name, rho, ratio, x)
        if strongest is not None:
            name, rho, ratio, x = strongest
            cut = float(np.median(x))
            low, high = d[x <= cut].mean(), d[x > cut].mean()
            found.append((abs(rho), f"  {label}: {low:+.3g} in the runs with {name} up to {cut:.3g}, {high:+.3g} above "
                                    f"(Spearman {rho:+.2f}; its 90% interval is {ratio:.0%} of the prior's)"))
    if not found:
        return []
    found.sort(key=lambda f: -f[0])
    more = len(found) - limit
    return (["caution: these differences follow a parameter the team's history did not narrow, so they say more "
             "about its prior than about the team; if you know the team's value, fix it in [calibrate.fixed] and "
             "calibrate again:"] + [line for _, line in found[:limit]]
            + ([f"  ... and {counted(more, 'more difference')} like these"] if more > 0 else []))


def posterior_runs(folder, runs: int, seed: int) -> tuple[TeamHistory, Settings, dict[str, np.ndarray], np.ndarray, str]:
    """What a what-if comparison for the team calibrated in ``folder`` takes from it: its history, its
    settings, the per-run parameters (:func:`posterior_draws`), the per-run unit of work
    (:func:`posterior_unit`) and a sentence saying where the unit comes from and what is not applied."""
    history, settings, post = load_calibration(folder)
    df, w = post.drop(columns="weight"), post["weight"].to_numpy()
    per_run = posterior_draws(history, df, w, runs, seed)
    unit = posterior_unit(df, w, runs, seed, settings.fixed.get(POINTS_PER_DAY, 1.0))
    how = (f"at its fixed {settings.fixed[POINTS_PER_DAY]:g} per ideal-day" if POINTS_PER_DAY in settings.fixed
           else "each run's draw of points_per_day")
    text = f"work (velocity, committed, delivered) is in the team's own unit, as in its history ({how})"
    others = {k: v for k, v in settings.fixed.items() if k != POINTS_PER_DAY}
    if others:  # facts about the team the user gave the calibration: the setups compared are as their files say
        text += (f"; the values the calibration fixed ({', '.join(f'{k} = {v}' for k, v in others.items())}) are not "
                 "applied: put them in the setups compared if they hold there")
    return history, settings, per_run, unit, text
