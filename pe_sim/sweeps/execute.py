"""Execution: chunks of runs (the unit of work), computed inline, on local processes or on Dask.

Local workers run :func:`run_chunk` in a forkserver (or spawn) process, so everything they run must
be importable by module path (this module).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterable, Iterator

import numba
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pe_sim.config import ConfigError
from pe_sim.core.engine import OUTCOMES, n_slots_for, param_arrays, simulate, simulate_summaries
from pe_sim.events import SCHEDULE_FIELDS, Event, schedule
from pe_sim.files import option
from pe_sim.params import PARAMS, encode
from pe_sim.sweeps.design import Design
from pe_sim.sweeps.spec import SweepSpec, with_event_values
from pe_sim.sweeps.store import part_name, pid_alive, write_atomic
from pe_sim.sweeps.summaries import summary_name

@dataclass
class ChunkJob:
    """Everything a worker needs to compute one chunk of runs (small and picklable)."""

    index: int
    start: int
    stop: int
    replicates: int
    seed: int
    sprints: int
    crn: bool
    keep: str
    outcomes: tuple[str, ...]
    constants: dict[str, float]
    events: tuple[Event, ...]
    point_lo: int
    encoded: dict[str, np.ndarray]
    labels: dict[str, np.ndarray]
    event_values: dict[str, np.ndarray]  # varied event fields per point ("kind.field")
    n_slots: int  # engineer slots every chunk of the sweep simulates (see compute_chunk)


def compute_chunk(job: ChunkJob) -> pa.Table:
    """Simulate one chunk of runs and shape it as a tidy Arrow table."""
    runs = np.arange(job.start, job.stop, dtype=np.int64)
    point = runs // job.replicates
    rep = runs % job.replicates
    local = point - job.point_lo
    n = len(runs)
    cols = {k: np.full(n, v) for k, v in job.constants.items()}
    for k, v in job.encoded.items():
        cols[k] = v[local]
    streams = rep if job.crn else runs
    # The engineer-slot width is fixed for the whole sweep (the largest team any run reaches) so
    # sums over slots round identically whichever chunk a run lands in.
    if job.event_values:  # each point has its own timeline: per-run (n, S) event arrays
        keys = list(job.event_values)
        rows = list(zip(*(job.event_values[k] for k in keys)))
        cache: dict[tuple, dict[str, np.ndarray]] = {}
        per_point = [cache.setdefault(r, schedule(with_event_values(job.events, dict(zip(keys, r))), job.sprints))
                     for r in rows]
        sched = {f: np.concatenate([pp[f] for pp in per_point])[local] for f in SCHEDULE_FIELDS}
    else:
        sched = schedule(job.events, job.sprints)
    if job.keep == "summary":
        summ = simulate_summaries(param_arrays(cols, n), sched, job.sprints, job.seed, streams, n_slots=job.n_slots)
    else:
        traj = simulate(param_arrays(cols, n), sched, job.sprints, job.seed, streams, n_slots=job.n_slots)
    frame: dict[str, Any] = {"run": runs, "point": point, "replicate": rep,
                             "seed": np.full(n, job.seed, dtype=np.int64)}
    if job.crn:
        frame["stream"] = rep
    for k, v in job.labels.items():
        frame[k] = v[local]
    if job.keep == "summary":
        for k in job.outcomes:
            frame[summary_name(k)] = summ[k]
    else:
        s = job.sprints
        frame = {k: np.repeat(v, s) for k, v in frame.items()}
        frame["sprint"] = np.tile(np.arange(s, dtype=np.int64), n)
        for k in job.outcomes:
            frame[k] = np.ascontiguousarray(traj[k]).reshape(-1)
    return pa.table({k: pa.array(v) for k, v in frame.items()})


def run_chunk(job: ChunkJob, out_dir: str | None = None) -> dict[str, Any]:
    """Compute a chunk; write its part file atomically to ``out_dir``, or return the Parquet bytes
    (Dask workers return bytes so the cluster needs no shared filesystem)."""
    t0 = time.perf_counter()
    table = compute_chunk(job)
    res = {"chunk": job.index, "runs": job.stop - job.start, "rows": table.num_rows, "file": part_name(job.index)}
    if out_dir is None:
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="zstd")
        res["data"] = sink.getvalue().to_pybytes()
    else:
        write_atomic(Path(out_dir) / res["file"], lambda f: pq.write_table(table, f, compression="zstd"))
    res["seconds"] = time.perf_counter() - t0
    return res


def iter_jobs(spec: SweepSpec, design: Design, chunk_size: int, chunks: Iterable[int]) -> Iterator[ChunkJob]:
    """Jobs for the given chunk indices."""
    total = design.n_points * spec.replicates
    enc = design.encoded()
    varied = set(enc)
    constants = {p.name: encode(p.name, spec.base.params[p.name]) for p in PARAMS if p.name not in varied}
    ne = enc.get("n_engineers")
    biggest = float(np.max(ne)) if ne is not None else constants["n_engineers"]
    events = spec.base.events
    for kind in ("hiring_wave", "team_size"):  # the largest wave or team any point gets, at sprint 0
        if any(f.name.startswith(kind + ".") for f in spec.factors):  # (its sprint may be varied into the horizon)
            base_event = next(e for e in events if e.kind == kind)
            size = design.table[f"{kind}.magnitude"].max() if f"{kind}.magnitude" in design.table else base_event.magnitude
            events = with_event_values(events, {f"{kind}.magnitude": size, f"{kind}.sprint": 0})
    n_slots = n_slots_for(SimpleNamespace(n_engineers=np.array([biggest])), schedule(events, max(1, spec.sprints)))
    ev_names = [f.name for f in spec.factors if f.is_event]
    label_cols = spec.label_columns()
    labels = {f.name: design.table[f.name].to_numpy() for f in spec.factors}
    for c in chunks:
        start, stop = c * chunk_size, min(total, (c + 1) * chunk_size)
        lo, hi = start // spec.replicates, (stop - 1) // spec.replicates + 1
        yield ChunkJob(index=c, start=start, stop=stop, replicates=spec.replicates, seed=spec.seed,
                       sprints=spec.sprints, crn=spec.crn, keep=spec.keep, outcomes=spec.outcomes,
                       constants=constants, events=spec.base.events, point_lo=lo,
                       encoded={k: v[lo:hi] for k, v in enc.items()},
                       labels={label_cols[k]: v[lo:hi] for k, v in labels.items()},
                       event_values={k: design.table[k].to_numpy()[lo:hi] for k in ev_names},
                       n_slots=n_slots)


def auto_chunk_size(spec: SweepSpec, workers: int) -> int:
    """Chunks big enough for the core to be efficient, small enough to bound memory and keep every
    worker busy."""
    total = spec.n_runs()
    cap = 4096 if spec.keep == "summary" else max(16, 100_000 // spec.sprints)
    cap = max(16, min(cap, 4096 * 52 // spec.sprints))
    return int(max(1, min(cap, math.ceil(total / (4 * max(1, workers))))))

CHUNK_OVERHEAD = 192 * 2**20  # bytes a worker takes for any chunk beyond its arrays (Arrow and Parquet buffers)


def chunk_memory(spec: SweepSpec, runs: int) -> int:
    """Bytes a worker holds at most for one chunk of ``runs`` runs, about: a fixed overhead, every parameter as a
    per-run array (held twice on the way to the core), the core's output of every outcome (8 bytes each) and the tidy
    table's columns (Arrow takes the outcomes' arrays without copying). Measured peaks (a chunk computed and written
    to Parquet in memory, 44 outcomes, one factor): 4.5 kB a run for summaries; 665 bytes a run-sprint for
    trajectories above about 180 MiB, where this says 760 (and 4.4 kB a run)."""
    columns = 5 + len(spec.factors) + len(spec.outcomes)  # run, point, replicate, seed, stream, labels, outcomes
    per_run = 8 * (2 * len(PARAMS) + len(OUTCOMES) + columns)
    if spec.keep == "summary":
        return int(CHUNK_OVERHEAD + runs * per_run)
    return int(CHUNK_OVERHEAD + runs * per_run + 8 * runs * spec.sprints * (len(OUTCOMES) + columns + 1))


def available_memory() -> int | None:
    """Bytes of memory the machine can give without swapping (Linux ``MemAvailable``); None where unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_chunk_memory(spec: SweepSpec, chunk: int, workers: int, key: tuple[str, str], fixed: str = "") -> None:
    """Refuse chunks whose workers together would need more memory than the machine has free: the first chunk
    would fail to allocate (or swap the machine to a halt) after the sweep's folder was made. ``fixed`` says how to
    start again when the chunk size cannot change (a resumed sweep keeps its first run's)."""
    runs = min(chunk, spec.n_runs())  # a chunk holds at most the sweep's runs
    need, free = chunk_memory(spec, runs) * workers, available_memory()
    if free is None or need <= free:
        return
    per_run = (chunk_memory(spec, runs) - CHUNK_OVERHEAD) / runs
    fits = max(1, int((free / workers - CHUNK_OVERHEAD) / per_run))
    each = f"{workers} workers at about {gib(need / workers)} each" if workers > 1 else "about " + gib(need)
    fewer = " or fewer workers" if workers > 1 else ""
    raise ConfigError(key[0], key[1], f"chunks of {runs:,} runs x {spec.sprints:,} sprints ({spec.keep}) need "
                                      f"{each}, more than the {gib(free)} this machine has free; " +
                                      (f"use a chunk size of at most {fits:,}{fewer}" if not fixed else
                                       f"{fixed}: a chunk size of at most {fits:,}{fewer} would fit"))


def gib(n: float) -> str:
    """Bytes for people: 0.3 GiB, 12 GiB, 512 MiB."""
    if n >= 10 * 2**30:
        return f"{n / 2**30:,.0f} GiB"
    return f"{n / 2**30:.2g} GiB" if n >= 2**29 else f"{n / 2**20:.3g} MiB"


def _watch_parent(pid: int) -> None:
    while True:
        time.sleep(0.5)
        if not pid_alive(pid):
            os._exit(1)


def _worker_init(parent: int) -> None:
    """Pool workers leave Ctrl-C to the parent and exit if it dies (e.g. kill -9). Each runs the
    kernel on one thread: the pool already has a worker per core, and more threads than cores
    only take turns."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    numba.set_num_threads(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def warn_if_oversubscribed(workers: int) -> None:
    """One line on stderr when more worker processes than cores are asked for."""
    cores = default_workers()
    if workers > cores:
        print(f"pe-sim: warning: {workers} worker processes on {cores} core{'s' if cores > 1 else ''}: more than one "
              f"per core only adds start-up and switching (use --workers {cores} or fewer)", file=sys.stderr)


def run_inline(jobs: Iterator[ChunkJob], out: Path, on_result: Callable[[dict], None]) -> None:
    for job in jobs:
        on_result(run_chunk(job, str(out)))


RESOURCE_TRACKER_QUIET = "ignore:resource_tracker:UserWarning"


def _quiet_resource_tracker() -> None:
    """After Ctrl-C, multiprocessing's resource tracker removes the pool's semaphores and warns that
    they "appear to be leaked", which a user can do nothing about. The tracker is a separate
    interpreter that reads its warning filters from PYTHONWARNINGS when it starts, so the filter goes
    there (added to the user's own, if any) before a pool starts it."""
    current = os.environ.get("PYTHONWARNINGS", "")
    if RESOURCE_TRACKER_QUIET not in current.split(","):
        os.environ["PYTHONWARNINGS"] = ",".join(x for x in (current, RESOURCE_TRACKER_QUIET) if x)


def _start_forkserver_sheltered() -> None:
    """Start the forkserver with Ctrl-C ignored. It imports pe-sim (pandas, scipy: a second or two)
    before it shelters itself from SIGINT, so a Ctrl-C in that window printed its traceback among
    the main process's clean message. An ignored signal stays ignored across exec, and Python keeps
    it so; the workers it forks ignore Ctrl-C anyway (:func:`_worker_init`)."""
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may change signal handlers; the server then starts as before
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


def mp_context():
    """forkserver (safe with threads; workers import pe_sim once). Like any spawn-style start it
    re-imports the main script in workers, so scripts must guard their entry point with
    ``if __name__ == "__main__":``; a main that cannot be re-imported (``python - <<EOF``) falls
    back to fork."""
    _quiet_resource_tracker()
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    main_spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    if main_spec is None and main_file is not None and not Path(main_file).is_file() \
            and "fork" in mp.get_all_start_methods():
        return mp.get_context("fork")
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["pe_sim.sweeps.execute"])
        _start_forkserver_sheltered()
        return ctx
    return mp.get_context("spawn")  # pragma: no cover


def main_script_unguarded() -> bool:
    """Whether pe-sim is being called from the top level of a script that is not guarded by
    ``if __name__ == "__main__":``. Worker processes re-import such a script and would run the
    call again, so the work then stays in this process instead (slower, but it works)."""
    import ast
    import inspect

    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or path is None or not Path(path).is_file():
        return False
    lines = [f.lineno for f in inspect.stack(0) if f.frame.f_globals is vars(main) and f.function == "<module>"]
    if not lines:
        return False  # called from a function: the import does not run it
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return False
    line = lines[-1]
    for node in tree.body:
        if node.lineno <= line <= (node.end_lineno or node.lineno):
            return not (isinstance(node, ast.If) and "__main__" in ast.unparse(node.test)
                        and "__name__" in ast.unparse(node.test))
    return False


def process_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes for sweeps and comparisons: started from the forkserver, leaving Ctrl-C to
    this process and exiting if it dies (:func:`_worker_init`)."""
    return ProcessPoolExecutor(workers, mp_context=mp_context(), initializer=_worker_init, initargs=(os.getpid(),))


def stop_pool(ex: ProcessPoolExecutor, finished: bool) -> None:
    """Shut a pool down: after its work, wait for it; after Ctrl-C or a failure, stop its workers at
    once (what they finished is kept by the caller)."""
    if not finished:
        for proc in list((getattr(ex, "_processes", None) or {}).values()):
            proc.terminate()
    ex.shutdown(wait=finished, cancel_futures=True)


@contextlib.contextmanager
def interrupt_after() -> Iterator[None]:
    """Hold a Ctrl-C back until the block is done, then raise it. Work handed to a pool may start a
    worker process; interrupted halfway, the worker is forked but not yet known to the pool, outlives
    this process and prints a traceback when the pool's semaphores are gone. Held back, the
    interrupt comes once every worker is known and can be stopped."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def run_local(jobs: Iterator[ChunkJob], out: Path, workers: int, on_result: Callable[[dict], None]) -> None:
    from pe_sim.compiling import workers_will_compile

    workers_will_compile()  # the workers compile on an empty cache, not this process
    ex = process_pool(workers)
    ok = False
    try:
        pending: set = set()

        def fill() -> None:
            with interrupt_after():
                while len(pending) < 2 * workers:
                    job = next(jobs, None)
                    if job is None:
                        return
                    pending.add(ex.submit(run_chunk, job, str(out)))

        fill()
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                on_result(f.result())
            fill()
        ok = True
    finally:
        stop_pool(ex, ok)  # after Ctrl-C or a failed chunk: at once; finished parts are on disk


def connect_dask(scheduler: str | None = None, scheduler_file: str | None = None, timeout: float = 20):
    """A ``distributed.Client`` for an existing cluster."""
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover
        raise ConfigError("--scheduler", "dask", "needs the distributed package: pip install 'pe-sim[distributed]'") from None
    if scheduler_file:
        if not Path(scheduler_file).is_file():
            raise ConfigError(scheduler_file, "--scheduler-file", "no such file")
        try:  # what Dask's dask-scheduler --scheduler-file writes: JSON with the scheduler's address
            address = json.loads(Path(scheduler_file).read_text(encoding="utf-8")).get("address")
        except (ValueError, AttributeError, OSError):
            address = None
        if not isinstance(address, str) or not address:
            raise ConfigError(scheduler_file, "--scheduler-file", "is not a Dask scheduler file; expected the JSON file "
                                                                  "that `dask scheduler --scheduler-file FILE` writes, "
                                                                  "with the scheduler's \"address\"")
    try:
        if scheduler_file:
            return Client(scheduler_file=scheduler_file, timeout=timeout)
        return Client(scheduler, timeout=timeout)
    except ValueError as exc:  # an address Dask cannot parse ("host" without a port, an unknown protocol)
        flag = "--scheduler-file" if scheduler_file else "--scheduler"
        raise ConfigError(str(scheduler_file or scheduler), flag, f"not a Dask scheduler address ({exc}); expected "
                                                                  "e.g. tcp://host:8786") from None
    except (OSError, TimeoutError) as exc:
        where = scheduler_file or scheduler
        raise ConfigError(str(where), "--scheduler", f"cannot connect to the Dask scheduler: {exc}") from None


WORKERLESS_WARNING_S = 30.0  # a cluster without workers this long gets a line: the sweep waits, silently otherwise


def watch_workers(client, stop: threading.Event, grace: float = WORKERLESS_WARNING_S, every: float = 2.0,
                  resume: str = "--resume") -> None:
    """Until ``stop`` is set: say once on stderr when the Dask cluster has had no worker for ``grace``
    seconds (a sweep then waits for one; Dask gives no sign of it)."""
    since = None
    warned = False
    while not stop.wait(every):
        try:
            n = len(client.scheduler_info().get("workers", {}))
        except Exception:  # the scheduler itself is gone: the sweep's own wait raises
            return
        if n:
            since, warned = None, False
            continue
        since = since if since is not None else time.monotonic()
        if not warned and time.monotonic() - since >= grace:
            print(f"\npe-sim: warning: the Dask cluster has had no workers for {grace:.0f} s; the sweep waits for one "
                  f"(start a worker, or Ctrl-C and finish later with {resume})", file=sys.stderr)
            warned = True


def run_dask(jobs: Iterator[ChunkJob], out: Path, client, tag: str, on_result: Callable[[dict], None]) -> None:
    from distributed import as_completed

    nthreads = sum(client.nthreads().values()) or 1
    window = 2 * nthreads + 2

    def submit(job: ChunkJob):
        return client.submit(run_chunk, job, None, key=f"pe-sim-{tag}-{job.index:06d}", pure=False, retries=3)

    stop = threading.Event()
    # the caller's words are taken here: a new thread does not see the command line's context
    threading.Thread(target=watch_workers, args=(client, stop), kwargs={"resume": option("--resume", "resume=True")},
                     daemon=True, name="pe-sim-dask-watch").start()
    try:
        first = [submit(j) for j in itertools.islice(jobs, window)]
        ac = as_completed(first)
        for fut in ac:
            res = fut.result()
            data = res.pop("data")
            write_atomic(out / res["file"], lambda f: f.write(data))
            fut.release()
            on_result(res)
            nxt = next(jobs, None)
            if nxt is not None:
                ac.add(submit(nxt))
    finally:
        stop.set()
