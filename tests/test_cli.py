"""The command line end to end: exit codes, pure JSON, output files, formats, export, helpers.

Compare, sweep, reports and explanations have their own tests (test_finance, test_explain).
A few cases run `python -m optimizer` in a child process, since only there does anything a
solver prints outside Python (its C library log) show up on standard output.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import pathlib
import re
import shutil
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import highspy
import jsonschema
import openpyxl
import pytest
import yaml
from child_process import run
from typer.testing import CliRunner, Result

import optimizer
from optimizer.cli import app
from optimizer.solvers.base import Solution, Status
from optimizer.solvers.highs import new_highs

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
SHIPPED = sorted(SCENARIOS.glob("*.yaml")) + sorted(SCENARIOS.glob("*/*.yaml"))
SEASONAL = SCENARIOS / "70-20-10-seasonal.yaml"
B2B = SCENARIOS / "b2b-saas.yaml"
CONSUMER = SCENARIOS / "consumer-app.yaml"

# Section 7 of the format: the keys of a result, and the optional ones the code documents.
SOLVER_KEYS = {"name", "seconds", "method", "interrupted", "tie_break"}
RESULT_KEYS = {"scenario", "status", "objective", "totals", "allocation", "rules", "solver"}
OPTIONAL_KEYS = {"skipped_rules", "conflicts", "conflicts_proven", "explanation", "notes"}
METRICS = {"count", "spend", "reach", "engagements", "conversions", "revenue"}
CELL_KEYS = {"period", "platform", "tier"} | METRICS

# One YouTube mega creator a quarter is required, but the whole budget is $1,000.
INFEASIBLE = {
    "name": "too small for a mega",
    "extends": "benchmarks-2026",
    "budget": {"total": 1000},
    "platforms": {"youtube": {"tiers": {"mega": {"min": 1}}}},
}
# Four quarters of one YouTube mega post: 0.9 * 100,000 + 100,000 + 100,000 + 1.15 * 100,000.
INFEASIBLE_NEEDS = 405_000

INVALID = {
    "name": "negative audience",
    "budget": {"total": 1000},
    "platforms": {
        "tiktok": {
            "tiers": {
                "micro": {
                    "followers": -5,
                    "cost_per_post": 100,
                    "engagement_rate": 0.05,
                    "conversion_rate": 0.01,
                }
            }
        }
    },
}


def write(tmp_path: Path, data: dict[str, Any], name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def extending(tmp_path: Path, base: Path, name: str = "derived.yaml", **fields: Any) -> Path:
    """A scenario file that starts from `base` and overrides `fields`."""
    return write(tmp_path, {"extends": str(base), **fields}, name)


def invoke(*args: Any, columns: int = 200, **kwargs: Any) -> Result:
    """Run the app in this process; an uncaught exception fails the test with its traceback."""
    return CliRunner().invoke(
        app,
        [str(arg) for arg in args],
        env={"COLUMNS": str(columns)},
        catch_exceptions=False,
        **kwargs,
    )


def solve_json(*args: Any) -> dict[str, Any]:
    result = invoke("solve", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    payload: dict[str, Any] = json.loads(result.stdout)
    return payload


def check_result(payload: dict[str, Any]) -> None:
    """The shape of section 7, and allocation rows that add up to the totals."""
    assert RESULT_KEYS <= set(payload) <= RESULT_KEYS | OPTIONAL_KEYS, set(payload)
    assert set(payload["objective"]) == {"sense", "metric", "value", "bound", "gap"}
    assert set(payload["totals"]) == METRICS
    assert {"name", "seconds"} <= set(payload["solver"]) <= SOLVER_KEYS
    for row in payload["allocation"]:
        assert set(row) == CELL_KEYS
        assert row["count"] > 0
    for rule in payload["rules"]:
        assert {"name", "kind", "value", "min", "max", "binding"} <= set(rule)
    for metric in METRICS:
        added = sum(row[metric] for row in payload["allocation"])
        assert added == pytest.approx(payload["totals"][metric], rel=1e-6, abs=1e-4), metric


def without_timings(payload: Any) -> Any:
    """The result with the solver's wall-clock seconds removed, for comparing two runs."""
    if isinstance(payload, list):
        return [without_timings(item) for item in payload]
    solver = {**payload["solver"], "seconds": None}
    if "tie_break" in solver:
        solver["tie_break"] = {**solver["tie_break"], "seconds": None}
    return {**payload, "solver": solver}


# Exit codes and pure JSON, in a child process.


@pytest.mark.parametrize("solver", ["highs", "cbc", "HiGHS"])  # the last: PuLP's HiGHS
def test_json_alone_on_stdout_for_each_solver(tmp_path: Path, solver: str) -> None:
    model = tmp_path / "model.lp"
    done = run("solve", SEASONAL, "--format", "json", "--solver", solver, "--export", model)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    check_result(payload)
    assert payload["status"] == "optimal"
    assert payload["solver"]["name"] == solver
    objective = payload["objective"]
    if solver == "HiGHS":  # PuLP reports no bound for it: unknown, not a gap of zero
        assert objective["bound"] is None and objective["gap"] is None
    else:
        assert objective["bound"] >= objective["value"] * (1 - 1e-9)  # a maximum
    assert payload["scenario"] == "70-20-10 with seasonal shifts 2026"
    assert model.read_text().startswith("\\")
    assert "Traceback" not in done.stderr


def test_a_pulp_solver_without_a_gap_option_is_told_apart_from_a_failure() -> None:
    """GLPK_CMD takes no gapRel: it is built without one, then reported as not installed."""
    if shutil.which("glpsol"):
        pytest.skip("GLPK is installed here")
    done = run("solve", SEASONAL, "--format", "json", "--solver", "GLPK_CMD")
    assert done.returncode == 2
    assert "solver 'GLPK_CMD' is not installed on this machine" in done.stderr
    assert done.stdout == ""


def test_solver_names_are_read_in_any_case() -> None:
    """PuLP's own names are upper case (GUROBI, CPLEX_CMD); a planner writes them either way."""
    upper = invoke("solve", B2B, "--format", "json", "--solver", "CBC")
    assert upper.exit_code == 0, upper.output
    assert json.loads(upper.stdout)["solver"]["name"] == "cbc"
    if not shutil.which("glpsol"):
        lower = invoke("solve", B2B, "--solver", "glpk_cmd")
        assert lower.exit_code == 2
        assert "solver 'GLPK_CMD' is not installed on this machine" in lower.stderr
    unknown = invoke("solve", B2B, "--solver", "nonesuch")
    assert unknown.exit_code == 2
    listed = unknown.stderr.split("one of ", 1)[1].split(", ")
    assert len(listed) == len(set(listed))


def test_infeasible_scenario_exits_1_with_pure_json_and_its_conflict(tmp_path: Path) -> None:
    done = run("solve", write(tmp_path, INFEASIBLE), "--format", "json")
    assert done.returncode == 1, done.stderr
    payload = json.loads(done.stdout)
    check_result(payload)
    assert payload["status"] == "infeasible"
    assert payload["allocation"] == [] and payload["objective"]["value"] is None
    conflicts = {conflict["rule"]: conflict for conflict in payload["conflicts"]}
    assert set(conflicts) == {"budget", "platforms.youtube.tiers.mega.min"}
    assert conflicts["budget"]["needed"] == pytest.approx(INFEASIBLE_NEEDS)
    assert "infeasible" in done.stderr


def test_invalid_scenario_exits_2_naming_file_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, INVALID, "broken.yaml")
    done = run("solve", path, "--format", "json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert str(path) in done.stderr
    assert "platforms.tiktok.tiers.micro.followers" in done.stderr
    assert "Traceback" not in done.stderr


def test_module_help_lists_the_commands() -> None:
    done = run("--help")
    assert done.returncode == 0, done.stderr
    for command in ("solve", "validate", "schema", "presets", "explain", "compare", "sweep"):
        assert command in done.stdout


# Exit codes in this process.


def test_optimal_plan_exits_0() -> None:
    result = invoke("solve", B2B)
    assert result.exit_code == 0, result.output
    assert "B2B SaaS thought leadership 2026" in result.stdout
    assert "optimal" in result.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--format", "xml"], "--format"),
        (["--time-limit", "-1"], "--time-limit"),
        (["--time-limit", "0"], "--time-limit"),
        (["--gap", "-0.1"], "--gap"),
        (["--workers", "0"], "--workers"),
        (["--solver", "nosuchsolver"], "nosuchsolver"),
        (["--export", "model.txt"], ".lp or .mps"),
        (["--format", "xlsx"], "--output"),
    ],
)
def test_bad_command_line_values_exit_2(arguments: list[str], message: str) -> None:
    result = invoke("solve", B2B, *arguments)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stdout == ""


def test_missing_scenario_file_exits_2(tmp_path: Path) -> None:
    result = invoke("solve", tmp_path / "nowhere.yaml")
    assert result.exit_code == 2
    assert "nowhere.yaml" in result.stderr and "not found" in result.stderr


def test_unbounded_status_exits_1_with_pure_json(monkeypatch: pytest.MonkeyPatch) -> None:
    # A valid scenario cannot be unbounded (positive prices and a budget, or a spend to
    # minimise), so the solver's answer is replaced to check what the command makes of it.
    def unbounded(*_: Any, **__: Any) -> Solution:
        return Solution(Status.UNBOUNDED, None, None, None, 0.0, "highs")

    monkeypatch.setattr("optimizer.solving.run_solver", unbounded)
    result = invoke("solve", B2B, "--format", "json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["status"] == "unbounded" and payload["allocation"] == []
    assert "unbounded" in result.stderr


# Neither allows the empty plan (Q2 and Q3 spend minimums; a conversions minimum), so a plan
# found in time engages someone. At 1 ms the first usually has none yet, the second one.
@pytest.mark.parametrize("name", ["ecommerce-dtc", "min-spend-target"])
def test_time_limited_status_matches_the_exit_code(tmp_path: Path, name: str) -> None:
    # 1 ms is far below the time HiGHS needs to prove the optimum; it may or may not have a
    # plan by then, and the exit code must say which.
    path = extending(tmp_path, SCENARIOS / f"{name}.yaml", solver={"time_limit": 60})
    result = invoke("solve", path, "--format", "json", "--time-limit", "0.001")
    payload = json.loads(result.stdout)
    assert payload["status"] in ("feasible", "time_limit")
    if payload["status"] == "feasible":
        assert result.exit_code == 0
        assert payload["objective"]["value"] is not None and payload["allocation"]
    else:
        assert result.exit_code == 1
        assert payload["allocation"] == []


# The command line overrides the file's solver settings.


def test_file_solver_settings_apply_without_flags(tmp_path: Path) -> None:
    # HiGHS is deterministic: with a 50% gap allowed it stops at its first good plan.
    path = extending(tmp_path, SEASONAL, solver={"name": "highs", "gap": 0.5})
    payload = solve_json(path)
    assert payload["solver"]["name"] == "highs"
    assert 1e-3 < payload["objective"]["gap"] <= 0.5


def test_flags_override_the_files_solver_settings(tmp_path: Path) -> None:
    path = extending(tmp_path, SEASONAL, solver={"name": "cbc", "gap": 0.5, "time_limit": 0.001})
    payload = solve_json(path, "--solver", "highs", "--gap", "0", "--time-limit", "60")
    assert payload["status"] == "optimal"
    assert payload["solver"]["name"] == "highs"
    assert payload["objective"]["gap"] == pytest.approx(0, abs=1e-9)
    best = optimizer.solve(SEASONAL, solver="cbc", gap=0.0)
    assert payload["objective"]["value"] == pytest.approx(best.objective, rel=1e-9)

    other = extending(tmp_path, SEASONAL, "other.yaml", solver={"name": "highs"})
    assert solve_json(other, "--solver", "cbc")["solver"]["name"] == "cbc"


# --output


def test_output_writes_the_file_and_nothing_on_stdout(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    result = invoke("solve", B2B, "--format", "json", "--output", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert str(target) in result.stderr
    assert without_timings(json.loads(target.read_text())) == without_timings(solve_json(B2B))
    assert [path.name for path in tmp_path.iterdir()] == ["plan.json"]


def test_output_without_format_takes_the_format_of_its_ending(tmp_path: Path) -> None:
    for name in ("plan.json", "plan.xlsx", "plan.md", "plan.txt"):
        result = invoke("solve", B2B, "--output", tmp_path / name)
        assert result.exit_code == 0, result.output
    payload = json.loads((tmp_path / "plan.json").read_text())
    assert without_timings(payload) == without_timings(solve_json(B2B))
    workbook = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    assert "Allocation" in workbook.sheetnames
    assert (tmp_path / "plan.md").read_text().startswith("# B2B SaaS")
    assert "Influencers to engage" in (tmp_path / "plan.txt").read_text()  # the table


@pytest.mark.parametrize("command", ["solve", "sweep", "compare"])
def test_output_onto_an_input_file_exits_2_and_keeps_it(tmp_path: Path, command: str) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(B2B.read_text())
    extra = {"solve": [], "sweep": ["--budget", "1e5"], "compare": [B2B]}[command]
    result = invoke(command, scenario, *extra, "--format", "json", "--output", scenario)
    assert result.exit_code == 2
    assert "is an input file" in result.stderr
    assert scenario.read_text() == B2B.read_text()


@pytest.mark.parametrize("target", ["parent.yaml", "rates.csv"])
def test_output_onto_a_file_the_scenario_reads_exits_2_and_keeps_it(
    tmp_path: Path, target: str
) -> None:
    """The file a scenario extends and its CSV rate card are inputs too."""
    shutil.copy(SCENARIOS / "rates" / "agency-rates.csv", tmp_path / "rates.csv")
    parent = (SCENARIOS / "csv-rate-card.yaml").read_text()
    (tmp_path / "parent.yaml").write_text(parent.replace("rates/agency-rates.csv", "rates.csv"))
    (tmp_path / "sub").mkdir()
    child = write(tmp_path / "sub", {"extends": "../parent.yaml", "name": "child"})
    before = (tmp_path / target).read_bytes()
    result = invoke("solve", child, "--format", "csv", "--output", tmp_path / target)
    assert result.exit_code == 2, result.output
    assert f"that is an input file ({child} reads it)" in result.stderr
    assert (tmp_path / target).read_bytes() == before


def test_csv_output_whose_side_table_would_overwrite_an_input_exits_2(tmp_path: Path) -> None:
    """`-o out.csv` also writes out-rules.csv, out-summary.csv, ... beside it."""
    shutil.copy(SCENARIOS / "rates" / "agency-rates.csv", tmp_path / "out-rules.csv")
    scenario = (SCENARIOS / "csv-rate-card.yaml").read_text()
    path = tmp_path / "scenario.yaml"
    path.write_text(scenario.replace("rates/agency-rates.csv", "out-rules.csv"))
    before = (tmp_path / "out-rules.csv").read_bytes()
    result = invoke("solve", path, "--output", tmp_path / "out.csv")
    assert result.exit_code == 2, result.output
    assert "out-rules.csv, written beside it, is an input file" in result.stderr
    assert (tmp_path / "out-rules.csv").read_bytes() == before
    assert not (tmp_path / "out.csv").exists()
    # a file that only looks like a side table (out-agency.csv) is no obstacle
    (tmp_path / "out-rules.csv").rename(tmp_path / "out-agency.csv")
    path.write_text(scenario.replace("rates/agency-rates.csv", "out-agency.csv"))
    result = invoke("solve", path, "--output", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out-rules.csv").exists()


@pytest.mark.parametrize(
    ("name", "format"), [("plan.json", "csv"), ("plan.md", "html"), ("plan.txt", "json")]
)
def test_an_output_ending_in_another_format_than_format_exits_2(
    tmp_path: Path, name: str, format: str
) -> None:
    result = invoke("solve", B2B, "--format", format, "--output", tmp_path / name)
    assert result.exit_code == 2
    assert f"ends in .{name.split('.')[1]} but --format is {format}" in result.stderr
    assert list(tmp_path.iterdir()) == []
    agreeing = invoke("solve", B2B, "--format", "table", "--output", tmp_path / "plan.txt")
    assert agreeing.exit_code == 0, agreeing.output


@pytest.mark.parametrize("option", ["--output", "--export"])
def test_writing_into_a_missing_directory_exits_2_and_leaves_nothing(
    tmp_path: Path, option: str
) -> None:
    target = tmp_path / "missing" / ("plan.json" if option == "--output" else "model.lp")
    result = invoke("solve", B2B, "--format", "json", option, target)
    assert result.exit_code == 2
    assert "does not exist" in result.stderr and str(target.parent) in result.stderr
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_output_onto_a_directory_exits_2(tmp_path: Path) -> None:
    result = invoke("solve", B2B, "--output", tmp_path)
    assert result.exit_code == 2
    assert "directory" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_existing_output_is_kept_when_the_scenario_is_invalid(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_text("previous plan")
    result = invoke("solve", write(tmp_path, INVALID), "-f", "json", "-o", target)
    assert result.exit_code == 2
    assert target.read_text() == "previous plan"


def test_existing_output_is_kept_when_writing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk that fills up half way: the old file stays whole and no temporary is left."""
    target = tmp_path / "plan.json"
    target.write_text("previous plan")
    original = pathlib.Path.write_text

    def half_then_full(self: Path, data: str, *args: Any, **kwargs: Any) -> int:
        if self.name.startswith(".plan.json."):
            original(self, data[: len(data) // 2], *args, **kwargs)
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(self, data, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "write_text", half_then_full)
    result = invoke("solve", B2B, "-f", "json", "-o", target)
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr
    assert target.read_text() == "previous plan"
    assert [path.name for path in tmp_path.iterdir()] == ["plan.json"]


def test_existing_output_is_replaced_on_success(tmp_path: Path) -> None:
    target = tmp_path / "plan.md"
    target.write_text("previous plan")
    result = invoke("solve", B2B, "-f", "md", "-o", target)
    assert result.exit_code == 0, result.output
    assert target.read_text().startswith("# B2B SaaS thought leadership 2026")
    # the page and its charts beside it, no temporary file left behind
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "plan.md",
        "plan.shares-against-the-rules.svg",
        "plan.spend-by-tier-per-period.svg",
    ]


# Formats


def test_csv_lists_the_allocation_adding_up_to_the_totals() -> None:
    result = invoke("solve", B2B, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and set(rows[0]) >= CELL_KEYS
    totals = solve_json(B2B)["totals"]
    for metric in ("count", "spend", "conversions"):
        added = sum(float(row[metric]) for row in rows)
        assert added == pytest.approx(totals[metric], rel=1e-6)
    assert all(row["count"].isdigit() for row in rows)  # whole creators, not 44.0


def test_csv_files_are_written_all_or_none(tmp_path: Path) -> None:
    (tmp_path / "plan-rules.csv").mkdir()  # the third file cannot be written
    result = invoke("solve", B2B, "--format", "csv", "--output", tmp_path / "plan.csv")
    assert result.exit_code == 2
    assert "plan-rules.csv: it is a directory" in result.stderr
    assert [path.name for path in tmp_path.iterdir()] == ["plan-rules.csv"]


def test_markdown_has_summary_allocation_and_rules() -> None:
    result = invoke("solve", B2B, "--format", "md")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("# B2B SaaS thought leadership 2026\n")
    assert "Status: optimal" in text
    assert "| Period | Platform | Tier | Influencers |" in text
    assert "## Rules" in text and "| b2b-saas:macro | share |" in text


def test_table_fits_80_columns_and_shows_shares_against_rule_bounds() -> None:
    payload = solve_json(SEASONAL)
    result = invoke("solve", SEASONAL, columns=80)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "70-20-10 with seasonal shifts 2026" in lines[0]
    for rule in payload["rules"]:
        if rule["kind"] != "share":
            continue
        (line,) = [line for line in lines if f" {rule['name']} " in line]
        expected = [rule["value"], rule["min"], rule["max"]]
        for share in (value for value in expected if value is not None):
            assert f"{share:.1%}" in line, (rule, line)
    spend = payload["totals"]["spend"]
    for tier in {row["tier"] for row in payload["allocation"]}:
        share = sum(row["spend"] for row in payload["allocation"] if row["tier"] == tier) / spend
        assert any(line.startswith(f"│ {tier} ") and f"{share:.1%}" in line for line in lines), tier


def test_names_with_brackets_print_as_written(tmp_path: Path) -> None:
    """Rule and scenario names are the planner's text, never read as terminal style tags."""
    limits = [
        {"name": "eng", "per": ["platform"], "count": {"max": 40}},
        {"name": "cap [red]", "select": {"tiers": ["mega"]}, "count": {"max": 3}},
    ]
    document = {"extends": str(B2B), "name": "Plan [bold]draft[/bold]", "rules": {"limits": limits}}
    path = write(tmp_path, document)
    rules = [rule["name"] for rule in solve_json(path)["rules"]]
    assert "eng[linkedin]" in rules and "cap [red]" in rules
    for arguments in (["solve", path], ["solve", path, B2B], ["compare", path, B2B]):
        result = invoke(*arguments)
        assert result.exit_code == 0, result.output
        assert "Plan [bold]draft[/bold]" in result.stdout
        if arguments[0] == "solve" and len(arguments) == 2:
            assert all(f" {rule} " in result.stdout for rule in rules), result.stdout


def test_markdown_keeps_a_pipe_in_a_rule_name_inside_its_cell(tmp_path: Path) -> None:
    limit = {
        "name": "linkedin|instagram",
        "select": {"platforms": ["linkedin"]},
        "count": {"max": 50},
    }
    path = write(tmp_path, {"extends": str(B2B), "rules": {"limits": [limit]}})
    result = invoke("solve", path, "--format", "md")
    assert result.exit_code == 0, result.output
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("| linkedin\\|")]
    header = next(
        line for line in result.stdout.splitlines() if line.startswith("| Name | Rule | Kind |")
    )
    cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
    assert len(cells) == header.count("|") - 1
    assert cells[0] == "linkedin\\|instagram"


# Several files


def test_several_files_give_one_summary_row_each() -> None:
    infeasible = SCENARIOS / "infeasible" / "holiday-push.yaml"
    result = invoke("solve", B2B, CONSUMER, infeasible)
    assert result.exit_code == 1
    names = ["B2B SaaS thought leadership 2026", "Habit app installs 2026", "Holiday push"]
    statuses = ["optimal", "optimal", "infeasible"]
    for name, status in zip(names, statuses, strict=True):
        (line,) = [line for line in result.stdout.splitlines() if name in line]
        assert f" {status} " in line
    assert f"{infeasible}: no plan: infeasible" in result.stderr


def test_several_files_as_json_give_a_list_in_order() -> None:
    result = invoke("solve", B2B, CONSUMER, "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert [plan["scenario"] for plan in payload] == [
        "B2B SaaS thought leadership 2026",
        "Habit app installs 2026",
    ]
    for plan in payload:
        check_result(plan)
    alone = solve_json(CONSUMER)
    assert without_timings(payload[1]) == without_timings(alone)


def test_several_files_stay_a_list_when_one_is_invalid(tmp_path: Path) -> None:
    result = invoke("solve", B2B, write(tmp_path, INVALID), "--format", "json")
    assert result.exit_code == 2
    payload = json.loads(result.stdout)
    assert isinstance(payload, list) and len(payload) == 1
    assert payload[0]["scenario"] == "B2B SaaS thought leadership 2026"


def test_several_files_as_csv_give_one_row_each() -> None:
    result = invoke("solve", B2B, CONSUMER, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["file"] for row in rows] == [str(B2B), str(CONSUMER)]
    assert [row["status"] for row in rows] == ["optimal", "optimal"]


def test_two_workers_give_the_same_plans_as_one() -> None:
    files = [B2B, CONSUMER, SEASONAL]
    one = invoke("solve", *files, "--format", "json", "--workers", "1")
    two = invoke("solve", *files, "--format", "json", "--workers", "2")
    assert one.exit_code == two.exit_code == 0, two.output
    assert without_timings(json.loads(two.stdout)) == without_timings(json.loads(one.stdout))


# --export


@pytest.mark.parametrize("suffix", [".lp", ".mps"])
def test_exported_model_solves_to_the_plans_objective(tmp_path: Path, suffix: str) -> None:
    model = tmp_path / f"model{suffix}"
    payload = solve_json(SEASONAL, "--export", model)
    highs = new_highs()
    assert highs.readModel(str(model)) == highspy.HighsStatus.kOk
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.run()
    assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    best = highs.getInfo().objective_function_value
    objective = payload["objective"]
    assert best == pytest.approx(objective["value"], rel=max(objective["gap"], 1e-9) + 1e-9)
    assert best >= objective["value"] - 1e-6  # a maximum: the plan cannot beat the model
    if suffix == ".lp":
        text = model.read_text()
        for name in ("budget", "budget_Q1", "70_20_10_proven_micro", "tiktok_cap", "n_Q1_tiktok"):
            assert name in text, name


def test_a_model_exports_after_its_matrix_was_used(tmp_path: Path) -> None:
    model = optimizer.build_model(optimizer.load_scenario(B2B))
    assert model.matrix.shape == (model.num_rows, model.num_cols)  # cached on the model
    written = optimizer.export_model(model, tmp_path / "model.lp")
    assert "budget" in written.read_text()


def test_export_refuses_several_files_and_unknown_suffixes(tmp_path: Path) -> None:
    several = invoke("solve", B2B, CONSUMER, "--export", tmp_path / "model.lp")
    assert several.exit_code == 2 and "one" in several.stderr
    unknown = invoke("solve", B2B, "--export", tmp_path / "model.gms")
    assert unknown.exit_code == 2 and ".lp or .mps" in unknown.stderr
    assert list(tmp_path.iterdir()) == []


# validate, schema, presets, help


def test_validate_accepts_every_shipped_scenario() -> None:
    result = invoke("validate", *SHIPPED)
    assert result.exit_code == 0, result.output
    oks = [line for line in result.stdout.splitlines() if line.startswith("ok: ")]
    assert len(oks) == len(SHIPPED) >= 8


def test_validate_counts_in_words_a_reader_would_write(tmp_path: Path) -> None:
    one = {
        "name": "one of each",
        "periods": ["Q1"],
        "budget": {"total": 1000},
        "platforms": {"tiktok": {"tiers": {"micro": OFFER_FIELDS}}},
    }
    result = invoke("validate", write(tmp_path, one))
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().endswith("1 period, 1 offer, 1 cell, 1 constraint")
    several = invoke("validate", B2B)
    assert "4 periods, 8 offers, 32 cells, 3 constraints" in several.stdout


def test_version_is_the_package_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"optimizer {project['project']['version']}\n"


def test_no_plan_for_want_of_time_says_how_to_give_more() -> None:
    from optimizer.cli import _no_plan

    assert "give more seconds (--time-limit" in _no_plan("x.yaml", "time_limit")
    assert _no_plan("x.yaml", "infeasible") == "x.yaml: no plan: infeasible"


def test_validate_reports_each_invalid_file(tmp_path: Path) -> None:
    broken = write(tmp_path, INVALID, "broken.yaml")
    result = invoke("validate", B2B, broken)
    assert result.exit_code == 2
    assert result.stdout.startswith(f"ok: {B2B}")
    assert f"{broken}: platforms.tiktok.tiers.micro.followers" in result.stderr


def test_schema_is_json_schema_with_described_properties() -> None:
    result = invoke("schema")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    complete = schema["$defs"]["Scenario"]
    assert {"platforms", "budget", "objective"} <= set(complete["properties"])
    assert {"name", "platforms"} <= set(complete["required"])
    for model_name, model in schema["$defs"].items():
        for name, field in model.get("properties", {}).items():
            assert field.get("description"), f"{model_name}.{name}"


def schema_problems(document: dict[str, Any]) -> list[str]:
    schema = json.loads(invoke("schema").stdout)
    found = jsonschema.Draft202012Validator(schema).iter_errors(document)
    return [".".join(map(str, error.path)) for error in found]


def test_the_schema_takes_null_for_a_field_that_is_not_required() -> None:
    """As the loader does: null means not given, with or without extends."""
    offer = {**OFFER_FIELDS, "reach_rate": None, "min": None, "available": None}
    document = {"name": "a", "currency": None, "platforms": {"x": {"tiers": {"micro": offer}}}}
    assert schema_problems(document) == []
    assert schema_problems({**document, "name": None}) == ["name"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_every_shipped_scenario_is_valid_under_the_schema(path: Path) -> None:
    """What an editor checks is the file as written: with extends, nulls and from_csv."""
    assert schema_problems(yaml.safe_load(path.read_text(encoding="utf-8"))) == []


OFFER_FIELDS = {
    "followers": 1000,
    "cost_per_post": 9,
    "engagement_rate": 0.05,
    "conversion_rate": 0,
}


@pytest.mark.parametrize(
    ("document", "where"),
    [
        ({"budget": {"total": 1}, "platforms": {"x": {"tiers": {"micro": OFFER_FIELDS}}}}, ""),
        (
            {"name": "a", "platforms": {"x": {"tiers": {"micro": {"cost_per_post": 9}}}}},
            "platforms.x.tiers",  # tiers may be null, so the error is reported there
        ),
        ({"name": "a", "platforms": {"x": None}}, "platforms.x"),
        ({"extends": "benchmarks-2026", "budgett": {"total": 1}}, ""),
        ({"extends": "benchmarks-2026", "budget": {"total": "lots"}}, "budget"),
        ({"name": "a", "budget": {"total": -5}, "platforms": {}}, "budget"),
        # inside a field that may also be null, the error is reported at that field
        ({"extends": "benchmarks-2026", "budget": {"total": -5}}, "budget"),
        ({"extends": "benchmarks-2026", "solver": {"gap": 3}}, "solver"),
        ({"extends": "benchmarks-2026", "rules": {"tolerance": 0.9}}, "rules"),
        (
            {"extends": "benchmarks-2026", "rules": {"shares": [{"name": "a", "max": 1.4}]}},
            "rules",
        ),
        ({"extends": "benchmarks-2026", "saturation": [{"factor": 0}]}, "saturation"),
    ],
    ids=[
        "no-name",
        "offer-incomplete",
        "null-without-extends",
        "unknown-key",
        "text-amount",
        "negative-budget-without-extends",
        "negative-budget",
        "gap-above-one",
        "tolerance-above-half",
        "share-above-one",
        "factor-zero",
    ],
)
def test_schema_finds_what_validation_would(document: dict[str, Any], where: str) -> None:
    """Only a file that extends another may leave fields out or remove them with null."""
    assert where in schema_problems(document)


PRESET_BOUNDS = {
    "70-20-10:proven-micro": "65% to 75%",
    "70-20-10:macro-experiments": "15% to 25%",
    "70-20-10:emerging-tests": "5% to 15%",
    "ecommerce:micro": "80% to 90%",
    "b2b-saas:macro": "60% to 70%",
    "consumer-app:micro": "45% to 55%",
    "consumer-app:macro": "45% to 55%",
    "seasonal:q4-reach": "at least 30%",
    "seasonal:q1-micro": "at least 75%",
}


def rows_by_rule(text: str) -> dict[str, str]:
    """The line of each rule in the presets tables, by rule name."""
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.split("│")]
        if len(cells) > 2 and cells[1]:
            rows[cells[1]] = line
    return rows


def test_presets_lists_each_rule_of_the_format_with_its_bounds() -> None:
    result = invoke("presets", columns=120)
    assert result.exit_code == 0, result.output
    rows = rows_by_rule(result.stdout)
    for rule, bounds in PRESET_BOUNDS.items():
        assert f" {bounds} " in rows[rule], rows.get(rule)


def test_presets_shows_a_finer_tolerance_exactly() -> None:
    result = invoke("presets", "--tolerance", "0.025", columns=120)
    assert result.exit_code == 0, result.output
    rows = rows_by_rule(result.stdout)
    assert " 67.5% to 72.5% " in rows["70-20-10:proven-micro"]
    assert " 80% to 90% " in rows["ecommerce:micro"]


@pytest.mark.parametrize("arguments", [["--tolerance", "-0.1"], ["--tolerance", "0.9"]])
def test_presets_rejects_a_tolerance_out_of_range(arguments: Sequence[str]) -> None:
    assert invoke("presets", *arguments).exit_code == 2


def test_solve_help_mentions_every_option() -> None:
    result = invoke("solve", "--help", columns=120)
    assert result.exit_code == 0, result.output
    for option in (
        "--format",
        "--output",
        "--solver",
        "--time-limit",
        "--gap",
        "--export",
        "--workers",
        "--explain",
    ):
        assert option in result.stdout, option
    explain = next(line for line in result.stdout.splitlines() if "--explain " in line)
    assert "<bool>" not in explain  # a flag takes no value


@pytest.mark.parametrize(
    "command", [[], ["solve"], ["explain"], ["compare"], ["sweep"], ["validate"], ["presets"]]
)
def test_help_names_what_each_option_takes(command: list[str]) -> None:
    """Options and arguments show a placeholder (FILE, SECONDS), not a Python type; flags show
    none."""
    result = invoke(*command, "--help", columns=120)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    options = [line for line in lines if line.lstrip("│ ").startswith("-")]
    assert options and any("--help" in line for line in options)
    arguments = [line for line in lines if line.lstrip("│ ").startswith("*")]
    for line in options + arguments:
        assert not re.search(r"<[a-zA-Z]", line), line  # <bool>, <float range>, <list[Path]>
    if command in (["solve"], ["compare"], ["validate"]):
        assert any(" FILE... " in line for line in arguments), arguments
        assert re.search(r"Usage: \w+ \w+ \[OPTIONS\] FILE\.\.\.\s", result.stdout)
    if command in (["explain"], ["sweep"]):
        assert any(" FILE " in line for line in arguments), arguments
        assert re.search(r"Usage: \w+ \w+ \[OPTIONS\] FILE\s", result.stdout)
    if command in (["solve"], ["compare"], ["sweep"]):
        assert any(" FILE " in line for line in options if "--output" in line)


def test_a_plan_that_buys_nothing_says_why(tmp_path: Path) -> None:
    """80-90% on micro and 60-70% on macro cannot both hold: only the empty plan meets both."""
    path = write(tmp_path, {"extends": str(B2B), "rules": {"presets": ["ecommerce", "b2b-saas"]}})
    payload = solve_json(path)
    assert payload["status"] == "optimal" and payload["totals"]["count"] == 0
    result = invoke("solve", path)
    assert "The plan buys nothing" in result.stdout
    assert "The plan buys nothing" not in invoke("solve", B2B).stdout
    # JSON has no room for the sentence: it goes to standard error, which scripts still see
    as_json = invoke("solve", path, "--format", "json")
    assert as_json.exit_code == 0 and json.loads(as_json.stdout)["totals"]["count"] == 0
    assert f"note: {path}: The plan buys nothing" in as_json.stderr
    assert invoke("solve", B2B, "--format", "json").stderr == ""


def test_piped_standard_error_holds_messages_only() -> None:
    """Progress bars are for a person at a terminal: piped, they would leave empty lines."""
    swept = invoke("sweep", B2B, "--budget", "2e5,3e5")
    assert swept.exit_code == 0, swept.output
    assert swept.stderr == ""
    infeasible = SCENARIOS / "infeasible" / "holiday-push.yaml"
    explained = invoke("explain", infeasible)
    assert explained.exit_code == 1
    assert explained.stderr == f"{infeasible}: no plan: infeasible\n"


def test_names_from_the_file_stay_text_in_every_format(tmp_path: Path) -> None:
    """A name may start with `=`, hold a control character, HTML or a line break: CSV and
    workbooks must not run it as a formula, Markdown must not run its HTML or break a row."""
    rule = "=SUM(A1)\f<b>cap</b>"
    share = {"name": rule, "select": {"platforms": ["linkedin"]}, "max": 0.9}
    data = {"extends": str(B2B), "name": "Plan\nfolded", "rules": {"shares": [share]}}
    path = write(tmp_path, data)
    for ending in ("csv", "md", "xlsx"):
        result = invoke("solve", path, "-o", tmp_path / f"plan.{ending}")
        assert result.exit_code == 0, result.output
    rules_csv = list(csv.reader(io.StringIO((tmp_path / "plan-rules.csv").read_text())))
    assert [row[0] for row in rules_csv if "SUM" in row[0]] == ["'" + rule]
    markdown = (tmp_path / "plan.md").read_text()
    assert markdown.startswith("# Plan folded\n")
    assert "<b>" not in markdown and "&lt;b&gt;cap&lt;/b&gt;" in markdown
    workbook = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    names = [row[0] for row in workbook["Rules"].iter_rows(values_only=True)]
    assert "=SUM(A1)<b>cap</b>" in names  # text, not a formula; the form feed dropped


def test_compare_and_sweep_exit_1_when_no_plan_exists() -> None:
    """As `solve` does: a compared scenario without a plan is named on stderr, exit 1; a sweep
    exits 1 only when none of its points has a plan."""
    infeasible = SCENARIOS / "infeasible" / "holiday-push.yaml"
    compared = invoke("compare", B2B, infeasible)
    assert compared.exit_code == 1
    assert "Holiday push: no plan: infeasible" in compared.stderr
    assert invoke("compare", B2B, SCENARIOS / "consumer-app.yaml").exit_code == 0
    swept = invoke("sweep", infeasible, "--budget", "1e5,2e5")
    assert swept.exit_code == 1 and "no point of the sweep has a plan" in swept.stderr
    partly = invoke("sweep", SCENARIOS / "ecommerce-dtc.yaml", "--budget", "5e4,2.5e5")
    assert partly.exit_code == 0  # the $50,000 point has no plan, the other has one


def test_a_narrow_terminal_folds_figures_and_names_instead_of_cutting_them(
    tmp_path: Path,
) -> None:
    mega = {"cost_per_post": 5e6, "followers": 2e8, "available": 60, "conversion_rate": 0.01}
    limit = {"select": {"platforms": ["youtube"], "tiers": ["macro"]}, "count": {"max": 1}}
    data = {
        "extends": "benchmarks-2026",
        "name": "Huge spend",
        "budget": {"total": 1e9},
        "objective": "conversions",
        "platforms": {"tiktok": {"tiers": {"mega": {**mega, "engagement_rate": 0.05}}}},
        "rules": {
            "limits": [
                {"name": "youtube-macro-creators-agreed-with-the-brand-team-" + end, **limit}
                for end in ("first", "second")
            ]
        },
    }
    result = invoke("solve", write(tmp_path, data), columns=80)
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout
    months = {**data, "periods": [f"Month-{m:02d}" for m in range(1, 7)], "seasonality": None}
    grid = invoke("solve", write(tmp_path, months), columns=80)
    assert "┃ Period " in grid.stdout  # six months: one row per cell, not six columns


def test_an_output_ending_no_format_has_is_refused(tmp_path: Path) -> None:
    result = invoke("solve", B2B, "-o", tmp_path / "plan.xls")
    assert result.exit_code == 2 and "no format is written as .xls" in result.stderr
    assert not (tmp_path / "plan.xls").exists()
    chosen = invoke("solve", B2B, "-o", tmp_path / "plan.xls", "--format", "csv")
    assert chosen.exit_code == 0 and (tmp_path / "plan.xls").read_text().startswith("period,")


def test_a_share_just_off_its_bound_shows_two_decimals() -> None:
    """One decimal would print 50.0% against a 50.0% maximum with Binds empty."""
    path = SCENARIOS / "ecommerce-dtc.yaml"
    rule = next(r for r in solve_json(path)["rules"] if r["name"] == "tiktok-at-most-half")
    assert not rule["binding"] and round(rule["value"], 3) == rule["max"]
    shown = f"{100 * rule['value']:.2f}%"
    assert shown != f"{100 * rule['max']:.2f}%"
    assert shown in invoke("solve", path).stdout
    assert (
        f"| tiktok-at-most-half | share | spend | {shown} |"
        in invoke("solve", path, "--format", "md").stdout
    )


def test_compare_with_a_scenario_without_a_plan_writes_its_report(tmp_path: Path) -> None:
    infeasible = SCENARIOS / "infeasible" / "holiday-push.yaml"
    result = invoke("compare", B2B, infeasible, "-o", tmp_path / "c.md")
    assert result.exit_code == 1, result.output  # no plan for one of them, named on stderr
    assert "## Rules" in (tmp_path / "c.md").read_text()


def test_output_onto_an_input_that_does_not_parse_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"name": "x", oops}')
    result = invoke("solve", B2B, broken, "--format", "json", "-o", broken)
    assert result.exit_code == 2 and "is an input file" in result.stderr
    assert broken.read_text() == '{"name": "x", oops}'


def test_a_sweep_csv_keeps_whole_counts_beside_a_point_without_a_plan(tmp_path: Path) -> None:
    result = invoke("sweep", SCENARIOS / "ecommerce-dtc.yaml", "--budget", "5e4,2.5e5", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["count"] == "" and rows[1]["count"].isdigit()  # $50,000 has no plan
