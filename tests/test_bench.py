"""Smoke test of the ingest benchmark's machinery: 3 files, 1 round. Timings are never asserted."""

from __future__ import annotations

import json

import pytest

from bench import ingest_bench


def test_benchmark_runs_and_reports_both_medians(tmp_path, capsys):
    out = tmp_path / "ingest.json"
    argv = ["--files", "3", "--rounds", "1", "--json", str(out), "--work-dir", str(tmp_path)]
    assert ingest_bench.main(argv) == 0

    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["files"] == 3 and result["rounds"] == 1
    assert result["values"] == 3 * 13
    assert result["plain_read_sheets_per_file"] == 3  # instructions, data and the names list
    assert len(result["load_seconds"]) == len(result["plain_read_seconds"]) == 1
    load, read = result["load_median_seconds"], result["plain_read_median_seconds"]
    assert load > 0 and read > 0
    assert result["ratio"] == pytest.approx(load / read, rel=1e-3)
    assert result["ratio_per_round"] == [pytest.approx(load / read, rel=1e-3)]
    assert result["ratio_goal_met"] == (result["ratio"] <= 0.5)
    memory = result["memory"]
    assert memory["load_peak_mb"] > 0 and memory["plain_read_peak_mb"] > 0
    assert memory["goal_met"] == (memory["load_peak_mb"] < 300)

    csv = result["csv"]
    assert csv["files"] == 3 and len(csv["load_seconds"]) == len(csv["plain_read_seconds"]) == 1
    assert csv["ratio"] == pytest.approx(csv["load_median_seconds"] / csv["plain_read_median_seconds"], rel=1e-3)
    assert csv["load_vs_xlsx_load"] == pytest.approx(csv["load_median_seconds"] / load, rel=1e-3)
    assert csv["load_peak_mb"] > 0

    printed = capsys.readouterr().out
    assert "MEDIAN load:" in printed and "MEDIAN plain read:" in printed
    assert "RATIO load / plain read" in printed
    assert "RATIO CSV load / CSV plain read" in printed
    assert list(tmp_path.glob("ingest_bench_*")) == []  # the temporary files are gone


def test_growth_benchmark_stores_as_the_upload_page_does_into_each_history(tmp_path):
    """The growth benchmark's pieces: the histories it prepares and what it runs for *Opslaan*."""
    from sqlalchemy import func, select

    from bench import growth_bench
    from db.engine import connect
    from db.tables import indicator_values, observations, uploads

    file = growth_bench.write_file(tmp_path / "f.xlsx")
    quarters = {}
    for history in ("empty", "doubled"):
        url = growth_bench.prepare(tmp_path / f"{history}.sqlite", history)
        growth_bench.store_as_the_page(url, str(file))
        with connect(url).connect() as conn:
            statuses = conn.execute(select(uploads.c.status).order_by(uploads.c.id)).scalars().all()
            quarters[history] = conn.execute(
                select(func.count(func.distinct(observations.c.year * 4 + observations.c.quarter)))
            ).scalar_one()
            assert conn.execute(select(func.count()).select_from(indicator_values)).scalar_one() > 0
        assert statuses[-1] == "stored"
    assert quarters == {"empty": 1, "doubled": 2 * 31}


def test_the_minimal_load_floor_imports_only_what_a_load_imports(tmp_path):
    """The floor `bench.minimal_load_bench` sets beside the load is the load's own imports, not more."""
    import subprocess
    import sys

    from bench import minimal_load_bench

    paths = [str(p) for p in minimal_load_bench.write_minimal_files(tmp_path / "files", count=2)]
    url = f"sqlite:///{tmp_path / 'load.sqlite'}"
    script = (
        "import sys\nfrom ingest.cli import main\n"
        f"assert main(['load', '--db', {url!r}, *{paths!r}]) == 0\n"
        f"print('missing:', ','.join(m for m in {minimal_load_bench.LOAD_IMPORTS!r} if m not in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "missing: "  # every floor import was imported by the load
