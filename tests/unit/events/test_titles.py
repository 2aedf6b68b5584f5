"""Every type of the catalog, old versions too, has a short Chinese name and an English one."""

from __future__ import annotations

import re

import pytest

from events.registry import CURRENT, UPCASTERS, UnknownEventType, known_types, title

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("event_type", known_types())
def test_every_type_has_both_titles(event_type: str) -> None:
    zh, en = title(event_type)
    assert CJK.search(zh), f"{event_type}: {zh!r} is not Chinese"
    assert en.strip() and en.isascii() and not CJK.search(en), f"{event_type}: {en!r}"


@pytest.mark.parametrize("model", CURRENT, ids=lambda m: m.event_type)
def test_the_chinese_title_is_the_name_the_docstring_publishes(model: type) -> None:
    assert model.__doc__ is not None and model.__doc__.startswith(model.title_zh)


def test_titles_name_one_fact_each() -> None:
    assert len({title(m.event_type) for m in CURRENT}) == len(CURRENT)


@pytest.mark.parametrize("old", sorted(UPCASTERS))
def test_an_old_version_reads_as_the_fact_it_upcasts_to(old: str) -> None:
    newer, _ = UPCASTERS[old]
    assert title(old) == title(newer)


def test_an_unknown_type_has_no_title() -> None:
    with pytest.raises(UnknownEventType):
        title("qtrail.project.unheard_of.v1")
