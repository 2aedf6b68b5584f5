"""``qtrail evaluate``: JSON in (standard input or a file), a result for every case out.

Exit 0 when every case passes, 1 when some fail (none invalid), 2 when some are invalid or
cannot be parsed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]

WORKED_EXAMPLE = {
    "standard": "GB/T 50107-2010",
    "grade": "C30",
    "group_values": [33.6, 38.1, 28.9, 30.6, 35.3, 36.1, 34.2, 33.3, 31.7, 29.8],
}
REBAR = {
    "standard": "GB/T 1499.2-2018",
    "grade": "HRB400E",
    "diameter_mm": 20,
    "yield_mpa": 450,
    "tensile_mpa": 600,
    "agt_pct": 12,
    "mass_kg_per_m": 2.45,
    "bend_ok": True,
    "reverse_bend_ok": True,
}
BROKEN = {"standard": "GB/T 1499.2-2018", "grade": "HRB400E"}


def qtrail(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.cli.main", "evaluate", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def results(done: subprocess.CompletedProcess[str], exit_code: int) -> list[dict[str, Any]]:
    assert done.returncode == exit_code, done.stderr
    out = json.loads(done.stdout)
    assert isinstance(out, list)
    return out


def test_one_case_on_stdin_gives_a_list_of_one_result() -> None:
    (result,) = results(qtrail(stdin=json.dumps(WORKED_EXAMPLE)), 1)
    assert result["verdict"] == "fail"
    assert result["n"] == 10
    assert result["rule_table"].startswith("GB/T 50107-2010")


def test_a_dash_means_standard_input() -> None:
    (result,) = results(qtrail("-", stdin=json.dumps(REBAR)), 0)
    assert result["verdict"] == "pass"


def test_a_list_of_cases_keeps_its_order_and_an_invalid_case_does_not_stop_the_others() -> None:
    out = results(qtrail(stdin=json.dumps([REBAR, BROKEN, WORKED_EXAMPLE, "not a case"])), 2)
    assert [r["verdict"] for r in out] == ["pass", "invalid", "fail", "invalid"]
    assert out[0]["rule_table"].startswith("GB/T 1499.2-2018")
    assert out[1]["reasons"]
    assert out[2]["rule_table"].startswith("GB/T 50107-2010")


def test_cases_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([WORKED_EXAMPLE, REBAR], ensure_ascii=False), encoding="utf-8")
    out = results(qtrail(str(path)), 1)
    assert [r["verdict"] for r in out] == ["fail", "pass"]


def test_malformed_json_is_an_invalid_result_and_exits_2() -> None:
    done = qtrail(stdin='{"standard": "GB 175-2007",')
    (result,) = results(done, 2)
    assert result["verdict"] == "invalid"
    assert "not valid JSON" in result["reasons"][0]
    assert "not valid JSON" in done.stderr


def test_malformed_json_in_a_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("[{]", encoding="utf-8")
    done = qtrail(str(path))
    assert [r["verdict"] for r in results(done, 2)] == ["invalid"]
    assert "not valid JSON" in done.stderr
    assert str(path) in done.stderr


@pytest.mark.parametrize(
    ("cases", "exit_code"),
    [
        ([REBAR], 0),
        ([REBAR, REBAR], 0),
        ([REBAR, WORKED_EXAMPLE], 1),
        ([WORKED_EXAMPLE, BROKEN], 2),
        ([REBAR, BROKEN], 2),
        ([], 0),
    ],
)
def test_the_exit_code_says_whether_all_pass_some_fail_or_some_are_invalid(
    cases: list[dict[str, Any]], exit_code: int
) -> None:
    out = results(qtrail(stdin=json.dumps(cases)), exit_code)
    assert len(out) == len(cases)


def test_json_lines_give_a_result_per_line_even_for_a_broken_one() -> None:
    lines = [json.dumps(REBAR), '{"standard": "GB 175-2023", "grade":', json.dumps(WORKED_EXAMPLE)]
    out = results(qtrail(stdin="\n".join(lines) + "\n"), 2)
    assert [r["verdict"] for r in out] == ["pass", "invalid", "fail"]
    assert out[1]["reasons"][0].startswith("line 2: not valid JSON")


def test_values_that_would_crash_a_json_reader_each_get_a_result() -> None:
    # 1e999 is read as infinity, NaN as a float, a 5000-digit integer as infinity: each case is
    # invalid on its own and the others are still judged
    huge = "9" * 5000
    text = (
        "["
        + json.dumps(REBAR)
        + ', {"standard": "GB/T 50107-2010", "grade": "C30", "group_values": [1e999, 40, 40]}'
        + ', {"standard": "GB/T 50107-2010", "grade": "C30", "group_values": [NaN, 40, 40]}'
        + f', {{"standard": "GB/T 50107-2010", "grade": "C30", "group_values": [{huge}, 40, 40]}}'
        + ', {"standard": "GB/T 50107-2010", "grade": "C30", "group_values": [1e308, 40, 40]}'
        + "]"
    )
    done = qtrail(stdin=text)
    out = results(done, 2)
    assert [r["verdict"] for r in out] == ["pass", "invalid", "invalid", "invalid", "invalid"]
    assert "NaN" not in done.stdout and "Infinity" not in done.stdout


def test_deeply_nested_input_is_an_invalid_result() -> None:
    (result,) = results(qtrail(stdin="[" * 100_000 + "]" * 100_000), 2)
    assert result["verdict"] == "invalid"


def test_undecodable_bytes_do_not_stop_the_command(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"standard": "GB 175-2023", "type": "P\xb7O"}')
    (result,) = results(qtrail(str(path)), 2)
    assert result["verdict"] == "invalid"


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-file.json"
    done = qtrail(str(missing))
    assert done.returncode == 2
    assert done.stdout == ""
    assert str(missing) in done.stderr
