"""optimizer: plan influencer-marketing budgets as a mixed-integer program.

>>> import optimizer
>>> plan = optimizer.solve("scenarios/ecommerce-dtc.yaml")
>>> plan.allocation            # DataFrame indexed by (period, platform, tier)
"""

from optimizer.errors import OptimizerError, ScenarioError, SolverError
from optimizer.model.cells import Cells, derive_cells
from optimizer.model.linear import LinearModel, build_model
from optimizer.plan import Plan, RuleReport
from optimizer.scenario import PRESETS, Scenario, load_scenario, scenario_from_dict
from optimizer.solvers import Status
from optimizer.solvers.export import export_model
from optimizer.solving import solve

__all__ = [
    "PRESETS",
    "Cells",
    "LinearModel",
    "OptimizerError",
    "Plan",
    "RuleReport",
    "Scenario",
    "ScenarioError",
    "SolverError",
    "Status",
    "build_model",
    "derive_cells",
    "export_model",
    "load_scenario",
    "scenario_from_dict",
    "solve",
]
__version__ = "0.1.0"
