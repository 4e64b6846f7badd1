"""A plan judged on the draws without re-optimising (`optimizer simulate`)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import ValidationError

from optimizer.constants import METRICS
from optimizer.errors import OptimizerError, Problem, ScenarioError
from optimizer.jsontext import json_count, json_number
from optimizer.model.cells import CREATOR, key_fields
from optimizer.model.linear import LinearModel, build_model
from optimizer.scenario.schema import Scenario, Uncertainty
from optimizer.solvers.base import Status
from optimizer.uncertainty import settings_of
from optimizer.uncertainty.draws import KINDS, Draws, draw_parts, scenario_draws
from optimizer.uncertainty.outcomes import UncertaintyReport, evaluate_parts
from optimizer.uncertainty.solve import measure_of, midpoint_counts, outcome_metric

if TYPE_CHECKING:
    import pandas as pd

    from optimizer.solvers.search import ProgressCallback


@dataclass(frozen=True)
class Simulation:
    """A plan's counts, its figures at point values and its `uncertainty` object; the draws
    and the plan's outcome in each draw as DataFrames (`draws_frame`, `outcomes_frame`)."""

    scenario: Scenario
    model: LinearModel
    counts: np.ndarray
    plan: str
    """Where the plan came from: `solve`, or the saved plan's file."""
    uncertainty: UncertaintyReport | None
    status: Status | None = None
    """How the solve ended, for a plan `solve` returned; None for a saved plan."""

    @property
    def has_plan(self) -> bool:
        return self.uncertainty is not None

    @property
    def totals(self) -> dict[str, float]:
        """The plan's figures at point values (as `Plan.totals`)."""
        outcomes = self.model.cells.outcomes(self.counts)
        return {metric: float(outcomes[metric].sum()) for metric in METRICS}

    def draws(self) -> Draws:
        """The draws the plan is judged on, made again from the settings (the same seed
        gives the same draws) or read again from the draws file."""
        settings = settings_of(self.scenario) or Uncertainty()
        return scenario_draws(self.scenario, self.model.cells, settings)

    def draws_frame(self) -> pd.DataFrame:
        """The draws, one row per draw (indexed by `draw`: its number, or a draws file's
        id) and one column per multiplier of section 8.1 (the value of a figure in that
        draw over its point value): columns (kind, platform, tier, period) for kind cost,
        engagements, conversions and reach, one per group of cells that move together. The
        period is empty where the multiplier holds in every period of the offer (by
        default; a draws file's row without a period reads the same). With a roster, a
        `creator` level names each creator's own draws ("" for an offer's)."""
        import pandas as pd

        draws = self.draws()
        creator = [CREATOR] if self.model.cells.has_creators else []
        columns = pd.MultiIndex.from_tuples(
            [(kind, *label) for kind in KINDS for label in draws.labels(self.model.cells)],
            names=["kind", "platform", "tier", "period", *creator],
        )
        values = draws.by_group.transpose(0, 2, 1).reshape(draws.count, -1)
        return pd.DataFrame(values, index=_draw_index(draws.draw_names()), columns=columns)

    def outcomes_frame(self, plan: Literal["plan", "midpoint_plan"] = "plan") -> pd.DataFrame:
        """The plan's outcome in each draw: one row per draw (indexed as `draws_frame`),
        one column per figure (spend, reach, engagements, conversions, revenue, and profit
        where the scenario has an average order value). `midpoint_plan`: the midpoint
        (v1) plan's outcomes in the same draws. Their percentiles are the `uncertainty`
        object's."""
        import pandas as pd

        if self.uncertainty is None:
            raise OptimizerError(f"{self.scenario.name}: no plan, so no outcomes to give")
        judged = self.uncertainty.plan if plan == "plan" else self.uncertainty.midpoint_plan
        if judged is None:
            raise OptimizerError(f"{self.scenario.name}: the midpoint plan has no plan")
        if self.uncertainty.source == "file":
            names: list[str] | range = self.draws().draw_names()
        else:
            names = range(self.uncertainty.draws)
        return pd.DataFrame(dict(judged.samples), index=_draw_index(names))

    def to_dict(self) -> dict[str, Any]:
        """The plan's `allocation` and `totals` (section 7) and its `uncertainty` (8.3)."""
        cells = self.model.cells
        outcomes = cells.outcomes(self.counts)
        allocation = [
            {
                **key_fields(cells.keys[position]),
                **{
                    metric: (json_count if metric == "count" else json_number)(
                        float(outcomes[metric][position])
                    )
                    for metric in METRICS
                },
            }
            for position in np.flatnonzero(self.counts > 0)
        ]
        out: dict[str, Any] = {
            "scenario": self.scenario.name,
            **({} if self.status is None else {"status": str(self.status)}),
            "plan": self.plan,
            "totals": {
                metric: (json_count if metric == "count" else json_number)(value)
                for metric, value in self.totals.items()
            },
            "allocation": allocation,
        }
        if self.uncertainty is not None:
            out["uncertainty"] = self.uncertainty.to_dict()
        return out


def _draw_index(names: list[str] | range) -> pd.Index:
    import pandas as pd

    return pd.Index(names, name="draw")


def with_draws(
    scenario: Scenario,
    draws: int | None = None,
    seed: int | None = None,
    draws_file: str | Path | None = None,
) -> Scenario:
    """The scenario with uncertainty settings: its own, else the defaults; `draws`, `seed`
    and `draws_file` given replace the settings' own (a draws file replaces the others)."""
    settings = settings_of(scenario) or Uncertainty()
    changes: dict[str, Any] = {}
    if draws is not None:
        changes["draws"] = draws
    if seed is not None:
        changes["seed"] = seed
    if draws_file is not None:
        changes["draws_file"] = str(draws_file)
    elif changes:
        changes["draws_file"] = None  # drawing again: the given count or seed
    if changes:
        try:
            settings = Uncertainty.model_validate({**settings.model_dump(), **changes})
        except ValidationError as error:
            from optimizer.scenario.loading import problem_of

            problems = [problem_of(e) for e in error.errors()]
            raise ScenarioError(scenario.name, problems) from None
    if settings is scenario.uncertainty:
        return scenario
    return scenario.model_copy(update={"uncertainty": settings})


def simulate(
    scenario: Scenario | str | Path,
    counts: np.ndarray | None = None,
    *,
    plan_source: str = "solve",
    solver: str | None = None,
    time_limit: float | None = None,
    gap: float | None = None,
    draws: int | None = None,
    seed: int | None = None,
    draws_file: str | Path | None = None,
    progress: ProgressCallback | None = None,
    on_draws: Callable[[int, int], None] | None = None,
) -> Simulation:
    """Judge a plan on the scenario's draws (the default settings where the scenario has
    none): the given `counts` (one per cell, in model order), or the plan `solve` returns.
    `draws` and `seed` draw again; `draws_file` reads the draws from that CSV (section 8.2).
    The plan is chosen on the scenario's own draws; only its judging uses these.

    The midpoint (v1) plan is judged beside it: the plan itself where `solve` returns a v1
    plan, the one the uncertain solve found, else solved here. `progress` hears the solves
    (as `solve`'s); `on_draws(done, total)` the draws judged, a part at a time."""
    from optimizer.scenario.loading import scenario_of
    from optimizer.solving import solve, solve_options

    scenario = scenario_of(scenario, "simulate")
    drawn = with_draws(scenario, draws, seed, draws_file)
    redrawn = drawn.uncertainty is not scenario.uncertainty and settings_of(scenario) is not None
    model = build_model(drawn)
    midpoint: np.ndarray | None = None
    known_midpoint = False
    stopped = False
    status: Status | None = None
    if counts is None:
        plan = solve(scenario, solver=solver, time_limit=time_limit, gap=gap, progress=progress)
        if not plan.has_plan or plan.counts is None:
            return Simulation(drawn, model, np.zeros(len(model.cells)), "solve", None, plan.status)
        if plan.uncertainty is not None and not redrawn:
            # the solve judged its plan on these draws already
            return Simulation(scenario, model, plan.counts, "solve", plan.uncertainty, plan.status)
        counts, status = plan.counts, plan.status
        if plan.uncertainty is not None:
            # the uncertain solve found the midpoint plan: judged again, not solved again
            found = plan.uncertainty.midpoint_plan
            midpoint = None if found is None else found.counts
            known_midpoint = True
            stopped = plan.uncertainty.stopped_by_time_limit
        else:
            midpoint, known_midpoint = plan.counts, True  # a v1 plan is the midpoint plan
    if not known_midpoint:
        options = solve_options(scenario, time_limit, gap)
        midpoint = midpoint_counts(drawn, model, solver or scenario.solver.name, options)
    counts = np.asarray(counts, dtype=float)
    report = judge(drawn, model, counts, midpoint, stopped, on_draws)
    return Simulation(drawn, model, counts, plan_source, report, status)


def judge(
    scenario: Scenario,
    model: LinearModel,
    counts: np.ndarray,
    midpoint: np.ndarray | None,
    stopped: bool = False,
    on_draws: Callable[[int, int], None] | None = None,
) -> UncertaintyReport:
    """The `uncertainty` object of a plan with these counts (as the uncertain solve makes
    it), the draws made and judged a part at a time: the plan and the midpoint plan on the
    scenario's draws, the plan on an independent set (the next seed; none for a draws
    file). `on_draws(done, total)` hears the draws judged after each part."""
    settings = settings_of(scenario)
    assert settings is not None
    cells, constraints = model.cells, model.constraints
    from_file = settings.draws_file is not None
    other_seed = None if from_file else settings.seed + 1
    total = settings.draws * (1 if other_seed is None else 2)
    done = 0

    def heard(count: int) -> None:
        if on_draws is not None and not from_file:  # a draws file is read whole
            on_draws(done + count, total)

    plans = [counts] if midpoint is None else [counts, midpoint]
    parts = draw_parts(scenario, cells, settings)
    judged = evaluate_parts(scenario, cells, constraints, plans, parts, heard)
    done = settings.draws
    other = None
    if other_seed is not None:
        other_parts = draw_parts(scenario, cells, settings, seed=other_seed)
        other = evaluate_parts(scenario, cells, constraints, [counts], other_parts, heard)[0]
    return UncertaintyReport(
        draws=len(judged[0].samples["spend"]),
        seed=None if from_file else settings.seed,
        source="file" if from_file else "generated",
        measure=measure_of(scenario),
        plan=judged[0],
        midpoint_plan=None if midpoint is None else judged[1],
        out_of_sample=other,
        out_of_sample_seed=other_seed,
        file=str(Path(settings.draws_file)) if settings.draws_file is not None else None,
        shape=settings.shape,
        shared_by=list(settings.shared_by),
        stopped_by_time_limit=stopped,
        metric=outcome_metric(scenario),
    )


def read_saved_plan(path: Path, scenario: Scenario) -> np.ndarray:
    """The counts of a saved plan's `allocation` (the JSON `optimizer solve` writes), one per
    cell of the scenario in model order; every problem named with the field."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(path, [Problem("", "plan file not found")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(path, [Problem("", f"cannot read the plan: {error}")]) from None
    try:
        result = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScenarioError(
            path, [Problem("", f"not JSON: {error.msg} at line {error.lineno}")]
        ) from None
    return counts_from_saved(result, scenario, path)


def counts_from_saved(result: object, scenario: Scenario, source: str | Path) -> np.ndarray:
    """Counts per cell from a saved result's `allocation` list."""
    from optimizer.model.cells import derive_cells

    if not isinstance(result, Mapping) or not isinstance(result.get("allocation"), list):
        raise ScenarioError(
            source,
            [Problem("allocation", "a saved plan has an allocation list (solve --format json)")],
        )
    cells = derive_cells(scenario)
    position = {key: i for i, key in enumerate(cells.keys)}
    counts = np.zeros(len(cells))
    problems = []
    seen: dict[tuple[str, ...], int] = {}
    for number, entry in enumerate(result["allocation"]):
        where = f"allocation[{number}]"
        if not isinstance(entry, Mapping):
            problems.append(Problem(where, "must be an object with period, platform, tier, count"))
            continue
        missing = [key for key in ("period", "platform", "tier", "count") if key not in entry]
        if missing:
            problems.append(Problem(where, f"missing {', '.join(missing)}"))
            continue
        key: tuple[str, ...] = (str(entry["period"]), str(entry["platform"]), str(entry["tier"]))
        if entry.get("creator"):  # a roster creator's row
            key = (*key, str(entry["creator"]))
        count = entry["count"]
        if key not in position:
            for field, known in (
                ("period", scenario.periods),
                ("platform", list(scenario.platforms)),
            ):
                if entry[field] not in known:
                    problems.append(
                        Problem(f"{where}.{field}", f"not in the scenario: {entry[field]!r}")
                    )
                    break
            else:
                problems.append(
                    Problem(
                        f"{where}.creator",
                        f"no creator {key[3]!r} of {key[1]} {key[2]}"
                        f" posting in {key[0]} in the roster",
                    )
                    if len(key) > 3
                    else Problem(f"{where}.tier", f"the scenario has no {key[1]} {key[2]} offer")
                )
            continue
        number_given = isinstance(count, int | float) and not isinstance(count, bool)
        if not number_given or not math.isfinite(count) or count < 0:
            problems.append(
                Problem(f"{where}.count", f"must be a number of 0 or more, got {count!r}")
            )
            continue
        if key in seen:
            problems.append(Problem(where, f"repeats allocation[{seen[key]}]"))
            continue
        seen[key] = number
        counts[position[key]] = float(count)
    if problems:
        raise ScenarioError(source, problems)
    return counts
