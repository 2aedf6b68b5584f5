"""docs/architecture.md shows the authorization matrix; it must be the one the code enforces."""

from __future__ import annotations

from pathlib import Path

from events.base import Role
from services.domain.authorization import MATRIX

DOC = Path(__file__).resolve().parents[3] / "docs" / "architecture.md"


def test_the_documented_matrix_is_the_enforced_one() -> None:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| type | owner |"))
    roles = [Role(cell.strip()) for cell in lines[header].strip("|").split("|")[1:]]
    documented: dict[str, frozenset[Role]] = {}
    for line in lines[header + 2 :]:
        if not line.startswith("| `"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        documented[cells[0].strip("`")] = frozenset(
            r for r, c in zip(roles, cells[1:], strict=True) if c
        )
    assert documented == dict(MATRIX)
