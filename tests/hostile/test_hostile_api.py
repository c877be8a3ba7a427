"""The JSON API against its OpenAPI document (docs/openapi.yaml), fuzzed by schemathesis over real
HTTP (waitress on loopback): no answer is a server error (503 only where the document says the
engine may be out of reach), every status is one the document lists, and the document names every
/api/v1 route."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest
import yaml
from hostile_site import ROOT, api_token, make_app

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis fuzzes the API")
from hypothesis import HealthCheck, settings  # noqa: E402

DOCUMENT = ROOT / "docs" / "openapi.yaml"
schema = schemathesis.openapi.from_path(DOCUMENT)


@pytest.fixture(scope="module")
def api_server(hostile_database: Path, tmp_path_factory):
    """The webapp (CSRF on, engine out of reach) behind waitress on a free port, a reception token."""
    from waitress.server import create_server

    directory = tmp_path_factory.mktemp("hostile-api")
    shutil.copy(hostile_database, directory / "motcua.db")
    with pytest.MonkeyPatch.context() as monkeypatch:
        app = make_app(directory, monkeypatch, f"sqlite:///{directory / 'motcua.db'}", csrf=True)
        server = create_server(app, host="127.0.0.1", port=0, threads=4)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        token = api_token(app, "reception")
        yield f"http://127.0.0.1:{server.effective_port}", token
        server.close()


def test_the_document_names_every_api_route(open_app):
    documented = set()
    for path, item in yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))["paths"].items():
        documented |= {(method.upper(), re.sub(r"\{[^}]+\}", "{}", "/api/v1" + path)) for method in item}
    routes = {(method, re.sub(r"<[^>]+>", "{}", rule.rule))
              for rule in open_app.url_map.iter_rules() if rule.rule.startswith("/api/v1")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes - documented == set(), "API routes missing from docs/openapi.yaml"
    assert documented - routes == set(), "docs/openapi.yaml describes routes that do not exist"


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_the_api_never_answers_with_a_server_error(case, api_server):
    answers_clearly(case, api_server)


def answers_clearly(case, api_server) -> None:
    url, token = api_server
    response = case.call(base_url=url + "/api/v1", headers={"Authorization": f"Bearer {token}"},
                         timeout=30)
    documented = set(case.operation.definition.raw["responses"])
    status = response.status_code
    assert status < 500 or (status == 503 and "503" in documented), \
        f"{case.method} {case.formatted_path}: {status} {response.text[:300]}"
    assert str(status) in documented or status in (401, 404, 405, 429) \
        or case.method in ("OPTIONS", "HEAD"), \
        f"{case.method} {case.formatted_path}: undocumented {status} {response.text[:300]}"
    if response.content and case.method in ("GET", "POST"):
        kind = next((v[0] if isinstance(v, list) else v for k, v in response.headers.items()
                     if k.lower() == "content-type"), "")
        assert kind.startswith("application/json"), \
            f"{case.method} {case.formatted_path}: {status} {kind} {response.text[:200]}"


@pytest.mark.parametrize("url", [
    "/api/v1/reports/period?from=0001-01-01&to=9999-12-31",
    "/api/v1/reports/period?from=2026-01-01&to=9999-12-31",
    "/bao-cao?from=2026-01-01&to=9999-12-31",
    "/bao-cao/bieu-06.csv?from=0001-01-01&to=0001-01-31",
])
def test_a_period_at_the_edge_of_the_calendar_is_a_clear_answer_not_a_server_error(open_app, url):
    """Found by schemathesis: the last day of year 9999 overflowed into a 500."""
    from hostile_site import client_as

    response = client_as(open_app, "admin").get(url)
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
