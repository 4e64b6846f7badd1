"""What every command shares: the consoles, exit codes, error messages, writing output and
loading scenario files."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from optimizer.errors import OptimizerError, ScenarioError

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from optimizer.scenario.schema import Scenario


def console(**options: Any) -> Console:
    """A console for the tool's own output. Markup is off: names from scenario files (a rule
    `eng[tiktok]`, a scenario `Plan [draft]`) must print as written, not as style tags."""
    from rich.console import Console

    return Console(highlight=False, markup=False, **options)


class _Stderr:
    """The console on standard error, made when first used: a run that prints nothing there
    (`solve --format json` of a good file) need not import rich's console."""

    _made: Console | None = None

    @property
    def real(self) -> Console:
        if self._made is None:
            self._made = console(stderr=True)
        return self._made

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


errors: Any = _Stderr()
"""Messages for whoever runs the command: `errors.print(...)`; `errors.real` where a rich
`Console` itself is wanted."""

EXIT_PLAN, EXIT_NO_PLAN, EXIT_INVALID = 0, 1, 2
# Result statuses without a plan (a sweep point that kept failing has status "error").
NO_PLAN = ("infeasible", "unbounded", "time_limit", "error")


def _error(message: str) -> None:
    # Messages quote the planner's text ("[low, high]", file names): never read it as markup.
    from rich.text import Text

    errors.print(Text.assemble(("error:", "bold red"), " ", message), soft_wrap=True)


def _fail(message: str) -> SystemExit:
    # SystemExit, not typer.Exit: the quick `solve` path runs without typer, and typer's
    # commands and test runner end on either the same way.
    _error(message)
    return SystemExit(EXIT_INVALID)


def _report_invalid(error: ScenarioError) -> None:
    for problem in error.problems:
        _error(f"{error.source}: {problem}")


def _render(renderable: RenderableType, width: int | None = None) -> str:
    buffer = io.StringIO()
    console(file=buffer, width=width or 100, force_terminal=False).print(renderable)
    return buffer.getvalue()


def _emit(text: str | RenderableType, output: Path | None) -> None:
    """Print to standard output, or write the file atomically."""
    from optimizer.files import write_text

    if output is None:
        if isinstance(text, str):
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
            sys.stdout.flush()
        else:
            console().print(text)
        return
    with _writing():
        write_text(output, text if isinstance(text, str) else _render(text))
    errors.print(f"wrote {output}")


@contextmanager
def _writing() -> Iterator[None]:
    """An output that cannot be written is a bad command line: exit 2, no traceback."""
    try:
        yield
    except OptimizerError as error:
        raise _fail(str(error)) from None


def _load_all(files: Sequence[Path]) -> tuple[list[tuple[Path, Scenario]], bool]:
    from optimizer.scenario.loading import load_traced

    loaded, invalid = [], False
    for path in files:
        try:
            scenario, traced = load_traced(path)
        except ScenarioError as error:
            _report_invalid(error)
            invalid = True
            continue
        loaded.append((path, scenario))
        # A list is replaced whole: a planner adding one limit may not mean to drop the rest.
        notes = [
            f"{replaced} replaces the list of the file it extends; restate its entries to keep them"
            for replaced in traced.replaced
        ] + traced.idle_nulls
        for note in notes:
            errors.print(f"note: {path}: {note}", style="yellow", soft_wrap=True)
    return loaded, invalid


def _no_plan(source: str, status: str, interrupted: bool = False) -> str:
    """Why a scenario has no plan, and the way on where there is a simple one."""
    if interrupted:
        return f"{source}: no plan: stopped by Ctrl-C before any plan was found"
    if status == "time_limit":
        return (
            f"{source}: no plan: the time limit passed before any plan was found; give more"
            " seconds (--time-limit, or solver.time_limit in the file)"
        )
    return f"{source}: no plan: {status}"
