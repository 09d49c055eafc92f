"""The synthetic sample data: a plausible, consistent model and files the ingest stores whole."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ingest.elements import ELEMENTS, ELEMENTS_BY_CODE
from reference.areas import load_reference
from reference.periods import Period
from sample_data import deliveries
from sample_data.generate import MANIFEST_COLUMNS, generate, read_manifest
from sample_data.model import PERIODS, build_model, model_wide, region_trend
from sample_data.seed import seed

# Amsterdam-Amstelland (Weesp until 2022 K1, "<5"), Zaanstreek-Waterland (text numbers,
# transposed, codes), Hart van Brabant (Haaren until 2020 K4, "<5").
REGIONS = ("VR11", "VR13", "VR20-HVB")
YEARS = (2020, 2021, 2022, 2025)


@pytest.fixture(scope="module")
def subset(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    generate(out, regions=REGIONS, years=YEARS)
    return out


@pytest.fixture(scope="module")
def manifest(subset) -> pd.DataFrame:
    return pd.DataFrame(read_manifest(subset / "manifest.csv"), dtype="str")


# --- the model ----------------------------------------------------------------------------------


def test_model_is_deterministic():
    first = build_model().copy()
    build_model.cache_clear()
    second = build_model()
    pd.testing.assert_frame_equal(first, second)


def test_counts_are_whole_and_parts_within_wholes():
    wide = model_wide()
    assert (wide >= 0).all().all()
    assert all(pd.api.types.is_integer_dtype(t) for t in wide.dtypes)
    for element in ELEMENTS:
        if element.part_of:
            assert (wide[element.code] <= wide[element.part_of]).all(), element.code


def test_national_restraining_orders_near_3500_a_year():
    tidy = build_model()
    thv = tidy[tidy["element"] == "thv_totaal"]
    per_year = thv.groupby(thv["period"].map(lambda p: p.year))["value"].sum()
    for year in range(2018, 2025):
        assert 3000 <= per_year[year] <= 4200, (year, per_year[year])


def test_only_municipalities_that_existed():
    ref = load_reference()
    wide = model_wide()
    for code, period in wide.index:
        assert ref.municipalities[code].exists_in(period), (code, period)
    expected = {(m.code, p) for p in PERIODS for m in ref.existing(p)}
    assert set(wide.index) == expected
    periods_of = wide.reset_index().groupby("municipality")["period"].agg(["min", "max"])
    assert periods_of.loc["GM0788", "max"] == Period(2020, 4)  # Haaren
    assert periods_of.loc["GM0457", "max"] == Period(2022, 1)  # Weesp
    assert periods_of.loc["GM1992", "min"] == Period(2023, 1)  # Voorne aan Zee


def test_improving_regions_improve_and_others_do_not():
    ref = load_reference()
    wide = model_wide().reset_index()
    wide["trend"] = [region_trend(ref.region_of(c).code) for c in wide["municipality"]]
    wide["year"] = [p.year for p in wide["period"]]
    sums = wide[wide["year"].isin([2018, 2024])].groupby(["trend", "year"]).sum(numeric_only=True)
    share = {
        "preventief": sums["thv_preventief"] / sums["thv_totaal"],
        "bereik": sums["plegers_hulp_gestart"] / sums["plegers_in_beeld"],
        "uitval": sums["trajecten_uitval"] / sums["trajecten_afgesloten"],
        "veiligheidsplan": sums["dossiers_met_veiligheidsplan"] / sums["dossiers_totaal"],
    }
    up = ("preventief", "bereik", "veiligheidsplan")
    for name in up:
        assert share[name]["verbetering", 2024] > share[name]["verbetering", 2018] + 0.05
        assert share[name]["verslechtering", 2024] < share[name]["verslechtering", 2018]
    assert share["uitval"]["verbetering", 2024] < share["uitval"]["verbetering", 2018] - 0.05
    assert share["uitval"]["verslechtering", 2024] > share["uitval"]["verslechtering", 2018]


# --- the files ----------------------------------------------------------------------------------


def test_manifest_lists_every_file_in_delivery_order(subset, manifest):
    assert tuple(manifest.columns) == MANIFEST_COLUMNS
    written = {p.relative_to(subset).as_posix() for p in subset.rglob("*.xlsx")}
    assert set(manifest["file"]) == written
    assert manifest["file"].is_unique
    moments = [dt.datetime.fromisoformat(t) for t in manifest["delivered_at"]]
    assert moments == sorted(moments)
    assert all(m.utcoffset() == dt.timedelta(0) for m in moments)
    assert max(moments) < deliveries.CUTOFF
    backfill = manifest["file"].str.contains("2018-2024|/202[0-4]/")
    assert {m.date() for m, b in zip(moments, backfill, strict=True) if b} == {dt.date(2025, 1, 15)}
    sources = Counter(s.split(" ")[0] for s in manifest["source"])
    assert sources["Veilig"] == sources["zorgaanbieder"] == len(REGIONS) * len(YEARS)


def test_manifest_names_the_municipality_only_where_the_file_does_not(manifest):
    plans = deliveries.municipality_plans()
    for row in manifest.itertuples():
        if row.source != "gemeente":
            assert row.municipality == ""
            continue
        code = Path(row.file).name.split("_")[0]
        silent = plans[code].variant in (deliveries.NO_MUNICIPALITY, deliveries.TRANSPOSED)
        assert row.municipality == (code if silent else "")


def test_municipality_template_layout(subset, manifest):
    files = manifest[(manifest["source"] == "gemeente") & (manifest["municipality"] == "")]
    sheet = openpyxl.load_workbook(subset / files["file"].iloc[0]).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("Monitor plegeraanpak — aanlevering gemeente ")
    assert rows[2] == ("Gemeente", "Kwartaal", *(e.label for e in ELEMENTS))
    data = rows[3]
    assert Period(int(data[1][:4]), int(data[1][-1])).label == data[1]
    delivered = {i for i, v in enumerate(data) if v is not None} - {0, 1}
    codes = {ELEMENTS[i - 2].code for i in delivered}
    assert codes <= {c for c in ELEMENTS_BY_CODE if c.startswith(("consultaties", "dossiers"))}


def test_veilig_thuis_layout(subset, manifest):
    file = manifest[manifest["source"].str.startswith("Veilig Thuis")]["file"].iloc[0]
    workbook = openpyxl.load_workbook(subset / file)
    assert workbook.sheetnames[0] == "Toelichting"
    assert all(Period.parse_code(n.replace(" K", "Q")).label == n for n in workbook.sheetnames[1:])
    rows = list(workbook[workbook.sheetnames[1]].iter_rows(values_only=True))
    assert rows[2] == ("Gemeentecode", "Gemeente", "Aantal THV", "THV kindermishandeling",
                       "Preventief opgelegd")  # fmt: skip
    body = [r for r in rows[3:] if r[1] not in (None, "Regio totaal")]
    assert all(isinstance(r[0], str) and len(r[0]) == 4 for r in body)
    total = next(r for r in rows if r[1] == "Regio totaal")
    assert total[2] == sum(r[2] for r in body)
    assert rows[-1][0] == "Bron: registratie Veilig Thuis"
    assert rows[-2] == (None,) * 5 and rows[-3][1] == "Regio totaal"


def test_text_numbers_with_thousands_separator(subset, manifest):
    file = manifest[manifest["file"].str.contains("GM0363_amsterdam_2025-K1")]["file"].iloc[0]
    rows = list(openpyxl.load_workbook(subset / file).active.iter_rows(values_only=True))
    cells = [v for v in rows[3][2:] if v is not None]
    assert cells and all(isinstance(v, str) for v in cells)
    assert any(re.fullmatch(r"\d{1,3}(\.\d{3})+", v) for v in cells)


# --- loading through the ingest -----------------------------------------------------------------


def test_subset_loads_whole_and_matches_the_model(subset, tmp_path):
    from db.engine import connect
    from db.steering import current_interpretations, current_targets
    from db.values import current_values
    from ingest.store import list_uploads
    from sample_data.steering import INTERPRETATIONS, TARGETS

    engine = connect(f"sqlite:///{tmp_path / 'monitor.sqlite'}")
    try:
        statuses = seed(engine, subset, echo=lambda _: None)
        assert statuses == Counter(stored=len(read_manifest(subset / "manifest.csv")))
        uploads = list_uploads(engine)
        assert (uploads["errors"] == 0).all()
        assert set(uploads["uploaded_by"]) == {"voorbeeldgegevens"}
        assert seed(engine, subset, echo=lambda _: None) == Counter()  # already filled: skipped
        stored = current_values(engine)
        targets = current_targets(engine)
        interpretations = current_interpretations(engine, "region", ["VR13", "VR09"])
        assert len(targets) == len(TARGETS) and len(interpretations) == len(INTERPRETATIONS)  # once, not twice
        assert {t.set_by for t in targets.values()} == {i.written_by for i in interpretations} == {"voorbeeldgegevens"}
        assert all(i.meaning.startswith("Voorbeeld (verzonnen)") for i in interpretations)
    finally:
        engine.dispose()

    model = build_model().assign(period=lambda f: f["period"].map(str))
    joined = stored.merge(model, on=["municipality", "period", "element"], how="left",
                          suffixes=("", "_model"))  # fmt: skip
    assert joined["value_model"].notna().all()  # nothing for a municipality that did not exist
    known = joined[~joined["suppressed"]]
    assert (known["value"] == known["value_model"]).all()
    hidden = joined[joined["suppressed"]]
    assert len(hidden) > 0 and hidden["value"].isna().all()
    assert hidden["value_model"].between(1, 4).all()
    assert {"GM0457", "GM0788"} <= set(stored["municipality"])  # Weesp, Haaren
    assert {p for p in stored["period"]} <= {str(p) for p in PERIODS if p.year in YEARS}
