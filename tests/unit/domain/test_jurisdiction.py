"""Jurisdiction: a division code's trailing zero pairs widen it (province, city, district), and a
station sees a site its jurisdiction covers; a chain whose site was never named, every station."""

from __future__ import annotations

import pytest

from services.domain.jurisdiction import covers, prefix, valid_division


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("320000", "32"),  # 江苏省: every 32xxxx
        ("320300", "3203"),  # 徐州市: every 3203xx
        ("320311", "320311"),  # 泉山区: itself
        ("110101", "110101"),
        ("100000", "10"),
        ("320310", "320310"),  # one zero is not a pair: a district of its own
    ],
)
def test_a_code_widens_by_its_trailing_zero_pairs(code: str, expected: str) -> None:
    assert prefix(code) == expected


@pytest.mark.parametrize(
    "code", ["", "32030", "3203000", "032000", "32O300", "３２０３００", " 320300"]
)
def test_an_invalid_code_is_refused_naming_the_field(code: str) -> None:
    assert not valid_division(code)
    with pytest.raises(ValueError, match="division") as raised:
        prefix(code)
    assert repr(code) in str(raised.value)


@pytest.mark.parametrize(
    ("jurisdiction", "division", "seen"),
    [
        (("320000",), "320311", True),  # the province sees its districts
        (("320000",), "320100", True),
        (("320000",), "330106", False),  # not another province's
        (("320300",), "320311", True),  # the city sees its districts
        (("320300",), "320300", True),
        (("320300",), "320100", False),  # not another city of the province
        (("320300",), "320000", False),  # nor the province's own code
        (("320311",), "320311", True),  # a district, exactly itself
        (("320311",), "320312", False),
        (("320311",), "320300", False),
        (("320311", "320100"), "320105", True),  # any of several
        ((), "320311", False),  # a key with no jurisdiction sees no site
        ((), None, True),  # a site never named: every station, as before
        (("330000",), None, True),
    ],
)
def test_a_jurisdiction_covers_the_sites_within_it(
    jurisdiction: tuple[str, ...], division: str | None, seen: bool
) -> None:
    assert covers(jurisdiction, division) is seen


def test_an_invalid_code_in_a_jurisdiction_is_not_read_as_covering() -> None:
    with pytest.raises(ValueError, match="division"):
        covers(("3203",), "320311")
