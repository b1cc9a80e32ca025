"""Benchmark the workshop dashboard: startup time and time per step at the default team size.

    .venv/bin/python benchmarks/bench_dashboard.py [--repeats 3] [--steps 52] [--no-browser]

Prints:

* command to URL: from launching `pe-sim dashboard` to it printing its URL (server ready);
* command to usable page: to Chromium showing every plot of the page (headless, localhost);
* time per step: the model alone (one setup, and two side by side), the model plus redrawing every
  plot and the team view (the server's work per click), and a real click on Step in Chromium until
  the redrawn plots have loaded (the facilitator's wait).
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


def bench_model(steps: int) -> dict[str, float]:
    from pe_sim.dashboard import figures
    from pe_sim.dashboard.session import Workshop

    out = {}
    for label, compare in (("one setup", "(none)"), ("side by side", "one_roadmap")):
        w = Workshop(setup="split_backlogs", compare=compare)
        t0 = time.perf_counter()
        for _ in range(steps):
            w.step()
        out[f"model step, {label}"] = (time.perf_counter() - t0) / steps
        figures.all_plots(w.setups)  # warm up fonts and caches
        w = Workshop(setup="split_backlogs", compare=compare)
        times = []
        for _ in range(steps):
            t0 = time.perf_counter()
            w.step()
            figures.all_plots(w.setups)
            for s in w.setups:
                figures.team_html(s)
            times.append(time.perf_counter() - t0)
        out[f"step + redraw, {label}"] = statistics.median(times)
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
    args = ap.parse_args()
    from pe_sim.params import BY_NAME

    print(f"pe-sim dashboard benchmark (default team size {BY_NAME['n_engineers'].default}, "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]})")
    results = bench_model(args.steps)
    if not args.no_browser:
        results.update(bench_browser(args.repeats, args.clicks))
    width = max(map(len, results))
    for k, v in results.items():
        print(f"  {k:<{width}}  {v * 1000:9.1f} ms" if v < 1 else f"  {k:<{width}}  {v:9.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
