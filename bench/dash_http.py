"""Talk to a served Dash app as its browser does: read its callbacks, render a page's layout through the
pages router, and build the `/_dash-update-component` request the renderer sends for a callback.

The request bodies follow what Dash 4's renderer sends (captured from Chromium; the browser test
`test_bench_payload_matches_the_browser` checks it stays so):

    {"output": "regio-trend-x-vak.children", "outputs": {"id": "regio-trend-x-vak", "property": "children"},
     "inputs": [{"id": "regio-code", "property": "value", "value": "VR13"}],
     "changedPropIds": ["regio-code.value"], "parsedChangedPropsIds": ["regio-code.value"]}

A callback with several outputs has the output `..a.children...b.figure..` and a list of outputs;
`state` is present only when the callback has State.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie

ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."
UPDATE_PATH = "/_dash-update-component"
TIMEOUT = 120.0
_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
_COOKIES: dict[str, str] = {}  # base URL -> the session cookie of `sign_in`
SESSION_COOKIE = "monitor_sessie"


class CallbackError(RuntimeError):
    """A callback answered with something other than 200."""


@dataclass(frozen=True)
class Answer:
    seconds: float
    status: int
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


def _split(base_url: str) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(base_url)
    if parts.hostname not in ("127.0.0.1", "localhost"):
        raise ValueError(f"only a local server is measured, not {base_url}")
    return parts.hostname, parts.port or 80


def request(base_url: str, method: str, path: str, body: bytes | None = None) -> Answer:
    """One request on a fresh connection (gunicorn's sync workers close each one); timed to the last byte."""
    host, port = _split(base_url)
    connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    try:
        started = time.perf_counter()
        headers = dict(_HEADERS) if body is not None else {}
        if base_url in _COOKIES:
            headers["Cookie"] = f"{SESSION_COOKIE}={_COOKIES[base_url]}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return Answer(time.perf_counter() - started, response.status, data)
    finally:
        connection.close()


def sign_in(base_url: str, name: str, password: str) -> None:
    """Sign in as a browser does (the form on /login); later requests to `base_url` carry the session."""
    host, port = _split(base_url)
    connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    try:
        form = urllib.parse.urlencode({"naam": name, "wachtwoord": password}).encode()
        connection.request("POST", "/login", body=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        cookie = SimpleCookie(response.getheader("Set-Cookie") or "")
    finally:
        connection.close()
    if response.status != 303 or SESSION_COOKIE not in cookie:
        raise CallbackError(f"signing in as {name} failed: {response.status}")
    _COOKIES[base_url] = cookie[SESSION_COOKIE].value


def get_json(base_url: str, path: str) -> object:
    answer = request(base_url, "GET", path)
    if answer.status != 200:
        raise CallbackError(f"GET {path}: {answer.status}")
    return json.loads(answer.body)


def post_callback(base_url: str, body: bytes) -> Answer:
    answer = request(base_url, "POST", UPDATE_PATH, body)
    if answer.status != 200:
        raise CallbackError(f"POST {UPDATE_PATH}: {answer.status}: {answer.body[:300]!r}")
    return answer


def dependencies(base_url: str) -> list[dict]:
    """The app's callbacks as its renderer reads them."""
    return list(get_json(base_url, "/_dash-dependencies"))


def _prop_id(item: dict) -> str:
    return f"{item['id']}.{item['property']}"


def outputs_of(output: str) -> list[dict]:
    """`..a.x...b.y..` -> [{id: a, property: x}, {id: b, property: y}]; `a.x` -> [{id: a, property: x}]."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in parts if "." in part]


def body(callback: dict, values: dict[str, object], changed: list[str] | None = None) -> dict:
    """The renderer's request for `callback` (an entry of /_dash-dependencies) with the given
    `values` ({"id.property": value}; a missing one is left out, as the renderer leaves out undefined)."""
    output = callback["output"]
    if "{" in output or any(str(i["id"]).startswith("{") for i in callback["inputs"] + callback["state"]):
        raise ValueError(f"pattern-matching callbacks are not supported here: {output}")

    def filled(items: list[dict]) -> list[dict]:
        result = []
        for item in items:
            entry = {"id": item["id"], "property": item["property"]}
            if _prop_id(item) in values:
                entry["value"] = values[_prop_id(item)]
            result.append(entry)
        return result

    outputs = outputs_of(output)
    changed = list(changed or [])
    payload = {
        "output": output,
        "outputs": outputs if output.startswith("..") else outputs[0],
        "inputs": filled(callback["inputs"]),
        "changedPropIds": changed,
        "parsedChangedPropsIds": changed,
    }
    if callback["state"]:
        payload["state"] = filled(callback["state"])
    return payload


def encode(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def components(tree: object) -> Iterator[dict]:
    """Every component (a dict with `type`, `namespace` and `props`) in a layout tree, depth first."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            if "props" in node and "type" in node:
                yield node
                stack.extend(reversed([v for v in node["props"].values() if isinstance(v, dict | list)]))
            else:
                stack.extend(reversed([v for v in node.values() if isinstance(v, dict | list)]))


def page_layout(base_url: str, callbacks: list[dict], pathname: str, search: str = "") -> dict:
    """The layout the pages router sends the browser for `pathname` + `search`."""
    router = next((c for c in callbacks if c["output"] == ROUTER_OUTPUT), None)
    if router is None:
        raise CallbackError("the app has no pages router (use_pages=True)")
    values = {"_pages_location.pathname": pathname, "_pages_location.search": search}
    changed = ["_pages_location.pathname", "_pages_location.search"]
    answer = post_callback(base_url, encode(body(router, values, changed)))
    return answer.json()["response"]["_pages_content"]["children"]


def prop_values(layout: object, pathname: str, search: str = "") -> dict[str, object]:
    """{"id.property": value} for every component of `layout` with an id, plus the page's location."""
    values: dict[str, object] = {
        "_pages_location.pathname": pathname,
        "_pages_location.search": search,
        "_pages_location.href": None,
    }
    for component in components(layout):
        props = component["props"]
        ident = props.get("id")
        if isinstance(ident, str):
            values.update({f"{ident}.{name}": value for name, value in props.items() if name != "id"})
            if component["type"] == "Location":  # a page's own dcc.Location sees the address
                values.update({f"{ident}.pathname": pathname, f"{ident}.search": search})
    return values


def figures(response: dict) -> list[dict]:
    """Every plotly figure (a dict with `data` and `layout`) in a callback's answer, in order."""
    found = []
    stack = [response]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            if isinstance(node.get("data"), list) and isinstance(node.get("layout"), dict):
                found.append(node)
            else:
                stack.extend(reversed(list(node.values())))
    return found


def points(trace: dict) -> int:
    """How many points a trace draws: the longest of its data arrays (plain lists or base64 typed arrays)."""
    longest = 0
    for key in ("x", "y", "z", "locations", "lat", "lon", "values", "text"):
        value = trace.get(key)
        if isinstance(value, list):
            longest = max(longest, len(value))
        elif isinstance(value, dict) and "bdata" in value:
            import base64

            size = {"f8": 8, "f4": 4, "i4": 4, "u4": 4, "i2": 2, "u2": 2, "i1": 1, "u1": 1}.get(value.get("dtype"), 8)
            longest = max(longest, len(base64.b64decode(value["bdata"])) // size)
    return longest


def shape(figure_list: list[dict]) -> list[list[int]]:
    """Per figure, the points of each trace."""
    return [[points(trace) for trace in figure["data"]] for figure in figure_list]
