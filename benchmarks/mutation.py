"""Mutation testing of the model's rules with cosmic-ray: would the tests notice a broken rule?

Each mutant changes one operator or number in ``pe_sim/core/rules.py`` (and, with ``--module``,
other files) and the tests run against it in two stages:

1. the rule tests, ``tests/test_rule_laws.py`` (hand-computed values of every rule, then laws such
   as bounds and monotone directions), ``tests/test_rules.py`` and the backlog functions' tests
   ``tests/test_backlog.py``, with numba's JIT off, so they run as plain Python: about 1 s a killed
   mutant, 2.5 s a survivor;
2. if they all pass, the rule, backlog, mechanism, pattern, motivator and equivalence tests compiled
   (the numba cache is keyed by the source, so the kernel recompiles: 30-50 s a mutant).

A mutant is *killed* when a test of either stage fails, *survived* when all pass. ``--fast-only``
runs the first stage only, so its score is a lower bound of the full one. Operators that cannot
apply to the model's floats (bitwise and shift operators, floor division, modulo, identity
comparisons, removing a decorator) are left out: they only fail to compile, which says nothing
about the tests.

Run it in a clean checkout (it edits the module on disk, one mutant at a time, and restores it),
with a fresh ``--out`` for each sample (the session database there is resumed otherwise):

    python benchmarks/mutation.py --sample 150 --seed 1 --fast-only --out results/mut-s1   # ~4 min
    python benchmarks/mutation.py --sample 0 --fast-only --out results/mut-all              # every mutant, ~1 h
    python benchmarks/mutation.py --sample 20 --out results/mut-s2                          # both stages, ~20 min
    python benchmarks/mutation.py --survivors-of results/mut-all --sample 0 --out results/mut-all-2
                                  # both stages on the first stage's survivors: what the compiled tests add
    python benchmarks/mutation.py --report --out results/mut-all                            # score so far

Measured on 7 December 2026 (2 cores, the other busy): stage 1 ran every one of the 2,862 mutants of
``rules.py`` in 69 min and killed 2,846; stage 2 ran the 16 survivors in 8 min (about 29 s each) and
killed none: 99.4%. Of the 16, 15 cannot change a result at valid inputs (a comparison with ``EPS``
made strict, ``== SBI`` made ``>=`` for a 0/1 code, a ``max(0, x)`` floor whose x is never negative,
``n <= 1`` made ``n == 1`` for n >= 2); the sixteenth (an idea exactly at the kill bar) is now pinned
in ``tests/test_rule_laws.py``.

A sample of 40 mutants each of ``backlog.py`` and ``kernel.py`` (``--module``, both stages, 7 December
2026, ~35 s a mutant): kernel 39 of 40 killed (the survivor, ``E_ACTIVE == 1.0`` made ``>= 1.0`` where
the flag is 0 or 1, cannot change a result); backlog 31 of 40, of which six survivors cannot change a
result (NaN scores ranked but never picked, ``<`` made ``<=``/``!=`` where the sizes are positive,
``break`` made ``continue`` after the last item, ``ALIVE == 0`` made ``<= 0``) and three were real
gaps in ``discover`` (its kill count, and slots that are gone or started), now pinned by
``tests/test_backlog.py`` along with the tech flag the remaining one changed. A second kernel sample
(``--sample 40 --seed 11``, after the ``team_size`` event was added) killed 37 of 40 (one by the
900 s timeout: ``while staying > size`` made ``<=`` loops for ever); of the survivors two cannot
change a result (``newest_engineer``'s "none" index -1 made -2, never returned while an engineer
is active; ``hires_due`` one slot longer) and one was a real gap, the one-roadmap sum of the tech
work planned starting at 1 instead of 0, now pinned in ``tests/test_backlog.py``.

cosmic-ray runs the pending mutants in a random order, so an interrupted run's results are a
random sample of the mutants (the printed Wilson interval applies). Prints the score
(killed / (killed + survived)) and every survivor's diff; running the same command again resumes
the session in ``--out``.
"""

from __future__ import annotations

import argparse
import os
import math
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the rule-law file first: its value tests fail within milliseconds for most mutants (-x stops there)
FAST_TESTS = ["tests/test_rule_laws.py", "tests/test_rules.py", "tests/test_backlog.py"]
# The equivalence tests compare the kernel's own code (run_team's wiring) with the Mesa face's: half of a
# sample of kernel mutants was noticed only there.
TESTS = ["tests/test_rules.py", "tests/test_rule_laws.py", "tests/test_backlog.py", "tests/test_mechanisms.py",
         "tests/test_patterns.py", "tests/test_motivators.py", "tests/test_equivalence.py"]
NOT_FOR_FLOATS = ("BitAnd", "BitOr", "BitXor", "LShift", "RShift", "FloorDiv", "Mod", "_Is", "IsNot", "Invert",
                  "USub_Not", "RemoveDecorator")


def config_text(module: str, timeout: float, fast_only: bool) -> str:
    test = f"{sys.executable} {Path(__file__).resolve()} --test" + (" --fast-only" if fast_only else "")
    return (f'[cosmic-ray]\nmodule-path = "{module}"\ntimeout = {timeout}\nexcluded-modules = []\n'
            f'test-command = "{test}"\n\n[cosmic-ray.distributor]\nname = "local"\n')


def run_tests(fast_only: bool) -> int:
    """The test command cosmic-ray runs on each mutant: 1 (killed) when a test of either stage fails.
    With ``fast_only`` only the first stage runs, so the score is a lower bound of the full one."""
    pytest = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
    # Stage 1 needs none of the conftest (matplotlib's backend), the plugins (hypothesis runs without its
    # own) or assertion rewriting: with PYTHONDONTWRITEBYTECODE set, pytest re-parses every plugin module
    # and test file on each run. Without them a killed mutant takes ~1 s instead of ~3 s.
    fast = subprocess.run(pytest + ["--noconftest", "--assert=plain"] + FAST_TESTS, cwd=ROOT,
                          env=dict(os.environ, NUMBA_DISABLE_JIT="1", PYTEST_DISABLE_PLUGIN_AUTOLOAD="1"))
    if fast.returncode != 0:
        return 1
    if fast_only:
        return 0
    try:
        return 1 if subprocess.run(pytest + TESTS, cwd=ROOT).returncode != 0 else 0
    finally:  # each mutant compiles into its own cache folder (keyed by the source): ~20 MB each
        sys.path.insert(0, str(ROOT))
        from pe_sim.core.jit import CACHE_DIR
        shutil.rmtree(CACHE_DIR, ignore_errors=True)


def keep_only(db: Path, sample: int, seed: int) -> int:
    """Drop the operators that cannot apply to floats and, with sample > 0, all but a random sample."""
    con = sqlite3.connect(db)
    rows = con.execute("select job_id, operator_name, occurrence from mutation_specs where job_id not in "
                       "(select job_id from work_results)").fetchall()
    # job ids are random per session: order by (operator, occurrence) so a seed picks the same mutants each time
    usable = [j for j, op, k in sorted(rows, key=lambda r: (r[1], r[2])) if not any(x in op for x in NOT_FOR_FLOATS)]
    done = con.execute("select count(*) from work_results").fetchone()[0]
    keep = set(usable)
    if sample > 0:
        keep = set(random.Random(seed).sample(usable, max(0, min(len(usable), sample - done))))
    drop = [(j,) for j, *_ in rows if j not in keep]
    con.executemany("delete from mutation_specs where job_id = ?", drop)
    con.executemany("delete from work_items where job_id = ?", drop)
    con.commit()
    return len(keep)


def survivors_session(src: Path, db: Path) -> int:
    """A new session holding only the mutants that survived in ``src``, pending again, so both stages
    run on them: how many of the first stage's survivors the compiled tests kill."""
    shutil.copy(src, db)
    con = sqlite3.connect(db)
    keep = {j for j, t in con.execute("select job_id, test_outcome from work_results") if str(t).lower() == "survived"}
    drop = [(j,) for (j,) in con.execute("select job_id from work_items").fetchall() if j not in keep]
    con.executemany("delete from mutation_specs where job_id = ?", drop)
    con.executemany("delete from work_items where job_id = ?", drop)
    con.execute("delete from work_results")
    con.commit()
    return len(keep)


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion k/n."""
    centre, half = (k + z * z / 2) / (n + z * z), z * math.sqrt(k * (n - k) / n + z * z / 4) / (n + z * z)
    return centre - half, centre + half


def report(db: Path) -> int:
    con = sqlite3.connect(db)
    results = con.execute("select r.test_outcome, r.worker_outcome, r.diff, s.operator_name, s.definition_name, "
                          "s.start_pos_row from work_results r join mutation_specs s using (job_id)").fetchall()
    # cosmic-ray stores its outcome enums by name (NORMAL, KILLED), older versions by value (normal, killed)
    results = [(str(t).lower(), str(w).lower(), *rest) for t, w, *rest in results]
    killed = sum(1 for t, w, *_ in results if w == "normal" and t == "killed")
    survived = [(op, fn, row, diff) for t, w, diff, op, fn, row in results if w == "normal" and t == "survived"]
    other = len(results) - killed - len(survived)
    scored = killed + len(survived)
    print(f"mutants run: {len(results)}; killed {killed}, survived {len(survived)}, other (errors, timeouts) {other}")
    if scored:
        lo, hi = wilson(killed, scored)
        print(f"mutation score: {killed / scored:.1%} of {scored} (95% CI {lo:.1%}-{hi:.1%} for all mutants, "
              "if these are a random sample of them)")
    for op, fn, row, diff in survived:
        print(f"\nSURVIVED {op} in {fn}() at line {row}:\n{diff}")
    return 0


def cosmic_ray() -> str:
    """The cosmic-ray command beside this Python (a venv's bin folder need not be on PATH)."""
    here = Path(sys.executable).parent / "cosmic-ray"
    return str(here) if here.exists() else "cosmic-ray"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--module", default="pe_sim/core/rules.py")
    ap.add_argument("--sample", type=int, default=40, help="mutants to run (0: all of them)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per mutant")
    ap.add_argument("--out", default="results/mutation")
    ap.add_argument("--fast-only", action="store_true",
                    help="only the rule tests with the JIT off (seconds a mutant; the score is a lower bound)")
    ap.add_argument("--survivors-of", metavar="DIR",
                    help="a new session (in --out) of the mutants that survived the session in DIR, to run again")
    ap.add_argument("--report", action="store_true", help="only print the score and survivors of the session in --out")
    ap.add_argument("--test", action="store_true", help=argparse.SUPPRESS)  # what cosmic-ray runs per mutant
    a = ap.parse_args()
    if a.test:
        return run_tests(a.fast_only)
    out = ROOT / a.out
    if a.report:
        return report(out / "session.sqlite")
    out.mkdir(parents=True, exist_ok=True)
    cfg, db = out / "cosmic-ray.toml", out / "session.sqlite"
    cfg.write_text(config_text(a.module, a.timeout, a.fast_only), encoding="utf-8")
    env = dict(os.environ, PE_SIM_CACHE_DIR=tempfile.mkdtemp(prefix="pe-sim-mutants-"))
    if not db.exists() and a.survivors_of:
        print(f"{survivors_session(ROOT / a.survivors_of / 'session.sqlite', db)} survivors of {a.survivors_of}")
    elif not db.exists():
        subprocess.run([cosmic_ray(), "init", str(cfg), str(db)], cwd=ROOT, check=True, env=env)
    n = keep_only(db, a.sample, a.seed)
    print(f"{n} mutants to run (seconds to a minute each); results go to {db}", flush=True)
    subprocess.run([cosmic_ray(), "exec", str(cfg), str(db)], cwd=ROOT, check=True, env=env)
    report(db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
