"""The demo's story through the recorder's own pure path: every envelope is one the catalog takes,
and each event seals or is refused exactly as the demo expects (so `make up` tells the truth)."""

from __future__ import annotations

import datetime as dt

from services.cli.demo import DEMO_PROJECT, story
from services.domain.recording import decide_batch
from services.domain.state import ProjectState
from tests.unit.domain.builders import item

NOW = dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC)


def issue(kind: str, project_id: str, number: str) -> tuple[str, str]:
    code = f"{kind}.{project_id}.{number}"
    return code, f"https://qtrail.example/{kind}/{code}"


def test_every_step_of_the_story_is_decided_as_the_demo_expects() -> None:
    s = story(NOW)
    state: dict[str, ProjectState] = {}
    decided: dict[str, bytes] = {}
    for n, (_role, envelope, expect_sealed) in enumerate(s.events, 1):
        decision = decide_batch([item(envelope)], state, decided, NOW, issuer=issue)
        refused = [r.rejection.code for r in decision.rejected]
        assert (not refused) == expect_sealed, (n, envelope["type"], refused)
        state |= decision.states
        decided |= decision.digests
    final = state[DEMO_PROJECT]
    assert final.plaques, "the real completion issues the plaque"
    assert set(final.evidence) <= set(s.files), "every evidence hash the story names is uploaded"


def test_the_story_is_the_same_for_the_same_clock() -> None:
    assert story(NOW).events == story(NOW).events
