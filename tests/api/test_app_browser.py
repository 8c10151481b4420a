"""What a browser meets: GraphiQL and the dashboard served from the package with every
file they load on this host (they work offline: no CDN), the `--dev` landing page and
`/schema.graphql`, and CORS (`PALABRA_CORS_ORIGINS`; `--dev` allows localhost origins)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from api.graphql.export import SCHEMA_FILE
from api.graphql.ide import ASSETS
from api.http import create_app
from api.http.dashboard import ASSETS as DASHBOARD
from api.http.dashboard import PATH as DASHBOARD_PATH
from api.settings import Settings, SettingsError
from tests.support import REPOSITORY, FixedClock
from tests.support.graphql import bearer, role_keys

HTML = {"Accept": "text/html"}
#: an address on a CDN (the vendored files only name CDNs in a message of advice)
CDN = re.compile(r"(https?:)?//[\w.-]*(unpkg|jsdelivr|cdnjs|googleapis|esm\.sh|skypack)")


class Links(HTMLParser):
    """Every address a page links or loads (href, src)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in ("href", "src") and value]


def links(page: str) -> list[str]:
    parser = Links()
    parser.feed(page)
    return parser.found


@pytest.fixture
def dev(database_url: str, clock: FixedClock) -> Iterator[TestClient]:
    """`palabra serve --dev`'s app."""
    with TestClient(create_app(Settings(database_url=database_url), clock, dev=True)) as app:
        yield app


def keyed(database_url: str, clock: FixedClock, **settings: object) -> TestClient:
    return TestClient(create_app(Settings(database_url=database_url, api_keys=role_keys(),
                                          **settings), clock))  # type: ignore[arg-type]


def test_graphiql_is_on_in_dev_and_loads_every_file_from_this_host(dev: TestClient) -> None:
    page = dev.get("/graphql", headers=HTML)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "GraphiQL" in page.text
    assets = links(page.text)
    assert len(assets) == 6  # the stylesheet, four scripts of the npm packages, ours
    for address in assets:
        assert not urlsplit(address).netloc, address
        assert address.startswith("/graphiql/"), address
        answer = dev.get(address)
        assert answer.status_code == 200, address
        assert answer.headers["content-type"].split(";")[0] in (
            "text/css", "text/javascript", "application/javascript"), address
        assert not CDN.search(answer.text), address
        assert "sourceMappingURL" not in answer.text  # nothing more to fetch
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", answer.text), address
    assert not re.search(r"https?://", page.text)


def test_the_graphiql_files_ship_in_the_package_with_their_licenses() -> None:
    vendor = sorted(p.name for p in (ASSETS / "vendor").iterdir())
    assert vendor == sorted([
        "graphiql.min.js", "graphiql.min.css", "react.production.min.js",
        "react-dom.production.min.js", "graphql-ws.min.js", "graphiql.LICENSE",
        "react.LICENSE", "react-dom.LICENSE", "graphql-ws.LICENSE"])
    built = (ASSETS / "vendor" / "graphiql.min.js").read_text()
    assert 'window.GraphiQL = __webpack_exports__["default"]' in built


def test_the_dev_landing_page_links_the_dashboard_graphiql_the_schema_and_health(
        dev: TestClient) -> None:
    page = dev.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    addresses = links(page.text)
    assert {"/app/", "/graphql", "/schema.graphql", "/healthz", "/readyz"} <= set(addresses)
    assert "docs/api.md" in page.text
    for address in addresses:
        assert dev.get(address, headers=HTML).status_code == 200, address


def test_the_dashboard_is_served_at_app_with_every_file_from_this_host(
        database_url: str, clock: FixedClock) -> None:
    with keyed(database_url, clock) as app:  # no --dev: the page asks for a key itself
        moved = app.get("/app", follow_redirects=False)
        assert moved.status_code in (307, 308)
        assert urlsplit(moved.headers["location"]).path == "/app/"
        page = app.get("/app/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assets = [a for a in links(page.text) if not a.startswith(("data:", "#"))]
        assert len(assets) == 2  # the script and the stylesheet
        for address in assets:
            assert address.startswith(f"{DASHBOARD_PATH}/assets/"), address
            answer = app.get(address)
            assert answer.status_code == 200, address
            assert not CDN.search(answer.text), address
            assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", answer.text), address
            assert "sourceMappingURL" not in answer.text
        assert app.get("/app/assets/nothing.js").status_code == 404


def test_the_built_dashboard_ships_in_the_package() -> None:
    globs = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["api.http"]
    package = REPOSITORY / "api" / "http"
    shipped = {path for glob in globs for path in package.glob(glob)}
    assert shipped == {path for path in DASHBOARD.rglob("*") if path.is_file()}
    assert DASHBOARD / "index.html" in shipped


def test_the_schema_is_served_as_text(dev: TestClient) -> None:
    answer = dev.get("/schema.graphql")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    assert answer.text == SCHEMA_FILE.read_text()


def test_without_dev_there_is_no_landing_page_nor_graphiql_and_the_schema_needs_a_key(
        database_url: str, clock: FixedClock) -> None:
    with keyed(database_url, clock) as app:
        assert app.get("/").status_code == 404
        assert app.get("/graphiql/palabra.js").status_code == 404
        assert "GraphiQL" not in app.get("/graphql", headers=HTML).text
        refused = app.get("/schema.graphql")
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "UNAUTHENTICATED"
        assert app.get("/schema.graphql", headers=bearer("reader")).text == (
            SCHEMA_FILE.read_text())
    with keyed(database_url, clock, graphiql=True) as app:
        assert links(app.get("/graphql", headers=HTML).text)[0] == (
            "/graphiql/vendor/graphiql.min.css")
        assert app.get("/graphiql/vendor/graphiql.min.css").status_code == 200


def preflight(app: TestClient, origin: str) -> tuple[int, str | None]:
    answer = app.options("/graphql", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    return answer.status_code, answer.headers.get("access-control-allow-origin")


def test_cors_lets_only_the_listed_origins_call(database_url: str, clock: FixedClock) -> None:
    with keyed(database_url, clock, cors_origins="https://app.example.com") as app:
        assert preflight(app, "https://app.example.com") == (200, "https://app.example.com")
        status, allowed = preflight(app, "https://evil.example.com")
        assert (status, allowed) == (400, None)
        answer = app.post("/graphql", json={"query": "{ __typename }"},
                          headers={"Origin": "https://app.example.com", **bearer("reader")})
        assert answer.json() == {"data": {"__typename": "Query"}}
        assert answer.headers["access-control-allow-origin"] == "https://app.example.com"
        assert "x-request-id" in answer.headers["access-control-expose-headers"].lower()


def test_no_origin_may_call_by_default(database_url: str, clock: FixedClock) -> None:
    with keyed(database_url, clock) as app:
        assert preflight(app, "http://localhost:5173") == (400, None)
        assert preflight(app, "https://app.example.com") == (400, None)


def test_dev_allows_localhost_origins_only(dev: TestClient) -> None:
    for origin in ("http://localhost:5173", "http://127.0.0.1:3000", "http://[::1]:8080",
                   "http://localhost"):
        assert preflight(dev, origin) == (200, origin)
    for origin in ("http://localhost.evil.com", "https://app.example.com",
                   "http://127.0.0.1.nip.io:80"):
        assert preflight(dev, origin) == (400, None), origin


def test_the_origins_are_a_setting_read_from_the_environment() -> None:
    settings = Settings.from_env({"PALABRA_CORS_ORIGINS":
                                  "https://a.example.com, http://localhost:5173"})
    assert settings.cors_origins == ("https://a.example.com", "http://localhost:5173")
    assert Settings.from_env({}).cors_origins == ()
    with pytest.raises(SettingsError, match="PALABRA_CORS_ORIGINS"):
        Settings.from_env({"PALABRA_CORS_ORIGINS": "https://a.example.com/app"})
