"""Renders a building's plaque, print-ready: SVG and PDF at 800×600 mm, and PNG.

It takes the fields of the current ``qtrail.plaque.issued`` version (callers upcast older ones).

CPU-bound (QR mask selection, font rasterizing): callers run it in a process pool at issue time,
never on a request path or an event loop. Chinese text needs a CJK font installed by the
project's setup (Debian's fonts-wqy-microhei); a missing font is a clear error, not tofu.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import qrcode
from qrcode.constants import ERROR_CORRECT_Q

from events.base import ROLE_NAMES

WIDTH_MM, HEIGHT_MM = 800, 600
FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
ROLE_LABELS = {role: names[0] for role, names in ROLE_NAMES.items()}
LEAD_LABELS = {
    "owner": "项目负责人",
    "survey": "项目负责人",
    "design": "项目负责人",
    "construction": "项目经理",
    "supervision": "总监理工程师",
}


class FontMissing(RuntimeError):
    pass


def font_path() -> str:
    for path in FONT_PATHS:
        if Path(path).exists():
            return path
    raise FontMissing(
        f"no CJK font found (looked for {', '.join(FONT_PATHS)}); install fonts-wqy-microhei"
    )


def qr_modules(url: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=0)
    code.add_data(url)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    return matrix


# Layout in millimetres, shared by every format: the title across the top; the building, its
# dates and the five parties with every lead and period on the left; the warranty above the QR
# on the right. Text shrinks to fit its column, never below what reads from a few metres.
MARGIN, TITLE_Y, TITLE_SIZE = 40, 70, 44
LEFT_W, TOP_Y, BOTTOM_Y = 500, 110, 570
BODY_MAX, LINE = 18.0, 1.45
RIGHT_X, RIGHT_W, WARRANTY_MAX = 560, 200, 12.0
QR_SIZE, QR_X, QR_Y = 200, WIDTH_MM - 40 - 200, HEIGHT_MM - 40 - 200 - 30
CAPTION = "扫码查看质量责任追溯记录"


@dataclass(frozen=True)
class Text:
    """One line of engraved text: baseline at (x, y), ``size`` the font size, all in mm."""

    x: float
    y: float
    size: float
    text: str


def text_width(text: str, size: float) -> float:
    """A generous estimate of the width of ``text`` (CJK a full em, the rest 0.6 em): the same
    layout serves SVG, whose reader measures nothing."""
    return sum(size if ord(ch) >= 0x2E80 else 0.6 * size for ch in text)


def _period(lead: dict[str, Any]) -> str:
    if lead["start"] is None:
        return "任期未记录"
    if lead["end"] is None:
        return f"{lead['start']} 起"
    return f"{lead['start']} 至 {lead['end']}"


def lines(fields: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows of the left column, in the order they are engraved: every lead who
    served, each with their period."""
    rows = [
        ("工程名称", fields["project_name"]),
        ("单位工程", fields["unit_name"]),
        ("设计使用年限", f"{fields['design_life_years']} 年"),
        ("开工 / 竣工日期", f"{fields['started_on']} / {fields['completed_on']}"),
    ]
    for party in fields["parties"]:
        role = party["role"]
        rows.append((ROLE_LABELS[role], party["org_name"]))
        rows += [
            (f"　{LEAD_LABELS[role]}", f"{lead['name']}（{_period(lead)}）")
            for lead in party["leads"]
        ]
    return rows


NO_LINE_START = "、，。；：）"


def _wrap(text: str, size: float, width: float) -> list[str]:
    """Lines of at most ``width``; a comma never starts one (it takes the character before)."""
    out, line = [], ""
    for ch in text:
        if line and text_width(line + ch, size) > width:
            carried = line[-1] if ch in NO_LINE_START and len(line) > 1 else ""
            out.append(line[: len(line) - len(carried)])
            line = carried
        line += ch
    return [*out, line] if line else out


def warranty_lines(fields: dict[str, Any]) -> list[str]:
    if not fields["warranty"]:
        return []
    basis = "保修期限" if fields["warranty_issued_on"] else "最低保修期限（条例第40条）"
    rows = [basis]
    for term in fields["warranty"]:
        # Art. 40(3) counts heating and cooling in seasons, one a year: say it as the law does.
        period = "个采暖期、供冷期" if term["part"] == "heating_cooling" else " 年"
        rows += [term["zh"], f"　{term['years']}{period}，至 {term['until']}"]
    return rows


def layout(fields: dict[str, Any]) -> list[Text]:
    """Every line of the plaque but the title and the QR, placed."""
    rows = [f"{label}：{value}" for label, value in lines(fields)]
    pitch = min(BODY_MAX * LINE, (BOTTOM_Y - TOP_Y) / max(len(rows), 1))
    size = pitch / LINE
    placed = []
    for i, row in enumerate(rows):
        fit = min(size, size * LEFT_W / max(text_width(row, size), 1e-9))
        placed.append(Text(MARGIN, TOP_Y + pitch * (i + 0.8), fit, row))
    placed += _warranty(fields)
    return placed


def _warranty(fields: dict[str, Any]) -> list[Text]:
    """The warranty block, as large as fits between the top and the QR (wrapped names)."""
    rows = warranty_lines(fields)
    if not rows:
        return []
    size = WARRANTY_MAX
    while size > 6:
        wrapped = [piece for row in rows for piece in _wrap(row, size, RIGHT_W)]
        if len(wrapped) * size * 1.3 <= QR_Y - 12 - TOP_Y:
            break
        size -= 0.5
    return [
        Text(RIGHT_X, TOP_Y + size * 1.3 * (i + 0.8), size, piece)
        for i, piece in enumerate(wrapped)
    ]


def svg(fields: dict[str, Any], url: str) -> bytes:
    matrix = qr_modules(url)
    cell = QR_SIZE / len(matrix)
    rects = "".join(
        f'<rect x="{QR_X + x * cell:.3f}" y="{QR_Y + y * cell:.3f}" width="{cell:.3f}" height="{cell:.3f}"/>'
        for y, row in enumerate(matrix)
        for x, dark in enumerate(row)
        if dark
    )
    texts = "".join(
        f'<text x="{t.x}" y="{t.y:.2f}" font-size="{t.size:.2f}">{escape(t.text)}</text>'
        for t in layout(fields)
    )
    doc = f"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH_MM}mm" height="{HEIGHT_MM}mm" viewBox="0 0 {WIDTH_MM} {HEIGHT_MM}">
<rect width="100%" height="100%" fill="#ffffff"/>
<rect x="10" y="10" width="{WIDTH_MM - 20}" height="{HEIGHT_MM - 20}" fill="none" stroke="#000" stroke-width="3"/>
<g font-family="WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif" fill="#000">
<text x="{WIDTH_MM / 2}" y="{TITLE_Y}" font-size="{TITLE_SIZE}" text-anchor="middle">工程质量终身责任永久性标牌</text>
{texts}
<text x="{QR_X + QR_SIZE / 2}" y="{QR_Y + QR_SIZE + 24}" font-size="14" text-anchor="middle">{CAPTION}</text>
</g>
<g fill="#000">{rects}</g>
</svg>
"""
    return doc.encode()


def png(fields: dict[str, Any], url: str, px_per_mm: float = 3.0) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    def mm(v: float) -> int:
        return round(v * px_per_mm)

    image = Image.new("RGB", (mm(WIDTH_MM), mm(HEIGHT_MM)), "white")
    draw = ImageDraw.Draw(image)
    path = font_path()
    draw.rectangle(
        [mm(10), mm(10), mm(WIDTH_MM - 10), mm(HEIGHT_MM - 10)], outline="black", width=mm(3)
    )
    title = ImageFont.truetype(path, mm(TITLE_SIZE))
    draw.text(
        (mm(WIDTH_MM / 2), mm(TITLE_Y)),
        "工程质量终身责任永久性标牌",
        font=title,
        fill="black",
        anchor="ms",
    )
    for t in layout(fields):
        draw.text(
            (mm(t.x), mm(t.y)),
            t.text,
            font=ImageFont.truetype(path, mm(t.size)),
            fill="black",
            anchor="ls",
        )
    matrix = qr_modules(url)
    cell = QR_SIZE / len(matrix)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                x0, y0 = QR_X + x * cell, QR_Y + y * cell
                draw.rectangle([mm(x0), mm(y0), mm(x0 + cell) - 1, mm(y0 + cell) - 1], fill="black")
    small = ImageFont.truetype(path, mm(14))
    draw.text(
        (mm(QR_X + QR_SIZE / 2), mm(QR_Y + QR_SIZE + 24)),
        CAPTION,
        font=small,
        fill="black",
        anchor="ms",
    )
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def pdf(fields: dict[str, Any], url: str) -> bytes:
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "QtrailCJK" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("QtrailCJK", font_path(), subfontIndex=0))
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(WIDTH_MM * mm, HEIGHT_MM * mm))
    page.setTitle(f"永久性标牌 {fields['project_name']} {fields['unit_name']}")

    def y(v: float) -> float:  # the layout measures from the top, PDF from the bottom
        return float((HEIGHT_MM - v) * mm)

    page.setLineWidth(3 * mm)
    page.rect(10 * mm, 10 * mm, (WIDTH_MM - 20) * mm, (HEIGHT_MM - 20) * mm)
    page.setFont("QtrailCJK", TITLE_SIZE * mm)
    page.drawCentredString(WIDTH_MM / 2 * mm, y(TITLE_Y), "工程质量终身责任永久性标牌")
    for t in layout(fields):
        page.setFont("QtrailCJK", t.size * mm)
        page.drawString(t.x * mm, y(t.y), t.text)
    matrix = qr_modules(url)
    cell = QR_SIZE / len(matrix)
    for row_index, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                page.rect(
                    (QR_X + x * cell) * mm,
                    y(QR_Y + (row_index + 1) * cell),
                    cell * mm,
                    cell * mm,
                    stroke=0,
                    fill=1,
                )
    page.setFont("QtrailCJK", 14 * mm)
    page.drawCentredString((QR_X + QR_SIZE / 2) * mm, y(QR_Y + QR_SIZE + 24), CAPTION)
    page.showPage()
    page.save()
    return out.getvalue()


def render_all(fields: dict[str, Any], url: str) -> dict[str, bytes]:
    """Every format of one plaque; a top-level function so a process pool can run it."""
    return {"svg": svg(fields, url), "png": png(fields, url), "pdf": pdf(fields, url)}
