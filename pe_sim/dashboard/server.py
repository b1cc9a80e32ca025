"""Serving the workshop page offline: Solara's settings and an in-process uvicorn server.

`pe-sim dashboard` must work on a laptop with no internet. Three things make that so:

* Solara serves its JavaScript, CSS and fonts from the ``solara-assets`` package (installed files
  under ``<prefix>/share/solara/cdn``), as its own proxy: ``SOLARA_ASSETS_PROXY=true`` and
  ``SOLARA_ASSETS_PROXY_CACHE_DIR`` pointing at those files;
* a missing asset must fail loudly rather than be fetched from jsDelivr behind the room's back:
  ``SOLARA_ASSETS_CDN`` points at a closed local port (set it yourself to allow a real CDN);
* telemetry is off (``SOLARA_TELEMETRY_MIXPANEL_ENABLE=false``) and the server runs in production
  mode, which also drops the development-mode "check" iframe that calls solara.dev.

The settings are environment variables read when Solara is first imported, so
:func:`configure_environment` runs before any Solara import.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
import threading
import time
from pathlib import Path

APP = "pe_sim.dashboard.app"
OFFLINE_CDN = "http://127.0.0.1:9/solara-cdn-disabled-offline/"  # port 9 (discard): refused at once


def assets_dir() -> Path | None:
    """Where the solara-assets package put Solara's CDN files (None if it is not installed)."""
    from importlib import metadata

    try:
        files = metadata.files("solara-assets") or []
    except metadata.PackageNotFoundError:
        return None
    for f in files:
        parts = Path(str(f)).parts
        if "cdn" in parts and "solara" in parts:
            i = parts.index("cdn")
            root = Path(f.locate()).resolve()
            for _ in range(len(parts) - i - 1):
                root = root.parent
            if root.is_dir():
                return root
    return None


def configure_environment(scenario: str | None = None, env: dict | None = None) -> dict:
    """Set (in ``env``, default ``os.environ``) the variables that keep Solara offline and quiet."""
    env = os.environ if env is None else env
    cdn = assets_dir()
    if cdn is None:
        raise RuntimeError("the solara-assets package is not installed; the dashboard needs it to work offline "
                           "(pip install 'pe-sim[dashboard]')")
    env.setdefault("SOLARA_ASSETS_PROXY", "true")
    env.setdefault("SOLARA_ASSETS_PROXY_CACHE_DIR", str(cdn))
    env.setdefault("SOLARA_ASSETS_CDN", OFFLINE_CDN)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "false"
    env.setdefault("SOLARA_MODE", "production")
    env.setdefault("SOLARA_THEME_VARIANT", "light")
    env.setdefault("SOLARA_THEME_LOADER", "plain")
    env.setdefault("SOLARA_THEME_TITLE", "pe-sim workshop")  # the tab's name before the page sets its own
    env["SOLARA_APP"] = APP
    env.setdefault("MPLBACKEND", "Agg")
    if scenario:
        env["PE_SIM_DASHBOARD_SCENARIO"] = scenario
    return env


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _check_bind(host: str, port: int) -> None:
    from pe_sim.cli import UsageError

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
    except socket.gaierror as exc:  # the name, not the port, is the problem
        raise UsageError(f"--host {host}: not an address of this machine ({exc.strerror or exc}); "
                         "use 127.0.0.1 (the default) or one of this machine's addresses") from None
    except OSError as exc:
        if exc.errno == errno.EADDRNOTAVAIL:
            raise UsageError(f"--host {host}: not an address of this machine; use 127.0.0.1 (the default) or one "
                             "of this machine's addresses") from None
        raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
                         "pass another --port, or --port 0 for a free one") from None


WARM_SPRINTS = 2  # sprints the start-up compiles on: types, not sizes, decide what numba compiles


def compile_model(setup: str) -> None:
    """Compile (or load from numba's cache) everything a click runs, so no click waits for the compiler.

    The band's kernel (``run_batch``) compiles every rule the Mesa model calls too, and writing it to the
    cache is what :func:`pe_sim.core.jit.compiled_before` looks for, so the next start says nothing about
    compiling. A throwaway workshop then steps through every event button's code path (each rule is
    loaded from the cache on its first call, in a step, which otherwise the first Step click would pay)."""
    from pe_sim.dashboard import figures, session

    w = session.Workshop(setup=setup, horizon=WARM_SPRINTS)
    session.band(w.setups[0].model.config, w.seed_value, WARM_SPRINTS, runs=2)
    for kind in session.EVENTS:
        w.inject_event(kind)
    for _ in range(WARM_SPRINTS):
        w.step()
    figures.all_plots(w.setups, horizon=w.horizon)


def warm_up(ready: threading.Event | None = None) -> None:
    """Compile the model, import the page and draw the session, then set ``ready``: the server announces
    its URL only after this, so the first visitor's first click does not wait ~20 s for the compiler."""
    try:
        from pe_sim.dashboard import app

        compile_model(app.initial_setup())
        app.snapshot(app.room())  # the process's session, ready for the first tab
    except Exception as exc:  # pragma: no cover - the page reports real problems (a scenario that fails to run)
        print(f"pe-sim dashboard: could not prepare the model ahead ({exc}); the first step may be slow",
              file=sys.stderr, flush=True)
    finally:
        if ready is not None:
            ready.set()


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _hostname(netloc: str) -> str:
    """The host of a Host header or an origin's address, without port or IPv6 brackets."""
    if netloc.startswith("["):
        return netloc[1:].partition("]")[0]
    return netloc.rpartition(":")[0] if netloc.count(":") == 1 else netloc


class LocalOnly:
    """ASGI middleware for a server that listens on this machine only: a request whose Host is not a
    loopback name, or a WebSocket opened from a page of another origin, is refused. Without it a web
    page the facilitator visits could reach the workshop through DNS rebinding or a cross-origin
    WebSocket and drive the room's session."""

    def __init__(self, app, allowed: tuple[str, ...] = LOOPBACK):
        self.app, self.allowed = app, allowed

    def ok(self, scope) -> bool:
        from urllib.parse import urlsplit

        headers = dict(scope.get("headers") or [])
        if _hostname(headers.get(b"host", b"").decode("latin-1")) not in self.allowed:
            return False
        origin = headers.get(b"origin")
        return origin is None or _hostname(urlsplit(origin.decode("latin-1")).netloc) in self.allowed

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket") and not self.ok(scope):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})  # before accepting: the handshake gets 403
            else:
                await send({"type": "http.response.start", "status": 403,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
                await send({"type": "http.response.body", "body": b"pe-sim dashboard: this address serves this machine only\n"})
            return
        await self.app(scope, receive, send)


def serve(scenario: str | None = None, host: str = "127.0.0.1", port: int = 8765) -> int:
    """Run the dashboard until Ctrl+C; prints the URL once the page can be opened."""
    if port == 0:
        _check_bind(host, 0)  # a host this machine cannot listen on is one line, with any port
        port = free_port(host)
    _check_bind(host, port)
    try:
        configure_environment(scenario)
    except RuntimeError as exc:
        from pe_sim.cli import UsageError

        raise UsageError(str(exc)) from None
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = host, str(port)
    t0 = time.perf_counter()
    import warnings

    import uvicorn

    # Plain http on localhost is the point here; Solara's advice about https cookies is noise for a room.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")

    import solara.server.settings  # noqa: F401  (reads the environment set above)

    shown = "localhost" if host in ("127.0.0.1", "::1") else host
    url = f"http://{host if ':' not in host else '[' + host + ']'}:{port}/"
    from solara.server.starlette import app

    if shown == "localhost":  # on the network the facilitator chose who may connect
        app = LocalOnly(app)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)

    ready = threading.Event()

    def announce():
        while not (server.started and ready.is_set()):  # listening, and the model compiled
            if getattr(server, "should_exit", False):
                return
            time.sleep(0.05)
        print(f"pe-sim dashboard: {url}", flush=True)
        if shown == "localhost":
            print("  (this machine only; open the address above in a browser. Ctrl+C stops the server)", flush=True)
        else:
            print("  (listening on the network; Ctrl+C stops the server)", flush=True)
        print(f"  started in {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)

    threading.Thread(target=announce, daemon=True).start()
    threading.Thread(target=warm_up, args=(ready,), daemon=True).start()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    return 0
