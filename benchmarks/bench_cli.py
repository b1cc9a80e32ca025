"""How long `pe-sim --help` takes (median of several runs, each a fresh process). Target: <= 0.3 s.

    python benchmarks/bench_cli.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    a = ap.parse_args()
    times = []
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pe_sim.cli", "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    print(f"pe-sim --help: median {statistics.median(times):.3f} s, min {min(times):.3f} s over {a.repeat} runs "
          "(target <= 0.3 s)")


if __name__ == "__main__":
    main()
