"""Where the checkpoint signing key lives: `PALABRA_SIGNING_KEY_FILE`, or on SQLite
`palabra-signing.key` beside the database file (created on first use, owner-only).  A
PostgreSQL store without the setting issues no checkpoints: its key must not be made up
on whatever machine happens to run a process."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from api.settings import Settings
from projections.audit.checkpoints import Signer, load_signing_key
from projections.store import Database

DEFAULT_NAME = "palabra-signing.key"


def signing_key_path(settings: Settings) -> Path | None:
    """The signing key file of these settings (None: none is configured)."""
    if settings.signing_key_file:
        return Path(settings.signing_key_file)
    database = Database.parse(settings.database_url, settings.db_timeout)
    if database.backend == "sqlite":
        return Path(database.path).parent / DEFAULT_NAME
    return None


def signer_loader(settings: Settings) -> Callable[[], Signer] | None:
    """What loads the signing key (creating the embedded default on first use)."""
    path = signing_key_path(settings)
    if path is None:
        return None
    database = Database.parse(settings.database_url, settings.db_timeout)
    embedded = not settings.signing_key_file and not database.read_only
    return partial(load_signing_key, path, create=embedded)


def public_key(settings: Settings) -> Ed25519PublicKey | None:
    """The public half of the signing key, never creating it (None: there is no key file
    yet; SigningKeyError: it cannot be read)."""
    path = signing_key_path(settings)
    if path is None or not path.exists():
        return None
    return load_signing_key(path).public
