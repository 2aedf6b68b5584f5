"""A superseded version still reads: the golden v1 concrete batch closing, as an old site app sent
it, before a closing stated the batch's volume, mixes, shifts and floors (v2)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from events.materials import ConcreteBatchClosed
from events.registry import parse_data
from services.domain.project import fold
from services.domain.recording import seal_submission
from services.domain.state import ProjectState
from services.domain.submission import read_submission

GOLDEN = (
    Path(__file__).resolve().parents[2]
    / "golden"
    / "qtrail.materials.concrete_batch_closed.v1.json"
)

SEALED_HASH = "cbe279fdf83095318d622420d9c7594dd675eb3a1465f91b4bed430e13d9b7dd"
"""The golden envelope sealed as the first record of its chain, recorded five seconds later:
how the recorder seals may be restructured, never what it seals."""


def _golden() -> dict[str, object]:
    loaded: dict[str, object] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return loaded


def test_v1_payload_upcasts_to_the_current_model_with_nothing_made_up() -> None:
    golden = _golden()
    event_type, data = parse_data(str(golden["type"]), golden["data"])  # type: ignore[arg-type]
    assert (
        event_type == ConcreteBatchClosed.event_type == "qtrail.materials.concrete_batch_closed.v2"
    )
    assert isinstance(data, ConcreteBatchClosed)
    assert (data.batch_id, data.grade, data.sigma0_mpa) == ("B-3F", "C30", 3.2)
    assert (data.volume_m3, data.mixes, data.working_shifts, data.floors) == (None,) * 4


def test_a_submission_keeps_what_the_site_sent() -> None:
    sub = read_submission(GOLDEN.read_bytes())
    assert sub.submitted_type == "qtrail.materials.concrete_batch_closed.v1"
    assert sub.schema_version == 1
    assert sub.event_type == ConcreteBatchClosed.event_type
    assert sub.raw_data == _golden()["data"]


def test_a_sealed_v1_record_folds_with_todays_code_and_checks_no_count() -> None:
    sub = read_submission(GOLDEN.read_bytes())
    record = seal_submission(
        sub,
        ProjectState(project_id=sub.project_id),
        dt.datetime(2026, 3, 20, 8, 0, 5, tzinfo=dt.UTC),
    )
    assert record.body["occurred_at"] == "2026-03-20T08:00:00.000000Z"  # the site's 16:00+08:00
    assert record.body["type"] == "qtrail.materials.concrete_batch_closed.v1"
    assert record.hash.hex() == SEALED_HASH
    state = fold(ProjectState(project_id="XZ-GOLDEN-0001"), record)
    batch = state.concrete_batches["B-3F"]
    assert batch.grade == "C30" and batch.volume_m3 is None
    assert batch.sampling is None  # a v1 closing stated nothing to count samplings against
    assert state.alerts == {}
