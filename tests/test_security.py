"""The gate in front of the dashboard, tried over HTTP as an outsider would: every route without a
session, sign-in and lock-out, logout, cookie flags, foreign origins, oversized requests, headers.

The app runs on Flask's test client (https://localhost, so Secure cookies travel) against a
database of its own with one small upload and one account per role.
"""

from __future__ import annotations

import json
import re

import pytest
from argon2 import PasswordHasher

from accounts.scope import Role
from accounts.users import add_user
from dashboard.security import COOKIE_NAME, Settings
from db.audit import Action
from ingest.pipeline import load_file
from reference.areas import load_reference
from tests.workbooks import write_workbook

PASSWORD = "een lang genoeg wachtwoord"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # fast to create; login rehashes
BASE = "https://localhost"
SMALL_LIMIT = 64 * 1024
ACCOUNTS = {
    "beheer": (Role.BEHEERDER, None, ()),
    "pl-amsterdam": (Role.PROJECTLEIDER, "VR13", ()),
    "gem-diemen": (Role.GEMEENTE, None, ("GM0384",)),
    "keten": (Role.KETENPARTNER, None, ("GM0363", "GM0362")),
    "stuur": (Role.STUURGROEP, None, ()),
}
HEADER = ["Gemeente", "Kwartaal", "Plegertrajecten afgesloten", "waarvan voortijdig uitgevallen"]
ROWS = [
    ["Amsterdam", "2025 K1", 1000, 100],  # VR13 Amsterdam-Amstelland
    ["Diemen", "2025 K1", 40, 3],  # VR13
    ["Almere", "2025 K1", 800, 320],  # VR25 Flevoland
    ["Lelystad", "2025 K1", 300, 2],  # VR25
    ["Groningen", "2025 K1", 7, 2],  # VR01 Groningen: 7 trajectories, a denominator under 10
    ["Zwolle", "2025 K1", 500, 50],  # VR04 IJsselland
]
DROPOUT = "plegerhulp_uitval"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(app, engine) on a fresh database with one upload and the accounts above."""
    import dashboard.data
    from dashboard.app import create_app

    folder = tmp_path_factory.mktemp("security")
    url = f"sqlite:///{folder / 'monitor.sqlite'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MONITOR_DB_URL", url)
        dashboard.data.engine.cache_clear()
        engine = dashboard.data.engine()
        reference = load_reference()
        for name, (role, region, municipalities) in ACCOUNTS.items():
            add_user(engine, name, role, region=region, municipalities=municipalities, password=PASSWORD,
                     actor="test", reference=reference, hasher=CHEAP)  # fmt: skip
        path = write_workbook(folder / "cijfers.xlsx", {"Blad1": [HEADER, *ROWS]})
        assert load_file(engine, path)[1].status == "stored"
        app = create_app(Settings(secure_cookie=True, max_request_bytes=SMALL_LIMIT))
        yield app, engine
        engine.dispose()
        dashboard.data.engine.cache_clear()


@pytest.fixture
def client(site):
    app, _ = site
    return app.server.test_client()


def sign_in(client, name: str, password: str = PASSWORD, following: str = "/"):
    return client.post(
        f"{BASE}/login", data={"naam": name, "wachtwoord": password, "volgende": following}, headers={"Origin": BASE}
    )


def signed_in(site, name: str):
    client = site[0].server.test_client()
    response = sign_in(client, name)
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


# --- without a session ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/_dash-layout"),
        ("GET", "/_dash-dependencies"),
        ("POST", "/_dash-update-component"),
        ("GET", "/_reload-hash"),
        ("GET", "/_dash-component-suites/dash/deps/polyfill@7.v4_4_1m1.12.1.min.js"),
        ("GET", "/_favicon.ico"),
    ],
)
def test_dash_routes_refuse_a_request_without_a_session(client, method, path):
    response = client.open(f"{BASE}{path}", method=method, json={} if method == "POST" else None)
    assert response.status_code == 401
    assert "niet (meer) ingelogd" in response.get_json()["melding"]


@pytest.mark.parametrize("path", ["/", "/regio?code=VR13", "/vergelijken", "/volledigheid", "/aanleveren",
                                  "/auditlog", "/assets/a11y.js", "/bestaat-niet"])  # fmt: skip
def test_pages_send_a_visitor_without_a_session_to_the_sign_in_page(client, path):
    response = client.get(f"{BASE}{path}")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/login?volgende=")
    assert "Monitor plegeraanpak" not in response.get_data(as_text=True)


def test_a_forged_or_unknown_session_cookie_is_no_session(client):
    client.set_cookie(COOKIE_NAME, "verzonnen-token", domain="localhost")
    assert client.get(f"{BASE}/_dash-layout").status_code == 401


def test_the_sign_in_page_and_its_stylesheet_are_public(client):
    page = client.get(f"{BASE}/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="nl">' in html and 'for="naam"' in html and 'for="wachtwoord"' in html
    assert client.get(f"{BASE}/assets/style.css").status_code == 200


# --- signing in ----------------------------------------------------------------------------------


def test_sign_in_sets_a_hardened_cookie_and_opens_the_dash_routes(site):
    client = site[0].server.test_client()
    response = sign_in(client, "stuur", following="/regio?code=VR13")
    assert response.status_code == 303 and response.headers["Location"] == "/regio?code=VR13"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
    layout = client.get(f"{BASE}/_dash-layout")
    assert layout.status_code == 200
    assert "Ingelogd als stuur" in layout.get_data(as_text=True)
    assert client.get(f"{BASE}/_dash-dependencies").status_code == 200


@pytest.mark.parametrize("following", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"])
def test_sign_in_never_redirects_to_another_site(site, following):
    response = sign_in(site[0].server.test_client(), "stuur", following=following)
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(client):
    wrong = sign_in(client, "stuur", "niet het goede wachtwoord")
    unknown = sign_in(client, "niemand", "niet het goede wachtwoord")
    assert wrong.status_code == unknown.status_code == 401
    assert "Onbekende naam of onjuist wachtwoord." in wrong.get_data(as_text=True)
    assert "Onbekende naam of onjuist wachtwoord." in unknown.get_data(as_text=True)
    assert "Set-Cookie" not in wrong.headers


def test_repeated_failures_lock_the_account_even_for_the_right_password(site):
    from accounts.users import set_active

    app, engine = site
    client = app.server.test_client()
    add_user(engine, "te-vaak", Role.STUURGROEP, password=PASSWORD, actor="test", reference=load_reference(),
             hasher=CHEAP)  # fmt: skip
    for _ in range(5):
        assert sign_in(client, "te-vaak", "fout fout fout fout").status_code == 401
    locked = sign_in(client, "te-vaak")
    assert locked.status_code == 401 and "Te veel mislukte pogingen" in locked.get_data(as_text=True)
    set_active(engine, "te-vaak", True, actor="test")  # the beheerder unlocks it
    assert sign_in(client, "te-vaak").status_code == 303


def test_logout_ends_the_session_on_the_server(site):
    client = signed_in(site, "stuur")
    token = client.get_cookie(COOKIE_NAME, domain="localhost").value
    response = client.post(f"{BASE}/logout", headers={"Origin": BASE})
    assert response.status_code == 303 and "uitgelogd" in response.headers["Location"]
    assert client.get(f"{BASE}/_dash-layout").status_code == 401
    thief = site[0].server.test_client()  # the old token, replayed
    thief.set_cookie(COOKIE_NAME, token, domain="localhost")
    assert thief.get(f"{BASE}/_dash-layout").status_code == 401


@pytest.mark.parametrize("second", ["beheer", "stuur"])
def test_a_new_sign_in_ends_the_browsers_earlier_session(site, second):
    """Signing in again, as another user or the same one, leaves no session of the browser behind."""
    client = signed_in(site, "stuur")
    earlier = client.get_cookie(COOKIE_NAME, domain="localhost").value
    assert sign_in(client, second).status_code == 303
    assert client.get_cookie(COOKIE_NAME, domain="localhost").value != earlier
    assert f"Ingelogd als {second}" in client.get(f"{BASE}/_dash-layout").get_data(as_text=True)
    replayed = site[0].server.test_client()
    replayed.set_cookie(COOKIE_NAME, earlier, domain="localhost")
    assert replayed.get(f"{BASE}/_dash-layout").status_code == 401


def test_logins_and_failures_are_in_the_audit_log(site):
    from db.audit import read_audit

    _, engine = site
    sign_in(site[0].server.test_client(), "keten")
    sign_in(site[0].server.test_client(), "keten", "fout fout fout fout")
    log = read_audit(engine, text="keten")
    assert {Action.LOGIN, Action.LOGIN_FAILED} <= set(log["action"])
    assert PASSWORD not in log.to_string() and "fout fout" not in log.to_string()


# --- requests from elsewhere, and too large ------------------------------------------------------


def test_a_post_from_a_foreign_origin_is_refused_even_with_a_session(site):
    client = signed_in(site, "beheer")
    for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"}, {"Referer": "https://evil.example/p"}):
        response = client.post(f"{BASE}/_dash-update-component", json={}, headers=headers)
        assert response.status_code == 403, headers
    login = client.post(f"{BASE}/login", data={"naam": "x", "wachtwoord": "y"}, headers={"Origin": "https://e.example"})
    assert login.status_code == 403
    from db.audit import read_audit

    denied = read_audit(site[1], actor="beheer", action=Action.ACCESS_DENIED)
    assert len(denied) == 4 and "evil.example" in denied["details"].iloc[-1]


@pytest.mark.parametrize("origin", ["http://localhost", "ws://localhost", "http://localhost:443"])
def test_the_origin_check_compares_the_scheme_too(site, origin):
    """The site is https://localhost: the same host over plain http is another origin."""
    client = signed_in(site, "pl-amsterdam")
    response = client.post(f"{BASE}/_dash-update-component", json={}, headers={"Origin": origin})
    assert response.status_code == 403
    login = client.post(f"{BASE}/login", data={"naam": "x", "wachtwoord": "y"}, headers={"Origin": origin})
    assert login.status_code == 403


def test_a_request_over_the_size_limit_gets_413_and_a_dutch_message(site):
    client = signed_in(site, "beheer")
    body = json.dumps({"inputs": [{"id": "x", "property": "contents", "value": "a" * (SMALL_LIMIT + 1)}]})
    response = client.post(
        f"{BASE}/_dash-update-component", data=body, content_type="application/json", headers={"Origin": BASE}
    )
    assert response.status_code == 413
    assert "Er is niets opgeslagen" in response.get_json()["melding"]


# --- secure defaults -----------------------------------------------------------------------------


def test_security_headers_on_pages_and_dash_routes(site):
    client = signed_in(site, "stuur")
    for path in ("/", "/_dash-layout", "/login"):
        headers = client.get(f"{BASE}{path}").headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "'unsafe-eval'" not in headers["Content-Security-Policy"]
        assert headers["Strict-Transport-Security"].startswith("max-age=")
        assert headers["Cache-Control"] == "no-store"


def test_the_inline_script_of_the_page_is_allowed_by_hash_only(site):
    client = signed_in(site, "stuur")
    response = client.get(f"{BASE}/")
    policy = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", policy).group(1)
    assert "'unsafe-inline'" not in script_src and "'sha256-" in script_src


def test_plotly_comes_with_the_page_from_its_versioned_address(site):
    """`dashboard.app._plotly_early`: the address Dash serves, kept by the browser (no second request)."""
    client = signed_in(site, "stuur")
    page = client.get(f"{BASE}/regio").get_data(as_text=True)
    address = re.search(r'<script defer src="(/_dash-component-suites/plotly/[^"]+)"></script>', page).group(1)
    served = client.get(f"{BASE}{address}")
    assert served.status_code == 200 and served.headers["Cache-Control"] == "max-age=31536000"
    assert b"plotly.js" in served.get_data()[:300]


def test_the_page_carries_no_layout_built_for_another_user(site):
    """Dash's validation layout would be built from every page for the first visitor and then sent to
    all: the app turns it off."""
    first = signed_in(site, "beheer")
    assert first.get(f"{BASE}/regio?code=VR13").status_code == 200
    later = signed_in(site, "stuur").get(f"{BASE}/").get_data(as_text=True)
    assert "validation_layout" not in later and "GM0384" not in later


def test_production_refuses_demo_mode(monkeypatch):
    import importlib
    import sys

    from config.errors import ConfigurationError

    monkeypatch.setenv("MONITOR_DEMO", "1")
    sys.modules.pop("dashboard.wsgi", None)
    with pytest.raises(ConfigurationError, match="alleen voor `make run`"):
        importlib.import_module("dashboard.wsgi")


def test_settings_from_the_environment_are_secure_unless_demo(monkeypatch):
    monkeypatch.delenv("MONITOR_COOKIE_SECURE", raising=False)
    monkeypatch.delenv("MONITOR_DEMO", raising=False)
    production = Settings.from_environment()
    assert production.secure_cookie and not production.demo
    demo = Settings.from_environment(demo=True)
    assert demo.demo and not demo.secure_cookie


# --- crafted callback requests: another region, another municipality --------------------------------


def callback(client, output: str, values: dict, changed: list[str] | None = None) -> dict:
    """POST the renderer's request for the callback whose output is `output`; the decoded answer."""
    from bench.dash_http import body

    found = [c for c in client.get(f"{BASE}/_dash-dependencies").get_json() if c["output"] == output]
    assert found, f"no callback with output {output}"
    payload = body(found[0], values, changed or list(values))
    response = client.post(f"{BASE}/_dash-update-component", json=payload, headers={"Origin": BASE})
    assert response.status_code in (200, 204), response.get_data(as_text=True)[:500]
    return response.get_json() if response.status_code == 200 else {}


def breakdown(client, region: str) -> str:
    answer = callback(
        client, "regio-gemeenten-vak.children",
        {"regio-code.value": region, "regio-kwartaal.value": "2025Q1", "regio-indicator.value": DROPOUT},
    )  # fmt: skip
    return json.dumps(answer, ensure_ascii=False)


@pytest.mark.parametrize("name", ["stuur", "keten", "pl-amsterdam"])
def test_municipalities_of_a_region_outside_the_scope_are_not_sent(site, name):
    client = signed_in(site, name)
    region = "VR25" if name == "pl-amsterdam" else "VR13"
    text = breakdown(client, region)
    assert "regio-gemeenten-afgeschermd" in text
    for municipality in ("Almere", "Lelystad", "Amsterdam", "Diemen"):
        assert f'"{municipality}"' not in text


def test_the_projectleider_sees_the_municipalities_of_the_own_region(site):
    text = breakdown(signed_in(site, "pl-amsterdam"), "VR13")
    assert "Diemen" in text and "1.000" in text


def test_a_gemeente_sees_only_itself_among_the_municipalities(site):
    text = breakdown(signed_in(site, "gem-diemen"), "VR13")
    assert "Diemen" in text and "1.000" not in text and '"Amsterdam"' not in text


def test_a_crafted_comparison_of_another_regions_municipalities_sends_none(site):
    client = signed_in(site, "stuur")
    found = [c for c in client.get(f"{BASE}/_dash-dependencies").get_json() if "vergelijken-indicator.value" in
             [f"{i['id']}.{i['property']}" for i in c["inputs"]]]  # fmt: skip
    assert found
    values = {"vergelijken-indicator.value": DROPOUT, "vergelijken-periode.value": "2025Q1",
              "vergelijken-vergelijk.value": "VR13"}  # fmt: skip
    from bench.dash_http import body

    payload = body(found[0], values, list(values))
    response = client.post(f"{BASE}/_dash-update-component", json=payload, headers={"Origin": BASE})
    text = response.get_data(as_text=True)
    assert response.status_code == 204  # a choice the page does not offer a stuurgroep: refused, nothing sent
    assert "Diemen" not in text and "GM0384" not in text


def test_small_numbers_of_a_region_are_suppressed_for_the_steering_group_not_for_the_beheerder(site):
    def trend_table(name: str) -> str:
        client = signed_in(site, name)
        output = (
            "..regio-trend-plegerhulp_uitval-duiding.children...regio-trend-plegerhulp_uitval-tabel.children"
            "...regio-trend-plegerhulp_uitval-bijschrift.children.."
        )
        return json.dumps(callback(client, output, {"regio-code.value": "VR01"}), ensure_ascii=False)

    steering, admin = trend_table("stuur"), trend_table("beheer")
    assert "afgeschermd" in steering and "28,6%" not in steering  # 2 of 7
    assert "28,6%" in admin


def test_the_steering_groups_data_equals_the_public_table_and_has_no_municipalities(site):
    from dashboard import data
    from dashboard.access import signed_in_as
    from indicators.table import read_indicators

    _, engine = site
    with signed_in_as(_scope(engine, "stuur")):
        rows = data.indicators()
    assert set(rows["level"]) == {"region", "national"}
    public = read_indicators(engine, public=True)
    public = public.loc[public["period"].str.contains("Q")]
    key = ["level", "area_code", "period", "indicator"]
    merged = rows.merge(public, on=key, suffixes=("", "_public"))
    assert len(merged) == len(rows) == len(public)
    assert merged["numerator"].astype("Float64").equals(merged["numerator_public"].astype("Float64"))
    hidden = rows.loc[rows["shown"].notna()]
    assert len(hidden) and hidden[["numerator", "value", "ci_low", "ci_high"]].isna().all().all()


def _scope(engine, name: str):
    from accounts.users import get_user, scope_of

    return scope_of(get_user(engine, name))


def _by_input(client, prop: str) -> dict:
    found = [c for c in client.get(f"{BASE}/_dash-dependencies").get_json()
             if prop in [f"{i['id']}.{i['property']}" for i in c["inputs"]]]  # fmt: skip
    assert found, prop
    return found[0]


@pytest.mark.parametrize(("name", "stored"), [("gem-diemen", False), ("stuur", False), ("pl-amsterdam", True)])
def test_a_crafted_upload_for_a_municipality_outside_the_scope_stores_nothing(site, tmp_path, name, stored):
    """A file with figures for Amsterdam, posted straight to the save callback."""
    import base64

    from bench.dash_http import body
    from db.values import current_values

    _, engine = site
    client = signed_in(site, name)
    rows = [HEADER, ["Amsterdam", "2024 K3", 500, 77]]
    data = write_workbook(tmp_path / "amsterdam.xlsx", {"Blad1": rows}).read_bytes()
    url = (
        "data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,"
        + base64.b64encode(data).decode()
    )
    values = {"aanleveren-save.n_clicks": 1, "aanleveren-upload.contents": [url],
              "aanleveren-upload.filename": ["amsterdam.xlsx"], "aanleveren-municipality.value": None}  # fmt: skip
    payload = body(_by_input(client, "aanleveren-save.n_clicks"), values, ["aanleveren-save.n_clicks"])
    response = client.post(f"{BASE}/_dash-update-component", json=payload, headers={"Origin": BASE})
    assert response.status_code in (200, 204)
    amsterdam = current_values(engine)
    amsterdam = amsterdam.loc[(amsterdam["municipality"] == "GM0363") & (amsterdam["year"] == 2024)]
    assert (len(amsterdam) > 0) is stored
    if name == "gem-diemen":
        assert "U mag geen cijfers aanleveren voor" in response.get_data(as_text=True)


def test_a_figure_drawn_for_the_beheerder_is_not_served_to_the_steering_group(site):
    """The region page memoises its trend figures; the memo is per view, never shared across scopes."""
    from dashboard.access import signed_in_as
    from dashboard.pages import region

    _, engine = site
    with signed_in_as(_scope(engine, "beheer")):
        full = region.trend_figure("VR01", DROPOUT)
    with signed_in_as(_scope(engine, "stuur")):
        public = region.trend_figure("VR01", DROPOUT)

    def has_two_of_seven(figure) -> bool:
        values = [y for trace in figure.data if trace.y is not None for y in trace.y if isinstance(y, float | int)]
        return any(abs(float(y) - 2 / 7) < 1e-6 for y in values)

    assert has_two_of_seven(full) and not has_two_of_seven(public)


def test_a_refused_look_at_the_audit_log_is_itself_audited(site):
    from dashboard.access import signed_in_as
    from dashboard.pages import audit
    from db.audit import read_audit

    _, engine = site
    with signed_in_as(_scope(engine, "keten")):
        page = json.dumps(audit.layout().to_plotly_json(), default=str)
    assert audit.REFUSED in page
    denied = read_audit(engine, actor="keten", action=Action.ACCESS_DENIED)
    assert list(denied["subject"]) == ["/auditlog"]


# --- targets and interpretations: rights come from the session, never from the request -------------


def _save_target(client, region: str, value: str = "45", national: list | None = None) -> str:
    values = {"regio-streef-opslaan.n_clicks": 1, "regio-code.value": region,
              "regio-streef-indicator.value": DROPOUT, "regio-streef-waarde.value": value,
              "regio-streef-kwartaal.value": "2026Q4", "regio-streef-landelijk.value": national or [],
              "regio-streef-versie.data": 0}  # fmt: skip
    from bench.dash_http import body

    payload = body(_by_input(client, "regio-streef-opslaan.n_clicks"), values, ["regio-streef-opslaan.n_clicks"])
    response = client.post(f"{BASE}/_dash-update-component", json=payload, headers={"Origin": BASE})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _save_interpretation(client, region: str, meaning: str) -> str:
    values = {"regio-duiding-opslaan.n_clicks": 1, "regio-code.value": region, "regio-duiding-kwartaal.value": "2025Q1",
              "regio-duiding-indicator.value": "geheel", "regio-duiding-tekst.value": meaning,
              "regio-duiding-actie.value": "", "regio-duiding-door.value": "", "regio-duiding-uiterlijk.value": None,
              "regio-duiding-versie.data": 0}  # fmt: skip
    from bench.dash_http import body

    payload = body(_by_input(client, "regio-duiding-opslaan.n_clicks"), values, ["regio-duiding-opslaan.n_clicks"])
    response = client.post(f"{BASE}/_dash-update-component", json=payload, headers={"Origin": BASE})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("name", "region", "national", "stored"),
    [
        ("pl-amsterdam", "VR25", None, False),  # another region
        ("pl-amsterdam", "VR13", ["NL"], False),  # the nation is the beheerder's
        ("gem-diemen", "VR13", None, False),
        ("keten", "VR13", None, False),
        ("stuur", "VR13", None, False),
        ("pl-amsterdam", "VR13", None, True),
        ("beheer", "VR25", None, True),
        ("beheer", "VR13", ["NL"], True),
    ],
)
def test_a_crafted_target_is_stored_only_for_an_area_the_session_may_steer(site, name, region, national, stored):
    from dashboard.steering import REFUSED
    from db.steering import target_history

    _, engine = site
    area = "NL" if national else region
    before = len(target_history(engine, area, DROPOUT))
    answer = _save_target(signed_in(site, name), region, national=national)
    assert len(target_history(engine, area, DROPOUT)) == before + stored
    assert (REFUSED in answer) is not stored


@pytest.mark.parametrize(("name", "stored"), [("pl-amsterdam", False), ("stuur", False), ("gem-diemen", False),
                                              ("beheer", True)])  # fmt: skip
def test_a_crafted_interpretation_for_another_region_is_refused(site, name, stored):
    from db.steering import interpretation_history

    _, engine = site
    before = len(interpretation_history(engine, "region", "VR25", "2025Q1"))
    answer = _save_interpretation(signed_in(site, name), "VR25", f"Duiding door {name}")
    assert len(interpretation_history(engine, "region", "VR25", "2025Q1")) == before + stored
    assert ("mag voor dit gebied geen" in answer) is not stored


def test_an_interpretation_is_read_by_everyone_who_sees_the_region_as_plain_text(site):
    text = '<script>alert("x")</script> Uitval <b>daalt</b>'
    assert "is opgeslagen" in _save_interpretation(signed_in(site, "pl-amsterdam"), "VR13", text)
    for name in ("stuur", "keten", "gem-diemen", "beheer"):
        answer = callback(signed_in(site, name), _steering_output(), {"regio-code.value": "VR13"})
        found = json.dumps(answer, ensure_ascii=False)
        assert json.dumps(text, ensure_ascii=False) in found  # a plain string child: React escapes it
        assert "dangerouslySetInnerHTML" not in found


def _steering_output() -> str:
    from dashboard.steering_view import outputs

    return ".." + "...".join(f"{o.component_id}.{o.component_property}" for o in outputs()) + ".."


def test_the_forms_are_hidden_outside_the_own_region(site):
    def hidden(name: str, region: str) -> bool:
        answer = callback(signed_in(site, name), _steering_output(), {"regio-code.value": region})
        return answer["response"]["regio-sturen-formulier"]["hidden"]

    assert hidden("pl-amsterdam", "VR13") is False and hidden("pl-amsterdam", "VR25") is True
    assert hidden("stuur", "VR13") is True and hidden("beheer", "VR25") is False
