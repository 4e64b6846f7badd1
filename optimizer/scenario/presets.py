"""Named rule sets planners quote (section 5 of the format), expanded into share rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from optimizer.constants import Within
from optimizer.scenario.schema import Select, ShareRule


@dataclass(frozen=True)
class PresetRule:
    """One share rule of a preset, on spend: `target` +- tolerance, or a fixed `min`/`max`."""

    name: str
    select: Select
    target: float | None = None
    min: float | None = None
    max: float | None = None
    within: Within = "total"

    def expand(self, tolerance: float) -> ShareRule:
        low: float | None
        high: float | None
        if self.target is not None:
            # rounded so that 0.70 - 0.05 reads 0.65 in every report, not 0.6499999999999999
            low = max(0.0, round(self.target - tolerance, 10))
            high = min(1.0, round(self.target + tolerance, 10))
        else:
            low, high = self.min, self.max
        return ShareRule(
            name=self.name, select=self.select, of="spend", within=self.within, min=low, max=high
        )


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    rules: tuple[PresetRule, ...]


MICRO = ["micro"]
MACRO_AND_MEGA = ["macro", "mega"]

# Read-only: every scenario loaded later in the process expands these.
PRESETS: Mapping[str, Preset] = MappingProxyType(
    {
        preset.name: preset
        for preset in (
            Preset(
                "70-20-10",
                "70% proven micro partnerships, 20% macro experiments, 10% emerging tests",
                (
                    PresetRule(
                        "70-20-10:proven-micro",
                        Select(tiers=MICRO, platform_emerging=False),
                        target=0.70,
                    ),
                    PresetRule(
                        "70-20-10:macro-experiments",
                        Select(tiers=MACRO_AND_MEGA, platform_emerging=False),
                        target=0.20,
                    ),
                    PresetRule("70-20-10:emerging-tests", Select(emerging=True), target=0.10),
                ),
            ),
            Preset(
                "ecommerce",
                "e-commerce: 80-90% of spend on micro creators",
                (PresetRule("ecommerce:micro", Select(tiers=MICRO), min=0.80, max=0.90),),
            ),
            Preset(
                "b2b-saas",
                "B2B SaaS: 60-70% of spend on macro and mega thought leaders",
                (PresetRule("b2b-saas:macro", Select(tiers=MACRO_AND_MEGA), min=0.60, max=0.70),),
            ),
            Preset(
                "consumer-app",
                "consumer apps: about 50-50 between micro and macro/mega",
                (
                    PresetRule("consumer-app:micro", Select(tiers=MICRO), target=0.50),
                    PresetRule("consumer-app:macro", Select(tiers=MACRO_AND_MEGA), target=0.50),
                ),
            ),
            Preset(
                "seasonal",
                "seasonal shifts: macro reach in the Q4 holidays, micro authenticity in Q1",
                (
                    PresetRule(
                        "seasonal:q4-reach",
                        Select(tiers=MACRO_AND_MEGA, periods=["Q4"]),
                        min=0.30,
                        within="period",
                    ),
                    PresetRule(
                        "seasonal:q1-micro",
                        Select(tiers=MICRO, periods=["Q1"]),
                        min=0.75,
                        within="period",
                    ),
                ),
            ),
        )
    }
)
