"""The regulator's timeline reads in Chinese first: each fact by its catalog title, the actor by
its role's name, what changed and why an event was refused, each with the English alongside."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from events.registry import title
from services.adapters.postgres.rejections import RecordedRejection
from services.domain.chain import SealedRecord
from services.http.routes import regulator
from tests.support.events import CONSTRUCTION, T0, id_number, lead_change, staffed
from tests.unit.domain.builders import decide_envelopes
from tests.unit.http.test_templates import _deps, _request

PROJECT = "TL-ZH-1"
REFUSED = RecordedRejection(
    event_id="evt-refused-1",
    type="qtrail.quality.inspection_lot_accepted.v2",
    reason_code="auth.not_a_party",
    message_zh="不是本项目的参建方",
    message_en="not a party to the project",
    rejected_at=T0,
)
GARBLED = RecordedRejection(
    event_id=None,
    type=None,
    reason_code="envelope.invalid",
    message_zh="事件格式无效",
    message_en="the event is not valid",
    rejected_at=T0,
)


@pytest.fixture(scope="module")
def records() -> list[SealedRecord]:
    envelopes = [
        *staffed(PROJECT, ("owner", "construction"), commit=False),
        lead_change(
            PROJECT, "construction", "接任经理", id_number(901), at=T0 + dt.timedelta(days=9)
        ),
    ]
    decision = decide_envelopes(envelopes, now=T0 + dt.timedelta(days=10))
    assert decision.rejected == []
    return decision.sealed


async def page(records: list[SealedRecord], **filters: object) -> str:
    deps = _deps(records, rejections=[REFUSED, GARBLED])
    answer = await regulator.timeline(
        PROJECT,
        _request(f"/regulator/projects/{PROJECT}"),
        deps.keys,
        deps.sessions,
        deps.trail,
        deps.rejections,
        **{"role": None, "material": None, "verdict": None, "rejected": True, "at_seq": None}
        | filters,
    )
    assert answer.status_code == 200
    return bytes(answer.body).decode()


def en(text: str) -> str:
    return f'<span lang="en" class="en">{text}</span>'


def row(html: str, seq: int) -> str:
    match = re.search(rf'<tr id="seq-{seq}">.*?</tr>', html)
    assert match, f"no row #{seq}"
    return match.group(0)


async def test_each_row_names_the_fact_and_the_actor_in_chinese_with_the_type_for_experts(
    records: list[SealedRecord],
) -> None:
    html = await page(records)
    for record in records:
        zh, english = title(record.type)
        assert f"{zh} {en(english)}" in row(html, record.seq)
        assert f'title="{record.type}"' in row(html, record.seq)
        assert f"<code>{record.type}</code>" in row(html, record.seq)
    assert f"建设单位 {en('Owner')}" in row(html, 1)
    assert f"施工单位 {en('Construction')}" in row(html, len(records))


async def test_what_changed_reads_in_chinese_with_the_english_alongside(
    records: list[SealedRecord],
) -> None:
    changed = row(await page(records), len(records))
    assert (
        f"接任经理 接替 construction负责人 任施工单位项目负责人 "
        f"{en('接任经理 replaced construction负责人 as construction lead')}"
    ) in changed
    assert id_number(901) not in changed


async def test_a_refusal_gives_its_chinese_message_first_and_its_reason_code(
    records: list[SealedRecord],
) -> None:
    html = await page(records)
    refused = re.findall(r'<tr class="bad">.*?</tr>', html)
    assert len(refused) == 2
    assert f"检验批验收 {en('Inspection lot accepted')}" in refused[0]
    assert (
        f'<code lang="en">auth.not_a_party</code> 不是本项目的参建方 {en("not a party to the project")}'
        in refused[0]
    )
    # A type the catalog does not know (or none at all) is shown as sent, without a title.
    assert "<code>—</code>" in refused[1] and "事件格式无效" in refused[1]
    assert "被拒" in refused[0]


async def test_the_state_at_a_point_names_the_parties_roles_in_chinese(
    records: list[SealedRecord],
) -> None:
    html = await page(records, at_seq=records[-2].seq)
    assert f"第 {records[-2].seq} 条时的状态 {en(f'State as of #{records[-2].seq}')}" in html
    assert (
        f'施工单位 {en("Construction")}</th><td><a href="/regulator/organizations/{CONSTRUCTION}">'
        "construction 单位有限公司</a> · construction负责人" in html
    )


async def test_the_filters_name_their_choices_in_chinese(records: list[SealedRecord]) -> None:
    html = await page(records, role="construction")
    assert '<option value="construction" selected>施工单位 / Construction</option>' in html
    assert '<option value="regulator">质量监督机构 / Supervision station</option>' in html
    assert '<option value="fail">不合格 / fail</option>' in html
    assert '<option value="rebar">钢筋 / rebar</option>' in html
    assert [m for m in re.findall(r'<tr id="seq-\d+">', html)] == [
        f'<tr id="seq-{r.seq}">' for r in records if r.body["actor"]["role"] == "construction"
    ]


async def test_no_words_of_the_page_are_in_english_alone(records: list[SealedRecord]) -> None:
    html = await page(records, at_seq=1)
    text = re.sub(r"<(title|style)>.*?</\1>", "", html, flags=re.S)
    text = re.sub(r'<(span|small|code) lang="en"[^>]*>.*?</\1>', "", text, flags=re.S)
    text = re.sub(r"<option[^>]*>[^<]*</option>", "", text)  # "中文 / English": no markup inside
    # The charts say "中文 / English" in their own text (tests/unit/domain/charts check them).
    text = re.sub(r"<svg\b.*?</svg>", "", text, flags=re.S)
    words = [w for w in re.findall(r">([^<]*[A-Za-z][^<]*)<", text) if w.strip()]
    # What is left is data (names and ids as submitted), never the page's own words.
    assert words and all(
        PROJECT in w or "单位" in w or "负责人" in w or "经理" in w for w in words
    ), words
