"""optimizer: plan influencer-marketing budgets as a mixed-integer program.

>>> import optimizer
>>> plan = optimizer.solve("scenarios/ecommerce-dtc.yaml")
>>> plan.allocation            # DataFrame indexed by (period, platform, tier)
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from optimizer.analysis.baseline import spreadsheet_plan
    from optimizer.analysis.compare import Comparison, compare
    from optimizer.analysis.conflicts import find_conflicts
    from optimizer.analysis.prices import explain_plan
    from optimizer.analysis.results import ConflictReport, Explanation
    from optimizer.analysis.sweep import Sweep, sweep
    from optimizer.errors import OptimizerError, Problem, ScenarioError, SolverError
    from optimizer.model.cells import Cells, derive_cells
    from optimizer.model.linear import LinearModel, build_model
    from optimizer.plan import Plan, RuleReport
    from optimizer.scenario import PRESETS, Scenario, load_scenario, scenario_from_dict
    from optimizer.solvers import Status
    from optimizer.solvers.export import export_model
    from optimizer.solving import solve
    from optimizer.uncertainty.simulate import Simulation, simulate

# Every name loads its module on first use, so `import optimizer` (and the command line,
# which lives in this package) does not pay for pandas, SciPy and HiGHS up front.
_LAZY = {
    "OptimizerError": "optimizer.errors",
    "Problem": "optimizer.errors",
    "ScenarioError": "optimizer.errors",
    "SolverError": "optimizer.errors",
    "Cells": "optimizer.model.cells",
    "derive_cells": "optimizer.model.cells",
    "LinearModel": "optimizer.model.linear",
    "build_model": "optimizer.model.linear",
    "Plan": "optimizer.plan",
    "RuleReport": "optimizer.plan",
    "PRESETS": "optimizer.scenario",
    "Scenario": "optimizer.scenario",
    "load_scenario": "optimizer.scenario",
    "scenario_from_dict": "optimizer.scenario",
    "Status": "optimizer.solvers",
    "export_model": "optimizer.solvers.export",
    "solve": "optimizer.solving",
    "Comparison": "optimizer.analysis.compare",
    "compare": "optimizer.analysis.compare",
    "find_conflicts": "optimizer.analysis.conflicts",
    "explain_plan": "optimizer.analysis.prices",
    "ConflictReport": "optimizer.analysis.results",
    "Explanation": "optimizer.analysis.results",
    "spreadsheet_plan": "optimizer.analysis.baseline",
    "Sweep": "optimizer.analysis.sweep",
    "sweep": "optimizer.analysis.sweep",
    "Simulation": "optimizer.uncertainty.simulate",
    "simulate": "optimizer.uncertainty.simulate",
}


def __getattr__(name: str) -> Any:
    import importlib

    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    if not name.startswith("_"):
        # Submodules such as `optimizer.plan` were attributes after `import optimizer`: still are.
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module 'optimizer' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "PRESETS",
    "Cells",
    "Comparison",
    "ConflictReport",
    "Explanation",
    "LinearModel",
    "OptimizerError",
    "Plan",
    "Problem",
    "RuleReport",
    "Scenario",
    "ScenarioError",
    "Simulation",
    "SolverError",
    "Status",
    "Sweep",
    "build_model",
    "compare",
    "derive_cells",
    "explain_plan",
    "export_model",
    "find_conflicts",
    "load_scenario",
    "scenario_from_dict",
    "simulate",
    "solve",
    "spreadsheet_plan",
    "sweep",
]
__version__ = "0.1.0"
