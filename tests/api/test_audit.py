"""Tamper evidence through the ways in: GraphQL (checkpoints, proofs, leafHash), plain
HTTP (/checkpoint.json, /signing-key, the sealed /events.ndjson) and the command line
(checkpoint, prove, verify, export --sealed), on both stores."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app
from api.http import create_app
from api.settings import Settings
from domain.entries import Entry
from projections.audit.checkpoints import Checkpoint, create_signing_key, verify_signature
from projections.audit.sealed import verify_sealed
from projections.store import Database
from tests.projections.test_tamper_evidence import (
    as_owner,
    changing,
    independent_leaf,
    mth,
    rfc_consistency_ok,
    rfc_inclusion_ok,
    stored_rows,
)
from tests.support import FixedClock, scenario_lines
from tests.support.graphql import bearer, gql, role_keys

runner = CliRunner()


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    """A signing key made as `palabra keys init` makes it."""
    return create_signing_key(tmp_path / "keys" / "signing.key")


@pytest.fixture
def audited(database_url: str, key_file: Path, clock: FixedClock) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, api_keys=role_keys(),
                        signing_key_file=str(key_file), run_projections=False)
    with TestClient(create_app(settings, clock)) as test_client:
        services = test_client.app.state.services  # type: ignore[attr-defined]
        services.ledger.append([Entry(x["type"], x["clientRef"], x["data"], x["occurredOn"])
                                for x in scenario_lines("acme.jsonl")])
        services.notary.issue()
        yield test_client


def leaves(url: str) -> list[bytes]:
    return [independent_leaf(*row) for row in stored_rows(url)]


CHECKPOINT = "treeSize rootHash issuedAt keyId signature"


def test_graphql_serves_checkpoints_and_proofs_an_auditor_checks_alone(
        audited: TestClient, database_url: str) -> None:
    data = gql(audited, f"""{{ checkpoint {{ {CHECKPOINT} }}
        inclusionProof(position: 5) {{ position treeSize leafHash path
                                        checkpoint {{ rootHash }} }}
        consistencyProof(fromSize: 7) {{ fromSize toSize path checkpoint {{ rootHash }} }}
        events(first: 3) {{ edges {{ node {{ position leafHash }} }} }} }}""",
               role="auditor").ok()
    pem = audited.get("/signing-key").text
    public = load_pem_public_key(pem.encode())
    head = data["checkpoint"]
    assert verify_signature(Checkpoint.from_json(head), public)  # type: ignore[arg-type]
    hashes = leaves(database_url)
    root = mth(hashes)
    assert head["treeSize"] == 16
    assert head["rootHash"] == root.hex()
    proof = data["inclusionProof"]
    assert proof["leafHash"] == hashes[4].hex()
    assert rfc_inclusion_ok(4, 16, hashes[4], [bytes.fromhex(p) for p in proof["path"]], root)
    consistency = data["consistencyProof"]
    assert consistency["toSize"] == 16
    assert rfc_consistency_ok(7, 16, mth(hashes[:7]), root,
                              [bytes.fromhex(p) for p in consistency["path"]])
    assert [e["node"]["leafHash"] for e in data["events"]["edges"]] == [
        h.hex() for h in hashes[:3]]


def test_graphql_pages_checkpoints_and_refuses_plainly(audited: TestClient,
                                                       clock: FixedClock) -> None:
    services = audited.app.state.services  # type: ignore[attr-defined]
    clock.advance(seconds=1)
    services.notary.issue()
    first = gql(audited, "{ checkpoints(first: 1) { edges { cursor node { treeSize } } "
                         "pageInfo { hasNextPage endCursor } } }", role="auditor").ok()
    page = first["checkpoints"]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = gql(audited, "query($after: String) { checkpoints(after: $after) { edges { node "
                        "{ issuedAt } } pageInfo { hasNextPage } } }",
               {"after": page["pageInfo"]["endCursor"]}, role="auditor").ok()
    assert len(rest["checkpoints"]["edges"]) == 1
    assert rest["checkpoints"]["pageInfo"]["hasNextPage"] is False
    refused = gql(audited, "{ inclusionProof(position: 99) { path } }", role="auditor")
    assert refused.codes == ["INVALID_INPUT"]
    assert "no event at position 99" in refused.errors[0]["message"]
    assert gql(audited, "{ checkpoint { treeSize } }", role="reader").codes == ["FORBIDDEN"]
    forged = gql(audited, '{ checkpoints(after: "x") { edges { cursor } } }', role="auditor")
    assert forged.codes == ["INVALID_INPUT"]


def test_http_serves_the_checkpoint_and_the_public_key(audited: TestClient) -> None:
    assert audited.get("/checkpoint.json").status_code == 401
    answer = audited.get("/checkpoint.json", headers=bearer("auditor"))
    assert answer.status_code == 200
    head = Checkpoint.from_json(answer.json())
    public = load_pem_public_key(audited.get("/signing-key").text.encode())
    assert verify_signature(head, public)  # type: ignore[arg-type]
    beyond = audited.get("/checkpoint.json?treeSize=17", headers=bearer("auditor"))
    assert beyond.status_code == 404
    assert "no checkpoint covers a tree of 17 events" in beyond.json()["error"]["message"]


def test_the_sealed_feed_verifies_offline_and_a_tampered_copy_does_not(
        audited: TestClient) -> None:
    answer = audited.get("/events.ndjson?sealed=true", headers=bearer("auditor"))
    assert answer.status_code == 200
    lines = answer.text.splitlines()
    verdict, key = verify_sealed(lines)
    assert verdict.first is None
    assert verdict.events == 16
    assert verdict.checkpoints == 1
    assert key == json.loads(audited.get("/checkpoint.json",
                                         headers=bearer("auditor")).text)["keyId"]
    assert "2026-02-07" in lines[5]  # the occurredOn of the 6th event, not a personal field
    tampered = [line.replace("2026-02-07", "2026-02-08") if i == 5 else line
                for i, line in enumerate(lines)]
    assert tampered != lines
    bad, _ = verify_sealed(tampered)
    assert bad.first is not None
    assert bad.first.message.startswith("position 6: the event is not the one its leaf hash")
    refused = audited.get("/events.ndjson?sealed=true&after=3", headers=bearer("auditor"))
    assert refused.status_code == 400


# ---- the command line -----------------------------------------------------------------


def palabra(url: str, key: Path, *args: str) -> Any:
    return runner.invoke(app, [*args, "--database", url],
                         env={"PALABRA_SIGNING_KEY_FILE": str(key)})


@pytest.fixture
def loaded(database_url: str, key_file: Path, tmp_path: Path) -> Path:
    lines = tmp_path / "acme.jsonl"
    lines.write_text("".join(json.dumps(x) + "\n" for x in scenario_lines("acme.jsonl")))
    assert palabra(database_url, key_file, "import", str(lines)).exit_code == 0
    return key_file


def test_the_cli_checkpoints_proves_and_verifies(database_url: str, loaded: Path,
                                                 tmp_path: Path) -> None:
    issued = palabra(database_url, loaded, "checkpoint")
    assert issued.exit_code == 0, issued.output
    head = json.loads(issued.stdout)
    assert head["treeSize"] == 16
    assert oct(loaded.stat().st_mode & 0o777) == "0o600"
    kept = tmp_path / "kept.json"
    kept.write_text(issued.stdout)
    proof = json.loads(palabra(database_url, loaded, "prove", "inclusion", "3").stdout)
    hashes = leaves(database_url)
    assert rfc_inclusion_ok(proof["leafIndex"], proof["treeSize"], hashes[2],
                            [bytes.fromhex(p) for p in proof["path"]],
                            bytes.fromhex(head["rootHash"]))
    consistency = json.loads(palabra(database_url, loaded, "prove", "consistency", "9",
                                     "--to", "16").stdout)
    assert rfc_consistency_ok(9, 16, mth(hashes[:9]), bytes.fromhex(head["rootHash"]),
                              [bytes.fromhex(p) for p in consistency["path"]])
    verified = palabra(database_url, loaded, "verify", "--against", str(kept))
    assert verified.exit_code == 0, verified.output
    assert "verified 16 events, the tree of 16 of them and 1 checkpoint" in verified.stdout
    assert "the ledger extends the checkpoint of 16 events" in verified.stdout
    refused = palabra(database_url, loaded, "prove", "inclusion", "40")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == "there is no event at position 40 in the tree of 16 events"


def test_the_cli_names_a_changed_event_in_one_line(database_url: str, loaded: Path) -> None:
    assert palabra(database_url, loaded, "checkpoint").exit_code == 0
    rows = stored_rows(database_url)
    assert b'"occurred_on":"2026-02-07"' in rows[5][3]
    as_owner(database_url, changing(database_url, 6, "2026-02-07", "2026-02-08"))
    result = palabra(database_url, loaded, "verify")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "position 6: the stored event is not the event the tree holds (changed)"]


def test_a_sealed_export_verifies_offline_and_fails_once_tampered(
        database_url: str, loaded: Path, tmp_path: Path) -> None:
    assert palabra(database_url, loaded, "checkpoint").exit_code == 0
    sealed = tmp_path / "sealed.ndjson"
    written = palabra(database_url, loaded, "export", "--sealed", "-o", str(sealed))
    assert written.exit_code == 0, written.output
    assert "sealed" in written.stderr
    offline = runner.invoke(app, ["verify", "--export", str(sealed)])  # no database, no key
    assert offline.exit_code == 0, offline.output
    assert offline.stdout.startswith("verified 16 events and 1 checkpoint")
    lines = sealed.read_text().splitlines()
    last_event = json.loads(lines[15])
    forged = last_event["stored"].replace("acme", "acne")
    last_event["stored"] = forged
    last_event["leafHash"] = hashlib.sha256(b"forged").hexdigest()
    lines[15] = json.dumps(last_event)
    sealed.write_text("\n".join(lines) + "\n")
    tampered = runner.invoke(app, ["verify", "--export", str(sealed)])
    assert tampered.exit_code == 1
    assert tampered.stderr.startswith("position 16:")
    cut = tmp_path / "cut.ndjson"
    cut.write_text("\n".join(lines[:10]) + "\n")
    assert runner.invoke(app, ["verify", "--export", str(cut)]).exit_code == 1
    assert Database.parse(database_url).backend in {"sqlite", "postgres"}
