"""The production stack: compose file, image, and their agreement with the README."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from api.settings import ENVIRONMENT

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def palabra_commands(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    text = " ".join(command) if isinstance(command, list) else str(command)
    if service.get("entrypoint") is None:
        text = "palabra " + text  # the image's entrypoint is `palabra`
    return [" ".join(match.split()[:3]) if match.split()[1] == "db" else
            " ".join(match.split()[:2])
            for match in re.findall(r"palabra [a-z]+(?: [a-z]+)?", text)]


def test_three_services_postgres_api_and_projector() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "api", "projector"}
    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:")
    assert "healthcheck" in postgres
    assert any(volume.startswith("pgdata:") for volume in postgres["volumes"])
    assert "pgdata" in compose()["volumes"]


def test_the_services_run_the_commands_the_readme_documents() -> None:
    services = compose()["services"]
    assert palabra_commands(services["api"]) == ["palabra serve"]
    assert palabra_commands(services["projector"]) == ["palabra db init", "palabra project"]
    for command in ("palabra serve", "palabra project", "palabra db init"):
        assert f"`{command}" in README, command


def test_the_api_does_not_project_and_the_worker_does() -> None:
    services = compose()["services"]
    assert services["api"]["environment"]["PALABRA_RUN_PROJECTIONS"] == "false"
    assert "palabra_app:" in services["api"]["environment"]["PALABRA_DATABASE_URL"]


def test_every_variable_the_stack_sets_is_documented() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"\b(PALABRA_[A-Z_]+):", text))
    secrets = {"PALABRA_OWNER_PASSWORD", "PALABRA_APP_PASSWORD"}  # the stack's own inputs
    assert used - secrets <= set(ENVIRONMENT)
    for name in secrets:
        assert name in (ROOT / "docs" / "operations.md").read_text()


def test_the_image_is_slim_and_runs_unprivileged() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.M)
    assert re.search(r"^USER palabra$", dockerfile, re.M)
    assert 'pip install --no-cache-dir --prefix=/install .' in dockerfile  # no dev extras


def test_docker_compose_validates_the_file() -> None:
    binary = shutil.which("docker-compose")
    if binary is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true: docker-compose must be installed (.ci/run installs it)")
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")
    env = {**os.environ, "PALABRA_OWNER_PASSWORD": "check", "PALABRA_APP_PASSWORD": "check"}
    done = subprocess.run([binary, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                          env=env, capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
