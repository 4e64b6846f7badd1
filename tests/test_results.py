"""Briefs, results and calibration (sections 10 and 11 of the format): codes and links,
messy exports, matching rows to offers, and calibrated figures that recover a known truth
from simulated campaigns."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from campaigns import Truth, simulate
from typer.testing import CliRunner

import optimizer
from optimizer.cli import app
from optimizer.results import (
    TableError,
    calibrate,
    calibrated_yaml,
    make_brief,
    read_brief,
    read_results,
    write_brief,
)
from optimizer.results.codes import ALPHABET, is_valid, tracking_url
from optimizer.scenario.loading import load_scenario, scenario_from_dict

ROOT = Path(__file__).resolve().parents[1]
ECOMMERCE = ROOT / "scenarios" / "ecommerce-dtc.yaml"
SATURATION = ROOT / "scenarios" / "saturation.yaml"
SEASONAL_70_20_10 = ROOT / "scenarios" / "70-20-10-seasonal.yaml"
CAMPAIGN = ROOT / "scenarios" / "campaign"
URL = "https://shop.example.com/launch?ref=spring"

SEASONAL = {
    "name": "Seasonal test",
    "extends": "benchmarks-2026",
    "budget": {"total": 250000},
    "seasonality": {
        "Q1": {"cost": 0.8, "engagements": 0.9, "conversions": 0.7, "reach": 0.85},
        "Q4": {"cost": 1.3, "engagements": 1.2, "conversions": 1.5, "reach": 1.1},
    },
}
TRUTH = {
    ("tiktok", "micro"): Truth(0.05, 0.012, 1.3, 1600.0),
    ("instagram", "micro"): Truth(0.035, 0.03, 0.3, 1200.0),
    ("youtube", "macro"): Truth(0.02, 0.011, 0.8, 40000.0),
}


def runner_invoke(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(arg) for arg in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def seasonal() -> optimizer.Scenario:
    return scenario_from_dict(SEASONAL)


def _results(scenario: optimizer.Scenario, posts: int, seed: int = 0, **options: float):
    rows = simulate(scenario, TRUTH, {key: posts for key in TRUTH}, seed=seed, **options)
    return rows


def _calibrated(
    scenario: optimizer.Scenario, rows: pd.DataFrame, tmp_path: Path, name: str = "r.csv"
):
    path = tmp_path / name
    rows.to_csv(path, index=False)
    return calibrate(scenario, read_results(path, scenario))


# Codes and links


def test_brief_codes_are_unique_readable_and_stable(tmp_path: Path) -> None:
    plan = optimizer.solve(ECOMMERCE)
    first = make_brief(plan, URL)
    again = make_brief(optimizer.solve(ECOMMERCE), URL)
    codes = [row["code"] for row in first.rows]
    assert len(codes) == plan.totals["count"] == len(set(codes))
    assert codes == [row["code"] for row in again.rows]
    assert all(6 <= len(code) <= 12 and set(code) <= set(ALPHABET) for code in codes)
    assert not set("0O1IL") & set("".join(codes))
    assert all(is_valid(code) for code in codes)
    assert all(
        row["code"].startswith("TKM")
        for row in first.rows
        if row["platform"] == "tiktok" and row["tier"] == "micro"
    )
    other = make_brief(plan, URL, campaign="autumn")
    assert not set(codes) & {row["code"] for row in other.rows}


def test_brief_codes_avoid_existing_ones(tmp_path: Path) -> None:
    plan = optimizer.solve(ECOMMERCE)
    first = make_brief(plan, URL)
    taken = {row["code"] for row in first.rows[:50]}
    second = make_brief(plan, URL, existing=taken)
    codes = [row["code"] for row in second.rows]
    assert not taken & set(codes)
    assert len(set(codes)) == len(codes)
    assert codes[50:] == [row["code"] for row in first.rows[50:]]


def test_tracking_url_keeps_the_query_and_adds_utm() -> None:
    url = tracking_url(URL + "&utm_source=old", "tiktok", "dtc-skincare-2026", "TKMABCD2")
    assert url == (
        "https://shop.example.com/launch?ref=spring&utm_source=tiktok&utm_medium=influencer"
        "&utm_campaign=dtc-skincare-2026&utm_content=TKMABCD2"
    )


def test_brief_slots_follow_saturation_and_add_up(tmp_path: Path) -> None:
    plan = optimizer.solve(SATURATION)
    brief = make_brief(plan, URL, campaign="Scale up")
    frame = pd.DataFrame(brief.rows)
    sums = frame.groupby(["period", "platform", "tier"])[["spend", "conversions"]].sum()
    allocation = plan.allocation
    for key, row in allocation.iterrows():
        assert sums.loc[key, "spend"] == pytest.approx(row["spend"])
        assert sums.loc[key, "conversions"] == pytest.approx(row["conversions"])
    largest = allocation["count"].idxmax()
    slots = frame.set_index(["period", "platform", "tier"]).loc[largest].sort_values("slot")
    assert (np.diff(slots["conversions"].to_numpy()) <= 1e-9).all()
    assert slots["conversions"].iloc[0] > slots["conversions"].iloc[-1]
    assert all("utm_campaign=Scale+up" in url for url in frame["url"])


def test_brief_command_writes_csv_and_a_workbook_to_hand_out(tmp_path: Path) -> None:
    code, _, err = runner_invoke("brief", ECOMMERCE, "-o", tmp_path / "b.csv", "--url", URL)
    assert code == 0, err
    with (tmp_path / "b.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "code",
        "period",
        "platform",
        "tier",
        "creator",
        "slot",
        "spend",
        "engagements",
        "conversions",
        "url",
    ]
    assert len(rows) == 146
    code, _, err = runner_invoke(
        "brief",
        ECOMMERCE,
        "-o",
        tmp_path / "b.xlsx",
        "--url",
        URL,
        "--existing",
        tmp_path / "b.csv",
    )
    assert code == 0, err
    sheet = openpyxl.load_workbook(tmp_path / "b.xlsx").active
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$3:$3"
    assert sheet["A3"].font.name and sheet["A3"].font.bold
    assert sheet.column_dimensions["J"].width > 40
    again = read_brief(tmp_path / "b.xlsx")
    assert len(again.slots) == 146
    assert not set(again.slots) & {row["code"] for row in rows}
    # a saved plan gives the same brief as its scenario
    code, out, _ = runner_invoke("solve", ECOMMERCE, "--format", "json")
    (tmp_path / "plan.json").write_text(out)
    code, _, err = runner_invoke(
        "brief",
        tmp_path / "plan.json",
        "--scenario",
        ECOMMERCE,
        "-o",
        tmp_path / "c.csv",
        "--url",
        URL,
    )
    assert code == 0, err
    assert (tmp_path / "c.csv").read_text() == (tmp_path / "b.csv").read_text()
    code, _, err = runner_invoke("brief", ECOMMERCE, "-o", tmp_path / "d.csv", "--url", "shop")
    assert code == 2 and "absolute web address" in err


# Calibration against a known truth


def test_calibration_recovers_the_truth_under_seasonality(
    seasonal: optimizer.Scenario, tmp_path: Path
) -> None:
    rows = _results(seasonal, 2000, seed=3)
    calibration = _calibrated(seasonal, rows, tmp_path)
    offers = {(o.platform, o.tier): o for o in calibration.calibrated}
    assert set(offers) == set(TRUTH)
    for key, truth in TRUTH.items():
        figures = offers[key].figures
        engagements = rows[(rows.platform == key[0]) & (rows.tier == key[1])].engagements.sum()
        # tolerances from the sample sizes: 4 sd of each observed rate
        conversion = figures["conversion_rate"].calibrated
        assert conversion == pytest.approx(
            truth.conversion_rate, abs=4 * math.sqrt(truth.conversion_rate / engagements)
        )
        rate = figures["engagement_rate"].calibrated
        assert rate == pytest.approx(truth.engagement_rate, rel=4 / math.sqrt(engagements))
        reach = figures["reach_rate"].calibrated
        assert reach == pytest.approx(truth.reach_rate, rel=0.01)
        price = next(f for n, f in figures.items() if n.startswith("cost"))
        if price.name == "cost_per_post":
            assert price.calibrated == pytest.approx(
                truth.cost_per_post, rel=4 * 0.2 / math.sqrt(2000)
            )
        for figure in figures.values():
            low, high = figure.range
            assert (low + high) / 2 == pytest.approx(figure.calibrated, rel=1e-5)
            assert low <= figure.interval[0] * (1 + 1e-9) and high >= figure.interval[1] * (
                1 - 1e-9
            )


def test_with_creators_spread_the_intervals_hold_the_truth_as_often_as_they_say(
    seasonal: optimizer.Scenario, tmp_path: Path
) -> None:
    # a weak prior (engagement rates anywhere in [0, 0.2]): the interval is the data's
    weak = {key[0]: {"tiers": {key[1]: {"engagement_rate": [0.0, 0.2]}}} for key in TRUTH}
    scenario = scenario_from_dict({**SEASONAL, "platforms": weak})
    held = total = 0
    for seed in range(20):
        rows = _results(scenario, 40, seed=seed, creator_spread=0.5)
        calibration = _calibrated(scenario, rows, tmp_path)
        for offer in calibration.calibrated:
            truth = TRUTH[(offer.platform, offer.tier)]
            low, high = offer.figures["engagement_rate"].interval
            held += low <= truth.engagement_rate <= high
            total += 1
    # an 80% interval holds the truth in about 48 of 60 offers
    assert 0.6 <= held / total <= 0.97


def test_little_data_lies_between_and_much_data_follows_it(
    seasonal: optimizer.Scenario, tmp_path: Path
) -> None:
    planned = seasonal.platforms["tiktok"].tiers["micro"].conversion_rate
    prior = sum(planned) / 2
    truth = TRUTH[("tiktok", "micro")].conversion_rate
    few = _calibrated(seasonal, _results(seasonal, 2, seed=1), tmp_path).calibrated
    many = _calibrated(seasonal, _results(seasonal, 3000, seed=1), tmp_path).calibrated
    few_rate = next(o for o in few if o.tier == "micro" and o.platform == "tiktok")
    many_rate = next(o for o in many if o.tier == "micro" and o.platform == "tiktok")
    little = few_rate.figures["conversion_rate"]
    assert truth < little.calibrated < prior
    assert min(little.observed, prior) < little.calibrated < max(little.observed, prior)
    lots = many_rate.figures["conversion_rate"]
    assert abs(lots.calibrated - lots.observed) < 0.02 * lots.observed
    assert lots.calibrated < planned[0]  # data move it outside the parent's range


def test_more_data_narrows_every_interval(seasonal: optimizer.Scenario, tmp_path: Path) -> None:
    small = _calibrated(seasonal, _results(seasonal, 10, seed=5), tmp_path).calibrated
    large = _calibrated(seasonal, _results(seasonal, 400, seed=5), tmp_path).calibrated
    for before, after in zip(small, large, strict=True):
        for name, figure in before.figures.items():
            narrower = after.figures[name]
            assert (
                narrower.interval[1] - narrower.interval[0]
                < figure.interval[1] - figure.interval[0]
            )
            assert narrower.range[1] - narrower.range[0] < figure.range[1] - figure.range[0]


def test_no_data_leaves_every_figure_unchanged(
    seasonal: optimizer.Scenario, tmp_path: Path
) -> None:
    rows = _results(seasonal, 20).iloc[:0]
    calibration = _calibrated(seasonal, rows, tmp_path)
    assert calibration.calibrated == []
    text = calibrated_yaml(calibration, tmp_path / "parent.yaml", tmp_path / "out.yaml")
    assert "platforms" not in yaml.safe_load(text)
    one = _results(seasonal, 20)
    one = one[one.platform == "tiktok"]
    calibration = _calibrated(seasonal, one, tmp_path)
    assert [(o.platform, o.tier) for o in calibration.calibrated] == [("tiktok", "micro")]


def test_learning_says_how_many_posts_narrow_the_conversion_rate(
    seasonal: optimizer.Scenario, tmp_path: Path
) -> None:
    few = _calibrated(seasonal, _results(seasonal, 3, seed=2), tmp_path)
    more = _calibrated(seasonal, _results(seasonal, 300, seed=2), tmp_path)
    for offer in few.offers:
        item = offer.learning
        assert item.posts_needed is not None and item.posts_needed >= 0
        assert item.test_budget == pytest.approx(25000)
        if item.current <= 0.2:
            assert item.posts_needed == 0
    tight = {(o.platform, o.tier): o.learning for o in more.offers}
    for offer in few.calibrated:
        assert tight[(offer.platform, offer.tier)].current < offer.learning.current
        assert tight[(offer.platform, offer.tier)].posts_needed <= offer.learning.posts_needed
    # the posts needed do narrow it: calibrate again with them
    wide = scenario_from_dict(
        {**SEASONAL, "platforms": {"tiktok": {"tiers": {"micro": {"conversion_rate": 0.02}}}}}
    )
    start = _calibrated(wide, _results(wide, 1, seed=4), tmp_path)
    offer = next(o for o in start.calibrated if o.platform == "tiktok")
    needed = offer.learning.posts_needed
    assert needed > 0
    after = _calibrated(wide, _results(wide, 1 + needed, seed=4), tmp_path)
    figure = next(o for o in after.calibrated if o.platform == "tiktok").figures["conversion_rate"]
    half = (figure.interval[1] - figure.interval[0]) / 2
    assert half / figure.calibrated <= 0.2 * 1.15


def test_learning_weighs_posts_against_the_plans_spend_on_emerging_tests(tmp_path: Path) -> None:
    scenario = load_scenario(SEASONAL_70_20_10)
    plan = optimizer.solve(scenario)
    results = read_results(
        CAMPAIGN / "results.csv", scenario, brief=read_brief(CAMPAIGN / "brief.csv")
    )
    # the 10% emerging tests of 70-20-10: Threads is an emerging platform, nano an emerging tier
    allocation = plan.allocation.reset_index()
    emerging = allocation[(allocation["platform"] == "threads") | (allocation["tier"] == "nano")]
    spent = float(emerging["spend"].sum())
    assert spent > 0 and spent != pytest.approx(0.1 * scenario.budget.total)
    from_plan = calibrate(scenario, results, plan=plan)
    from_saved = calibrate(scenario, results, plan=plan.to_dict())
    from_budget = calibrate(scenario, results)
    assert from_plan.test_budget == pytest.approx(spent)
    assert from_plan.test_budget_from == "plan" and from_budget.test_budget_from == "budget"
    assert from_budget.test_budget == pytest.approx(40000)
    for offer, saved, budget in zip(
        from_plan.offers, from_saved.offers, from_budget.offers, strict=True
    ):
        assert offer.learning.to_dict() == saved.learning.to_dict()
        assert offer.learning.test_budget == pytest.approx(spent)
        assert offer.learning.to_dict()["test_budget_from"] == "plan"
        assert budget.learning.test_budget == pytest.approx(40000)
    threads = next(o for o in from_plan.offers if (o.platform, o.tier) == ("threads", "micro"))
    spec = scenario.platforms["threads"].tiers["micro"]
    per_post = 15000 * threads.figures["cost_per_1k_followers"].calibrated / 1000
    assert spec.followers == 15000
    assert threads.learning.affordable == math.floor(spent / per_post)
    budget_threads = next(o for o in from_budget.offers if o.platform == "threads")
    assert budget_threads.learning.affordable == math.floor(40000 / per_post)
    # a plan of another scenario is refused
    with pytest.raises(optimizer.OptimizerError, match="linkedin micro"):
        calibrate(
            scenario,
            results,
            plan={"allocation": [{"platform": "linkedin", "tier": "micro", "spend": 1.0}]},
        )
    # the command reads the saved plan and says which budget it weighed
    (tmp_path / "plan.json").write_text(plan.to_json())
    code, report, err = runner_invoke(
        "calibrate",
        SEASONAL_70_20_10,
        CAMPAIGN / "results.csv",
        "--brief",
        CAMPAIGN / "brief.csv",
        "--plan",
        tmp_path / "plan.json",
        "-o",
        tmp_path / "c.yaml",
        "--format",
        "json",
    )
    assert code == 0, err
    payload = json.loads(report)
    assert payload["test_budget_from"] == "plan"
    assert payload["test_budget"] == pytest.approx(spent)
    code, table, err = runner_invoke(
        "calibrate", SEASONAL_70_20_10, CAMPAIGN / "results.csv", "-o", tmp_path / "c.yaml"
    )
    assert code == 0, err
    assert "10% of budget.total" in " ".join(table.split())
    (tmp_path / "bad.json").write_text('{"not": "a plan"}')
    code, _, err = runner_invoke(
        "calibrate",
        SEASONAL_70_20_10,
        CAMPAIGN / "results.csv",
        "--plan",
        tmp_path / "bad.json",
        "-o",
        tmp_path / "c.yaml",
    )
    assert code == 2 and "--plan" in err


# Reading results


def test_results_joined_by_code_alone_calibrate_the_right_offers(tmp_path: Path) -> None:
    scenario = load_scenario(ECOMMERCE)
    brief = make_brief(optimizer.solve(scenario), URL)
    write_brief(brief, tmp_path / "brief.csv")
    rng = np.random.default_rng(0)
    rows = [
        {
            "code": row["code"],
            "engagements": rng.poisson(row["engagements"]),
            "conversions": rng.poisson(row["conversions"] * 0.5),
            "spend": row["spend"],
        }
        for row in brief.rows
    ]
    pd.DataFrame(rows).to_csv(tmp_path / "results.csv", index=False)
    results = read_results(
        tmp_path / "results.csv", scenario, brief=read_brief(tmp_path / "brief.csv")
    )
    assert not results.unmatched
    calibration = calibrate(scenario, results)
    planned = {(p, t) for (_, p, t) in brief_keys(brief)}
    assert {(o.platform, o.tier) for o in calibration.calibrated} == planned
    for offer in calibration.calibrated:
        figure = offer.figures["conversion_rate"]
        if offer.posts >= 50:
            assert figure.calibrated < figure.planned * 0.8


def brief_keys(brief):
    return {(row["period"], row["platform"], row["tier"]) for row in brief.rows}


def test_messy_exports_parse(tmp_path: Path, seasonal: optimizer.Scenario) -> None:
    text = (
        "Platform,TIER, Period ,Amount Spent,Purchases,Engagement Rate,Followers,posts\n"
        'TikTok,Micro,q1,"$1,234.50",12,3.5%,"30,000",1\n'
        "tiktok,micro,Q2,USD 1500,10,4%,30000,\n"
        "instagram,,Q2,$900.00,5,2.5%,20000,1\n"
    )
    (tmp_path / "export.csv").write_text(text)
    results = read_results(
        tmp_path / "export.csv", seasonal, {"spend": "amount spent", "conversions": "PURCHASES"}
    )
    rows = results.rows
    assert list(rows["spend"]) == [1234.5, 1500.0, 900.0]
    assert list(rows["platform"]) == ["tiktok", "tiktok", "instagram"]
    assert list(rows["tier"]) == ["micro", "micro", "micro"]  # 20,000 followers: micro
    assert list(rows["period"]) == ["Q1", "Q2", "Q2"]
    assert rows["engagements"].tolist() == pytest.approx([1050.0, 1200.0, 500.0])
    assert rows["posts"].tolist() == [1, 1, 1]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["platform", "tier", "Spend", "conversions", "engagements", "followers"])
    sheet.append(["tiktok", "micro", 1200, 9, 1000, 30000])
    sheet.append(["tiktok", "micro", "$1,100", "8", 900, 30000])
    workbook.save(tmp_path / "export.xlsx")
    rows = read_results(tmp_path / "export.xlsx", seasonal).rows
    assert rows["spend"].tolist() == [1200.0, 1100.0]
    assert rows["conversions"].tolist() == [9.0, 8.0]
    # common export names need no mapping
    (tmp_path / "shop.csv").write_text(
        "Platform,Tier,Amount spent,Orders,Interactions\ntiktok,micro,$10,1,20\n"
    )
    rows = read_results(tmp_path / "shop.csv", seasonal).rows
    assert rows[["spend", "conversions", "engagements"]].iloc[0].tolist() == [10.0, 1.0, 20.0]


def test_unmatched_rows_are_listed(tmp_path: Path, seasonal: optimizer.Scenario) -> None:
    (tmp_path / "r.csv").write_text(
        "platform,tier,period,spend,engagements,code\n"
        "tiktok,micro,Q1,100,50,\n"
        "myspace,micro,Q1,100,50,\n"
        "tiktok,giga,Q1,100,50,\n"
        "tiktok,micro,Q9,100,50,\n"
        ",,,100,50,TKMABCDE\n"
    )
    results = read_results(tmp_path / "r.csv", seasonal)
    assert len(results.rows) == 1
    reasons = {row.row: row.reason for row in results.unmatched}
    assert set(reasons) == {"line 3", "line 4", "line 5", "line 6"}
    assert "myspace" in reasons["line 3"] and "giga" in reasons["line 4"]
    assert "Q9" in reasons["line 5"] and "--brief" in reasons["line 6"]


def test_bad_cells_name_row_and_column_with_exit_2(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text(
        "platform,tier,Amount Spent,engagements\ntiktok,micro,12x,50\ntiktok,micro,10,-3\n"
    )
    scenario = load_scenario(ECOMMERCE)
    with pytest.raises(TableError) as error:
        read_results(tmp_path / "r.csv", scenario, {"spend": "Amount Spent"})
    text = str(error.value)
    assert "line 2, column 'Amount Spent': '12x' is not a number" in text
    assert "line 3, column 'engagements': must be 0 or more" in text
    code, _, err = runner_invoke(
        "calibrate",
        ECOMMERCE,
        tmp_path / "r.csv",
        "-o",
        tmp_path / "c.yaml",
        "--columns",
        "spend=Amount Spent",
    )
    assert code == 2
    assert "r.csv line 2, column 'Amount Spent'" in err
    assert not (tmp_path / "c.yaml").exists()


def test_calibrated_yaml_extends_by_a_relative_path_and_solves(tmp_path: Path) -> None:
    scenario = load_scenario(ECOMMERCE)
    rows = simulate(scenario, TRUTH, {key: 30 for key in TRUTH}, seed=1)
    rows.loc[len(rows)] = ["tiktok", "nope", "Q1", 1, 10, 100, 1, 1, 0]
    rows.to_csv(tmp_path / "results.csv", index=False)
    out = tmp_path / "plans" / "calibrated.yaml"
    out.parent.mkdir()
    code, report, err = runner_invoke(
        "calibrate", ECOMMERCE, tmp_path / "results.csv", "-o", out, "--format", "json"
    )
    assert code == 0, err
    assert "not used" in err
    data = yaml.safe_load(out.read_text())
    assert set(data) == {"extends", "platforms"}
    assert not Path(data["extends"]).is_absolute()
    assert (out.parent / data["extends"]).resolve() == ECOMMERCE.resolve()
    assert "posts" in out.read_text() and "conversions" in out.read_text()
    calibrated = load_scenario(out)
    micro = calibrated.platforms["tiktok"].tiers["micro"]
    assert isinstance(micro.conversion_rate, tuple)
    assert (
        calibrated.platforms["tiktok"].tiers["mega"] == scenario.platforms["tiktok"].tiers["mega"]
    )
    assert optimizer.solve(calibrated).has_plan

    payload = json.loads(report)
    assert payload["unmatched"][0]["row"] == f"line {len(rows) + 1}"
    for format in ("md", "html", "xlsx"):
        code, _, err = runner_invoke(
            "calibrate",
            ECOMMERCE,
            tmp_path / "results.csv",
            "-o",
            out,
            "--report",
            tmp_path / f"report.{format}",
        )
        assert code == 0, err
    assert "<svg" in (tmp_path / "report.html").read_text()
    assert "Learning" in openpyxl.load_workbook(tmp_path / "report.xlsx").sheetnames
    code, table, err = runner_invoke("calibrate", ECOMMERCE, tmp_path / "results.csv", "-o", out)
    assert code == 0 and "tiktok micro" in table and "Learning" in table
