"""The committed JSON Schemas and OpenAPI document match the code, and mean what they say."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from events.registry import CURRENT, UPCASTERS
from events.schemas import SCHEMA_DIR, render
from services.http.app import create_app
from tests.support.events import registration

OPENAPI = SCHEMA_DIR.parent / "openapi.json"


@pytest.mark.parametrize("model", CURRENT, ids=lambda m: m.event_type)
def test_committed_schema_matches_the_model(model: type) -> None:
    path = SCHEMA_DIR / f"{model.event_type}.json"
    assert path.exists(), f"{path.name} missing: run `qtrail schemas`"
    assert path.read_text(encoding="utf-8") == render(model), (
        f"{path.name} is stale: run `qtrail schemas`"
    )


def test_every_schema_file_is_a_current_type_or_a_superseded_version() -> None:
    known = {m.event_type for m in CURRENT} | set(UPCASTERS)
    files = {p.stem for p in SCHEMA_DIR.glob("*.json")}
    assert files == known


def test_committed_openapi_matches_the_app() -> None:
    committed = json.loads(OPENAPI.read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(create_app().openapi())), "run `qtrail schemas`"


def _schema(event_type: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(
        (SCHEMA_DIR / f"{event_type}.json").read_text(encoding="utf-8")
    )
    return loaded


def test_a_valid_event_validates_against_its_schema() -> None:
    event = registration("XZ-SCHEMA-1")
    jsonschema.validate(event, _schema(event["type"]))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("data", "design_life_years"), "fifty"),
        (("data", "floor_area_m2"), -1),
        (("actororg",), "lowercase-code"),
        (("type",), "qtrail.party.appointed.v1"),
    ],
)
def test_an_invalid_event_fails_its_schema(path: tuple[str, ...], value: object) -> None:
    event = registration("XZ-SCHEMA-2")
    target = event
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(event, _schema("qtrail.project.registered.v1"))


def test_the_golden_v1_event_still_validates_against_its_published_schema() -> None:
    golden = json.loads(
        (
            Path(__file__).resolve().parents[2]
            / "golden"
            / "qtrail.quality.inspection_lot_accepted.v1.json"
        ).read_text(encoding="utf-8")
    )
    jsonschema.validate(golden, _schema("qtrail.quality.inspection_lot_accepted.v1"))
