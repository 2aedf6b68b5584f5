"""The construction and supervision leads' registration: the table of accepted titles, and the
rules of appointments and lead changes that apply it (corrections are in test_corrections.py)."""

from __future__ import annotations

from typing import Any

import pytest

from events.base import PARTY_ROLES
from services.domain.project import decide, fold
from services.domain.qualifications import (
    is_placeholder,
    qualifies,
    requirement,
    table,
)
from tests.support.events import T0, appointment, id_number, lead_change
from tests.unit.domain.builders import (
    DAY,
    NOW,
    PROJECT,
    assert_refused,
    decided,
    registered_state,
    sealed,
    site_state,
    submission,
    then,
)

REGISTERED = ("construction", "supervision")


def _requirement(role: str) -> Any:
    req = requirement(role)
    assert req is not None
    return req


# ----------------------------------------------------------------------------- the table


def test_only_the_construction_and_supervision_leads_must_be_registered() -> None:
    assert sorted(table()["roles"]) == sorted(REGISTERED)
    assert [role for role in PARTY_ROLES if requirement(role) is None] == [
        "owner",
        "survey",
        "design",
    ]


@pytest.mark.parametrize("role", REGISTERED)
def test_each_role_has_titles_in_both_languages_and_cites_its_basis(role: str) -> None:
    row = table()["roles"][role]
    assert row["titles"]["zh"] and row["titles"]["en"]
    assert any("建质〔2014〕124号" in basis for basis in row["basis"])


def test_no_title_qualifies_for_both_roles() -> None:
    construction, supervision = _requirement("construction"), _requirement("supervision")
    assert construction.titles.isdisjoint(supervision.titles)


@pytest.mark.parametrize(
    ("role", "title"),
    [
        ("construction", "一级注册建造师"),
        ("construction", "二级建造师"),
        ("construction", "一级注册建造师（建筑工程）"),
        ("construction", "一级注册建造师 (市政公用工程)"),
        ("construction", "Class 1  Registered Constructor"),
        ("construction", "First-class registered constructor"),
        ("supervision", "注册监理工程师"),
        ("supervision", "监理工程师（房屋建筑工程）"),
        ("supervision", "Registered Supervising Engineer"),
    ],
)
def test_a_title_qualifies_with_its_specialty_spacing_and_case(role: str, title: str) -> None:
    assert qualifies(_requirement(role), title)


@pytest.mark.parametrize(
    ("role", "title"),
    [
        ("construction", "注册监理工程师"),  # the other role's
        ("supervision", "一级注册建造师"),  # the other role's
        ("supervision", "总监理工程师"),  # the post, not a qualification
        ("construction", "项目经理"),  # the post, not a qualification
        ("construction", "建造师助理"),
        ("supervision", "监理员"),
        ("construction", "constructor"),  # not said to be registered
        ("construction", "（一级注册建造师）"),  # all specialty, no title
        ("supervision", "无"),
    ],
)
def test_other_titles_do_not_qualify(role: str, title: str) -> None:
    assert not qualifies(_requirement(role), title)


@pytest.mark.parametrize(
    "number", ["无", "待定", "N/A", "n/a", "TBD", "REG-", "000000", "1 1 1 1", "123456", "X"]
)
def test_placeholders_are_no_registration_number(number: str) -> None:
    assert is_placeholder(number)


@pytest.mark.parametrize("number", ["苏132000001", "REG-000004", "京1112006000001", "00123"])
def test_a_number_with_digits_is_taken_as_given(number: str) -> None:
    assert not is_placeholder(number)


# ----------------------------------------------------------------------------- appointments


def _appointed(role: str, **lead: Any) -> dict[str, Any]:
    """The appointment of ``role``'s lead, with ``lead``'s fields changed (None removes one)."""
    env = appointment(PROJECT, role)
    person = env["data"]["lead"]
    for key, value in lead.items():
        if value is None:
            person.pop(key, None)
        else:
            person[key] = value
    return env


@pytest.mark.parametrize("role", REGISTERED)
def test_a_registered_lead_is_appointed(role: str) -> None:
    state = then(registered_state(), appointment(PROJECT, role))
    (lead,) = state.parties[role].leads
    assert lead.registration_number and lead.qualification


@pytest.mark.parametrize("role", REGISTERED)
def test_a_lead_without_a_registration_number_is_refused(role: str) -> None:
    refusal = decide(
        registered_state(), submission(_appointed(role, registration_number=None)), NOW
    )
    refusal = assert_refused(refusal, "party.registration_missing")
    assert "data.lead.registration_number" in refusal.message_en
    assert "data.lead.registration_number" in refusal.message_zh


@pytest.mark.parametrize("role", REGISTERED)
@pytest.mark.parametrize("number", ["无", "N/A", "000000"])
def test_a_placeholder_registration_number_is_refused(role: str, number: str) -> None:
    env = _appointed(role, registration_number=number)
    assert decided(env, registered_state()) == "party.registration_placeholder"


@pytest.mark.parametrize("role", REGISTERED)
def test_a_lead_without_a_qualification_is_refused(role: str) -> None:
    refusal = decide(registered_state(), submission(_appointed(role, qualification=None)), NOW)
    refusal = assert_refused(refusal, "party.qualification_missing")
    assert "data.lead.qualification" in refusal.message_en


def test_a_supervision_lead_with_a_constructors_qualification_is_refused() -> None:
    env = _appointed("supervision", qualification="一级注册建造师")
    refusal = assert_refused(
        decide(registered_state(), submission(env), NOW), "party.qualification_mismatch"
    )
    assert "data.lead.qualification" in refusal.message_en
    assert "一级注册建造师" in refusal.message_zh and "注册监理工程师" in refusal.message_zh
    assert "registered supervising engineer" in refusal.message_en


def test_a_construction_lead_with_a_supervising_engineers_qualification_is_refused() -> None:
    env = _appointed("construction", qualification="Registered Supervising Engineer")
    assert decided(env, registered_state()) == "party.qualification_mismatch"


@pytest.mark.parametrize("role", ["owner", "survey", "design"])
def test_the_other_leads_need_no_registration_here(role: str) -> None:
    env = _appointed(role, registration_number=None, qualification=None)
    assert decided(env, registered_state()) is None


def test_an_appointment_sealed_before_the_rule_still_folds() -> None:
    """Only submissions are judged: an old chain's unregistered lead replays as it was sealed."""
    state = registered_state()
    old = submission(_appointed("supervision", registration_number=None, qualification=None))
    assert decide(state, old, NOW) is not None
    folded = fold(state, sealed(state, old))
    (lead,) = folded.parties["supervision"].leads
    assert lead.registration_number is None and lead.qualification is None


# ----------------------------------------------------------------------------- lead changes


def _change(role: str, **lead: Any) -> dict[str, Any]:
    env = lead_change(PROJECT, role, "乙", id_number(70), at=T0 + 2 * DAY)
    env["data"]["new_lead"].update(lead)
    return env


@pytest.mark.parametrize("role", REGISTERED)
def test_a_lead_change_to_a_registered_lead_is_accepted(role: str) -> None:
    assert decided(_change(role), site_state()) is None


@pytest.mark.parametrize("role", REGISTERED)
def test_a_lead_change_that_drops_the_registration_is_refused(role: str) -> None:
    env = _change(role)
    del env["data"]["new_lead"]["registration_number"]
    refusal = assert_refused(
        decide(site_state(), submission(env), NOW), "party.registration_missing"
    )
    assert "data.new_lead.registration_number" in refusal.message_en


def test_a_lead_change_to_a_constructor_as_chief_supervising_engineer_is_refused() -> None:
    env = _change("supervision", qualification="二级注册建造师")
    assert decided(env, site_state()) == "party.qualification_mismatch"
