"""Charts as self-contained SVG text (matplotlib, no display needed).

Each function builds a chart as a matplotlib Figure (so tests can inspect its layout);
``svg`` renders it.
Legends sit outside the plotting area; tiers keep one colour in every chart; money axes
read in the scenario's currency.
"""

from __future__ import annotations

import hashlib
import io
import re
import textwrap
import warnings
import zlib
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from optimizer.constants import MONEY_METRICS
from optimizer.report.numbers import money

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

PALETTE = ["#2f6f9f", "#e08a2c", "#4a9b5d", "#b8463e", "#7d5ba6", "#8c6d3f", "#c55a9a"]

TIER_COLOURS = {
    "nano": "#4a9b5d",
    "micro": "#2f6f9f",
    "mid": "#7d5ba6",
    "macro": "#e08a2c",
    "mega": "#b8463e",
}
"""Known tiers, smallest to largest, each with the colour it has in every chart."""

EXTRA_TIER_COLOURS = ["#8c6d3f", "#c55a9a", "#3f9a9a", "#9a9a3a", "#6b6b6b", "#d4a72c"]
"""Colours for tiers a scenario defines itself, chosen from the tier's name."""

HEADROOM = 1.08
"""The value axis of bar charts ends this far above the tallest bar."""

LEGEND_ROW = 100
"""Characters of legend text that fit side by side under a 7 in chart."""

LEGEND_ENTRY = 5
"""Characters a legend entry's marker and spacing take beside its label."""

EMPTY_MARKER = "X"
"""How a sweep point whose plan buys nothing is drawn, apart from the points that buy."""

SHARE_MARGIN = 0.03
"""Room on the share axis beyond 0% and 100%, so a dot at either end shows whole."""


def tier_colour(name: str) -> str:
    """The colour of a tier: fixed for the known tiers, else picked by a hash of its name
    (stable across charts and runs)."""
    if name in TIER_COLOURS:
        return TIER_COLOURS[name]
    return EXTRA_TIER_COLOURS[_slot(name)]


def _slot(name: str) -> int:
    """A defined tier's place in EXTRA_TIER_COLOURS, from a hash of its name."""
    return zlib.crc32(name.encode()) % len(EXTRA_TIER_COLOURS)


def tier_colours(names: Sequence[str]) -> dict[str, str]:
    """Colours for the tiers drawn together: ``tier_colour``, except that a defined tier whose
    colour is already taken in this chart moves on to the next free one (in name order, so
    the result does not depend on the order the tiers come in)."""
    colours = {name: TIER_COLOURS[name] for name in names if name in TIER_COLOURS}
    used = set(colours.values())
    for name in sorted(set(names) - set(colours)):
        start = _slot(name)
        for step in range(len(EXTRA_TIER_COLOURS)):
            colour = EXTRA_TIER_COLOURS[(start + step) % len(EXTRA_TIER_COLOURS)]
            if colour not in used:
                break
        else:
            colour = EXTRA_TIER_COLOURS[start]
        colours[name] = colour
        used.add(colour)
    return colours


def tier_order(names: Sequence[Hashable]) -> list[Hashable]:
    """Known tiers from smallest to largest, then any others in the order given."""
    rank = {name: i for i, name in enumerate(TIER_COLOURS)}
    known = sorted((name for name in names if name in rank), key=lambda name: rank[str(name)])
    return known + [name for name in names if name not in rank]


def _has_tiers(names: Sequence[Hashable]) -> bool:
    return any(isinstance(name, str) and name in TIER_COLOURS for name in names)


def plain(value: float) -> str:
    """A number for an axis: thousands separators, no trailing zeros (200,000; 0.05)."""
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _label(value: object, as_money: bool, currency: str) -> str:
    """A category (an index or column value): numbers formatted, anything else as is."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    ):
        number = float(value)
        if np.isfinite(number):
            return money(number, currency) if as_money else plain(number)
    return str(value)


def _with_currency(label: str, currency: str) -> str:
    return label if currency in label else f"{label} ({currency})"


def _blank(width: float = 7.0, height: float = 3.6) -> Figure:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def svg(figure: Figure) -> str:
    """The figure as SVG text, without the metadata block."""
    import matplotlib

    buffer = io.StringIO()
    # Fixed element ids: the same chart is the same text, run after run.
    with warnings.catch_warnings(), matplotlib.rc_context({"svg.hashsalt": "optimizer"}):
        # A name in a script the font lacks (日本, an emoji) draws as a box: not worth a
        # warning on every report.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    # The RDF metadata block only names its vocabularies; drop it to keep pages lean.
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    return _own_ids(text)


def _own_ids(text: str) -> str:
    """The SVG with every element id (and every reference to one) prefixed by a digest of
    the chart: charts inline in one page share its ids, and matplotlib names glyphs and
    patches alike in every figure. The digest keeps the text the same run after run."""
    prefix = "c" + hashlib.sha1(text.encode()).hexdigest()[:8] + "-"
    text = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}\1"', text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}\1"', text)
    return re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}\1)", text)


def _legend_below(figure: Figure, axes: Axes, title: str | None = None) -> None:
    """The axes' legend under the chart, outside the plotting area, in one row if it fits,
    else in as many columns as long labels (plan names) leave room for."""
    handles, labels = axes.get_legend_handles_labels()
    if not handles:
        return
    widest = max(len(label) for label in labels) + LEGEND_ENTRY
    figure.legend(
        handles,
        labels,
        loc="outside lower center",
        ncols=max(1, min(len(labels), 6, LEGEND_ROW // widest)),
        frameon=False,
        fontsize="small",
        title=title,
        title_fontsize="small",
    )


def _value_axis(axes: Axes, percent: bool, as_money: bool, currency: str) -> None:
    if percent:
        axes.yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    elif as_money:
        axes.yaxis.set_major_formatter(lambda value, _: money(value, currency))
    else:
        axes.yaxis.set_major_formatter(lambda value, _: plain(value))


def _headroom(axes: Axes, low: float, high: float) -> None:
    """Room above the tallest bar (1.08 x its height) and below the deepest negative one."""
    low, high = min(low, 0.0), max(high, 0.0)
    if not (np.isfinite(low) and np.isfinite(high)) or low == high:
        return
    pad = (HEADROOM - 1) * (high - low)
    axes.set_ylim(low - pad if low < 0 else 0.0, high + pad if high > 0 else 0.0)


def _category_ticks(axes: Axes, positions: np.ndarray, labels: list[str]) -> None:
    """Category labels under their bars: long ones wrapped, and slanted if still too wide."""
    room = 60  # characters that fit side by side under a 7 in chart
    if sum(len(label) for label in labels) > room:
        width = max(12, room // max(1, len(labels)))
        labels = [textwrap.fill(label, width) for label in labels]
    widest = sum(max(len(line) for line in label.split("\n")) for label in labels)
    slant = widest > room
    axes.set_xticks(
        positions, labels, rotation=30 if slant else 0, ha="right" if slant else "center"
    )


def stacked_bars(
    frame: pd.DataFrame,
    title: str,
    ylabel: str,
    *,
    currency: str | None = None,
    tiers: bool | None = None,
) -> Figure:
    """Rows along the x axis, columns stacked (e.g. spend by tier per quarter).

    ``currency``: the values are money in it (ticks like $140,000). ``tiers``: the columns
    are tiers (fixed colours, smallest first); left out, they are when any is a known tier
    name.
    """
    if tiers is None:
        tiers = _has_tiers(list(frame.columns))
    columns = tier_order(list(frame.columns)) if tiers else list(frame.columns)
    colours = tier_colours([str(c) for c in columns]) if tiers else {}
    figure = _blank()
    axes = figure.add_subplot()
    bottom = np.zeros(len(frame))
    for i, column in enumerate(columns):
        values = frame[column].to_numpy(dtype=float)
        axes.bar(
            [str(x) for x in frame.index],
            values,
            bottom=bottom,
            label=str(column),
            color=colours.get(str(column), PALETTE[i % len(PALETTE)]),
        )
        bottom += np.nan_to_num(values)
    if len(frame):
        _headroom(axes, float(np.min(bottom, initial=0.0)), float(np.max(bottom, initial=0.0)))
    axes.set_title(title)
    axes.set_ylabel(ylabel if currency is None else _with_currency(ylabel, currency))
    _value_axis(axes, False, currency is not None, currency or "USD")
    _legend_below(figure, axes)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def ranges(frame: pd.DataFrame, title: str) -> Figure:
    """One row per rule: its value as a dot against the [min, max] band (shares, 0-100%)."""
    figure = _blank(height=0.45 * len(frame) + 1.2)
    axes = figure.add_subplot()
    y = np.arange(len(frame))
    low = frame["min"].fillna(0.0).to_numpy(dtype=float)
    high = frame["max"].fillna(1.0).to_numpy(dtype=float)
    axes.barh(y, high - low, left=low, color="#cfe0ee", label="allowed")
    axes.scatter(frame["value"].to_numpy(dtype=float), y, color=PALETTE[1], zorder=3, label="plan")
    axes.set_yticks(y, [str(name) for name in frame.index])
    axes.set_xlim(-SHARE_MARGIN, 1 + SHARE_MARGIN)
    axes.set_xticks(np.linspace(0.0, 1.0, 5))
    axes.xaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    axes.invert_yaxis()
    axes.set_title(title)
    figure.legend(loc="outside right upper", frameon=False, fontsize="small")
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def frontier(
    budgets: np.ndarray,
    objective: np.ndarray,
    chosen: float | None,
    title: str,
    ylabel: str,
    *,
    currency: str = "USD",
    y_money: bool | None = None,
    empty: np.ndarray | None = None,
) -> Figure:
    """Objective against budget, the scenario's own budget marked by a vertical line at its
    figure (none when it lies outside the budgets swept).

    Budgets read as money in ``currency``; so does the objective when ``y_money`` (left out:
    when ``ylabel`` names a money metric: revenue, profit, spend), else as a plain count.
    ``empty``: which points' plans buy nothing, drawn with another marker and named in the
    legend.
    """
    from matplotlib.ticker import MaxNLocator

    if y_money is None:
        y_money = ylabel in MONEY_METRICS
    budgets = np.asarray(budgets, dtype=float)
    objective = np.asarray(objective, dtype=float)
    empty = np.zeros(len(budgets), bool) if empty is None else np.asarray(empty, dtype=bool)
    figure = _blank()
    axes = figure.add_subplot()
    axes.plot(budgets, objective, color=PALETTE[0], zorder=2)
    axes.plot(budgets[~empty], objective[~empty], "o", color=PALETTE[0], zorder=3, linestyle="none")
    if empty.any():
        axes.plot(
            budgets[empty],
            objective[empty],
            EMPTY_MARKER,
            color="#6b6b6b",
            markersize=8,
            zorder=3,
            linestyle="none",
            label="buys nothing",
        )
    if chosen is not None and len(budgets) and budgets.min() <= chosen <= budgets.max():
        axes.axvline(
            chosen,
            color=PALETTE[1],
            linestyle="--",
            linewidth=1.5,
            zorder=1,
            label=f"scenario budget {money(float(chosen), currency)}",
        )
    _legend_below(figure, axes)
    axes.set_xlabel(_with_currency("budget", currency))
    axes.set_ylabel(_with_currency(ylabel, currency) if y_money else ylabel)
    axes.set_title(title)
    # Fewer, rounder ticks: full amounts ($1,000,000) are wide.
    axes.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    axes.xaxis.set_major_formatter(lambda value, _: money(value, currency))
    _value_axis(axes, False, y_money, currency)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def grouped_bars(
    frame: pd.DataFrame,
    title: str,
    ylabel: str,
    percent: bool = False,
    *,
    xlabel: str | None = None,
    legend_title: str | None = None,
    currency: str = "USD",
    x_money: bool = False,
    y_money: bool | None = None,
    tiers: bool | None = None,
) -> Figure:
    """Rows along the x axis, one bar per column (e.g. plans side by side).

    Numeric row and column values read as numbers (200,000, not 200000.0), row values as
    money in ``currency`` when ``x_money``. Values are shares when ``percent``, else money
    when ``y_money`` (left out: when ``ylabel`` names a money metric), else counts.
    ``tiers``: the columns are tiers (fixed colours, smallest first); left out, they are
    when any is a known tier name. Rows that are tiers go smallest first.
    """
    if y_money is None:
        y_money = not percent and ylabel in MONEY_METRICS
    if tiers is None:
        tiers = _has_tiers(list(frame.columns))
    if tiers:
        frame = frame[tier_order(list(frame.columns))]
    if _has_tiers(list(frame.index)):
        frame = frame.loc[tier_order(list(frame.index))]
    colours = tier_colours([str(c) for c in frame.columns]) if tiers else {}
    figure = _blank()
    axes = figure.add_subplot()
    x = np.arange(len(frame))
    width = 0.8 / max(1, len(frame.columns))
    for i, column in enumerate(frame.columns):
        axes.bar(
            x + i * width,
            frame[column].to_numpy(dtype=float),
            width,
            label=_label(column, False, currency),
            color=colours.get(str(column), PALETTE[i % len(PALETTE)]),
        )
    _category_ticks(
        axes,
        x + width * (len(frame.columns) - 1) / 2,
        [_label(v, x_money, currency) for v in frame.index],
    )
    values = frame.to_numpy(dtype=float)
    if values.size and np.isfinite(values).any():
        _headroom(axes, float(np.nanmin(values)), float(np.nanmax(values)))
    _value_axis(axes, percent, y_money, currency)
    axes.set_title(title)
    axes.set_ylabel(_with_currency(ylabel, currency) if y_money and not percent else ylabel)
    if xlabel is not None:
        axes.set_xlabel(_with_currency(xlabel, currency) if x_money else xlabel)
    _legend_below(figure, axes, legend_title)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


PERCENTILES = (10, 50, 90)
"""The percentiles a distribution chart marks on each plan's outcomes."""

PERCENTILE_STYLES = {10: ":", 50: "--", 90: "-."}


def distributions(
    samples: dict[str, np.ndarray],
    title: str,
    xlabel: str,
    *,
    currency: str = "USD",
    x_money: bool | None = None,
    bins: int = 24,
) -> Figure:
    """Each plan's outcomes over the draws as an outline histogram on shared bins (one
    colour a plan, the first filled lightly), its P10, P50 and P90 as vertical lines in the
    plan's colour (dotted, dashed, dash-dotted) and as figures in its legend entry."""
    if x_money is None:
        x_money = xlabel in MONEY_METRICS
    figure = _blank()
    axes = figure.add_subplot()
    finite = [np.asarray(v, dtype=float) for v in samples.values()]
    every = np.concatenate(finite) if finite else np.zeros(0)
    every = every[np.isfinite(every)]
    edges = histogram_edges(every, bins)
    for i, (name, values) in enumerate(samples.items()):
        colour = PALETTE[i % len(PALETTE)]
        values = np.asarray(values, dtype=float)
        counts, _ = np.histogram(values, edges)
        if i == 0:
            axes.stairs(counts, edges, fill=True, alpha=0.2, color=colour, linewidth=0)
        marks = np.percentile(values, PERCENTILES)
        shown = [money(float(v), currency) if x_money else plain(round(float(v))) for v in marks]
        label = f"{name}: " + ", ".join(
            f"P{level} {text}" for level, text in zip(PERCENTILES, shown, strict=True)
        )
        axes.stairs(counts, edges, color=colour, linewidth=1.5, label=label)
        for level, value in zip(PERCENTILES, marks, strict=True):
            axes.axvline(
                float(value), color=colour, linestyle=PERCENTILE_STYLES[level], linewidth=1.2
            )
    axes.set_xlabel(_with_currency(xlabel, currency) if x_money else xlabel)
    axes.set_ylabel("draws")
    axes.set_title(title)
    if x_money:
        axes.xaxis.set_major_formatter(lambda value, _: money(value, currency))
    else:
        axes.xaxis.set_major_formatter(lambda value, _: plain(value))
    _legend_below(figure, axes)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def histogram_edges(values: np.ndarray, bins: int) -> np.ndarray:
    """`bins` equal bins over the values' range (one bin around a single value)."""
    values = np.asarray(values, dtype=float)
    if not len(values):
        return np.array([0.0, 1.0])
    low, high = float(values.min()), float(values.max())
    if high <= low:
        pad = max(abs(low) * 0.01, 0.5)
        return np.array([low - pad, high + pad])
    return np.linspace(low, high, bins + 1)


def _merged_labels(
    xs: np.ndarray, ys: np.ndarray, labels: Sequence[str]
) -> list[tuple[tuple[float, float], str]]:
    """One label per place: points that fall together (within 1% of each axis's span; plans
    that tie) share one label, theirs joined."""
    span_x = float(np.nanmax(xs) - np.nanmin(xs)) if len(xs) else 0.0
    span_y = float(np.nanmax(ys) - np.nanmin(ys)) if len(ys) else 0.0
    places: list[tuple[tuple[float, float], list[str]]] = []
    for x, y, label in zip(xs, ys, labels, strict=True):
        if not (np.isfinite(x) and np.isfinite(y)):
            continue
        for (px, py), names in places:
            if abs(px - x) <= 0.01 * span_x and abs(py - y) <= 0.01 * span_y:
                names.append(label)
                break
        else:
            places.append(((float(x), float(y)), [label]))
    return [(place, "; ".join(names)) for place, names in places]


def mean_against_cvar(
    mean: np.ndarray,
    worst: np.ndarray,
    labels: Sequence[str],
    title: str,
    metric: str,
    *,
    currency: str = "USD",
) -> Figure:
    """The mean of each sweep point's outcomes against the mean of its worst 10% (the
    risk frontier): one dot a point, joined in the order swept, each named by its setting."""
    as_money = metric in MONEY_METRICS
    figure = _blank()
    axes = figure.add_subplot()
    mean = np.asarray(mean, dtype=float)
    worst = np.asarray(worst, dtype=float)
    axes.plot(worst, mean, color=PALETTE[0], zorder=2)
    axes.plot(worst, mean, "o", color=PALETTE[0], zorder=3, linestyle="none")
    for (x, y), label in _merged_labels(worst, mean, labels):
        axes.annotate(label, (x, y), textcoords="offset points", xytext=(6, 4), fontsize="small")
    unit = f" ({currency})" if as_money else ""
    axes.set_xlabel(f"{metric}: mean of the worst 10% of draws{unit}")
    axes.set_ylabel(f"{metric}: mean over the draws{unit}")
    axes.set_title(title)
    formatter = (
        (lambda value, _: money(value, currency)) if as_money else (lambda value, _: plain(value))
    )
    axes.xaxis.set_major_formatter(formatter)
    axes.yaxis.set_major_formatter(formatter)
    axes.margins(0.12)
    axes.spines[["top", "right"]].set_visible(False)
    return figure
