"""Running a sweep: :func:`run_sweep` (to a directory), :func:`sweep` (to a DataFrame), :func:`load_results`."""

from __future__ import annotations

import json
import math
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pe_sim.config import ConfigError, toml_value
from pe_sim.files import folder_lock, option, refuse_linked_folders, refuse_other_output
from pe_sim.core.engine import OUTCOMES
from pe_sim.sweeps.design import Design, make_design
from pe_sim.sweeps.execute import (auto_chunk_size, available_memory, check_chunk_memory, chunk_memory, connect_dask,
                                   default_workers, gib, interrupt_after, iter_jobs, main_script_unguarded, run_dask,
                                   run_inline, run_local, warn_if_oversubscribed)
from pe_sim.sweeps.spec import SweepSpec, as_spec, check_runnable, check_size
from pe_sim.sweeps.store import (DATA, DESIGN_FILE, DONE, MANIFEST, clear_output, done_chunks, foreign_files,
                                 is_sweep_file, package_versions, read_manifest, remove_stale_tmp, utc_now,
                                 write_atomic, write_manifest)
from pe_sim.sweeps.summaries import summary_kind, summary_name
from pe_sim.words import counted


@dataclass
class SweepReport:
    """What a sweep call did."""

    out: Path
    runs: int
    points: int
    chunks: int
    chunks_run: int
    chunks_skipped: int
    seconds: float
    backend: str
    workers: int
    keep: str

    @property
    def ran(self) -> float:
        """Runs computed in this session (the others were done before a resume)."""
        return self.runs * self.chunks_run / max(1, self.chunks)

    @property
    def rate(self) -> float:
        return self.ran / self.seconds if self.seconds > 0 else float("nan")

    def line(self) -> str:
        if not self.chunks_run:
            return (f"sweep already complete: {counted(self.runs, 'run')} ({counted(self.points, 'point')}, {self.keep}) in "
                    f"{self.out / DATA} (pandas.read_parquet('{self.out / DATA}'))")
        how = (f"{self.chunks_run} of {self.chunks} chunks computed ({self.chunks_skipped} already done)"
               if self.chunks_skipped else counted(self.chunks, "chunk"))
        when = f"{round(self.ran):,} of them computed now in {self.seconds:.1f} s" if self.chunks_skipped else f"in {self.seconds:.1f} s"
        return (f"sweep done: {counted(self.runs, 'run')} ({counted(self.points, 'point')}, {self.keep}) {when}, "
                f"{how}, {self.rate:,.0f} runs/s {WHERE.get(self.backend, 'on ' + self.backend)}; data in {self.out / DATA} "
                f"(pandas.read_parquet('{self.out / DATA}'))")


def run_sweep(spec: SweepSpec | str | Path | Mapping[str, Any], *, out: str | Path | None = None,
              workers: int | None = None, scheduler: str | None = None, scheduler_file: str | None = None,
              client=None, resume: bool = False, overwrite: bool = False, chunk_size: int | None = None,
              progress: bool = True) -> SweepReport:
    """Run (or finish, with ``resume``) a sweep, writing Parquet parts to ``out``.

    Local processes by default (``workers``: all cores); a Dask cluster given ``scheduler`` (address),
    ``scheduler_file`` or a ``distributed.Client``. ``resume`` finishes only the chunks not yet done;
    ``overwrite`` discards an existing sweep in ``out``. Local workers are started with forkserver, which
    re-imports the main script: in a script, call this under ``if __name__ == "__main__":``.
    """
    spec = as_spec(spec)
    out_dir = Path(out if out is not None else spec.out)
    if workers is not None and workers < 1:
        raise ConfigError("--workers", "workers", f"{workers} is not valid; expected at least 1")
    if chunk_size is not None and chunk_size < 1:
        raise ConfigError("--chunk-size", "chunk_size", f"{chunk_size} is not valid; expected at least 1")
    if resume and overwrite:
        raise ConfigError(str(out_dir), "out", "choose either resume or overwrite, not both")
    check_runnable(spec)  # a spec read for `validate` or `sensitivity` was not held to its design's rules
    check_size(spec)
    dask = client is not None or scheduler is not None or scheduler_file is not None
    n_workers = workers or default_workers()
    design = make_design(spec)
    total = design.n_points * spec.replicates
    digest = spec.digest()

    own_client = None
    if dask and client is None:  # connect first: a bad address must not leave a half-made output directory
        client = own_client = connect_dask(scheduler, scheduler_file)
    try:
        with folder_lock(out_dir, "--out", "sweep"):  # one writer at a time: two would compute and log chunks twice
            return _run_sweep(spec, out_dir, design, total, digest, n_workers, dask, client, resume, overwrite,
                              chunk_size, progress)
    finally:
        if own_client is not None:
            own_client.close()


_UNSET = object()
# identity keys as a sweep file names them
_KEY_NAMES = {"design": "sweep.design", "points": "sweep.points", "replicates": "sweep.replicates",
              "sprints": "sweep.sprints", "seed": "sweep.seed", "keep": "sweep.keep", "outcomes": "sweep.outcomes",
              "crn": "sweep.crn", "levels": "sensitivity.levels", "factors": "vary", "base": "base"}


def _manifest_identity(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The identity (:meth:`SweepSpec.identity`) a sweep folder was made with: stored since it is compared key
    by key, pieced together from the rest of an older manifest."""
    if isinstance(manifest.get("identity"), dict):
        return manifest["identity"]
    design, versions = manifest.get("design") or {}, manifest.get("versions") or {}
    base = {k: v for k, v in (manifest.get("base") or {}).items() if k not in ("path", "run", "scenario")}
    return {"pe_sim": versions.get("pe_sim"), "model": versions.get("pe_sim_model"), "base": base,
            "factors": design.get("factors"), "design": design.get("kind"), "points": design.get("points"),
            "levels": design.get("levels") if design.get("kind") == "morris" else None,
            "replicates": manifest.get("replicates"), "sprints": manifest.get("sprints"), "seed": manifest.get("seed"),
            "keep": manifest.get("keep"), "outcomes": ((manifest.get("sweep") or {}).get("sweep") or {}).get("outcomes"),
            "crn": manifest.get("crn")}


def _by_name(factors: Any) -> Any:
    """A factor list as {name: how it varies}, so one factor added or changed is named alone."""
    if not isinstance(factors, list) or not all(isinstance(f, dict) and "name" in f for f in factors):
        return factors
    return {f["name"]: {k: v for k, v in f.items() if k != "name"} for f in factors}


def _differences(was: Any, now: Any, key: str, out: list[tuple[str, Any, Any]]) -> None:
    """(key, was, now) for each leaf that differs; dicts and equally long lists of dicts are compared inside."""
    if isinstance(was, dict) and isinstance(now, dict):
        for k in dict.fromkeys([*was, *now]):
            _differences(was.get(k, _UNSET), now.get(k, _UNSET), f"{key}.{k}" if key else k, out)
    elif isinstance(was, list) and isinstance(now, list) and len(was) == len(now) and \
            all(isinstance(x, dict) for x in was + now):
        for i, (a, b) in enumerate(zip(was, now)):
            _differences(a, b, f"{key}[{i}]", out)
    elif was != now:
        out.append((key, was, now))


def _short(value: Any, width: int = 40) -> str:
    if value is _UNSET:  # a key (a varied parameter) one side does not have
        return "unset"
    if isinstance(value, dict) and list(value) == ["values"]:  # a factor varied by a list: the list
        value = value["values"]
    text = "none" if value is None else toml_value(value)  # as the user's sweep file spells it
    return text if len(text) <= width else text[:width - 3] + "..."


def what_differs(manifest: Mapping[str, Any], spec: SweepSpec, shown: int = 4) -> str:
    """How the sweep in a folder differs from ``spec``, in one short line: the pe-sim version, the model code, then
    the file's keys with the folder's value and the value now (``sweep.seed 5 (now 6)``), at most ``shown``."""
    was = _manifest_identity(manifest)
    now = json.loads(json.dumps(spec.identity(), default=str))  # as the manifest holds it (tuples as lists)
    parts = []
    if was.get("pe_sim") != now["pe_sim"]:
        parts.append(f"pe-sim version {was.get('pe_sim') or 'unknown'} (now {now['pe_sim']})")
    if was.get("model") != now["model"]:
        parts.append("the model code (pe-sim's rules changed since it ran)")
    diffs: list[tuple[str, Any, Any]] = []
    for k in now:
        if k not in ("pe_sim", "model"):
            a, b = (_by_name(was.get(k)), _by_name(now[k])) if k == "factors" else (was.get(k, _UNSET), now[k])
            _differences(a, b, _KEY_NAMES.get(k, k), diffs)
    parts += [f"{k} {_short(a)} (now {_short(b)})" for k, a, b in diffs]
    order = [[f.get("name") for f in (x.get("factors") or []) if isinstance(f, Mapping)] for x in (was, now)]
    if order[0] != order[1] and sorted(order[0]) == sorted(order[1]):  # the design's columns follow [vary]'s order
        parts.append(f"the order of [vary] {', '.join(order[0])} (now {', '.join(order[1])}), which the design's "
                     "points follow")
    if not parts:  # an older manifest without what changed
        return "its config, design, pe-sim version or model code differ"
    more = len(parts) - shown
    return ", ".join(parts[:shown]) + (f" and {more} more difference{'s' if more > 1 else ''}" if more > 0 else "")


def _outcome_columns(spec: SweepSpec) -> dict[str, Any]:
    """The outcome columns a sweep writes, with what each holds (for the manifest)."""
    if spec.keep == "summary":
        return {summary_name(o): {"outcome": o, "summary": summary_kind(o), "meaning": OUTCOMES[o]}
                for o in spec.outcomes}
    return {o: OUTCOMES[o] for o in spec.outcomes}


def chunk_key(spec: SweepSpec, chunk_size: int | None) -> tuple[str, str]:
    """Where the chunk size came from, for a message: the option, the sweep file's key, or pe-sim's choice."""
    if chunk_size:
        return option("--chunk-size", "chunk_size"), "chunk_size"
    return spec.file, "sweep.chunk_size" if spec.chunk_size else "sweep (pe-sim's chunk size)"


def _run_sweep(spec: SweepSpec, out_dir: Path, design: Design, total: int, digest: str, n_workers: int, dask: bool,
               client, resume: bool, overwrite: bool, chunk_size: int | None, progress: bool) -> SweepReport:
    existing = out_dir.is_dir() and any(is_sweep_file(p) for p in out_dir.iterdir())
    done: set[int] = set()
    out_key, resume_it, overwrite_it = option("--out", "out"), option("--resume", "resume=True"), \
        option("--overwrite", "overwrite=True")
    refuse_linked_folders(out_dir, (DATA,), out_key)  # part files would be written, and old ones removed, elsewhere
    if existing and resume:
        manifest = read_manifest(out_dir)
        if manifest.get("digest") != digest:
            raise ConfigError(str(out_dir), out_key, f"holds a different sweep ({what_differs(manifest, spec)}); use "
                                                     f"another {out_key}, or {overwrite_it} to discard it")
        had, has = list(manifest.get("columns", {}).get("outcomes", {})), list(_outcome_columns(spec))
        if had != has:  # same sweep, but written when pe-sim summarised some outcome differently
            raise ConfigError(str(out_dir), out_key, f"holds this sweep with columns "
                                                     f"{', '.join(sorted(set(had) - set(has)))} where pe-sim now writes "
                                                     f"{', '.join(sorted(set(has) - set(had)))}; {overwrite_it} to "
                                                     "compute it again")
        chunk = int(manifest["chunk_size"])
        asked = chunk_size or spec.chunk_size
        if asked and asked != chunk:  # the chunks are fixed by the first run: their ids name the part files
            print(f"pe-sim: note: the sweep in {out_dir} keeps its chunk size {chunk:,}, fixed by its first run; "
                  f"the chunk size {asked:,} asked for now is not used", file=sys.stderr)
        remove_stale_tmp(out_dir)
        done = done_chunks(out_dir)
        left = math.ceil(total / chunk) - len(done)
        if left > 0 and not dask:
            check_chunk_memory(spec, chunk, min(n_workers, left), (str(out_dir), out_key), fixed=(
                f"its chunk size is fixed by its first run ({overwrite_it} starts again with another)"))
    else:
        strangers = [] if existing else foreign_files(out_dir)
        if strangers:  # as calibrate does: a new sweep goes into a new or empty folder, never beside other files
            refuse_other_output(out_dir, out_key, "sweep", overwrite_it)  # another pe-sim command's: say whose
            raise ConfigError(str(out_dir), out_key, f"holds files pe-sim sweep did not write ({', '.join(strangers[:3])}"
                                                     f"{', ...' if len(strangers) > 3 else ''}); choose a new or empty "
                                                     f"{out_key}")
        status = _status(out_dir) if existing else None
        if existing and status is None:  # a sweep writes its manifest first: without one, the files are not ours
            raise ConfigError(str(out_dir), out_key, f"holds a {DATA}/ folder or files that are no pe-sim sweep's (no "
                                                     f"readable {MANIFEST}); choose another {out_key}")
        if existing and not overwrite:
            raise ConfigError(str(out_dir), out_key, {
                "complete": f"already holds a complete sweep; {resume_it} reuses it if it is this one (nothing to "
                            f"compute), {overwrite_it} computes it again",
            }.get(status, f"holds an unfinished sweep; pass {resume_it} to finish it or {overwrite_it} to start again"))
        chunk = chunk_size or spec.chunk_size or auto_chunk_size(spec, 1 if dask else n_workers)
        if not dask:  # before anything is removed or made
            check_chunk_memory(spec, chunk, min(n_workers, math.ceil(total / chunk)), chunk_key(spec, chunk_size))
        if existing:
            clear_output(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        manifest = {"format": 1, "status": "running", "created": utc_now(), "digest": digest, "chunk_size": chunk,
                    "n_chunks": math.ceil(total / chunk), "runs": total, "points": design.n_points,
                    "replicates": spec.replicates, "sprints": spec.sprints, "seed": spec.seed, "keep": spec.keep,
                    "crn": spec.crn, "design": {"kind": spec.design, "points": spec.points, "levels": spec.levels,
                                                "factors": [f.describe() for f in spec.factors]},
                    "columns": {"varied": spec.label_columns(), "outcomes": _outcome_columns(spec)},
                    "sweep": spec.to_dict(), "base": spec.base.to_dict(), "versions": package_versions(),
                    "identity": spec.identity(), "runs_log": []}  # identity: what a resume compares, key by key
        # The manifest first: a sweep killed at any moment after this can be resumed.
        write_manifest(out_dir, manifest)
    (out_dir / DATA).mkdir(parents=True, exist_ok=True)
    if not (out_dir / DESIGN_FILE).is_file():  # for the user's analyses; resume rebuilds the design itself
        write_atomic(out_dir / DESIGN_FILE,
                     lambda f: pq.write_table(pa.Table.from_pandas(design.table, preserve_index=False), f))

    n_chunks = math.ceil(total / chunk)
    todo = [c for c in range(n_chunks) if c not in done]
    done_runs = sum(min(total, (c + 1) * chunk) - c * chunk for c in done)
    unguarded = not dask and n_workers > 1 and len(todo) > 1 and main_script_unguarded()
    if unguarded:
        print("pe-sim: this script calls pe-sim at its top level without `if __name__ == \"__main__\":`, so "
              "worker processes cannot re-import it; running in this process (guard the call to use every core)",
              file=sys.stderr)
    backend = "dask" if dask else "inline" if (n_workers == 1 or len(todo) <= 1 or unguarded) else "processes"
    if not dask and backend == "processes":
        warn_if_oversubscribed(n_workers)
    t0 = time.perf_counter()
    from tqdm.auto import tqdm

    bar = tqdm(total=total, initial=done_runs, unit="runs", unit_scale=total >= 100_000, disable=not progress or not todo,
               desc=spec.name, smoothing=0.05, dynamic_ncols=True, file=sys.stderr)
    log = open(out_dir / DONE, "a", encoding="utf-8")
    finished_now = 0

    def on_result(res: dict) -> None:
        nonlocal finished_now
        log.write(json.dumps({k: res[k] for k in ("chunk", "runs", "rows", "file")}) + "\n")
        log.flush()
        os.fsync(log.fileno())
        finished_now += 1
        bar.update(res["runs"])

    jobs = iter_jobs(spec, design, chunk, todo)
    try:
        if todo:
            if dask:
                n_workers = len(client.scheduler_info().get("workers", {})) or n_workers
                run_dask(jobs, out_dir, client, digest[:12], on_result)
            elif backend == "inline":
                run_inline(jobs, out_dir, on_result)
            else:
                n_workers = min(n_workers, len(todo))
                run_local(jobs, out_dir, n_workers, on_result)
    except BaseException as exc:  # an interrupt or a failure: the session still goes into the runs log
        # counted from what is on record, not finished_now: Ctrl-C can land between a chunk's record
        # and the count (during its fsync), and the record is what a resume goes by
        with interrupt_after():  # a second Ctrl-C waits until the session is on record
            try:
                recorded = max(finished_now, len(done_chunks(out_dir) - done))
            except OSError:
                recorded = finished_now
            _log_session(out_dir, time.perf_counter() - t0, backend, n_workers, recorded,
                         "interrupted" if isinstance(exc, KeyboardInterrupt) else f"failed ({type(exc).__name__})")
        raise
    finally:
        bar.close()
        log.close()
    seconds = time.perf_counter() - t0
    missing = set(range(n_chunks)) - done_chunks(out_dir)
    if missing:  # pragma: no cover - would be a bug
        raise RuntimeError(f"sweep finished with {len(missing)} chunks missing: {sorted(missing)[:5]}")
    if todo or _status(out_dir) != "complete":  # a resume of a finished sweep computed nothing: no session to log
        _log_session(out_dir, seconds, backend, n_workers, len(todo), "complete")
    return SweepReport(out_dir, total, design.n_points, n_chunks, len(todo), len(done), seconds,
                       backend if backend != "processes" else f"{n_workers} processes", n_workers, spec.keep)


WHERE = {"inline": "in this process", "dask": "on the Dask cluster"}  # how SweepReport.line names a backend


def _log_session(out_dir: Path, seconds: float, backend: str, workers: int, chunks_run: int, ended: str) -> None:
    """Add one session to the manifest's ``runs_log`` (how it ended, its time, backend and the chunks
    it computed); a complete session also marks the sweep complete. Best effort after a failure: the
    log must not hide the error that stopped the session."""
    try:
        manifest = read_manifest(out_dir)
        if ended == "complete":
            manifest["status"] = "complete"
        manifest.setdefault("runs_log", []).append({"finished": utc_now(), "ended": ended, "seconds": round(seconds, 3),
                                                     "backend": backend, "workers": workers, "chunks_run": chunks_run})
        write_manifest(out_dir, manifest)
    except (OSError, ValueError, ConfigError):
        if ended == "complete":
            raise


def _status(out_dir: Path) -> str | None:
    """A sweep folder's manifest status ("running" or "complete"), None if it has no readable manifest."""
    try:
        return str(read_manifest(out_dir).get("status", "running"))
    except (OSError, ValueError, ConfigError, AttributeError):
        return None


def load_results(out: str | Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A finished sweep's tidy data, in run order (and sprint order for trajectories)."""
    data = Path(out) / DATA
    df = pd.read_parquet(data if data.is_dir() else out, columns=list(columns) if columns else None)
    if "run" in df and not df["run"].is_monotonic_increasing:  # part files are read in name order; be sure
        df = df.sort_values(["run", "sprint"] if "sprint" in df else ["run"], kind="stable")
    return df.reset_index(drop=True)


def salib_order(n: int, d: int) -> np.ndarray:
    """Row indices that put pe-sim's Saltelli rows (blocks A, B, AB_1 .. AB_d of n rows each) in SALib's
    order (for each base sample j: A_j, AB_1j .. AB_dj, B_j; ``calc_second_order=False``)."""
    blocks = np.array([0, *range(2, d + 2), 1])
    return (blocks[None, :] * n + np.arange(n)[:, None]).reshape(-1)


def salib_problem_and_outputs(out: str | Path, outcome: str) -> tuple[dict[str, Any], np.ndarray]:
    """SALib's ``problem`` and ``Y`` for a finished Saltelli sweep in ``out``, for
    ``SALib.analyze.sobol.analyze(problem, Y, calc_second_order=False)``.

    ``outcome`` is an outcome (its end-of-run summary is used) or a summary column. ``Y`` holds the mean
    over replicates at each design point (as :func:`pe_sim.analysis.sensitivity` uses), reordered from
    pe-sim's block order into SALib's interleaved one. ``bounds`` are the unit cube the design was drawn
    in (pe-sim maps it through each factor's range or distribution); SALib's analysis does not read them.
    """
    manifest = read_manifest(out)
    design = manifest.get("design", {})
    if design.get("kind") != "saltelli":
        raise ConfigError(str(out), "design", f"holds a {design.get('kind')} sweep; SALib's Sobol' analysis needs "
                                              "design = \"saltelli\"")
    if manifest.get("status") != "complete":
        raise ConfigError(str(out), "status", f"the sweep is not complete; finish it with "
                                              f"{option('pe-sim sweep --resume', 'run_sweep(..., resume=True)')} first")
    columns = manifest.get("columns", {}).get("outcomes", {})
    col = outcome if outcome in columns else summary_name(outcome) if outcome in OUTCOMES else outcome
    if col not in columns or manifest.get("keep") != "summary":
        raise ConfigError(str(out), "outcome", f"{outcome!r} has no end-of-run summary in this sweep "
                                               f"(kept: {', '.join(columns)})")
    names = [f["name"] for f in design["factors"]]
    n, d = int(design["points"]), len(names)
    y = load_results(out, columns=["point", col]).groupby("point")[col].mean().sort_index().to_numpy()
    problem = {"num_vars": d, "names": names, "bounds": [[0.0, 1.0]] * d}
    return problem, y[salib_order(n, d)]


def sweep(spec: SweepSpec | str | Path | Mapping[str, Any], *, out: str | Path | None = None,
          workers: int | None = None, scheduler: str | None = None, scheduler_file: str | None = None,
          client=None, resume: bool = True, overwrite: bool = False, chunk_size: int | None = None,
          progress: bool = True) -> pd.DataFrame:
    """Run a sweep (a TOML path, a dict of its tables, or a :class:`SweepSpec`) and return its tidy data.

    In Python ``resume`` defaults to True: calling again with the same sweep and ``out`` reuses the
    finished chunks (the data are deterministic), so re-running a notebook cell is cheap. With
    ``progress`` a reuse says so in one line on stderr (``overwrite=True`` computes afresh).
    """
    report = run_sweep(spec, out=out, workers=workers, scheduler=scheduler, scheduler_file=scheduler_file,
                       client=client, resume=resume and not overwrite, overwrite=overwrite, chunk_size=chunk_size,
                       progress=progress)
    if progress and report.chunks_skipped:
        print(f"pe-sim: {report.line()}; reused {report.chunks_skipped} of {counted(report.chunks, 'chunk')} finished "
              f"earlier in this folder (overwrite=True computes {'it' if report.chunks_skipped == 1 else 'them'} "
              "again)", file=sys.stderr)
    df = load_results(report.out)
    df.attrs["out"] = str(report.out)
    return df


def describe(spec: SweepSpec, workers: int | None = None, chunk_size: int | None = None, dask: bool = False,
             resume: bool = False) -> str:
    """A short plan of a sweep (for --dry-run): with ``resume``, the chunk size its folder's sweep was started with."""
    check_runnable(spec)
    check_size(spec)
    design = make_design(spec)
    workers = workers or default_workers()
    chunk = chunk_size or spec.chunk_size or auto_chunk_size(spec, 1 if dask else workers)
    kept = ""
    if resume:
        try:
            chunk, kept = int(read_manifest(Path(spec.out))["chunk_size"]), " (kept from the sweep's first run)"
        except (OSError, ConfigError, KeyError, TypeError, ValueError, AttributeError):
            pass  # nothing to resume there: the sweep would start afresh
    busy, free = min(workers, math.ceil(spec.n_runs() / chunk)), available_memory()
    need = chunk_memory(spec, min(chunk, spec.n_runs()))
    if dask:
        where = "on each of the cluster's workers (not checked here)"
    else:
        try:  # the run's own check
            check_chunk_memory(spec, chunk, busy, ("", ""))
            refused = ""
        except ConfigError:
            refused = "; too little: running would be refused"
        where = f"{counted(busy, 'local worker')} (free now: {gib(free) if free is not None else 'unknown'}{refused})"
    lines = [f"sweep {spec.name!r}: base {spec.base.name!r}, design {spec.design}, {counted(design.n_points, 'point')} x "
             f"{counted(spec.replicates, 'replicate')} = {counted(spec.n_runs(), 'run')} of {counted(spec.sprints, 'sprint')} "
             f"({counted(math.ceil(spec.n_runs() / chunk), 'chunk')} of {chunk:,}{kept}); keep {spec.keep}; seed {spec.seed}"
             f"{'; common random numbers' if spec.crn else ''}; out {spec.out}",
             f"  memory: about {gib(need)} a chunk, {where}"]
    for f in spec.factors:
        vals = design.table[f.name]
        shown = ", ".join(f"{v:.3g}" if isinstance(v, float) else str(v) for v in pd.unique(vals)[:6])
        lines.append(f"  {f.name}: {f.words()} -> {vals.nunique():,} distinct values ({shown}{', ...' if vals.nunique() > 6 else ''})")
    return "\n".join(lines)
