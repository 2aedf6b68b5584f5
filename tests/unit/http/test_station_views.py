"""The station's risk page, its JSON twin and an organization's profile, rendered from fakes of
the risk and project indexes: scoped to the signed-in station, Chinese first with the English
alongside, every row linking to its project, hostile text escaped."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from typing import Any

import pytest

from services.adapters.postgres.project_index import ProjectIndex, ProjectQuery
from services.adapters.postgres.risk import ForgedScans, ProjectAlert, ProjectCount, RiskIndex
from services.domain.access import KeyKind, Principal
from services.domain.ledger import EventRef
from services.domain.state import Deadline, ProjectState
from services.http.problems import Problem
from services.http.routes import station_views
from tests.support.events import (
    CONSTRUCTION,
    LAB,
    STATION,
    T0,
    lab_commissioned,
    org_code,
    received,
    reported,
    sample,
    staffed,
    witness_authorized,
)
from tests.unit.domain.builders import decide_envelopes
from tests.unit.http.test_templates import _deps, _request, assert_inert, hostile

PROJECT = "SV-UNIT-1"
TODAY = dt.datetime.now(dt.UTC).date()
LIGHT_REBAR = {
    "yield_mpa": 455,
    "tensile_mpa": 610,
    "agt_pct": 11.0,
    "mass_kg_per_m": 2.30,
    "bend_ok": True,
    "reverse_bend_ok": True,
}


@pytest.fixture(scope="module")
def state() -> ProjectState:
    """A project whose lab passed light rebar, with a missed rectification deadline, and whose
    builder's name is hostile (and starts like a spreadsheet formula)."""
    rebar = {"material": "rebar", "grade": "HRB400E", "diameter": 20}
    envelopes = [
        *staffed(PROJECT),
        lab_commissioned(PROJECT),
        witness_authorized(PROJECT),
        sample(PROJECT, "S1", **rebar),
        received(PROJECT, "S1"),
        reported(PROJECT, "R-1", "S1", LIGHT_REBAR),
    ]
    envelopes[0]["data"]["name"] = "=" + hostile("project.name")
    for envelope in envelopes:
        appointed = envelope["type"].startswith("qtrail.party.appointed")
        if appointed and envelope["data"]["org_code"] == CONSTRUCTION:
            envelope["data"]["org_name"] = hostile("org_name")
    decision = decide_envelopes(envelopes)
    assert decision.rejected == []
    folded = decision.states[PROJECT]
    ref = EventRef(event_id="e-1", seq=1)
    missed = Deadline(
        deadline_id="rectification:N-1",
        kind="rectification",
        subject=hostile("subject"),
        due_on=dt.date(2026, 3, 1),
        opened=ref,
        missed=ref,
    )
    return folded.model_copy(update={"deadlines": {missed.deadline_id: missed}})


class FakeRisks(RiskIndex):
    """The risk index answering from memory, noting the scope it was asked for."""

    def __init__(self) -> None:
        self.queries: list[ProjectQuery] = []
        name = hostile("project_name")
        self.groups = [
            ("lab_conclusion_contradicts", TODAY, 1),
            ("supervision.deadline_missed.rectification", TODAY - dt.timedelta(days=20), 2),
            ("evaluation_failed", TODAY - dt.timedelta(days=40), 3),
        ]
        self.forged = [ForgedScans(PROJECT, name, 5, 2, T0, T0, hostile("last_reason"))]
        self.overdue = [ProjectCount(PROJECT, name, 1)]
        self.contradicted = [ProjectCount(PROJECT, name, 1)]
        self.reused = [
            ProjectAlert(
                PROJECT,
                name,
                "reused_report_number:R-1:e-9",
                "reused_report_number",
                hostile("message_zh"),
                hostile("message_en"),
                T0,
            )
        ]

    async def open_alert_groups(self, query: ProjectQuery) -> list[tuple[str, dt.date, int]]:
        self.queries.append(query)
        return self.groups

    async def open_alerts_of(
        self, query: ProjectQuery, kind: str, limit: int = 200
    ) -> list[ProjectAlert]:
        self.queries.append(query)
        return [a for a in self.reused if a.kind == kind]

    async def projects_with_alerts(
        self, query: ProjectQuery, kind: str, limit: int = 100
    ) -> list[ProjectCount]:
        self.queries.append(query)
        return self.contradicted if kind == "lab_conclusion_contradicts" else []

    async def forged_scans(self, query: ProjectQuery, limit: int = 100) -> list[ForgedScans]:
        self.queries.append(query)
        return self.forged

    async def overdue_projects(self, query: ProjectQuery, limit: int = 100) -> list[ProjectCount]:
        self.queries.append(query)
        return self.overdue


class FakeProjects(ProjectIndex):
    def __init__(self, members: dict[str, list[str]]) -> None:
        self.members = members
        self.queries: list[ProjectQuery] = []

    async def of_organization(self, code: str, query: ProjectQuery) -> list[str]:
        self.queries.append(query)
        return self.members.get(code, [])


def _html(answer: Any) -> str:
    return bytes(answer.body).decode()


def _scoped_to_the_station(queries: Iterable[ProjectQuery]) -> None:
    queries = list(queries)
    assert queries
    for query in queries:
        assert (query.jurisdiction, query.station) == (("320300",), STATION)


async def _risk_page(state: ProjectState) -> tuple[str, FakeRisks]:
    deps, risks = _deps(states={PROJECT: state}), FakeRisks()
    answer = await station_views.risk_page(
        _request("/regulator/risk"), deps.keys, deps.sessions, risks, deps.trail
    )
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    return _html(answer), risks


async def test_the_risk_page_counts_open_alerts_by_kind_and_age_for_the_station(
    state: ProjectState,
) -> None:
    html, risks = await _risk_page(state)
    _scoped_to_the_station(risks.queries)
    row = re.search(r'<tr id="kind-evaluation_failed">.*?</tr>', html)
    assert row and "评定不合格" in row.group(0)
    assert re.findall(r"<td>(\d+)</td>", row.group(0)) == ["0", "0", "3", "3"]
    missed = re.search(r'<tr id="kind-supervision.deadline_missed.rectification">.*?</tr>', html)
    assert missed and "逾期未完成：整改回复" in missed.group(0)
    assert re.findall(r"<td>(\d+)</td>", missed.group(0)) == ["0", "2", "0", "2"]
    assert '<th scope="col">7 天以内 <span lang="en" class="en">under 7 days</span></th>' in html
    assert "<th>" not in html  # every header cell says whether it heads a column or a row


async def test_each_section_links_its_rows_to_the_project_and_escapes_trail_text(
    state: ProjectState,
) -> None:
    html, _ = await _risk_page(state)
    link = f'href="/regulator/projects/{PROJECT}"'
    sections = re.split(r"<h2 ", html)[1:]
    assert [s.split('"')[1] for s in sections] == ["alerts", "forged", "overdue", "labs", "reused"]
    for section in sections[1:]:
        assert link in section, section[:80]
    labs = sections[3]
    assert "检测中心" in labs and LAB in labs and "R-1" in labs
    assert '合格 <span lang="en" class="en">pass</span>' in labs
    assert '不合格 <span lang="en" class="en">fail</span>' in labs
    assert "整改回复" in sections[2] and "2026-03-01" in sections[2]
    assert_inert(html, ["project_name", "last_reason", "message_zh", "message_en", "subject"])


async def test_the_risk_page_says_none_where_a_section_is_empty(state: ProjectState) -> None:
    deps, risks = _deps(states={PROJECT: state}), FakeRisks()
    risks.groups, risks.forged, risks.reused = [], [], []
    answer = await station_views.risk_page(
        _request("/regulator/risk"), deps.keys, deps.sessions, risks, deps.trail
    )
    html = _html(answer)
    assert html.count('无。 <span lang="en" class="en">None.</span>') == 3
    assert 'id="kind-' not in html


async def test_without_a_session_the_pages_send_the_browser_to_sign_in() -> None:
    deps = _deps()

    async def nobody(secret: str) -> None:
        return None

    deps.keys.authenticate = nobody
    request = _request("/regulator/risk")
    answer = await station_views.risk_page(
        request, deps.keys, deps.sessions, FakeRisks(), deps.trail
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/regulator/login?next=/regulator/risk"
    profile = await station_views.organization_page(
        CONSTRUCTION,
        _request(f"/regulator/organizations/{CONSTRUCTION}"),
        deps.keys,
        deps.sessions,
        FakeProjects({}),
        deps.trail,
    )
    assert profile.status_code == 303


async def test_the_json_twin_answers_regulators_in_their_scope_and_administrators_everywhere(
    state: ProjectState,
) -> None:
    deps = _deps(states={PROJECT: state})
    station = Principal("k-1", STATION, KeyKind.REGULATOR, ("320300",))
    risks = FakeRisks()
    answer = await station_views.risk(station, risks, deps.trail)
    _scoped_to_the_station(risks.queries)
    assert [b.key for b in answer.age_buckets] == ["lt_7d", "7_30d", "gt_30d"]
    assert answer.alert_totals == {"lt_7d": 1, "7_30d": 2, "gt_30d": 3, "total": 6}
    (lab,) = answer.contradicting_labs
    assert (lab.lab_code, [r.report_number for r in lab.reports]) == (LAB, ["R-1"])
    (overdue,) = answer.overdue
    assert [i.zh for i in overdue.items] == ["整改回复"]

    admin, everywhere = Principal("k-2", org_code(1), KeyKind.ADMIN), FakeRisks()
    await station_views.risk(admin, everywhere, deps.trail)
    assert {q.jurisdiction for q in everywhere.queries} == {None}
    for kind in (KeyKind.PARTY, KeyKind.LAB):
        with pytest.raises(Problem) as refused:
            await station_views.risk(Principal("k-3", CONSTRUCTION, kind), FakeRisks(), deps.trail)
        assert refused.value.status == 403


async def test_an_organizations_profile_shows_its_totals_projects_and_names(
    state: ProjectState,
) -> None:
    deps, projects = _deps(states={PROJECT: state}), FakeProjects({CONSTRUCTION: [PROJECT]})
    answer = await station_views.organization_page(
        CONSTRUCTION,
        _request(f"/regulator/organizations/{CONSTRUCTION}"),
        deps.keys,
        deps.sessions,
        projects,
        deps.trail,
    )
    assert answer.status_code == 200
    _scoped_to_the_station(projects.queries)
    html = _html(answer)
    assert_inert(html, ["org_name", "project.name"])
    assert f'href="/regulator/projects/{PROJECT}"' in html
    assert f'href="/regulator/organizations/{CONSTRUCTION}.csv"' in html
    assert '施工单位 <span lang="en" class="en">Construction</span>' in html
    assert "construction负责人" in html
    totals = re.search(r'<table class="counts">.*?</table>', html, re.S)
    assert totals
    # One project; the light rebar is a failed material the builder answers for.
    assert re.findall(r"<td>(\d+)</td>", totals.group(0))[:3] == ["1", "0", "1"]


async def test_an_organization_outside_the_stations_projects_is_not_found() -> None:
    deps, projects = _deps(), FakeProjects({})
    for code in (org_code(179), "not-a-code"):
        answer = await station_views.organization_page(
            code,
            _request(f"/regulator/organizations/{code}"),
            deps.keys,
            deps.sessions,
            projects,
            deps.trail,
        )
        assert answer.status_code == 404
        assert "该单位在本站监督的项目中没有参建角色" in _html(answer)
    assert len(projects.queries) == 1  # a malformed code is never looked up


async def test_the_csv_has_a_bilingual_header_and_no_cell_a_spreadsheet_would_run(
    state: ProjectState,
) -> None:
    deps, projects = _deps(states={PROJECT: state}), FakeProjects({CONSTRUCTION: [PROJECT]})
    answer = await station_views.organization_csv(
        CONSTRUCTION,
        _request(f"/regulator/organizations/{CONSTRUCTION}.csv"),
        deps.keys,
        deps.sessions,
        projects,
        deps.trail,
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    text = bytes(answer.body).decode()
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][0] == "项目编号 project_id" and rows[1][0] == PROJECT
    assert rows[1][1] == "'=" + hostile("project.name")  # a formula no more
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    missing = await station_views.organization_csv(
        org_code(179), _request("/x.csv"), deps.keys, deps.sessions, projects, deps.trail
    )
    assert missing.status_code == 404
