"""The handler registry: one rule and one fold for each payload class of the catalog, checked when
the domain is imported, and dispatch that hands each rule and fold only its own class."""

from __future__ import annotations

import pytest

from events.party import PartyAppointed
from events.project import ProjectRegistered
from events.registry import CURRENT
from services.domain import project
from services.domain.context import Context
from services.domain.handler import Handler, RegistryError, no_rule, registry, unchanged
from services.domain.ledger import EventRef
from services.domain.parties import fold_registered, rule_registered
from services.domain.recording import seal_submission
from services.domain.state import ProjectState
from tests.support.events import registration
from tests.unit.domain.builders import NOW, submission

REGISTRATION = Handler(ProjectRegistered, rule=rule_registered, fold=fold_registered)
APPOINTMENT = Handler(PartyAppointed, rule=no_rule, fold=unchanged)


def test_the_registry_covers_the_catalog_one_to_one() -> None:
    assert set(project.HANDLERS) == set(CURRENT)
    assert all(project.HANDLERS[model].event is model for model in CURRENT)


def test_a_registry_refuses_a_catalog_class_without_a_handler() -> None:
    with pytest.raises(RegistryError, match=r"no handler for qtrail\.party\.appointed\.v1"):
        registry([REGISTRATION], [ProjectRegistered, PartyAppointed])


def test_a_registry_refuses_two_handlers_for_one_class() -> None:
    with pytest.raises(RegistryError, match=r"two handlers for qtrail\.party\.appointed\.v1"):
        registry([REGISTRATION, APPOINTMENT, APPOINTMENT], [ProjectRegistered, PartyAppointed])


def test_a_registry_refuses_a_handler_for_a_class_outside_the_catalog() -> None:
    with pytest.raises(RegistryError, match=r"outside the catalog: qtrail\.party\.appointed"):
        registry([REGISTRATION, APPOINTMENT], [ProjectRegistered])


def test_a_handler_takes_only_its_own_payload_class() -> None:
    sub = submission(registration("XZ-HANDLER-1"))
    state = ProjectState(project_id="XZ-HANDLER-1")
    record = seal_submission(sub, state, NOW)
    ref = EventRef(event_id=record.event_id, seq=1)
    assert REGISTRATION.decide(state, sub.data, sub, Context({}, {})) is None
    assert REGISTRATION.apply(state, sub.data, record, ref).registered
    with pytest.raises(TypeError, match="PartyAppointed handler was given ProjectRegistered"):
        APPOINTMENT.apply(state, sub.data, record, ref)
    with pytest.raises(TypeError, match="PartyAppointed handler was given ProjectRegistered"):
        APPOINTMENT.decide(state, sub.data, sub, Context({}, {}))


def test_no_rule_accepts_and_unchanged_keeps_the_state() -> None:
    sub = submission(registration("XZ-HANDLER-2"))
    state = ProjectState(project_id="XZ-HANDLER-2")
    record = seal_submission(sub, state, NOW)
    assert no_rule(state, sub.data, sub, Context({}, {})) is None
    assert unchanged(state, sub.data, record, EventRef(event_id="e", seq=1)) is state


def test_the_facts_with_no_rule_or_no_fold_of_their_own() -> None:
    handlers = project.HANDLERS.items()
    without_rule = {model.event_type for model, h in handlers if h.rule is no_rule}
    keeping_nothing = {model.event_type for model, h in handlers if h.fold is unchanged}
    assert without_rule == {"qtrail.materials.evaluated.v1", "qtrail.plaque.issued.v2"}
    assert keeping_nothing == set()  # inspection lots are kept: sub-items are made of them
