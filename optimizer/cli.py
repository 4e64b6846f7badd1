"""The `optimizer` command: thin typer commands over the library.

Each command imports what it uses inside its function, for start-up time: a planner pays for
every module the process loads, and `--help`, `schema` or `presets` need no pandas, `validate`
no solver, `solve` none of the plotting and spreadsheet libraries of the other formats.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console, RenderableType
from rich.text import Text

from optimizer.errors import OptimizerError, ScenarioError

if TYPE_CHECKING:
    from rich.progress import Progress

    from optimizer.plan import Plan
    from optimizer.report.document import Report
    from optimizer.scenario.schema import Scenario, Select


class _HelpIsAFlag:
    """Typer 0.29 labels `--help` with a `<bool>` value it does not take."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.metavar = ""
        return option


class _Group(_HelpIsAFlag, typer.core.TyperGroup):
    pass


class _Argument(typer.core.TyperArgument):
    """An argument shown by its metavar alone (`FILE...`): typer 0.29 adds its Python type
    (`<list[Path]>`) to the help and wraps it in braces on the usage line."""

    def display_type_rich(self, ctx: Any) -> None:
        return None

    def _usage_display_name(self) -> str:
        return self.display_name_raw if self.required else f"[{self.display_name_raw}]"


class _Command(_HelpIsAFlag, typer.core.TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            # typer makes its own argument objects; they take this class's way of showing
            if type(param) is typer.core.TyperArgument:
                param.__class__ = _Argument


app = typer.Typer(
    cls=_Group,
    help="Plan influencer-marketing budgets: how many micro, macro and mega creators to engage"
    " per platform and period, proven optimal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)


def _show_version(asked: bool) -> None:
    if asked:
        from optimizer import __version__

        typer.echo(f"optimizer {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_show_version,
            is_eager=True,
            metavar="",  # a flag: no "<bool>" value to suggest
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    pass


def console(**options: Any) -> Console:
    """A console for the tool's own output. Markup is off: names from scenario files (a rule
    `eng[tiktok]`, a scenario `Plan [draft]`) must print as written, not as style tags."""
    return Console(highlight=False, markup=False, **options)


errors = console(stderr=True)

EXIT_PLAN, EXIT_NO_PLAN, EXIT_INVALID = 0, 1, 2
# Result statuses without a plan (a sweep point that kept failing has status "error").
NO_PLAN = ("infeasible", "unbounded", "time_limit", "error")


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"
    html = "html"
    xlsx = "xlsx"


FormatOption = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help="table, json, csv, md, html or xlsx; by default the --output file's ending"
        " (plan.xlsx, plan.json, ...), else table.",
        show_default=False,
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", metavar="FILE", help="Write here instead of the screen (xlsx needs it)."
    ),
]
SolverOption = Annotated[
    str | None,
    typer.Option(metavar="NAME", help="highs (default), cbc, or another PuLP solver name."),
]
TimeLimitOption = Annotated[
    float | None,
    typer.Option(min=0.001, metavar="SECONDS", help="Seconds before each search stops."),
]
GapOption = Annotated[
    float | None,
    typer.Option(min=0.0, max=1.0, metavar="GAP", help="Relative MIP gap at which to stop."),
]
WorkersOption = Annotated[
    int, typer.Option(min=1, metavar="N", help="Solve in this many parallel processes.")
]
DaskOption = Annotated[
    str | None,
    typer.Option(
        metavar="ADDRESS",
        help="Solve on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786); "
        "needs optimizer[dask].",
    ),
]
BudgetStepOption = Annotated[
    float | None,
    typer.Option(
        min=0.01,
        metavar="AMOUNT",
        help="The raise of budget.total, in money, whose gain the explanation reports"
        " (default: 5% of the budget).",
        show_default=False,
    ),
]
# Analyses with at least this many re-solves show a progress bar on standard error.
MANY_SOLVES = 5


def _error(message: str) -> None:
    # Messages quote the planner's text ("[low, high]", file names): never read it as markup.
    errors.print(Text.assemble(("error:", "bold red"), " ", message), soft_wrap=True)


def _fail(message: str) -> typer.Exit:
    _error(message)
    return typer.Exit(EXIT_INVALID)


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
            typer.echo(text, nl=not text.endswith("\n"))
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


def _load_all(files: list[Path]) -> tuple[list[tuple[Path, Scenario]], bool]:
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


@app.command(cls=_Command)
def solve(
    files: Annotated[
        list[Path],
        typer.Argument(metavar="FILE...", help="Scenario files (.yaml, .json, .toml)."),
    ],
    format: FormatOption = None,
    output: OutputOption = None,
    solver: SolverOption = None,
    time_limit: TimeLimitOption = None,
    gap: GapOption = None,
    export: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="Also write the model as .lp or .mps (one scenario only)."
        ),
    ] = None,
    workers: WorkersOption = 1,
    dask: DaskOption = None,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Also price every rule and the next budget step (re-solves).",
            metavar="",  # a flag: no "<bool>" value to suggest
        ),
    ] = False,
    budget_step: BudgetStepOption = None,
) -> None:
    """Find the best plan for each scenario file.

    Exit code 0 when a plan was found, 1 when none exists (the conflicting rules are named),
    2 when the input is invalid.
    """
    from optimizer.executors import Failed
    from optimizer.solvers.export import EXPORT_SUFFIXES

    if budget_step is not None and not explain:
        raise _fail("--budget-step sets what --explain reports: give --explain too")
    if export is not None and len(files) > 1:
        raise _fail("--export writes one model: give a single scenario file")
    if export is not None and export.suffix.lower() not in EXPORT_SUFFIXES:
        raise _fail(f"--export {export}: use a .lp or .mps file name")
    format = _output_format(format, output, files)
    _check_writable("--export", export)
    loaded, invalid = _load_all(files)
    settings = _SolveSettings(solver, time_limit, gap, export)
    plans = _map_with_progress(
        _solve_one, [(scenario, settings) for _, scenario in loaded], workers, "solving", dask
    )
    failed = False
    for (path, _), plan in zip(loaded, plans, strict=True):
        if isinstance(plan, Failed):
            failed = True
            errors.print(f"{path}: failed after {plan.tries} tries: {plan.error}")
    loaded, plans = _without_failed(loaded, plans)
    plans = [
        _with_analysis(scenario, plan, settings, explain, budget_step)
        for (_, scenario), plan in zip(loaded, plans, strict=True)
    ]
    results = [(str(path), plan) for (path, _), plan in zip(loaded, plans, strict=True)]
    from optimizer.report.terminal import EMPTY_PLAN, buys_nothing

    for source, plan in results:
        if not plan.has_plan:
            errors.print(_no_plan(source, plan.status))
        elif buys_nothing(plan) and not (format is Format.table and len(results) == 1):
            # JSON and report files have no room for the sentence
            errors.print(f"note: {source}: {EMPTY_PLAN}", style="yellow", soft_wrap=True)
    if results:
        # Several files give a list even when some are invalid, so scripts can rely on the shape.
        _write_results(results, format, output, len(files) == 1, files)
    if invalid:
        raise typer.Exit(EXIT_INVALID)
    if failed or any(not plan.has_plan for _, plan in results):
        raise typer.Exit(EXIT_NO_PLAN)


@dataclass(frozen=True)
class _SolveSettings:
    solver: str | None
    time_limit: float | None
    gap: float | None
    export: Path | None = None


def _solve_one(job: tuple[Scenario, _SolveSettings]) -> Plan:
    """Build, export if asked, solve: one scenario, in this process or a worker."""
    from optimizer.model.linear import build_model
    from optimizer.solvers.export import export_model
    from optimizer.solving import solve as solve_scenario

    scenario, settings = job
    model = build_model(scenario)
    if settings.export is not None:
        export_model(model, settings.export)
    return solve_scenario(
        scenario,
        solver=settings.solver,
        time_limit=settings.time_limit,
        gap=settings.gap,
        model=model,
    )


def _with_analysis(
    scenario: Scenario,
    plan: Plan,
    settings: _SolveSettings,
    explain: bool,
    budget_step: float | None,
) -> Plan:
    """The conflicting rules of an infeasible plan; with `explain`, the prices of a plan."""
    from dataclasses import replace

    from optimizer.analysis.conflicts import CHECK_TIME_LIMIT, find_conflicts
    from optimizer.analysis.prices import explain_plan
    from optimizer.solvers import Status

    try:
        if plan.status is Status.INFEASIBLE:
            limit = settings.time_limit
            with _analysis_progress("finding the conflicting rules") as on_progress:
                report = find_conflicts(
                    scenario,
                    time_limit=None if limit is None else min(limit, CHECK_TIME_LIMIT),
                    on_progress=on_progress,
                )
            return replace(plan, conflicts=report)
        if explain and plan.has_plan:
            with _analysis_progress("pricing the rules") as on_progress:
                explanation = explain_plan(
                    scenario,
                    plan,
                    budget_step=budget_step,
                    gap=settings.gap,
                    time_limit=settings.time_limit,
                    on_progress=on_progress,
                )
            return replace(plan, explanation=explanation)
    except OptimizerError as error:
        raise _fail(str(error)) from None
    return plan


def _progress(disable: bool = False) -> Progress:
    """A progress bar on standard error, where a person watches it: piped or redirected
    output gets none (rich would still leave an empty line there)."""
    from rich.progress import Progress

    return Progress(console=errors, transient=True, disable=disable or not errors.is_terminal)


@contextmanager
def _analysis_progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress callback; the bar shows on standard error once there are many re-solves."""
    with _progress() as progress:
        task = progress.add_task(label, total=None, visible=False)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, visible=total >= MANY_SOLVES)

        yield update


def _without_failed(loaded: list[Any], plans: list[Any]) -> tuple[list[Any], list[Plan]]:
    from optimizer.plan import Plan

    pairs = zip(loaded, plans, strict=True)
    kept = [(item, plan) for item, plan in pairs if isinstance(plan, Plan)]
    return [item for item, _ in kept], [plan for _, plan in kept]


def _map_with_progress(
    function: Callable[[Any], Any],
    items: list[Any],
    workers: int,
    label: str,
    dask: str | None = None,
) -> list[Any]:
    """Results in the order of `items` (a `Failed` where a job kept failing), with a progress
    bar on standard error for several."""
    from optimizer.executors import executor_for

    with _progress(disable=len(items) < 2) as progress:
        task = progress.add_task(label, total=len(items))
        try:
            return executor_for(workers, dask).map(
                function, items, lambda _: progress.advance(task)
            )
        except OptimizerError as error:
            raise _fail(str(error)) from None


def _output_format(format: Format | None, output: Path | None, inputs: Sequence[Path]) -> Format:
    """The format asked for, else the one the output file's ending names, else a table; and
    an output that can be written without harm."""
    ending = output.suffix.lower().lstrip(".") if output is not None else ""
    named = {"txt": Format.table, **{member.value: member for member in Format}}.get(ending)
    if format is not None and named is not None and named is not format:
        raise _fail(
            f"--output {output}: the name ends in .{ending} but --format is {format.value};"
            " make them agree, or leave out --format"
        )
    if format is None:
        if ending not in ("", "txt", *Format.__members__):
            # plan.xls or plan.pdf would get the terminal's text under a misleading name
            raise _fail(
                f"--output {output}: no format is written as .{ending}; end the name in .txt"
                " (the table), .json, .csv, .md, .html or .xlsx, or give --format"
            )
        format = Format(ending) if ending in Format.__members__ else Format.table
    if format is Format.xlsx and output is None:
        raise _fail("--format xlsx writes a workbook: give --output FILE.xlsx")
    _check_writable("--output", output)
    if output is not None:
        from optimizer.scenario.loading import trace

        for path in inputs:
            for read in trace(path).files:
                reads = "" if read.resolve() == path.resolve() else f" ({path} reads it)"
                if output.resolve() == read.resolve():
                    raise _fail(
                        f"--output {output}: that is an input file{reads}; give another name"
                    )
    return format


def _check_writable(option: str, path: Path | None) -> None:
    """Refuse an output that cannot be written before solving, not after."""
    if path is None:
        return
    if path.is_dir():
        raise _fail(f"{option} {path}: is a directory, give a file name")
    if not path.parent.is_dir():
        raise _fail(f"{option} {path}: directory {path.parent} does not exist")


def _charts_in(format: Format) -> bool:
    """Only pages show charts: CSV files and workbooks hold the tables alone."""
    return format in (Format.md, Format.html)


def _write_report(
    report: Report, format: Format, output: Path | None, inputs: Sequence[Path]
) -> None:
    """csv, md, html and xlsx: the same report document in each format; no file written
    over one of the `inputs` or a file they read."""
    from optimizer.report import writers
    from optimizer.scenario.loading import trace

    if format is Format.xlsx:
        assert output is not None
        with _writing():
            writers.write_xlsx(report, output)
        errors.print(f"wrote {output}")
    elif format is Format.csv and output is not None:
        read = [file for path in inputs for file in trace(path).files]
        with _writing():
            written = writers.write_csv(report, output, keep=read)
        for path in written:
            errors.print(f"wrote {path}")
    elif format is Format.csv:
        _emit(writers.to_csv(report), None)
    elif format is Format.md:
        _emit(writers.to_markdown(report), output)
    else:
        _emit(writers.to_html(report), output)


def _write_results(
    results: list[tuple[str, Plan]],
    format: Format,
    output: Path | None,
    single: bool,
    inputs: Sequence[Path],
) -> None:
    """One scenario: its plan; several: a list of plans (json) or one summary row each."""
    from optimizer.report import document, terminal

    plan = results[0][1]
    if format is Format.json:
        payload = plan.to_dict() if single else [p.to_dict() for _, p in results]
        _emit(json.dumps(payload, indent=2) + "\n", output)
    elif format is Format.table and single:
        _emit(terminal.plan_view(plan), output)
    elif format is Format.table:
        from rich.console import Group

        # With --explain, each scenario's explanation follows the summary, in file order.
        explained = [terminal.explanation_view(p) for _, p in results if p.explanation]
        _emit(Group(terminal.summary_view(results), *explained), output)
    else:
        report = (
            document.plan_report(plan, with_charts=_charts_in(format))
            if single
            else document.summary_report(results)
        )
        _write_report(report, format, output, inputs)


@app.command(cls=_Command)
def explain(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="Scenario file (.yaml, .json, .toml).")
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write the text here, not the screen."),
    ] = None,
    solver: SolverOption = None,
    time_limit: TimeLimitOption = None,
    gap: GapOption = None,
    budget_step: BudgetStepOption = None,
) -> None:
    """Explain a scenario's answer in words: why no plan exists, or what each rule costs
    and what the next budget step buys.

    Exit code 0 when a plan was found, 1 when none exists, 2 when the input is invalid.
    """
    from optimizer.report.terminal import explanation_view

    if output is not None and _output_format(None, output, [file]) is not Format.table:
        raise _fail(
            f"--output {output}: explain writes text; for a {output.suffix} report use"
            f" `optimizer solve {file} --explain --output {output}`"
        )
    loaded, invalid = _load_all([file])
    if invalid:
        raise typer.Exit(EXIT_INVALID)
    scenario = loaded[0][1]
    settings = _SolveSettings(solver, time_limit, gap)
    plan = _map_with_progress(_solve_one, [(scenario, settings)], 1, "solving")[0]
    plan = _with_analysis(scenario, plan, settings, True, budget_step)
    _emit(explanation_view(plan), output)
    if not plan.has_plan:
        errors.print(_no_plan(str(file), plan.status))
        raise typer.Exit(EXIT_NO_PLAN)


@app.command(cls=_Command)
def compare(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE...", help="Scenario files or saved plan JSON files, in order."
        ),
    ],
    baseline: Annotated[
        str | None,
        typer.Option(
            metavar="spreadsheet",
            help="spreadsheet: add the hand-made split of the first scenario as the reference.",
        ),
    ] = None,
    format: FormatOption = None,
    output: OutputOption = None,
    solver: SolverOption = None,
    time_limit: TimeLimitOption = None,
    gap: GapOption = None,
    workers: WorkersOption = 1,
    dask: DaskOption = None,
) -> None:
    """Compare plans side by side: totals, CPA, spend shares, binding rules, cell deltas.

    The first plan is the reference for deltas; with --baseline spreadsheet the hand-made
    split (targets of the first preset, else 70-20-10, spread evenly) comes first and every
    plan's lift over it is shown.
    """
    from optimizer.analysis.baseline import BASELINE_NAME, spreadsheet_plan
    from optimizer.analysis.compare import compare as compare_plans
    from optimizer.analysis.compare import load_result
    from optimizer.executors import Failed
    from optimizer.scenario.loading import load_scenario

    if baseline not in (None, BASELINE_NAME):
        raise _fail(f"--baseline {baseline}: the only baseline is {BASELINE_NAME}")
    format = _output_format(format, output, files)
    results: list[Any] = []
    labels: list[str] = []
    scenarios: list[tuple[int, Scenario]] = []
    invalid = False
    for path in files:
        kind = _saved_result(path)
        if kind in ("comparison", "sweep"):
            raise _fail(
                f"{path}: the result of a {kind}, neither a scenario nor a saved plan; compare"
                " takes scenario files and plans saved by `optimizer solve --format json`"
            )
        if kind == "plan":
            try:
                results.append(load_result(path))
            except OptimizerError as error:
                raise _fail(str(error)) from None
            labels.append(str(results[-1]["scenario"]))
            continue
        try:
            scenario = load_scenario(path)
        except ScenarioError as error:
            _report_invalid(error)
            invalid = True
            continue
        scenarios.append((len(results), scenario))
        results.append(None)
        labels.append(scenario.name)
    if invalid:
        raise typer.Exit(EXIT_INVALID)
    settings = _SolveSettings(solver, time_limit, gap)
    plans = _map_with_progress(
        _solve_one, [(scenario, settings) for _, scenario in scenarios], workers, "solving", dask
    )
    for plan in plans:
        if isinstance(plan, Failed):
            raise _fail(f"a scenario could not be solved: {plan.error}")
    for (position, _), plan in zip(scenarios, plans, strict=True):
        results[position] = plan
    reference = None
    if baseline is not None:
        if not scenarios:
            raise _fail("--baseline spreadsheet needs a scenario file, not only saved plans")
        try:
            hand_made = spreadsheet_plan(scenarios[0][1]).to_dict()
            results.insert(0, {**hand_made, "status": BASELINE_NAME})
        except OptimizerError as error:
            raise _fail(str(error)) from None
        reference = f"{labels[scenarios[0][0]]} ({BASELINE_NAME})"
        labels.insert(0, reference)
    if len(results) < 2:
        raise _fail("compare needs two plans: give two files, or one with --baseline spreadsheet")
    comparison = compare_plans(results, labels=labels, baseline=reference)
    if format is Format.json:
        _emit(comparison.to_json() + "\n", output)
    elif format is Format.table:
        from optimizer.report.terminal import comparison_view

        _emit(comparison_view(comparison), output)
    else:
        from optimizer.report.document import comparison_report

        report = comparison_report(comparison, _charts_in(format))
        _write_report(report, format, output, files)
    statuses = comparison.totals["status"]
    missing = [
        _no_plan(str(name), status) for name, status in statuses.items() if status in NO_PLAN
    ]
    for message in missing:
        errors.print(message)
    if missing:
        raise typer.Exit(EXIT_NO_PLAN)


def _saved_result(path: Path) -> str | None:
    """What a .json file holds when it is a result rather than a scenario: a `plan` of
    `solve`, a `comparison` or a `sweep`."""
    if path.suffix.lower() != ".json":
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    for kind, keys in (
        ("plan", {"allocation", "status"}),
        ("comparison", {"plans", "totals", "cells"}),
        ("sweep", {"points", "metric"}),
    ):
        if keys <= set(data):
            return kind
    return None


@app.command(cls=_Command)
def sweep(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Scenario file.")],
    budget: Annotated[
        str | None,
        typer.Option(
            metavar="BUDGETS",
            help="Budgets as start:stop:step (stop included) or a list 1e5,2e5,...",
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            metavar="PATH=VALUES",
            help="PATH=V1,V2,... for any numeric field, e.g. rules.tolerance=0,0.05.",
        ),
    ] = None,
    format: FormatOption = None,
    output: OutputOption = None,
    solver: SolverOption = None,
    time_limit: TimeLimitOption = None,
    gap: GapOption = None,
    workers: WorkersOption = 1,
    dask: DaskOption = None,
) -> None:
    """Solve a scenario over a range of budgets and/or parameter values (two axes at most).

    Each point reports status, objective, totals, CPA, tier shares and the marginal CPA
    from the previous budget: the frontier shows where extra budget stops paying.
    """

    from optimizer.analysis.sweep import parse_param, parse_range
    from optimizer.analysis.sweep import sweep as run_sweep
    from optimizer.executors import executor_for
    from optimizer.scenario.loading import load_scenario

    if not budget and not param:
        raise _fail("give --budget, --param or both")
    format = _output_format(format, output, [file])
    try:
        scenario = load_scenario(file)
    except ScenarioError as error:
        _report_invalid(error)
        raise typer.Exit(EXIT_INVALID) from None
    try:
        budgets = parse_range(budget) if budget else None
    except OptimizerError as error:
        raise _fail(f"--budget {budget}: {error}") from None
    try:
        params = [parse_param(text) for text in param or []]
    except OptimizerError as error:
        raise _fail(str(error)) from None
    try:
        total = len(budgets or [None]) * max(1, _product(len(values) for _, values in params))
        with _progress() as progress:
            task = progress.add_task("sweeping", total=total)
            result = run_sweep(
                scenario,
                budgets,
                params,
                solver=solver,
                time_limit=time_limit,
                gap=gap,
                workers=workers,
                executor=executor_for(workers, dask),
                on_point=lambda n: progress.advance(task, n),
            )
    except ScenarioError as error:  # a point's value makes the scenario invalid
        for problem in error.problems:
            _error(f"{file} ({error.source}): {problem}")
        raise typer.Exit(EXIT_INVALID) from None
    except OptimizerError as error:
        raise _fail(f"{file}: {error}") from None
    if format is Format.json:
        _emit(result.to_json() + "\n", output)
    elif format is Format.table:
        from optimizer.report.terminal import sweep_view

        _emit(sweep_view(result), output)
    else:
        from optimizer.report.document import sweep_report

        _write_report(sweep_report(result, _charts_in(format)), format, output, [file])
    if result.points.empty or result.points["status"].isin(NO_PLAN).all():
        errors.print(f"{file}: no point of the sweep has a plan")
        raise typer.Exit(EXIT_NO_PLAN)


def _product(numbers: Any) -> int:
    out = 1
    for number in numbers:
        out *= number
    return out


@app.command(cls=_Command)
def validate(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE...", help="Scenario files to check.")
    ],
) -> None:
    """Check scenario files without solving; list every problem found."""
    from optimizer.model.cells import derive_cells
    from optimizer.model.constraints import collect_constraints
    from optimizer.report.numbers import counted

    loaded, invalid = _load_all(files)
    for path, scenario in loaded:
        cells = derive_cells(scenario)
        rules = collect_constraints(scenario, cells)
        figures = [
            counted(len(scenario.periods), "period"),
            counted(len(scenario.offers()), "offer"),
            counted(len(cells), "cell"),
            counted(len(rules.constraints), "constraint"),
        ]
        typer.echo(f"ok: {path}: {scenario.name!r}, {', '.join(figures)}")
        for skipped in rules.skipped:
            typer.echo(f"  left out {skipped.name}: {skipped.reason}")
    if invalid:
        raise typer.Exit(EXIT_INVALID)


@app.command(cls=_Command)
def schema() -> None:
    """Print the JSON Schema of scenario files, for editors that validate as you type."""
    from optimizer.scenario.editor_schema import editor_schema

    typer.echo(json.dumps(editor_schema(), indent=2))


@app.command(cls=_Command)
def presets(
    tolerance: Annotated[
        float,
        typer.Option(min=0.0, max=0.5, metavar="SHARE", help="rules.tolerance to expand with."),
    ] = 0.05,
) -> None:
    """List the built-in rule presets and the share rules each expands to."""
    from rich.table import Table

    from optimizer.scenario.presets import PRESETS

    out = console()
    out.print(f"Presets, expanded with tolerance {tolerance:g}; all are shares of spend.")
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
            bounds = (
                f"at least {_percent(low or 0)}"
                if high is None
                else f"{_percent(low or 0)} to {_percent(high)}"
            )
            table.add_row(rule.name, scope, bounds)
        out.print(table)


def _percent(share: float) -> str:
    """67.5% stays 67.5%: whole percents would hide a tolerance such as 0.025."""
    return f"{share * 100:.4g}%"


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
        parts.append("on neither an emerging platform nor tier")
    if select.platform_emerging is True:
        parts.append("on emerging platforms")
    elif select.platform_emerging is False:
        parts.append("on established platforms")
    return " ".join(parts) if parts else "all cells"


def _no_plan(source: str, status: str) -> str:
    """Why a scenario has no plan, and the way on where there is a simple one."""
    if status == "time_limit":
        return (
            f"{source}: no plan: the time limit passed before any plan was found; give more"
            " seconds (--time-limit, or solver.time_limit in the file)"
        )
    return f"{source}: no plan: {status}"


def main() -> None:
    app()
