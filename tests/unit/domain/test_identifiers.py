"""Check characters of unified social credit codes (GB 32100) and citizen ID numbers (GB 11643).

The credit codes below are published on the business licences of well-known companies; the ID
number is the worked example of GB 11643-1999. None of them was computed with the code under test.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.domain.identifiers import (
    CREDIT_ALPHABET,
    credit_code_check,
    id_number_check,
    identity_problem,
    valid_credit_code,
    valid_id_number,
)

PUBLISHED_CREDIT_CODES = (
    "914403001922038216",
    "9144030071526726XG",
    "91110000802100433B",
    "91330100716105852F",
)
GB_11643_EXAMPLE = "11010519491231002X"
ID_ALPHABET = "0123456789X"


def _reference_credit_check(first17: str) -> str:
    """GB 32100 written from the standard: weights 3^(i-1) mod 31, check 31 - (sum mod 31)."""
    total = sum(CREDIT_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def _reference_id_check(first17: str) -> str:
    """ISO 7064 MOD 11-2 from its definition: weights 2^(18-i) mod 11, check (12 - sum) mod 11."""
    total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def _single_changes(code: str, alphabet: str) -> list[str]:
    """Every string that differs from ``code`` in exactly one character, drawn from ``alphabet``."""
    return [
        code[:i] + c + code[i + 1 :] for i in range(len(code)) for c in alphabet if c != code[i]
    ]


def test_the_credit_alphabet_is_the_standards_31_characters() -> None:
    assert len(CREDIT_ALPHABET) == 31 == len(set(CREDIT_ALPHABET))
    assert not set("IOZSV") & set(CREDIT_ALPHABET)


@pytest.mark.parametrize("code", PUBLISHED_CREDIT_CODES)
def test_published_credit_codes_validate(code: str) -> None:
    assert valid_credit_code(code)
    assert credit_code_check(code[:17]) == code[17]


@pytest.mark.parametrize("code", PUBLISHED_CREDIT_CODES)
def test_any_single_changed_character_of_a_credit_code_is_caught(code: str) -> None:
    changed = _single_changes(code, CREDIT_ALPHABET)
    assert len(changed) == 18 * 30
    accepted = [c for c in changed if valid_credit_code(c)]
    assert accepted == []


@pytest.mark.parametrize("code", PUBLISHED_CREDIT_CODES)
def test_credit_codes_of_the_wrong_length_fail(code: str) -> None:
    for wrong in (code[:17], code[1:], code + "0", code + code[-1], code * 2, ""):
        assert not valid_credit_code(wrong), wrong


@pytest.mark.parametrize("code", ["9144030071526726XG", "91110000802100433B", "91330100716105852F"])
def test_lowercase_credit_codes_fail(code: str) -> None:
    assert not valid_credit_code(code.lower())


@pytest.mark.parametrize("letter", list("IOZSV"))
@pytest.mark.parametrize("code", PUBLISHED_CREDIT_CODES)
def test_letters_outside_the_alphabet_fail_at_every_position(code: str, letter: str) -> None:
    for i in range(18):
        assert not valid_credit_code(code[:i] + letter + code[i + 1 :]), (i, letter)


def test_credit_codes_with_spaces_or_other_characters_fail() -> None:
    code = PUBLISHED_CREDIT_CODES[0]
    for wrong in (" " + code[1:], code[:17] + " ", code[:9] + "-" + code[10:], "９" + code[1:]):
        assert not valid_credit_code(wrong), wrong


@given(st.text(alphabet=CREDIT_ALPHABET, min_size=17, max_size=17))
def test_any_17_characters_with_their_check_character_validate(first17: str) -> None:
    check = credit_code_check(first17)
    assert check in CREDIT_ALPHABET
    assert valid_credit_code(first17 + check)
    assert not any(valid_credit_code(first17 + c) for c in CREDIT_ALPHABET if c != check)


@given(st.text(alphabet=CREDIT_ALPHABET, min_size=17, max_size=17))
def test_the_credit_check_matches_the_standards_definition(first17: str) -> None:
    assert credit_code_check(first17) == _reference_credit_check(first17)


def test_the_reference_credit_check_agrees_with_the_published_codes() -> None:
    assert all(_reference_credit_check(c[:17]) == c[17] for c in PUBLISHED_CREDIT_CODES)


@pytest.mark.parametrize("code", PUBLISHED_CREDIT_CODES)
def test_a_credit_code_with_a_trailing_newline_fails(code: str) -> None:
    assert not valid_credit_code(code + "\n")


# --------------------------------------------------------------------------- GB 11643 ID numbers


def test_the_standards_example_id_number_validates() -> None:
    assert valid_id_number(GB_11643_EXAMPLE)
    assert id_number_check(GB_11643_EXAMPLE[:17]) == "X"


def test_any_single_changed_character_of_an_id_number_is_caught() -> None:
    changed = _single_changes(GB_11643_EXAMPLE, ID_ALPHABET)
    assert len(changed) == 18 * 10
    accepted = [c for c in changed if valid_id_number(c)]
    assert accepted == []


def test_id_numbers_of_the_wrong_shape_fail() -> None:
    n = GB_11643_EXAMPLE
    for wrong in (n[:17], n + "0", n[1:], "", n[:-1] + "x", "A" + n[1:], n[:6] + " " + n[7:]):
        assert not valid_id_number(wrong), wrong


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_any_17_digits_with_their_check_character_validate(first17: str) -> None:
    check = id_number_check(first17)
    assert check in ID_ALPHABET
    assert valid_id_number(first17 + check)
    assert not any(valid_id_number(first17 + c) for c in ID_ALPHABET if c != check)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_the_id_check_matches_iso_7064_mod_11_2(first17: str) -> None:
    assert id_number_check(first17) == _reference_id_check(first17)


def test_the_reference_id_check_agrees_with_the_standards_example() -> None:
    assert _reference_id_check(GB_11643_EXAMPLE[:17]) == GB_11643_EXAMPLE[17]


def test_an_id_number_with_a_trailing_newline_fails() -> None:
    assert not valid_id_number(GB_11643_EXAMPLE + "\n")


def test_identity_problem_names_the_first_bad_identifier_by_its_path() -> None:
    good = {
        "org_code": PUBLISHED_CREDIT_CODES[0],
        "lead": {"name": "甲", "id_number": GB_11643_EXAMPLE},
        "witnesses": [{"id_number": GB_11643_EXAMPLE}],
    }
    assert identity_problem(good) is None
    bad_id = GB_11643_EXAMPLE[:17] + "0"
    assert identity_problem({**good, "witnesses": [{}, {"id_number": bad_id}]}) == (
        "witnesses[1].id_number: citizen ID number fails its check character (GB 11643)"
    )
    bad_code = PUBLISHED_CREDIT_CODES[0][:17] + "0"
    assert identity_problem({"lab_code": bad_code, "lead": {"id_number": bad_id}}) == (
        "lab_code: unified social credit code fails its check character (GB 32100)"
    )
    assert identity_problem({"name": bad_id, "lead_id_number": bad_id}) == (
        "lead_id_number: citizen ID number fails its check character (GB 11643)"
    )
