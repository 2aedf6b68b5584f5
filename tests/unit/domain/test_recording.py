"""decide_batch(): sealing, refusing and deduplicating a batch of submissions without I/O."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from services.domain.chain import GENESIS, SealedRecord, StoredLink, verify_links
from services.domain.recording import BatchDecision, decide_batch
from services.domain.submission import Submission, Unreadable, read_submission
from tests.support.events import lot, registration

UTC = dt.UTC
REGISTERED_AT = dt.datetime(2026, 1, 1, tzinfo=UTC)
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
A, B = "XZ-A-001", "XZ-B-002"

Item = tuple[bytes, Submission | Unreadable]


def raw_of(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope, ensure_ascii=False).encode()


def item(raw: bytes) -> Item:
    try:
        return raw, read_submission(raw)
    except Unreadable as exc:
        return raw, exc


def reg_raw(project: str) -> bytes:
    return raw_of(registration(project, event_id=f"evt-reg-{project}"))


def lot_raw(project: str, n: int, **kw: Any) -> bytes:
    kw.setdefault("at", REGISTERED_AT + dt.timedelta(hours=n))
    return raw_of(lot(project, n, event_id=f"evt-{project}-lot-{n:04d}", **kw))


def run(raws: list[bytes], **kw: Any) -> BatchDecision:
    return decide_batch(
        [item(r) for r in raws], kw.get("states", {}), kw.get("decided", {}), kw.get("now", NOW)
    )


def chain_of(decision: BatchDecision, project: str) -> list[SealedRecord]:
    return [r for r in decision.sealed if r.project_id == project]


def assert_linked(records: list[SealedRecord], start_seq: int = 1, prev: bytes = GENESIS) -> None:
    for offset, record in enumerate(records):
        assert record.seq == start_seq + offset
        assert record.prev_hash == prev
        assert record.body["seq"] == record.seq and record.body["prev_hash"] == prev.hex()
        prev = record.hash


# ----------------------------------------------------------------------------- sealing


def test_interleaved_projects_each_get_their_own_gapless_chain() -> None:
    raws = [reg_raw(A), reg_raw(B)]
    for n in range(1, 5):
        raws += [lot_raw(A, n), lot_raw(B, n)]
    raws.append(lot_raw(A, 5))
    decision = run(raws)

    assert decision.rejected == [] and decision.duplicates == []
    chain_a, chain_b = chain_of(decision, A), chain_of(decision, B)
    assert len(chain_a) == 6 and len(chain_b) == 5
    assert_linked(chain_a)
    assert_linked(chain_b)
    # Each chain keeps the batch's order of its project's events.
    assert [r.event_id for r in chain_a] == [
        "evt-reg-XZ-A-001",
        *[f"evt-XZ-A-001-lot-{n:04d}" for n in range(1, 6)],
    ]
    assert chain_a[0].type == "qtrail.project.registered.v1"
    assert {r.type for r in chain_a[1:]} == {"qtrail.quality.inspection_lot_accepted.v1"}


def test_returned_states_carry_each_projects_head_and_seq() -> None:
    decision = run([reg_raw(A), reg_raw(B), lot_raw(A, 1), lot_raw(A, 2), lot_raw(B, 1)])
    assert set(decision.states) == {A, B}
    for project, length in ((A, 3), (B, 2)):
        state = decision.states[project]
        chain = chain_of(decision, project)
        assert state.seq == length == chain[-1].seq
        assert state.head == chain[-1].hash.hex()
        assert state.registered and state.registered_at == REGISTERED_AT


def test_sealed_records_carry_the_recorder_clock_and_the_submission() -> None:
    decision = run([reg_raw(A)])
    (record,) = decision.sealed
    sub = read_submission(reg_raw(A))
    assert record.recorded_at == NOW
    assert record.occurred_at == REGISTERED_AT
    assert record.body["actor"] == sub.actor.as_dict()
    assert record.body["data"]["design_life_years"] == 50
    assert record.body["schema_version"] == 1
    assert decision.digests == {sub.event_id: sub.digest}


def test_a_batch_continues_from_the_given_state() -> None:
    first = run([reg_raw(A), lot_raw(A, 1)])
    state = first.states[A]
    second = run([lot_raw(A, 2), lot_raw(A, 3)], states={A: state})
    assert_linked(chain_of(second, A), start_seq=3, prev=bytes.fromhex(state.head))
    assert second.states[A].seq == 4
    links = [
        StoredLink(r.seq, r.canonical, r.prev_hash, r.hash) for r in first.sealed + second.sealed
    ]
    assert verify_links(links).ok


def test_a_project_without_seals_gets_no_new_state() -> None:
    decision = run([lot_raw(B, 1)])
    assert decision.states == {} and decision.sealed == []


# ----------------------------------------------------------------------------- duplicates, conflicts


def test_the_same_message_twice_in_a_batch_is_sealed_once() -> None:
    lot1 = lot_raw(A, 1)
    decision = run([reg_raw(A), lot1, lot1])
    assert [r.seq for r in decision.sealed] == [1, 2]
    assert decision.duplicates == ["evt-XZ-A-001-lot-0001"]
    assert decision.rejected == []
    assert decision.states[A].seq == 2


def test_the_same_event_spelled_differently_is_still_a_duplicate() -> None:
    envelope = lot(A, 1, at=REGISTERED_AT + dt.timedelta(hours=1), event_id="evt-respelled-1")
    compact = json.dumps(envelope, separators=(",", ":")).encode()
    reordered = json.dumps(dict(reversed(envelope.items())), indent=2).encode()
    decision = run([reg_raw(A), compact, reordered])
    assert len(decision.sealed) == 2 and decision.duplicates == ["evt-respelled-1"]


def test_an_already_decided_id_with_the_same_digest_is_a_duplicate() -> None:
    raw = lot_raw(A, 1)
    decision = run([raw], decided={"evt-XZ-A-001-lot-0001": read_submission(raw).digest})
    assert decision.duplicates == ["evt-XZ-A-001-lot-0001"]
    assert decision.sealed == [] and decision.rejected == []


def test_an_already_decided_id_with_other_content_is_a_conflict() -> None:
    original = lot_raw(A, 1)
    changed = lot_raw(A, 1, person="另一人")
    decided = {"evt-XZ-A-001-lot-0001": read_submission(original).digest}
    decision = run([changed], decided=decided)
    assert decision.sealed == [] and decision.duplicates == []
    (rejected,) = decision.rejected
    assert rejected.conflict is True
    assert rejected.rejection.code == "event.id_conflict"
    assert (
        rejected.rejection.message_zh and "evt-XZ-A-001-lot-0001" in rejected.rejection.message_en
    )
    assert rejected.event_id == "evt-XZ-A-001-lot-0001"
    assert rejected.project_id == A
    assert rejected.event_type == "qtrail.quality.inspection_lot_accepted.v1"
    assert rejected.digest == read_submission(changed).digest
    assert rejected.raw == changed


def test_a_reused_id_within_one_batch_keeps_the_first_event() -> None:
    first = lot_raw(A, 1)
    second = lot_raw(A, 1, person="另一人")
    decision = run([reg_raw(A), first, second])
    assert [r.seq for r in decision.sealed] == [1, 2]
    assert decision.sealed[1].body["actor"]["person"] == "测试人"
    (rejected,) = decision.rejected
    assert rejected.conflict and rejected.rejection.code == "event.id_conflict"


# ----------------------------------------------------------------------------- unreadable, refused


def test_unreadable_messages_are_rejected_and_never_sealed() -> None:
    unknown = registration(A, event_id="evt-unknown-type")
    unknown["type"] = "qtrail.project.demolished.v1"
    missing = registration(A, event_id="evt-missing-fields")
    del missing["actororg"], missing["time"]
    bad_data = registration(A, event_id="evt-bad-data")
    bad_data["data"]["design_life_years"] = "50"
    raws = [b"{not json", b"[1, 2]", raw_of(unknown), raw_of(missing), raw_of(bad_data)]
    decision = run([*raws, reg_raw(A)])

    codes = [r.rejection.code for r in decision.rejected]
    assert codes == [
        "event.malformed",
        "event.malformed",
        "event.unknown_type",
        "event.malformed",
        "event.malformed",
    ]
    assert [r.raw for r in decision.rejected] == raws
    assert not any(r.conflict for r in decision.rejected)
    assert [r.event_id for r in decision.rejected] == [
        None,
        None,
        "evt-unknown-type",
        "evt-missing-fields",
        "evt-bad-data",
    ]
    assert all(r.rejection.message_en and r.rejection.message_zh for r in decision.rejected)
    assert "actororg" in decision.rejected[3].rejection.message_en
    # Only the registration was sealed, and it opens the chain.
    assert [(r.event_id, r.seq) for r in decision.sealed] == [("evt-reg-XZ-A-001", 1)]


def test_a_refused_submission_does_not_advance_the_seq() -> None:
    raws = [
        lot_raw(A, 1),  # not registered yet
        reg_raw(A),
        lot_raw(A, 2, role="construction"),  # not a party
        lot_raw(A, 3, at=NOW + dt.timedelta(hours=1)),  # from the future
        lot_raw(A, 4),
        reg_raw(A).replace(b"evt-reg-", b"evt-re2-"),  # already registered
        lot_raw(A, 5),
    ]
    decision = run(raws)
    assert [r.rejection.code for r in decision.rejected] == [
        "project.not_registered",
        "auth.not_a_party",
        "time.in_future",
        "project.already_registered",
    ]
    assert [r.event_id for r in decision.sealed] == [
        "evt-reg-XZ-A-001",
        "evt-XZ-A-001-lot-0004",
        "evt-XZ-A-001-lot-0005",
    ]
    assert_linked(decision.sealed)
    assert decision.states[A].seq == 3


def test_a_refused_event_delivered_again_is_a_duplicate_not_a_second_refusal() -> None:
    early = lot_raw(A, 1)
    decision = run([early, reg_raw(A), early])
    assert [r.rejection.code for r in decision.rejected] == ["project.not_registered"]
    assert decision.duplicates == ["evt-XZ-A-001-lot-0001"]
    assert [r.seq for r in decision.sealed] == [1]


# ----------------------------------------------------------------------------- properties


@given(
    st.lists(
        st.tuples(
            st.sampled_from([A, B]),
            st.integers(min_value=-48, max_value=24 * 58),  # hours after registration, before NOW
            st.booleans(),  # delivered twice?
        ),
        max_size=20,
    )
)
def test_chains_never_fork_and_always_verify(lots: list[tuple[str, int, bool]]) -> None:
    raws = [reg_raw(A), reg_raw(B)]
    for n, (project, hours, twice) in enumerate(lots, start=1):
        raw = lot_raw(project, n, at=REGISTERED_AT + dt.timedelta(hours=hours))
        raws += [raw, raw] if twice else [raw]
    decision = run(raws)

    for project in (A, B):
        chain = chain_of(decision, project)
        assert [r.seq for r in chain] == list(range(1, len(chain) + 1))
        assert len({r.event_id for r in chain}) == len(chain)
        verification = verify_links(
            StoredLink(r.seq, r.canonical, r.prev_hash, r.hash) for r in chain
        )
        assert verification.ok and verification.length == len(chain)
        assert decision.states[project].head == verification.head.hex()
        assert decision.states[project].seq == len(chain)
        early = sum(1 for p, h, _ in lots if p == project and h < 0)
        assert len(chain) == 1 + sum(1 for p, _, _ in lots if p == project) - early
    assert len(decision.duplicates) == sum(1 for *_, twice in lots if twice)
    assert {r.rejection.code for r in decision.rejected} <= {"time.before_registration"}
