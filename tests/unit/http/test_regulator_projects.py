"""The station's home page leads on: to the city-wide risk, and from each party's name to the
organization's profile."""

from __future__ import annotations

from services.adapters.postgres.project_index import ProjectIndex, ProjectPage, ProjectQuery
from services.domain.summary import summarize
from services.http.routes import regulator
from tests.support.events import CONSTRUCTION, ORGS, appointment, opened
from tests.unit.domain.builders import sealed_state
from tests.unit.http.test_templates import _deps, _request

PROJECT = "HOME-1"
COUNTS = dict.fromkeys(
    (
        "projects",
        "pending_filing",
        "with_open_alerts",
        "with_overdue",
        "open_alerts",
        "stop_orders",
    ),
    0,
)


class FakeProjects(ProjectIndex):
    def __init__(self, page: ProjectPage) -> None:
        self.page = page
        self.queries: list[ProjectQuery] = []

    async def search(self, query: ProjectQuery) -> ProjectPage:
        self.queries.append(query)
        return self.page


async def test_the_home_page_links_the_risk_page_and_each_partys_profile() -> None:
    state, _ = sealed_state(
        PROJECT, [*opened(PROJECT), *(appointment(PROJECT, role) for role in ORGS)]
    )
    index = FakeProjects(ProjectPage(total=1, counts=COUNTS, items=[summarize(state)]))
    deps = _deps()
    answer = await regulator.projects(
        _request("/regulator/projects"),
        deps.keys,
        deps.sessions,
        index,
        q="",
        stage="",
        open_alerts=False,
        overdue=False,
        offset=0,
    )
    html = bytes(answer.body).decode()
    assert answer.status_code == 200
    assert (
        '<a href="/regulator/risk">全市风险 <span lang="en" class="en">City-wide risk</span></a>'
        in html
    )
    assert '<a href="/regulator/projects" aria-current="page">' in html
    for code in ORGS.values():
        assert f'<a href="/regulator/organizations/{code}">' in html
    assert (
        f'<a href="/regulator/organizations/{CONSTRUCTION}">construction 单位有限公司</a>' in html
    )
