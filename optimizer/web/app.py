"""The planning page's web application: its pages, its JSON API and its guards.

Solves run in a pool of worker processes, so a long one holds up neither the page nor
anyone else's; each is held to the server's seconds. Every request is checked before it is
read: its Host must be this server's, a write must come from this server's own page (Origin,
Sec-Fetch-Site) as JSON, and no body may pass the size limit. Errors come back as JSON
messages (a scenario's problems with each field's path), never as a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import itertools
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from optimizer.errors import OptimizerError, ScenarioError
from optimizer.web import jobs
from optimizer.web.workspace import ExistsError, OutsideError, Workspace, edits_problems

STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY = 256 * 1024
"""Most bytes of a request body: the page's edits are a few kilobytes."""
SOLVE_SECONDS = 20.0
"""Most seconds of one solve (the scenario's own limit when lower)."""
MOST_POINTS = 40
MOST_FRONTIERS = 8
"""Frontiers kept at once; starting another drops the oldest, cancelling it if it runs."""
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


@dataclass
class Settings:
    directory: Path
    host: str = "127.0.0.1"
    port: int = 8765
    workers: int = 2
    """Worker processes for solves; 0 runs them on threads of this process."""
    solve_seconds: float = SOLVE_SECONDS
    max_body: int = MAX_BODY

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class Frontier:
    """A budget frontier solved point by point in the background."""

    id: str
    budgets: list[float]
    points: list[dict[str, Any]] = field(default_factory=list)
    state: str = "running"
    error: str | None = None
    task: asyncio.Task[None] | None = None
    started: float = field(default_factory=time.monotonic)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state,
            "done": len(self.points),
            "total": len(self.budgets),
            "points": with_marginal_cpa(self.points),
            "error": self.error,
        }


def with_marginal_cpa(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each point with the extra spend per extra conversion from the point before."""
    out = []
    previous: dict[str, Any] | None = None
    for point in points:
        point = dict(point)
        totals, before = point.get("totals") or {}, (previous or {}).get("totals") or {}
        spend, conversions = totals.get("spend"), totals.get("conversions")
        marginal = None
        if None not in (spend, conversions, before.get("spend"), before.get("conversions")):
            more = conversions - before["conversions"]
            marginal = (spend - before["spend"]) / more if more > 1e-9 else None
        point["marginal_cpa"] = marginal
        out.append(point)
        previous = point if point.get("status") in ("optimal", "feasible") else None
    return out


class Server:
    """What the routes share: the folder, the worker pool and the frontiers."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.workspace = Workspace(settings.directory)
        self.pool: Executor | None = None
        self.frontiers: dict[str, Frontier] = {}
        self.ids = itertools.count(1)

    def start(self) -> list[Future[bool]]:
        """Start the worker pool; the futures of each worker's warm-up."""
        if self.pool is not None:
            return []
        if self.settings.workers <= 0:
            self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="solve")
            return []
        from optimizer.executors import start_method

        self.pool = ProcessPoolExecutor(
            max_workers=self.settings.workers, mp_context=start_method()
        )
        return [self.pool.submit(jobs.warm_up) for _ in range(self.settings.workers)]

    def stop(self) -> None:
        for frontier in self.frontiers.values():
            if frontier.task is not None:
                frontier.task.cancel()
        if self.pool is not None:
            pool, self.pool = self.pool, None
            processes = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            stop_workers(processes)

    async def run(self, function: Callable[..., Any], *args: Any) -> Any:
        """`function(*args)` in the pool, awaited: a solve past its time limit (and the
        conflict search after it) by more than a grace period is given up."""
        self.start()
        assert self.pool is not None
        future = self.pool.submit(function, *args)
        limit = self.settings.solve_seconds * 3 + 30
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), limit)
        except TimeoutError:
            future.cancel()
            raise HTTPException(504, f"the solve took longer than {limit:g} s") from None

    # Requests --------------------------------------------------------------------------------

    def job(self, body: Mapping[str, Any], preview: bool = False) -> tuple[jobs.Job, Path]:
        """The scenario a request names, with its edits: problems of the edits' shape are
        reported at their paths before anything is solved."""
        path = self.workspace.file(body.get("path"))
        loaded = self.workspace.load(body.get("path"))
        edits = body.get("edits") or {}
        problems = edits_problems(edits)
        if problems:
            raise ScenarioError(loaded.path, problems)
        job = jobs.Job(loaded.path, loaded.data, dict(edits), self.settings.solve_seconds, preview)
        return job, path


def stop_workers(processes: list[Any]) -> None:
    """End a pool's worker processes now. A worker waits for work until it is told to stop,
    and a solve runs to its time limit; a server stopped by a signal (SIGTERM) exits without
    telling them, and they would be left running with the fork server they hold."""
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(timeout=2)


async def read_json(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise HTTPException(400, "the request body must be JSON") from None
    if not isinstance(body, dict):
        raise HTTPException(400, "the request body must be a JSON object")
    return body


def server_of(request: Request) -> Server:
    server: Server = request.app.state.server
    return server


# Routes ------------------------------------------------------------------------------------


async def index(request: Request) -> Response:
    return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


async def info(request: Request) -> Response:
    import importlib.util

    from optimizer import __version__

    settings = server_of(request).settings
    warning = None
    if not settings.loopback:
        warning = (
            f"Listening on {settings.host}: anyone who can reach this machine on port"
            f" {settings.port} can read and change the scenarios in this folder."
        )
    return JSONResponse(
        {
            "version": __version__,
            "directory": settings.directory.resolve().name or str(settings.directory),
            "host": settings.host,
            "port": settings.port,
            "loopback": settings.loopback,
            "warning": warning,
            "solve_seconds": settings.solve_seconds,
            "max_body": settings.max_body,
            "uncertainty": importlib.util.find_spec("optimizer.uncertainty") is not None,
            "preview_gap": jobs.PREVIEW_GAP,
        }
    )


async def list_files(request: Request) -> Response:
    workspace = server_of(request).workspace
    files = await asyncio.to_thread(workspace.files)
    return JSONResponse({"files": files})


async def open_scenario(request: Request) -> Response:
    from optimizer.web.form import describe

    server = server_of(request)
    relative = request.query_params.get("path")
    loaded = server.workspace.load(relative)
    return JSONResponse(describe(loaded))


async def solve(request: Request) -> Response:
    body = await read_json(request)
    server = server_of(request)
    job, _ = server.job(body, preview=bool(body.get("preview")))
    result = await server.run(jobs.solve_job, job)
    if "problems" in result:
        return JSONResponse(result, status_code=422)
    return JSONResponse(result)


async def export(request: Request) -> Response:
    kind = request.path_params["kind"]
    if kind not in jobs.EXPORT_TYPES:
        raise HTTPException(404, f"no download as {kind!r}; one of {', '.join(jobs.EXPORT_TYPES)}")
    body = await read_json(request)
    server = server_of(request)
    job, path = server.job(body)
    try:
        jobs.scenario_of(job)  # problems come back at their fields, not from the pool
    except ScenarioError as error:
        return JSONResponse({"problems": jobs.problems_of(error)}, status_code=422)
    content = await server.run(jobs.export_job, job, kind)
    media, ending = jobs.EXPORT_TYPES[kind]
    name = f"{path.stem}-plan.{ending}"
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def save(request: Request) -> Response:
    from optimizer.web.form import child_text

    body = await read_json(request)
    server = server_of(request)
    job, path = server.job(body)
    try:
        scenario = jobs.scenario_of(job)
    except ScenarioError as error:
        return JSONResponse({"problems": jobs.problems_of(error)}, status_code=422)
    workspace = server.workspace
    target = workspace.save_path(body.get("name"), path)
    text = child_text(job, scenario, path, target)
    from optimizer.scenario.loading import trace

    reads = trace(path).files
    try:
        saved = workspace.save(target, text, bool(body.get("overwrite")), reads)
    except ExistsError as error:
        return JSONResponse({"error": str(error), "exists": True}, status_code=409)
    return JSONResponse({"saved": saved, "text": text})


async def start_frontier(request: Request) -> Response:
    body = await read_json(request)
    server = server_of(request)
    job, _ = server.job(body)
    try:
        scenario = jobs.scenario_of(job)
    except ScenarioError as error:
        return JSONResponse({"problems": jobs.problems_of(error)}, status_code=422)
    budgets = frontier_budgets(body, scenario.budget.total)
    frontier = Frontier(str(next(server.ids)), budgets)
    running = sorted(server.frontiers.values(), key=lambda item: item.started)
    for old in running[: max(0, len(running) - MOST_FRONTIERS + 1)]:
        if old.task is not None:
            old.task.cancel()
        server.frontiers.pop(old.id, None)
    server.frontiers[frontier.id] = frontier
    frontier.task = asyncio.create_task(run_frontier(server, frontier, job))
    return JSONResponse(frontier.to_dict(), status_code=202)


def frontier_budgets(body: Mapping[str, Any], total: float | None) -> list[float]:
    """The budgets a frontier solves: from..to in `points` steps, by default a quarter to
    twice the scenario's budget."""
    if total is None:
        raise HTTPException(422, "a budget frontier needs budget.total")
    low, high, count = body.get("from"), body.get("to"), body.get("points", 12)
    low = total * 0.25 if low is None else low
    high = total * 2 if high is None else high
    numbers = (low, high, count)
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in numbers):
        raise HTTPException(422, "from, to and points must be numbers")
    count = int(count)
    if not (0 < low < high <= 1e12 and 2 <= count <= MOST_POINTS):
        raise HTTPException(
            422, f"give 0 < from < to, and 2 to {MOST_POINTS} points; got {low:g}, {high:g}"
        )
    step = (high - low) / (count - 1)
    return [round(low + step * i, 2) for i in range(count)]


async def run_frontier(server: Server, frontier: Frontier, job: jobs.Job) -> None:
    """Solve the points one at a time: a frontier never takes more than one worker, so the
    page's own solves keep moving."""
    try:
        for budget in frontier.budgets:
            point = await server.run(jobs.point_job, job, budget)
            frontier.points.append(point)
        frontier.state = "done"
    except asyncio.CancelledError:
        frontier.state = "cancelled"
    except (OptimizerError, HTTPException) as error:
        frontier.state = "error"
        frontier.error = getattr(error, "detail", None) or str(error)
    except Exception as error:  # reported on the page, never a traceback
        frontier.state = "error"
        frontier.error = f"{type(error).__name__}: {error}"


async def frontier_status(request: Request) -> Response:
    frontier = server_of(request).frontiers.get(request.path_params["id"])
    if frontier is None:
        raise HTTPException(404, "no such frontier")
    return JSONResponse(frontier.to_dict())


async def cancel_frontier(request: Request) -> Response:
    frontier = server_of(request).frontiers.get(request.path_params["id"])
    if frontier is None:
        raise HTTPException(404, "no such frontier")
    if frontier.task is not None and not frontier.task.done():
        frontier.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await frontier.task
    return JSONResponse(frontier.to_dict())


# Errors ------------------------------------------------------------------------------------


async def http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    return JSONResponse({"error": error.detail}, status_code=error.status_code)


async def scenario_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ScenarioError)
    return JSONResponse({"problems": jobs.problems_of(error)}, status_code=422)


async def outside_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, OutsideError)
    return JSONResponse({"error": str(error)}, status_code=error.status)


async def optimizer_error(request: Request, error: Exception) -> Response:
    return JSONResponse({"error": str(error)}, status_code=400)


async def unexpected_error(request: Request, error: Exception) -> Response:
    return JSONResponse(
        {"error": f"the server could not do that: {type(error).__name__}"}, status_code=500
    )


# Guards ------------------------------------------------------------------------------------


class Guard:
    """Refuses what the page never sends: a foreign Host (DNS rebinding), a write from
    another site's page, a write that is not JSON, a body over the limit. Adds headers that
    keep the page from loading anything but its own files."""

    HEADERS: ClassVar[list[tuple[bytes, bytes]]] = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (
            b"content-security-policy",
            b"default-src 'self'; img-src 'self' data: blob:; style-src 'self';"
            b" script-src 'self'; connect-src 'self'; frame-ancestors 'none';"
            b" base-uri 'none'; form-action 'none'",
        ),
    ]

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {
            key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]
        }
        refusal = self.refusal(scope["method"], headers)
        if refusal is not None:
            status, message = refusal
            await JSONResponse({"error": message}, status_code=status)(scope, receive, send)
            return
        limit = self.settings.max_body
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413, f"the request body passes {limit:,} bytes")
            return message

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *self.HEADERS]}
            await send(message)

        await self.app(scope, limited, with_headers)

    def refusal(self, method: str, headers: Mapping[str, str]) -> tuple[int, str] | None:
        host = headers.get("host", "")
        if not host or not self.host_allowed(host):
            return 421, f"this server answers to its own address, not {host!r}"
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.settings.max_body):
            return 413, f"the request body passes {self.settings.max_body:,} bytes"
        if method in ("GET", "HEAD", "OPTIONS"):
            return None
        origin = headers.get("origin")
        if origin is not None and origin not in (f"http://{host}", f"https://{host}"):
            return 403, "a change must come from this server's own page"
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return 403, "a change must come from this server's own page"
        if method == "POST":
            kind = headers.get("content-type", "").split(";")[0].strip().lower()
            if kind != "application/json":
                return 415, "send the request as application/json"
        return None

    def host_allowed(self, host: str) -> bool:
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        name = name.strip("[]").lower()
        if self.settings.loopback:
            return is_loopback(name)
        return True


def create_app(settings: Settings) -> Starlette:
    """The application over `settings.directory`; its worker pool starts with the app."""
    server = Server(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # The server listens once its workers have solved once: the first plan comes fast.
        warming = [asyncio.wrap_future(future) for future in server.start()]
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.gather(*warming), 60)
        try:
            yield
        finally:
            server.stop()

    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        HTTPException: http_error,
        ScenarioError: scenario_error,
        OutsideError: outside_error,
        OptimizerError: optimizer_error,
        Exception: unexpected_error,
    }
    app = Starlette(
        routes=[
            Route("/", index),
            Route("/api/info", info),
            Route("/api/files", list_files),
            Route("/api/scenario", open_scenario),
            Route("/api/solve", solve, methods=["POST"]),
            Route("/api/export/{kind}", export, methods=["POST"]),
            Route("/api/save", save, methods=["POST"]),
            Route("/api/frontier", start_frontier, methods=["POST"]),
            Route("/api/frontier/{id}", frontier_status),
            Route("/api/frontier/{id}", cancel_frontier, methods=["DELETE"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        exception_handlers=handlers,
        lifespan=lifespan,
    )
    app.state.server = server
    app.add_middleware(Guard, settings=settings)
    return app
