"""Access: masking personal ID numbers, who may write as whom, who may read a project."""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest

from events.base import Role
from services.domain.access import (
    KeyKind,
    Principal,
    mask_id_number,
    may_read_project,
    member_orgs,
    redact,
)
from services.domain.project import fold
from services.domain.recording import seal_submission
from services.domain.state import ProjectState
from tests.support.events import (
    CONSTRUCTION,
    DESIGN,
    DIVISION,
    LAB,
    LEADS,
    ORGS,
    OWNER,
    STATION,
    STRANGER,
    SUPERVISION,
    T0,
    appointment,
    commitment,
    id_number,
    opened,
    org_code,
    staffed,
)
from tests.support.supervision import registration_v1
from tests.unit.domain.builders import (
    DAY,
    NOW,
    correction,
    decide_envelopes,
    lab_commission,
    referenced_from,
    sealed_state,
    submission,
    witness,
)

PROJECT = "XZ-ACCESS-01"
NUMBER = "11010519491231002X"  # GB 11643's worked example, not a real person


def key(org: str, kind: KeyKind) -> Principal:
    return Principal(key_id=f"key-{kind.value}", org=org, kind=kind)


# ----------------------------------------------------------------------------- masking


def test_a_mask_keeps_the_first_three_and_the_last_character() -> None:
    masked = mask_id_number(NUMBER)
    assert masked == "110" + "*" * 14 + "X"
    assert len(masked) == len(NUMBER)


@pytest.mark.parametrize("short", ["", "1", "1234"])
def test_a_short_value_is_masked_entirely(short: str) -> None:
    assert mask_id_number(short) == "****"


def test_a_five_character_value_shows_only_its_ends() -> None:
    assert mask_id_number("12345") == "123*5"


def test_redact_masks_id_numbers_at_any_depth_and_leaves_the_rest() -> None:
    value: dict[str, Any] = {
        "id_number": NUMBER,
        "name": "张三",
        "lead": {"name": "李四", "id_number": id_number(1), "registration_number": "REG-1"},
        "leads": [{"id_number": id_number(2)}, {"id_number": id_number(3), "end": None}],
        "data": {"lead_id_number": id_number(4), "signed_on": "2026-01-02"},
        "deep": [[{"x": {"id_number": id_number(5)}}]],
        "count": 3,
        "flag": True,
    }
    redacted = redact(value)
    assert redacted == {
        "id_number": mask_id_number(NUMBER),
        "name": "张三",
        "lead": {
            "name": "李四",
            "id_number": mask_id_number(id_number(1)),
            "registration_number": "REG-1",
        },
        "leads": [
            {"id_number": mask_id_number(id_number(2))},
            {"id_number": mask_id_number(id_number(3)), "end": None},
        ],
        "data": {"lead_id_number": mask_id_number(id_number(4)), "signed_on": "2026-01-02"},
        "deep": [[{"x": {"id_number": mask_id_number(id_number(5))}}]],
        "count": 3,
        "flag": True,
    }
    assert value["lead"]["id_number"] == id_number(1)  # the input is not changed


def test_redact_leaves_scalars_and_non_string_id_fields_alone() -> None:
    assert redact("11010519491231002X") == "11010519491231002X"  # no key, nothing to judge
    assert redact(None) is None and redact(5) == 5
    assert redact({"id_number": None}) == {"id_number": None}
    assert redact({"id_number": {"id_number": NUMBER}}) == {
        "id_number": {"id_number": mask_id_number(NUMBER)}
    }


def test_a_redacted_ledger_shows_no_lead_id_numbers() -> None:
    state, decision = sealed_state(PROJECT, staffed(PROJECT, commit=True))
    dumped = json.dumps(redact(state.model_dump(mode="json")), ensure_ascii=False)
    records = json.dumps([redact(r.body) for r in decision.sealed], ensure_ascii=False)
    for role in ORGS:
        number = LEADS[role]["id_number"]
        assert number not in dumped and number not in records
        assert mask_id_number(number) in dumped
    assert LEADS["owner"]["name"] in dumped  # names are not personal ID data here


def test_a_redacted_state_shows_no_witness_id_number() -> None:
    state, _ = sealed_state(PROJECT, [*opened(PROJECT), witness(PROJECT)])
    dumped = json.dumps(redact(state.model_dump(mode="json")), ensure_ascii=False)
    assert id_number(60) not in dumped


def test_a_redacted_correction_shows_no_id_number() -> None:
    state, decision = sealed_state(
        PROJECT, [*opened(PROJECT), appointment(PROJECT, "construction")]
    )
    corrected = id_number(91)
    fix = correction(PROJECT, decision.sealed[-1].event_id, {"lead.id_number": corrected})
    fixed = decide_envelopes([fix], state, referenced=referenced_from(decision.sealed))
    assert fixed.rejected == []
    trail = json.dumps(redact(fixed.sealed[0].body), ensure_ascii=False)
    dumped = json.dumps(redact(fixed.states[PROJECT].model_dump(mode="json")), ensure_ascii=False)
    assert corrected not in trail
    assert corrected not in dumped


# ----------------------------------------------------------------------------- writing


PARTY_ROLE_VALUES = [Role.OWNER, Role.SURVEY, Role.DESIGN, Role.CONSTRUCTION, Role.SUPERVISION]


@pytest.mark.parametrize("role", PARTY_ROLE_VALUES)
def test_a_party_key_writes_as_its_own_org_in_a_party_role(role: Role) -> None:
    assert key(CONSTRUCTION, KeyKind.PARTY).may_write_as(CONSTRUCTION, role) is None


@pytest.mark.parametrize("kind", [KeyKind.PARTY, KeyKind.LAB])
def test_a_key_writes_only_as_its_own_organization(kind: KeyKind) -> None:
    role = Role.LAB if kind is KeyKind.LAB else Role.CONSTRUCTION
    why = key(CONSTRUCTION, kind).may_write_as(OWNER, role)
    assert why is not None and CONSTRUCTION in why and OWNER in why


def test_a_party_key_cannot_act_as_a_lab() -> None:
    why = key(LAB, KeyKind.PARTY).may_write_as(LAB, Role.LAB)
    assert why is not None and "lab" in why


@pytest.mark.parametrize("role", PARTY_ROLE_VALUES)
def test_a_lab_key_must_act_as_a_lab(role: Role) -> None:
    lab = key(LAB, KeyKind.LAB)
    assert lab.may_write_as(LAB, Role.LAB) is None
    why = lab.may_write_as(LAB, role)
    assert why is not None and role.value in why


@pytest.mark.parametrize("role", list(Role))
def test_admin_keys_cannot_write(role: Role) -> None:
    why = key(OWNER, KeyKind.ADMIN).may_write_as(OWNER, role)
    assert why is not None and "admin" in why


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.REGULATOR])
def test_a_regulator_key_acts_only_as_the_station(role: Role) -> None:
    station = key(OWNER, KeyKind.REGULATOR)
    assert station.may_write_as(OWNER, Role.REGULATOR) is None
    why = station.may_write_as(OWNER, role)
    assert why is not None and role.value in why


def test_a_regulator_key_acts_only_for_its_own_station() -> None:
    why = key(OWNER, KeyKind.REGULATOR).may_write_as(CONSTRUCTION, Role.REGULATOR)
    assert why is not None and CONSTRUCTION in why


def test_a_party_key_does_not_act_as_qtrail_itself() -> None:
    assert key(CONSTRUCTION, KeyKind.PARTY).may_write_as(CONSTRUCTION, Role.SYSTEM) is not None


def test_a_lab_key_does_not_act_as_qtrail_itself() -> None:
    assert key(LAB, KeyKind.LAB).may_write_as(LAB, Role.SYSTEM) is not None


def test_only_regulator_keys_see_personal_data() -> None:
    assert [k for k in KeyKind if key(OWNER, k).sees_personal_data] == [KeyKind.REGULATOR]


# ----------------------------------------------------------------------------- reading


@functools.cache
def project() -> ProjectState:
    state, _ = sealed_state(
        PROJECT,
        [
            *opened(PROJECT),
            appointment(PROJECT, "construction"),
            appointment(PROJECT, "supervision"),
            lab_commission(PROJECT),
            commitment(
                PROJECT, "construction", LEADS["construction"]["id_number"], at=T0 + 2 * DAY
            ),
        ],
    )
    return state


def test_member_orgs_are_the_owner_the_parties_and_the_labs() -> None:
    assert member_orgs(project()) == {OWNER, CONSTRUCTION, SUPERVISION, LAB}
    assert member_orgs(ProjectState(project_id=PROJECT)) == set()


@pytest.mark.parametrize(
    "org,kind",
    [
        (OWNER, KeyKind.PARTY),
        (CONSTRUCTION, KeyKind.PARTY),
        (SUPERVISION, KeyKind.PARTY),
        (LAB, KeyKind.LAB),
    ],
)
def test_members_may_read_the_project(org: str, kind: KeyKind) -> None:
    assert may_read_project(key(org, kind), project())


def test_the_owner_may_read_before_appointing_itself() -> None:
    state, _ = sealed_state(PROJECT, [*opened(PROJECT)])
    assert "owner" not in state.parties
    assert may_read_project(key(OWNER, KeyKind.PARTY), state)


@pytest.mark.parametrize("org", [STRANGER, OWNER])
def test_admins_may_always_read(org: str) -> None:
    assert may_read_project(key(org, KeyKind.ADMIN), project())
    assert may_read_project(key(org, KeyKind.ADMIN), ProjectState(project_id=PROJECT))


@pytest.mark.parametrize("org", [STRANGER, OWNER])
def test_a_regulator_key_of_no_station_reads_no_filed_project(org: str) -> None:
    """A regulator key whose organization is no registered station has no jurisdiction: it
    reads a chain that named no site (and no station), nothing filed with a station."""
    assert not may_read_project(key(org, KeyKind.REGULATOR), project())
    assert may_read_project(key(org, KeyKind.REGULATOR), ProjectState(project_id=PROJECT))


@pytest.mark.parametrize("kind", [KeyKind.PARTY, KeyKind.LAB])
@pytest.mark.parametrize("org", [STRANGER, DESIGN])
def test_a_stranger_may_never_read(kind: KeyKind, org: str) -> None:
    assert not may_read_project(key(org, kind), project())  # design is not appointed here
    assert not may_read_project(key(org, kind), ProjectState(project_id=PROJECT))


# ----------------------------------------------------------------------------- a station's reading


def station_key(org: str, *jurisdiction: str) -> Principal:
    return Principal(
        key_id="key-station", org=org, kind=KeyKind.REGULATOR, jurisdiction=jurisdiction
    )


@pytest.mark.parametrize(
    ("jurisdiction", "reads"),
    [
        (("320000",), True),  # the province
        (("320300",), True),  # the city
        (("320311",), True),  # the district itself
        (("320100", "320300"), True),
        (("320312",), False),  # a neighbouring district
        (("320100",), False),  # another city
        (("330000",), False),  # another province
        ((), False),
    ],
)
def test_a_station_reads_the_projects_its_jurisdiction_covers(
    jurisdiction: tuple[str, ...], reads: bool
) -> None:
    filed = project().filing
    assert filed is not None and filed.division == DIVISION
    assert may_read_project(station_key(org_code(151), *jurisdiction), project()) is reads


def test_the_station_a_project_names_reads_it_wherever_its_jurisdiction_lies() -> None:
    assert may_read_project(station_key(STATION, "330000"), project())
    assert may_read_project(station_key(STATION), project())
    assert not may_read_project(station_key(org_code(151), "330000"), project())


def test_a_party_key_of_the_named_stations_code_is_no_station() -> None:
    assert not may_read_project(key(STATION, KeyKind.PARTY), project())


def test_a_chain_that_never_named_its_site_is_read_by_every_station() -> None:
    sub = submission(registration_v1(PROJECT))
    empty = ProjectState(project_id=PROJECT)
    legacy = fold(empty, seal_submission(sub, empty, NOW))
    assert legacy.filing is not None and legacy.filing.division is None
    assert may_read_project(station_key(org_code(151), "330000"), legacy)
    assert may_read_project(station_key(org_code(151)), legacy)
    assert not may_read_project(key(STRANGER, KeyKind.PARTY), legacy)


@pytest.mark.parametrize("kind", [KeyKind.PARTY, KeyKind.LAB])
def test_only_a_regulator_key_acts_as_the_station(kind: KeyKind) -> None:
    why = key(CONSTRUCTION, kind).may_write_as(CONSTRUCTION, Role.REGULATOR)
    assert why is not None and "regulator" in why
