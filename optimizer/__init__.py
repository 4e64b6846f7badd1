"""optimizer: plan influencer-marketing budgets as a mixed-integer program.

>>> import optimizer
>>> plan = optimizer.solve("scenarios/ecommerce-dtc.yaml")
>>> plan.allocation            # DataFrame indexed by (period, platform, tier)
"""

from typing import TYPE_CHECKING, Any

from optimizer.errors import OptimizerError, ScenarioError, SolverError
from optimizer.model.cells import Cells, derive_cells
from optimizer.model.linear import LinearModel, build_model
from optimizer.plan import Plan, RuleReport
from optimizer.scenario import PRESETS, Scenario, load_scenario, scenario_from_dict
from optimizer.solvers import Status
from optimizer.solvers.export import export_model
from optimizer.solving import solve

if TYPE_CHECKING:
    from optimizer.analysis.compare import Comparison, compare
    from optimizer.analysis.conflicts import find_conflicts
    from optimizer.analysis.prices import explain_plan
    from optimizer.analysis.sweep import Sweep, sweep

# The analyses load on first use, so `import optimizer` stays quick.
_LAZY = {
    "Comparison": "optimizer.analysis.compare",
    "compare": "optimizer.analysis.compare",
    "find_conflicts": "optimizer.analysis.conflicts",
    "explain_plan": "optimizer.analysis.prices",
    "Sweep": "optimizer.analysis.sweep",
    "sweep": "optimizer.analysis.sweep",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'optimizer' has no attribute {name!r}")


__all__ = [
    "PRESETS",
    "Cells",
    "Comparison",
    "LinearModel",
    "OptimizerError",
    "Plan",
    "RuleReport",
    "Scenario",
    "ScenarioError",
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
    "solve",
    "sweep",
]
__version__ = "0.1.0"
