"""The station's forms come from the catalog's models: each field's input and label, and the
payload a posted form stands for, which the catalog then validates as the API would."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from events.supervision import RectificationOrdered, WorkStopped
from services.http.station_forms import ACTS, form_fields, form_payload


def test_every_act_is_a_regulators_fact_of_the_catalog() -> None:
    from events.base import Role
    from services.domain.authorization import MATRIX, type_name

    for model in ACTS.values():
        assert Role.REGULATOR in MATRIX[type_name(model.event_type)]


def test_each_field_gets_the_input_its_type_calls_for_and_a_bilingual_label() -> None:
    fields = {f.name: f for f in form_fields(RectificationOrdered)}
    assert fields["items"].kind == "lines" and fields["items"].required
    assert fields["due_on"].kind == "date" and fields["due_on"].required
    assert fields["addressed_to"].kind == "select"
    assert fields["addressed_to"].options == (
        "owner",
        "survey",
        "design",
        "construction",
        "supervision",
    )
    assert fields["inspection_id"].kind == "text" and not fields["inspection_id"].required
    assert (fields["due_on"].label_zh, fields["due_on"].label_en) == (
        "整改期限",
        "the day by which the report is due",
    )
    assert fields["issued_on"].label_zh == "下发日期"  # no description: the table's label


def test_a_posted_form_is_the_payload_with_one_item_per_line_and_blanks_left_out() -> None:
    payload = form_payload(
        RectificationOrdered,
        {
            "notice_id": " ZG-1 ",
            "addressed_to": "construction",
            "items": "箍筋加密\n\n  保护层厚度  \n",
            "issued_on": "2026-11-02",
            "due_on": "2026-11-09",
            "inspection_id": "",
            "evidence": "",
            "csrf": "not a field",
        },
    )
    assert payload == {
        "notice_id": "ZG-1",
        "addressed_to": "construction",
        "items": ["箍筋加密", "保护层厚度"],
        "issued_on": "2026-11-02",
        "due_on": "2026-11-09",
    }
    assert RectificationOrdered.model_validate(payload).items == ["箍筋加密", "保护层厚度"]


def test_a_form_missing_what_the_model_requires_fails_its_validation_naming_the_field() -> None:
    payload = form_payload(WorkStopped, {"order_id": "TG-1", "scope": "partial", "reason": "x"})
    with pytest.raises(ValidationError) as raised:
        WorkStopped.model_validate(payload)
    assert "ordered_on" in str(raised.value)
