"""Scenario files: schema, loading and presets."""

from optimizer.scenario.loading import builtin_names, load_scenario, scenario_from_dict
from optimizer.scenario.presets import PRESETS
from optimizer.scenario.schema import Scenario

__all__ = ["PRESETS", "Scenario", "builtin_names", "load_scenario", "scenario_from_dict"]
