"""Invented targets and interpretations for the demo (`make run`), written by the seed only.

Like the figures they are made up, and say so: the author is `voorbeeldgegevens` and every text
begins with "Voorbeeld (verzonnen)". The regions and indicators are real codes.
"""

from __future__ import annotations

from sqlalchemy import Engine

from db.steering import Interpretation, Target, set_target, write_interpretation

AUTHOR = "voorbeeldgegevens"
MARK = "Voorbeeld (verzonnen): "
QUARTER = "2025Q3"  # the last quarter of the sample data

TARGETS = (
    Target("region", "VR13", "plegerhulp_bereik", 0.50, "2026Q4"),
    Target("region", "VR13", "plegerhulp_uitval", 0.15, "2026Q4"),
    Target("region", "VR13", "veiligheidsplan_dossiers", 0.60, "2027Q2"),
    Target("region", "VR09", "plegerhulp_bereik", 0.45, "2026Q2"),
    Target("region", "VR09", "huisverbod_preventief", 0.10, "2026Q4"),
)

INTERPRETATIONS = (
    Interpretation("region", "VR13", QUARTER, "",
                   MARK + "Het bereik van plegers groeit langzaam; de uitval blijft de zorg van de regio.",
                   MARK + "Een vaste contactpersoon per wijkteam voor plegerhulp.", "Projectleider en wijkteams",
                   "2026Q1"),
    Interpretation("region", "VR13", QUARTER, "plegerhulp_uitval",
                   MARK + "De uitval ligt boven de streefwaarde; vooral trajecten die lang op de wachtlijst stonden.",
                   MARK + "Wachttijd korter maken met een overbruggingsgesprek.", "Zorgaanbieders forensische GGZ",
                   "2026Q2"),
    Interpretation("region", "VR09", QUARTER, "",
                   MARK + "Meer preventieve huisverboden sinds de werkafspraken met de politie.", "", "", ""),
)  # fmt: skip


def seed_steering(engine: Engine) -> int:
    """Write the invented targets and interpretations; how many were written."""
    for target in TARGETS:
        set_target(engine, target, actor=AUTHOR)
    for item in INTERPRETATIONS:
        write_interpretation(engine, item, actor=AUTHOR)
    return len(TARGETS) + len(INTERPRETATIONS)
