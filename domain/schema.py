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

from domain.inputs import data_model
from domain.relationship import EVENT_TYPES

TITLE = "Palabra import line"
ID = "https://palabra.example/import-format.schema.json"


def _line(name: str) -> type[BaseModel]:
    ref = Annotated[str, Field(pattern="^[A-Za-z0-9._:-]{1,64}$")]
    kind: Any = Literal[name]
    model: type[BaseModel] = create_model(
        f"{name}Line",
        __config__=ConfigDict(extra="forbid", title=f"{name} line"),
        type=(kind, Field(...)),
        client_ref=(ref, Field(..., alias="clientRef")),
        occurred_on=(str | None, Field(None, alias="occurredOn", json_schema_extra={
            "format": "date", "description": "the business date (default: today)"})),
        data=(data_model(EVENT_TYPES[name]), Field(...)),
        idempotency_key=(str | None, Field(None, alias="idempotencyKey", min_length=1,
                                           max_length=200)),
        actor=(str | None, Field(None, min_length=1, max_length=200)),
        version=(int | None, Field(None, ge=1, description="export only: the event's "
                                   "version; on import, the version it must land at")),
        position=(int | None, Field(None, description="export only")),
        recorded_at=(str | None, Field(None, alias="recordedAt",
                                       description="export only")),
        retracted=(bool | None, Field(None, description="export only")),
    )
    return model


class Trailer(BaseModel):
    """The last line of a complete export (import skips it)."""

    model_config = ConfigDict(extra="forbid", title="export trailer",
                              populate_by_name=True)
    complete: Literal[True]
    count: int
    last_position: int = Field(alias="lastPosition")


def import_format_schema() -> dict[str, Any]:
    """The JSON Schema of one line of an import (or export) file."""
    lines = tuple(_line(name) for name in EVENT_TYPES)
    line = Annotated[Union[lines], Field(discriminator="type")]  # type: ignore[valid-type]  # noqa: UP007
    schema = TypeAdapter(Union[line, Trailer]).json_schema(by_alias=True)  # noqa: UP007
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": ID,
            "title": TITLE, "description": __doc__.split("\n\n", 2)[2].strip(), **schema}


def main() -> None:
    print(json.dumps(import_format_schema(), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
