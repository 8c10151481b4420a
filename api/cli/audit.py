"""The auditor's commands: `palabra checkpoint` (sign the tree's head now), `palabra prove
inclusion|consistency` (proofs as JSON an auditor keeps) and `palabra verify` (the whole
store, a checkpoint kept earlier, or a sealed export offline).  docs/audit.md explains
what each proves."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.bootstrap import Services
from api.cli.common import Database, err, fail, services_at
from api.signing import public_key
from domain.errors import InvalidInput
from projections.audit.checkpoints import Checkpoint, SigningKeyError
from projections.audit.sealed import verify_sealed
from projections.audit.verification import Verdict, verify_store


def _print(document: dict[str, Any]) -> None:
    print(json.dumps(document, indent=2, ensure_ascii=False))


def checkpoint(database: Database = None) -> None:
    """Bring the Merkle tree up to date and sign its head now; print the checkpoint as
    JSON (keep it: `palabra verify --against` proves the ledger still extends it)."""
    with services_at(database, create=False) as services:
        try:
            issued = services.notary.issue()
        except SigningKeyError as error:
            fail(str(error))
    _print(issued.to_json())


def inclusion(
    position: Annotated[int, typer.Argument(min=1, help="The event's position in the log")],
    tree_size: Annotated[int | None, typer.Option(
        min=1, help="The tree to prove it in (default: the latest checkpoint's; a size "
                    "without a checkpoint: the smallest checkpointed tree at least as large)")
    ] = None,
    database: Database = None,
) -> None:
    """Prove that the event at a position is in the tree of a checkpoint (RFC 9162
    §2.1.3), as JSON."""
    with services_at(database, create=False) as services:
        try:
            proof = services.notary.inclusion(position, tree_size)
        except InvalidInput as error:
            fail(error.message)
    _print(proof.to_json())


def consistency(
    from_size: Annotated[int, typer.Argument(min=0, help="The older tree's size")],
    to_size: Annotated[int | None, typer.Option(
        "--to", min=0, help="The newer tree's size (default: the latest checkpoint's; a "
                            "size without a checkpoint: the smallest checkpointed tree at "
                            "least as large)")] = None,
    database: Database = None,
) -> None:
    """Prove that an older tree is a prefix of a checkpoint's tree (RFC 9162 §2.1.4), as
    JSON."""
    with services_at(database, create=False) as services:
        try:
            proof = services.notary.consistency(from_size, to_size)
        except InvalidInput as error:
            fail(error.message)
    _print(proof.to_json())


def verify(
    against: Annotated[Path | None, typer.Option(
        "--against", metavar="CHECKPOINT.json",
        help="A checkpoint kept earlier: prove the ledger still extends it")] = None,
    export: Annotated[Path | None, typer.Option(
        "--export", metavar="FILE",
        help="Verify a sealed export offline instead (no database, no key)")] = None,
    database: Database = None,
) -> None:
    """Recompute every leaf from the stored events, the tree, every checkpoint's root and
    signature; name the first position that differs (exit 1)."""
    if export is not None:
        _verify_export(export)
        return
    held = _held(against) if against is not None else None
    with services_at(database, create=False) as services, _progress() as progress:
        verdict = verify_store(services.ledger, services.view, _public(services), held,
                               progress)
    _report(verdict)
    behind = verdict.events - verdict.tree_size
    print(f"verified {verdict.events:,} events, the tree of {verdict.tree_size:,} of them "
          f"and {_count(verdict.checkpoints, 'checkpoint')}"
          + (f" ({behind:,} events not in the tree yet: the projection worker or palabra "
             "checkpoint adds them)" if behind > 0 else ""))
    if held is not None:
        print(f"the ledger extends the checkpoint of {held.tree_size:,} events issued "
              f"{held.issued_at}")


def _held(path: Path) -> Checkpoint:
    try:
        return Checkpoint.from_json(json.loads(path.read_text(encoding="utf-8")))
    except OSError as error:
        fail(f"cannot read {path}: {error.strerror or error}")
    except ValueError:
        fail(f"{path} is not JSON")
    except InvalidInput as error:
        fail(f"{path}: {error.message}")


def _public(services: Services) -> Ed25519PublicKey | None:
    try:
        return public_key(services.settings)
    except SigningKeyError as error:
        fail(str(error))


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _report(verdict: Verdict) -> None:
    if verdict.first is not None:
        fail(verdict.first.message)


def _verify_export(path: Path) -> None:
    try:
        with path.open("rb") as lines:
            verdict, key = verify_sealed(lines)
    except OSError as error:
        fail(f"cannot read {path}: {error.strerror or error}")
    except InvalidInput as error:
        fail(f"{path}: {error.message}")
    _report(verdict)
    print(f"verified {verdict.events:,} events and {_count(verdict.checkpoints, 'checkpoint')} "
          f"of {path}" + (f", signed by key {key}" if key else ""))


@contextmanager
def _progress() -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr, when it is a terminal."""
    if not err.is_terminal:
        yield None
        return
    with Progress(TextColumn("verifying"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("events"), TimeElapsedColumn(), console=err,
                  transient=True) as progress:
        task = progress.add_task("verify", total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)



