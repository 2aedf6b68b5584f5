"""Every HTML page comes from autoescaped templates: hostile text stays text.

Each user-controlled field gets its own hostile value, reaches the page through the same code the
routes run, and must appear escaped; the raw markup must appear nowhere. And no module under
services/ builds HTML in a string any more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from markupsafe import escape
from starlette.requests import Request

from services.adapters.postgres.rejections import RecordedRejection
from services.domain.access import KeyKind, Principal
from services.domain.chain import SealedRecord
from services.domain.codes import REPORT, Claims
from services.domain.ledger import EventRef
from services.domain.state import Alert, Plaque, PlaqueStatus, ProjectState
from services.http.page import not_valid, trail_page
from services.http.routes import regulator, reports
from services.http.templates import render
from tests.support.events import (
    ORGS,
    T0,
    appointment,
    filing_accepted,
    lab_commissioned,
    received,
    registration,
    reported,
    sample,
    witness_authorized,
)
from tests.unit.domain.builders import accident, nc_raised, sealed_state

SERVICES = Path(__file__).resolve().parents[3] / "services"
PROJECT = "TPL-1"
ATTACK = "<script>alert(1)</script>\"onmouseover=alert(1) x='</textarea>"
RAW = ("<script", "</script", '"onmouseover', "'</textarea", "</textarea")


def hostile(field: str) -> str:
    """A value for ``field`` that would break out of text, attributes and textareas alike."""
    return f"{field}:{ATTACK}"


def assert_inert(html: str, fields: Iterable[str]) -> None:
    for raw in RAW:
        assert raw not in html, f"unescaped {raw!r}"
    for field in fields:
        assert str(escape(hostile(field))) in html, f"{field} is not on the page, escaped"


def _with(envelope: dict[str, Any], **data: Any) -> dict[str, Any]:
    return {**envelope, "data": {**envelope["data"], **data}}


def _appointed(role: str) -> dict[str, Any]:
    envelope = appointment(PROJECT, role)
    lead = {**envelope["data"]["lead"], "name": hostile(f"lead.{role}")}
    return _with(envelope, org_name=hostile(f"org_name.{role}"), lead=lead)


PROFILE = ("name", "address", "permit_number", "use", "structure_type")
ROLES = tuple(ORGS)


@pytest.fixture(scope="module")
def trail() -> tuple[ProjectState, list[SealedRecord]]:
    """A project whose every free-text field was submitted hostile, sealed as the recorder would."""
    envelopes = [
        _with(registration(PROJECT), **{f: hostile(f"profile.{f}") for f in PROFILE}),
        filing_accepted(PROJECT),
        *(_appointed(role) for role in ROLES),
        _with(lab_commissioned(PROJECT), lab_name=hostile("lab.name")),
        witness_authorized(PROJECT),
        _with(sample(PROJECT, "S1"), building_part=hostile("sample.building_part")),
        received(PROJECT, "S1"),
        reported(PROJECT, "Q1", "S1", {"strength_mpa": 38.0}),
        _with(
            nc_raised(PROJECT, "NC1"),
            building_part=hostile("nc.building_part"),
            description=hostile("nc.description"),
        ),
        _with(
            accident(PROJECT, "A1"),
            building_part=hostile("accident.building_part"),
            description=hostile("accident.description"),
        ),
    ]
    state, decision = sealed_state(PROJECT, envelopes)
    return state, decision.sealed


def _alerts() -> dict[str, Alert]:
    def alert(alert_id: str, resolved: bool) -> Alert:
        return Alert(
            alert_id=alert_id,
            kind="unwitnessed_sample",
            severity="warning",
            events=[],
            message_zh=hostile(f"{alert_id}.message_zh"),
            message_en=hostile(f"{alert_id}.message_en"),
            raised_at=T0,
            resolved_by=EventRef(event_id="e-1", seq=1) if resolved else None,
            resolution=hostile(f"{alert_id}.resolution") if resolved else None,
        )

    return {"a1": alert("a1", True), "a2": alert("a2", False)}


def _plaque() -> Plaque:
    return Plaque(
        serial=1,
        code="code",
        url="https://qtrail.example/p/code",
        fields={},
        status=PlaqueStatus.REVOKED,
        issued=EventRef(event_id="e-1", seq=1),
        revoked_reason=hostile("plaque.revoked_reason"),
        installed_place=hostile("plaque.installed_place"),
    )


def test_the_environment_escapes_what_it_is_given() -> None:
    assert_inert(render("not_valid.html", reason=hostile("reason")), ["reason"])


def test_the_public_trail_page_escapes_every_field(
    trail: tuple[ProjectState, list[SealedRecord]],
) -> None:
    state = trail[0].model_copy(update={"alerts": _alerts()})
    integrity = {
        "ok": False,
        "length": 1,
        "head": hostile("integrity.head"),
        "checkpoint": hostile("integrity.checkpoint"),
        "first_bad_seq": hostile("integrity.first_bad_seq"),
    }
    html = trail_page(state, _plaque(), hostile("current_url"), integrity)
    assert_inert(
        html,
        [
            *(f"profile.{f}" for f in PROFILE),
            *(f"org_name.{role}" for role in ROLES),
            *(f"lead.{role}" for role in ROLES),
            *(f"a1.{f}" for f in ("message_zh", "message_en", "resolution")),
            *(f"a2.{f}" for f in ("message_zh", "message_en")),
            "nc.building_part",
            "nc.description",
            "accident.building_part",
            "accident.description",
            "plaque.revoked_reason",
            "plaque.installed_place",
            "current_url",
            "integrity.head",
            "integrity.checkpoint",
            "integrity.first_bad_seq",
        ],
    )
    assert f'<a href="{escape(hostile("current_url"))}">' in html
    assert len(html.encode()) < 50_000


def test_the_trail_page_names_the_witnesses_of_the_checked_checkpoint_or_a_later_one(
    trail: tuple[ProjectState, list[SealedRecord]],
) -> None:
    integrity = {"ok": True, "length": 1, "head": "ab", "checkpoint": 3, "first_bad_seq": None}
    for number in (3, 4):
        html = trail_page(trail[0], _plaque(), None, integrity, (number, [hostile("witness")]))
        assert_inert(html, ["witness"])
        assert "witnessed by" in html and f"(checkpoint {number})" in html
    older = trail_page(trail[0], _plaque(), None, integrity, (2, ["archive.example/witness"]))
    assert "archive.example/witness" not in older and "not yet witnessed" in older
    assert "not yet witnessed" in trail_page(trail[0], _plaque(), None, integrity)


def test_the_not_valid_page_escapes_the_reason() -> None:
    assert_inert(not_valid(hostile("reason")), ["reason"])


async def test_the_sign_in_form_escapes_next_and_the_error() -> None:
    answer = await regulator.login_form(next=hostile("next"), error=hostile("error"))
    html = bytes(answer.body).decode()
    assert answer.status_code == 401
    assert_inert(html, ["next", "error"])
    assert f'name="next" value="{escape(hostile("next"))}"' in html


def _request(path: str, query: str = "") -> Request:
    return Request(
        {
            "type": "http",
            "method": "GET",
            "scheme": "http",
            "server": ("testserver", 80),
            "root_path": "",
            "path": path,
            "query_string": query.encode(),
            "headers": [(b"host", b"testserver"), (b"authorization", b"Bearer regulator-key")],
        }
    )


def _deps(
    records: Iterable[SealedRecord] = (),
    states: Mapping[str, ProjectState] | None = None,
    rejections: Iterable[RecordedRejection] = (),
    claims: Claims | None = None,
) -> Any:
    """The dependencies a route reads, answering from memory, by the routes' parameter names."""

    async def authenticate(secret: str) -> Principal:
        return Principal(key_id="k-reg", org="regulator", kind=KeyKind.REGULATOR)

    async def records_of(project_id: str) -> list[SealedRecord]:
        return list(records)

    async def load_states(ids: list[str]) -> dict[str, ProjectState]:
        return {i: (states or {})[i] for i in ids if i in (states or {})}

    async def of_project(project_id: str) -> list[RecordedRejection]:
        return list(rejections)

    def verify(code: str) -> Claims:
        assert claims is not None
        return claims

    return SimpleNamespace(
        keys=SimpleNamespace(authenticate=authenticate),
        sessions=SimpleNamespace(),
        trail=SimpleNamespace(records=records_of, load_states=load_states),
        rejections=SimpleNamespace(of_project=of_project),
        signer=SimpleNamespace(verify=verify, sign=lambda kind, project, number: "signed"),
        settings=SimpleNamespace(public_base_url="https://qtrail.example"),
    )


async def test_the_timeline_escapes_records_refusals_the_point_and_the_project_id(
    trail: tuple[ProjectState, list[SealedRecord]],
) -> None:
    records = trail[1]
    project_id = hostile("project_id")
    refusal = RecordedRejection(
        event_id="evt-1",
        type=hostile("refused.type"),
        reason_code=hostile("refused.reason_code"),
        message_en=hostile("refused.message_en"),
        rejected_at=T0,
    )
    deps = _deps(records, rejections=[refusal])
    answer = await regulator.timeline(
        project_id,
        _request(f"/regulator/projects/{project_id}", "role=owner"),
        deps.keys,
        deps.sessions,
        deps.trail,
        deps.rejections,
        role=None,
        material=None,
        verdict=None,
        rejected=True,
        at_seq=records[-1].seq,
    )
    html = bytes(answer.body).decode()
    assert answer.status_code == 200
    assert_inert(
        html,
        [
            "project_id",
            *(f"profile.{f}" for f in PROFILE if f == "name"),
            *(f"org_name.{role}" for role in ROLES),
            *(f"lead.{role}" for role in ROLES),
            "refused.type",
            "refused.reason_code",
            "refused.message_en",
        ],
    )
    # the filter form comes first, sign-out after the timeline
    assert html.index("<form") < html.index("<table") < html.rindex("</table>")
    assert html.rindex("</table>") < html.index('action="/regulator/logout"')


async def test_an_unknown_project_escapes_its_id() -> None:
    project_id = hostile("project_id")
    deps = _deps()
    answer = await regulator.timeline(
        project_id,
        _request(f"/regulator/projects/{project_id}"),
        deps.keys,
        deps.sessions,
        deps.trail,
        deps.rejections,
        role=None,
        material=None,
        verdict=None,
        rejected=False,
        at_seq=None,
    )
    assert answer.status_code == 404
    assert_inert(bytes(answer.body).decode(), ["project_id"])


async def test_the_report_page_escapes_the_project_sample_and_lab(
    trail: tuple[ProjectState, list[SealedRecord]],
) -> None:
    state = trail[0]
    claims = Claims(key_id=hostile("key_id"), kind=REPORT, project_id=PROJECT, number="Q1")
    deps = _deps(states={PROJECT: state}, claims=claims)
    answer = await reports.report_page("code", deps.signer, deps.trail, deps.settings)
    assert answer.status_code == 200
    assert_inert(
        bytes(answer.body).decode(),
        ["profile.name", "sample.building_part", "lab.name", "key_id"],
    )


def test_the_report_not_valid_page_escapes_the_reason() -> None:
    assert_inert(render("report_not_valid.html", reason=hostile("reason")), ["reason"])


HTML_TAG = re.compile(
    r"</?(?:html|head|body|main|title|style|meta|div|span|p|br|h[1-6]|a|small|strong|em|ul|ol|li"
    r"|dl|dt|dd|table|thead|tbody|tr|th|td|form|input|select|option|label|button|textarea"
    r"|script)\b",
    re.IGNORECASE,
)


def test_no_module_under_services_builds_html_in_a_string() -> None:
    found = [
        f"{path.relative_to(SERVICES.parent)}:{n}: {line.strip()}"
        for path in sorted(SERVICES.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if HTML_TAG.search(line)
    ]
    assert found == [], "HTML belongs in services/http/templates/:\n" + "\n".join(found)


def test_the_http_package_escapes_nothing_by_hand() -> None:
    package = SERVICES / "http"
    assert not [
        path.name
        for path in package.rglob("*.py")
        if re.search(r"\bfrom html import\b|\bhtml\.escape\b|\bMarkup\(", path.read_text())
    ]
