"""Canonical bytes, hashing and verification of the chain.

The vectors below were computed outside Python, by hand-writing the RFC 8785 form and hashing with
coreutils:  (head -c 32 /dev/zero; printf '%s' "$canon") | sha256sum
and for the second link:  (printf "$prev_hex" | xxd -r -p; printf '%s' "$canon2") | sha256sum
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.domain.chain import GENESIS, StoredLink, seal, utc_text, verify_links

CANON_1 = (
    '{"actor":{"org":"91320300000000001X","person":"王建国","role":"owner"},'
    '"data":{"area":18650.5,"floors":18,"name":"徐州 3# 楼"},"event_id":"evt-0001-vector",'
    '"occurred_at":"2026-01-15T00:00:00.000000Z",'
    '"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000",'
    '"project_id":"XZ-VEC-1","recorded_at":"2026-01-15T00:00:01.500000Z","schema_version":1,'
    '"seq":1,"source":"vector","type":"qtrail.project.registered.v1"}'
).encode()
HASH_1 = "19b2b5584fa91b333ff7f20217fbba98ff5bc91501a133285a139ccd08218925"
HASH_2 = "24aaca42dd214212a5c6d5f1ab877214ac59b05c11042bac8f001fda057619d9"

UTC = dt.UTC


def _first() -> object:
    return seal(
        project_id="XZ-VEC-1",
        seq=1,
        prev_hash=GENESIS,
        event_id="evt-0001-vector",
        event_type="qtrail.project.registered.v1",
        schema_version=1,
        source="vector",
        occurred_at=dt.datetime(2026, 1, 15, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        recorded_at=dt.datetime(2026, 1, 15, 0, 0, 1, 500000, tzinfo=UTC),
        actor={"org": "91320300000000001X", "person": "王建国", "role": "owner"},
        data={"name": "徐州 3# 楼", "floors": 18, "area": 18650.5},
    )


def _second(prev_hash: bytes) -> object:
    return seal(
        project_id="XZ-VEC-1",
        seq=2,
        prev_hash=prev_hash,
        event_id="evt-0002-vector",
        event_type="qtrail.quality.inspection_lot_accepted.v1",
        schema_version=1,
        source="vector",
        occurred_at=dt.datetime(2026, 1, 16, 8, 30, 0, 250000, tzinfo=UTC),
        recorded_at=dt.datetime(2026, 1, 16, 8, 30, 2, tzinfo=UTC),
        actor={"org": "91320300000000001X", "person": "李四", "role": "construction"},
        data={"lot_code": "JYP-1", "items": ["钢筋"]},
    )


def test_canonical_bytes_and_hash_match_the_independent_vector() -> None:
    record = _first()
    assert record.canonical == CANON_1  # type: ignore[attr-defined]
    assert record.hash.hex() == HASH_1  # type: ignore[attr-defined]


def test_second_link_hashes_over_the_first() -> None:
    record = _second(bytes.fromhex(HASH_1))
    assert record.hash.hex() == HASH_2  # type: ignore[attr-defined]


def test_times_are_spelled_one_way_in_utc() -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    assert (
        utc_text(dt.datetime(2026, 1, 15, 8, 0, tzinfo=shanghai)) == "2026-01-15T00:00:00.000000Z"
    )
    with pytest.raises(ValueError, match="naive"):
        utc_text(dt.datetime(2026, 1, 15))


def _links(n: int) -> list[StoredLink]:
    links, prev = [], GENESIS
    for seq in range(1, n + 1):
        r = seal(
            project_id="P-1",
            seq=seq,
            prev_hash=prev,
            event_id=f"evt-{seq:08d}",
            event_type="qtrail.quality.inspection_lot_accepted.v1",
            schema_version=1,
            source="t",
            occurred_at=dt.datetime(2026, 1, 1, tzinfo=UTC),
            recorded_at=dt.datetime(2026, 1, 1, tzinfo=UTC),
            actor={"org": "X", "person": "p", "role": "owner"},
            data={"n": seq},
        )
        links.append(StoredLink(r.seq, r.canonical, r.prev_hash, r.hash))
        prev = r.hash
    return links


def test_an_intact_chain_verifies() -> None:
    links = _links(5)
    result = verify_links(links)
    assert result.ok and result.length == 5 and result.head == links[-1].hash


def test_missing_link_is_named() -> None:
    links = _links(5)
    del links[2]
    result = verify_links(links)
    assert not result.ok and result.first_bad_seq == 3 and "missing" in (result.problem or "")


def test_swapped_links_are_named() -> None:
    links = _links(5)
    links[1], links[2] = links[2], links[1]
    result = verify_links(links)
    assert not result.ok and result.first_bad_seq == 2


@given(st.integers(min_value=0, max_value=4), st.data())
def test_any_changed_byte_is_found_at_its_seq(index: int, data: st.DataObject) -> None:
    links = _links(5)
    target = links[index]
    position = data.draw(st.integers(min_value=0, max_value=len(target.canonical) - 1))
    flipped = bytearray(target.canonical)
    flipped[position] ^= data.draw(st.integers(min_value=1, max_value=255))
    links[index] = StoredLink(target.seq, bytes(flipped), target.prev_hash, target.hash)
    result = verify_links(links)
    assert not result.ok
    assert result.first_bad_seq == target.seq
    assert result.length == index


@settings(max_examples=100, deadline=None)
@given(st.datetimes(timezones=st.timezones()))
def test_utc_text_spells_every_instant_as_strftime_always_did(moment: dt.datetime) -> None:
    try:
        utc = moment.astimezone(dt.UTC)
    except OverflowError:  # an instant beyond year 1..9999 in UTC has no spelling at all
        return
    assert utc_text(moment) == utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
