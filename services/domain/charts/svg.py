"""The SVG every chart is drawn on: an ElementTree canvas, so every text from the trail is escaped.

Names and ids on a trail are whatever a party submitted: they only ever reach the SVG as element
text or attribute values through ElementTree, which escapes ``<``, ``&`` and quotes; characters
XML 1.0 cannot carry at all (control characters) are dropped first, so the output always parses.
Coordinates are written to one decimal, so the same input gives the same bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH = 480
"""The viewBox width. The svg is ``width="100%"``: on a 390 px phone a 13-unit font shows at
about 10 px; the page caps the width on a desktop (a 60rem column shows it at about 26 px)."""
FONT = 13
SMALL = 11
FONT_FAMILY = "system-ui, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif"

INK = "#222222"
GRID = "#d0d0d0"
MUTED = "#666666"
PASS = "#1b7837"
FAIL = "#b2182b"
WARN = "#c15a00"
INVALID = "#6a3d9a"
OPEN = "#2c5d8f"
"""Colour-blind-safe pairs; colour always comes with a shape or a text label."""

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry (ElementTree escapes the rest)."""
    return _NOT_XML.sub("", text)


def clip(text: str, most: int) -> str:
    """At most ``most`` characters, an ellipsis ending a shortened text (the full text goes in a
    tooltip)."""
    text = clean(text)
    return text if len(text) <= most else text[: most - 1] + "…"


def num(value: float) -> str:
    """One decimal, the same spelling for the same value (``-0.0`` is ``0.0``)."""
    out = f"{value:.1f}"
    return "0.0" if out == "-0.0" else out


_TEXT = re.compile(r">([^<]+)<")
"""A text node: ElementTree writes ``<`` and ``>`` inside attribute values as entities."""


def _quoted(match: re.Match[str]) -> str:
    return ">" + match.group(1).replace('"', "&quot;").replace("'", "&#39;") + "<"


def _add(parent: ET.Element, tag: str, attrs: Mapping[str, str] | None = None) -> ET.Element:
    """A child element, every attribute value cleaned (ElementTree escapes, but cannot drop)."""
    return ET.SubElement(parent, tag, {k: clean(v) for k, v in (attrs or {}).items()})


class Canvas:
    """One chart: the root ``<svg>`` with its title and description, and drawing calls."""

    def __init__(
        self, key: str, title_zh: str, title_en: str, desc: str, height: float, width: int = WIDTH
    ) -> None:
        self.width = width
        self.root = ET.Element(
            "svg",
            {
                "xmlns": SVG_NS,
                "viewBox": f"0 0 {width} {num(height)}",
                "width": "100%",
                "role": "img",
                "lang": "zh-CN",
                "aria-labelledby": f"{key}-title {key}-desc",
                "font-family": FONT_FAMILY,
                "font-size": str(FONT),
                "fill": INK,
                "class": f"chart chart-{key}",
            },
        )
        title = _add(self.root, "title", {"id": f"{key}-title"})
        title.text = clean(f"{title_zh} / {title_en}")
        description = _add(self.root, "desc", {"id": f"{key}-desc"})
        description.text = clean(desc)

    def group(
        self,
        cls: str,
        parent: ET.Element | None = None,
        *,
        extra: Mapping[str, str] | None = None,
        **attrs: str,
    ) -> ET.Element:
        return _add(
            self.root if parent is None else parent, "g", {"class": cls, **(extra or {}), **attrs}
        )

    def text(
        self,
        x: float,
        y: float,
        content: str,
        parent: ET.Element | None = None,
        *,
        size: int = FONT,
        anchor: str = "start",
        extra: Mapping[str, str] | None = None,
        **attrs: str,
    ) -> ET.Element:
        element = _add(
            self.root if parent is None else parent,
            "text",
            {
                "x": num(x),
                "y": num(y),
                "font-size": str(size),
                "text-anchor": anchor,
                **(extra or {}),
                **attrs,
            },
        )
        element.text = clean(content)
        return element

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        parent: ET.Element | None = None,
        *,
        stroke: str = INK,
        width: float = 1.0,
        extra: Mapping[str, str] | None = None,
        **attrs: str,
    ) -> ET.Element:
        return _add(
            self.root if parent is None else parent,
            "line",
            {
                "x1": num(x1),
                "y1": num(y1),
                "x2": num(x2),
                "y2": num(y2),
                "stroke": stroke,
                "stroke-width": num(width),
                **(extra or {}),
                **attrs,
            },
        )

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        parent: ET.Element | None = None,
        *,
        extra: Mapping[str, str] | None = None,
        **attrs: str,
    ) -> ET.Element:
        return _add(
            self.root if parent is None else parent,
            "rect",
            {
                "x": num(x),
                "y": num(y),
                "width": num(max(w, 0.0)),
                "height": num(h),
                **(extra or {}),
                **attrs,
            },
        )

    def path(
        self,
        d: str,
        parent: ET.Element | None = None,
        *,
        extra: Mapping[str, str] | None = None,
        **attrs: str,
    ) -> ET.Element:
        return _add(
            self.root if parent is None else parent, "path", {"d": d, **(extra or {}), **attrs}
        )

    def tooltip(self, element: ET.Element, content: str) -> None:
        """A ``title`` child: the full text a pointer or a screen reader gets for ``element``."""
        _add(element, "title").text = clean(content)

    def fit(self, height: float) -> None:
        """Set the height once the drawing's end is known (a legend wraps as its words need)."""
        self.root.set("viewBox", f"0 0 {self.width} {num(height)}")

    def render(self) -> str:
        """The SVG text. ElementTree escapes ``&``, ``<`` and ``>``; quotes in text nodes are
        escaped too, so no text from the trail reads as an attribute wherever it is embedded."""
        return _TEXT.sub(_quoted, ET.tostring(self.root, encoding="unicode"))


def mark(
    canvas: Canvas, shape: str, x: float, y: float, r: float, parent: ET.Element
) -> ET.Element:
    """A point drawn as ``shape``: ``circle``, ``ring`` (hollow), ``cross``, ``triangle``,
    ``diamond`` or ``square``: shape, not colour alone, tells a failure from a pass."""
    if shape in ("circle", "ring"):
        return _add(
            parent,
            "circle",
            {"cx": num(x), "cy": num(y), "r": num(r), "data-shape": shape},
        )
    if shape == "cross":
        d = (
            f"M{num(x - r)},{num(y - r)}L{num(x + r)},{num(y + r)}"
            f"M{num(x - r)},{num(y + r)}L{num(x + r)},{num(y - r)}"
        )
    elif shape == "triangle":
        d = f"M{num(x)},{num(y - r)}L{num(x + r)},{num(y + r)}L{num(x - r)},{num(y + r)}Z"
    elif shape == "diamond":
        d = f"M{num(x)},{num(y - r)}L{num(x + r)},{num(y)}L{num(x)},{num(y + r)}L{num(x - r)},{num(y)}Z"
    else:
        d = f"M{num(x - r)},{num(y - r)}h{num(2 * r)}v{num(2 * r)}h{num(-2 * r)}Z"
    return _add(parent, "path", {"d": d, "data-shape": shape})


def paint(element: ET.Element, colour: str, *, hollow: bool = False, line: bool = False) -> None:
    """Fill a mark, or stroke it when it is hollow or a line (a cross)."""
    if hollow or line:
        element.set("fill", "#ffffff" if hollow else "none")
        element.set("stroke", colour)
        element.set("stroke-width", "2.0")
    else:
        element.set("fill", colour)


def legend(
    canvas: Canvas, y: float, entries: Iterable[tuple[str, str, bool, str]], x0: float = 8.0
) -> float:
    """Legend rows of (shape, colour, hollow, label), wrapping at the width; returns the y below."""
    group = canvas.group("legend")
    x = x0
    for shape, colour, hollow, label in entries:
        span = 22 + text_width(label, SMALL)
        if x > x0 and x + span > canvas.width - 4:
            x, y = x0, y + 18
        point = mark(canvas, shape, x + 6, y - 4, 5, group)
        paint(point, colour, hollow=hollow, line=shape == "cross")
        canvas.text(x + 16, y, label, group, size=SMALL)
        x += span + 10
    return y + 18


def text_width(text: str, size: int) -> float:
    """About how wide ``text`` is: a CJK character is one em, anything else about half."""
    return sum(size if ord(c) > 0x2E7F else size * 0.55 for c in text)


def no_data(key: str, title_zh: str, title_en: str, why_zh: str, why_en: str) -> str:
    """The chart for nothing to show: says so in words, never an empty frame."""
    canvas = Canvas(key, title_zh, title_en, f"暂无数据：{why_zh} / No data: {why_en}", height=72)
    frame = canvas.group("no-data")
    canvas.rect(1, 1, canvas.width - 2, 70, frame, fill="#f6f6f6", stroke=GRID)
    canvas.text(canvas.width / 2, 32, "暂无数据 / No data", frame, anchor="middle")
    canvas.text(
        canvas.width / 2, 52, clip(f"{why_zh} / {why_en}", 70), frame, size=SMALL, anchor="middle"
    )
    return canvas.render()
