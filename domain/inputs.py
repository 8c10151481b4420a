"""What a caller may write in an event's `data`: one pydantic model per event type.

The models are derived from the events' fields (`domain.fields`): each field is
a value type with its own strict check (`domain.checks`: ids, text, amounts,
dates, currencies, time zones; whole numbers, booleans and enumerations here),
and pydantic does the rest: required and optional fields, the camelCase names,
and the JSON Schema of the import format (`domain.schema`).  A refusal is an
`InvalidInput` whose message names the field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, partial
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    create_model,
)

from domain.checks import (
    parse_currency,
    parse_date,
    parse_ref,
    parse_text,
    parse_timezone,
    tagged_money,
)
from domain.errors import InvalidInput
from domain.fields import FieldSpec, specs
from domain.values import CURRENCIES, Instalment

#: fields a caller may leave out although the event always has them (the ledger fills them)
DEFAULTED = frozenset({"payment_terms_days", "contact_cap", "basis", "answered"})
#: integer fields and their bounds
BOUNDS = {"payment_terms_days": (0, 3650), "contact_cap": (0, 1000), "version": (1, 2**62)}
TEXT_LIMITS = {"name": 200, "method": 64}
TEXT_LIMIT = 4000
#: text fields of one line: no tab or newline either (the others are free text)
ONE_LINE = frozenset({"name", "sector", "method"})

Check = Callable[[object], Any]  # a caller's value to the field's value, or InvalidInput
TaggedCheck = Callable[[object, set[str]], Any]  # the same, adding the currencies it names


def _value(spec: FieldSpec) -> Check:
    """The check of a field that holds no amount."""
    name = spec.camel
    match spec.kind:
        case "ref":
            return partial(parse_ref, field=name)
        case "refs":
            def refs(v: object) -> tuple[str, ...]:
                if not isinstance(v, list | tuple):
                    raise InvalidInput(f"{name} must be a list of ids")
                return tuple(parse_ref(i, name) for i in v)
            return refs
        case "text":
            return partial(parse_text, field=name, limit=TEXT_LIMITS.get(spec.name, TEXT_LIMIT),
                           free=spec.name not in ONE_LINE)
        case "currency":
            return partial(parse_currency, field=name)
        case "timezone":
            return partial(parse_timezone, field=name)
        case "date":
            return partial(parse_date, field=name)
        case "bool":
            def boolean(v: object) -> bool:
                if not isinstance(v, bool):
                    raise InvalidInput(f"{name} must be true or false (got {v!r})")
                return v
            return boolean
        case "int":
            low, high = BOUNDS[spec.name]

            def whole(v: object) -> int:
                if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
                    raise InvalidInput(f"{name} must be a whole number from {low} to {high} "
                                       f"(got {v!r})")
                return v
            return whole
        case "enum":
            enum = spec.enum
            assert enum is not None

            def member(v: object) -> Any:
                try:
                    return enum(v)
                except ValueError:
                    raise InvalidInput(f"{name} must be one of "
                                       f"{', '.join(m.value for m in enum)} (got {v!r})"
                                       ) from None
            return member
    raise AssertionError(spec.kind)  # pragma: no cover


def _tagged(spec: FieldSpec) -> TaggedCheck:
    """The check of a field that holds amounts (which may name their currency)."""
    name = spec.camel
    if spec.kind == "money":
        return lambda v, currencies: tagged_money(v, name, currencies)
    return lambda v, currencies: _instalments(v, name, currencies)


def _instalments(value: object, name: str, currencies: set[str]) -> tuple[Instalment, ...]:
    if not isinstance(value, list | tuple):
        raise InvalidInput(f"{name} must be a list of {{dueOn, amount}}")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping) or set(item) != {"dueOn", "amount"}:
            raise InvalidInput(f"{name}[{i}] must be {{\"dueOn\", \"amount\"}}")
        out.append(Instalment(parse_date(item["dueOn"], f"{name}[{i}].dueOn"),
                              tagged_money(item["amount"], f"{name}[{i}].amount", currencies)))
    return tuple(out)


# ---- JSON Schema of each value type -----------------------------------------------------

#: the value types several fields share, by name (the import format's `$defs`)
DEFINITIONS: dict[str, dict[str, Any]] = {
    "Id": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,64}$",
           "description": "1 to 64 letters, digits and . _ : -"},
    "Money": {"type": ["string", "integer"],
              "pattern": "^(?:[A-Z]{3} )?[0-9]+(?:\\.[0-9]{1,2})?(?: [A-Z]{3})?$",
              "description": "a positive amount with at most two decimals, written as a "
                             "string; optionally tagged with its currency: \"12.50 EUR\" or "
                             "\"EUR 12.50\""},
    "Date": {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
    "Currency": {"type": "string", "enum": sorted(CURRENCIES),
                 "description": "an ISO 4217 currency code"},
}
#: a field of one of those types names it under this key (`domain.schema` makes it a $ref)
SHARED = "x-shared"
_REF, _MONEY, _DAY, _CURRENCY = ({SHARED: name} for name in ("Id", "Money", "Date", "Currency"))


def _schema(spec: FieldSpec) -> dict[str, Any]:
    match spec.kind:
        case "ref":
            return dict(_REF)
        case "refs":
            return {"type": "array", "items": dict(_REF)}
        case "text":
            one_line = spec.name in ONE_LINE
            return {"type": "string", "minLength": 1,
                    "maxLength": TEXT_LIMITS.get(spec.name, TEXT_LIMIT),
                    "description": "not blank; no control characters"
                                   + ("" if one_line else " but tab and newline")}
        case "currency":
            return dict(_CURRENCY)
        case "timezone":
            return {"type": "string", "description": "an IANA time zone, e.g. Europe/Madrid"}
        case "money":
            return dict(_MONEY)
        case "date":
            return dict(_DAY)
        case "bool":
            return {"type": "boolean"}
        case "int":
            low, high = BOUNDS[spec.name]
            return {"type": "integer", "minimum": low, "maximum": high}
        case "enum":
            assert spec.enum is not None
            return {"enum": [m.value for m in spec.enum]}
        case "instalments":
            return {"type": "array", "items": {
                "type": "object", "required": ["dueOn", "amount"],
                "additionalProperties": False,
                "properties": {"dueOn": dict(_DAY), "amount": dict(_MONEY)}}}
    raise AssertionError(spec.kind)  # pragma: no cover


# ---- one model per event ----------------------------------------------------------------


def _field(check: Check, schema: dict[str, Any], needs: str | None) -> Any:
    """A field that is what `check` makes of the caller's value; when it is absent or
    null, None, or the refusal `needs` for a field the caller must give."""
    def validate(value: object) -> Any:
        if value is None:
            if needs:
                raise InvalidInput(needs)
            return None
        return check(value)
    return Annotated[Any, PlainValidator(validate), WithJsonSchema(schema)]


def _tagged_field(check: TaggedCheck, schema: dict[str, Any], needs: str | None) -> Any:
    """The same for a field of amounts: the currencies they name are gathered in the
    validation's context."""
    def validate(value: object, info: ValidationInfo) -> Any:
        if value is None:
            if needs:
                raise InvalidInput(needs)
            return None
        assert info.context is not None  # `parse` passes the set to gather them in
        return check(value, info.context["currencies"])
    return Annotated[Any, PlainValidator(validate), WithJsonSchema(schema)]


def omittable(event_class: Any) -> frozenset[str]:
    """The fields of an event a caller may leave out: optional ones, those the ledger
    fills in (defaults, the id of what the event creates, an invoice's due date)."""
    out = set(DEFAULTED)
    if event_class.CREATES and event_class.ENTITY:
        out.add(event_class.ENTITY)
    if event_class.__name__ == "InvoiceIssued":
        out.add("due_on")
    return frozenset(out)


@cache
def data_model(event_class: type) -> type[BaseModel]:
    """The pydantic model of the `data` of an event type.

    Every field is validated in declaration order, absent ones too (so that a field
    the caller must give is refused where it comes, as `needs`).
    """
    own = specs(event_class)
    name = event_class.__name__
    required = [s.camel for s in own if not s.optional and s.name not in omittable(event_class)]
    fields: dict[str, Any] = {}
    for spec in own:
        needs = f"{name} needs {spec.camel}" if spec.camel in required else None
        field = (_tagged_field(_tagged(spec), _schema(spec), needs)
                 if spec.kind in ("money", "instalments")
                 else _field(_value(spec), _schema(spec), needs))
        fields[spec.name] = (field, Field(None, alias=spec.camel, validate_default=True)
                             if needs else Field(None, alias=spec.camel))
    if any(s.kind == "money" for s in own):  # the currency the amounts are in, to check
        fields["currency_tag"] = (
            _field(partial(parse_currency, field="currency"),
                   {**_CURRENCY, "description": "the currency of the amounts: the client's"},
                   None),
            Field(None, alias="currency"))
    if name == "InvoiceIssued":
        fields["issued_on"] = (
            _field(partial(parse_date, field="issuedOn"),
                   {**_DAY, "description": "the same as occurredOn"}, None),
            Field(None, alias="issuedOn"))
    model: type[BaseModel] = create_model(
        f"{name}Data",
        __config__=ConfigDict(extra="forbid", title=f"{name} data",
                              field_title_generator=lambda name, info: info.alias or name,
                              json_schema_extra=partial(_require, required)),
        **fields,
    )
    return model


def _require(names: list[str], schema: dict[str, Any]) -> None:
    """Say in the schema which fields are required (pydantic sees defaults on all)."""
    if names:
        schema["required"] = names
    for name in names:
        schema["properties"][name].pop("default", None)


@dataclass
class Parsed:
    fields: dict[str, Any]
    currencies: set[str]  # currencies the caller tagged amounts with
    extra: dict[str, Any]  # accepted aliases: issuedOn


def parse(event_class: type, data: Mapping[str, Any]) -> Parsed:
    """Turn a caller's `data` into event fields, refusing what the event cannot hold."""
    if not isinstance(data, Mapping):
        raise InvalidInput("data must be an object of the event's fields")
    model, names = _model(event_class)
    unknown = [key for key in data if key not in names]
    if unknown:
        known = ", ".join(s.camel for s in specs(event_class))
        raise InvalidInput(f"{event_class.__name__} has no field {unknown[0]!r}; its fields "
                           f"are {known}")
    currencies: set[str] = set()
    try:
        values = dict(vars(model.model_validate(
            data if isinstance(data, dict) else dict(data), context={"currencies": currencies})))
    except ValidationError as error:  # pragma: no cover - the checks raise InvalidInput
        raise InvalidInput(f"{event_class.__name__}: {error.errors()[0]['msg']}") from None
    tag, issued_on = values.pop("currency_tag", None), values.pop("issued_on", None)
    if tag is not None:
        currencies.add(tag)
    return Parsed(values, currencies, {"issuedOn": issued_on} if issued_on else {})


@cache
def _model(event_class: type) -> tuple[type[BaseModel], frozenset[str]]:
    """The data model of an event type, and the names a caller may write."""
    model = data_model(event_class)
    return model, frozenset(f.alias or name for name, f in model.model_fields.items())
