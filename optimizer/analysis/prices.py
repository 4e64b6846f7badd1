"""What each rule costs a plan, and what the next budget step buys.

`price` is exact: the objective re-solved with the rule dropped (same gap, started from
the plan, which still holds, so the answer is never worse than the plan). `shadow_price`
is the LP estimate of `duals.py`. The budget step re-solves with `budget.total` raised.
All re-solves change bounds on one HiGHS instance of the built model.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import highspy
import numpy as np

from optimizer.analysis.columns import bounds_for
from optimizer.analysis.duals import ShadowPrice, shadow_prices
from optimizer.analysis.editing import ModelEditor, Outcome, Settings
from optimizer.analysis.notes import buys_nothing, share_text
from optimizer.analysis.results import (
    BUDGET_STEP,
    Capacity,
    EmptyPlan,
    Explanation,
    RequiredPost,
    RulePrice,
)
from optimizer.errors import OptimizerError
from optimizer.model.linear import LinearModel, model_for
from optimizer.plan import Plan, RuleReport
from optimizer.report.numbers import money
from optimizer.scenario.loading import scenario_of
from optimizer.scenario.schema import Scenario
from optimizer.solvers.base import is_number
from optimizer.solving import solve_options

# The budget step when none is given: this share of budget.total.
DEFAULT_BUDGET_STEP = 0.05

Progress = Callable[[int, int], None]
"""Called with (re-solves done, re-solves in all)."""

CONVENTIONS = {
    "price": "objective gained if this rule alone were dropped: exact re-solve at the gap",
    "shadow_price": "estimate from the LP around the plan (fractional counts): objective"
    " gained per unit of relaxing the bound in shadow_bound ($1 of spend, one influencer,"
    " 1.0 of a share); the same sign for every solver",
    "marginal": "objective gained by raising budget.total by budget_step: exact re-solve",
    "sign": "gained is positive: more of a maximised metric, or spend saved when minimising",
}


def explain_plan(
    scenario: Scenario | str | Path,
    plan: Plan,
    model: LinearModel | None = None,
    *,
    budget_step: float | None = None,
    gap: float | None = None,
    time_limit: float | None = None,
    on_progress: Progress | None = None,
) -> Explanation:
    """Prices of every rule, the next budget step's gain and the offers at their pool.

    `gap` and `time_limit` apply to each re-solve (default: the scenario's settings).
    """
    scenario = scenario_of(scenario, "explain_plan")
    if (
        not isinstance(plan, Plan)
        or not plan.has_plan
        or plan.counts is None
        or plan.objective is None
    ):
        raise OptimizerError("only a plan can be explained; without one, look at its conflicts")
    if plan.scenario is not scenario and plan.scenario != scenario:
        raise OptimizerError(
            "the plan was made for another scenario: explain it with its own, plan.scenario"
        )
    if budget_step is not None and not (is_number(budget_step) and budget_step > 0):
        message = f"budget_step must be an amount of money above 0, got {budget_step!r}"
        raise OptimizerError(message)
    options = solve_options(scenario, time_limit, gap)
    model = model_for(scenario, model)
    solve = _Resolver(
        ModelEditor(model), plan.counts, plan.objective, options.gap, options.time_limit
    )
    settings = Settings.of(model)
    total = len(model.constraints) + 2
    implied = _implied(solve.editor, settings)
    prices: list[tuple[float | None, bool]] = []
    for number in range(len(model.constraints)):
        name = model.constraints[number].name
        if implied[number]:
            prices.append((0.0, False))  # dropping it leaves every plan as it is
        else:
            prices.append(solve.gain(settings.with_bounds(number, (None, None)), name))
        if on_progress:
            on_progress(number + 1, total)
    step, step_gain = _budget_step(solve, settings, budget_step)
    if on_progress:
        on_progress(total - 1, total)
    shadows = shadow_prices(model, plan.counts, plan.solver, solve.time_limit)
    empty = None
    if buys_nothing(plan.has_plan, plan.sense, plan.totals):
        empty = why_empty(solve.editor, settings, solve.time_limit, scenario.currency)
    creators = []
    if scenario.roster is not None:
        from optimizer.roster.tables import marginal_creators

        creators = marginal_creators(model, plan.counts)
    if on_progress:
        on_progress(total, total)
    return Explanation(
        rules=_rule_prices(plan, prices, shadows),
        budget_step=step,
        gain=step_gain,
        at_capacity=at_capacity(model, plan.counts),
        gap=solve.gap,
        shadow_solver="cbc" if plan.solver == "cbc" else "highs",
        conventions=CONVENTIONS,
        cut_short=solve.cut_short,
        empty_plan=empty,
        creators=creators,
    )


def _implied(editor: ModelEditor, settings: Settings) -> np.ndarray:
    """Whether each rule holds for any counts within the loosest column bounds (every rule
    dropped): dropping such a rule changes no plan, so it gains nothing and needs no re-solve.
    A roster's limit per creator is mostly that: a creator whose every post cannot pass it."""
    model = editor.model
    loose = bounds_for(
        model,
        editor.layout,
        [(None, None)] * len(model.constraints),
        settings.lower,
        settings.available,
    )
    matrix = model.rows
    data, columns = matrix.data, matrix.indices
    low, high = loose.lower[columns], loose.upper[columns]
    with np.errstate(invalid="ignore"):  # 0 x inf is no term
        least = np.where(data > 0, data * low, data * high)
        most = np.where(data > 0, data * high, data * low)
    least[data == 0] = most[data == 0] = 0.0
    row_of = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    least = np.bincount(row_of, least, minlength=matrix.shape[0])
    most = np.bincount(row_of, most, minlength=matrix.shape[0])
    lower, upper = model.row_lower, model.row_upper
    with np.errstate(invalid="ignore"):  # an infinite side is held or not, never within slack
        holds = (least >= lower - 1e-9 * np.maximum(1.0, np.abs(lower))) & (
            most <= upper + 1e-9 * np.maximum(1.0, np.abs(upper))
        )
    return np.array([len(rows) > 0 and bool(holds[rows].all()) for rows in editor.rows])


@dataclass(frozen=True)
class _Resolver:
    """Re-solves of the plan's model under other settings, as gains over the plan."""

    editor: ModelEditor
    counts: np.ndarray
    objective: float
    gap: float
    time_limit: float
    cut_short: list[str] = field(default_factory=list)
    """What the re-solves that stopped at their time limit priced: their gains are at least
    what they found, not proven."""

    def gain(self, settings: Settings, what: str) -> tuple[float | None, bool]:
        """(objective gained, whether it is unbounded) under `settings`, from the plan."""
        model = self.editor.model
        result = self.editor.solve(
            settings,
            model.objective,
            maximize=model.sense == "maximize",
            time_limit=self.time_limit,
            gap=self.gap,
            start_counts=self.counts,
        )
        if result.outcome in (Outcome.FEASIBLE, Outcome.UNKNOWN):
            self.cut_short.append(what)
        if result.objective is None:
            return None, result.outcome is Outcome.UNBOUNDED
        gained = result.objective - self.objective
        if model.sense == "minimize":
            gained = -gained
        # The re-solve starts from the plan: anything below zero is rounding, not a loss.
        return max(gained, 0.0), False


def _budget_step(
    solve: _Resolver, settings: Settings, step: float | None
) -> tuple[float | None, float | None]:
    """(step, gain) of raising budget.total; (None, None) without a total budget."""
    constraints = solve.editor.model.constraints
    number = next((i for i, c in enumerate(constraints) if c.name == "budget"), None)
    if number is None:
        return None, None
    low, high = settings.bounds[number]
    assert high is not None
    step = DEFAULT_BUDGET_STEP * high if step is None else float(step)
    gained, _ = solve.gain(settings.with_bounds(number, (low, high + step)), BUDGET_STEP)
    return step, gained


def _rule_prices(
    plan: Plan,
    prices: list[tuple[float | None, bool]],
    shadows: list[ShadowPrice] | None,
) -> list[RulePrice]:
    out = []
    for number, (report, (price, unbounded)) in enumerate(zip(plan.rules, prices, strict=True)):
        shadow = shadows[number] if shadows is not None else None
        out.append(
            RulePrice(
                name=report.name,
                binding=report.binding,
                slack=_slack(report, None if shadow is None else shadow.bound),
                price=price,
                shadow_price=None if shadow is None else shadow.value,
                shadow_bound=None if shadow is None else shadow.bound,
                unbounded=unbounded,
            )
        )
    return out


def _slack(report: RuleReport, side: Literal["min", "max"] | None) -> float | None:
    """How far the rule's value is from the bound that limits the plan (the side its shadow
    price is for), else from its nearest bound: 83.8% micro limited by a 90% maximum has 6.2
    points left, not the 3.8 to its 80% minimum."""
    limit = {"min": report.min, "max": report.max}.get(side or "")
    if report.value is None or limit is None:
        return report.slack
    return abs(report.value - limit)


def at_capacity(model: LinearModel, counts: np.ndarray) -> list[Capacity]:
    """Cells that engage every influencer their offer's pool has."""
    table = model.cells.table
    available = table["upper"].to_numpy()
    full = np.isfinite(available) & (available > 0) & (counts >= available - 1e-9)
    # a roster creator at its most posts is no pool: the shortlist shows those
    full &= model.cells.level("creator") == ""
    return [
        Capacity(str(key[0]), str(key[1]), str(key[2]), float(counts[i]), float(available[i]))
        for i, key in enumerate(table.index)
        if full[i]
    ]


def why_empty(
    editor: ModelEditor, settings: Settings, time_limit: float, currency: str
) -> EmptyPlan:
    """Why a maximising plan buys nothing: what the share rules require once anything is
    bought, and the least spend of a plan that buys something under every rule but
    `budget.total` (one solve: minimise spend with at least one creator bought)."""
    model = editor.model
    required = required_posts(model, currency)
    number = next((i for i, c in enumerate(model.constraints) if c.name == "budget"), None)
    budget = None if number is None else settings.bounds[number][1]
    relaxed = settings if number is None else settings.with_bounds(number, (None, None))
    spend, proven = _smallest_spend(editor, relaxed, time_limit)
    needed = None
    if spend is not None and budget is not None and spend > budget + 1e-6 * max(1.0, budget):
        needed = math.ceil(round(spend * 100, 6)) / 100  # to the cent, up: it buys the plan
    return EmptyPlan(
        required, spend, needed, proven, _empty_message(spend, needed, budget, proven, currency)
    )


def required_posts(model: LinearModel, currency: str) -> list[RequiredPost]:
    """For each share rule with a minimum: the cheapest post of its selection (in its scope),
    which any plan buying anything there must buy; the dearest first."""
    table = model.cells.table
    cost = table["cost"].to_numpy()
    available = table["upper"].to_numpy() > 0
    keys = list(table.index)
    posts = []
    for constraint in model.constraints:
        if constraint.kind != "share" or constraint.base is None or not constraint.min:
            continue
        offered = np.flatnonzero(constraint.selected & constraint.base & available)
        if len(offered) == 0:
            continue  # a minimum of nothing: the result's notes say so
        cheapest = int(offered[np.argmin(cost[offered])])
        period, platform, tier = (str(key) for key in keys[cheapest][:3])
        scope = f"{period}'s " if "period" in constraint.group else ""
        message = (
            f"{constraint.name} needs at least {share_text(constraint.min)} of {scope}"
            f"{constraint.metric} on its selection: its cheapest post is {platform} {tier} in"
            f" {period} at {money(float(cost[cheapest]), currency)}"
        )
        posts.append(
            RequiredPost(
                constraint.name,
                float(constraint.min),
                constraint.metric,
                period,
                platform,
                tier,
                float(cost[cheapest]),
                message,
            )
        )
    return sorted(posts, key=lambda post: -post.cost)


def _smallest_spend(
    editor: ModelEditor, settings: Settings, time_limit: float
) -> tuple[float | None, bool]:
    """(least spend of a plan with at least one creator, whether proven least) under
    `settings`; (None, proven) when no such plan exists."""
    model = editor.model
    spend = np.zeros(model.num_cols)
    spend[model.count_columns] = model.cells.table["cost"].to_numpy()
    columns = np.asarray(model.count_columns, dtype=np.int32)
    highs = editor.highs
    row = highs.getNumRow()
    # A row of its own, taken out again: every other question asks of the model as built.
    highs.addRow(1.0, highspy.kHighsInf, len(columns), columns, np.ones(len(columns)))
    try:
        result = editor.solve(settings, spend, maximize=False, time_limit=time_limit)
    finally:
        highs.deleteRows(1, np.array([row], dtype=np.int32))
    proven = result.outcome in (Outcome.OPTIMAL, Outcome.INFEASIBLE)
    return result.objective, proven


def _empty_message(
    spend: float | None,
    needed: float | None,
    budget: float | None,
    proven: bool,
    currency: str,
) -> str:
    if spend is None:
        if not proven:
            return (
                "The search for a plan that buys anything stopped at its time limit: give more"
                " time (--time-limit) to learn what budget buys one."
            )
        return (
            "No budget is enough: under the other rules no plan buys anything (see the notes"
            " on rules that only an empty plan meets)."
        )
    least = money(spend, currency) if proven else f"at most {money(spend, currency)}"
    if needed is not None and budget is not None:
        return (
            f"The smallest plan that buys anything spends {least}, more than budget.total"
            f" ({money(budget, currency)}): with budget.total at {money(needed, currency)}"
            " or more a plan buys something."
        )
    return (
        f"Plans that buy something fit the budget (the smallest spends {least}), yet none"
        " does better on the objective than buying nothing."
    )
