"""`optimizer serve`: the planning page over a folder of scenario files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from optimizer.cli.application import _Command, app
from optimizer.cli.common import _fail, errors


@app.command(cls=_Command)
def serve(
    directory: Annotated[
        Path,
        typer.Argument(metavar="DIR", help="The folder of scenario files to serve. [default: .]"),
    ] = Path("."),
    host: Annotated[
        str,
        typer.Option(
            metavar="ADDRESS",
            help="Address to listen on; only this machine can reach the default.",
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(metavar="PORT", help="Port to listen on.")] = 8765,
    workers: Annotated[
        int, typer.Option(metavar="N", help="Worker processes that solve.", min=1)
    ] = 2,
    solve_seconds: Annotated[
        float,
        typer.Option(
            metavar="SECONDS",
            help="Most seconds of one solve (the scenario's own limit when lower).",
        ),
    ] = 20.0,
) -> None:
    """Open the planning page: edit a scenario's budget, objective and rules and see the plan.

    Lists the scenario files in DIR, shows a plan with its rules and the spreadsheet split
    beside it, re-solves on every change, draws the budget frontier, and downloads the plan
    (JSON, CSV, xlsx, HTML) or the edited scenario as a file that extends the original. It
    reads and writes only inside DIR.
    """
    if not directory.is_dir():
        raise _fail(f"{directory}: not a directory")
    if not 0 < port < 65536:
        raise _fail(f"--port {port}: give a port from 1 to 65535")
    if solve_seconds <= 0:
        raise _fail("--solve-seconds must be above 0")
    from optimizer.web import serve as run
    from optimizer.web.app import is_loopback

    shown = f"[{host}]" if ":" in host else host
    errors.print(f"planning page for {directory.resolve()} at http://{shown}:{port}/")
    if not is_loopback(host):
        errors.print(
            f"warning: listening on {host}, not only this machine: anyone who can reach it on"
            f" port {port} can read and change the scenarios in {directory}",
            style="yellow",
        )
    errors.print("press Ctrl-C to stop")
    run(directory, host=host, port=port, workers=workers, solve_seconds=solve_seconds)
