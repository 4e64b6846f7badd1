"""Rosters read the same with pyarrow's CSV reader and pandas' C reader (without pyarrow)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from optimizer import load_scenario
from optimizer.errors import ScenarioError
from optimizer.roster import reading
from optimizer.roster.reading import read_roster

pytest.importorskip("pyarrow")

ROOT = Path(__file__).resolve().parent.parent


def _shipped_lines() -> list[str]:
    return (ROOT / "scenarios" / "rosters" / "creators.csv").read_text("utf-8").splitlines()


def _roster_of_lines(directory: Path, lines: list[str]) -> Path:
    """The shipped roster scenario in `directory`, its creators.csv made of `lines`."""
    scenario = (ROOT / "scenarios" / "roster.yaml").read_text("utf-8")
    path = directory / "roster.yaml"
    path.write_text(scenario.replace("rosters/creators.csv", "creators.csv"), "utf-8")
    (directory / "creators.csv").write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _read(engine: str, monkeypatch: pytest.MonkeyPatch, path: Path) -> reading.Roster:
    monkeypatch.setattr(reading, "csv_engine", lambda: engine)
    return read_roster(load_scenario(path), path)


def test_the_shipped_roster_reads_the_same_with_either_reader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = ROOT / "scenarios" / "roster.yaml"
    arrow, c = (_read(engine, monkeypatch, path) for engine in ("pyarrow", "c"))
    assert len(arrow) == len(c) > 300
    for field in dataclasses.fields(reading.Roster):
        a, b = getattr(arrow, field.name), getattr(c, field.name)
        if isinstance(a, np.ndarray):
            assert a.dtype.kind == b.dtype.kind, field.name
            np.testing.assert_array_equal(a, b, err_msg=field.name)
        elif isinstance(a, dict):  # figures, and the ends of ranged ones
            assert a.keys() == b.keys(), field.name
            for key in a:
                np.testing.assert_array_equal(a[key], b[key], err_msg=f"{field.name}[{key}]")


def test_a_bad_cell_is_named_the_same_by_either_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _shipped_lines()
    fields = lines[3].split(",")
    fields[2] = "many"  # followers
    lines[3] = ",".join(fields)
    path = _roster_of_lines(tmp_path, lines)
    messages = []
    for engine in ("pyarrow", "c"):
        with pytest.raises(ScenarioError) as raised:
            _read(engine, monkeypatch, path)
        messages.append(str(raised.value))
    assert messages[0] == messages[1]
    assert "line 4" in messages[0] and "followers" in messages[0]


def test_a_figure_column_left_empty_in_every_row_reads_as_not_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pyarrow types a column with no value at all as null, which is neither text nor number."""
    header, *rows = _shipped_lines()
    column = header.split(",").index("cost_per_1k_followers")
    kept = [row for row in rows if row.split(",")[column] == "" and '"' not in row][:20]
    path = _roster_of_lines(tmp_path, [header, *kept])
    arrow, c = (_read(engine, monkeypatch, path) for engine in ("pyarrow", "c"))
    assert len(arrow) == len(c) == 20
    np.testing.assert_array_equal(arrow.cost, c.cost)
    np.testing.assert_array_equal(arrow.engagements, c.engagements)


def test_every_optional_column_left_empty_in_every_row_reads_as_its_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export often carries `max_posts`, `must`, `periods` and the rest with no value in
    any row: each reads as not given (max_posts from `roster.posts`), with either reader."""
    optional = ("tier", "max_posts", "must", "exclude", "periods", "emerging", "reach_rate")
    header = "creator,platform,followers,cost_per_post,engagement_rate,conversion_rate,"
    lines = [header + ",".join(optional)]
    lines += [f"c{i},tiktok,{20_000 + i},400,0.05,0.02" + "," * len(optional) for i in range(3)]
    path = _roster_of_lines(tmp_path, lines)
    arrow, c = (_read(engine, monkeypatch, path) for engine in ("pyarrow", "c"))
    posts = load_scenario(path).roster.posts
    for roster in (arrow, c):
        assert len(roster) == 3
        np.testing.assert_array_equal(roster.max_posts, np.full(3, float(posts)))
