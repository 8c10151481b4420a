"""The JSON Schema of the import format, generated from the input models.

    python -m domain.schema > docs/import-format.schema.json

One line of an import file is an object with the event `type`, the `clientRef`,
the business date `occurredOn`, the event's `data` (whose fields depend on the
type), and optionally an `idempotencyKey` and the `actor`; an export line adds
`version`, `position`, `recordedAt` and `retracted` and can be imported again.
A complete export ends with a trailer line, which import skips.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model

from domain.inputs import DEFINITIONS, SHARED, data_model
from domain.relationship import EVENT_TYPES

TITLE = "Palabra import line"
ID = "https://palabra.example/import-format.schema.json"


def _line(name: str) -> type[BaseModel]:
    """The model of a line of one event type (for its schema only: import reads lines
    with `domain.jsonlines` and their data with `domain.inputs`)."""
    kind: Any = Literal[name]
    model: type[BaseModel] = create_model(
        f"{name}Line",
        __config__=ConfigDict(extra="forbid", title=f"{name} line",
                              field_title_generator=lambda name, info: info.alias or name),
        type=(kind, Field(...)),
        client_ref=(str, Field(..., alias="clientRef", json_schema_extra=DEFINITIONS["Id"])),
        occurred_on=(str, Field(None, alias="occurredOn", json_schema_extra={
            **DEFINITIONS["Date"], "description": "the business date (default: today)"})),
        data=(data_model(EVENT_TYPES[name]), Field(...)),
        idempotency_key=(str, Field(None, alias="idempotencyKey", min_length=1,
                                    max_length=200)),
        actor=(str, Field(None, min_length=1, max_length=200)),
        version=(int, Field(None, ge=1, description="export only: the event's version; on "
                            "import, the version it must land at")),
        position=(int, Field(None, description="export only")),
        recorded_at=(str, Field(None, alias="recordedAt", description="export only")),
        retracted=(bool, Field(None, description="export only")),
        erased=(bool, Field(None, description="a forgotten client's line: its personal "
                            "fields are null, erased (docs/erasure.md)")),
    )
    return model


class Trailer(BaseModel):
    """The last line of a complete export (import skips it)."""

    model_config = ConfigDict(extra="forbid", title="export trailer",
                              field_title_generator=lambda name, info: info.alias or name)
    complete: Literal[True]
    count: int
    last_position: int = Field(alias="lastPosition")


def import_format_schema() -> dict[str, Any]:
    """The JSON Schema of one line of an import (or export) file."""
    lines = tuple(_line(name) for name in EVENT_TYPES)
    line = Annotated[Union[lines], Field(discriminator="type")]  # type: ignore[valid-type]  # noqa: UP007
    schema = TypeAdapter(Union[line, Trailer]).json_schema(by_alias=True)  # noqa: UP007
    schema = _refer(schema)
    schema["$defs"] = dict(sorted({**schema["$defs"], **DEFINITIONS}.items()))
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": ID,
            "title": TITLE, "description": __doc__.split("\n\n", 2)[2].strip(), **schema}


def _refer(schema: Any) -> Any:
    """The schema with each use of a shared value type as a $ref to its definition."""
    if isinstance(schema, list):
        return [_refer(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _refer(value) for key, value in schema.items() if key != SHARED}
    if SHARED in schema:
        out = {"$ref": f"#/$defs/{schema[SHARED]}", **out}
    return out


def main() -> None:
    print(json.dumps(import_format_schema(), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
