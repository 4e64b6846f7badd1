"""The `optimizer` command: thin typer commands over the library."""

from __future__ import annotations

import io
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console, RenderableType
from rich.progress import Progress
from rich.table import Table

from optimizer.errors import OptimizerError, ScenarioError, SolverError
from optimizer.files import write_text
from optimizer.plan import Plan
from optimizer.scenario.loading import load_scenario
from optimizer.scenario.presets import PRESETS
from optimizer.scenario.schema import Scenario, Select

app = typer.Typer(
    help="Plan influencer-marketing budgets: how many micro, macro and mega creators to engage"
    " per platform and period, proven optimal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
errors = Console(stderr=True, highlight=False)

EXIT_PLAN, EXIT_NO_PLAN, EXIT_INVALID = 0, 1, 2


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"


def _fail(message: str) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    return typer.Exit(EXIT_INVALID)


def _report_invalid(error: ScenarioError) -> None:
    for problem in error.problems:
        errors.print(f"[bold red]error:[/] {error.source}: {problem}", soft_wrap=True, markup=True)


def _render(renderable: RenderableType, width: int | None = None) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=width or 100, force_terminal=False, highlight=False).print(
        renderable
    )
    return buffer.getvalue()


def _emit(text: str | RenderableType, output: Path | None) -> None:
    """Print to standard output, or write the file atomically."""
    if output is None:
        if isinstance(text, str):
            typer.echo(text, nl=not text.endswith("\n"))
        else:
            Console(highlight=False).print(text)
        return
    write_text(output, text if isinstance(text, str) else _render(text))
    errors.print(f"wrote {output}")


def _load_all(files: list[Path]) -> tuple[list[tuple[Path, Scenario]], bool]:
    loaded, invalid = [], False
    for path in files:
        try:
            loaded.append((path, load_scenario(path)))
        except ScenarioError as error:
            _report_invalid(error)
            invalid = True
    return loaded, invalid


@app.command()
def solve(
    files: Annotated[list[Path], typer.Argument(help="Scenario files (.yaml, .json, .toml).")],
    format: Annotated[
        Format, typer.Option("--format", "-f", help="table, json, csv or md.")
    ] = Format.table,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of the screen.")
    ] = None,
    solver: Annotated[
        str | None, typer.Option(help="highs (default), cbc, or another PuLP solver name.")
    ] = None,
    time_limit: Annotated[
        float | None, typer.Option(min=0.001, help="Seconds before the search stops.")
    ] = None,
    gap: Annotated[
        float | None, typer.Option(min=0.0, help="Relative MIP gap at which to stop.")
    ] = None,
    export: Annotated[
        Path | None, typer.Option(help="Also write the model as .lp or .mps (one scenario only).")
    ] = None,
) -> None:
    """Find the best plan for each scenario file.

    Exit code 0 when a plan was found, 1 when none exists, 2 when the input is invalid.
    """
    from optimizer.model.linear import build_model
    from optimizer.solvers.export import EXPORT_SUFFIXES, export_model
    from optimizer.solving import solve as solve_scenario

    if export is not None and len(files) > 1:
        raise _fail("--export writes one model: give a single scenario file")
    if export is not None and export.suffix.lower() not in EXPORT_SUFFIXES:
        raise _fail(f"--export {export}: use a .lp or .mps file name")
    loaded, invalid = _load_all(files)
    results: list[tuple[str, Plan]] = []
    with Progress(console=errors, transient=True, disable=len(loaded) < 2) as progress:
        task = progress.add_task("solving", total=len(loaded))
        for path, scenario in loaded:
            progress.update(task, description=f"solving {path.name}")
            try:
                model = build_model(scenario)
                if export is not None:
                    export_model(model, export)
                    errors.print(f"wrote {export}")
                plan = solve_scenario(
                    scenario, solver=solver, time_limit=time_limit, gap=gap, model=model
                )
            except SolverError as error:
                raise _fail(str(error)) from None
            except OptimizerError as error:
                raise _fail(f"{path}: {error}") from None
            results.append((str(path), plan))
            progress.advance(task)
            if not plan.has_plan:
                errors.print(f"{path}: no plan: {plan.status}")

    if results:
        _emit(_format_results(results, format), output)
    if invalid:
        raise typer.Exit(EXIT_INVALID)
    if any(not plan.has_plan for _, plan in results):
        raise typer.Exit(EXIT_NO_PLAN)


def _format_results(results: list[tuple[str, Plan]], format: Format) -> str | RenderableType:
    from optimizer.report import terminal, text

    single = len(results) == 1
    plan = results[0][1]
    if format is Format.json:
        payload = plan.to_dict() if single else [p.to_dict() for _, p in results]
        return json.dumps(payload, indent=2) + "\n"
    if format is Format.csv:
        return text.plan_csv(plan) if single else text.summary_csv(results)
    if format is Format.md:
        return text.plan_markdown(plan) if single else text.summary_markdown(results)
    return terminal.plan_view(plan) if single else terminal.summary_view(results)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario files to check.")],
) -> None:
    """Check scenario files without solving; list every problem found."""
    from optimizer.model.cells import derive_cells
    from optimizer.model.constraints import collect_constraints

    loaded, invalid = _load_all(files)
    for path, scenario in loaded:
        cells = derive_cells(scenario)
        rules = collect_constraints(scenario, cells)
        typer.echo(
            f"ok: {path}: {scenario.name!r}, {len(scenario.periods)} periods,"
            f" {len(scenario.offers())} offers, {len(cells)} cells,"
            f" {len(rules.constraints)} constraints"
        )
        for skipped in rules.skipped:
            typer.echo(f"  left out {skipped.name}: {skipped.reason}")
    if invalid:
        raise typer.Exit(EXIT_INVALID)


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files, for editors that validate as you type."""
    typer.echo(json.dumps(Scenario.model_json_schema(), indent=2))


@app.command()
def presets(
    tolerance: Annotated[
        float, typer.Option(min=0.0, max=0.5, help="rules.tolerance to expand with.")
    ] = 0.05,
) -> None:
    """List the built-in rule presets and the share rules each expands to."""
    console = Console(highlight=False)
    console.print(f"Presets, expanded with tolerance {tolerance:g}; all are shares of spend.")
    for preset in PRESETS.values():
        table = Table(title=f"{preset.name}: {preset.description}", title_justify="left")
        table.add_column("Rule")
        table.add_column("Share of spend on")
        table.add_column("Bounds", justify="right")
        for preset_rule in preset.rules:
            rule = preset_rule.expand(tolerance)
            scope = describe_select(rule.select)
            if rule.within == "period":
                scope += ", of that period's spend"
            low, high = rule.min, rule.max
            bounds = f"at least {low:.0%}" if high is None else f"{low or 0:.0%} to {high:.0%}"
            table.add_row(rule.name, scope, bounds)
        console.print(table)


def describe_select(select: Select) -> str:
    """A selection in words: "tiers macro, mega in Q4, established"."""
    parts = []
    for label, names in (("tier", select.tiers), ("platform", select.platforms)):
        if names:
            parts.append(f"{label}{'s' if len(names) > 1 else ''} {', '.join(names)}")
    if select.periods:
        parts.append(f"in {', '.join(select.periods)}")
    if select.emerging is True:
        parts.append("emerging platform or tier")
    elif select.emerging is False:
        parts.append("established")
    return " ".join(parts) if parts else "all cells"


def main() -> None:
    app()
