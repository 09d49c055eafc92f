"""A trend chart of the report as SVG (vector), drawn with matplotlib's SVG backend from the same
frame as the region page's chart (`dashboard.figures.region.prepare_trend`).

Offline and without a browser: plotly's own static export needs Kaleido and Chrome. Text is drawn as
paths, so the chart shows the same in every PDF viewer; its content is in the alt text and the table.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("svg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from dashboard.figures import region as figures  # noqa: E402
from dashboard.theme import BAND_SOLID, BLUE, GRID, INK, MUTED, VERMILLION  # noqa: E402
from indicators.registry import Indicator  # noqa: E402

plt.rcParams.update({"svg.fonttype": "path", "font.family": "DejaVu Sans", "font.size": 9,
                     "svg.hashsalt": "monitor"})  # fmt: skip


def trend_svg(
    trend: pd.DataFrame,
    indicator: Indicator,
    region_name: str,
    baseline: float | None = None,
    target: float | None = None,
) -> str:
    """The region's line with its 95% band, the nation (dashed), the startfoto (dotted), the target (dash-dot)."""
    figure, axes = plt.subplots(figsize=(6.6, 2.6), dpi=72)
    try:
        x = np.arange(len(trend))
        value = trend["value"].to_numpy(float, na_value=np.nan)
        low = trend["ci_low"].to_numpy(float, na_value=np.nan)
        high = trend["ci_high"].to_numpy(float, na_value=np.nan)
        axes.fill_between(x, low, high, color=BAND_SOLID, linewidth=0, label="95%-betrouwbaarheidsinterval")
        axes.plot(x, trend["national"].to_numpy(float), color=VERMILLION, linestyle="--", linewidth=1.5,
                  label="Nederland")  # fmt: skip
        axes.plot(x, value, color=BLUE, linewidth=2, marker="o", markersize=3, label=region_name)
        if baseline is not None:
            axes.axhline(
                baseline, color=MUTED, linestyle=":", linewidth=1.5, label=f"Startfoto {figures.startfoto_year()}"
            )
        if target is not None:
            axes.axhline(target, color=INK, linestyle="-.", linewidth=1.5, label="Streefwaarde")
        text = figures.value_text(indicator)
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: text(v)))
        ticks = [i for i, label in enumerate(trend["label"]) if label.endswith("K1")] or [0]
        axes.set_xticks(ticks, [trend["label"].iloc[i] for i in ticks])
        axes.set_ylim(bottom=0)
        axes.grid(axis="y", color=GRID, linewidth=0.6)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
        return buffer.getvalue()
    finally:
        plt.close(figure)
