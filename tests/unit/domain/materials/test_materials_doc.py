"""docs/materials.md shows a case per standard; each must evaluate as the document says."""

from __future__ import annotations

import json
import re
from pathlib import Path

from services.domain.materials.evaluate import evaluate

DOC = Path(__file__).resolve().parents[4] / "docs" / "materials.md"
EXAMPLE = re.compile(r"<!-- expect: ([a-z, ]+) -->\n```json\n(.*?)\n```", re.S)


def test_every_documented_case_evaluates_as_documented() -> None:
    examples = EXAMPLE.findall(DOC.read_text(encoding="utf-8"))
    standards = set()
    for expected, text in examples:
        verdict, *stage = [word.strip() for word in expected.split(",")]
        case = json.loads(text)
        result = evaluate(case).as_dict()
        assert result["verdict"] == verdict, (case, result)
        assert result["stage"] == (stage[0] if stage else "final")
        standards.add(result["standard"])
    assert {"GB/T 50107-2010", "GB/T 1499.2-2018", "GB 50204-2015", "GB 175-2023"} <= standards
    assert "GB 175-2007" in standards


def test_the_documented_invalid_case_has_the_documented_reasons() -> None:
    *_, (_, text) = EXAMPLE.findall(DOC.read_text(encoding="utf-8"))
    reasons = evaluate(json.loads(text)).as_dict()["reasons"]
    assert any("did you mean specimen_size_mm?" in r for r in reasons)
    assert any(r.startswith("grade: 'C31'") for r in reasons)
    assert sum("not a plausible cube strength; psi?" in r for r in reasons) == 3
