"""`palabra forget` and `palabra keys` against real stores: forgetting in one command, the
master key made, rotated, and a wrong one refused in one sentence."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app
from api.signing import DEFAULT_NAME as SIGNING_KEY

runner = CliRunner()


def palabra(url: str, *args: str, env: dict[str, str] | None = None) -> object:
    return runner.invoke(app, [*args, "--database", url], env=env)


def onboarded_and_ended(url: str) -> None:
    for args in (("append", "ClientOnboarded", "acme", "name=Acme Ltd", "currency=EUR",
                  "--on", "2026-01-05"),
                 ("append", "RelationshipEnded", "acme", "reason=CLIENT_LEFT",
                  "note=Moved away", "--on", "2026-02-01")):
        result = palabra(url, *args)
        assert result.exit_code == 0, result.output  # type: ignore[attr-defined]


def test_forget_erases_the_client_everywhere_the_cli_shows_it(database_url: str) -> None:
    onboarded_and_ended(database_url)
    result = palabra(database_url, "forget", "acme", "--reason", "erasure request 7")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert result.stdout.startswith(  # type: ignore[attr-defined]
        "forgot acme: its data key is destroyed (version 3, position 3)")
    shown = palabra(database_url, "client", "acme", "--as-of", "2026-02-02")
    assert shown.stdout.startswith("[erased] (acme)")  # type: ignore[attr-defined]
    exported = palabra(database_url, "export", "--client", "acme").stdout  # type: ignore[attr-defined]
    assert "Acme" not in exported
    assert "Moved away" not in exported
    assert exported.count('"erased": true') == 3
    again = palabra(database_url, "forget", "acme", "--reason", "twice")
    assert again.exit_code == 1  # type: ignore[attr-defined]
    assert "the client was forgotten" in again.output  # type: ignore[attr-defined]


def test_forget_is_refused_while_active(database_url: str) -> None:
    assert palabra(database_url, "append", "ClientOnboarded", "beta", "name=Beta",
                   "currency=EUR").exit_code == 0  # type: ignore[attr-defined]
    result = palabra(database_url, "forget", "beta", "--reason", "asked")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "refused: the relationship with beta is active" in result.output  # type: ignore[attr-defined]


def test_keys_init_then_rotate_keeps_the_client_readable(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/palabra.db"
    made = palabra(url, "keys", "init")
    assert made.stdout.splitlines() == [  # type: ignore[attr-defined]
        f"created the master key file {tmp_path}/palabra.db.master-key (owner-only)",
        f"created the signing key file {tmp_path}/{SIGNING_KEY} (owner-only)"]
    for made_file in ("palabra.db.master-key", SIGNING_KEY):
        assert os.stat(tmp_path / made_file).st_mode & 0o777 == 0o600
    kept = palabra(url, "keys", "init").stdout.splitlines()  # type: ignore[attr-defined]
    assert kept == [f"kept the master key file {tmp_path}/palabra.db.master-key (it exists)",
                    f"kept the signing key file {tmp_path}/{SIGNING_KEY} (it exists)"]
    onboarded_and_ended(url)
    old = Path(f"{tmp_path}/palabra.db.master-key").read_text()
    rotated = palabra(url, "keys", "rotate")
    assert rotated.exit_code == 0, rotated.output  # type: ignore[attr-defined]
    assert rotated.stdout.startswith("re-wrapped 1 data keys")  # type: ignore[attr-defined]
    assert Path(f"{tmp_path}/palabra.db.master-key").read_text() != old
    assert not Path(f"{tmp_path}/palabra.db.master-key.new").exists()
    shown = palabra(url, "client", "acme", "--as-of", "2026-02-02")
    assert shown.stdout.startswith("Acme Ltd (acme)")  # type: ignore[attr-defined]
    # the old key no longer opens anything: one sentence, exit 1, no traceback
    wrong = palabra(url, "client", "acme", env={"PALABRA_MASTER_KEY": old.strip()})
    assert wrong.exit_code == 1  # type: ignore[attr-defined]
    assert "is not the one the data keys were wrapped with" in wrong.output  # type: ignore[attr-defined]
    assert "Traceback" not in wrong.output  # type: ignore[attr-defined]


def test_a_missing_or_malformed_master_key_is_one_sentence(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/palabra.db"
    onboarded_and_ended(url)
    missing = palabra(url, "client", "acme", env={"PALABRA_MASTER_KEY_FILE": "/nowhere"})
    assert missing.exit_code == 1  # type: ignore[attr-defined]
    assert missing.output.strip() == (  # type: ignore[attr-defined]
        "the master key file /nowhere does not exist (set PALABRA_MASTER_KEY_FILE to the "
        "right file)")
    short = base64.b64encode(b"too short").decode()
    malformed = palabra(url, "client", "acme", env={"PALABRA_MASTER_KEY": short})
    assert malformed.exit_code == 1  # type: ignore[attr-defined]
    assert "is 9 bytes long, not 32" in malformed.output  # type: ignore[attr-defined]
