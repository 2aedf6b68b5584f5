"""Regulator replay: the state as of a moment by either clock, and the readable step-through.

Records are sealed by the recorder's own path (decide_batch) with a controlled ``now``, so the
recorded clock is exactly what each test chose; the occurred clock is each envelope's ``time``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from itertools import pairwise
from typing import Any

import pytest

from services.domain.chain import GENESIS, SealedRecord
from services.domain.history import Change, Step, as_of, changes, role_names, steps
from services.domain.project import fold, fold_chain
from services.domain.recording import decide_batch, seal_submission
from services.domain.state import ProjectState
from tests.support.events import (
    CONSTRUCTION,
    FILED_AFTER,
    LEADS,
    SUPERVISION,
    T0,
    WITNESS_ID,
    accepted_unit,
    alert_resolved,
    appointment,
    commitment,
    completion,
    design_checked,
    filing_accepted,
    id_number,
    in_situ_tested,
    lab_commissioned,
    lead_change,
    lot,
    lot_closed,
    opened,
    received,
    registration,
    repair_accepted,
    repair_planned,
    reported,
    sample,
    sample_disposed,
    staffed,
    witness_authorized,
)
from tests.unit.domain.builders import correction, decide_envelopes, item, submission
from tests.unit.domain.materials import test_disposal as d

UTC = dt.UTC
CJK = re.compile(r"[\u4e00-\u9fff]")


def en(said: list[Change]) -> list[str]:
    return [change.en for change in said]


def zh(said: list[Change]) -> list[str]:
    return [change.zh for change in said]


DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
US = dt.timedelta(microseconds=1)


def sealed(
    batches: Iterable[tuple[dt.datetime, list[Mapping[str, Any]]]], project: str
) -> list[SealedRecord]:
    """Record each batch at its own ``now``; every envelope must seal."""
    state: ProjectState | None = None
    out: list[SealedRecord] = []
    for now, envelopes in batches:
        decision = decide_envelopes(envelopes, state, now=now)
        assert [(r.event_id, r.rejection.code) for r in decision.rejected] == []
        out += decision.sealed
        state = decision.states[project]
    return out


# ----------------------------------------------------------------------------- as of a moment

P = "XZ-ASOF-001"
REGISTERED = T0 + HOUR
"""Recorded clock of batch 1 (the registration)."""
FILED = T0 + 2 * HOUR
"""Recorded clock of batch 2 (the station accepts the filing, occurred T0 + FILED_AFTER)."""
APPOINTED = T0 + DAY + 2 * HOUR
"""Recorded clock of batch 3 (the construction appointment, occurred T0 + 1 day)."""
COMMITTED_ON_SITE = T0 + DAY + HOUR
"""Occurred clock of the commitment: signed on site before the appointment was even recorded…"""
COMMITMENT_ARRIVED = T0 + 10 * DAY
"""…and recorded ten days later, when the site came back online."""
CHANGED = T0 + 20 * DAY


@pytest.fixture(scope="module")
def trail() -> list[SealedRecord]:
    return sealed(
        [
            (REGISTERED, [registration(P)]),
            (FILED, [filing_accepted(P)]),
            (APPOINTED, [appointment(P, "construction")]),
            (
                COMMITMENT_ARRIVED,
                [
                    commitment(
                        P, "construction", LEADS["construction"]["id_number"], at=COMMITTED_ON_SITE
                    )
                ],
            ),
            (
                CHANGED + HOUR,
                [lead_change(P, "construction", "新经理", id_number(555), at=CHANGED)],
            ),
        ],
        P,
    )


def test_the_trail_has_the_clocks_the_tests_rely_on(trail: list[SealedRecord]) -> None:
    assert [r.recorded_at for r in trail] == [
        REGISTERED,
        FILED,
        APPOINTED,
        COMMITMENT_ARRIVED,
        CHANGED + HOUR,
    ]
    assert [r.occurred_at for r in trail] == [
        T0,
        T0 + FILED_AFTER,
        T0 + DAY,
        COMMITTED_ON_SITE,
        CHANGED,
    ]


def record_of(trail: list[SealedRecord], event_type: str) -> SealedRecord:
    (record,) = [r for r in trail if r.type == event_type]
    return record


def test_by_recorded_only_records_recorded_by_then_count(trail: list[SealedRecord]) -> None:
    moment = T0 + 5 * DAY  # the commitment had occurred, but qtrail did not know it yet
    state = as_of(P, trail, moment, by="recorded")
    appointed = record_of(trail, "qtrail.party.appointed.v1")
    assert state.seq == appointed.seq
    assert state.head == appointed.hash.hex()
    lead = state.parties["construction"].leads[0]
    assert lead.commitment is None


def test_by_occurred_records_that_happened_by_then_count(trail: list[SealedRecord]) -> None:
    moment = T0 + 5 * DAY
    state = as_of(P, trail, moment, by="occurred")
    assert state.seq == record_of(trail, "qtrail.party.commitment_signed.v1").seq
    assert state.parties["construction"].leads[0].commitment is not None
    assert len(state.parties["construction"].leads) == 1  # the change is 15 days away


def test_the_default_clock_is_the_recorded_one(trail: list[SealedRecord]) -> None:
    moment = T0 + 5 * DAY
    assert as_of(P, trail, moment) == as_of(P, trail, moment, by="recorded")
    assert as_of(P, trail, moment) != as_of(P, trail, moment, by="occurred")


@pytest.mark.parametrize(
    ("moment", "seq"),
    [
        (REGISTERED - US, 0),
        (REGISTERED, 1),  # a record recorded at the very moment counts
        (FILED - US, 1),
        (FILED, 2),
        (APPOINTED - US, 2),
        (APPOINTED, 3),
        (COMMITMENT_ARRIVED - US, 3),
        (COMMITMENT_ARRIVED, 4),
        (CHANGED + HOUR, 5),
    ],
)
def test_by_recorded_at_the_boundaries(
    trail: list[SealedRecord], moment: dt.datetime, seq: int
) -> None:
    assert as_of(P, trail, moment, by="recorded").seq == seq


@pytest.mark.parametrize(
    ("moment", "parties", "committed", "leads"),
    [
        (T0 - US, set(), False, 0),
        (T0 + 12 * HOUR, set(), False, 0),
        (T0 + DAY, {"construction"}, False, 1),
        (COMMITTED_ON_SITE, {"construction"}, True, 1),
        (CHANGED - US, {"construction"}, True, 1),
        (CHANGED, {"construction"}, True, 2),
    ],
)
def test_by_occurred_at_the_boundaries(
    trail: list[SealedRecord],
    moment: dt.datetime,
    parties: set[str],
    committed: bool,
    leads: int,
) -> None:
    state = as_of(P, trail, moment, by="occurred")
    assert set(state.parties) == parties
    if parties:
        party = state.parties["construction"]
        assert (party.leads[0].commitment is not None) is committed
        assert len(party.leads) == leads


def test_before_anything_the_state_is_empty(trail: list[SealedRecord]) -> None:
    for clock in ("recorded", "occurred"):
        state = as_of(P, trail, T0 - DAY, by=clock)
        assert state == ProjectState(project_id=P)
        assert state.head == GENESIS.hex()


def test_after_everything_both_clocks_give_the_live_state(trail: list[SealedRecord]) -> None:
    live = fold_chain(P, trail)
    later = CHANGED + 30 * DAY
    assert as_of(P, trail, later, by="recorded") == live
    assert as_of(P, trail, later, by="occurred") == live


def test_a_time_zone_other_than_utc_names_the_same_instant(trail: list[SealedRecord]) -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    moment = (APPOINTED - US).astimezone(shanghai)
    assert as_of(P, trail, moment).seq == as_of(P, trail, APPOINTED - US).seq == 2


def test_as_of_by_occurred_uses_the_site_clock_even_against_the_chain_order() -> None:
    """Two hand-sealed records: the second occurred before the first. By occurred time, a moment
    between them holds only the second."""
    start = ProjectState(project_id="XZ-ASOF-002")
    registered = submission(registration("XZ-ASOF-002", at=T0 + 2 * DAY, event_id="evt-asof-1"))
    first = seal_submission(registered, start, recorded_at=T0 + 2 * DAY)
    early_lot = submission(lot("XZ-ASOF-002", 1, at=T0, event_id="evt-asof-2"))
    second = seal_submission(early_lot, fold(start, first), recorded_at=T0 + 3 * DAY)
    by_occurred = as_of("XZ-ASOF-002", [first, second], T0 + DAY, by="occurred")
    by_recorded = as_of("XZ-ASOF-002", [first, second], T0 + DAY, by="recorded")
    assert by_recorded.seq == 0
    assert by_occurred.profile is None  # the registration had not occurred yet
    assert by_occurred.seq == 2 and by_occurred.head == second.hash.hex()


# ----------------------------------------------------------------------------- step-through

L = "XZ-STEPS-001"
NEW_LEAD = id_number(555)
NOW = T0 + 90 * DAY
REBAR = {
    "yield_mpa": 455,
    "tensile_mpa": 610,
    "agt_pct": 11.0,
    "mass_kg_per_m": 2.47,
    "bend_ok": True,
    "reverse_bend_ok": True,
}


def issuer(kind: str, project: str, number: str) -> tuple[str, str]:
    return f"code-{kind}-{number}", f"https://qtrail.example/{kind}/{project}/{number}"


def lifecycle() -> list[dict[str, Any]]:
    """Registration to plaque: every kind of change a regulator steps through."""
    return [
        *staffed(L),
        lab_commissioned(L),
        witness_authorized(L),
        lead_change(L, "construction", "新经理", NEW_LEAD, at=T0 + 5 * DAY),
        commitment(L, "construction", NEW_LEAD, at=T0 + 5 * DAY + HOUR),
        sample(L, "S1", material="mortar", grade="M10", witnessed=False),
        sample(L, "RB1", material="rebar", grade="HRB400E", diameter=20, batch="RB"),
        received(L, "RB1"),
        reported(L, "R-RB1", "RB1", REBAR),
        alert_resolved(L, "unwitnessed_sample:S1"),
        sample_disposed(L, "S1"),
        lot_closed(L, "RB"),
        *accepted_unit(L),
        completion(L),
    ]


@pytest.fixture(scope="module")
def walked() -> tuple[list[SealedRecord], list[Step]]:
    decision = decide_batch([item(e) for e in lifecycle()], {}, {}, NOW, {}, {}, issuer)
    assert [(r.event_id, r.rejection.code) for r in decision.rejected] == []
    return decision.sealed, steps(L, decision.sealed)


def step_of(walked: tuple[list[SealedRecord], list[Step]], event_type: str) -> list[Step]:
    return [s for s in walked[1] if s.type == event_type]


def test_one_step_per_record_in_chain_order(
    walked: tuple[list[SealedRecord], list[Step]],
) -> None:
    records, walk = walked
    # every fact posted, and qtrail's own two: the report's evaluation and the plaque
    assert len(walk) == len(records) == len(lifecycle()) + 2
    own = [r.type for r in records if r.body["actor"]["role"] == "system"]
    assert own == ["qtrail.materials.evaluated.v1", "qtrail.plaque.issued.v2"]
    for step, rec in zip(walk, records, strict=True):
        assert (step.seq, step.event_id, step.type) == (rec.seq, rec.event_id, rec.type)
        assert (step.occurred_at, step.recorded_at) == (rec.occurred_at, rec.recorded_at)
        assert step.actor == f"{rec.body['actor']['role']} {rec.body['actor']['org']}"
        assert step.changes, "every step says something"
        assert all(CJK.search(c.zh) and c.en for c in step.changes), "Chinese, and English"


def test_a_buildings_acceptance_reads_step_by_step(
    walked: tuple[list[SealedRecord], list[Step]],
) -> None:
    said = [
        change.en
        for step in walked[1]
        if step.type.startswith(("qtrail.acceptance.", "qtrail.project.unit_registered"))
        for change in step.changes
    ]
    assert said[0] == "building B1号楼 (B1) registered: 4 division(s), 3 dwelling(s)"
    said_zh = [
        change.zh
        for step in walked[1]
        if step.type.startswith(("qtrail.acceptance.", "qtrail.project.unit_registered"))
        for change in step.changes
    ]
    assert said_zh[0] == "单位工程 B1号楼（B1） 登记：分部工程 4 个，住宅 3 户"
    assert "B1号楼（B1）：分项工程 foundation/地基 验收合格（检验批 1 个）" in said_zh
    assert (
        "B1号楼（B1）：分部工程 foundation 验收合格，勘察单位、设计单位、施工单位、监理单位签字"
        in said_zh
    )
    assert "B1号楼（B1）：1-0102 户分户验收合格" in said_zh
    assert said_zh[-2:] == [
        "B1号楼（B1）：工程质量保修书已出具",
        f"B1号楼（B1）：已告知质量监督机构，{(T0 + 60 * DAY).date()} 竣工验收",
    ]
    assert "B1号楼 (B1): sub-item foundation/地基 accepted from 1 inspection lot(s)" in said
    assert (
        "B1号楼 (B1): division foundation accepted, signed by survey, design, construction, "
        "supervision" in said
    )
    assert "B1号楼 (B1): dwelling 1-0102 passed its per-dwelling acceptance" in said
    assert said[-2:] == [
        "B1号楼 (B1): warranty certificate issued",
        f"B1号楼 (B1): the station told of the acceptance on {(T0 + 60 * DAY).date()}",
    ]


def test_registration_and_appointments_read_as_such(
    walked: tuple[list[SealedRecord], list[Step]],
) -> None:
    walk = walked[1]
    assert en(walk[0].changes) == [
        f"project registered: 测试工程 {L}",
        "supervision filing pending",
    ]
    assert zh(walk[0].changes) == [f"项目登记：测试工程 {L}", "质量监督注册待受理"]
    appointed = step_of(walked, "qtrail.party.appointed.v1")
    assert [en(s.changes) for s in appointed] == [
        [f"{role} 单位有限公司 appointed as {role}, lead {LEADS[role]['name']}"]
        for role in ("owner", "survey", "design", "construction", "supervision")
    ]
    assert "construction 单位有限公司 appointed as construction, lead construction负责人" in en(
        appointed[3].changes
    )
    assert zh(appointed[3].changes) == [
        "construction 单位有限公司 受委托为施工单位，项目负责人 construction负责人"
    ]


def test_commitments_name_the_lead_who_signed(
    walked: tuple[list[SealedRecord], list[Step]],
) -> None:
    signed = step_of(walked, "qtrail.party.commitment_signed.v1")
    first = "construction负责人 (construction) signed the lifelong commitment"
    assert en(signed[3].changes) == [first]
    assert en(signed[-1].changes) == ["新经理 (construction) signed the lifelong commitment"]
    assert zh(signed[-1].changes) == ["新经理（施工单位）签署工程质量终身责任承诺书"]
    assert len(signed) == 6


def test_a_lead_change_says_who_replaced_whom(
    walked: tuple[list[SealedRecord], list[Step]],
) -> None:
    [changed] = step_of(walked, "qtrail.party.lead_changed.v1")
    assert en(changed.changes) == ["新经理 replaced construction负责人 as construction lead"]
    assert zh(changed.changes) == ["新经理 接替 construction负责人 任施工单位项目负责人"]
    assert changed.actor == f"construction {CONSTRUCTION}"


def test_lab_and_witness_read_as_such(walked: tuple[list[SealedRecord], list[Step]]) -> None:
    [lab] = step_of(walked, "qtrail.party.lab_commissioned.v1")
    [witness] = step_of(walked, "qtrail.party.witness_authorized.v1")
    assert en(lab.changes) == ["lab 检测中心 commissioned"]
    assert en(witness.changes) == ["witness 见证人 authorized"]
    assert zh(lab.changes) == ["委托检测机构 检测中心"]
    assert zh(witness.changes) == ["授权见证人 见证人"]


def test_samples_say_whether_they_were_witnessed(
    walked: tuple[list[SealedRecord], list[Step]],
) -> None:
    unwitnessed, witnessed = step_of(walked, "qtrail.materials.sample_taken.v1")
    assert en(unwitnessed.changes)[0] == "sample S1 taken (mortar M10, NOT witnessed)"
    assert en(witnessed.changes) == ["sample RB1 taken (rebar HRB400E, witnessed)"]
    [receipt] = step_of(walked, "qtrail.materials.sample_received.v1")
    assert en(receipt.changes) == ["sample RB1 received, seal intact"]
    assert zh(unwitnessed.changes)[0] == "取样 S1（砂浆 M10，无见证）"
    assert zh(witnessed.changes) == ["取样 RB1（钢筋 HRB400E，有见证）"]
    assert zh(receipt.changes) == ["样品 RB1 已收样，封样完好"]


def test_an_alert_is_raised_with_the_fact_and_resolved_later(
    walked: tuple[list[SealedRecord], list[Step]],
) -> None:
    unwitnessed = step_of(walked, "qtrail.materials.sample_taken.v1")[0]
    assert en(unwitnessed.changes)[1:] == [
        "alert (warning): mandatory mortar sample S1 was taken without a witness"
    ]
    [resolved] = step_of(walked, "qtrail.materials.alert_resolved.v1")
    assert en(resolved.changes) == [
        "alert resolved: mandatory mortar sample S1 was taken without a witness"
        " — 已重新见证取样并复检合格"
    ]
    # The alert's own Chinese message, as the rule that raised it wrote it.
    assert zh(unwitnessed.changes)[1:] == ["预警（警告）：见证取样材料 mortar 的样品 S1 未经见证"]
    assert zh(resolved.changes) == [
        "预警已处理：见证取样材料 mortar 的样品 S1 未经见证 — 已重新见证取样并复检合格"
    ]


def test_a_disposal_and_a_lot_closing_say_what_they_did(
    walked: tuple[list[SealedRecord], list[Step]],
) -> None:
    [disposed] = step_of(walked, "qtrail.materials.sample_disposed.v1")
    assert en(disposed.changes)[0] == "sample S1 recorded lost: it will have no result"
    assert zh(disposed.changes)[0] == "样品 S1 记录为遗失：将没有检测结果"
    assert disposed.changes[1].en.startswith(
        "alert (warning): sample S1 (mortar, lot B1) recorded lost"
    )
    assert disposed.actor == f"supervision {SUPERVISION}"
    [closed] = step_of(walked, "qtrail.materials.lot_closed.v1")
    assert en(closed.changes) == [
        "rebar lot RB closed (1 sampling(s), 1 required by GB/T 1499.2-2018 §9.3 (figures unconfirmed))"
    ]
    assert zh(closed.changes) == [
        "钢筋检验批 RB 结束（取样 1 组，GB/T 1499.2-2018 §9.3 (figures unconfirmed) 要求 1 组）"
    ]


def test_a_report_and_its_evaluation_are_separate_steps(
    walked: tuple[list[SealedRecord], list[Step]],
) -> None:
    [reported_step] = step_of(walked, "qtrail.materials.test_reported.v1")
    [evaluated] = step_of(walked, "qtrail.materials.evaluated.v1")
    assert en(reported_step.changes) == ["report R-RB1 on sample RB1: lab says pass"]
    assert en(evaluated.changes) == ["report R-RB1 evaluated: pass"]
    assert zh(reported_step.changes) == ["检测报告 R-RB1（样品 RB1）：检测机构结论为合格"]
    assert zh(evaluated.changes) == ["检测报告 R-RB1 评定：合格"]
    assert evaluated.actor == "system qtrail"
    assert evaluated.seq == reported_step.seq + 1


def test_completion_and_the_plaque_it_issues(
    walked: tuple[list[SealedRecord], list[Step]],
) -> None:
    walk = walked[1]
    assert walk[-2].type == "qtrail.project.completion_accepted.v2"
    assert en(walk[-2].changes) == [
        f"completion of B1号楼 (B1) accepted on {(T0 + 60 * DAY).date()}"
    ]
    assert walk[-1].type == "qtrail.plaque.issued.v2"
    assert en(walk[-1].changes) == ["plaque #1 issued for B1号楼"]
    assert zh(walk[-2].changes) == [f"B1号楼（B1） 竣工验收合格（{(T0 + 60 * DAY).date()}）"]
    assert zh(walk[-1].changes) == ["永久性标牌 #1 签发（B1号楼）"]


ID_NUMBER = re.compile(r"\d{6}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dX]")


def test_no_step_shows_a_personal_id_number(
    walked: tuple[list[SealedRecord], list[Step]],
) -> None:
    records, walk = walked
    numbers = {lead["id_number"] for lead in LEADS.values()} | {NEW_LEAD, WITNESS_ID}
    sealed_text = b"".join(r.canonical for r in records).decode()
    assert all(n in sealed_text for n in numbers)  # the trail does hold them…
    shown = "\n".join(
        f"{s.actor} {s.type} {' | '.join(c.zh + ' ' + c.en for c in s.changes)}" for s in walk
    )
    assert not [n for n in numbers if n in shown]  # …the step-through never shows them
    assert ID_NUMBER.search(shown) is None, ID_NUMBER.search(shown)


def test_a_correction_says_what_it_changed_without_the_values_of_an_id_number() -> None:
    project = "XZ-STEPS-002"
    number = id_number(777)
    records = sealed(
        [
            (
                NOW,
                [
                    *opened(project),
                    appointment(project, "design", event_id="evt-steps-appoint-design"),
                    correction(
                        project,
                        "evt-steps-appoint-design",
                        {"lead.name": "设计负责人（更正）", "lead.id_number": number},
                    ),
                ],
            )
        ],
        project,
    )
    fix = steps(project, records)[-1]
    assert en(fix.changes) == [
        "design lead corrected: design负责人 → 设计负责人（更正）",
        "correction of evt-steps-appoint-design: lead.id_number, lead.name (笔误)",
    ]
    assert zh(fix.changes) == [
        "设计单位项目负责人更正：design负责人 → 设计负责人（更正）",
        "更正 evt-steps-appoint-design：lead.id_number、lead.name（笔误）",
    ]
    said = " ".join(c.zh + c.en for c in fix.changes)
    assert number not in said
    assert LEADS["design"]["id_number"] not in said


def test_a_step_that_changes_nothing_readable_says_so() -> None:
    state = ProjectState(project_id="XZ-STEPS-003")
    assert changes(state, state) == [Change("（台账无变化）", "(no change to the ledger)")]


@pytest.mark.parametrize(
    ("role", "names"),
    [
        ("owner", ("建设单位", "Owner")),
        ("construction", ("施工单位", "Construction")),
        ("lab", ("检测机构", "Lab")),
        ("regulator", ("质量监督机构", "Supervision station")),
        ("martian", ("martian", "martian")),
    ],
)
def test_every_actor_role_has_its_chinese_name(role: str, names: tuple[str, str]) -> None:
    assert role_names(role) == names


def test_steps_replay_from_an_empty_state_each_time(
    walked: tuple[list[SealedRecord], list[Step]],
) -> None:
    records, walk = walked
    assert steps(L, records) == walk
    assert steps(L, records[:5]) == walk[:5]


def test_a_disposal_reads_step_by_step_in_chinese() -> None:
    failed = d.prepared(
        *d.through_lab("M1", "R-M1", {"compressive_mpa": 7.9}, conclusion="fail", **d.MORTAR)
    )
    alert = "lab_failed:R-M1"
    states = [failed]
    for envelope in [
        in_situ_tested(d.P, alert, "IS-1", meets_design=False),
        design_checked(d.P, alert, meets=False),
        repair_planned(d.P, alert, kind="reinforce"),
        repair_accepted(d.P, alert),
    ]:
        states.append(d.sealed(d.run([envelope], states[-1])))
    said = [changes(a, b) for a, b in pairwise(states)]
    assert [zh(s)[0] for s in said] == [
        "砂浆检验批 MO 处置：实体检测，低于设计要求",
        "砂浆检验批 MO 处置：设计单位核算，不满足结构安全或使用功能",
        "砂浆检验批 MO 处置：技术处理方案，加固",
        "砂浆检验批 MO 处置：重新验收，验收合格",
    ]
    assert [en(s)[0] for s in said] == [
        "disposal of mortar:MO: in_situ, below design",
        "disposal of mortar:MO: design_check, safety or use not met",
        "disposal of mortar:MO: repair_plan, reinforce",
        "disposal of mortar:MO: re_acceptance, accepted",
    ]
    closed = said[-1][1]
    assert closed.zh.startswith("砂浆检验批 MO 处置完成：") and "§5.0.6 item 4" in closed.zh
    assert closed.en.startswith("disposal of mortar:MO closed: ")
