"""The catalog: type names, strict payload validation and upcasting of old versions."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from pydantic import ValidationError

from events import registry
from events.correction import RecordCorrected
from events.materials import ConcreteBatchClosed
from events.project import ProjectRegistered
from events.quality import InspectionLotAccepted
from events.registry import (
    CATALOG,
    UnknownEventType,
    known_types,
    parse_data,
    schema_version,
)
from tests.support.events import DIVISION, STATION

TYPE_SHAPE = re.compile(r"^qtrail\.[a-z_]+\.[a-z_]+\.v[1-9][0-9]*$")
REGISTERED = "qtrail.project.registered.v2"
REGISTERED_V1 = "qtrail.project.registered.v1"
LOT = "qtrail.quality.inspection_lot_accepted.v2"
LOT_V1 = "qtrail.quality.inspection_lot_accepted.v1"
BATCH = "qtrail.materials.concrete_batch_closed.v2"
BATCH_V1 = "qtrail.materials.concrete_batch_closed.v1"
COMPLETION = "qtrail.project.completion_accepted.v2"
COMPLETION_V1 = "qtrail.project.completion_accepted.v1"
PLAQUE_V1 = "qtrail.plaque.issued.v1"
CURRENT_TYPES = {
    REGISTERED,
    "qtrail.party.appointed.v1",
    "qtrail.party.lead_changed.v1",
    "qtrail.party.commitment_signed.v1",
    "qtrail.party.witness_authorized.v1",
    "qtrail.party.lab_commissioned.v1",
    LOT,
    "qtrail.quality.nonconformance_raised.v1",
    "qtrail.quality.nonconformance_rectified.v1",
    "qtrail.quality.nonconformance_closed.v1",
    "qtrail.quality.accident_reported.v1",
    "qtrail.record.corrected.v1",
    "qtrail.materials.sample_taken.v1",
    "qtrail.materials.sample_received.v1",
    "qtrail.materials.test_reported.v1",
    "qtrail.materials.report_revoked.v1",
    BATCH,
    "qtrail.materials.lot_closed.v1",
    "qtrail.materials.sample_disposed.v1",
    "qtrail.materials.evaluated.v1",
    "qtrail.materials.alert_resolved.v1",
    "qtrail.materials.retest_concluded.v1",
    "qtrail.materials.in_situ_tested.v1",
    "qtrail.materials.design_checked.v1",
    "qtrail.materials.repair_planned.v1",
    "qtrail.materials.repair_accepted.v1",
    "qtrail.project.unit_registered.v1",
    "qtrail.acceptance.subitem_accepted.v1",
    "qtrail.acceptance.division_accepted.v1",
    "qtrail.acceptance.dwellings_accepted.v1",
    "qtrail.acceptance.notice_filed.v1",
    "qtrail.acceptance.warranty_issued.v1",
    COMPLETION,
    "qtrail.plaque.issued.v2",
    "qtrail.plaque.installed.v1",
    "qtrail.plaque.revoked.v1",
    "qtrail.warranty.defect_reported.v1",
    "qtrail.warranty.defect_repaired.v1",
    "qtrail.warranty.repair_confirmed.v1",
    "qtrail.warranty.repair_overdue.v1",
    "qtrail.aftercare.complaint_lodged.v1",
    "qtrail.aftercare.complaint_handled.v1",
    "qtrail.quality.accident_graded.v1",
    "qtrail.quality.accident_investigated.v1",
    "qtrail.quality.accident_closed.v1",
    "qtrail.aftercare.responsibility_found.v1",
    "qtrail.supervision.filing_accepted.v1",
    "qtrail.supervision.filing_refused.v1",
    "qtrail.supervision.commitments_acknowledged.v1",
    "qtrail.supervision.inspection_recorded.v1",
    "qtrail.supervision.rectification_ordered.v1",
    "qtrail.supervision.rectification_reported.v1",
    "qtrail.supervision.rectification_verified.v1",
    "qtrail.supervision.work_stopped.v1",
    "qtrail.supervision.work_resumed.v1",
    "qtrail.supervision.acceptance_attended.v1",
    "qtrail.supervision.completion_filed.v1",
    "qtrail.supervision.archive_transferred.v1",
    "qtrail.supervision.deadline_missed.v1",
}


def registration_v1_data(**changes: Any) -> dict[str, Any]:
    """A registration as sealed before v2: no station, no division."""
    data: dict[str, Any] = {
        "name": "徐州市民中心 3# 楼",
        "address": "江苏省徐州市云龙区",
        "permit_number": "320300202601010101",
        "use": "住宅",
        "structure_type": "框架-剪力墙",
        "design_life_years": 50,
        "planned_start": "2026-01-01",
        "planned_finish": "2027-12-31",
        "floor_area_m2": 18650.5,
    }
    return data | changes


def registration_data(**changes: Any) -> dict[str, Any]:
    return registration_v1_data(station=STATION, division=DIVISION) | changes


def lot_v1_data(**changes: Any) -> dict[str, Any]:
    return {"lot_code": "JYP-001", "building_part": "3层梁板", "items": ["钢筋安装"]} | changes


def lot_data(**changes: Any) -> dict[str, Any]:
    signers = {"construction_signer": "质检员甲", "supervision_signer": "监理工程师乙"}
    return lot_v1_data() | signers | changes


def _error_fields(exc: ValidationError) -> set[str]:
    return {".".join(str(p) for p in err["loc"]) for err in exc.errors()}


# ----------------------------------------------------------------------------- catalog


def test_the_catalog_holds_the_current_models() -> None:
    assert set(CATALOG) == CURRENT_TYPES
    assert CATALOG[REGISTERED].model is ProjectRegistered
    assert CATALOG[LOT].model is InspectionLotAccepted
    assert CATALOG["qtrail.record.corrected.v1"].model is RecordCorrected
    # an old version is reachable only through its upcaster
    assert LOT_V1 not in CATALOG and REGISTERED_V1 not in CATALOG


@pytest.mark.parametrize("event_type", sorted(CATALOG))
def test_every_catalog_type_is_well_formed_and_names_its_model(event_type: str) -> None:
    entry = CATALOG[event_type]
    assert TYPE_SHAPE.match(event_type)
    assert entry.model.event_type == event_type
    assert f"{entry.name}.v{entry.version}" == event_type
    assert schema_version(event_type) == entry.version


def test_known_types_lists_the_catalog_and_the_upcast_versions() -> None:
    assert known_types() == sorted(
        [*CURRENT_TYPES, REGISTERED_V1, LOT_V1, BATCH_V1, COMPLETION_V1, PLAQUE_V1]
    )


@pytest.mark.parametrize("bad", ["qtrail.project.registered", "qtrail.project.registered.v0", "x"])
def test_schema_version_of_a_badly_formed_type_is_unknown(bad: str) -> None:
    with pytest.raises(UnknownEventType):
        schema_version(bad)


# ----------------------------------------------------------------------------- parse_data


def test_a_valid_registration_parses() -> None:
    event_type, data = parse_data(REGISTERED, registration_data())
    assert event_type == REGISTERED
    assert isinstance(data, ProjectRegistered)
    assert data.design_life_years == 50
    assert data.planned_start == dt.date(2026, 1, 1)
    assert data.planned_finish == dt.date(2027, 12, 31)
    assert (data.station, data.division) == (STATION, DIVISION)


def test_a_valid_lot_parses() -> None:
    event_type, data = parse_data(LOT, lot_data())
    assert event_type == LOT and isinstance(data, InspectionLotAccepted)
    assert data.items == ["钢筋安装"]
    assert data.construction_signer == "质检员甲"
    assert data.supervision_signer == "监理工程师乙"
    assert data.signature_evidence is None


def test_a_v1_lot_still_reads_as_v2_with_its_signers_unrecorded() -> None:
    """Golden: a lot sealed before signatures were recorded folds with today's code."""
    event_type, data = parse_data(LOT_V1, lot_v1_data())
    assert event_type == LOT and isinstance(data, InspectionLotAccepted)
    assert data.construction_signer is None and data.supervision_signer is None
    assert data.lot_code == "JYP-001" and data.items == ["钢筋安装"]
    assert schema_version(LOT_V1) == 1 and schema_version(LOT) == 2


def test_a_v2_lot_must_name_both_signers_even_if_null() -> None:
    data = lot_v1_data()
    with pytest.raises(ValidationError) as caught:
        parse_data(LOT, data)
    assert _error_fields(caught.value) == {"construction_signer", "supervision_signer"}
    _, nulls = parse_data(LOT, lot_data(construction_signer=None, supervision_signer=None))
    assert isinstance(nulls, InspectionLotAccepted) and nulls.construction_signer is None


def test_a_v1_batch_closing_reads_as_v2_with_its_quantities_unstated() -> None:
    """Golden: a batch closed before v2 folds with today's code; nothing it did not state is
    made up (the rule refuses a new closing that states nothing, see test_lots.py)."""
    v1 = {"batch_id": "B-3F", "grade": "C30", "sigma0_mpa": 3.2}
    event_type, data = parse_data(BATCH_V1, v1)
    assert event_type == BATCH and isinstance(data, ConcreteBatchClosed)
    assert (data.batch_id, data.grade, data.sigma0_mpa) == ("B-3F", "C30", 3.2)
    assert (data.volume_m3, data.mixes, data.working_shifts, data.floors) == (None,) * 4
    assert data.continuous_pour is False
    assert schema_version(BATCH_V1) == 1 and schema_version(BATCH) == 2


def test_a_v2_batch_closing_must_state_its_quantities_even_if_null() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_data(BATCH, {"batch_id": "B1", "grade": "C30"})
    assert _error_fields(caught.value) == {"volume_m3", "mixes", "working_shifts", "floors"}
    for field, bad in (("volume_m3", 0), ("mixes", 0), ("working_shifts", 0), ("floors", 0)):
        stated = {"volume_m3": 100.0, "mixes": 50, "working_shifts": 1, "floors": 1, field: bad}
        with pytest.raises(ValidationError) as caught:
            parse_data(BATCH, {"batch_id": "B1", "grade": "C30", **stated})
        assert _error_fields(caught.value) == {field}


def test_upcasting_does_not_change_the_input_mapping() -> None:
    data = lot_v1_data()
    before = dict(data)
    parse_data(LOT_V1, data)
    assert data == before


def test_a_number_in_a_string_is_not_coerced() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_data(REGISTERED, registration_data(design_life_years="50"))
    assert _error_fields(caught.value) == {"design_life_years"}


@pytest.mark.parametrize("value", [50.0, 50.5, True, None, [50]])
def test_design_life_must_be_a_json_integer(value: Any) -> None:
    with pytest.raises(ValidationError):
        parse_data(REGISTERED, registration_data(design_life_years=value))


@pytest.mark.parametrize("value", [4, 201, -50, 0])
def test_design_life_is_bounded(value: int) -> None:
    with pytest.raises(ValidationError):
        parse_data(REGISTERED, registration_data(design_life_years=value))


def test_a_floor_area_in_a_string_is_not_coerced() -> None:
    with pytest.raises(ValidationError):
        parse_data(REGISTERED, registration_data(floor_area_m2="18650.5"))


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_data(REGISTERED, registration_data(contractor="某建筑公司"))
    assert _error_fields(caught.value) == {"contractor"}
    with pytest.raises(ValidationError):
        parse_data(LOT, lot_data(inspector="张三"))


def test_a_missing_field_is_refused() -> None:
    data = registration_data()
    del data["permit_number"]
    with pytest.raises(ValidationError) as caught:
        parse_data(REGISTERED, data)
    assert _error_fields(caught.value) == {"permit_number"}


def test_planned_finish_before_planned_start_is_refused() -> None:
    with pytest.raises(ValidationError, match="planned_finish is before planned_start"):
        parse_data(
            REGISTERED, registration_data(planned_start="2027-01-01", planned_finish="2026-12-31")
        )


def test_finishing_on_the_start_day_is_allowed() -> None:
    _, data = parse_data(
        REGISTERED, registration_data(planned_start="2026-06-01", planned_finish="2026-06-01")
    )
    assert isinstance(data, ProjectRegistered)


@pytest.mark.parametrize("items", [[], [""], ["x" * 121]])
def test_lot_items_are_checked(items: list[str]) -> None:
    with pytest.raises(ValidationError):
        parse_data(LOT, lot_data(items=items))


def test_the_input_mapping_is_not_changed() -> None:
    data = registration_data()
    before = dict(data)
    parse_data(REGISTERED, data)
    assert data == before


@pytest.mark.parametrize(
    "event_type",
    [
        "qtrail.project.demolished.v1",
        "qtrail.project.registered.v3",
        "",
        "QTRAIL.PROJECT.REGISTERED.V1",
    ],
)
def test_an_unknown_type_raises(event_type: str) -> None:
    with pytest.raises(UnknownEventType):
        parse_data(event_type, registration_data())


# ----------------------------------------------------------------------------- upcasters


def _v0_to_v1(old: dict[str, Any]) -> dict[str, Any]:
    new = dict(old)
    new["design_life_years"] = new.pop("service_life")
    return new


def _v0_payload() -> dict[str, Any]:
    old = registration_v1_data()
    old["service_life"] = old.pop("design_life_years")
    return old


def test_an_old_version_is_upcast_to_the_current_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        registry,
        "UPCASTERS",
        {**registry.UPCASTERS, "qtrail.project.registered.v0": (REGISTERED_V1, _v0_to_v1)},
    )
    event_type, data = parse_data("qtrail.project.registered.v0", _v0_payload())
    assert event_type == REGISTERED
    assert isinstance(data, ProjectRegistered)
    assert data.design_life_years == 50
    assert (data.station, data.division) == (None, None)  # through v1, which named none
    assert "qtrail.project.registered.v0" in known_types()


def test_without_its_upcaster_the_old_payload_is_refused() -> None:
    with pytest.raises(UnknownEventType):
        parse_data("qtrail.project.registered.v0", _v0_payload())
    with pytest.raises(ValidationError):
        parse_data(REGISTERED, _v0_payload())


def test_upcasted_payloads_are_still_validated_strictly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        registry,
        "UPCASTERS",
        {**registry.UPCASTERS, "qtrail.project.registered.v0": (REGISTERED_V1, _v0_to_v1)},
    )
    old = _v0_payload() | {"service_life": "50"}
    with pytest.raises(ValidationError):
        parse_data("qtrail.project.registered.v0", old)


def test_upcaster_chains_are_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    def rename_title(old: dict[str, Any]) -> dict[str, Any]:
        new = dict(old)
        new["name"] = new.pop("title")
        return new

    monkeypatch.setattr(
        registry,
        "UPCASTERS",
        {
            **registry.UPCASTERS,
            "qtrail.project.enrolled.v1": ("qtrail.project.registered.v0", rename_title),
            "qtrail.project.registered.v0": (REGISTERED_V1, _v0_to_v1),
        },
    )
    oldest = _v0_payload()
    oldest["title"] = oldest.pop("name")
    event_type, data = parse_data("qtrail.project.enrolled.v1", oldest)
    assert event_type == REGISTERED
    assert isinstance(data, ProjectRegistered) and data.name == "徐州市民中心 3# 楼"


def test_an_upcaster_to_nowhere_is_an_unknown_type(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        registry,
        "UPCASTERS",
        {"qtrail.project.registered.v0": ("qtrail.project.registered.v9", lambda d: d)},
    )
    with pytest.raises(UnknownEventType):
        parse_data("qtrail.project.registered.v0", registration_data())
