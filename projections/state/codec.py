"""The stored form of a client's state: MessagePack with a format tag, read back by a
typed decoder that builds only our own records, enums, dates and decimals (a stored
row is never code).  The allocation of the whole history is not stored: it is run
again from the money events when first asked for.
"""

from __future__ import annotations

import typing
from dataclasses import fields, make_dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import msgspec

from domain.values import DisputeOutcome, Instalment
from projections.state.evolve import ClientState
from projections.state.records import MoneyOperation

# ---- the stored form ----------------------------------------------------------------

STATE_TAG = b"PS4"  # the format of a stored state; another tag is not read (rebuilt instead)
NOT_STORED = ("allocated",)  # run again when first asked for (`ClientState.accounts`)
_HINTS = typing.get_type_hints(ClientState)
STORED_FIELDS = tuple(f.name for f in fields(ClientState) if f.name not in NOT_STORED)
# what a stored row may hold: the state's own fields with their declared types, except
# that each money operation is (version, on, method, arguments), the arguments typed by method
_StoredMoney = tuple[int, date, str, msgspec.Raw]
_Stored = make_dataclass("StoredClientState", [
    (name, list[_StoredMoney] if name == "money" else _HINTS[name]) for name in STORED_FIELDS])
_MONEY_ARGUMENTS: dict[str, Any] = {
    "issue": tuple[str, Decimal, date, date, str],
    "dispute": tuple[str, date],
    "resolve_dispute": tuple[str, DisputeOutcome, Decimal | None, date],
    "write_off": tuple[str, Decimal, date],
    "agree_plan": tuple[str, tuple[str, ...], tuple[Instalment, ...], date],
    "receive": tuple[str, Decimal, date, str | None, str | None],
    "reverse": tuple[str, date],
}
_encoder = msgspec.msgpack.Encoder(decimal_format="string")
_decoder: msgspec.msgpack.Decoder[Any] = msgspec.msgpack.Decoder(_Stored)
_arguments = {name: msgspec.msgpack.Decoder(hint) for name, hint in _MONEY_ARGUMENTS.items()}


class StateFormatError(ValueError):
    """A stored state that is not one this code writes (another format, or tampered)."""


def encode_state(state: ClientState) -> bytes:
    """The stored form: a format tag, then MessagePack of the state's stored fields."""
    stored = {name: getattr(state, name) for name in STORED_FIELDS}
    stored["money"] = [(m.version, m.on, *m.operation) for m in state.money]
    return STATE_TAG + _encoder.encode(stored)


def decode_state(data: bytes) -> ClientState:
    """Undo `encode_state`, building only our own types; StateFormatError otherwise."""
    if not data.startswith(STATE_TAG):
        raise StateFormatError("not a stored client state of this format")
    try:
        stored = _decoder.decode(memoryview(data)[len(STATE_TAG):])
        values = {name: getattr(stored, name) for name in STORED_FIELDS}
        values["money"] = [MoneyOperation(version, on, (name, _arguments[name].decode(raw)))
                           for version, on, name, raw in values["money"]]
    except (msgspec.DecodeError, KeyError) as error:  # ValidationError is a DecodeError
        raise StateFormatError(f"a stored client state does not decode: {error}") from None
    return ClientState(**values)

