"""Charts as self-contained SVG text (matplotlib, no display needed)."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PALETTE = ["#2f6f9f", "#e08a2c", "#4a9b5d", "#b8463e", "#7d5ba6", "#8c6d3f", "#c55a9a"]


def _figure(width: float = 7.0, height: float = 3.6) -> Figure:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    return figure


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    # The RDF metadata block only names its vocabularies; drop it to keep pages lean.
    return re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)


def stacked_bars(frame: pd.DataFrame, title: str, ylabel: str) -> str:
    """Rows along the x axis, columns stacked (e.g. spend by tier per quarter)."""
    figure = _figure()
    axes = figure.add_subplot()
    bottom = np.zeros(len(frame))
    for i, column in enumerate(frame.columns):
        values = frame[column].to_numpy(dtype=float)
        axes.bar(
            [str(x) for x in frame.index],
            values,
            bottom=bottom,
            label=str(column),
            color=PALETTE[i % len(PALETTE)],
        )
        bottom += values
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.legend(frameon=False, fontsize="small")
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


def ranges(frame: pd.DataFrame, title: str) -> str:
    """One row per rule: its value as a dot against the [min, max] band (shares, 0-100%)."""
    figure = _figure(height=0.45 * len(frame) + 1.2)
    axes = figure.add_subplot()
    y = np.arange(len(frame))
    low = frame["min"].fillna(0.0).to_numpy(dtype=float)
    high = frame["max"].fillna(1.0).to_numpy(dtype=float)
    axes.barh(y, high - low, left=low, color="#cfe0ee", label="allowed")
    axes.scatter(frame["value"].to_numpy(dtype=float), y, color=PALETTE[1], zorder=3, label="plan")
    axes.set_yticks(y, [str(name) for name in frame.index])
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    axes.invert_yaxis()
    axes.set_title(title)
    axes.legend(frameon=False, fontsize="small", loc="lower right")
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


def frontier(
    budgets: np.ndarray, objective: np.ndarray, chosen: float | None, title: str, ylabel: str
) -> str:
    """Objective against budget, the scenario's own budget marked."""
    figure = _figure()
    axes = figure.add_subplot()
    axes.plot(budgets, objective, marker="o", color=PALETTE[0])
    if chosen is not None and len(budgets):
        nearest = int(np.argmin(np.abs(budgets - chosen)))
        axes.scatter(
            [budgets[nearest]],
            [objective[nearest]],
            s=120,
            color=PALETTE[1],
            zorder=3,
            label=f"scenario budget {budgets[nearest]:,.0f}",
        )
        axes.legend(frameon=False, fontsize="small")
    axes.set_xlabel("budget")
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.xaxis.set_major_formatter(lambda value, _: f"{value:,.0f}")
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


def grouped_bars(frame: pd.DataFrame, title: str, ylabel: str, percent: bool = False) -> str:
    """Rows along the x axis, one bar per column (e.g. plans side by side)."""
    figure = _figure()
    axes = figure.add_subplot()
    x = np.arange(len(frame))
    width = 0.8 / max(1, len(frame.columns))
    for i, column in enumerate(frame.columns):
        axes.bar(
            x + i * width,
            frame[column].to_numpy(dtype=float),
            width,
            label=str(column),
            color=PALETTE[i % len(PALETTE)],
        )
    axes.set_xticks(x + width * (len(frame.columns) - 1) / 2, [str(v) for v in frame.index])
    if percent:
        axes.yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.legend(frameon=False, fontsize="small")
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)
