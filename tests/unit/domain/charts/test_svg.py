"""The canvas every chart is drawn on: whatever text it is given, the SVG parses and shows it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from services.domain.charts.svg import Canvas, clean, clip, no_data, num
from tests.unit.domain.charts.trail import HOSTILE, NS, assert_escaped, parse, texts


def test_text_and_attributes_are_escaped_and_control_characters_dropped() -> None:
    canvas = Canvas("t", "标题", "title", HOSTILE + "\x00\x1b", 100)
    group = canvas.group("g", extra={"data-name": HOSTILE + "\x01"})
    canvas.text(1, 2, HOSTILE + "\x0b", group)
    svg = canvas.render()
    assert_escaped(svg)
    root = parse(svg)
    assert texts(root) == [HOSTILE]
    assert root[2].get("data-name") == HOSTILE
    desc = root.find(f"{NS}desc")
    assert desc is not None and desc.text == HOSTILE


def test_clean_keeps_chinese_and_emoji_and_drops_what_xml_cannot_carry() -> None:
    assert clean("混凝土 ✓ 🏗\t\n") == "混凝土 ✓ 🏗\t\n"
    assert clean("a\x00b\x08c\ufffe\ud800") == "abc"


def test_clip_shortens_with_an_ellipsis() -> None:
    assert clip("负责人" * 10, 5) == "负责人负…"
    assert clip("短", 5) == "短"


def test_numbers_have_one_spelling() -> None:
    assert [num(-0.01), num(2.25), num(30)] == ["0.0", "2.2", "30.0"]


def test_no_data_says_so_in_both_languages() -> None:
    root = ET.fromstring(no_data("k", "图", "chart", "没有", "nothing"))
    assert root.get("role") == "img"
    assert "暂无数据 / No data" in texts(root)
    desc = root.find(f"{NS}desc")
    assert desc is not None and desc.text == "暂无数据：没有 / No data: nothing"
