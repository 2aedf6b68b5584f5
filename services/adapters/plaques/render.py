"""Renders a plaque, print-ready: SVG and PDF at 800×600 mm, and PNG.

CPU-bound (QR mask selection, font rasterizing): callers run it in a process pool at issue time,
never on a request path or an event loop. Chinese text needs a CJK font installed by the
project's setup (Debian's fonts-wqy-microhei); a missing font is a clear error, not tofu.
"""

from __future__ import annotations

import io
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


def lines(fields: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows of the plaque, in the order they are engraved."""
    rows = [
        ("工程名称", fields["project_name"]),
        ("设计使用年限", f"{fields['design_life_years']} 年"),
        ("开工日期", fields["started_on"]),
        ("竣工日期", fields["completed_on"]),
    ]
    for party in fields["parties"]:
        role = party["role"]
        rows.append((ROLE_LABELS[role], party["org_name"]))
        rows.append((f"　{LEAD_LABELS[role]}", party["lead_name"]))
    return rows


# Layout in millimetres, shared by every format.
MARGIN, TITLE_Y, FIRST_ROW_Y, ROW_H = 40, 80, 130, 33
QR_SIZE, QR_X, QR_Y = 200, WIDTH_MM - 40 - 200, HEIGHT_MM - 40 - 200 - 30


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
        f'<text x="{MARGIN}" y="{FIRST_ROW_Y + i * ROW_H}" font-size="20">{escape(label)}：{escape(str(value))}</text>'
        for i, (label, value) in enumerate(lines(fields))
    )
    doc = f"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH_MM}mm" height="{HEIGHT_MM}mm" viewBox="0 0 {WIDTH_MM} {HEIGHT_MM}">
<rect width="100%" height="100%" fill="#ffffff"/>
<rect x="10" y="10" width="{WIDTH_MM - 20}" height="{HEIGHT_MM - 20}" fill="none" stroke="#000" stroke-width="3"/>
<g font-family="WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif" fill="#000">
<text x="{WIDTH_MM / 2}" y="{TITLE_Y}" font-size="44" text-anchor="middle">工程质量终身责任永久性标牌</text>
{texts}
<text x="{QR_X + QR_SIZE / 2}" y="{QR_Y + QR_SIZE + 24}" font-size="14" text-anchor="middle">扫码查看质量责任追溯记录</text>
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
    title = ImageFont.truetype(path, mm(44))
    draw.text(
        (mm(WIDTH_MM / 2), mm(TITLE_Y)),
        "工程质量终身责任永久性标牌",
        font=title,
        fill="black",
        anchor="ms",
    )
    body = ImageFont.truetype(path, mm(20))
    for i, (label, value) in enumerate(lines(fields)):
        draw.text(
            (mm(MARGIN), mm(FIRST_ROW_Y + i * ROW_H)),
            f"{label}：{value}",
            font=body,
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
        "扫码查看质量责任追溯记录",
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
    page.setTitle(f"永久性标牌 {fields['project_name']}")

    def y(v: float) -> float:  # the layout measures from the top, PDF from the bottom
        return float((HEIGHT_MM - v) * mm)

    page.setLineWidth(3 * mm)
    page.rect(10 * mm, 10 * mm, (WIDTH_MM - 20) * mm, (HEIGHT_MM - 20) * mm)
    page.setFont("QtrailCJK", 44 * mm)
    page.drawCentredString(WIDTH_MM / 2 * mm, y(TITLE_Y), "工程质量终身责任永久性标牌")
    page.setFont("QtrailCJK", 20 * mm)
    for i, (label, value) in enumerate(lines(fields)):
        page.drawString(MARGIN * mm, y(FIRST_ROW_Y + i * ROW_H), f"{label}：{value}")
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
    page.drawCentredString(
        (QR_X + QR_SIZE / 2) * mm, y(QR_Y + QR_SIZE + 24), "扫码查看质量责任追溯记录"
    )
    page.showPage()
    page.save()
    return out.getvalue()


def render_all(fields: dict[str, Any], url: str) -> dict[str, bytes]:
    """Every format of one plaque; a top-level function so a process pool can run it."""
    return {"svg": svg(fields, url), "png": png(fields, url), "pdf": pdf(fields, url)}
