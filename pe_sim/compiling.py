"""Saying, once, that the model is being compiled (the first simulation after an install takes ~20 s).

The command line wraps a simulating command in :func:`notice_compiling`: the notice comes when numba
really starts compiling, so input errors, which are refused before anything runs, never follow a
promise of 20 s of work, and a cache that holds the model says nothing.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Callable, Iterator

from numba.core import event

from pe_sim.core.jit import compiled_before

# What to call, once, when this process is about to compile the model (the command line sets it,
# to say why the first simulation after an install takes ~20 s); None says nothing.
COMPILE_NOTICE: contextvars.ContextVar[Callable[[], None] | None] = contextvars.ContextVar("pe_sim_compile_notice",
                                                                                            default=None)


class _FirstCompile(event.Listener):
    """Calls ``say`` once: when numba first starts compiling (a load from the cache is not a
    compile), or when :meth:`once` is called first."""

    def __init__(self, say: Callable[[], None]) -> None:
        self.say, self.lock, self.said = say, threading.Lock(), False

    def once(self) -> None:
        with self.lock:  # compiles may start on several threads at once
            said, self.said = self.said, True
        if not said:
            self.say()

    def on_start(self, ev) -> None:
        self.once()

    def on_end(self, ev) -> None:
        pass


@contextlib.contextmanager
def notice_compiling(say: Callable[[], None] | None) -> Iterator[None]:
    """Within the block, ``say()`` once just before the first real compile on any thread of this
    process, or before worker processes are started to compile (:func:`workers_will_compile`); it
    is never said for bad input, which is refused before anything runs, nor when the cache holds
    the model."""
    if say is None:
        yield
        return
    listener = _FirstCompile(say)
    token = COMPILE_NOTICE.set(listener.once)
    try:
        with event.install_listener("numba:compile", listener):
            yield
    finally:
        COMPILE_NOTICE.reset(token)


def workers_will_compile() -> None:
    """Say the compile notice (if one is set) when worker processes are about to start on an empty
    cache: they compile, this process does not."""
    say = COMPILE_NOTICE.get()
    if say is not None and not compiled_before():
        say()
