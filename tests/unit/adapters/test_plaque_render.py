"""The printed plaque lists every lead with their period, the building, the design life and the
warranty, and everything fits its column at a size that reads from a few metres."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from events.registry import parse_data
from services.adapters.plaques.render import (
    BOTTOM_Y,
    LEFT_W,
    QR_X,
    QR_Y,
    RIGHT_W,
    RIGHT_X,
    font_path,
    layout,
    lines,
    svg,
)
from services.adapters.plaques.store import PlaqueFiles
from services.recorder.plaques import PlaqueRenderer

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "qtrail.plaque.issued.v1.json"
PARTS = {
    "foundation_structure": ("地基基础工程和主体结构工程", 50, "2076-06-29"),
    "waterproofing": ("屋面防水工程、有防水要求的卫生间、房间和外墙面的防渗漏", 5, "2031-06-29"),
    "heating_cooling": ("供热与供冷系统", 2, "2028-06-29"),
    "electrical_plumbing": ("电气管线、给排水管道、设备安装", 2, "2028-06-29"),
    "decoration": ("装修工程", 2, "2028-06-29"),
}


def fields(handovers: int = 2) -> dict[str, Any]:
    leads: dict[str, list[dict[str, str | None]]] = {
        role: [{"name": "王建国", "start": "2025-03-01", "end": None}]
        for role in ("owner", "survey", "design", "supervision")
    }
    former: list[dict[str, str | None]] = [
        {"name": f"负责人{n}", "start": f"2025-0{n + 1}-01", "end": f"2025-0{n + 2}-01"}
        for n in range(handovers)
    ]
    leads["construction"] = [
        *former,
        {"name": "陈志强", "start": f"2025-0{handovers + 1}-01", "end": None},
    ]
    return {
        "project_name": "滨河花园住宅小区（一期）",
        "unit_name": "3号楼",
        "design_life_years": 50,
        "started_on": "2025-03-01",
        "completed_on": "2026-06-30",
        "parties": [
            {
                "role": role,
                "org_name": "江苏省苏建集团股份有限公司第一工程分公司",
                "leads": leads[role],
            }
            for role in ("owner", "survey", "design", "construction", "supervision")
        ],
        "warranty": [
            {"part": p, "zh": zh, "en": p, "years": y, "until": until}
            for p, (zh, y, until) in PARTS.items()
        ],
        "warranty_issued_on": "2026-06-20",
    }


def test_every_lead_is_engraved_with_their_period() -> None:
    rows = lines(fields())
    assert ("单位工程", "3号楼") in rows and ("设计使用年限", "50 年") in rows
    construction = [value for label, value in rows if label == "　项目经理"]
    assert construction == [
        "负责人0（2025-01-01 至 2025-02-01）",
        "负责人1（2025-02-01 至 2025-03-01）",
        "陈志强（2025-03-01 起）",
    ]


def test_the_warranty_is_engraved_above_the_qr() -> None:
    placed = [t for t in layout(fields()) if t.x == RIGHT_X]
    text = "".join(t.text for t in placed)
    for part, (zh, years, until) in PARTS.items():
        # Art. 40(3) counts heating and cooling in seasons; every other part in years.
        period = "个采暖期、供冷期" if part == "heating_cooling" else " 年"
        assert zh in text and f"{years}{period}，至 {until}" in text
    assert "2个采暖期、供冷期，至 2028-06-29" in text
    assert max(t.y for t in placed) < QR_Y
    assert not any(t.text[0] in "、，" for t in placed)
    assert min(t.size for t in placed) >= 9


@pytest.mark.parametrize("handovers", [0, 2, 4])
def test_every_line_fits_its_column_legibly(handovers: int) -> None:
    placed = layout(fields(handovers))
    left = [t for t in placed if t.x != RIGHT_X]
    assert max(t.y for t in left) <= BOTTOM_Y
    assert min(t.size for t in left) >= 11  # 11 mm letters read from about three metres
    try:
        from PIL import ImageFont

        path = font_path()
    except Exception:  # pragma: no cover - the render tests need the CJK font anyway
        pytest.skip("no CJK font")
    for t in placed:
        width = ImageFont.truetype(path, 100).getlength(t.text) * t.size / 100
        assert width <= (LEFT_W if t.x != RIGHT_X else RIGHT_W), t.text
        assert t.x + width <= (QR_X if t.x != RIGHT_X else RIGHT_X + RIGHT_W)


def test_a_v1_plaque_renders_with_its_lead_and_no_period() -> None:
    _, issued = parse_data("qtrail.plaque.issued.v1", json.loads(GOLDEN.read_text("utf-8")))
    data = issued.model_dump(mode="json")
    assert ("　项目经理", "陈志强（任期未记录）") in lines(data)
    assert "陈志强（任期未记录）" in svg(data, data["url"]).decode()


async def test_the_plaque_agent_renders_a_redelivered_v1_plaque_as_the_current_version(
    tmp_path: Path,
) -> None:
    golden = json.loads(GOLDEN.read_text("utf-8"))
    files = PlaqueFiles(tmp_path)
    renderer = PlaqueRenderer(files)
    try:
        message = {
            "record": {
                "type": "qtrail.plaque.issued.v1",
                "project_id": "XZ-GOLDEN-0001",
                "data": golden,
            }
        }
        assert await renderer.handle(json.dumps(message).encode()) is True
        svg_path = files.path(golden["code"], "svg")
        assert svg_path is not None and "陈志强（任期未记录）" in svg_path.read_text("utf-8")
        assert await renderer.handle(json.dumps(message).encode()) is False  # rendered once
        other = {"record": {"type": "qtrail.plaque.installed.v1", "project_id": "x", "data": {}}}
        assert await renderer.handle(json.dumps(other).encode()) is False
    finally:
        renderer.close()
