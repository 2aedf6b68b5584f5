"""Editions by date: each table's period, the edition in force on a day, and how a case names it."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from services.domain.materials.editions import in_force, period, select
from services.domain.materials.evaluate import evaluate
from services.domain.materials.tables import all_tables

TABLES = all_tables()
CEMENT = {
    "type": "P.O",
    "grade": "42.5",
    "compressive_3d_mpa": 25.0,
    "compressive_28d_mpa": 48.0,
    "flexural_3d_mpa": 5.0,
    "flexural_28d_mpa": 7.5,
    "initial_set_min": 150,
    "final_set_min": 220,
    "soundness_ok": True,
}


def edition(family: str, day: str) -> str | None:
    found = in_force(TABLES, family, dt.date.fromisoformat(day))
    return None if found is None else str(found["standard"])


def test_every_table_carries_its_family_and_period() -> None:
    for name, table in TABLES.items():
        span = period(table)
        assert table["family"], name
        assert span.end is None or span.start < span.end, name


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2008-06-01", "GB 175-2007"),
        ("2024-05-31", "GB 175-2007"),  # the last day of the 2007 edition
        ("2024-06-01", "GB 175-2023"),  # the first day of the 2023 edition
        ("2030-01-01", "GB 175-2023"),
        ("2008-05-31", None),  # before any edition qtrail holds
    ],
)
def test_gb_175_by_date(day: str, expected: str | None) -> None:
    assert edition("GB 175", day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2010-11-30", "GBJ 107-87"),
        ("2010-12-01", "GB/T 50107-2010"),
        ("2026-01-01", "GB/T 50107-2010"),
    ],
)
def test_concrete_strength_by_date(day: str, expected: str) -> None:
    assert edition("GB/T 50107", day) == expected


def test_editions_of_one_family_never_overlap() -> None:
    families: dict[str, list[Any]] = {}
    for table in TABLES.values():
        families.setdefault(table["family"], []).append(period(table))
    for spans in families.values():
        spans.sort(key=lambda p: p.start)
        for earlier, later in itertools.pairwise(spans):
            assert earlier.end is not None and earlier.end <= later.start


def test_select_is_pure_over_the_tables_it_is_given() -> None:
    only_2007 = {"GB 175-2007": TABLES["GB 175-2007"]}
    chosen, reasons = select(only_2007, "GB 175", "2025-01-01")
    assert chosen is None
    assert "GB 175-2007 from 2008-06-01 until 2024-06-01" in reasons[0]


# ------------------------------------------------------------------------- cases


def test_a_standard_with_a_sampling_date_is_judged_by_the_edition_then_in_force() -> None:
    before = evaluate({"standard": "GB 175", "sampled_on": "2024-05-31", **CEMENT}).as_dict()
    after = evaluate({"standard": "GB 175", "sampled_on": "2024-06-01", **CEMENT}).as_dict()
    assert (before["standard"], after["standard"]) == ("GB 175-2007", "GB 175-2023")
    assert before["rule_table"].startswith("GB 175-2007 (")
    assert any("in force on 2024-06-01" in n for n in after["notes"])


def test_the_2023_edition_judges_by_its_own_figures() -> None:
    # P·S 42.5, 3-day compressive 16.0: the 2007 edition asks 15.0; the 2023 table asks 17.0
    # (its figure is unconfirmed and the output says so)
    case = {**CEMENT, "type": "P.S", "compressive_3d_mpa": 16.0}
    old = evaluate({"standard": "GB 175", "sampled_on": "2024-05-31", **case}).as_dict()
    new = evaluate({"standard": "GB 175", "sampled_on": "2024-06-01", **case}).as_dict()
    assert old["verdict"] == "pass"
    assert new["verdict"] == "fail"
    assert any("unconfirmed" in n for n in new["notes"])


def test_the_2023_edition_dropped_p_c_32_5() -> None:
    case = {**CEMENT, "type": "P.C", "grade": "32.5", "compressive_28d_mpa": 40.0}
    assert evaluate({"standard": "GB 175-2007", **case}).as_dict()["verdict"] == "pass"
    result = evaluate({"standard": "GB 175-2023", **case}).as_dict()
    assert result["verdict"] == "invalid"
    assert any(r.startswith("grade:") for r in result["reasons"])


def test_an_edition_not_in_force_on_the_sampling_date_is_refused() -> None:
    result = evaluate({"standard": "GB 175-2007", "sampled_on": "2025-01-01", **CEMENT}).as_dict()
    assert result["verdict"] == "invalid"
    (reason,) = result["reasons"]
    assert "GB 175-2007 was not in force on 2025-01-01" in reason
    assert "GB 175-2023 was" in reason


def test_an_edition_in_force_on_the_sampling_date_is_accepted() -> None:
    result = evaluate({"standard": "GB 175-2023", "sampled_on": "2025-01-01", **CEMENT}).as_dict()
    assert result["verdict"] == "pass"


def test_an_edition_without_a_date_is_judged_as_named() -> None:
    # re-evaluating an old record as it was judged
    result = evaluate({"standard": "GB 175-2007", **CEMENT}).as_dict()
    assert result["standard"] == "GB 175-2007"


def test_a_standard_without_a_date_is_invalid_and_lists_the_periods() -> None:
    result = evaluate({"standard": "GB 175", **CEMENT}).as_dict()
    assert result["verdict"] == "invalid"
    (reason,) = result["reasons"]
    assert reason.startswith("sampled_on: required")
    assert "GB 175-2023 from 2024-06-01" in reason


def test_a_date_before_every_edition_is_invalid() -> None:
    result = evaluate({"standard": "GB 175", "sampled_on": "2001-01-01", **CEMENT}).as_dict()
    assert result["verdict"] == "invalid"
    assert "no edition of GB 175" in result["reasons"][0]


@pytest.mark.parametrize("day", ["2024-6-1", "01/06/2024", "2024-02-30", 20240601, True, [], ""])
def test_a_malformed_sampling_date_is_invalid(day: Any) -> None:
    result = evaluate({"standard": "GB 175", "sampled_on": day, **CEMENT}).as_dict()
    assert result["verdict"] == "invalid"
    assert result["reasons"][0].startswith("sampled_on:")


def test_an_unconfirmed_period_is_said_when_it_chose_the_edition() -> None:
    result = evaluate({"standard": "GB 175", "sampled_on": "2020-01-01", **CEMENT}).as_dict()
    assert any("'from' date of GB 175-2007" in n and "unconfirmed" in n for n in result["notes"])


def test_a_product_table_is_not_evaluated_on_its_own() -> None:
    result = evaluate({"standard": "GB/T 1499.1-2017", "grade": "HPB300"}).as_dict()
    assert result["verdict"] == "invalid"
    assert "does not evaluate" in result["reasons"][0]
