"""Checkpoints (signed tree heads): {treeSize, rootHash, issuedAt, keyId, signature}.

The signature is Ed25519 over the RFC 8785 canonical JSON of {treeSize, rootHash,
issuedAt}; `rootHash` is lower-case hex, `issuedAt` an ISO 8601 UTC time (`+00:00`, with
microseconds only when there are some: the text signed is the text served),
`signature` standard base64 of the 64 signature bytes, and `keyId` the first 16 hex
digits of SHA-256 of the 32 raw bytes of the public key.  The signing key is a PKCS#8
PEM file outside the database, readable by its owner only (`create_signing_key`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from domain.errors import InvalidInput

log = logging.getLogger("palabra.audit")

FIELDS = ("treeSize", "rootHash", "issuedAt", "keyId", "signature")


class SigningKeyError(Exception):
    """The signing key file is missing or unreadable (one plain sentence)."""


@dataclass(frozen=True)
class Checkpoint:
    tree_size: int
    root_hash: str  # hex
    issued_at: str  # ISO 8601, exactly as signed
    key_id: str
    signature: str  # base64

    def signed_bytes(self) -> bytes:
        return signed_bytes(self.tree_size, self.root_hash, self.issued_at)

    def to_json(self) -> dict[str, Any]:
        return {"treeSize": self.tree_size, "rootHash": self.root_hash,
                "issuedAt": self.issued_at, "keyId": self.key_id, "signature": self.signature}

    @property
    def root(self) -> bytes:
        return bytes.fromhex(self.root_hash)

    @classmethod
    def from_json(cls, value: Any) -> Checkpoint:
        """A checkpoint from its JSON form (an auditor's file): InvalidInput when it is
        not one."""
        if not isinstance(value, Mapping) or set(value) != set(FIELDS):
            raise InvalidInput(f"a checkpoint is a JSON object with exactly "
                               f"{', '.join(FIELDS)}")
        size, root, issued = value["treeSize"], value["rootHash"], value["issuedAt"]
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise InvalidInput("the checkpoint's treeSize is not a whole number")
        if not isinstance(root, str) or len(root) != 64 or not _is_hex(root):
            raise InvalidInput("the checkpoint's rootHash is not 64 hex digits")
        if not all(isinstance(value[k], str) for k in ("issuedAt", "keyId", "signature")):
            raise InvalidInput("the checkpoint's issuedAt, keyId and signature are text")
        try:
            datetime.fromisoformat(issued)
        except ValueError:
            raise InvalidInput("the checkpoint's issuedAt is not an ISO 8601 time") from None
        return cls(size, root, issued, value["keyId"], value["signature"])


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)


def signed_bytes(tree_size: int, root_hash: str, issued_at: str) -> bytes:
    """The bytes a checkpoint's signature covers."""
    return rfc8785.dumps({"treeSize": tree_size, "rootHash": root_hash,
                          "issuedAt": issued_at})


def key_id(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(raw_public(public)).hexdigest()[:16]


def raw_public(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def load_public_pem(text: str) -> Ed25519PublicKey:
    """A public key from its PEM text: InvalidInput when it is not an Ed25519 key."""
    try:
        key = serialization.load_pem_public_key(text.encode())
    except ValueError:
        raise InvalidInput("the public key is not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidInput("the public key is not an Ed25519 key")
    return key


def verify_signature(checkpoint: Checkpoint, public: Ed25519PublicKey) -> bool:
    """Whether the checkpoint is signed by this key (its keyId and its signature)."""
    if checkpoint.key_id != key_id(public):
        return False
    try:
        public.verify(base64.b64decode(checkpoint.signature, validate=True),
                      checkpoint.signed_bytes())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


class Signer:
    """A signing key, read from its file."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self.private = private
        self.public = private.public_key()
        self.key_id = key_id(self.public)

    def sign(self, tree_size: int, root: bytes, issued_at: datetime) -> Checkpoint:
        issued = issued_at.astimezone(UTC).isoformat()  # as the GraphQL DateTime writes it
        root_hash = root.hex()
        signature = self.private.sign(signed_bytes(tree_size, root_hash, issued))
        return Checkpoint(tree_size, root_hash, issued, self.key_id,
                          base64.b64encode(signature).decode())

    @property
    def public_pem(self) -> str:
        return public_pem(self.public)


def create_signing_key(path: str | Path) -> Path:
    """Write a new Ed25519 signing key to `path` (PKCS#8 PEM, mode 0600), refusing to
    replace an existing file (FileExistsError): `palabra keys init` calls this."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(pem)
    return target


def load_signing_key(path: str | Path, create: bool = False) -> Signer:
    """The signing key of a file (created first when `create` and it is missing); a file
    others may read is used, with a warning."""
    target = Path(path)
    if create and not target.exists():
        create_signing_key(target)
        log.warning("created the checkpoint signing key %s (keep it, and a copy of its "
                    "public key, outside the database)", target)
    try:
        mode = target.stat().st_mode
        pem = target.read_bytes()
    except OSError as error:
        raise SigningKeyError(f"cannot read the signing key file {target} "
                              f"({error.strerror or error})") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("the signing key file %s may be read by others than its owner "
                    "(chmod 600 it)", target)
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        raise SigningKeyError(f"the signing key file {target} holds no PEM private "
                              "key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"the signing key file {target} holds no Ed25519 key")
    return Signer(key)
