"""The fast canonical JSON of `projections.audit.canonical` is RFC 8785's: it agrees with
the `rfc8785` package on random JSON documents, including those it hands over to it."""

from __future__ import annotations

import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from projections.audit.canonical import canonical
from projections.audit.leaves import LeafError, document_of, leaf_bytes

scalars = (st.none() | st.booleans() | st.text()
           | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
           | st.floats(allow_nan=False, allow_infinity=False))
stored_scalars = scalars | st.integers()  # beyond 2^53: no canonical form, no leaf
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                         | st.dictionaries(st.text(max_size=6), inner, max_size=5),
                         max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(documents)
def test_it_writes_what_rfc8785_writes(document: Any) -> None:
    try:
        expected = rfc8785.dumps(document)
    except rfc8785.CanonicalizationError:
        return
    assert canonical(document) == expected


def test_keys_sort_by_utf16_code_units_beyond_ascii() -> None:
    document = {"\ue000": 1, "\U0001f600": 2, "a": 3}  # UTF-16 puts the emoji first
    assert canonical(document) == rfc8785.dumps(document)
    assert canonical(document).index("😀".encode()) < canonical(document).index(
        "\ue000".encode())


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=6), st.recursive(
           stored_scalars, lambda inner: st.lists(inner, max_size=4)
           | st.dictionaries(st.text(max_size=6), inner, max_size=5), max_leaves=20),
           max_size=5),
       st.sampled_from([{}, {"ensure_ascii": False}]))
def test_a_leaf_is_rfc8785_of_its_document_however_the_state_is_written(
        state: dict[str, Any], options: dict[str, Any]) -> None:
    stored = json.dumps(state, **options).encode("utf-8", "surrogatepass")
    document = document_of(7, 2, "palabra:X", json.loads(stored))  # the reference parse
    try:
        expected = rfc8785.dumps(document)
    except rfc8785.CanonicalizationError:
        with pytest.raises(LeafError):
            leaf_bytes(7, 2, "palabra:X", stored)
        return
    assert leaf_bytes(7, 2, "palabra:X", stored) == expected
