"""Sweeps survive interruptions: Ctrl-C then --resume, and a Dask worker lost mid-sweep."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from helpers import grandchildren, group_alive as _group_alive
from pe_sim.cli import main
from pe_sim.sweeps import load_results, load_sweep, read_manifest, sweep

ROOT = Path(__file__).resolve().parents[1]
SWEEP = ("[sweep]\nbase = 'split_backlogs'\ndesign = 'lhs'\npoints = {points}\nreplicates = 1000\nsprints = 52\n"
         "seed = 12\noutcomes = ['customer_value', 'tech_debt', 'burnout_mean', 'velocity']\n"
         "[vary]\npressure = {{ low = 0.1, high = 0.9 }}\nn_engineers = {{ low = 3, high = 9 }}\n")


def _parts(out: Path) -> int:
    return len(list((out / "data").glob("part-*.parquet")))


def _wait_for(cond, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.02)


def _check_complete(got: pd.DataFrame, ref: pd.DataFrame, out: Path, chunks: int) -> None:
    assert got["run"].is_unique and sorted(got["run"]) == list(range(len(ref)))  # none duplicated or missing
    pd.testing.assert_frame_equal(got.sort_values("run", ignore_index=True), ref.sort_values("run", ignore_index=True),
                                  check_exact=True)
    assert {int(p.stem.split("-")[1]) for p in (out / "data").glob("part-*.parquet")} == set(range(chunks))
    assert not list(out.glob(".*.tmp"))
    assert read_manifest(out)["status"] == "complete"


def _sweep_stopped(toml: Path, out: Path, parts: int, stop) -> tuple[subprocess.Popen, str]:
    """Run ``pe-sim sweep`` on 2 workers, call ``stop(proc)`` once ``parts`` part files are written,
    and return the finished process and its stderr (the process group is killed if it hangs)."""
    cmd = [sys.executable, "-m", "pe_sim.cli", "sweep", str(toml), "--out", str(out), "--workers", "2",
           "--chunk-size", "1000", "--no-progress"]
    # its own process group, as a terminal's foreground job; SIGINT handled even if this test runs in
    # the background (a shell starts background jobs with SIGINT ignored, and children inherit that)
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        _wait_for(lambda: _parts(out) >= parts or proc.poll() is not None, 60, "the first part files")
        stop(proc)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc, stderr


@pytest.mark.timeout(120)
def test_ctrl_c_exits_130_with_a_resume_hint_and_resume_gives_the_uninterrupted_data(tmp_path):
    toml = tmp_path / "s.toml"
    toml.write_text(SWEEP.format(points=80))  # 80 chunks of 1,000 runs: several seconds on 2 workers
    out = tmp_path / "interrupted"
    def ctrl_c(proc):
        assert proc.poll() is None, f"the sweep ended before it could be interrupted: {proc.communicate()}"
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole foreground group

    proc, stderr = _sweep_stopped(toml, out, 3, ctrl_c)
    assert proc.returncode == 130, stderr
    assert f"pe-sim sweep {toml} --out {out} --resume" in stderr and "Traceback" not in stderr
    assert "leaked" not in stderr, stderr  # multiprocessing's resource tracker cleans up quietly
    parts_at_stop = _parts(out)
    assert 3 <= parts_at_stop < 80 and read_manifest(out)["status"] == "running"
    stopped = read_manifest(out)["runs_log"]
    assert len(stopped) == 1 and stopped[0]["ended"] == "interrupted"  # the stopped session is on record
    assert 1 <= stopped[0]["chunks_run"] <= parts_at_stop
    _wait_for(lambda: not _group_alive(proc.pid), 15, "the workers to exit")

    assert main(["sweep", str(toml), "--out", str(out), "--resume", "--workers", "2", "--no-progress"]) == 0
    done = [json.loads(x)["chunk"] for x in (out / "_done.jsonl").read_text().splitlines()]
    assert sorted(done) == list(range(80)), "every chunk recorded once: finished chunks were not recomputed"
    log = read_manifest(out)["runs_log"]
    assert [x["ended"] for x in log] == ["interrupted", "complete"]
    assert log[0]["chunks_run"] + log[1]["chunks_run"] == 80
    ref = sweep(load_sweep(toml), out=tmp_path / "ref", workers=2, chunk_size=2000, progress=False)
    _check_complete(load_results(out), ref, out, 80)


@pytest.mark.timeout(120)
def test_a_killed_local_worker_ends_the_sweep_with_a_resume_hint_and_resume_completes_it(tmp_path):
    toml = tmp_path / "s.toml"
    toml.write_text(SWEEP.format(points=80))
    out = tmp_path / "lost"
    def kill_a_worker(proc):
        workers = grandchildren(proc.pid)  # the pool's workers are the forkserver's children
        assert proc.poll() is None and workers, "the sweep ended before a worker could be killed"
        os.kill(workers[0], signal.SIGKILL)  # as the kernel's out-of-memory killer would

    proc, stderr = _sweep_stopped(toml, out, 2, kill_a_worker)
    assert proc.returncode == 1, stderr
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1, stderr
    assert "a worker process stopped unexpectedly" in stderr and f"--out {out} --resume" in stderr
    assert read_manifest(out)["runs_log"][0]["ended"] == "failed (BrokenProcessPool)"
    _wait_for(lambda: not _group_alive(proc.pid), 15, "the workers to exit")
    assert main(["sweep", str(toml), "--out", str(out), "--resume", "--workers", "2", "--no-progress"]) == 0
    ref = sweep(load_sweep(toml), out=tmp_path / "ref", workers=2, chunk_size=2000, progress=False)
    _check_complete(load_results(out), ref, out, 80)


@pytest.mark.timeout(120)
def test_sweep_survives_a_lost_dask_worker(tmp_path):
    distributed = pytest.importorskip("distributed")
    toml = tmp_path / "s.toml"
    toml.write_text(SWEEP.format(points=60))
    spec = load_sweep(toml)
    out = tmp_path / "dask"
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client, ThreadPoolExecutor(1) as pool:
        pids = client.run(os.getpid)
        assert len(pids) == 2
        running = pool.submit(sweep, spec, out=out, client=client, chunk_size=500, progress=False)
        _wait_for(lambda: _parts(out) >= 4 or running.done(), 60, "the first part files")
        assert not running.done(), "the sweep ended before a worker could be killed"
        victim = max(pids.values())
        os.kill(victim, signal.SIGKILL)
        got = running.result(timeout=90)  # the scheduler reschedules the lost worker's chunks
        # the nanny restarted the worker: the cluster really lost one
        _wait_for(lambda: len(client.scheduler_info()["workers"]) == 2, 30, "the worker to restart")
        assert victim not in client.run(os.getpid).values()
        assert read_manifest(out)["runs_log"][-1]["backend"] == "dask"
    ref = sweep(spec, out=tmp_path / "ref", workers=2, progress=False)
    _check_complete(got, ref, out, 120)


def test_the_forkserver_ignores_ctrl_c_from_its_first_moment():
    """The worker server imports pe-sim before it would shelter itself from SIGINT; started with the
    signal ignored, a Ctrl-C in that second or two no longer prints its traceback."""
    code = ("import multiprocessing.forkserver as f\n"
            "from pe_sim.sweeps.execute import mp_context\n"
            "mp_context()\n"
            "pid = f._forkserver._forkserver_pid\n"
            "mask = int([l for l in open(f'/proc/{pid}/status') if l.startswith('SigIgn')][0].split()[1], 16)\n"
            "print(bool(mask & (1 << 1)))\n")  # bit 1: SIGINT (2)
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "True"


SUBMIT_INTERRUPTED = """
import os, signal, sys, time
from concurrent.futures import ProcessPoolExecutor
from pe_sim.sweeps import run_sweep, sweep_from_dict

import threading
real = ProcessPoolExecutor.submit
def submit(self, *args, **kwargs):  # Ctrl-C arrives while a worker starts (the worker server is still loading)
    if not getattr(submit, "armed", False):
        submit.armed = True
        threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
    return real(self, *args, **kwargs)
ProcessPoolExecutor.submit = submit

def main():
    spec = sweep_from_dict({"sweep": {"base": "split_backlogs", "design": "lhs", "points": 40, "replicates": 50,
                                      "sprints": 4, "seed": 1}, "vary": {"pressure": {"low": 0.1, "high": 0.9}}})
    try:
        run_sweep(spec, out=sys.argv[1], workers=2, chunk_size=100, progress=False)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    time.sleep(3)  # a worker the pool did not know of would now fail to find the pool's semaphores

if __name__ == "__main__":
    main()
"""


@pytest.mark.timeout(120)
def test_ctrl_c_while_workers_start_is_held_until_they_can_be_stopped(tmp_path):
    """Interrupted halfway through starting a worker, the pool lost track of it: it outlived the
    sweep and printed a traceback. The interrupt now waits until the work is handed over."""
    script = tmp_path / "submit_interrupted.py"
    script.write_text(SUBMIT_INTERRUPTED)
    r = subprocess.run([sys.executable, str(script), str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True,
                       timeout=100)
    assert r.stdout.strip() == "interrupted", r.stderr
    assert "Traceback" not in r.stderr, r.stderr


def _ctrl_c_at_the_second_record(tmp_path: Path, monkeypatch) -> tuple[Path, Path, list]:
    """A small sweep of 4 chunks and a Ctrl-C that lands as its second chunk's record is synced to
    disk (after the record is written); returns the sweep file, its folder and the records synced."""
    import pe_sim.sweeps.api as api

    toml = tmp_path / "s.toml"
    toml.write_text(SWEEP.format(points=4).replace("replicates = 1000", "replicates = 10"))
    real_fsync, calls = os.fsync, []

    def fsync(fd):
        real_fsync(fd)
        if sys._getframe(1).f_code.co_name == "on_result":
            calls.append(fd)
            if len(calls) == 2:
                raise KeyboardInterrupt

    monkeypatch.setattr(api.os, "fsync", fsync)
    return toml, tmp_path / "out", calls


def test_ctrl_c_while_a_chunk_is_recorded_still_counts_it_in_the_runs_log(tmp_path, monkeypatch):
    # Ctrl-C lands as the second chunk's record is synced to disk: the chunk is on record (a resume
    # skips it), so the interrupted session must count it too, or the sessions' counts miss a chunk
    toml, out, _ = _ctrl_c_at_the_second_record(tmp_path, monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        sweep(load_sweep(toml), out=out, workers=1, chunk_size=10, progress=False)
    monkeypatch.undo()
    assert read_manifest(out)["runs_log"][0]["chunks_run"] == 2
    sweep(load_sweep(toml), out=out, workers=1, chunk_size=10, progress=False)
    log = read_manifest(out)["runs_log"]
    assert [x["ended"] for x in log] == ["interrupted", "complete"] and sum(x["chunks_run"] for x in log) == 4


def test_a_second_ctrl_c_while_the_session_is_logged_still_logs_it(tmp_path, monkeypatch):
    import pe_sim.sweeps.api as api

    toml, out, calls = _ctrl_c_at_the_second_record(tmp_path, monkeypatch)
    real_done = api.done_chunks

    def done_chunks(folder):
        if calls:
            os.kill(os.getpid(), signal.SIGINT)  # the second, as the session is being logged
        return real_done(folder)

    monkeypatch.setattr(api, "done_chunks", done_chunks)
    with pytest.raises(KeyboardInterrupt):
        sweep(load_sweep(toml), out=out, workers=1, chunk_size=10, progress=False)
    assert read_manifest(out)["runs_log"] == [dict(read_manifest(out)["runs_log"][0], ended="interrupted", chunks_run=2)]
