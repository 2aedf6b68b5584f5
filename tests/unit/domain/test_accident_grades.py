"""The accident grades of 建质〔2010〕111号 §2 and the owner's 1-hour report deadline (§3(一)),
read from their versioned table."""

from __future__ import annotations

import datetime as dt

import pytest

from services.domain import accident_grades
from services.domain.accident_grades import Figures, grade_of


def test_the_table_cites_its_notice_and_every_clause() -> None:
    table = accident_grades.table()
    assert table["edition"].startswith("建质〔2010〕111号")
    assert "以上”包括本数" in table["clause"]
    assert [row["clause"][:5] for row in table["grades"]] == [
        "§2(一)",
        "§2(二)",
        "§2(三)",
        "§2(四)",
    ]
    deadline, clause = accident_grades.report_deadline()
    assert deadline == dt.timedelta(hours=1) and clause.startswith("§3(一)") and "1小时内" in clause


@pytest.mark.parametrize(
    ("deaths", "injuries", "loss", "grade", "reached_by"),
    [
        (30, 0, 0, "especially_serious", ("deaths",)),
        (29, 0, 0, "serious", ("deaths",)),
        (10, 0, 0, "serious", ("deaths",)),
        (9, 0, 0, "larger", ("deaths",)),
        (3, 0, 0, "larger", ("deaths",)),
        (2, 0, 0, "ordinary", ("deaths",)),
        (1, 0, 0, "ordinary", ("deaths",)),
        (0, 100, 0, "especially_serious", ("serious_injuries",)),
        (0, 99, 0, "serious", ("serious_injuries",)),
        (0, 50, 0, "serious", ("serious_injuries",)),
        (0, 49, 0, "larger", ("serious_injuries",)),
        (0, 10, 0, "larger", ("serious_injuries",)),
        (0, 9, 0, "ordinary", ("serious_injuries",)),
        (0, 0, 100_000_000, "especially_serious", ("direct_loss_cny",)),
        (0, 0, 99_999_999.99, "serious", ("direct_loss_cny",)),
        (0, 0, 50_000_000, "serious", ("direct_loss_cny",)),
        (0, 0, 10_000_000, "larger", ("direct_loss_cny",)),
        (0, 0, 1_000_000, "ordinary", ("direct_loss_cny",)),
        (2, 12, 60_000_000, "serious", ("direct_loss_cny",)),  # the highest any criterion reaches
        (3, 10, 10_000_000, "larger", ("deaths", "serious_injuries", "direct_loss_cny")),
    ],
)
def test_the_highest_grade_any_criterion_reaches(
    deaths: int, injuries: int, loss: float, grade: str, reached_by: tuple[str, ...]
) -> None:
    found = grade_of(Figures(deaths, injuries, loss))
    assert found is not None and found.grade == grade and found.reached_by == reached_by


def test_no_casualty_and_a_loss_under_a_million_is_no_accident_grade() -> None:
    assert grade_of(Figures(0, 0, 999_999.99)) is None
    assert grade_of(Figures(0, 0, 0)) is None
    assert "quality problem" in accident_grades.table()["below"]["en"]
