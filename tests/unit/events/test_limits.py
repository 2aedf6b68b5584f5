"""events.limits: what any event may hold, whatever its type."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from events import limits


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x0e", "\x1f"])
def test_c0_controls_are_refused_where_they_are(char: str) -> None:
    found = limits.violations({"data": {"name": f"A{char}B"}})
    assert [(v.field, v.kind) for v in found] == [("data.name", "value")]
    assert f"U+{ord(char):04X}" in found[0].reason


@pytest.mark.parametrize("char", ["\t", "\n", "\r", "\x7f", "é", "中", "\U0001f600"])
def test_tab_newlines_and_ordinary_text_pass(char: str) -> None:
    assert limits.violations({"name": f"A{char}B"}) == []


def test_names_of_members_are_checked_too_and_reported_printably() -> None:
    (found,) = limits.violations({"data": {"a\x00b": 1}})
    assert found.field == "data.a?b" and "U+0000" in found.reason


def test_lone_surrogates_are_refused() -> None:
    (found,) = limits.violations(json.loads('{"x": "\\ud800"}'))
    assert "lone surrogate U+D800" in found.reason


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (float("inf"), "finite"),
        (float("nan"), "finite"),
        (1e300, "magnitude"),
        (-1.0000001e12, "magnitude"),
        (2**53, "integer"),
        (-(2**64), "integer"),
    ],
)
def test_numbers_beyond_the_bounds_are_refused(value: float, why: str) -> None:
    (found,) = limits.violations({"v": value})
    assert found.field == "v" and why in found.reason


@pytest.mark.parametrize("value", [0, -1, 2**53 - 1, 1e12, -1e12, 0.1, True, None])
def test_numbers_within_the_bounds_pass(value: Any) -> None:
    assert limits.violations({"v": value}) == []


def test_nesting_is_bounded_and_reported_as_depth() -> None:
    assert limits.violations(nested(limits.MAX_DEPTH)) == []
    (found,) = limits.violations(nested(limits.MAX_DEPTH + 1))
    assert found.kind == "depth"


def test_strings_and_events_are_bounded_in_size() -> None:
    (long,) = limits.violations({"s": "x" * (limits.MAX_STRING_CHARS + 1)})
    assert long.field == "s" and "longer" in long.reason
    big = {f"k{i}": "x" * 8000 for i in range(limits.MAX_EVENT_BYTES // 8000 + 1)}
    (size,) = limits.check_event(big)
    assert size.kind == "size" and size.field == "(event)"


@pytest.mark.parametrize(
    "text", ['{"a": NaN}', '{"a": Infinity}', '{"a": -Infinity}', "[" * 5000, "{", b"\xff"]
)
def test_loads_refuses_what_no_event_can_be_made_of(text: str | bytes) -> None:
    with pytest.raises(limits.NotJson):
        limits.loads(text)


@given(st.text())
def test_printable_text_is_always_storable_and_bounded(text: str) -> None:
    clean = limits.printable(text, 50)
    assert limits.violations(clean) == [] and len(clean) <= 50


def test_the_largest_event_sealed_still_fits_a_topic_message() -> None:
    """Kafka's default message limit is 1 MiB; an accepted event, sealed, must fit with room."""
    import datetime as dt

    from services.domain.chain import seal

    data = {"notes": ["\u4e2d" * 2700] * 15}  # 3-byte characters: the worst case for bytes
    envelope = {"id": "evt-" + "x" * 120, "source": "s" * 256, "data": data}
    assert limits.check_event(envelope) == []
    now = dt.datetime.now(dt.UTC)
    record = seal(
        project_id="P" * 64,
        seq=2**53 - 1,
        prev_hash=b"\0" * 32,
        event_id=envelope["id"],
        event_type="qtrail.materials.test_reported.v1",
        schema_version=1,
        source=envelope["source"],
        occurred_at=now,
        recorded_at=now,
        actor={"org": "9" * 18, "person": "p" * 64, "role": "construction"},
        data=data,
    )
    message = json.dumps(record.to_message(), ensure_ascii=False).encode()
    assert 0.9 * limits.MAX_EVENT_BYTES < limits.compact_size(envelope) <= limits.MAX_EVENT_BYTES
    assert len(message) < 1024 * 1024 // 2
