"""The fast RFC 8785 path writes exactly the reference package's bytes, or raises its errors."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
import rfc8785
from hypothesis import example, given, settings
from hypothesis import strategies as st

from services.cli.demo import story
from services.domain.canonical import dumps

EDGE_FLOATS = [
    0.0,
    -0.0,
    5e-324,
    -5e-324,
    2.2250738585072014e-308,
    1.7976931348623157e308,
    1e-7,
    1e-6,
    9.999999999999999e-7,
    1e-5,
    0.0001,
    1e16,
    1e20,
    1e21,
    1.2345678901234568e20,
    123456789012345680000.0,
    2.0**53,
    2.0**53 - 1,
    -(2.0**53),
    0.1 + 0.2,
    35.0,
    -35.5,
    333333333.3333333,
]
EDGE_INTS = [0, -1, 2**53 - 1, -(2**53) + 1, 2**53, -(2**53), 10**30]

keys = st.one_of(
    st.text(max_size=8),
    st.text(st.characters(min_codepoint=0xE000, max_codepoint=0x10FFFF), max_size=4),
    st.sampled_from(["a", "\ue000", "\U0001f600", "\ufb33", "\U00010000", "é", "\u20ac"]),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
    st.sampled_from(EDGE_INTS),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(EDGE_FLOATS),
    st.text(),
    st.text(st.characters(min_codepoint=0, max_codepoint=0x7F)),
    st.text(st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF)),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=6), st.dictionaries(keys, inner, max_size=6)),
    max_leaves=40,
)


def outcome(fn: Any, value: Any) -> bytes | type[BaseException]:
    try:
        result: bytes = fn(value)
    except Exception as error:  # the same failure is as good as the same bytes
        return type(error)
    return result


def same(value: Any) -> None:
    assert outcome(dumps, value) == outcome(rfc8785.dumps, value)


@settings(max_examples=200, deadline=None)
@given(json_values)
@example({"\ue000": 1, "\U0001f600": 2})
@example({"a": [1.0, 1e21, 1e-7, 5e-324, -0.0]})
def test_any_json_value_canonicalizes_as_the_reference_does(value: Any) -> None:
    same(value)


@pytest.mark.parametrize("number", EDGE_FLOATS + EDGE_INTS)
def test_every_edge_number_is_spelled_as_the_reference_spells_it(number: float) -> None:
    same(number)
    same({"n": [number, {"m": number}]})


@pytest.mark.parametrize(
    "value",
    [
        math.nan,
        math.inf,
        {"x": -math.inf},
        "\ud800",
        {"\udfff": 1},
        {1: "int key"},
        (1, 2.5, "tuple"),
        {"when": dt.date(2026, 1, 1)},
        2**60,
    ],
)
def test_what_json_canonicalization_refuses_or_treats_apart_goes_to_the_reference(
    value: Any,
) -> None:
    same(value)


def test_keys_sort_by_utf16_code_units_not_code_points() -> None:
    # U+1F600 is a surrogate pair (D83D DE00) in UTF-16: it sorts before U+E000.
    assert dumps({"\ue000": 1, "\U0001f600": 2}) == '{"😀":2,"\ue000":1}'.encode()


def test_every_envelope_of_the_demo_story_canonicalizes_as_the_reference_does() -> None:
    envelopes = [
        envelope for _, envelope, _ in story(dt.datetime(2026, 11, 29, tzinfo=dt.UTC)).events
    ]
    assert len(envelopes) > 100
    for envelope in envelopes:
        assert dumps(envelope) == rfc8785.dumps(envelope)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_catalog_payloads_with_any_leaf_replaced_canonicalize_as_the_reference_does(
    data: st.DataObject,
) -> None:
    envelopes = [
        envelope for _, envelope, _ in story(dt.datetime(2026, 11, 29, tzinfo=dt.UTC)).events
    ]
    envelope = data.draw(st.sampled_from(envelopes))
    same(_replace_a_leaf(envelope, data))


def _replace_a_leaf(value: Any, data: st.DataObject) -> Any:
    if isinstance(value, dict) and value:
        key = data.draw(st.sampled_from(sorted(value)))
        return {**value, key: _replace_a_leaf(value[key], data)}
    if isinstance(value, list) and value:
        i = data.draw(st.integers(0, len(value) - 1))
        return [*value[:i], _replace_a_leaf(value[i], data), *value[i + 1 :]]
    return data.draw(scalars)
