"""Sweep throughput, memory and Dask overhead.

    python benchmarks/bench_sweep.py                  # full: 10^6-run summary sweep (target, issue 7: <= 30 s, <= 1 GiB on 2 cores)
    python benchmarks/bench_sweep.py --runs 100000    # scaled down
    python benchmarks/bench_sweep.py --skip-dask --skip-big

Prints runs/s for 1 and 2 local workers, the wall time and peak memory (PSS and RSS summed over
this process and all its children, sampled every 0.1 s) of a ``--runs`` summary sweep, and the time
of the same sweep on a Dask LocalCluster against local processes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pe_sim.sweeps import run_sweep, sweep_from_dict  # noqa: E402


def spec(runs: int, sprints: int, points: int = 1000):
    points = min(points, runs)
    return sweep_from_dict({
        "sweep": {"name": "bench", "base": "split_backlogs", "design": "lhs", "points": points,
                  "replicates": max(1, runs // points), "sprints": sprints, "seed": 1, "keep": "summary"},
        "vary": {"pressure": {"low": 0.1, "high": 0.9}, "syncs_per_sprint": {"low": 0, "high": 10},
                 "tech_share": {"low": 0.0, "high": 0.5}},
    })


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _mem(pid: int) -> tuple[int, int]:
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1]) * 1024
    except OSError:
        pass
    return pss, rss


class MemorySampler:
    """Peak total PSS/RSS of this process tree."""

    def __init__(self, interval: float = 0.1):
        self.interval, self.peak_pss, self.peak_rss, self.peak_procs = interval, 0, 0, 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            pids = _tree(os.getpid())
            mem = [_mem(p) for p in pids]
            self.peak_pss = max(self.peak_pss, sum(m[0] for m in mem))
            self.peak_rss = max(self.peak_rss, sum(m[1] for m in mem))
            self.peak_procs = max(self.peak_procs, len(pids))
            self._stop.wait(self.interval)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()


def timed(s, **kw) -> tuple[float, object]:
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        rep = run_sweep(s, out=Path(d) / "out", progress=kw.pop("progress", False), **kw)
        return time.perf_counter() - t0, rep


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=1_000_000, help="runs in the big summary sweep (default 10^6)")
    ap.add_argument("--rate-runs", type=int, default=40_000, help="runs for the runs/s and Dask measurements")
    ap.add_argument("--sprints", type=int, default=52)
    ap.add_argument("--chunk-size", type=int, default=None)
    ap.add_argument("--skip-dask", action="store_true")
    ap.add_argument("--skip-big", action="store_true")
    ap.add_argument("--progress", action="store_true")
    a = ap.parse_args()
    print(f"cores available: {len(os.sched_getaffinity(0))}; sprints {a.sprints}")

    small = spec(a.rate_runs, a.sprints)
    rates = {}
    for w in (1, 2):
        sec, rep = timed(small, workers=w, chunk_size=a.chunk_size)
        rates[w] = a.rate_runs / sec
        print(f"local, {w} worker{'s' if w > 1 else ' '}: {a.rate_runs:,} runs in {sec:6.2f} s = {rates[w]:8,.0f} runs/s "
              f"({rates[w] * a.sprints:,.0f} run-sprints/s; {rep.chunks} chunks of {rep.runs // rep.chunks:,})")
    print(f"speed-up 1 -> 2 workers: {rates[2] / rates[1]:.2f}x")

    if not a.skip_big:
        big = spec(a.runs, a.sprints)
        with MemorySampler() as mem:
            sec, rep = timed(big, workers=2, chunk_size=a.chunk_size, progress=a.progress)
        print(f"big summary sweep, 2 workers: {rep.runs:,} runs x {a.sprints} sprints in {sec:.1f} s "
              f"({rep.runs / sec:,.0f} runs/s; {rep.chunks} chunks); peak memory of the process tree: "
              f"PSS {mem.peak_pss / 2**30:.2f} GiB, RSS {mem.peak_rss / 2**30:.2f} GiB "
              f"({mem.peak_procs} processes)")
        if a.runs >= 1_000_000:
            print(f"target 10^6 runs <= 30 s within 1 GiB: {'met' if sec <= 30 and mem.peak_pss < 2**30 else 'NOT met'}")
        else:
            print(f"extrapolated to 10^6 runs: {1e6 / (rep.runs / sec):.0f} s")

    if not a.skip_dask:
        from distributed import Client, LocalCluster

        t0 = time.perf_counter()
        import logging

        # silence_logs: a worker's last heartbeat racing the shutdown is logged as an error, harmlessly
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.CRITICAL)
        client = Client(cluster)
        start = time.perf_counter() - t0
        try:
            timed(spec(2000, a.sprints), client=client)  # warm the workers' imports
            sec_d, _ = timed(small, client=client, chunk_size=a.chunk_size)
        finally:
            client.close()
            cluster.close()
        sec_l = a.rate_runs / rates[2]
        print(f"dask LocalCluster (2 worker processes): {a.rate_runs:,} runs in {sec_d:.2f} s = "
              f"{a.rate_runs / sec_d:,.0f} runs/s vs local processes {sec_l:.2f} s: overhead "
              f"{100 * (sec_d / sec_l - 1):+.0f}% (cluster start-up {start:.1f} s, not included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
