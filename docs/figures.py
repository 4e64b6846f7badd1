"""Regenerate the charts the README shows, from shipped scenarios.

    python docs/figures.py

Each chart is the one `optimizer compare --format html` or `optimizer sweep --format html`
embeds, written as an SVG file beside this script.
"""

from __future__ import annotations

from pathlib import Path

from optimizer import compare, load_scenario, solve, sweep
from optimizer.analysis.baseline import spreadsheet_plan
from optimizer.analysis.sweep import parse_range
from optimizer.files import write_text
from optimizer.report.document import comparison_report, sweep_report

ROOT = Path(__file__).resolve().parent.parent
IMAGES = Path(__file__).resolve().parent / "images"


def main() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "ecommerce-dtc.yaml")
    frontier = sweep(scenario, parse_range("50000:600000:25000"), workers=2)
    write_text(IMAGES / "frontier.svg", sweep_report(frontier, scenario.currency).charts[0].svg)
    baseline = spreadsheet_plan(scenario)
    comparison = compare([baseline, solve(scenario)], labels=["spreadsheet", "optimized"])
    write_text(IMAGES / "comparison.svg", comparison_report(comparison).charts[0].svg)


if __name__ == "__main__":
    main()
