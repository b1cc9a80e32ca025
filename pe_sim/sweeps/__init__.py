"""Parameter sweeps: designs, chunked execution on local processes or Dask, resumable output.

A sweep TOML names a base scenario, the parameters to vary and how, and where to write::

    [sweep]
    base = "split_backlogs"   # shipped scenario name, or a scenario TOML (relative to this file or the cwd)
    design = "grid"           # grid | lhs | sobol | saltelli | morris
    points = 64               # lhs/sobol points (sobol, saltelli: a power of 2); saltelli: base samples N;
                              # morris: trajectories; not with grid (every combination), unless the file has a
                              # [sensitivity] table (then they are `pe-sim sensitivity`'s, at least 2)
    replicates = 20           # runs per design point
    sprints = 52              # horizon (default: the base scenario's [run] sprints)
    seed = 1                  # root seed (default: the base scenario's [run] seed)
    keep = "summary"          # summary: one row per run | trajectories: one row per run x sprint
    outcomes = ["customer_value", "tech_debt"]   # default: every outcome
    out = "results/my_sweep"  # default: results/<file stem>
    chunk_size = 2000         # runs the core advances together (default: automatic)
    crn = false               # common random numbers: replicate i of every point uses random stream i

    [vary]
    syncs_per_sprint = [0, 1, 2, 5, 10]                       # a list of values
    pressure = { low = 0.1, high = 0.9, steps = 5 }           # a range: uniform for lhs/sobol; `steps` for grid
                                                              # (`pe-sim sensitivity` needs none: it has its own
                                                              # design); `log = true` for log-uniform
    roadmap_mode = ["one_roadmap", "split_backlogs"]          # choices and booleans: lists only
    tech_share = { dist = "normal", mean = 0.2, sd = 0.05 }   # a distribution, clipped to the valid range:
                                                              # uniform(low, high), normal(mean, sd),
                                                              # lognormal(median, sigma), triangular(low, mode, high)
    hiring_wave.sprint = [6, 14, 22]                          # an event field: <kind>.sprint / .duration / .magnitude
                                                              # of the base scenario's one event of that kind
                                                              # (a sprint at or after the horizon: no event)

    [sensitivity]             # optional, read by `pe-sim sensitivity` (and `pe-sim validate` then checks the
                              # file for it: without a design key, as no grid sweep)
    method = "sobol"          # sobol | morris
    outcomes = ["customer_value", "tech_debt", "burnout_mean"]
    levels = 4                # morris grid levels
    confidence = 0.95
    resamples = 1000

Designs. ``grid`` is the Cartesian product of every factor's values (last factor varies fastest;
ranges and distributions need ``steps``: evenly spaced values, or quantile midpoints). ``lhs`` and
``sobol`` draw ``points`` points in the unit cube (:mod:`scipy.stats.qmc`, scrambled with the root
seed) and map each coordinate through its factor: lists are picked uniformly, ranges are uniform (int
parameters uniform over the integers), distributions by their inverse CDF. ``saltelli`` is the design
Sobol' indices need: matrices A and B are the two halves of ONE scrambled Sobol' sequence of dimension
2d, followed by the d matrices AB_i (A with column i from B); N (d + 2) points. ``morris`` is r
elementary-effect trajectories of d + 1 points on a ``levels``-level grid of [0, 1] (p levels k / (p - 1), steps of
p / (2 (p - 1))), mapped through each factor as ``lhs`` does; a normal or lognormal factor, whose quantiles at 0 and 1
are infinite, takes level k at the probability (k + 0.5) / p instead (the midpoints of p equally likely strata, as a
grid's; :func:`~pe_sim.sweeps.design.morris_probabilities`), so each step moves it by half its probability scale.
No design maps a coordinate of exactly 0 or 1 to an infinite quantile (a sampled one is kept 2^-53 inside).

Runs. Design point ``j`` has runs ``j * replicates + i`` for replicate ``i``; the run id is the
run's global index and (with the root seed) its only source of randomness, so any worker count,
chunk size or backend gives bit-identical numbers (with ``crn = true`` the random stream is the
replicate index instead, so every point sees the same luck).

End-of-run summaries (``keep = "summary"``) reduce each run's trajectory to one number per outcome,
named ``<outcome>_<how>``, by the outcome's nature (:data:`pe_sim.summary.REDUCTION`, shared with
`pe-sim run` and `pe-sim compare`):

- ``_final``: stocks, the value at the horizon (tech_debt, customer_trust, burnout, engagement,
  headcount, alignment, the trust_* outcomes);
- ``_total``: flows, summed over the horizon (:data:`pe_sim.summary.FLOWS`: customer_value,
  features_shipped, incidents, attrition, hires, comm_hours, conflicts, escalations ...);
- ``_mean``: rates and shares, averaged over sprints (:data:`pe_sim.summary.RATES`: the pace in
  ideal-days per sprint -- velocity, committed, delivered -- and say_do, tech_share, debt_drag,
  overtime_mean, right_thing, surprise, pm_workload, em_workload).

Output. ``OUT/data/part-NNNNNN.parquet`` holds chunk NNNNNN (one tidy row per run, or per run x
sprint, with run, point, replicate, seed, every varied parameter, then the outcomes), and nothing
else is in ``OUT/data``, so one call reads the sweep in any tool: ``pandas.read_parquet(OUT/data)``,
``pyarrow.parquet.read_table(OUT/data)``, ``polars.read_parquet(OUT/data)`` (pandas and pyarrow
also read ``OUT`` itself, skipping the bookkeeping files that start with ``_``). The bookkeeping
sits beside the data: ``_manifest.json`` holds provenance (sweep config, base scenario, design,
package versions, timestamps; written first, so a sweep killed at any moment can be resumed),
``_design.parquet`` the design table and ``_done.jsonl`` one line per finished chunk.
:func:`~pe_sim.sweeps.api.salib_problem_and_outputs` exports a Saltelli sweep in SALib's row order.
A part file is written to a temporary name and renamed into place, so it is either complete or
absent; ``resume`` recomputes exactly the chunks not recorded as done. In trajectory mode a varied
parameter whose name is also an outcome (``tech_share``) is stored as ``<name>_param``.

Modules: :mod:`~pe_sim.sweeps.spec` (sweep TOMLs, factors, :class:`SweepSpec`),
:mod:`~pe_sim.sweeps.design` (design points), :mod:`~pe_sim.sweeps.summaries` (end-of-run summaries),
:mod:`~pe_sim.sweeps.execute` (chunks; inline, local-process and Dask backends),
:mod:`~pe_sim.sweeps.store` (part files, manifest, done log) and :mod:`~pe_sim.sweeps.api`
(:func:`run_sweep`, :func:`sweep`, :func:`load_results`), whose public names are re-exported here.
"""

from pe_sim.sweeps.api import (SweepReport, describe, load_results, run_sweep, salib_order, salib_problem_and_outputs,
                               sweep)
from pe_sim.sweeps.design import Design, make_design, morris_probabilities, morris_unit, saltelli_stack, saltelli_unit
from pe_sim.sweeps.execute import ChunkJob, auto_chunk_size, compute_chunk, connect_dask, default_workers, run_chunk
from pe_sim.sweeps.spec import (DESIGNS, Factor, SweepSpec, as_spec, event_param, load_sweep, sweep_from_dict,
                                with_event_values)
from pe_sim.sweeps.store import done_chunks, read_manifest
from pe_sim.sweeps.summaries import running_summary, summarise, summary_kind, summary_name

__all__ = ["ChunkJob", "DESIGNS", "Design", "Factor", "SweepReport", "SweepSpec", "as_spec", "auto_chunk_size",
           "compute_chunk", "connect_dask", "default_workers", "describe", "done_chunks", "event_param",
           "load_results", "load_sweep", "make_design", "morris_probabilities", "morris_unit", "read_manifest",
           "run_chunk", "run_sweep", "running_summary", "salib_order", "salib_problem_and_outputs", "saltelli_stack",
           "saltelli_unit", "summarise", "summary_kind", "summary_name", "sweep", "sweep_from_dict",
           "with_event_values"]
