"""docs/transparency.md shows real output: its example note and keys are the test vectors."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support import transparency as t

DOC = (Path(__file__).parents[4] / "docs" / "transparency.md").read_text()


def test_the_example_checkpoint_is_the_witnessed_vector() -> None:
    blocks = re.findall(r"```\n(.*?)```", DOC, re.S)
    assert t.witnessed(5) in blocks


def test_the_example_keys_are_the_vector_keys() -> None:
    assert t.LOG_KEY.verifier.text() in DOC
    assert t.WITNESS_KEY.verifier.text() in DOC
    assert str(t.COSIGNED_AT) in DOC
