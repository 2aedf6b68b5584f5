"""The HTML pages: every page is a Jinja2 template under ``templates/``, autoescaped.

Callers pass plain data, never markup: whatever a template prints is escaped, so text from the
trail (names, reasons, ids) cannot become HTML. An undefined name fails the render.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

_ENVIRONMENT = Environment(
    loader=PackageLoader("services.http", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(name: str, /, **context: Any) -> str:
    """The template ``name`` rendered with ``context``."""
    return _ENVIRONMENT.get_template(name).render(context)
