"""Smoke test of the callback benchmark's machinery on the minimal app under gunicorn (a few requests),
and its pure parts on literal inputs. Timings are never asserted."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from bench import callback_bench, dash_http
from bench.server import gunicorn

FIGURES = [
    {"data": [{"type": "scatter", "x": ["2024 K1", "2024 K2", "2024 K3"], "y": [0.1, 0.2, 0.15]},
              {"type": "bar", "x": ["a", "b"], "y": [3, 4]}],
     "layout": {"separators": ",."}},
    {"data": [{"type": "scatter", "x": [1, 2, 3, 4], "y": [1, 2, 3, 4]}], "layout": {}},
]  # fmt: skip


@pytest.fixture(scope="module")
def minimal(tmp_path_factory):
    folder = tmp_path_factory.mktemp("minimal")
    spec = folder / "figures.json"
    spec.write_text(json.dumps(FIGURES), encoding="utf-8")
    with gunicorn(
        "bench.minimal_app:server", env={"BENCH_MINIMAL_FIGURES": str(spec)}, workers=1, log=folder / "log"
    ) as base_url:
        yield base_url


def test_minimal_callback_answers_the_browser_request_with_figures_of_the_given_size(minimal):
    callbacks = dash_http.dependencies(minimal)
    assert [c["output"] for c in callbacks] == ["..minimal-graph-0.figure...minimal-graph-1.figure.."]
    body = dash_http.body(callbacks[0], {"minimal-choice.value": "b"}, changed=["minimal-choice.value"])
    answer = dash_http.post_callback(minimal, dash_http.encode(body))
    assert answer.status == 200 and answer.seconds > 0
    found = dash_http.figures(answer.json())
    assert dash_http.shape(found) == [[3, 2], [4]]
    assert found[0]["layout"]["separators"] == ",."


def test_sequential_and_concurrent_measurements_count_every_request(minimal):
    callback = dash_http.dependencies(minimal)[0]
    body = dash_http.encode(dash_http.body(callback, {"minimal-choice.value": "a"}, ["minimal-choice.value"]))
    targets = [callback_bench.Target("region", minimal, body), callback_bench.Target("minimal", minimal, body)]
    seconds = callback_bench.sequential(targets, requests=3, block=2)
    assert {name: len(values) for name, values in seconds.items()} == {"region": 3, "minimal": 3}
    times, wall = callback_bench.concurrent(targets[0], requests=5, clients=2)
    assert len(times) == 5 and wall > 0 and all(t > 0 for t in times)
    result = callback_bench.compare(callback_bench.summary(times), callback_bench.summary(seconds["minimal"]))
    assert set(result) == {"region", "minimal", "ratio_p50", "ratio_p95"}
    assert result["region"]["count"] == 5 and result["region"]["p50_ms"] <= result["region"]["max_ms"]


def test_a_failing_request_raises(minimal):
    broken = json.dumps({"output": "nothing.children", "outputs": {"id": "nothing", "property": "children"},
                         "inputs": [], "changedPropIds": []}).encode()  # fmt: skip
    with pytest.raises(dash_http.CallbackError):
        dash_http.post_callback(minimal, broken)


def test_only_a_local_server_is_measured():
    with pytest.raises(ValueError, match="local"):
        dash_http.request("http://example.org:80", "GET", "/")


# ---- the pure parts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("a-b.children", [{"id": "a-b", "property": "children"}]),
        ("..a.search...b-c.value..", [{"id": "a", "property": "search"}, {"id": "b-c", "property": "value"}]),
    ],
)
def test_outputs_of(output, expected):
    assert dash_http.outputs_of(output) == expected


def test_body_is_what_the_renderer_sends():
    callback = {"output": "regio-trend-x-vak.children", "inputs": [{"id": "regio-code", "property": "value"}],
                "state": [{"id": "regio-kwartaal", "property": "value"}]}  # fmt: skip
    values = {"regio-code.value": "VR13"}  # the state's value is unknown: left out, as undefined is
    assert dash_http.body(callback, values, ["regio-code.value"]) == {
        "output": "regio-trend-x-vak.children",
        "outputs": {"id": "regio-trend-x-vak", "property": "children"},
        "inputs": [{"id": "regio-code", "property": "value", "value": "VR13"}],
        "changedPropIds": ["regio-code.value"],
        "parsedChangedPropsIds": ["regio-code.value"],
        "state": [{"id": "regio-kwartaal", "property": "value"}],
    }
    multi = {"output": "..a.x...b.y..", "inputs": [], "state": []}
    assert dash_http.body(multi, {}, [])["outputs"] == [{"id": "a", "property": "x"}, {"id": "b", "property": "y"}]
    assert "state" not in dash_http.body(multi, {}, [])


def test_prop_values_of_a_layout():
    layout = {"type": "Div", "namespace": "dash_html_components", "props": {"children": [
        {"type": "Location", "namespace": "dash_core_components", "props": {"id": "regio-url", "refresh": False}},
        {"type": "Dropdown", "namespace": "dash_core_components",
         "props": {"id": "regio-code", "value": "VR13", "options": [{"label": "X", "value": "VR13"}]}},
        {"type": "Div", "namespace": "dash_html_components", "props": {"children": "geen id"}},
    ]}}  # fmt: skip
    values = dash_http.prop_values(layout, "/regio", "?code=VR13")
    assert values["regio-code.value"] == "VR13"
    assert values["regio-url.search"] == "?code=VR13" and values["regio-url.pathname"] == "/regio"
    assert values["_pages_location.search"] == "?code=VR13"


def test_points_count_plain_and_typed_arrays():
    typed = {"dtype": "f8", "bdata": base64.b64encode(np.arange(7, dtype="f8").tobytes()).decode()}
    figure = {"data": [{"x": [1, 2], "y": typed}, {"type": "scatter"}], "layout": {}}
    assert dash_http.shape(dash_http.figures({"response": {"g": {"figure": figure}}})) == [[7, 0]]


def test_report_states_both_goals():
    row = {"count": 3, "p50_ms": 10.0, "p95_ms": 20.0, "mean_ms": 12.0, "min_ms": 9.0, "max_ms": 21.0}
    slow = {**row, "p50_ms": 30.0, "p95_ms": 60.0}
    result = {
        "workers": 4, "page": "/regio?code=VR13", "callback": "regio-x.children", "figures": 1, "traces": 4,
        "points": 120, "response_bytes": {"region": 3000, "minimal": 1000}, "requests": 3, "clients": 2,
        "sequential": callback_bench.compare(slow, row),
        "concurrent": callback_bench.compare({**slow, "throughput_per_s": 5.0}, {**row, "throughput_per_s": 9.0}),
        "goals": {"p95_sequential_ms": 50.0, "p95_sequential_met": False, "ratio": 2.0,
                  "ratio_sequential_met": False, "ratio_concurrent_met": False},
        "other_callbacks_sequential": {},
    }  # fmt: skip
    text = callback_bench.report(result)
    assert "GOAL p95 sequential < 50 ms: NOT met (60.0 ms)" in text
    assert "sequential NOT met (3.00x)" in text
    assert result["sequential"]["ratio_p50"] == 3.0


def test_the_whole_benchmark_on_a_small_database(tmp_path, capsys):
    """Both servers, the region page's callbacks found from the served app, a few requests; no timings."""
    from bench.sample_db import seed_subset

    db_url = seed_subset(tmp_path / "db", regions=["VR25"], years=[2024, 2025])
    out = tmp_path / "callbacks.json"
    argv = ["--requests", "4", "--clients", "2", "--workers", "1", "--db", db_url, "--json", str(out)]
    assert callback_bench.main(argv) == 0

    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["page"].startswith("/regio?code=")
    assert result["callback"].startswith("regio-")
    assert result["request"]["inputs"][0]["id"] == "regio-code"
    assert result["figures"] >= 1 and result["points"] > 0
    assert result["sequential"]["region"]["count"] == result["sequential"]["minimal"]["count"] == 4
    assert result["concurrent"]["region"]["count"] == 4
    goals = result["goals"]
    assert goals["p95_sequential_met"] == (result["sequential"]["region"]["p95_ms"] < 50)
    assert goals["ratio_sequential_met"] == (result["sequential"]["ratio_p95"] <= 2)
    printed = capsys.readouterr().out
    assert "GOAL p95 sequential < 50 ms" in printed and "RATIO region / minimal" in printed


def test_the_demo_database_is_served_as_a_copy_without_active_demo_accounts(tmp_path):
    from argon2 import PasswordHasher

    from accounts.demo import active_demo_accounts, demo_accounts
    from db.engine import connect
    from reference.areas import load_reference

    source = tmp_path / "demo.sqlite"
    engine = connect(f"sqlite:///{source}")
    demo_accounts(engine, load_reference(), hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    copy = connect(callback_bench.production_copy(source, tmp_path / "copy.sqlite"))
    try:
        assert active_demo_accounts(copy) == [] and len(active_demo_accounts(engine)) == 5
    finally:
        copy.dispose()
        engine.dispose()
