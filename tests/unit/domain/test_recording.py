"""decide_batch(): sealing, refusing and deduplicating a batch of submissions without I/O."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from events import registry
from services.domain.chain import GENESIS, SealedRecord, StoredLink, verify_links
from services.domain.project import fold
from services.domain.recording import BatchDecision, decide_batch, seal_submission
from services.domain.state import ProjectState
from services.domain.submission import Submission, Unreadable, read_submission
from tests.support.events import (
    CONSTRUCTION,
    LEADS,
    ORGS,
    appointment,
    filing_accepted,
    id_number,
    lead_change,
    lot,
    registration,
)

UTC = dt.UTC
REGISTERED_AT = dt.datetime(2026, 1, 1, tzinfo=UTC)
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
A, B = "XZ-A-001", "XZ-B-002"
REGISTERED = "qtrail.project.registered.v2"
FILED = "qtrail.supervision.filing_accepted.v1"
APPOINTED = "qtrail.party.appointed.v1"
LOT = "qtrail.quality.inspection_lot_accepted.v2"
LOT_V1 = "qtrail.quality.inspection_lot_accepted.v1"

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


def filed_raw(project: str) -> bytes:
    """The station accepts the filing, a minute after the registration: the project is open."""
    return raw_of(filing_accepted(project, event_id=f"evt-fil-{project}"))


def opening(project: str) -> list[bytes]:
    """The records every open project starts with: its registration and the filing accepted."""
    return [reg_raw(project), filed_raw(project)]


OPENING = len(opening(A))


def appt_raw(project: str) -> bytes:
    """The construction party, effective from the registration instant: it may post lots."""
    return raw_of(
        appointment(project, "construction", at=REGISTERED_AT, event_id=f"evt-appt-{project}")
    )


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
    raws = [reg_raw(A), reg_raw(B), filed_raw(B), filed_raw(A), appt_raw(B), appt_raw(A)]
    for n in range(1, 5):
        raws += [lot_raw(A, n), lot_raw(B, n)]
    raws.append(lot_raw(A, 5))
    decision = run(raws)

    assert decision.rejected == [] and decision.duplicates == []
    chain_a, chain_b = chain_of(decision, A), chain_of(decision, B)
    assert len(chain_a) == OPENING + 1 + 5 and len(chain_b) == OPENING + 1 + 4
    assert_linked(chain_a)
    assert_linked(chain_b)
    # Each chain keeps the batch's order of its project's events.
    assert [r.event_id for r in chain_a] == [
        "evt-reg-XZ-A-001",
        "evt-fil-XZ-A-001",
        "evt-appt-XZ-A-001",
        *[f"evt-XZ-A-001-lot-{n:04d}" for n in range(1, 6)],
    ]
    assert [r.type for r in chain_a[:3]] == [REGISTERED, FILED, APPOINTED]
    assert {r.type for r in chain_a[3:]} == {LOT}


def test_returned_states_carry_each_projects_head_and_seq() -> None:
    raws = [*opening(A), *opening(B), appt_raw(A), appt_raw(B)]
    decision = run([*raws, lot_raw(A, 1), lot_raw(A, 2), lot_raw(B, 1)])
    assert set(decision.states) == {A, B}
    for project, length in ((A, OPENING + 1 + 2), (B, OPENING + 1 + 1)):
        state = decision.states[project]
        chain = chain_of(decision, project)
        assert state.seq == length == chain[-1].seq
        assert state.head == chain[-1].hash.hex()
        assert state.registered and state.registered_at == REGISTERED_AT
        assert state.parties["construction"].org_code == CONSTRUCTION


def test_sealed_records_carry_the_recorder_clock_and_the_submission() -> None:
    decision = run([reg_raw(A)])
    (record,) = decision.sealed
    sub = read_submission(reg_raw(A))
    assert record.recorded_at == NOW
    assert record.occurred_at == REGISTERED_AT
    assert record.body["actor"] == sub.actor.as_dict()
    assert record.body["data"]["design_life_years"] == 50
    assert record.body["schema_version"] == 2
    assert decision.digests == {sub.event_id: sub.digest}


def test_a_batch_continues_from_the_given_state() -> None:
    first = run([*opening(A), appt_raw(A), lot_raw(A, 1)])
    state = first.states[A]
    assert state.seq == len(first.sealed)
    second = run([lot_raw(A, 2), lot_raw(A, 3)], states={A: state})
    assert second.rejected == []  # the appointment made in the first batch still counts
    assert_linked(chain_of(second, A), start_seq=state.seq + 1, prev=bytes.fromhex(state.head))
    assert second.states[A].seq == state.seq + 2
    links = [
        StoredLink(r.seq, r.canonical, r.prev_hash, r.hash) for r in first.sealed + second.sealed
    ]
    assert verify_links(links).ok


def test_a_project_without_seals_gets_no_new_state() -> None:
    decision = run([lot_raw(B, 1)])
    assert decision.states == {} and decision.sealed == []


def test_a_sealed_record_keeps_the_submitted_type_and_data_as_sent() -> None:
    envelope = lot(A, 1, at=REGISTERED_AT + dt.timedelta(hours=1), event_id="evt-as-sent-1")
    envelope["data"]["building_part"] = "  3层梁板  "  # the model strips it; the record must not
    decision = run([*opening(A), appt_raw(A), raw_of(envelope)])
    assert decision.rejected == []
    record = decision.sealed[-1]
    assert record.type == LOT and record.body["schema_version"] == 2
    assert record.body["data"] == envelope["data"]
    assert "signature_evidence" not in record.body["data"]  # defaults are not written in
    assert decision.sealed[0].body["data"] == registration(A)["data"]


def test_an_upcast_submission_is_sealed_as_submitted_and_upcast_on_fold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Decisions use the current type; the record keeps the old type and payload as sent."""

    def title_to_name(old: dict[str, Any]) -> dict[str, Any]:
        new = dict(old)
        new["name"] = new.pop("title")
        return new

    old_type = "qtrail.project.enrolled.v1"
    monkeypatch.setattr(registry, "UPCASTERS", {old_type: (REGISTERED, title_to_name)})
    envelope = registration(A, event_id="evt-enrolled-1")
    envelope["type"] = old_type
    envelope["data"]["title"] = envelope["data"].pop("name")
    decision = run([raw_of(envelope)])

    assert decision.rejected == []
    (sealed,) = decision.sealed
    assert sealed.type == old_type and sealed.body["type"] == old_type
    assert sealed.body["schema_version"] == 1
    assert sealed.body["data"] == envelope["data"] and "name" not in sealed.body["data"]
    state = decision.states[A]
    assert state.profile is not None and state.profile.name == f"测试工程 {A}"
    assert state.counts == {REGISTERED: 1}


def test_a_v1_lot_is_refused_now_but_an_old_v1_record_still_folds() -> None:
    v1 = lot(A, 1, at=REGISTERED_AT + dt.timedelta(hours=1), event_id="evt-v1-lot-1")
    v1["type"] = LOT_V1
    for signer in ("construction_signer", "supervision_signer"):
        del v1["data"][signer]
    decision = run([*opening(A), appt_raw(A), raw_of(v1)])
    (rejected,) = decision.rejected
    assert rejected.rejection.code == "quality.signatures_missing"

    state = decision.states[A]
    # A record sealed before v2 existed: type and data exactly as they were.
    old = seal_submission(read_submission(raw_of(v1)), state, NOW)
    assert old.type == LOT_V1 and old.body["data"] == v1["data"]
    folded = fold(state, old)
    assert folded.seq == OPENING + 2 and folded.head == old.hash.hex()
    # counted as today's type
    assert folded.counts == {REGISTERED: 1, FILED: 1, APPOINTED: 1, LOT: 1}


def test_a_submission_is_sealed_only_at_the_head_of_its_own_project() -> None:
    with pytest.raises(ValueError, match=B):
        seal_submission(read_submission(reg_raw(A)), ProjectState(project_id=B), NOW)


# ----------------------------------------------------------------------------- duplicates, conflicts


def test_the_same_message_twice_in_a_batch_is_sealed_once() -> None:
    lot1 = lot_raw(A, 1)
    decision = run([*opening(A), appt_raw(A), lot1, lot1])
    assert [r.seq for r in decision.sealed] == list(range(1, OPENING + 3))
    assert decision.sealed[-1].event_id == "evt-XZ-A-001-lot-0001"
    assert decision.duplicates == ["evt-XZ-A-001-lot-0001"]
    assert decision.rejected == []
    assert decision.states[A].seq == OPENING + 2


def test_the_same_event_spelled_differently_is_still_a_duplicate() -> None:
    envelope = lot(A, 1, at=REGISTERED_AT + dt.timedelta(hours=1), event_id="evt-respelled-1")
    compact = json.dumps(envelope, separators=(",", ":")).encode()
    reordered = json.dumps(dict(reversed(envelope.items())), indent=2).encode()
    decision = run([*opening(A), appt_raw(A), compact, reordered])
    assert decision.rejected == []
    assert len(decision.sealed) == OPENING + 2 and decision.duplicates == ["evt-respelled-1"]


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
    assert rejected.event_type == LOT
    assert rejected.digest == read_submission(changed).digest
    assert rejected.raw == changed


def test_a_reused_id_within_one_batch_keeps_the_first_event() -> None:
    first = lot_raw(A, 1)
    second = lot_raw(A, 1, person="另一人")
    decision = run([*opening(A), appt_raw(A), first, second])
    assert [r.seq for r in decision.sealed] == list(range(1, OPENING + 3))
    assert decision.sealed[-1].event_id == "evt-XZ-A-001-lot-0001"
    assert decision.sealed[-1].body["actor"]["person"] == "测试人"
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
    unsigned = lot(A, 7, at=REGISTERED_AT + dt.timedelta(hours=7), event_id="evt-unsigned-7")
    unsigned["data"]["supervision_signer"] = None
    raws = [
        lot_raw(A, 1),  # not registered yet
        reg_raw(A),
        filed_raw(A),
        lot_raw(A, 2),  # construction not appointed yet: not a party
        appt_raw(A),
        lot_raw(A, 3, at=NOW + dt.timedelta(hours=1)),  # from the future
        lot_raw(A, 4),
        reg_raw(A).replace(b"evt-reg-", b"evt-re2-"),  # already registered
        lot_raw(A, 5, role="owner", org=registration(A)["actororg"]),  # the owner signs no lots
        raw_of(unsigned),  # one signature missing
        lot_raw(A, 6),
    ]
    decision = run(raws)
    assert [r.rejection.code for r in decision.rejected] == [
        "project.not_registered",
        "auth.not_a_party",
        "time.in_future",
        "project.already_registered",
        "auth.role_not_allowed",
        "quality.signatures_missing",
    ]
    assert [r.event_id for r in decision.sealed] == [
        "evt-reg-XZ-A-001",
        "evt-fil-XZ-A-001",
        "evt-appt-XZ-A-001",
        "evt-XZ-A-001-lot-0004",
        "evt-XZ-A-001-lot-0006",
    ]
    assert_linked(decision.sealed)
    assert decision.states[A].seq == len(decision.sealed)
    assert decision.states[A].counts == {REGISTERED: 1, FILED: 1, APPOINTED: 1, LOT: 2}


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
    raws = [*opening(A), *opening(B), appt_raw(A), appt_raw(B)]
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
        assert len(chain) == OPENING + 1 + sum(1 for p, _, _ in lots if p == project) - early
    assert len(decision.duplicates) == sum(1 for *_, twice in lots if twice)
    assert {r.rejection.code for r in decision.rejected} <= {"time.before_registration"}


PARTY_ROLES = tuple(ORGS)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(PARTY_ROLES),
            st.integers(min_value=1, max_value=24 * 60),  # minutes after that role's last change
        ),
        max_size=25,
    ),
    st.lists(st.integers(min_value=-60, max_value=60 * 24 * 40), min_size=1, max_size=10),
)
def test_lead_periods_tile_time_whatever_the_interleaving_of_changes(
    changes: list[tuple[str, int]], probe_minutes: list[int]
) -> None:
    """After the first appointment exactly one lead covers any moment, and periods never overlap."""
    appointed_at = REGISTERED_AT + dt.timedelta(days=1)
    appointments = (raw_of(appointment(A, role, at=appointed_at)) for role in PARTY_ROLES)
    raws = [*opening(A), *appointments]
    last = dict.fromkeys(PARTY_ROLES, appointed_at)
    for n, (role, gap) in enumerate(changes, start=1):
        last[role] += dt.timedelta(minutes=gap)
        raws.append(raw_of(lead_change(A, role, f"负责人{n}", id_number(200 + n), at=last[role])))
    decision = run(raws)
    assert decision.rejected == []
    state = decision.states[A]

    for role in PARTY_ROLES:
        leads = state.parties[role].leads
        assert len(leads) == 1 + sum(1 for r, _ in changes if r == role)
        assert leads[0].start == appointed_at and leads[-1].end is None
        for before, after in itertools.pairwise(leads):
            assert before.end == after.start and before.start < before.end  # no gap, no overlap
        assert state.parties[role].current_lead == leads[-1]
        assert leads[0].id_number == LEADS[role]["id_number"]

        boundaries = [lead.start for lead in leads]
        tick = dt.timedelta(microseconds=1)
        moments = [b + d for b in boundaries for d in (-tick, dt.timedelta(0), tick)]
        moments += [appointed_at + dt.timedelta(minutes=m) for m in probe_minutes]
        for moment in moments:
            covering = [lead for lead in leads if lead.covers(moment)]
            if moment < appointed_at:
                assert covering == [] and state.parties[role].lead_at(moment) is None
            else:
                assert len(covering) == 1
                assert state.parties[role].lead_at(moment) == covering[0]


# ----------------------------------------------------------------------------- poison


def test_an_event_whose_decision_raises_is_refused_and_taken_back_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A fold that raises mid-event leaves nothing of that event in the batch; the others seal."""
    import services.domain.recording as recording

    real_append = recording._append
    poison = "evt-XZ-A-001-lot-0002"

    def append(
        result: BatchDecision, state: Any, record: SealedRecord, digest: bytes, *parsed: Any
    ) -> Any:
        after = real_append(result, state, record, digest, *parsed)
        if record.event_id == poison:
            raise OverflowError("math range error")
        return after

    monkeypatch.setattr(recording, "_append", append)
    raws = [*opening(A), appt_raw(A), *(lot_raw(A, n) for n in (1, 2, 3, 2))]
    decision = run(raws)

    chain = chain_of(decision, A)
    assert [r.event_id for r in chain][-2:] == ["evt-XZ-A-001-lot-0001", "evt-XZ-A-001-lot-0003"]
    assert_linked(chain)
    assert decision.states[A].seq == len(chain) == OPENING + 1 + 2
    assert poison not in decision.digests
    (refused,) = decision.rejected
    assert refused.event_id == poison and refused.rejection.code == "event.unprocessable"
    assert "OverflowError: math range error" in refused.rejection.message_en
    assert refused.raw == lot_raw(A, 2)
    # Its id is taken: the same bytes again in the batch are a duplicate, not a second outcome.
    assert decision.duplicates == [poison]


def test_raw_junk_is_refused_with_what_was_wrong() -> None:
    deep: Any = 1
    for _ in range(20):
        deep = [deep]
    junk = [
        b"\xff\xfe not json",
        b'{"id": "evt-nan-00001", "subject": "XZ-A-001", "x": NaN}',
        b"[" * 3000,
        json.dumps({"id": "evt-nul\u0000-1", "subject": "XZ\u0000"}).encode(),
        json.dumps({"id": "evt-deep-000001", "data": {"a": deep}}).encode(),
    ]
    decision = run([*junk, reg_raw(A)])
    assert [r.rejection.code for r in decision.rejected] == ["event.malformed"] * 5
    assert [r.event_id for r in decision.rejected] == [
        None,
        None,  # NaN: not JSON as events are read, so no id in it is trusted
        None,
        None,
        "evt-deep-000001",
    ]
    assert decision.rejected[3].project_id is None  # a NUL never reaches a text column
    assert "finite" in decision.rejected[1].rejection.message_en
    assert "nested" in decision.rejected[2].rejection.message_en
    assert [r.event_id for r in decision.sealed] == ["evt-reg-XZ-A-001"]


def test_a_batch_lists_the_report_numbers_it_sealed() -> None:
    from tests.support.events import lab_commissioned, received, reported, sample, staffed
    from tests.support.events import witness_authorized as witness

    project = "XZ-REPORTS-01"
    events = [*staffed(project), witness(project), lab_commissioned(project)]
    events += [sample(project, "S-1"), received(project, "S-1")]
    events += [reported(project, "R-0001", "S-1", {"strength_mpa": [35.1, 36.0, 34.8]})]
    decision = decide_batch([item(raw_of(e)) for e in events], {}, {}, NOW)
    assert decision.rejected == []
    (row,) = decision.reported
    assert row[0] == "R-0001" and row[1] == project and row[2] == events[-1]["id"]
