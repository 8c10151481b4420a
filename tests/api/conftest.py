"""The API's fixtures: settings with a key for each role, the services they open, and two
apps on them — the GraphQL router alone (`client`) and the whole HTTP app
(`app_client`, its settings `app_settings` with a small body limit)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.bootstrap import Services, open_services
from api.graphql import graphql_router
from api.http import create_app
from api.settings import Settings
from tests.support import FixedClock
from tests.support.graphql import role_keys


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, api_keys=role_keys(), max_batch=200)


@pytest.fixture
def services(settings: Settings, clock: FixedClock) -> Iterator[Services]:
    opened = open_services(settings, clock)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    """The GraphQL router alone, mounted at /graphql."""
    app = FastAPI()
    app.include_router(graphql_router(services, services.settings.api_keys.authenticate),
                       prefix="/graphql")
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def app_settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, api_keys=role_keys(), max_body_bytes=50_000)


@pytest.fixture
def app_client(app_settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    """The whole HTTP app (GraphQL, operations endpoints, the NDJSON feed)."""
    with TestClient(create_app(app_settings, clock)) as test_client:
        yield test_client
