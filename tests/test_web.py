"""The planning page's HTTP API (`optimizer serve`): every endpoint, bad input, paths that
leave the folder, oversized bodies, foreign origins and solves at the same time."""

from __future__ import annotations

import io
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

from starlette.testclient import TestClient

import optimizer
from optimizer.web import create_app

ROOT = Path(__file__).resolve().parent.parent
BASE = "http://127.0.0.1:8765"
JSON_HEADERS = {"Content-Type": "application/json"}


def served_folder(base: Path) -> Path:
    """A copy of the shipped scenarios, a file outside it, and links that lead out."""
    folder = base / "served"
    shutil.copytree(ROOT / "scenarios", folder)
    outside = base / "secret.yaml"
    outside.write_text("name: secret\nbudget: {total: 1}\n")
    (folder / "link-out.yaml").symlink_to(outside)
    (folder / "reads-outside.yaml").write_text("name: sneaky\nextends: ../secret.yaml\n")
    return folder


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return served_folder(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def client(folder: Path) -> Iterator[TestClient]:
    app = create_app(folder, workers=2, solve_seconds=20, max_body=64 * 1024)
    with TestClient(app, base_url=BASE) as test_client:
        yield test_client


def post(client: TestClient, url: str, body: object, **headers: str) -> object:
    return client.post(url, content=json.dumps(body), headers={**JSON_HEADERS, **headers})


def solve(client: TestClient, path: str, edits: dict | None = None, preview: bool = False):
    return post(client, "/api/solve", {"path": path, "edits": edits or {}, "preview": preview})


# Pages -------------------------------------------------------------------------------------


def test_page_and_assets_load_nothing_from_elsewhere(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    for asset in ("/static/app.js", "/static/style.css"):
        response = client.get(asset)
        assert response.status_code == 200
    static = ROOT / "optimizer" / "web" / "static"
    for file in static.iterdir():
        text = file.read_text()
        # the one URL in the scripts is the SVG namespace, which names and loads nothing
        assert "https://" not in text
        assert text.count("http://") == text.count("http://www.w3.org/2000/svg")


def test_info_says_where_it_listens(client: TestClient, folder: Path) -> None:
    info = client.get("/api/info").json()
    assert info["loopback"] is True
    assert info["warning"] is None
    assert info["directory"] == folder.name
    open_app = create_app(folder, host="0.0.0.0", workers=0)
    with TestClient(open_app, base_url="http://192.0.2.1:8765") as other:
        warned = other.get("/api/info").json()
    assert warned["loopback"] is False
    assert "anyone who can reach this machine" in warned["warning"]


def test_files_lists_scenarios_and_no_link_out(client: TestClient) -> None:
    files = [entry["path"] for entry in client.get("/api/files").json()["files"]]
    assert "ecommerce-dtc.yaml" in files
    assert "infeasible/holiday-push.yaml" in files
    assert "link-out.yaml" not in files
    names = {entry["path"]: entry["name"] for entry in client.get("/api/files").json()["files"]}
    assert names["ecommerce-dtc.yaml"] == "DTC skincare 2026"


def test_scenario_gives_the_form(client: TestClient) -> None:
    described = client.get("/api/scenario", params={"path": "ecommerce-dtc.yaml"}).json()
    form = described["form"]
    assert described["name"] == "DTC skincare 2026"
    assert form["budget"]["total"] == 250000
    assert form["objective"] == "revenue"
    assert form["presets"] == ["ecommerce"]
    assert [rule["name"] for rule in form["shares"]] == ["tiktok-at-most-half"]
    assert {"platform": "tiktok", "tier": "micro", "available": 60, "min": 0} in form["offers"]
    assert "minimize spend" in described["objectives"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("../secret.yaml", 403),
        ("/etc/passwd", 403),
        ("infeasible/../../secret.yaml", 403),
        ("./ecommerce-dtc.yaml", 403),
        ("link-out.yaml", 403),
        ("rates/agency-rates.csv", 403),
        ("..\\secret.yaml", 403),
        ("nothing-here.yaml", 404),
        ("", 403),
    ],
)
def test_paths_outside_the_folder_are_refused(client: TestClient, path: str, status: int) -> None:
    response = client.get("/api/scenario", params={"path": path})
    assert response.status_code == status, response.text
    assert "error" in response.json()
    assert "secret" not in response.json()["error"].replace("secret.yaml", "")
    assert solve(client, path).status_code == status


def test_a_scenario_reading_outside_is_not_opened(client: TestClient) -> None:
    response = client.get("/api/scenario", params={"path": "reads-outside.yaml"})
    assert response.status_code == 422
    [problem] = response.json()["problems"]
    assert "outside the served folder" in problem["message"]
    assert "budget" not in json.dumps(response.json())


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("roster-out.yaml", "extends: roster.yaml\nroster: {file: ../outside/creators.csv}\n"),
        (
            "rates-out.yaml",
            "extends: csv-rate-card.yaml\nplatforms: {from_csv: ../outside/r.csv}\n",
        ),
        ("rates-link.yaml", "extends: csv-rate-card.yaml\nplatforms: {from_csv: rates/link.csv}\n"),
        (
            "draws-out.yaml",
            "extends: uncertainty.yaml\nuncertainty: {draws: null, draws_file: ../outside/d.csv}\n",
        ),
    ],
)
def test_a_data_file_outside_is_not_read(
    client: TestClient, folder: Path, name: str, text: str
) -> None:
    outside = folder.parent / "outside"
    outside.mkdir(exist_ok=True)
    shutil.copy(ROOT / "scenarios" / "rosters" / "creators.csv", outside / "creators.csv")
    shutil.copy(ROOT / "scenarios" / "rates" / "agency-rates.csv", outside / "r.csv")
    (outside / "d.csv").write_text("draw,platform,tier,conversion_rate\n0,tiktok,micro,0.01\n")
    link = folder / "rates" / "link.csv"
    if not link.is_symlink():
        link.symlink_to(outside / "r.csv")
    (folder / name).write_text(text)
    opened = client.get("/api/scenario", params={"path": name})
    assert opened.status_code == 422, opened.text
    assert "outside the served folder" in opened.json()["problems"][0]["message"]
    solved = solve(client, name)
    assert solved.status_code == 422 and "plan" not in solved.json()
    assert "tiktok" not in solved.text


# Solving -----------------------------------------------------------------------------------


def test_solve_follows_the_edits(client: TestClient) -> None:
    before = solve(client, "ecommerce-dtc.yaml").json()
    after = solve(client, "ecommerce-dtc.yaml", {"budget": {"total": 150000}}).json()
    assert before["plan"]["status"] == after["plan"]["status"] == "optimal"
    assert before["plan"]["totals"]["spend"] > 240000
    assert after["plan"]["totals"]["spend"] <= 150000
    assert after["layout"]["periods"] == ["Q1", "Q2", "Q3", "Q4"]
    assert abs(sum(after["tier_shares"].values()) - 1) < 1e-9
    assert after["baseline"]["totals"]["spend"] <= 150000
    rules = {rule["name"]: rule for rule in after["plan"]["rules"]}
    assert rules["budget"]["max"] == 150000
    # the same scenario, edited the same way, solved by the library
    data = optimizer.load_scenario(ROOT / "scenarios" / "ecommerce-dtc.yaml")
    edited = data.model_copy(update={"budget": data.budget.model_copy(update={"total": 150000})})
    assert after["plan"]["objective"]["value"] == pytest.approx(
        optimizer.solve(edited).objective, rel=2e-4
    )


def test_a_preview_stops_at_a_wider_gap(client: TestClient) -> None:
    preview = solve(client, "ecommerce-dtc.yaml", {"budget": {"total": 210000}}, True).json()
    assert preview["preview"] is True
    assert preview["plan"]["objective"]["gap"] <= 0.005
    assert preview["target_gap"] == 0.0001


def test_a_preview_searches_at_most_its_time_box(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first answer that the gap would keep searching stops at `PREVIEW_SECONDS` with the
    plan in hand (its own gap shown), or none yet; the proven plan is not boxed."""
    from optimizer.web import jobs
    from optimizer.web.workspace import Workspace

    loaded = Workspace(folder).load("roster.yaml")
    preview = jobs.Job(str(loaded.path), loaded.data, preview=True)
    proven = jobs.Job(str(loaded.path), loaded.data)
    scenario = jobs.scenario_of(proven)
    assert jobs._options(preview, scenario) == (jobs.PREVIEW_SECONDS, jobs.PREVIEW_GAP)
    assert jobs._options(proven, scenario) == (
        min(scenario.solver.time_limit, proven.seconds),
        scenario.solver.gap,
    )
    monkeypatch.setattr(jobs, "PREVIEW_SECONDS", 0.02)  # the roster needs over 0.1 s
    plan, _ = jobs.answer_of(preview, jobs.scenario_of(preview))
    assert plan.status in ("feasible", "time_limit")
    assert plan.seconds < 0.5
    if plan.status == "feasible":
        assert plan.gap is not None and plan.gap > jobs.PREVIEW_GAP


def test_the_first_answer_with_uncertainty_is_the_midpoint_plan(client: TestClient) -> None:
    edits = {"budget": {"total": 230000}}
    first = solve(client, "uncertainty.yaml", edits, True).json()
    proven = solve(client, "uncertainty.yaml", edits).json()
    assert first["preview"] is True and first["first_answer"] == "midpoint"
    plan = first["plan"]
    # judged on the draws, named a first answer, not claimed proven for the risk measure
    assert plan["status"] == "feasible"
    assert plan["objective"]["bound"] is None and plan["objective"]["gap"] is None
    assert plan["uncertainty"]["draws"] == 200
    assert plan["objective"]["value"] == pytest.approx(plan["uncertainty"]["objective"])
    assert any("first answer" in note for note in plan["notes"])
    assert plan["totals"]["spend"] <= 230000
    # the proven plan is the risk model's, at least as good on its measure
    assert proven["first_answer"] is None and proven["plan"]["status"] == "optimal"
    assert proven["plan"]["uncertainty"]["midpoint_plan"]["objective"] == pytest.approx(
        plan["objective"]["value"], rel=1e-3
    )
    assert proven["plan"]["objective"]["value"] >= plan["objective"]["value"] * (1 - 1e-3)
    other = solve(client, "ecommerce-dtc.yaml", edits, True).json()
    assert other["first_answer"] is None and "uncertainty" not in other["plan"]


def test_rule_bounds_objective_presets_and_offers_can_change(client: TestClient) -> None:
    described = client.get("/api/scenario", params={"path": "ecommerce-dtc.yaml"}).json()
    shares = described["data"]["rules"]["shares"]
    shares[0]["max"] = 0.2
    edits = {
        "objective": "conversions",
        "rules": {"shares": shares, "presets": ["70-20-10"], "tolerance": 0.1},
        "platforms": {"tiktok": {"tiers": {"micro": {"available": 5}}}},
        "budget": {"periods": {"Q4": {"max": None, "min": 10000}}},
    }
    result = solve(client, "ecommerce-dtc.yaml", edits).json()
    plan = result["plan"]
    assert plan["objective"]["metric"] == "conversions"
    rules = {rule["name"]: rule for rule in plan["rules"]}
    assert rules["tiktok-at-most-half"]["max"] == 0.2
    assert rules["tiktok-at-most-half"]["value"] <= 0.2 + 1e-9
    assert rules["70-20-10:proven-micro"]["min"] == pytest.approx(0.6)
    assert "budget:Q4" in rules and rules["budget:Q4"]["max"] is None
    for cell in plan["allocation"]:
        if cell["platform"] == "tiktok" and cell["tier"] == "micro":
            assert cell["count"] <= 5
    minimise = solve(client, "min-spend-target.yaml", {"objective": {"minimize": "spend"}})
    assert minimise.json()["plan"]["objective"]["sense"] == "minimize"


def test_bad_edits_come_back_on_their_fields(client: TestClient) -> None:
    response = solve(client, "ecommerce-dtc.yaml", {"budget": {"total": -5}})
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert [problem["path"] for problem in problems] == ["budget.total"]
    assert "greater than 0" in problems[0]["message"]
    shares = [{"name": "tiktok-at-most-half", "select": {"platforms": ["tiktok"]}, "max": 50}]
    response = solve(client, "ecommerce-dtc.yaml", {"rules": {"shares": shares}})
    assert response.json()["problems"][0]["path"] == "rules.shares[0].max"
    assert "Traceback" not in response.text
    response = solve(client, "ecommerce-dtc.yaml", {"objective": "happiness"})
    assert response.json()["problems"][0]["path"] == "objective"


@pytest.mark.parametrize(
    ("edits", "path"),
    [
        ({"extends": "../secret.yaml"}, "extends"),
        ({"uncertainty": {"draws_file": "/etc/passwd"}}, "uncertainty"),
        ({"platforms": {"from_csv": "../secret.csv"}}, "platforms.from_csv"),
        ([1, 2], "edits"),
    ],
)
def test_edits_cannot_name_files(client: TestClient, edits: object, path: str) -> None:
    response = post(client, "/api/solve", {"path": "ecommerce-dtc.yaml", "edits": edits})
    assert response.status_code == 422
    assert path in [problem["path"] for problem in response.json()["problems"]]


def test_an_infeasible_scenario_names_its_conflict(client: TestClient) -> None:
    result = solve(client, "infeasible/holiday-push.yaml").json()
    assert result["plan"]["status"] == "infeasible"
    conflicts = result["plan"]["conflicts"]
    assert conflicts and all("needed" in conflict for conflict in conflicts)
    rules = {conflict["rule"] for conflict in conflicts}
    assert rules & {"budget", "budget:Q4", "holiday-mega-push"} or rules
    edited = solve(client, "ecommerce-dtc.yaml", {"budget": {"periods": {"Q2": {"min": 900000}}}})
    named = {conflict["rule"] for conflict in edited.json()["plan"]["conflicts"]}
    assert "budget:Q2" in named


def test_solves_run_side_by_side(client: TestClient) -> None:
    budgets = [120000, 160000, 200000, 240000]
    results: dict[int, dict] = {}

    def run(budget: int) -> None:
        results[budget] = solve(client, "ecommerce-dtc.yaml", {"budget": {"total": budget}}).json()

    threads = [threading.Thread(target=run, args=(budget,)) for budget in budgets]
    for thread in threads:
        thread.start()
    # the page answers while they solve
    assert client.get("/api/info").status_code == 200
    for thread in threads:
        thread.join()
    for budget in budgets:
        plan = results[budget]["plan"]
        assert plan["status"] == "optimal"
        assert plan["totals"]["spend"] <= budget
        assert {rule["name"]: rule["max"] for rule in plan["rules"]}["budget"] == budget


# Guards ------------------------------------------------------------------------------------


def test_writes_from_other_sites_are_refused(client: TestClient) -> None:
    body = {"path": "ecommerce-dtc.yaml", "edits": {}}
    foreign = post(client, "/api/solve", body, Origin="http://evil.example")
    assert foreign.status_code == 403
    cross = post(client, "/api/solve", body, **{"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    own = post(client, "/api/solve", body, Origin=BASE, **{"Sec-Fetch-Site": "same-origin"})
    assert own.status_code == 200
    form = client.post("/api/solve", content="path=x", headers={"Content-Type": "text/plain"})
    assert form.status_code == 415
    rebound = client.get("/api/files", headers={"Host": "attacker.example:8765"})
    assert rebound.status_code == 421
    deleted = client.delete("/api/frontier/1", headers={"Origin": "http://evil.example"})
    assert deleted.status_code == 403


def test_bodies_over_the_limit_are_refused(client: TestClient) -> None:
    huge = {"path": "ecommerce-dtc.yaml", "edits": {"name": "x" * 100_000}}
    assert post(client, "/api/solve", huge).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"path": "ecommerce-dtc.yaml", "edits": {"x": "'
        for _ in range(100):
            yield b"y" * 1000
        yield b'"}}'

    streamed = client.post("/api/solve", content=chunks(), headers=JSON_HEADERS)
    assert streamed.status_code == 413
    assert "bytes" in streamed.json()["error"]


def test_not_json_is_a_message(client: TestClient) -> None:
    response = client.post("/api/solve", content="{nope", headers=JSON_HEADERS)
    assert response.status_code == 400
    assert response.json() == {"error": "the request body must be JSON"}


def test_an_unexpected_failure_is_a_message_not_a_traceback(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from optimizer.web import jobs

    def broken(job: object) -> dict:
        raise RuntimeError("internal detail")

    monkeypatch.setattr(jobs, "solve_job", broken)
    app = create_app(folder, workers=0)
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as threaded:
        response = solve(threaded, "ecommerce-dtc.yaml")
    assert response.status_code == 500
    assert "Traceback" not in response.text
    assert "internal detail" not in response.text


# Downloads ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["json", "csv", "xlsx", "html"])
def test_downloads(client: TestClient, kind: str) -> None:
    body = {"path": "ecommerce-dtc.yaml", "edits": {"budget": {"total": 150000}}}
    response = post(client, f"/api/export/{kind}", body)
    assert response.status_code == 200
    assert f'filename="ecommerce-dtc-plan.{kind}"' in response.headers["content-disposition"]
    if kind == "json":
        assert response.json()["totals"]["spend"] <= 150000
    elif kind == "csv":
        assert response.text.splitlines()[0].startswith("period,platform,tier")
    elif kind == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(response.content))
        assert "Allocation" in book.sheetnames
    else:
        assert "<table>" in response.text and "DTC skincare 2026" in response.text


def test_download_of_another_kind_or_a_bad_scenario(client: TestClient) -> None:
    body = {"path": "ecommerce-dtc.yaml", "edits": {}}
    assert post(client, "/api/export/pdf", body).status_code == 404
    bad = {"path": "ecommerce-dtc.yaml", "edits": {"budget": {"total": "lots"}}}
    response = post(client, "/api/export/json", bad)
    assert response.status_code == 422
    assert response.json()["problems"][0]["path"] == "budget.total"


def test_save_writes_a_file_that_extends_the_original(client: TestClient, folder: Path) -> None:
    described = client.get("/api/scenario", params={"path": "ecommerce-dtc.yaml"}).json()
    shares = described["data"]["rules"]["shares"]
    shares[0]["max"] = 0.3
    edits = {"budget": {"total": 180000}, "rules": {"shares": shares}, "objective": "conversions"}
    body = {"path": "ecommerce-dtc.yaml", "edits": edits, "name": "dtc-lean"}
    response = post(client, "/api/save", body)
    assert response.status_code == 200, response.text
    assert response.json()["saved"] == "dtc-lean.yaml"
    saved = folder / "dtc-lean.yaml"
    text = saved.read_text()
    assert "extends: ecommerce-dtc.yaml" in text
    assert "\nplatforms:" not in text  # only what changed
    scenario = optimizer.load_scenario(saved)
    assert scenario.budget.total == 180000
    assert scenario.rules.shares[0].max == 0.3
    assert scenario.objective.metric == "conversions"
    page = solve(client, "ecommerce-dtc.yaml", edits).json()["plan"]
    assert optimizer.solve(scenario).objective == pytest.approx(page["objective"]["value"])
    # never over a file without asking
    again = post(client, "/api/save", body)
    assert again.status_code == 409
    assert again.json()["exists"] is True
    assert post(client, "/api/save", {**body, "overwrite": True}).status_code == 200
    # a scenario saved from a subfolder's file extends it by its path
    sub = {"path": "infeasible/holiday-push.yaml", "edits": {}, "name": "holiday.yaml"}
    assert post(client, "/api/save", sub).status_code == 200
    assert "extends: infeasible/holiday-push.yaml" in (folder / "holiday.yaml").read_text()
    assert optimizer.load_scenario(folder / "holiday.yaml").name.startswith("Holiday push")


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("../escape.yaml", 403),
        ("sub/dir.yaml", 403),
        (".hidden.yaml", 403),
        ("ecommerce-dtc.yaml", 403),  # the scenario being edited
        ("link-out.yaml", 403),  # a link
        ("70-20-10-seasonal.yaml", 409),  # another scenario: only when asked
    ],
)
def test_save_stays_in_the_folder(client: TestClient, name: str, status: int) -> None:
    body = {"path": "ecommerce-dtc.yaml", "edits": {}, "name": name}
    assert post(client, "/api/save", body).status_code == status


def test_save_refuses_a_file_the_original_reads(client: TestClient, folder: Path) -> None:
    body = {"path": "dtc-child.yaml", "edits": {}, "name": "ecommerce-dtc.yaml"}
    (folder / "dtc-child.yaml").write_text("name: child\nextends: ecommerce-dtc.yaml\n")
    response = post(client, "/api/save", {**body, "overwrite": True})
    assert response.status_code == 403
    assert "read by the scenario" in response.json()["error"]


# Frontier ----------------------------------------------------------------------------------


def test_frontier_runs_in_the_background_and_cancels(client: TestClient) -> None:
    body = {"path": "b2b-saas.yaml", "edits": {}, "from": 50000, "to": 200000, "points": 3}
    started = post(client, "/api/frontier", body)
    assert started.status_code == 202
    frontier = started.json()
    assert frontier["total"] == 3
    import time

    for _ in range(200):
        frontier = client.get(f"/api/frontier/{frontier['id']}").json()
        if frontier["state"] != "running":
            break
        time.sleep(0.05)
    assert frontier["state"] == "done"
    budgets = [point["budget"] for point in frontier["points"]]
    assert budgets == [50000, 125000, 200000]
    objectives = [point["objective"] for point in frontier["points"]]
    assert objectives == sorted(objectives)
    assert frontier["points"][1]["marginal_cpa"] is not None

    long = post(client, "/api/frontier", {**body, "points": 30}).json()
    cancelled = client.delete(f"/api/frontier/{long['id']}").json()
    assert cancelled["state"] == "cancelled"
    assert cancelled["done"] < 30
    assert client.get("/api/frontier/nope").status_code == 404
    bad = post(client, "/api/frontier", {**body, "points": 1000})
    assert bad.status_code == 422


# The command -------------------------------------------------------------------------------


def test_serve_command_says_when_it_is_open_to_others(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    import optimizer.web
    from optimizer.cli import app

    calls: list[dict] = []
    monkeypatch.setattr(optimizer.web, "serve", lambda directory, **options: calls.append(options))
    runner = CliRunner()
    local = runner.invoke(app, ["serve", str(folder)])
    assert local.exit_code == 0, local.output
    assert calls[-1]["host"] == "127.0.0.1" and calls[-1]["port"] == 8765
    assert "warning" not in local.output
    opened = runner.invoke(app, ["serve", str(folder), "--host", "0.0.0.0", "--port", "9000"])
    assert opened.exit_code == 0
    assert "warning: listening on 0.0.0.0" in opened.output
    missing = runner.invoke(app, ["serve", str(folder / "nothing")])
    assert missing.exit_code == 2


def descendants(pid: int) -> set[int]:
    """The processes below `pid`, read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.parametrize("stop", ["SIGTERM", "SIGINT"])
def test_a_stopped_server_leaves_no_workers(stop: str, tmp_path: Path) -> None:
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "optimizer", "serve", "scenarios", "--port", str(port)]
    log = tmp_path / "stderr.txt"
    workers: set[int] = set()
    with log.open("wb") as stderr:
        server = subprocess.Popen(command, cwd=ROOT, stderr=stderr)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/info").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        body = {"path": "b2b-saas.yaml", "edits": {}}
        answer = httpx.post(f"http://127.0.0.1:{port}/api/solve", json=body, timeout=60)
        assert answer.json()["plan"]["status"] == "optimal"
        workers = descendants(server.pid)
        assert len(workers) >= 2  # the solve workers (and the fork server)
        server.send_signal(getattr(signal, stop))
        server.wait(timeout=30)
        deadline = time.monotonic() + 10
        while (alive := {pid for pid in workers if running(pid)}) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive, f"worker processes left running after {stop}: {sorted(alive)}"
        errors = log.read_text()
        assert "leaked" not in errors and "Traceback" not in errors, errors
    finally:
        if server.poll() is None:
            server.kill()
        for pid in workers:  # none left behind by a failing run either
            if running(pid):
                os.kill(pid, signal.SIGKILL)
