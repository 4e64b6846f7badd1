"""`optimizer init` and `starter_scenario`: a commented starter file that validates and solves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

import optimizer
from optimizer.cli import app
from optimizer.errors import OptimizerError
from optimizer.scenario.loading import load_scenario
from optimizer.scenario.starter import starter_scenario


def invoke(*args: Any, input: str | None = None) -> Result:
    return CliRunner().invoke(app, [str(arg) for arg in args], input=input)


def solved(text: str) -> optimizer.Plan:
    plan = optimizer.solve(optimizer.scenario_from_dict(yaml.safe_load(text)))
    assert plan.status == "optimal"
    assert plan.to_dict()["totals"]["count"] > 0  # a plan that buys something
    return plan


def test_the_default_starter_extends_the_rate_card_and_solves() -> None:
    text = starter_scenario()
    data = yaml.safe_load(text)
    assert data["extends"] == "benchmarks-2026"
    assert data["rules"]["presets"] == ["70-20-10"]
    assert data["budget"]["total"] == 250_000
    assert data["platforms"] == {"linkedin": None}  # tiktok, instagram and youtube stay
    solved(text)


def test_every_key_the_starter_sets_is_explained_by_a_comment() -> None:
    for line in starter_scenario().splitlines():
        code = line.split("#")[0].strip()
        if code and code not in ("budget:", "rules:", "solver:"):
            assert " # " in line, line
    text = starter_scenario()
    for example in ("# shares:", "# limits:", "# saturation:", "# periods:"):
        assert example in text  # the rest of the format shows as commented-out examples


@pytest.mark.parametrize(
    "options",
    [
        {"preset": "ecommerce", "platforms": ["tiktok", "instagram"], "budget": 100_000},
        {"preset": "b2b-saas", "platforms": "linkedin, youtube", "objective": "revenue"},
        {"preset": "seasonal", "platforms": ["tiktok", "instagram", "youtube", "linkedin"]},
        {"preset": "consumer-app", "periods": "H1,H2", "objective": "reach"},
        {"preset": "none", "periods": ["Q1", "Q2"], "objective": "profit", "budget": 50_000},
        {"preset": "70-20-10", "periods": ["Spring 2026", "yes", "10"], "budget": 400_000},
    ],
    ids=["ecommerce", "b2b-saas", "seasonal", "consumer-app", "no-preset", "odd-period-names"],
)
def test_a_starter_with_options_validates_and_solves(options: dict[str, Any]) -> None:
    text = starter_scenario(**options)
    data = yaml.safe_load(text)
    if "periods" in options:
        wanted = options["periods"]
        periods = wanted.split(",") if isinstance(wanted, str) else wanted
        assert data["periods"] == periods
    plan = solved(text)
    if options.get("objective") in ("revenue", "profit"):
        assert data["average_order_value"] > 0
    assert plan.to_dict()["objective"]["metric"] == options.get("objective", "conversions")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"preset": "70-20-11"}, "unknown preset '70-20-11'; choose from 70-20-10, ecommerce,"),
        ({"platforms": "tiktok,snapchat"}, "no platform 'snapchat'; choose from tiktok,"),
        ({"platforms": ""}, "give at least one platform"),
        ({"budget": 0}, "the budget must be above 0"),
        ({"budget": 2e12}, "at most 1e12"),
        ({"periods": "Q1,Q1"}, "periods must be unique; repeated: Q1"),
        ({"objective": "sales"}, "unknown objective 'sales'; choose from conversions,"),
    ],
)
def test_a_starter_option_it_cannot_use_names_the_choices(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(OptimizerError, match=message):
        starter_scenario(**options)


def test_init_without_a_file_prints_the_starter() -> None:
    result = invoke("init", "--preset", "ecommerce", "--budget", "120000")
    assert result.exit_code == 0, result.output
    assert result.stdout == starter_scenario(preset="ecommerce", budget=120_000)


def test_init_without_options_and_without_a_terminal_asks_nothing() -> None:
    result = invoke("init")
    assert result.exit_code == 0, result.output
    assert result.stdout == starter_scenario() and result.stderr == ""


def test_init_writes_a_file_that_validate_and_solve_accept(tmp_path: Path) -> None:
    path = tmp_path / "launch.yaml"
    result = invoke("init", path, "--platforms", "tiktok,instagram", "--periods", "H1,H2")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"wrote {path}" in result.stderr
    scenario = load_scenario(path)
    assert scenario.name == "launch" and scenario.periods == ["H1", "H2"]
    assert set(scenario.platforms) == {"tiktok", "instagram"}
    validated = invoke("validate", path)
    assert validated.exit_code == 0 and validated.stdout.startswith(f"ok: {path}")
    assert "warning" not in validated.stderr
    assert invoke("solve", path).exit_code == 0


def test_init_refuses_to_overwrite_a_file_unless_forced(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("name: mine\n")
    result = invoke("init", path)
    assert result.exit_code == 2
    assert f"{path} exists: give --force to overwrite it" in result.stderr
    assert path.read_text() == "name: mine\n"
    assert invoke("init", path, "--force").exit_code == 0
    assert load_scenario(path).name == "plan"


@pytest.mark.parametrize("name", ["plan.json", "plan.toml", "plan"])
def test_init_writes_yaml_only(tmp_path: Path, name: str) -> None:
    result = invoke("init", tmp_path / name)
    assert result.exit_code == 2 and "init writes YAML" in result.stderr
    assert not (tmp_path / name).exists()


def test_init_reports_a_bad_option_with_exit_2(tmp_path: Path) -> None:
    result = invoke("init", tmp_path / "plan.yaml", "--preset", "seasonl")
    assert result.exit_code == 2 and "unknown preset 'seasonl'" in result.stderr
    assert not (tmp_path / "plan.yaml").exists()


def test_init_in_a_terminal_asks_for_preset_platforms_and_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("optimizer.cli.init._interactive", lambda: True)
    path = tmp_path / "asked.yaml"
    result = invoke("init", path, input="ecommerce\ntiktok, youtube\n90000\n")
    assert result.exit_code == 0, result.output
    assert "Preset (70-20-10, ecommerce, b2b-saas, consumer-app, seasonal, none)" in result.stderr
    scenario = load_scenario(path)
    assert scenario.rules.presets == ["ecommerce"] and scenario.budget.total == 90_000
    assert set(scenario.platforms) == {"tiktok", "youtube"}
    # an option given means no questions
    given = invoke("init", tmp_path / "given.yaml", "--budget", "80000", input="")
    assert given.exit_code == 0 and "Preset" not in given.stderr
