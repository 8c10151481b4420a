"""Every type, field, argument and enum value of the served schema has a description
(GraphiQL's Docs panel shows them), and introspection returns them."""

from __future__ import annotations

from fastapi.testclient import TestClient
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    build_schema,
)

from api.graphql.export import sdl
from tests.support.graphql import gql


def undescribed() -> list[str]:
    missing: list[str] = []
    for name, named in build_schema(sdl()).type_map.items():
        if name.startswith("__"):
            continue
        missing += [] if named.description else [name]
        if isinstance(named, GraphQLEnumType):
            missing += [f"{name}.{v}" for v, value in named.values.items()
                        if not value.description]
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType
                      | GraphQLInputObjectType):
            for field_name, field in named.fields.items():
                missing += [] if field.description else [f"{name}.{field_name}"]
                missing += [f"{name}.{field_name}({a})"
                            for a, arg in getattr(field, "args", {}).items()
                            if not arg.description]
    return missing


def test_every_element_of_the_served_schema_is_described() -> None:
    assert undescribed() == []


def test_introspection_returns_the_descriptions(client: TestClient) -> None:
    query = """{ __type(name: "Mutation") { description fields { name description
      args { name description } } } }"""
    mutation = gql(client, query, role="reader").ok()["__type"]
    assert mutation["description"].startswith("What can be written")
    fields = {f["name"]: f for f in mutation["fields"]}
    assert fields["writeOffInvoice"]["description"] == (
        "Write off what is still owed on an invoice.")
    assert {a["name"]: a["description"] for a in fields["writeOffInvoice"]["args"]} == {
        "input": "Write off what is still owed on an invoice.",
        "meta": "When it happened, an idempotency key, the stream version expected."}
