"""The planning page: `optimizer serve DIR`, a local web application over the library.

It lists the scenario files of a folder, shows a scenario's plan, lets a planner change the
budget, objective, presets and rule bounds without touching YAML (every change re-solves),
draws the budget frontier and downloads the plan. `create_app` makes the ASGI application;
`serve` runs it with uvicorn.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["create_app", "serve"]


def create_app(
    directory: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    workers: int = 2,
    solve_seconds: float | None = None,
    max_body: int | None = None,
) -> Starlette:
    """The page's application over the scenario files of `directory`."""
    from optimizer.web.app import MAX_BODY, SOLVE_SECONDS, Settings
    from optimizer.web.app import create_app as make

    settings = Settings(
        Path(directory),
        host=host,
        port=port,
        workers=workers,
        solve_seconds=SOLVE_SECONDS if solve_seconds is None else solve_seconds,
        max_body=MAX_BODY if max_body is None else max_body,
    )
    return make(settings)


def serve(
    directory: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    workers: int = 2,
    solve_seconds: float | None = None,
) -> None:
    """Run the page until interrupted (Ctrl-C or SIGTERM)."""
    import uvicorn

    app = create_app(directory, host=host, port=port, workers=workers, solve_seconds=solve_seconds)
    with _exit_on_sigterm():
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


@contextlib.contextmanager
def _exit_on_sigterm() -> Iterator[None]:
    """SIGTERM ends the process as Ctrl-C does, through Python's exit: uvicorn stops the
    server and sends the signal again, which would otherwise end the process at once, before
    the worker pool's queues and semaphores are cleaned up."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def leave(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, leave)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
