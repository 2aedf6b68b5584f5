"""``qtrail evaluate``: JSON in (standard input or a file), JSON out; exit 2 on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

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


def results(done: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert isinstance(out, list)
    return out


def test_one_case_on_stdin_gives_a_list_of_one_result() -> None:
    (result,) = results(qtrail(stdin=json.dumps(WORKED_EXAMPLE)))
    assert result["verdict"] == "fail"
    assert result["n"] == 10
    assert result["rule_table"].startswith("GB/T 50107-2010")


def test_a_dash_means_standard_input() -> None:
    (result,) = results(qtrail("-", stdin=json.dumps(REBAR)))
    assert result["verdict"] == "pass"


def test_a_list_of_cases_keeps_its_order_and_an_invalid_case_does_not_stop_the_others() -> None:
    out = results(qtrail(stdin=json.dumps([REBAR, BROKEN, WORKED_EXAMPLE, "not a case"])))
    assert [r["verdict"] for r in out] == ["pass", "invalid", "fail", "invalid"]
    assert out[0]["rule_table"].startswith("GB/T 1499.2-2018")
    assert out[1]["reasons"]
    assert out[2]["rule_table"].startswith("GB/T 50107-2010")


def test_cases_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([WORKED_EXAMPLE, REBAR], ensure_ascii=False), encoding="utf-8")
    out = results(qtrail(str(path)))
    assert [r["verdict"] for r in out] == ["fail", "pass"]


def test_malformed_json_exits_2_and_says_so() -> None:
    done = qtrail(stdin='{"standard": "GB 175-2007",')
    assert done.returncode == 2
    assert done.stdout == ""
    assert "not valid JSON" in done.stderr


def test_malformed_json_in_a_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("[{]", encoding="utf-8")
    done = qtrail(str(path))
    assert done.returncode == 2
    assert "not valid JSON" in done.stderr
    assert str(path) in done.stderr


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-file.json"
    done = qtrail(str(missing))
    assert done.returncode == 2
    assert done.stdout == ""
    assert str(missing) in done.stderr
