"""The calibrated scenario as YAML: it `extends` the parent by a relative path and overrides
only the figures of offers with results, each with a comment saying what it rests on."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from optimizer.results.calibration import CREDIBLE, Calibration, Figure

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}

_AMOUNTS = {
    "engagement_rate": ("follower_posts", "engagements"),
    "conversion_rate": ("engagements", "conversions"),
    "reach_rate": ("follower_posts", "reach"),
    "cost_per_post": ("spend",),
    "cost_per_1k_followers": ("spend", "follower_posts"),
    "cost_per_engagement": ("spend", "engagements"),
}
_WORDS = {"follower_posts": "follower-posts"}


def relative_extends(parent: str | Path, output: str | Path) -> str:
    """The parent's path as the calibrated file names it: relative to the file's folder."""
    parent_path = Path(parent).resolve()
    folder = Path(output).resolve().parent
    try:
        return Path(os.path.relpath(parent_path, folder)).as_posix()
    except ValueError:  # another drive: no relative path exists
        return parent_path.as_posix()


def _key(name: str) -> str:
    if _PLAIN.fullmatch(name) and name.lower() not in _YAML_WORDS:
        return name
    return json.dumps(name)


def _number(value: float) -> str:
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = f"{value:.10f}".rstrip("0").rstrip(".")
    return text


def _amount(name: str, value: float, currency: str) -> str:
    if name == "spend":
        return f"{value:,.2f} {currency} spend"
    shown = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.4g}"
    return f"{shown} {_WORDS.get(name, name)}"


def _counted(count: float, noun: str) -> str:
    return f"1 {noun}" if count == 1 else f"{count:,.0f} {noun}s"


def _planned(figure: Figure) -> str:
    if figure.planned_range is not None:
        low, high = figure.planned_range
        return f"[{low:g}, {high:g}]"
    return f"{figure.planned:g}"


def figure_comment(figure: Figure, currency: str) -> str:
    """What a calibrated figure rests on: posts and each metric's total, as observed."""
    evidence = figure.evidence
    amounts = ", ".join(
        _amount(name, evidence.amounts.get(name, 0.0), currency) for name in _AMOUNTS[figure.name]
    )
    posts = "1 post" if evidence.posts == 1 else f"{evidence.posts:,.4g} posts"
    notes = [f"{figure.calibrated:.4g} from {_planned(figure)}", f"{posts}, {amounts}"]
    if evidence.dispersion > 1.05:
        notes.append(f"rows spread {evidence.dispersion:.3g}x counting noise")
    if figure.borrowed is not None and abs(figure.borrowed - 1) > 0.005:
        notes.append(f"prior x{figure.borrowed:.3g} from the tier on other platforms")
    if figure.cut:
        notes.append("range cut at the figure's bound: the 80% interval reaches past it")
    return "; ".join(notes)


def calibrated_yaml(calibration: Calibration, parent: str | Path, output: str | Path) -> str:
    """The text of the calibrated scenario."""
    scenario = calibration.scenario
    results = calibration.results
    offers = calibration.calibrated
    lines = [
        f"# {scenario.name}, calibrated with campaign results from {Path(results.source).name}:",
        f"# {len(results.rows):,} of {results.total_rows:,} rows matched"
        f" {_counted(len(offers), 'offer')} ({_counted(len(results.unmatched), 'row')} unmatched)."
        f" Each range is centred on the",
        f"# calibrated figure (the midpoint plans use) and holds its central {CREDIBLE:.0%}"
        " credible",
        "# interval; figures are base figures (observed ones divided by their period's",
        "# seasonality) pooled with the parent's as the prior"
        + (", borrowing across platforms of a tier." if calibration.borrow else "."),
        f"extends: {json.dumps(relative_extends(parent, output))}",
    ]
    if not offers:
        lines.append("# no offer has results: the scenario is the parent's as it stands")
        return "\n".join(lines) + "\n"
    lines.append("platforms:")
    by_platform: dict[str, list[str]] = {}
    for offer in offers:
        by_platform.setdefault(offer.platform, []).append(offer.tier)
    for platform, tiers in by_platform.items():
        lines.append(f"  {_key(platform)}:")
        lines.append("    tiers:")
        for tier in tiers:
            offer = next(o for o in offers if o.platform == platform and o.tier == tier)
            periods = f" in {', '.join(offer.periods)}" if offer.periods else ""
            rests = f"{_counted(offer.rows, 'row')}, {_counted(offer.posts, 'post')}{periods}"
            lines.append(f"      {_key(tier)}:  # {rests}")
            for name, figure in offer.figures.items():
                low, high = figure.range
                comment = figure_comment(figure, scenario.currency)
                lines.append(f"        {name}: [{_number(low)}, {_number(high)}]  # {comment}")
    return "\n".join(lines) + "\n"
