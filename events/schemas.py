"""JSON Schemas of the catalog, for site apps written in other languages.

``qtrail schemas`` writes one file per event type and version into schemas/events/; a test fails
when the committed files differ from the models. Files of superseded versions stay as they were
published: the models are gone, the upcasters and these files remain.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from events.base import EventData
from events.envelope import Envelope
from events.registry import CURRENT

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas" / "events"
BASE_ID = "https://qtrail.dev/schemas/events/"


def event_schema(model: type[EventData]) -> dict[str, Any]:
    """The whole CloudEvent for one type: envelope attributes plus this type's ``data``."""
    envelope = Envelope.model_json_schema()
    data = model.model_json_schema()
    defs = {**envelope.pop("$defs", {}), **data.pop("$defs", {})}
    envelope["properties"]["type"] = {"const": model.event_type, "title": "Type"}
    envelope["properties"]["data"] = data
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{BASE_ID}{model.event_type}.json",
        **envelope,
        "title": model.event_type,
        "description": (model.__doc__ or "").strip(),
    }
    if defs:
        schema["$defs"] = defs
    return schema


def render(model: type[EventData]) -> str:
    return json.dumps(event_schema(model), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_all(directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for model in CURRENT:
        path = directory / f"{model.event_type}.json"
        path.write_text(render(model), encoding="utf-8")
        written.append(path)
    return written
