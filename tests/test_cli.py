"""The command line exactly as DOMAIN.md gives it: load, check, export, template and their exit codes."""

import csv
import io
import subprocess
import sys

import openpyxl
import pytest

from db.engine import connect
from db.values import current_values, value_history
from ingest.cli import main
from ingest.store import list_uploads
from tests.workbooks import write_workbook

GOOD = {"Blad1": [["Gemeente", "Kwartaal", "THV", "THV kindermishandeling"], ["Utrecht", "2024 K1", 10, 4]]}
CORRECTED = {"Blad1": [["Gemeente", "Kwartaal", "THV", "THV kindermishandeling"], ["Utrecht", "2024 K1", 10, 5]]}
BAD = {"Blad1": [["Gemeente", "Kwartaal", "THV", "THV kindermishandeling"], ["Utrecht", "2024 K1", 10, 11]]}


def run(*argv):
    out = io.StringIO()
    code = main(list(argv), out)
    return code, out.getvalue()


def test_load_stores_and_prints_one_line_per_file(tmp_path, db_url):
    good = write_workbook(tmp_path / "utrecht.xlsx", GOOD)
    code, output = run("load", "--db", db_url, str(good))
    assert code == 0
    assert output == "utrecht.xlsx: opgeslagen, 2 waarden (2 nieuw, 0 vervangen, 0 ongewijzigd)\n"
    stored = current_values(connect(db_url))
    assert sorted(zip(stored["element"], stored["value"], strict=True)) == [
        ("thv_kindermishandeling", 4),
        ("thv_totaal", 10),
    ]


def test_rejected_file_changes_nothing_and_exits_1(tmp_path, db_url):
    good = write_workbook(tmp_path / "utrecht.xlsx", GOOD)
    bad = write_workbook(tmp_path / "fout.xlsx", BAD)
    run("load", "--db", db_url, str(good))
    before = current_values(connect(db_url))
    code, output = run("load", "--db", db_url, str(bad))
    assert code == 1
    assert output.splitlines()[0] == "fout.xlsx: geweigerd, 1 fout; er is niets opgeslagen"
    assert "fout: Blad1!D2 [exceeds_total]" in output.splitlines()[1]
    after = current_values(connect(db_url))
    assert after[["municipality", "element", "value"]].equals(before[["municipality", "element", "value"]])
    assert list_uploads(connect(db_url))["status"].tolist() == ["rejected", "stored"]


def test_mixed_batch_stores_the_good_file_and_exits_1(tmp_path, db_url):
    good = write_workbook(tmp_path / "utrecht.xlsx", GOOD)
    bad = write_workbook(tmp_path / "fout.xlsx", BAD)
    code, output = run("load", "--db", db_url, str(bad), str(good))
    assert code == 1
    assert [line.split(":")[1].split(",")[0].strip() for line in output.splitlines() if not line.startswith(" ")] == [
        "geweigerd", "opgeslagen"
    ]  # fmt: skip
    assert len(current_values(connect(db_url))) == 2


def test_later_upload_supersedes_and_keeps_history(tmp_path, db_url):
    run("load", "--db", db_url, str(write_workbook(tmp_path / "v1.xlsx", GOOD)))
    code, output = run("load", "--db", db_url, str(write_workbook(tmp_path / "v2.xlsx", CORRECTED)))
    assert (code, output) == (0, "v2.xlsx: opgeslagen, 2 waarden (0 nieuw, 1 vervangen, 1 ongewijzigd)\n")
    engine = connect(db_url)
    history = value_history(engine, municipality="GM0344", period="2024Q1", element="thv_kindermishandeling")
    assert history["value"].tolist() == [4, 5]
    assert history["superseded_at"].notna().tolist() == [True, False]


def test_same_file_twice_stores_nothing_new(tmp_path, db_url):
    path = write_workbook(tmp_path / "utrecht.xlsx", GOOD)
    run("load", "--db", db_url, str(path))
    code, output = run("load", "--db", db_url, str(path))
    assert code == 0
    assert "al eerder opgeslagen" in output
    assert len(value_history(connect(db_url))) == 2


def test_municipality_option_for_single_municipality_files(tmp_path, db_url):
    path = write_workbook(tmp_path / "zeist.xlsx", {"Blad1": [["Kwartaal", "Consulten GGZ"], ["2024 K1", 7]]})
    assert run("load", "--db", db_url, str(path))[0] == 1
    assert run("load", "--db", db_url, "--municipality", "GM0355", str(path))[0] == 0
    assert current_values(connect(db_url))["municipality"].tolist() == ["GM0355"]


def test_check_stores_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("MONITOR_DB_URL", f"sqlite:///{tmp_path / 'never.sqlite'}")
    good = write_workbook(tmp_path / "utrecht.xlsx", GOOD)
    bad = write_workbook(tmp_path / "fout.xlsx", BAD)
    assert run("check", str(good)) == (0, "utrecht.xlsx: in orde, 2 waarden\n")
    assert run("check", str(bad))[0] == 1
    assert not (tmp_path / "never.sqlite").exists()


def test_missing_file_is_a_rejection(tmp_path):
    code, output = run("check", str(tmp_path / "bestaat-niet.xlsx"))
    assert code == 1
    assert "[file_missing]" in output


@pytest.mark.parametrize(
    "argv",
    [[], ["unknown"], ["load"], ["export", "--level", "province"], ["export", "--format", "pdf"], ["check"]],
)
def test_wrong_usage_exits_2(argv):
    with pytest.raises(SystemExit) as exit_info:
        main(argv, io.StringIO())
    assert exit_info.value.code == 2


def test_bad_database_url_exits_2(tmp_path):
    good = write_workbook(tmp_path / "utrecht.xlsx", GOOD)
    assert run("load", "--db", "mysql://nobody@nowhere/db", str(good))[0] == 2


def test_export_csv_has_the_exact_columns_and_figures(tmp_path, db_url):
    run("load", "--db", db_url, str(write_workbook(tmp_path / "utrecht.xlsx", GOOD)))
    out = tmp_path / "export.csv"
    assert run("export", "--db", db_url, "--level", "municipality", "--out", str(out))[0] == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["level", "area_code", "area_name", "period", "indicator", "numerator", "denominator",
                       "value", "ci_low", "ci_high", "reported", "expected"]  # fmt: skip
    utrecht = [r for r in rows[1:] if r[1] == "GM0344" and r[4] == "huisverbod_km"]
    assert [r[:8] + r[10:] for r in utrecht] == [
        ["municipality", "GM0344", "Utrecht", "2024Q1", "huisverbod_km", "4", "10", "0.4", "1", "1"]
    ]


def test_export_xlsx_and_region_level(tmp_path, db_url):
    run("load", "--db", db_url, str(write_workbook(tmp_path / "utrecht.xlsx", GOOD)))
    out = tmp_path / "export.xlsx"
    assert run("export", "--db", db_url, "--level", "region", "--format", "xlsx", "--out", str(out))[0] == 0
    sheet = openpyxl.load_workbook(out).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    utrecht = [r for r in rows if r[1] == "VR09" and r[4] == "huisverbod_km"]
    assert [(r[5], r[6], r[10], r[11]) for r in utrecht] == [(4, 10, 1, 26)]


def test_export_suppressed_leaves_small_numbers_empty_and_has_no_municipalities(tmp_path, db_url):
    """3 of 8 restraining orders in child-abuse cases: a proportion over fewer than 10, in Utrecht's
    region and in the nation; the suppressed export leaves both empty, the full export does not."""
    small = {"Blad1": [["Gemeente", "Kwartaal", "THV", "THV kindermishandeling"], ["Utrecht", "2024 K1", 8, 3]]}
    run("load", "--db", db_url, str(write_workbook(tmp_path / "utrecht.xlsx", small)))
    out, full = tmp_path / "afgeschermd.csv", tmp_path / "volledig.csv"
    assert run("export", "--db", db_url, "--afgeschermd", "--out", str(out))[0] == 0
    assert run("export", "--db", db_url, "--out", str(full))[0] == 0
    with out.open(encoding="utf-8", newline="") as a, full.open(encoding="utf-8", newline="") as b:
        hidden, shown = list(csv.DictReader(a)), list(csv.DictReader(b))
    assert {r["level"] for r in hidden} == {"region", "national"} and all("Q" in r["period"] for r in hidden)
    key = ("VR09", "2024Q1", "huisverbod_km")
    assert [(r["numerator"], r["denominator"]) for r in shown if (r["area_code"], r["period"], r["indicator"]) == key] \
        == [("3", "8")]  # fmt: skip
    for area in ("VR09", "NL"):
        (row,) = [r for r in hidden if (r["area_code"], r["period"], r["indicator"]) == (area, *key[1:])]
        assert row["numerator"] == row["denominator"] == row["value"] == row["ci_low"] == ""
    assert run("export", "--db", db_url, "--afgeschermd", "--level", "municipality")[0] == 2


def test_template_command(tmp_path):
    out = tmp_path / "sjabloon.xlsx"
    assert run("template", "--out", str(out))[0] == 0
    assert openpyxl.load_workbook(out).sheetnames[:2] == ["Toelichting", "Gegevens"]


def test_python_m_ingest_exit_codes(tmp_path):
    """The real entry point, as outside checks call it."""
    good = write_workbook(tmp_path / "utrecht.xlsx", GOOD)
    bad = write_workbook(tmp_path / "fout.xlsx", BAD)
    for argv, expected in (([str(good)], 0), ([str(bad)], 1), ([], 2)):
        done = subprocess.run([sys.executable, "-m", "ingest", "check", *argv], capture_output=True, text=True)
        assert done.returncode == expected, done.stdout + done.stderr


def test_the_same_problem_in_a_column_is_one_line(tmp_path):
    rows = [["Gemeente", "Kwartaal", "THV"]] + [["Utrecht", f"2024 T{q}", 3] for q in range(1, 5)] * 10
    path = write_workbook(tmp_path / "cbs.xlsx", {"Blad1": rows})
    code, output = run("check", str(path))
    lines = output.splitlines()
    assert code == 1 and len(lines) == 2, output
    assert lines[1].startswith("    fout: Blad1, kolom B, rij 2–41 (40 cellen) [unknown_period] '2024 T1' is geen")


def test_check_reads_csv_files(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("Gemeente;Kwartaal;THV\r\nSúdwest-Fryslân;2024 K1;7\r\n".encode("cp1252"))
    code, output = run("check", str(path))
    assert (code, output) == (0, "export.csv: in orde, 1 waarde\n")


def test_check_starts_without_the_database_plotting_or_statistics_libraries(tmp_path):
    """`check` needs neither SQLAlchemy, plotly nor scipy: importing them would double its start-up."""
    good = write_workbook(tmp_path / "utrecht.xlsx", GOOD)
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['ingest', 'check', {str(good)!r}]\n"
        "try:\n    runpy.run_module('ingest', run_name='__main__')\n"
        "except SystemExit as done:\n    assert done.code == 0, done.code\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'plotly', 'scipy', 'dash'}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[]"


# --- --column: what a column means, said on the command line (issue 9) ---------------------------

OPEN_COLUMN = {"Blad1": [["Gemeente", "Kwartaal", "THV", "Wachttijd (weken)"], ["Utrecht", "2024 K1", 10, 6]]}


def test_column_option_answers_the_question_and_the_file_is_stored(tmp_path, db_url):
    path = write_workbook(tmp_path / "utrecht.xlsx", OPEN_COLUMN)
    code, output = run("check", str(path))
    assert code == 1
    assert "[unmapped_column] Kolom 'Wachttijd (weken)' is niet herkend" in output
    code, output = run("load", "--db", db_url, "--column", "Wachttijd (weken)=plegers_in_beeld", str(path))
    assert code == 0, output
    assert output.splitlines() == [
        "utrecht.xlsx: opgeslagen, 2 waarden (2 nieuw, 0 vervangen, 0 ongewijzigd)",
        "    Kolom 'Wachttijd (weken)' (Blad1!D1) is gelezen als 'Plegers in beeld' (zoals opgegeven).",
    ]
    stored = current_values(connect(db_url))
    assert sorted(zip(stored["element"], stored["value"], strict=True)) == [("plegers_in_beeld", 6), ("thv_totaal", 10)]


def test_column_option_skip_and_case_and_spacing_of_the_header(tmp_path):
    path = write_workbook(tmp_path / "utrecht.xlsx", OPEN_COLUMN)
    code, output = run("check", "--column", "  wachttijd  (WEKEN) =skip", str(path))
    assert code == 0, output
    assert output.splitlines()[0] == "utrecht.xlsx: in orde, 1 waarde"


@pytest.mark.parametrize("option", ["Wachttijd", "Wachttijd=wachttijd", "=skip"])
def test_column_option_with_a_wrong_code_is_wrong_usage(tmp_path, option, capsys):
    path = write_workbook(tmp_path / "utrecht.xlsx", OPEN_COLUMN)
    code, _ = run("check", "--column", option, str(path))
    assert code == 2
    assert "--column" in capsys.readouterr().err


def test_a_mapping_given_with_source_is_remembered_for_that_sources_next_files(tmp_path, db_url):
    first = write_workbook(tmp_path / "vt_k1.xlsx", OPEN_COLUMN)
    later = {"Blad1": [["Gemeente", "Kwartaal", "THV", "Wachttijd (weken)"], ["Utrecht", "2024 K2", 11, 7]]}
    second = write_workbook(tmp_path / "vt_k2.xlsx", later)
    code, output = run("load", "--db", db_url, "--source", "VT Utrecht", str(second))
    assert code == 1 and "[unmapped_column]" in output  # asked: nothing remembered yet
    code, output = run("load", "--db", db_url, "--source", "VT Utrecht", "--user", "piet",
                       "--column", "Wachttijd (weken)=plegers_in_beeld", str(first))  # fmt: skip
    assert code == 0, output
    code, output = run("check", "--db", db_url, "--source", "VT Utrecht", str(second))
    assert code == 0, output
    expected = (
        "    Kolom 'Wachttijd (weken)' (Blad1!D1) is gelezen als 'Plegers in beeld' "
        "(volgens de koppeling van VT Utrecht)."
    )
    assert expected in output.splitlines()
    code, output = run("load", "--db", db_url, "--source", "VT Utrecht", str(second))
    assert code == 0 and expected in output.splitlines(), output
    code, output = run("check", "--db", db_url, "--source", "Reclassering", str(second))
    assert code == 1  # another source's files are asked about again
    from db.audit import read_audit

    entries = read_audit(connect(db_url))
    changed = entries[entries["action"] == "koppeling_gewijzigd"]
    assert changed["actor"].tolist() == ["piet"] and changed["subject"].tolist() == ["VT Utrecht"]


# --- a column of counts without a header (issue 9, part 4): named by its letter -------------------

HEADERLESS = [["Gemeente", "Kwartaal", "THV", None], ["Utrecht", "2024 K1", 10, 4]]


def write_headerless_csv(path, quarter="2024 K1", counts=(10, 4)):
    path.write_text(f"Gemeente;Kwartaal;THV;\nUtrecht;{quarter};{counts[0]};{counts[1]}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_check_asks_about_a_column_without_a_header_and_takes_its_letter(tmp_path, kind):
    name = f"utrecht.{kind}"
    path = (write_workbook(tmp_path / name, {"Blad1": HEADERLESS}) if kind == "xlsx"
            else write_headerless_csv(tmp_path / name))  # fmt: skip
    sheet = "Blad1" if kind == "xlsx" else "utrecht"
    code, output = run("check", str(path))
    assert code == 1
    assert f"{sheet}!D1 [unmapped_column] Kolom D (zonder kop) is niet herkend, maar bevat aantallen." in output
    assert '--column "D=CODE"' in output
    code, output = run("check", "--column", "D=thv_kindermishandeling", str(path))
    assert code == 0, output
    assert output.splitlines() == [
        f"{name}: in orde, 2 waarden",
        f"    Kolom D (zonder kop) ({sheet}!D1) is gelezen als 'waarvan bij kindermishandeling' (zoals opgegeven).",
    ]
    code, output = run("check", "--column", "Kolom D (zonder kop)=skip", str(path))  # as the message names it
    assert code == 0 and output.splitlines()[0] == f"{name}: in orde, 1 waarde", output


def test_a_mapping_of_a_column_without_a_header_is_remembered_for_the_sources_next_file(tmp_path, db_url):
    first = write_headerless_csv(tmp_path / "vt_k1.csv")
    second = write_headerless_csv(tmp_path / "vt_k2.csv", "2024 K2", (12, 3))
    code, output = run("load", "--db", db_url, "--source", "VT Utrecht", "--column", "D=thv_kindermishandeling",
                       str(first))  # fmt: skip
    assert code == 0, output
    code, output = run("load", "--db", db_url, "--source", "VT Utrecht", str(second))
    assert code == 0, output
    assert (
        "    Kolom D (zonder kop) (vt_k2!D1) is gelezen als 'waarvan bij kindermishandeling' "
        "(volgens de koppeling van VT Utrecht)." in output.splitlines()
    )
    stored = current_values(connect(db_url))
    assert sorted(zip(stored["period"].astype(str), stored["element"], stored["value"], strict=True)) == [
        ("2024Q1", "thv_kindermishandeling", 4), ("2024Q1", "thv_totaal", 10),
        ("2024Q2", "thv_kindermishandeling", 3), ("2024Q2", "thv_totaal", 12),
    ]  # fmt: skip
    code, output = run("check", "--db", db_url, "--source", "Reclassering", str(second))
    assert code == 1 and "[unmapped_column] Kolom D (zonder kop)" in output  # another source is asked
