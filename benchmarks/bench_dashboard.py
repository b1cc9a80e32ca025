"""Benchmark the workshop dashboard: startup time and time per step at the default team size.

    .venv/bin/python benchmarks/bench_dashboard.py [--repeats 3] [--steps 52] [--no-browser] [--baseline REV]

Prints:

* command to URL: from launching `pe-sim dashboard` to it printing its URL (server ready);
* command to usable page: to Chromium showing every plot of the page (headless, localhost);
* time per step: the model alone (one setup, and two side by side), the model plus redrawing every
  plot and the team view (the server's work per click), and a real click on Step in Chromium until
  the redrawn plots have loaded (the facilitator's wait);
* with ``--baseline REV``: the same steps redrawn, in the same run, by the plotting code of git
  revision REV too (e.g. the matplotlib renderer before the SVG plots), so before and after meet the
  same machine load.
"""

from __future__ import annotations

import argparse
import os
import queue
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
ALL_LOADED = "[...document.querySelectorAll('.pe-plot img')].every(i => i.complete && i.naturalWidth > 0)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_dashboard(extra: list[str] | None = None):
    port = free_port()
    script = Path(sys.executable).parent / "pe-sim"
    cmd = ([str(script)] if script.exists() else [sys.executable, "-m", "pe_sim.cli"])
    cmd += ["dashboard", "--port", str(port)] + (extra or [])
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
                            start_new_session=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()
    while True:
        line = lines.get(timeout=120)
        if line.startswith("pe-sim dashboard: "):
            return proc, line.split(": ", 1)[1].strip(), t0, time.perf_counter() - t0


def stop(proc) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def baseline_figures(rev: str):
    """The dashboard's figures module as it was at git revision ``rev`` (for before/after timings)."""
    src = subprocess.check_output(["git", "-C", str(ROOT), "show", f"{rev}:pe_sim/dashboard/figures.py"], text=True)
    mod = types.ModuleType("figures_at_" + rev.replace("~", "_").replace("^", "_"))
    exec(compile(src, f"{rev}:pe_sim/dashboard/figures.py", "exec"), mod.__dict__)
    return mod


class _OldSetup:
    """A Setup as older plotting code reads it: events as (sprint, kind) pairs."""

    def __init__(self, setup):
        self._s = setup
        self.events = [(e[0], e[1]) for e in setup.events]

    def __getattr__(self, name):
        return getattr(self._s, name)


def bench_model(steps: int, baseline: str | None = None) -> dict[str, float]:
    from pe_sim.dashboard import figures
    from pe_sim.dashboard.session import Room, Workshop

    old = baseline_figures(baseline) if baseline else None
    out = {}
    for label, compare in (("one setup", "(none)"), ("side by side", "one_roadmap")):
        w = Workshop(setup="split_backlogs", compare=compare)
        t0 = time.perf_counter()
        for _ in range(steps):
            w.step()
        out[f"model step, {label}"] = (time.perf_counter() - t0) / steps
        figures.all_plots(w.setups)  # warm up caches
        if old:
            old.all_plots([_OldSetup(s) for s in w.setups])
        w = Workshop(setup="split_backlogs", compare=compare)
        now, before = [], []
        for _ in range(steps):
            t0 = time.perf_counter()
            w.step()
            t_step = time.perf_counter() - t0
            t0 = time.perf_counter()
            figures.all_plots(w.setups, horizon=w.horizon)
            for s in w.setups:
                figures.team_html(s)
            now.append(t_step + time.perf_counter() - t0)
            if old:
                t0 = time.perf_counter()
                olds = [_OldSetup(s) for s in w.setups]
                old.all_plots(olds)
                for s in olds:
                    old.team_html(s)
                before.append(t_step + time.perf_counter() - t0)
        out[f"step + redraw, {label}"] = statistics.median(now)
        if old:
            out[f"step + redraw, {label}, plots of {baseline}"] = statistics.median(before)
        # with the band of 100 runs shown (computed once per settings, in the background on the page)
        room = Room(setup="split_backlogs", compare=compare)
        room.set_show_band(True)
        t0 = time.perf_counter()
        bands = room.bands(wait=True)
        out[f"band of 100 runs (once per settings), {label}"] = time.perf_counter() - t0
        times = []
        for _ in range(steps):
            t0 = time.perf_counter()
            room.step()
            figures.all_plots(room.workshop.setups, bands=bands, horizon=room.workshop.horizon)
            for s in room.workshop.setups:
                figures.team_html(s)
            times.append(time.perf_counter() - t0)
        out[f"step + redraw with band, {label}"] = statistics.median(times)
    return out


def bench_browser(repeats: int, clicks: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    exe = os.environ.get("PE_SIM_CHROMIUM", "/usr/bin/chromium")
    to_url, to_page, per_click = [], [], []
    with sync_playwright() as p:
        for r in range(repeats):
            # the browser is already open, as on the facilitator's laptop; the clock starts at the command
            ctx = p.chromium.launch_persistent_context(tempfile.mkdtemp(), executable_path=exe, headless=True,
                                                       args=CHROMIUM_ARGS, viewport={"width": 1440, "height": 1000})
            ctx.set_default_timeout(60_000)
            page = ctx.new_page()
            proc, url, t0, ready = start_dashboard()
            try:
                page.goto(url)
                page.wait_for_selector(".pe-plot img")
                page.wait_for_function(ALL_LOADED)
                to_url.append(ready)
                to_page.append(time.perf_counter() - t0)
                if r == 0:
                    step = page.get_by_role("button", name="Step", exact=True)
                    for i in range(1, clicks + 1):
                        t1 = time.perf_counter()
                        step.click()
                        page.wait_for_function(f"document.querySelector('.pe-sprint').dataset.sprint == '{i}'")
                        page.wait_for_function(ALL_LOADED)
                        per_click.append(time.perf_counter() - t1)
            finally:
                ctx.close()
                stop(proc)
    return {"command to URL": statistics.median(to_url), "command to usable page": statistics.median(to_page),
            "Step click to redrawn page (browser)": statistics.median(per_click) if per_click else float("nan")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3, help="dashboard launches to time (median reported)")
    ap.add_argument("--steps", type=int, default=52, help="sprints to time per setup")
    ap.add_argument("--clicks", type=int, default=10, help="Step clicks to time in the browser")
    ap.add_argument("--no-browser", action="store_true", help="skip the Chromium measurements")
    ap.add_argument("--baseline", metavar="REV", help="also time the plotting code of this git revision")
    args = ap.parse_args()
    from pe_sim.params import BY_NAME

    print(f"pe-sim dashboard benchmark (default team size {BY_NAME['n_engineers'].default}, "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]})")
    results = bench_model(args.steps, args.baseline)
    if not args.no_browser:
        results.update(bench_browser(args.repeats, args.clicks))
    width = max(map(len, results))
    for k, v in results.items():
        print(f"  {k:<{width}}  {v * 1000:9.1f} ms" if v < 1 else f"  {k:<{width}}  {v:9.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
