"""The held-out benchmark family (`benchmarks/family.py`): large enough, split by seed, every
case valid, and varied in structure (checked on the documents, without solving)."""

from __future__ import annotations

from pathlib import Path

import yaml
from benchmark_modules import benchmark_module

import optimizer

family = benchmark_module("family")


def test_family_is_split_into_two_disjoint_halves() -> None:
    assert len(family.CASES) >= 60
    assert len(family.TUNING) >= 30 and len(family.HELD_OUT) >= 30
    assert not set(family.TUNING) & set(family.HELD_OUT)
    assert set(family.TUNING) | set(family.HELD_OUT) == set(family.CASES)
    assert all(int(name[4:]) % 2 == 0 for name in family.TUNING)


def test_a_seed_always_means_the_same_scenario() -> None:
    assert family.document(7) == family.document(7)
    assert family.document(7) != family.document(9)


def test_every_case_validates() -> None:
    for name in family.CASES:
        scenario = family.case(name)
        assert scenario.name == name


def test_structure_varies() -> None:
    documents = [family.document(seed) for seed in range(family.SIZE)]
    objectives = {d["objective"] if isinstance(d["objective"], str) else "spend" for d in documents}
    assert objectives == {"conversions", "revenue", "profit", "reach", "engagements", "spend"}
    assert {len(d["periods"]) for d in documents} == {4, 12, 52}
    weekly = sum(len(d["periods"]) == 52 for d in documents)
    assert 0 < weekly <= len(documents) // 6
    presets = [tuple(d.get("rules", {}).get("presets", [])) for d in documents]
    assert () in presets
    assert {p for combination in presets for p in combination} == set(optimizer.PRESETS)
    assert {family.segments_of(d) for d in documents} == {1, 2, 3, 4}
    assert {len(d["platforms"]) for d in documents} >= {2, 3, 4, 5}
    shares = [s for d in documents for s in d.get("rules", {}).get("shares", [])]
    assert {s["of"] for s in shares} >= {"spend", "count", "reach"}
    assert {s["within"] for s in shares} == {"total", "period"}
    limits = [x for d in documents for x in d.get("rules", {}).get("limits", [])]
    assert {tuple(x.get("per", [])) for x in limits} >= {("period",), ("platform",), ("tier",)}
    assert any("periods" in d["budget"] for d in documents)
    # a least-spend case is bounded by a conversions floor
    for d in documents:
        if d["objective"] == {"minimize": "spend"}:
            floors = [x for x in d["rules"]["limits"] if "conversions" in x]
            assert floors and floors[0]["conversions"]["min"] > 0


def test_write_family_writes_files_that_load(tmp_path: Path) -> None:
    paths = family.write_family(tmp_path, ["fam-000", "fam-005"])
    assert [p.name for p in paths] == ["fam-000.yaml", "fam-005.yaml"]
    assert yaml.safe_load(paths[1].read_text())["name"] == "fam-005"
    assert optimizer.load_scenario(paths[0]).name == "fam-000"
