"""A small seeded SQLite database: the sample data of a few regions and years, loaded through the pipeline.

Takes a few seconds. Used by the callback benchmark when data/monitor.sqlite is missing, and by the
browser tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

SUBSET_REGIONS = ("VR13", "VR20-HVB", "VR25")  # small regions, one with a code holding a hyphen
SUBSET_YEARS = (2018, 2024, 2025)  # the baseline year and the latest two


def seed_subset(folder: Path, regions: Sequence[str] = SUBSET_REGIONS, years: Sequence[int] = SUBSET_YEARS) -> str:
    """Generate the sample files of `regions` and `years` in `folder` and load them into a new SQLite
    database there; returns its SQLAlchemy URL."""
    from db.engine import connect
    from sample_data.generate import generate
    from sample_data.seed import seed

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    generate(folder / "sample", regions=list(regions), years=list(years))
    url = f"sqlite:///{folder / 'monitor.sqlite'}"
    engine = connect(url)
    try:
        statuses = seed(engine, folder / "sample", echo=lambda *_: None)
    finally:
        engine.dispose()
    if statuses.get("rejected") or not statuses.get("stored"):
        raise RuntimeError(f"seeding the sample subset went wrong: {dict(statuses)}")
    return url


def store_directly(engine, values, file_name: str = "voorbeeld") -> None:
    """Store `values` (municipality, period, element, value rows, as `sample_data.model.build_model` gives
    them) as one upload, straight into the tables: no files, no checks. For benchmarks and tests that need
    a large history fast; the pipeline itself is measured and tested elsewhere."""
    import datetime as dt

    from sqlalchemy import insert

    from db.engine import write_transaction
    from db.tables import observations, uploads

    now = dt.datetime.now(dt.UTC)
    with write_transaction(engine) as conn:
        upload = conn.execute(insert(uploads).values(file_name=file_name, sha256="0" * 64, uploaded_at=now,
                                                     status="stored")).inserted_primary_key[0]  # fmt: skip
        conn.execute(insert(observations), [
            {"upload_id": upload, "municipality": m, "year": p.year, "quarter": p.quarter, "element": e,
             "value": int(v)} for m, p, e, v in values.itertuples(index=False)
        ])  # fmt: skip


def ensure_account(db_url: str, name: str, role: str = "beheerder", **scope) -> str:
    """An account `name` with `role` in the database at `db_url`, with a fresh random password (returned).

    For the benchmark and the browser tests, which sign in like a user does; never a fixed password."""
    from accounts.passwords import generate_password
    from accounts.users import add_user, get_user, reset_password, set_active
    from db.engine import connect
    from reference.areas import load_reference

    password = generate_password()
    engine = connect(db_url)
    try:
        if get_user(engine, name) is None:
            add_user(engine, name, role, password=password, actor="bench", reference=load_reference(), **scope)
        else:
            reset_password(engine, name, password, actor="bench")
            set_active(engine, name, True, actor="bench")
    finally:
        engine.dispose()
    return password
