"""The public defect form: its token binds a plaque and a time window, each field is checked and
named when wrong, and one client gets a few posts an hour."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.adapters.signing import Signer
from services.domain.codes import PLAQUE
from services.http.defect_form import (
    TOKEN_MIN_AGE,
    TOKEN_TTL,
    FieldError,
    PublicReport,
    check_report,
    form_token,
    receipt_number,
    token_problem,
)
from services.http.rate_limit import RateLimit, client_key

PROJECT = "XZ-2026-001"
NOW = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)
SIGNER = Signer({"k1": Ed25519PrivateKey.from_private_bytes(bytes(range(32)))}, "k1", set())
OTHER = Signer({"k1": Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))}, "k1", set())


def test_a_token_lets_a_report_through_for_its_plaque_within_its_window() -> None:
    token = form_token(SIGNER, PROJECT, 2, NOW)
    assert token_problem(SIGNER, token, PROJECT, 2, NOW + TOKEN_MIN_AGE) is None
    assert token_problem(SIGNER, token, PROJECT, 2, NOW + TOKEN_TTL) is None


@pytest.mark.parametrize(
    ("case", "why"),
    [
        ("too fast", "sent too fast"),
        ("expired", "expired"),
        ("other serial", "another plaque"),
        ("other project", "another plaque"),
        ("plaque code", "another plaque"),
        ("forged", "not valid"),
        ("empty", "not valid"),
    ],
)
def test_a_token_is_refused_out_of_its_window_or_for_another_plaque(case: str, why: str) -> None:
    token = form_token(SIGNER, PROJECT, 2, NOW)
    at = NOW + dt.timedelta(seconds=30)
    if case == "too fast":
        at = NOW + dt.timedelta(seconds=1)
    elif case == "expired":
        at = NOW + TOKEN_TTL + dt.timedelta(seconds=1)
    elif case == "other serial":
        token = form_token(SIGNER, PROJECT, 1, NOW)
    elif case == "other project":
        token = form_token(SIGNER, "XZ-2026-002", 2, NOW)
    elif case == "plaque code":  # the plaque's own code is no form token
        token = SIGNER.sign(PLAQUE, PROJECT, "2")
    elif case == "forged":
        token = form_token(OTHER, PROJECT, 2, NOW)
    else:
        token = ""
    problem = token_problem(SIGNER, token, PROJECT, 2, at)
    assert problem is not None and problem.field == "token" and why in problem.en and problem.zh


def test_a_good_report_is_kept_trimmed_and_optional_fields_empty_are_none() -> None:
    checked = check_report("waterproofing", " 1-0301 ", " 卫生间渗漏\n墙面发霉 ", "", ["1-0301"])
    assert checked == PublicReport("waterproofing", "1-0301", "卫生间渗漏\n墙面发霉", None)
    bare = check_report("decoration", "", "墙皮脱落", "电话 138", [])
    assert bare == PublicReport("decoration", None, "墙皮脱落", "电话 138")


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        (("roof", "", "渗漏", ""), ["part"]),
        (("", "", "渗漏", ""), ["part"]),
        (("waterproofing", "", "", ""), ["description"]),
        (("waterproofing", "", "   ", ""), ["description"]),
        (("waterproofing", "", "x" * 1001, ""), ["description"]),
        (("waterproofing", "", "渗漏\x00", ""), ["description"]),
        (("waterproofing", "", "渗漏", "x" * 101), ["contact"]),
        (("waterproofing", "", "渗漏", "138\n00"), ["contact"]),
        (("waterproofing", "<script>", "渗漏", ""), ["dwelling"]),
        (("waterproofing", "9-9999", "渗漏", ""), ["dwelling"]),
        (("x", "a b", "", "y" * 200), ["part", "dwelling", "description", "contact"]),
    ],
)
def test_each_wrong_field_is_named(fields: tuple[str, str, str, str], bad: list[str]) -> None:
    checked = check_report(*fields, ["1-0301", "1-0302"])
    assert isinstance(checked, list)
    assert [e.field for e in checked] == bad
    assert all(isinstance(e, FieldError) and e.zh and e.en for e in checked)


def test_the_longest_allowed_fields_pass() -> None:
    checked = check_report("waterproofing", "A" * 24, "渗" * 1000, "c" * 100, [])
    assert isinstance(checked, PublicReport)


def test_receipts_are_random_and_fit_the_table() -> None:
    receipts = {receipt_number() for _ in range(200)}
    assert len(receipts) == 200
    assert all(len(r) == 15 and r.startswith("PR-") for r in receipts)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_client_gets_a_few_posts_per_project_and_a_few_more_in_all() -> None:
    clock = Clock()
    limit = RateLimit(per_key=2, per_client=3, window=60, clock=clock)
    assert [limit.hit("1.2.3.4", "P1") for _ in range(2)] == [None, None]
    wait = limit.hit("1.2.3.4", "P1")
    assert wait == pytest.approx(60)
    assert limit.hit("1.2.3.4", "P2") is None  # another project
    assert limit.hit("1.2.3.4", "P3") is not None  # but not more than three in all
    assert limit.hit("5.6.7.8", "P1") is None  # another client
    clock.now += 61
    assert limit.hit("1.2.3.4", "P1") is None


def test_a_flood_of_clients_is_bounded_and_fails_closed() -> None:
    clock = Clock()
    limit = RateLimit(per_key=1, per_client=1, window=60, max_clients=2, clock=clock)
    assert limit.hit("a", "P") is None and limit.hit("b", "P") is None
    assert limit.hit("c", "P") == 60  # full: a new client waits
    clock.now += 61
    assert limit.hit("c", "P") is None  # the old ones aged out and were forgotten


def test_an_ipv6_client_counts_as_its_64_network() -> None:
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:ffff::9")
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("198.51.100.7") == "198.51.100.7" and client_key(None) == "-"
    assert client_key("testclient") == "testclient"
