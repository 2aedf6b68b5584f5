"""The HTML pages: every page is a Jinja2 template under ``templates/``, autoescaped.

Callers pass plain data, never markup: whatever a template prints is escaped, so text from the
trail (names, reasons, ids) cannot become HTML. An undefined name fails the render. The pages' own
words come from the message catalog (i18n.py) through the i18n extension's ``_``; the macros of
``bilingual.html`` print them Chinese first, English alongside.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from services.http.i18n import translations

_ENVIRONMENT = Environment(
    loader=PackageLoader("services.http", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=["jinja2.ext.i18n"],
)
_ENVIRONMENT.install_gettext_translations(translations(), newstyle=True)  # type: ignore[attr-defined]


def render(name: str, /, **context: Any) -> str:
    """The template ``name`` rendered with ``context``."""
    return _ENVIRONMENT.get_template(name).render(context)


class InlineSvg(str):
    """An SVG the charts built with ElementTree, every text from the trail escaped there: a
    template prints it as markup (Jinja honours ``__html__``), not as text."""

    def __html__(self) -> str:
        return str(self)
