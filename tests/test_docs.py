"""The README is the way in: its commands, settings and claims match the code."""

from __future__ import annotations

import re
from pathlib import Path

from api.cli import app
from api.settings import ENVIRONMENT, Settings, variable

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def code_files() -> list[Path]:
    return [p for folder in ("domain", "projections", "api") for p in (ROOT / folder).rglob("*.py")]


def test_the_first_two_commands_are_demo_and_test() -> None:
    block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert commands[:2] == ["make demo", "make test"]


def test_every_environment_variable_the_code_reads_is_documented() -> None:
    settings = {variable(name) for name in Settings.model_fields}
    named = {name for path in code_files()
             for name in re.findall(r"PALABRA_[A-Z_]+", path.read_text())}
    read = settings | named
    assert read, "the code reads its settings from PALABRA_* variables"
    assert read == set(ENVIRONMENT)
    table = set(re.findall(r"^\| `(PALABRA_[A-Z_]+)` \|", README, re.M))
    assert table == set(ENVIRONMENT)


def test_the_readme_describes_each_setting_as_the_settings_model_does() -> None:
    rows = dict(re.findall(r"^\| `(PALABRA_[A-Z_]+)` \| (.*) \|$", README, re.M))
    for name, field in Settings.model_fields.items():
        assert field.description, f"{name} has no description"
        assert rows.get(variable(name)) == field.description, (
            f"the README's row of {variable(name)} differs from the settings model")


def test_every_command_is_documented() -> None:
    names = {command.name or (command.callback.__name__ if command.callback else "")
             for command in app.registered_commands}
    assert names >= {"import", "export", "history", "demo", "client", "portfolio", "project",
                     "rebuild", "serve", "status"}
    assert "`palabra db init" in README
    assert "`palabra db check" in README
    for name in names:
        assert f"`palabra {name}" in README, name


def test_the_makefile_has_the_readme_targets_and_ci_calls_make_test() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^demo:", makefile, re.M)
    assert re.search(r"^test:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()
