"""A superseded version still reads: the golden v1 inspection lot, as an old site app sent it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from events.quality import InspectionLotAccepted
from events.registry import parse_data
from services.domain.project import fold
from services.domain.recording import seal_submission
from services.domain.state import ProjectState
from services.domain.submission import read_submission

GOLDEN = (
    Path(__file__).resolve().parents[2]
    / "golden"
    / "qtrail.quality.inspection_lot_accepted.v1.json"
)


SEALED_HASH = "474e2abe76a25a4f15b819494973d8283ccb29b3536af42e60bf412294ea711e"
"""The golden envelope sealed as the first record of its chain, recorded five seconds later:
how the recorder seals may be restructured, never what it seals."""


def _golden() -> dict[str, object]:
    loaded: dict[str, object] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return loaded


def test_v1_payload_upcasts_to_the_current_model() -> None:
    golden = _golden()
    event_type, data = parse_data(str(golden["type"]), golden["data"])  # type: ignore[arg-type]
    assert event_type == InspectionLotAccepted.event_type
    assert isinstance(data, InspectionLotAccepted)
    assert data.lot_code == "JYP-001" and data.items == ["钢筋安装", "模板安装"]
    assert data.construction_signer is None and data.supervision_signer is None


def test_a_submission_keeps_what_the_site_sent() -> None:
    sub = read_submission(GOLDEN.read_bytes())
    assert sub.submitted_type == "qtrail.quality.inspection_lot_accepted.v1"
    assert sub.schema_version == 1
    assert sub.event_type == InspectionLotAccepted.event_type
    assert sub.raw_data == _golden()["data"]


def test_a_sealed_v1_record_folds_with_todays_code() -> None:
    sub = read_submission(GOLDEN.read_bytes())
    record = seal_submission(
        sub,
        ProjectState(project_id=sub.project_id),
        dt.datetime(2026, 3, 2, 1, 30, 5, tzinfo=dt.UTC),
    )
    assert record.body["occurred_at"] == "2026-03-02T01:30:00.000000Z"  # the site's 09:30+08:00
    assert record.hash.hex() == SEALED_HASH
    state = fold(ProjectState(project_id="XZ-GOLDEN-0001"), record)
    assert state.seq == 1
    assert state.counts == {InspectionLotAccepted.event_type: 1}
