"""The pages' message catalog: Chinese first, English alongside.

A template names a message once, by its English msgid; the macros of templates/bilingual.html
print the catalog's Chinese with the English beside it (``bi``), or as "中文 / English" where no
markup may go (``bi_plain``). Python marks a msgid with ``N_`` and translates it with
``translate``. ``make messages`` extracts new msgids into the catalog (keywords: ``KEYWORDS``).

The catalog is the ``.po`` file under ``locale/``, compiled in memory once, when first used. No
``.mo`` is committed: the reviewed text file is the one source, so no binary can drift from it and
no build step is needed; compiling a few dozen messages takes milliseconds. Fuzzy entries are left
out of the compiled catalog (and refused by tests/unit/http/test_i18n.py), so an unreviewed guess
never reaches a page.
"""

from __future__ import annotations

import io
from functools import cache
from importlib.resources import files
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE = "zh_CN"
DOMAIN = "messages"
KEYWORDS: tuple[str, ...] = ("bi", "bi_plain", "N_")
"""The functions whose first argument is a msgid, beside gettext's own (``_``, ``gettext``, …):
``make messages`` passes the same to ``pybabel extract``."""


def catalog_path(locale: str = LOCALE) -> str:
    """Where the ``.po`` file of ``locale`` lives, inside the services.http package."""
    return f"locale/{locale}/LC_MESSAGES/{DOMAIN}.po"


@cache
def translations(locale: str = LOCALE) -> Translations:
    """The catalog of ``locale``, compiled from its ``.po`` file (fuzzy entries left out)."""
    source = files("services.http").joinpath(catalog_path(locale)).read_bytes()
    catalog = read_po(io.BytesIO(source), locale=locale, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def N_(msgid: str) -> str:
    """``msgid`` unchanged: marks it for the catalog, to be translated where it is shown."""
    return msgid


def translate(msgid: str, /, **values: Any) -> str:
    """The Chinese of ``msgid``, with its ``%(name)s`` placeholders filled from ``values``."""
    text = translations().gettext(msgid)
    return text % values if values else text
