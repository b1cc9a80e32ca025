"""Writing output files safely: atomically, and never over something pe-sim did not write.

Every file pe-sim writes goes through :func:`atomic`: the content is written under a temporary
name in the same folder and renamed into place, so a killed process never leaves a file that
looks complete. :func:`refuse_existing` is the one rule for overwriting (refuse without
``--force``); :func:`finish_run_folder` lets ``--force`` remove only what an earlier run wrote.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import shutil
from pathlib import Path
from typing import Iterable, Iterator

from pe_sim.config import ConfigError

# Set by the `pe-sim` command while it runs: the library's messages then name the command's options
# (--overwrite), and otherwise the Python arguments its caller passed (overwrite=True).
COMMAND_LINE: contextvars.ContextVar[bool] = contextvars.ContextVar("pe_sim_command_line", default=False)


def option(flag: str, argument: str) -> str:
    """``flag`` in a message to someone at the command line, ``argument`` to a Python caller."""
    return flag if COMMAND_LINE.get() else argument


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")  # as is_leftover recognises it


@contextlib.contextmanager
def atomic(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it is renamed to ``path``, on error removed."""
    path = Path(path)
    tmp = _temporary(path)
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:  # a message names the user's file, not the temporary one they never chose
        if exc.filename is not None and str(exc.filename) == str(tmp):
            exc.filename = str(path)
        if exc.filename2 is not None and str(exc.filename2) == str(tmp):
            exc.filename2 = str(path)
        raise
    finally:
        if tmp.exists():
            tmp.unlink()


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold off Ctrl-C (SIGINT) for a few file operations that must not be cut in the middle; one
    that comes meanwhile is dropped, since the block finishes what the command set out to do.
    Only the main thread can take signals, so elsewhere the block runs as it is."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    earlier = signal.signal(signal.SIGINT, lambda signum, frame: None)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, earlier if earlier is not None else signal.default_int_handler)


@contextlib.contextmanager
def together(*paths: Path | str) -> Iterator[tuple[Path, ...]]:
    """Write several files as one output, all or nothing: yield a temporary path beside each of
    ``paths`` for the block to write, then put them in place. The last of ``paths`` is the one whose
    presence says the output is whole, so an earlier one of that name goes first and the new one
    comes last: a kill between the renames leaves the others without it, never old and new files
    that look like one output. Ctrl-C waits for the renames; a failure or interrupt before them
    removes the temporaries and leaves ``paths`` as they were."""
    paths = tuple(Path(p) for p in paths)
    temps = tuple(_temporary(p) for p in paths)
    try:
        yield temps
        written = [(tmp, path) for tmp, path in zip(temps, paths) if tmp.exists()]  # one left unwritten: not put in place
        with interrupts_held():
            with contextlib.suppress(FileNotFoundError):
                paths[-1].unlink()
            for tmp, path in written:
                os.replace(tmp, path)
    finally:
        for tmp in temps:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def is_leftover(name: str, of: tuple[str, ...]) -> bool:
    """Whether ``name`` is the temporary file an interrupted :func:`atomic` write of one of ``of`` left."""
    head, _, pid = name.removesuffix(".tmp").rpartition(".")
    return name.endswith(".tmp") and pid.isdigit() and head.startswith(".") and head[1:] in of


def write_text(path: Path | str, text: str) -> None:
    with atomic(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def save_figure(fig, path: Path | str, staged: bool = False, **kwargs) -> None:
    """``fig.savefig`` through a temporary file (the format comes from ``path``'s suffix unless
    ``format`` is given); ``staged``: ``path`` is a temporary of :func:`together` already, written
    as it is (a temporary of a temporary is a leftover no one recognises)."""
    path = Path(path)
    kwargs.setdefault("format", path.suffix.lstrip(".") or "png")
    with contextlib.nullcontext(path) if staged else atomic(path) as tmp:
        fig.savefig(tmp, **kwargs)


def refuse_existing(path: Path | str, force: bool, flag: str) -> None:
    """One rule everywhere: an existing file is replaced only with ``--force``."""
    text = str(path)
    path = Path(path)
    if path.is_dir() or text.endswith(("/", os.sep)):  # Path() drops a trailing slash: "new/" would become a file "new"
        example = {"--figure": "figure.png", "--csv": "table.csv"}.get(flag, "report.html")
        raise ConfigError(text, flag, f"is a folder; expected a file name (for example {(path / example).as_posix()})")
    if (path.exists() or path.is_symlink()) and not force:  # a dangling link is a name someone made, too
        how = "--force" if flag.startswith("--") else "force=True"  # a command-line flag, or a Python argument
        raise ConfigError(str(path), flag, f"already exists; pass {how} to replace it or choose another name")


def distinct_outputs(*outputs: tuple[Path | str | None, str]) -> None:
    """Two outputs of one command (``(path, flag)`` pairs; None for an output not written) never go
    to the same file: one would silently replace the other."""
    seen: dict[Path, str] = {}
    for path, flag in outputs:
        if path:
            key = Path(path).resolve()
            if key in seen:
                raise ConfigError(str(path), flag, f"is the same file as {seen[key]}; give each output its own name")
            seen[key] = f"{flag} {path}"


def check_figure_name(path: Path | str, flag: str) -> None:
    """A figure's file name ends in a format matplotlib writes (.png, .pdf, .svg, ...)."""
    from matplotlib.backend_bases import FigureCanvasBase

    formats = {k: v for k, v in FigureCanvasBase.get_supported_filetypes().items() if k != "pgf"}  # pgf needs LaTeX
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in formats:
        raise ConfigError(str(path), flag, f"{'.' + suffix if suffix else 'no suffix'}: not a figure format; end the "
                                           f"name in one of .{', .'.join(sorted(formats))}")


def ready_to_write(path: Path | str, force: bool, flag: str) -> Path:
    """Check before any work that a file the user named can be written: refused if it exists
    (without ``force``) or is a folder; its folder is made now (one clear line if it cannot be), and
    a file is made and removed there under the temporary name :func:`atomic` writes, so a folder
    that takes no files (no permission, read-only, /proc) is found now, not after the work."""
    refuse_existing(path, force, flag)
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = "a file is in the way" if isinstance(exc, FileExistsError) else exc.strerror
        raise ConfigError(str(path), flag, f"cannot make its folder {path.parent} ({why})") from None
    probe = _temporary(path)
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # a leftover of this process id: the folder takes files
        pass
    except OSError as exc:
        raise ConfigError(str(path), flag, f"cannot be written in {path.parent} ({exc.strerror or exc}); choose a "
                                           "folder you can write to") from None
    else:
        os.close(fd)
        with contextlib.suppress(OSError):
            probe.unlink()
    return path


MANIFEST = "manifest.json"
STAGING = ".pe-sim-partial"  # a run in progress writes here, inside its folder, and moves into place when complete
# What `pe-sim run` writes: --force removes a file an earlier run's manifest lists only if it is one of these
# (the manifests of earlier versions listed every file in the folder, the user's too).
RUN_OUTPUTS = ("outcomes/*.parquet", "outcomes.csv", "summary.csv", "difference.csv", "summary.txt", MANIFEST)


def is_run_output(relative: str) -> bool:
    """Whether a path inside a run folder is a file name `pe-sim run` writes."""
    from fnmatch import fnmatchcase

    from pe_sim.outcomes import OUTCOMES

    plots = {"plots/overview.png", *(f"plots/{k}.png" for k in OUTCOMES)}
    return relative in plots or any(fnmatchcase(relative, pattern) for pattern in RUN_OUTPUTS)


def _read_manifest(folder: Path) -> dict | None:
    """``folder``'s manifest.json as a dict, None if there is none or it cannot be read as one."""
    try:
        m = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return m if isinstance(m, dict) else None


def is_run_manifest(manifest: dict | None) -> bool:
    """Whether a manifest.json is one ``pe-sim run`` wrote: it lists its files, and its command is the
    command line (a list), not another command's name (``pe-sim calibrate`` writes "calibrate")."""
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        return False
    command = manifest.get("command")
    return command is None or isinstance(command, list) or command == "run"


def pe_sim_output(folder: Path) -> tuple[str, str] | None:
    """Which pe-sim command's output ``folder`` holds, as (command, words), e.g. ("calibrate", "a
    calibration (pe-sim calibrate)"), recognised by the manifest or marker each command writes; None
    for a folder that holds none (empty, or only the user's files). A run's manifest makes the folder
    a run's, whatever else is in it (pe-sim run replaces only the files that manifest lists)."""
    from pe_sim.commands.calibrate import DB, STARTED
    from pe_sim.commands.forecast import FIGURE, TABLE
    from pe_sim.sweeps.store import MANIFEST as SWEEP_MANIFEST, is_sweep_file

    if not folder.is_dir():
        return None
    manifest = _read_manifest(folder)
    if is_run_manifest(manifest):
        return "run", "a pe-sim run"
    command = manifest.get("command") if manifest else None
    if command == "calibrate" or (folder / STARTED).is_file() or (folder / DB).is_file():
        done = command == "calibrate" and manifest.get("complete") is True
        return "calibrate", "a calibration (pe-sim calibrate)" if done else "an unfinished calibration (pe-sim calibrate)"
    if isinstance(command, str) and command.strip():
        return command, f"the output of pe-sim {command}"
    if (folder / SWEEP_MANIFEST).is_file() or any(is_sweep_file(p) for p in folder.iterdir()):
        return "sweep", "a sweep (pe-sim sweep or sensitivity)"
    if (folder / TABLE).is_file() or (folder / FIGURE).is_file():
        return "forecast", "a forecast (pe-sim forecast)"
    return None


def run_files(folder: Path) -> list[str]:
    """The files an earlier ``pe-sim run`` wrote into ``folder``, as its manifest lists them; refuses
    a folder without a readable pe-sim run manifest (another command's manifest included)."""
    manifest = _read_manifest(folder)
    if not is_run_manifest(manifest):
        raise ConfigError(str(folder), "--out", "exists and holds no pe-sim run (no readable manifest.json); pe-sim "
                                                "replaces only a run it wrote, even with --force: choose a new or "
                                                "empty --out")
    return [str(name) for name in manifest["files"]]


def refuse_other_output(folder: Path, flag: str, command: str, force: str = "--force") -> None:
    """Refuse a folder that holds another pe-sim command's output (see :func:`pe_sim_output`): ``command``
    never writes into it, not even with ``force`` (its option to replace), which would destroy or mix
    with what is there."""
    found = pe_sim_output(folder)
    if found is not None and found[0] != command:
        raise ConfigError(str(folder), flag, f"holds {found[1]}; pe-sim {command} does not write into another "
                                             f"command's folder, even with {force}: choose a new or empty {flag}")


def _only_partial(folder: Path) -> bool:
    """Whether all ``folder`` holds is an interrupted run's staging folder."""
    return [f.name for f in folder.iterdir()] == [STAGING]


@contextlib.contextmanager
def run_folder(folder: Path, force: bool) -> Iterator[Path]:
    """Hold ``folder`` for one run: check it can take the run (new, empty, an interrupted run's, or
    with ``force`` an earlier run's) and yield a fresh staging folder inside it, where the run writes
    its files; :func:`finish_run_folder` moves them into place. Nothing of an earlier run is removed
    before that. The folder is locked while held, so a second run into it at the same time is
    refused instead of mixing its files with the first's."""
    stage = folder / STAGING
    made = not folder.exists()
    with folder_lock(folder, "--out", "run"):
        # What the folder holds is looked at only once it is ours: a run that finished while this one
        # waited for the lock is seen, and not replaced without --force.
        if any(folder.iterdir()) and not _only_partial(folder):
            # refused now, before any work, unless it holds a run pe-sim can replace: --force is
            # suggested only where it would do so (never for another command's output)
            refuse_other_output(folder, "--out", "run")
            run_files(folder)
            refuse_linked_folders(folder, ("outcomes", "plots"))  # where a run writes: checked before the work
            if not force:
                raise ConfigError(str(folder), "--out", "output folder already holds a pe-sim run; pass --force to "
                                                        "replace it or choose another --out")
        try:
            if stage.is_dir() and not stage.is_symlink():
                shutil.rmtree(stage)  # an interrupted run's: pe-sim's own, and no run holds it
            stage.mkdir()
            (stage / "outcomes").mkdir()
        except OSError as exc:
            raise ConfigError(str(folder), "--out", f"cannot be made or written ({exc.strerror}); choose another "
                                                    "folder") from None
        try:
            yield stage
        except BaseException:  # interrupted or failed: leave the folder as it was (or no folder at all)
            shutil.rmtree(stage, ignore_errors=True)
            if made and not any(folder.iterdir()):
                folder.rmdir()
            raise


# Folder locks this process holds (their descriptors): a process forked while one is held (a
# sampler's or a pool's worker) closes its copies at once, or a worker outliving a killed pe-sim
# would keep the folder locked (a flock belongs to every copy of the descriptor).
_HELD: set[int] = set()


def _close_held_in_child() -> None:
    for fd in list(_HELD):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_held_in_child)


@contextlib.contextmanager
def folder_lock(folder: Path, flag: str, what: str) -> Iterator[None]:
    """Make ``folder`` if needed and hold an exclusive lock on it, so a second pe-sim command (run,
    sweep, calibrate, forecast) writing into it at the same time is refused with one line instead of
    mixing its files with the first's. The lock goes with the process (or at the end of the block),
    not with worker processes forked meanwhile."""
    if folder.exists() and not folder.is_dir():
        raise ConfigError(str(folder), flag, f"is a file; expected a folder for the {what}'s outputs")
    made = []  # the folders this call makes, the deepest first
    try:
        missing = folder
        while not missing.exists() and missing != missing.parent:
            made.append(missing)
            missing = missing.parent
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY)
    except OSError as exc:
        raise ConfigError(str(folder), flag, f"cannot be made or written ({exc.strerror}); choose another "
                                             "folder") from None
    locked = False
    try:
        if not _lock(fd):
            raise ConfigError(str(folder), flag, f"another pe-sim command (a run, sweep, calibration or forecast) is "
                                                 f"using this folder now; wait for it to finish or choose another {flag}")
        locked = True
        _HELD.add(fd)
        yield
    finally:
        _HELD.discard(fd)
        if locked:  # a command refused before writing leaves no empty folders behind (only the lock's holder tidies)
            for made_here in made:
                try:
                    made_here.rmdir()  # only if still empty
                except OSError:
                    break
        os.close(fd)  # releases the lock


def _lock(fd: int) -> bool:
    """Take an exclusive lock on an open folder without waiting; False if another process holds it
    (where the system has no such locks, True)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:  # pragma: no cover - a file system without locks
        return True
    return True


def refuse_linked_folders(folder: Path, subfolders: Iterable[str | Path], flag: str = "--out") -> None:
    """Refuse, before anything is written, a subfolder of ``folder`` (or one on the way to it) that is
    a symbolic link: files written there, or removed from it, would be another folder's."""
    for sub in subfolders:
        sub = Path(sub)
        for part in (*reversed(sub.parents[:-1]), sub):  # outermost first: "plots", then "plots/x"
            if part != Path(".") and (folder / part).is_symlink():
                raise ConfigError(str(folder / part), flag, "is a symbolic link; pe-sim does not write through a "
                                                            "link into another folder: remove the link or choose "
                                                            f"another {flag}")


def finish_run_folder(folder: Path, written: list[str], manifest: dict) -> None:
    """Replace an earlier run in ``folder`` by the staged one: move the ``written`` files (paths
    relative to the staging folder) into place over the earlier run's, remove the earlier run's
    files the new one did not write, then write the manifest listing exactly the new files; the
    staging folder goes. The earlier manifest stays until the last step, so a kill in between
    leaves a folder that ``--force`` replaces (it names every file either run may have left)."""
    stage = folder / STAGING
    refuse_linked_folders(folder, {Path(name).parent for name in written})
    with interrupts_held():
        before = _read_manifest(folder)
        earlier = [str(name) for name in before["files"]] if is_run_manifest(before) else []
        for name in written:
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(stage / name, target)  # a file that is a link is replaced, not written through
        root = folder.resolve()
        for name in set(earlier) - set(written) - {MANIFEST}:
            target = (folder / str(name)).resolve()
            if root in target.parents and target.is_file() and is_run_output(target.relative_to(root).as_posix()):
                target.unlink()
        for sub in ("outcomes", "plots"):  # folders pe-sim made, left empty by the earlier run's files
            with contextlib.suppress(OSError):
                (folder / sub).rmdir()
        write_text(folder / MANIFEST, json.dumps({**manifest, "files": sorted(written) + [MANIFEST]}, indent=2,
                                                 default=str))
    shutil.rmtree(stage, ignore_errors=True)


__all__ = ["atomic", "together", "interrupts_held", "option", "COMMAND_LINE", "is_leftover", "write_text",
           "save_figure", "refuse_existing", "run_folder", "finish_run_folder", "is_run_output",
           "ready_to_write", "distinct_outputs", "check_figure_name", "pe_sim_output", "is_run_manifest",
           "refuse_other_output"]
