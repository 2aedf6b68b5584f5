"""The message catalog: every msgid the pages use has a reviewed Chinese translation, and the
pages print it Chinese first with the English alongside, escaped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from jinja2 import DictLoader, Environment, StrictUndefined

from services.http import i18n
from services.http.templates import _ENVIRONMENT

ROOT = Path(__file__).resolve().parents[3]
CATALOG = ROOT / "services" / "http" / i18n.catalog_path()
CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def used_msgids() -> set[str]:
    """Every msgid in the templates and the HTTP package, found as ``make messages`` finds them."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {"_": None, "gettext": None, **dict.fromkeys(i18n.KEYWORDS)}
    found = extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords, comment_tags=())
    return {msgid for _, _, msgid, _, _ in found if isinstance(msgid, str)}


def catalog_entries() -> dict[str, tuple[str, set[str]]]:
    with CATALOG.open("rb") as source:
        catalog = read_po(source, locale=i18n.LOCALE)
    return {m.id: (m.string, set(m.flags)) for m in catalog if m.id and isinstance(m.id, str)}


def test_the_pages_use_msgids_from_the_templates_and_python_alike() -> None:
    used = used_msgids()
    assert {"Regulator sign-in", "State as of #%(seq)s"} <= used  # templates
    assert {"pass", "fail", "invalid"} <= used  # N_ in routes/regulator.py


def test_every_msgid_the_pages_use_has_a_chinese_translation() -> None:
    entries = catalog_entries()
    missing = sorted(used_msgids() - set(entries))
    assert missing == [], f"run `make messages` and translate: {missing}"


def test_the_catalog_has_no_fuzzy_empty_or_untranslated_entry() -> None:
    for msgid, (msgstr, flags) in catalog_entries().items():
        assert "fuzzy" not in flags, f"{msgid!r} is fuzzy: review it"
        assert msgstr.strip(), f"{msgid!r} has no translation"
        assert CJK.search(msgstr), f"{msgid!r} → {msgstr!r} is not Chinese"
        placeholders = [sorted(PLACEHOLDER.findall(text)) for text in (msgid, msgstr)]
        assert placeholders[0] == placeholders[1], f"{msgid!r}: placeholders differ"


def test_the_makefile_extracts_with_the_same_keywords() -> None:
    makefile = (ROOT / "Makefile").read_text()
    extract = next(line for line in makefile.splitlines() if "pybabel -q extract" in line)
    assert set(re.findall(r"-k (\S+)", extract)) == set(i18n.KEYWORDS)


def test_translate_fills_placeholders_in_the_chinese() -> None:
    assert i18n.translate("pass") == "合格"
    assert i18n.translate("State as of #%(seq)s", seq=3) == "第 3 条时的状态"
    assert i18n.translate("a msgid nobody translated") == "a msgid nobody translated"
    assert i18n.N_("pass") == "pass"


@pytest.fixture
def page() -> Environment:
    """The pages' own environment with one more template: the macros as a page uses them."""
    env = _ENVIRONMENT.overlay(
        loader=DictLoader(
            {
                "page.html": '{% from "bilingual.html" import bi, bi_plain, pair %}'
                "{{ bi(msgid, **values) }}|{{ bi_plain(msgid, **values) }}|{{ pair(zh, en) }}",
                "bilingual.html": (ROOT / "services/http/templates/bilingual.html").read_text(),
            }
        ),
        undefined=StrictUndefined,
    )
    return env


def test_bi_prints_chinese_first_and_the_english_in_its_own_language(page: Environment) -> None:
    html = page.get_template("page.html").render(
        msgid="State as of #%(seq)s", values={"seq": "<b>7</b>"}, zh="甲<", en="A<"
    )
    rich, plain, paired = html.split("|")
    assert (
        rich
        == '第 &lt;b&gt;7&lt;/b&gt; 条时的状态 <span lang="en" class="en">State as of #&lt;b&gt;7&lt;/b&gt;</span>'
    )
    assert plain == "第 &lt;b&gt;7&lt;/b&gt; 条时的状态 / State as of #&lt;b&gt;7&lt;/b&gt;"
    assert paired == '甲&lt; <span lang="en" class="en">A&lt;</span>'


def test_the_regulator_pages_say_nothing_in_english_alone() -> None:
    """Every English word of a regulator page's own text sits in a lang="en" element."""
    html = _ENVIRONMENT.get_template("regulator_login.html").render(next_path="/x", error="1")
    text = re.sub(r"<(title|style)>.*?</\1>", "", html, flags=re.S)
    text = re.sub(r'<span lang="en" class="en">[^<]*</span>', "", text)
    words = re.findall(r">([^<]*[A-Za-z][^<]*)<", text)
    assert [w for w in words if w.strip()] == []
    assert '<html lang="zh-CN">' in html
