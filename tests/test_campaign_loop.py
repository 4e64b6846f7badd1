"""The README's loop on the shipped campaign (`scenarios/campaign/`): brief, simulated
results, calibrate, plan again and compare, run as written from the command line and from
Python, making the shipped files again byte for byte."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from child_process import run_file

import optimizer

ROOT = Path(__file__).resolve().parent.parent
CAMPAIGN = ROOT / "scenarios" / "campaign"
PARENT = ROOT / "scenarios" / "70-20-10-seasonal.yaml"
SHIPPED = ("brief.csv", "results.csv", "calibrated.yaml")


def section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## Briefs and calibration", 1)[1].split("\n## ", 1)[0]


def loop_commands() -> list[list[str]]:
    found = re.search(r"```bash\n(.*?)```", section(), re.S)
    assert found, "the section walks the loop in a bash block"
    commands = []
    for line in found.group(1).replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        if words:
            commands.append(words)
    return commands


def _run(words: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    program = {"optimizer": [sys.executable, "-m", "optimizer"], "python": [sys.executable]}
    assert words[0] in program, words
    return subprocess.run(
        [*program[words[0]], *words[1:]],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "80", "PYTHONIOENCODING": "utf-8"},
        timeout=300,
    )


def test_the_readme_loop_makes_the_shipped_files_and_a_second_plan(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    for name in SHIPPED:
        (tmp_path / "scenarios" / "campaign" / name).unlink()
    commands = loop_commands()
    assert [words[:2] for words in commands] == [
        ["optimizer", "solve"],
        ["optimizer", "brief"],
        ["python", "scenarios/campaign/simulate_results.py"],
        ["optimizer", "calibrate"],
        ["optimizer", "solve"],
        ["optimizer", "compare"],
    ]
    outputs = []
    for words in commands:
        done = _run(words, tmp_path)
        assert done.returncode == 0, (words, done.stderr)
        outputs.append(done)
    # the documented commands make the shipped files again
    for name in SHIPPED:
        made = (tmp_path / "scenarios" / "campaign" / name).read_bytes()
        assert made == (CAMPAIGN / name).read_bytes(), name
    # the calibrated scenario extends the shipped one and overrides only offers with results
    calibrated_path = tmp_path / "scenarios" / "campaign" / "calibrated.yaml"
    data = yaml.safe_load(calibrated_path.read_text(encoding="utf-8"))
    assert data["extends"] == "../70-20-10-seasonal.yaml"
    assert set(data) == {"extends", "platforms"}
    parent = optimizer.load_scenario(PARENT)
    calibrated = optimizer.load_scenario(calibrated_path)
    overridden = {(p, t) for p, spec in data["platforms"].items() for t in spec["tiers"]}
    assert overridden == {
        ("tiktok", "nano"),
        ("tiktok", "micro"),
        ("instagram", "micro"),
        ("instagram", "mega"),
        ("threads", "micro"),
    }
    for platform, tier, offer in parent.offers():
        again = calibrated.platforms[platform].tiers[tier]
        if (platform, tier) in overridden:
            assert again != offer and isinstance(again.reach_rate, tuple)
        else:
            assert again == offer
    assert calibrated.budget == parent.budget and calibrated.rules == parent.rules
    # the unmatched row is named, learning weighs the plan's spend on emerging tests
    calibrate_err = outputs[3].stderr
    assert "line 266: not used: code SPRING10" in calibrate_err
    assert "wrote scenarios/campaign/calibrated.yaml: 5 offers calibrated from 264 rows" in (
        calibrate_err
    )
    assert "plan's spend on emerging tests" in outputs[3].stdout
    plans = [
        json.loads((tmp_path / name).read_text()) for name in ("plan.json", "calibrated-plan.json")
    ]
    assert [plan["status"] for plan in plans] == ["optimal", "optimal"]
    assert plans[1]["allocation"] != plans[0]["allocation"]
    compared = outputs[5].stdout
    assert "Cells that change" in compared
    # the README quotes what the commands print
    text = section()
    for figure in (
        f"{plans[0]['objective']['value']:,.0f}",
        f"{plans[1]['objective']['value']:,.0f}",
    ):
        assert figure in compared and figure in text
    assert "264 slots of campaign" in outputs[1].stderr and "264 slots of campaign" in text
    assert outputs[2].stdout.strip() in text


def test_the_readme_python_loop_runs(tmp_path: Path) -> None:
    found = re.search(r"The same loop from Python.*?```python\n(.*?)```", section(), re.S)
    assert found, "the section shows the loop in Python"
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    script = tmp_path / "loop.py"
    script.write_text(
        found.group(1)
        + "import csv\n"
        + "shipped = [r['code'] for r in csv.DictReader(open('scenarios/campaign/brief.csv'))]\n"
        + "print([row['code'] for row in brief.rows] == shipped)\n"
        + "print(calibration.test_budget_from, round(calibration.test_budget))\n"
        + "print(len(comparison.cells) > 0, again.has_plan)\n"
    )
    done = run_file(script)
    assert done.returncode == 0, done.stderr
    plan = json.loads(
        subprocess.run(
            [sys.executable, "-m", "optimizer", "solve", str(PARENT), "--format", "json"],
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        ).stdout
    )
    emerging = sum(
        row["spend"]
        for row in plan["allocation"]
        if row["platform"] == "threads" or row["tier"] == "nano"
    )
    assert done.stdout.split("\n")[:3] == ["True", f"plan {emerging:.0f}", "True True"]
    assert (tmp_path / "brief.xlsx").exists()
    assert yaml.safe_load((tmp_path / "calibrated.yaml").read_text())["extends"] == (
        "scenarios/70-20-10-seasonal.yaml"
    )


@pytest.mark.parametrize("seed", [2026, 7])
def test_the_simulated_export_follows_its_seed(tmp_path: Path, seed: int) -> None:
    words = [
        "python",
        "scenarios/campaign/simulate_results.py",
        "--seed",
        str(seed),
        "-o",
        str(tmp_path / "results.csv"),
    ]
    assert _run(words, ROOT).returncode == 0
    made = (tmp_path / "results.csv").read_bytes()
    assert (made == (CAMPAIGN / "results.csv").read_bytes()) == (seed == 2026)
