"""A chain against its signed history: what the checkpointer refuses, what verification names.

The rewrites are those of a database superuser who switched the triggers off and re-linked what
they changed, so the chain's own links hold; only the signed leaves tell.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Any

import pytest

from services.domain.chain import GENESIS, StoredLink, canonical_bytes, chain_hash, seal
from services.domain.continuity import (
    CHAIN_REWRITTEN,
    Break,
    Extension,
    Leaf,
    extend,
    first_disagreement,
    rewrite_alert,
)

PROJECT = "XZ-CONT-0001"
T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


def body(seq: int, note: str = "") -> dict[str, Any]:
    return {"lot": f"LOT-{seq:03d}{note}"}


def chain(n: int, project: str = PROJECT, notes: dict[int, str] | None = None) -> list[StoredLink]:
    """``n`` records sealed from genesis; ``notes`` changes the data of some seqs."""
    links, prev = [], GENESIS
    for seq in range(1, n + 1):
        record = seal(
            project_id=project,
            seq=seq,
            prev_hash=prev,
            event_id=f"e-{seq}",
            event_type="qtrail.quality.inspection_lot_accepted.v2",
            schema_version=2,
            source="test",
            occurred_at=T0 + dt.timedelta(hours=seq),
            recorded_at=T0 + dt.timedelta(hours=seq, seconds=1),
            actor={"org": "X", "person": "Y", "role": "construction"},
            data=body(seq, (notes or {}).get(seq, "")),
        )
        links.append(StoredLink(seq, record.canonical, record.prev_hash, record.hash))
        prev = record.hash
    return links


def resealed(bodies: list[dict[str, Any]]) -> list[StoredLink]:
    """Records re-linked from genesis in the order given, renumbered: a careful insider's work."""
    links, prev = [], GENESIS
    for seq, original in enumerate(bodies, 1):
        canonical = canonical_bytes({**original, "seq": seq, "prev_hash": prev.hex()})
        digest = chain_hash(prev, canonical)
        links.append(StoredLink(seq, canonical, prev, digest))
        prev = digest
    return links


def bodies(links: list[StoredLink]) -> list[dict[str, Any]]:
    return [json.loads(link.canonical) for link in links]


def leaf(links: list[StoredLink], seq: int, checkpoint: int = 1, index: int = 0) -> Leaf:
    return Leaf(index, seq, links[seq - 1].hash, checkpoint)


def head_of(links: list[StoredLink]) -> tuple[int, bytes]:
    return links[-1].seq, links[-1].hash


def since(links: list[StoredLink], seq: int) -> list[StoredLink]:
    """What the checkpointer reads: the links from ``seq`` to the end."""
    return [link for link in links if link.seq >= seq]


# ----------------------------------------------------------------------------- extend


def test_a_first_leaf_takes_the_whole_verified_chain() -> None:
    links = chain(4)
    assert extend(PROJECT, None, links, head_of(links)) == Extension(4, links[-1].hash)


def test_a_chain_that_continues_its_leaf_gets_the_new_end() -> None:
    links = chain(7)
    previous = leaf(links, 4, checkpoint=3)
    assert extend(PROJECT, previous, since(links, 4), head_of(links)) == Extension(
        7, links[-1].hash
    )


def test_a_chain_that_did_not_move_ends_at_its_leaf() -> None:
    links = chain(4)
    assert extend(PROJECT, leaf(links, 4), since(links, 4), head_of(links)) == Extension(
        4, links[-1].hash
    )


def test_the_new_head_comes_from_the_chain_not_from_the_recorder() -> None:
    """The recorder's head may lag the chain (a batch committed meanwhile): the chain wins."""
    links = chain(6)
    found = extend(PROJECT, leaf(links, 2), since(links, 2), (5, links[4].hash))
    assert found == Extension(6, links[5].hash)


def test_cut_and_extend_is_refused_at_the_checkpointed_seq() -> None:
    """Seq 4 (checkpointed) deleted, the recorder reset to 3, two new events sealed on top."""
    links = chain(4)
    previous = leaf(links, 4, checkpoint=2)
    rewritten = chain(5, notes={4: "-new", 5: "-new"})
    found = extend(PROJECT, previous, since(rewritten, 4), head_of(rewritten))
    assert isinstance(found, Break)
    assert found.seq == 4
    assert found.en == "history rewritten: seq 4 is no longer the head checkpoint 2 signed"
    assert "第 4 条" in found.zh and "检查点 2" in found.zh


def test_a_rewrite_in_place_before_the_leaf_is_refused_at_the_leaf() -> None:
    links = chain(6)
    previous = leaf(links, 5)
    changed = bodies(links)
    changed[2]["data"] = {"lot": "LOT-FORGED"}
    rewritten = resealed(changed)
    found = extend(PROJECT, previous, since(rewritten, 5), head_of(rewritten))
    assert isinstance(found, Break) and found.seq == 5 and "rewritten" in found.en


def test_a_checkpointed_seq_that_vanished_is_missing() -> None:
    links = chain(4)
    found = extend(PROJECT, leaf(links, 4), [], (3, links[2].hash))
    assert found == Break(
        4, "seq 4 is missing (checkpoint 1 signed its head)", "第 4 条记录缺失（检查点 1 已签名）"
    )


def test_a_gap_after_the_leaf_is_missing() -> None:
    links = chain(7)
    found = extend(PROJECT, leaf(links, 3), [links[2], links[3], links[5]], head_of(links))
    assert isinstance(found, Break) and (found.seq, found.en) == (5, "seq 5 is missing")


def test_a_first_checkpoint_needs_the_chain_from_seq_1() -> None:
    links = chain(3)
    found = extend(PROJECT, None, links[1:], head_of(links))
    assert isinstance(found, Break) and found.seq == 1


def test_a_first_checkpoint_needs_the_genesis_link() -> None:
    links = chain(3)
    forged = [replace(links[0], prev_hash=b"\x01" * 32), *links[1:]]
    found = extend(PROJECT, None, forged, head_of(links))
    assert isinstance(found, Break) and found.seq == 1


def test_a_broken_link_after_the_leaf_is_refused() -> None:
    links = chain(6)
    other = chain(6, notes={5: "-x"})
    mixed = [*links[2:4], other[4], links[5]]  # seq 5 from another history
    found = extend(PROJECT, leaf(links, 3), mixed, head_of(links))
    assert isinstance(found, Break) and found.seq == 6 and "does not link" in found.en


def test_an_edited_record_after_the_leaf_is_refused() -> None:
    links = chain(5)
    edited = replace(links[3], canonical=links[3].canonical.replace(b"LOT-004", b"LOT-00X"))
    found = extend(PROJECT, leaf(links, 3), [links[2], edited, links[4]], head_of(links))
    assert isinstance(found, Break) and found.seq == 4 and "edited" in found.en


def test_an_edited_stored_hash_at_the_leaf_is_refused() -> None:
    links = chain(4)
    tampered = [replace(links[3], hash=b"\x02" * 32)]
    found = extend(PROJECT, leaf(links, 4), tampered, head_of(links))
    assert isinstance(found, Break) and found.seq == 4 and "edited" in found.en


def test_a_record_of_another_project_is_refused() -> None:
    links = chain(4)
    changed = bodies(links)
    changed[3]["project_id"] = "XZ-OTHER"
    rewritten = resealed(changed)
    found = extend(PROJECT, leaf(links, 3), since(rewritten, 3), head_of(rewritten))
    assert found == Break(
        4, "seq 4 names another project or position", "第 4 条记录写明的项目或位置不符"
    )


def test_a_record_naming_another_position_is_refused() -> None:
    links = chain(3)
    claims_7 = canonical_bytes({**bodies(links)[2], "seq": 7})
    moved = StoredLink(3, claims_7, links[1].hash, chain_hash(links[1].hash, claims_7))
    found = extend(PROJECT, leaf(links, 2), [links[1], moved], (3, moved.hash))
    assert isinstance(found, Break) and found.seq == 3 and "position" in found.en


def test_a_record_stored_under_another_seq_does_not_link() -> None:
    """Seq 5's row stored as seq 4 and the other way round, without re-linking."""
    links = chain(5)
    moved = [links[2], replace(links[4], seq=4), replace(links[3], seq=5)]
    found = extend(PROJECT, leaf(links, 3), moved, head_of(links))
    assert isinstance(found, Break) and found.seq == 4 and "does not link" in found.en


def test_bytes_that_are_not_json_are_refused() -> None:
    links = chain(3)
    garbage = StoredLink(3, b"\xff", links[1].hash, chain_hash(links[1].hash, b"\xff"))
    found = extend(PROJECT, leaf(links, 2), [links[1], garbage], (3, garbage.hash))
    assert isinstance(found, Break) and found.seq == 3


def test_a_recorder_head_beyond_the_chain_is_refused() -> None:
    """The tail after the leaf was deleted but the recorder's head still points past it."""
    links = chain(6)
    found = extend(PROJECT, leaf(links, 3), links[2:4], head_of(links))
    assert isinstance(found, Break) and found.seq == 5 and "recorder's head is at seq 6" in found.en


def test_a_recorder_head_off_the_chain_is_refused() -> None:
    links = chain(6)
    found = extend(PROJECT, leaf(links, 3), since(links, 3), (5, b"\x03" * 32))
    assert (
        isinstance(found, Break) and found.seq == 5 and "not on the checkpointed chain" in found.en
    )


def test_a_recorder_head_reset_behind_the_leaf_is_refused() -> None:
    links = chain(6)
    found = extend(PROJECT, leaf(links, 5), since(links, 5), (2, links[1].hash))
    assert isinstance(found, Break) and found.seq == 2


def test_no_recorder_head_still_checks_the_chain() -> None:
    links = chain(4)
    assert extend(PROJECT, leaf(links, 4), since(links, 4), None) == Extension(4, links[3].hash)


# ----------------------------------------------------------------------------- every leaf


def hashes(links: list[StoredLink]) -> list[bytes]:
    return [link.hash for link in links]


def test_a_chain_that_holds_every_leaf_agrees() -> None:
    links = chain(9)
    leaves = [leaf(links, 2, 1, 0), leaf(links, 5, 2, 3), leaf(links, 9, 3, 7)]
    assert first_disagreement(hashes(links), leaves, 9, broken=False) is None
    assert first_disagreement(hashes(links), [], 9, broken=False) is None


def test_the_first_disagreeing_leaf_is_named_with_where_the_change_lies() -> None:
    links = chain(9)
    leaves = [leaf(links, 2, 1, 0), leaf(links, 5, 2, 3), leaf(links, 9, 3, 7)]
    changed = bodies(links)
    changed[3]["data"] = {"lot": "LOT-FORGED"}  # seq 4
    found = first_disagreement(hashes(resealed(changed)), leaves, 9, broken=False)
    assert found is not None and found.seq == 5
    assert found.en == (
        "history rewritten: seq 5 is not the head checkpoint 2 signed; seq 2 still matches "
        "checkpoint 1, so the change lies in seqs 3–5"
    )


def test_only_an_older_leaf_catches_a_rewrite_the_newest_leaf_does_not_see() -> None:
    """The newest leaf was re-signed over the rewritten chain (were the checkpointer fooled):
    an older leaf still tells. Comparing only the newest leaf would miss this."""
    links = chain(6)
    changed = bodies(links)
    changed[0]["data"] = {"lot": "LOT-FORGED"}
    rewritten = resealed(changed)
    leaves = [leaf(links, 3, 1, 0), leaf(rewritten, 6, 2, 4)]
    found = first_disagreement(hashes(rewritten), leaves, 6, broken=False)
    assert found is not None and found.seq == 3 and "checkpoint 1" in found.en


def test_a_cut_tail_names_the_first_missing_seq() -> None:
    links = chain(6)
    found = first_disagreement(hashes(links)[:4], [leaf(links, 6, 2)], 4, broken=False)
    assert found is not None and found.seq == 5
    assert found.en == "truncated tail: checkpoint 2 holds seq 6, the chain ends at 4"


def test_leaves_beyond_a_broken_link_are_left_to_the_link_failure() -> None:
    links = chain(6)
    assert first_disagreement(hashes(links), [leaf(links, 6)], 3, broken=True) is None


def test_leaves_before_a_broken_link_are_still_checked() -> None:
    links = chain(6)
    forged = leaf(links, 2)
    forged = replace(forged, head=b"\x04" * 32)
    found = first_disagreement(hashes(links), [forged, leaf(links, 6)], 3, broken=True)
    assert found is not None and found.seq == 2


def test_leaves_are_compared_in_seq_order_whatever_order_they_come_in() -> None:
    links = chain(6)
    bad = [replace(leaf(links, s, s, s), head=b"\x05" * 32) for s in (5, 3)]
    found = first_disagreement(hashes(links), bad, 6, broken=False)
    assert found is not None and found.seq == 3


# ----------------------------------------------------------------------------- the alert


def test_the_alert_is_critical_bilingual_and_names_the_seq() -> None:
    found = Break(4, "history rewritten: seq 4 is no longer the head checkpoint 2 signed", "改写")
    alert = rewrite_alert(PROJECT, found, T0)
    assert alert.kind == CHAIN_REWRITTEN.kind == "chain_rewritten"
    assert alert.severity == "critical" and alert.blocking is False
    assert alert.alert_id.startswith("chain_rewritten:seq-4:")
    assert PROJECT in alert.message_zh and "改写" in alert.message_zh
    assert PROJECT in alert.message_en and found.en in alert.message_en
    assert alert.raised_at == T0


def test_one_alert_per_distinct_problem() -> None:
    one = Break(4, "seq 4 is missing", "缺失")
    assert rewrite_alert(PROJECT, one, T0).alert_id == rewrite_alert(PROJECT, one, T0).alert_id
    other = Break(4, "history rewritten: seq 4 is no longer the head checkpoint 2 signed", "改写")
    assert rewrite_alert(PROJECT, one, T0).alert_id != rewrite_alert(PROJECT, other, T0).alert_id


@pytest.mark.parametrize("seq", [1, 2, 3])
def test_reordering_two_records_and_relinking_is_refused(seq: int) -> None:
    """Swap records seq and seq+1, re-link: the chain holds, the leaf at 4 does not."""
    links = chain(5)
    swapped = bodies(links)
    swapped[seq - 1], swapped[seq] = swapped[seq], swapped[seq - 1]
    rewritten = resealed(swapped)
    found = extend(PROJECT, leaf(links, 4), since(rewritten, 4), head_of(rewritten))
    assert isinstance(found, Break) and found.seq == 4
    verdict = first_disagreement(hashes(rewritten), [leaf(links, 4)], 5, broken=False)
    assert verdict is not None and verdict.seq == 4
