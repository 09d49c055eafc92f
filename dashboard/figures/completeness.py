"""Volledigheid: the municipality × quarter matrix of deliveries, the totals per quarter and the
completeness chart of a region against the nation. Pure: frames in, frames, components and figures out.

The input is `indicators.completeness.delivery_table` (one row per municipality and quarter in which it
existed) and `indicators.completeness.quarter_totals`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from dashboard.format import number, percent
from dashboard.theme import AXIS_LINE, BLUE, GREY, GRID, base_layout
from indicators.completeness import ELEMENT_COUNT, Status
from reference.periods import Period

NOT_EXISTING = "bestond niet"  # the municipality did not exist in that quarter (merged)
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december")  # fmt: skip
REGION_COLOUR, NATION_COLOUR = BLUE, GREY  # grey for the benchmark


@dataclass(frozen=True)
class Look:
    """How a status is shown: a symbol, a word and a CSS class (colour is never the only cue)."""

    symbol: str
    label: str
    css: str


LOOKS: dict[str, Look] = {
    Status.ON_TIME: Look("✓", "op tijd", "delivery-on-time"),
    Status.LATE: Look("!", "te laat", "delivery-late"),
    Status.MISSING: Look("✗", "ontbreekt", "delivery-missing"),
    Status.NOT_DUE: Look("…", "nog niet nodig", "delivery-not-due"),
    NOT_EXISTING: Look("–", "bestond niet", "delivery-not-existing"),
}


def dutch_date(day: dt.date | pd.Timestamp) -> str:
    """`2025-06-20` -> `20 juni 2025`."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


# --- the matrix ----------------------------------------------------------------------------------


def matrix_cells(deliveries: pd.DataFrame, periods: Sequence[Period]) -> pd.DataFrame:
    """Every municipality of `deliveries` × every quarter of `periods`, quarters in which it did not
    exist marked `bestond niet`; ordered by name, then quarter."""
    municipalities = (
        deliveries[["municipality", "name"]].drop_duplicates("municipality").sort_values(["name", "municipality"])
    )
    grid = municipalities.merge(pd.DataFrame({"period": [str(p) for p in periods]}), how="cross")
    cells = grid.merge(deliveries.drop(columns="name"), on=["municipality", "period"], how="left")
    cells["status"] = cells["status"].astype(object).where(cells["status"].notna(), NOT_EXISTING)
    cells["elements"] = cells["elements"].fillna(0).astype("int64")
    return cells.reset_index(drop=True)


def cell_text(status: str, elements: int, first_delivery: object, deadline: object) -> str:
    """The full Dutch description of a cell, for screen readers and the hover text."""
    if status == NOT_EXISTING:
        return "bestond niet in dit kwartaal"
    if status in (Status.ON_TIME, Status.LATE):
        text = f"{status}, eerst aangeleverd op {dutch_date(first_delivery)}"
        if elements < ELEMENT_COUNT:
            text += f"; gedeeltelijk: {elements} van {ELEMENT_COUNT} gegevens"
        return text
    due = f" (uiterlijk {dutch_date(deadline)})" if deadline is not None and not pd.isna(deadline) else ""
    return f"{status}{due}"


TOTAL_ROWS = (  # label, how a quarter's totals read in the matrix footer
    ("Aangeleverd", lambda t: f"{number(t.delivered)} van {number(t.expected)}"),
    ("waarvan te laat", lambda t: number(t.late)),
    ("Ontbreekt", lambda t: number(t.missing)),
    (f"Volledig ({ELEMENT_COUNT} van {ELEMENT_COUNT})", lambda t: number(t.complete)),
    ("Volledigheid", lambda t: percent(t.share, 0)),
)


def matrix_download(cells: pd.DataFrame, periods: Sequence[Period]) -> pd.DataFrame:
    """The matrix as a table for Excel: Gemeentecode, Gemeente, a column per quarter with the status
    (late: with the date of the first delivery; partial: with the number of elements)."""
    texts = []
    for row in cells.itertuples():
        text = str(row.status)
        if row.status == Status.LATE:
            text += f" ({row.first_delivery:%d-%m-%Y})"
        if row.status in (Status.ON_TIME, Status.LATE) and row.elements < ELEMENT_COUNT:
            text += f", {row.elements} van {ELEMENT_COUNT} gegevens"
        texts.append(text)
    wide = cells.assign(text=texts).pivot(index=["municipality", "name"], columns="period", values="text")
    wide = wide.reindex(columns=[str(p) for p in periods]).reset_index()
    wide = wide.sort_values(["name", "municipality"], ignore_index=True)
    wide.columns = ["Gemeentecode", "Gemeente", *(p.label for p in periods)]
    return wide


# --- the totals ----------------------------------------------------------------------------------

TOTALS_HEADERS = {
    "period": "Kwartaal",
    "expected": "Gemeenten (bestonden)",
    "delivered": "Aangeleverd",
    "complete": f"Volledig ({ELEMENT_COUNT} van {ELEMENT_COUNT} gegevens)",
    "on_time": "Op tijd",
    "late": "Te laat",
    "missing": "Ontbreekt",
    "not_due": "Nog niet nodig",
    "share": "Volledigheid (%)",
}


def totals_download(totals: pd.DataFrame) -> pd.DataFrame:
    """The totals per quarter with Dutch headers; completeness as a percentage with one decimal."""
    table = totals.assign(
        period=[Period.parse_code(p).label for p in totals["period"]],
        share=(totals["share"] * 100).round(1),
    )
    return table[list(TOTALS_HEADERS)].rename(columns=TOTALS_HEADERS)


# --- the chart: completeness of the region against the nation --------------------------------------


def prepare(region_totals: pd.DataFrame, national_totals: pd.DataFrame) -> pd.DataFrame:
    """Per quarter the completeness of the region and the nation (fractions), in quarter order."""
    region = region_totals[["period", "share"]].rename(columns={"share": "region"})
    nation = national_totals[["period", "share"]].rename(columns={"share": "nation"})
    frame = region.merge(nation, on="period", how="outer")
    frame = frame.sort_values("period", key=lambda s: s.map(lambda p: Period.parse_code(p).index), ignore_index=True)
    frame.insert(1, "label", [Period.parse_code(p).label for p in frame["period"]])
    return frame


def chart_table(series: pd.DataFrame, region_name: str) -> pd.DataFrame:
    """The chart's figures for the data table under it: Dutch percentages."""
    return pd.DataFrame(
        {
            "Kwartaal": series["label"],
            region_name: [percent(v) for v in series["region"]],
            "Nederland": [percent(v) for v in series["nation"]],
        }
    )


def chart_download(series: pd.DataFrame, region_name: str) -> pd.DataFrame:
    """The chart's figures for Excel and CSV: percentages as numbers with one decimal."""
    return pd.DataFrame(
        {
            "Kwartaal": series["label"],
            f"Volledigheid {region_name} (%)": (series["region"] * 100).round(1),
            "Volledigheid Nederland (%)": (series["nation"] * 100).round(1),
        }
    )


def make_figure(series: pd.DataFrame, region_name: str) -> go.Figure:
    """Two lines over the quarters, the region (blue, circles) and the nation (grey, dashed, diamonds)."""
    figure = go.Figure()
    for column, name, colour, symbol, dash in (
        ("region", region_name, REGION_COLOUR, "circle", "solid"),
        ("nation", "Nederland", NATION_COLOUR, "diamond", "dash"),
    ):
        figure.add_trace(
            go.Scatter(
                x=series["label"],
                y=series[column] * 100,
                name=name,
                mode="lines+markers",
                line={"color": colour, "width": 2.5, "dash": dash},
                marker={"symbol": symbol, "size": 8, "color": colour},
                customdata=[percent(v) for v in series[column]],
                hovertemplate=f"{name}<br>%{{x}}: %{{customdata}}<extra></extra>",
            )
        )
    figure.update_layout(
        base_layout(
            340,
            margin={"l": 60, "r": 20, "t": 20, "b": 50},
            legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
            hovermode="x unified",
        )  # fmt: skip
    )
    figure.update_xaxes(title_text="Kwartaal", type="category", showgrid=False, showline=True, linecolor=AXIS_LINE)
    figure.update_yaxes(
        title_text="Aangeleverde gegevens (%)",
        range=[0, 102],
        ticksuffix="%",
        showgrid=True,
        gridcolor=GRID,
        showline=True,
        linecolor=AXIS_LINE,
    )
    return figure


DEFAULT_YEARS = 2  # the matrix opens on the last two years; the controls show more


def selected_periods(available: list[Period], first: int | None, last: int | None) -> list[Period]:
    """The quarters of the years asked for, made valid: years in range, in order; the last
    `DEFAULT_YEARS` years when none is asked for."""
    years = sorted({p.year for p in available})
    first = first if first in years else years[max(0, len(years) - DEFAULT_YEARS)]
    last = last if last in years else years[-1]
    first, last = min(first, last), max(first, last)
    return [p for p in available if first <= p.year <= last]


def download_name(region: str, periods: list[Period], what: str) -> str:
    """`volledigheid_matrix_VR09_2024Q1-2025Q2`."""
    return f"volledigheid_{what}_{region}_{periods[0]}-{periods[-1]}"
