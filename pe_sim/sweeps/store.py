"""The output directory: part files written atomically, the manifest, the done log, and what resume needs."""

from __future__ import annotations

import json
import os
import platform
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping

from pe_sim import __version__
from pe_sim.config import ConfigError

DATA = "data"  # the part files alone, so pandas, pyarrow and polars each read the data with one call


def part_name(index: int) -> str:
    """A chunk's part file, relative to the output folder."""
    return f"{DATA}/part-{index:06d}.parquet"


def write_atomic(path: Path, write: Callable[[Any], None]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


MANIFEST = "_manifest.json"
DONE = "_done.jsonl"
DESIGN_FILE = "_design.parquet"


def read_manifest(out: str | Path) -> dict[str, Any]:
    path = Path(out) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(out), "out", "holds no pe-sim sweep (no _manifest.json)") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(str(path), "file", f"damaged manifest: {exc}") from None


def write_manifest(out: Path, manifest: Mapping[str, Any]) -> None:
    data = json.dumps(manifest, indent=2, default=str).encode()
    write_atomic(out / MANIFEST, lambda f: f.write(data))


def done_chunks(out: str | Path) -> set[int]:
    """Chunks recorded as finished whose part file exists (a torn last line is ignored)."""
    out = Path(out)
    done = set()
    try:
        lines = (out / DONE).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return done
    for line in lines:
        try:
            c = int(json.loads(line)["chunk"])
        except (ValueError, KeyError, TypeError):
            continue
        if (out / part_name(c)).is_file():
            done.add(c)
    return done


def is_sweep_file(p: Path) -> bool:
    n = p.name
    return (n.startswith("part-") and n.endswith(".parquet")) or n in (MANIFEST, DONE, DESIGN_FILE) or \
        (n.startswith(".part-") and n.endswith(".tmp")) or (n == DATA and p.is_dir() and not p.is_symlink())


ANALYSIS = "_analysis"  # `pe-sim sensitivity`'s default table and figure, beside the sweep it analyses


def foreign_files(out: Path) -> list[str]:
    """The names in ``out`` a sweep (or a sensitivity analysis of it) did not write, sorted: the user's
    files or another pe-sim command's. Hidden names (.git, .DS_Store) are passed over, as
    ``pe-sim calibrate`` passes them over, except a pe-sim run's unfinished staging folder."""
    from pe_sim.files import STAGING

    if not out.is_dir():
        return []
    return sorted(p.name for p in out.iterdir()
                  if not (is_sweep_file(p) or (p.name == ANALYSIS and p.is_dir() and not p.is_symlink()))
                  and (not p.name.startswith(".") or p.name == STAGING))


def clear_output(out: Path) -> None:
    """Remove what a sweep wrote (bookkeeping files and part files), nothing else."""
    for folder in (out, out / DATA):
        if folder.is_dir() and not folder.is_symlink():  # never the files of a folder a link points to
            for p in folder.iterdir():
                if p.is_file() and is_sweep_file(p):
                    p.unlink()
    if (out / DATA).is_dir() and not (out / DATA).is_symlink() and not any((out / DATA).iterdir()):
        (out / DATA).rmdir()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_tmp(out: Path) -> None:
    for p in (out / DATA).glob(".part-*.tmp"):
        try:
            pid = int(p.name.rsplit(".", 2)[-2].split("-")[0])
        except ValueError:
            pid = -1
        if pid <= 0 or not pid_alive(pid):
            p.unlink(missing_ok=True)


def package_versions() -> dict[str, str]:
    """The versions a run's numbers depend on, for manifests (numba's compiled code included), and
    ``pe_sim_model``: a hash of the model's code (:data:`pe_sim.core.jit.MODEL_DIGEST`), which tells
    two edits of one version apart."""
    from importlib.metadata import PackageNotFoundError, version

    from pe_sim.core.jit import MODEL_DIGEST

    out = {"pe_sim": __version__, "pe_sim_model": MODEL_DIGEST, "python": platform.python_version()}
    for name in ("numpy", "numba", "scipy", "pandas", "pyarrow", "mesa"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
