"""pe-sim: agent-based simulation of how product managers, engineering managers and engineers work together.

For notebooks and scripts::

    import pe_sim
    df = pe_sim.sweep("my_sweep.toml")                          # tidy DataFrame (pe_sim.sweeps)
    res = pe_sim.compare(["one_roadmap", "split_backlogs"])     # paired comparison (pe_sim.analysis)
    table = pe_sim.sensitivity("my_sweep.toml")                 # Sobol' indices (pe_sim.analysis)
    row = pe_sim.run_one("crunch", pressure=0.7)                # one run's end-of-horizon outcomes (pe_sim.runner)

They are imported on first use, so ``import pe_sim`` and the ``pe-sim`` command start fast.
"""

__version__ = "0.1.0"

_LAZY = {"sweep": "pe_sim.sweeps", "compare": "pe_sim.analysis", "sensitivity": "pe_sim.analysis",
         "run_one": "pe_sim.runner"}
__all__ = ["__version__", "compare", "run_one", "sensitivity", "sweep"]


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'pe_sim' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
