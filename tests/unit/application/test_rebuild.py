"""Rebuilding the read models over the memory ports, from the stored chains and from the trail
topic as the recorder published it: equal, or each difference named."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

from services.application.rebuild import Comparison, from_store, from_topic
from services.application.record_batch import BatchRecorder, Topics
from tests.support.events import (
    appointment,
    lab_commissioned,
    lot,
    opened,
    received,
    sample,
    staffed,
    witness_authorized,
)
from tests.support.fakes import Head, MemoryPublisher
from tests.support.sealing import NOW, raw
from tests.unit.application.conftest import Stores

TOPICS = Topics("trail", "rejected", "alerts")
LOTS_FROM = len(opened("XZ-ANY")) + 1
"""The lots project's records before its lots: opened, then construction appointed."""


async def recorded(stores: Stores) -> tuple[str, str, MemoryPublisher]:
    """Two projects recorded by the recorder's use case in three batches: one with a sealed
    alert (a seal that does not match), one of inspection lots."""
    materials, lots = f"MAT-{uuid.uuid4().hex[:6]}", f"LOT-{uuid.uuid4().hex[:6]}"
    published = MemoryPublisher()
    recorder = BatchRecorder(TOPICS, stores.trail, published, clock=lambda: NOW)
    await recorder.record_batch(
        [raw(e) for e in [*staffed(materials), *opened(lots), appointment(lots, "construction")]]
    )
    await recorder.record_batch(
        [
            raw(e)
            for e in [
                lab_commissioned(materials),
                witness_authorized(materials),
                sample(materials, "S1"),
                received(materials, "S1", seal="ANOTHER-SEAL"),
            ]
        ]
    )
    await recorder.record_batch([raw(lot(lots, n)) for n in range(1, 6)])
    assert (materials, "seal_mismatch:S1") in stores.db.alerts
    return materials, lots, published


async def offsets(values: list[bytes]) -> AsyncIterator[tuple[int, bytes]]:
    for offset, value in enumerate(values):
        yield offset, value


def on_topic(published: MemoryPublisher) -> list[bytes]:
    return [value for _, value in published.sent["trail"]]


def position(message: bytes) -> tuple[str, int]:
    record = json.loads(message)["record"]
    return record["project_id"], record["seq"]


async def test_a_rebuild_from_the_store_and_from_the_topic_equals_the_live_models(
    stores: Stores,
) -> None:
    _, _, published = await recorded(stores)
    materials_records = len(staffed("XZ-ANY")) + 4
    expected = Comparison(projects=2, records=materials_records + LOTS_FROM + 5)
    assert await from_store(stores.trail, stores.models) == expected
    assert await from_topic(offsets(on_topic(published)), stores.models) == expected
    redelivered = on_topic(published) + on_topic(published)[3:9]  # at least once: skipped by seq
    assert await from_topic(offsets(redelivered), stores.models) == expected


async def test_a_tampered_snapshot_is_named_with_its_path(stores: Stores) -> None:
    materials, _, _ = await recorded(stores)
    head = stores.db.heads[materials]
    state = json.loads(json.dumps(head.state))
    state["parties"]["design"]["org_name"] = "伪造设计院"
    stores.db.heads[materials] = Head(head.seq, head.head, state)

    result = await from_store(stores.trail, stores.models)

    assert result.differences == {
        materials: ["parties.design.org_name: live '伪造设计院', rebuilt 'design 单位有限公司'"]
    }


async def test_an_alert_missing_from_the_alerts_table_is_named(stores: Stores) -> None:
    materials, _, published = await recorded(stores)
    del stores.db.alerts[(materials, "seal_mismatch:S1")]
    lacking = {materials: ["alerts table lacks seal_mismatch:S1"]}
    assert (await from_store(stores.trail, stores.models)).differences == lacking
    assert (await from_topic(offsets(on_topic(published)), stores.models)).differences == lacking


async def test_a_message_that_does_not_hash_to_its_hash_is_named(stores: Stores) -> None:
    _, lots, published = await recorded(stores)
    values = on_topic(published)
    seq = LOTS_FROM + 2  # lot 2
    offset = [position(v) for v in values].index((lots, seq))
    message = json.loads(values[offset])
    message["record"]["data"]["building_part"] = "改写的部位"
    values[offset] = json.dumps(message, ensure_ascii=False).encode()

    result = await from_topic(offsets(values), stores.models)

    assert result.differences == {
        lots: [
            f"topic offset {offset}: seq {seq} does not hash to its hash",
            # lots are kept in the state: the rewritten part shows there too
            "inspection_lots.LOT-00002.building_part: live '第 2 批', rebuilt '改写的部位'",
        ]
    }


def without_seq(values: list[bytes], project: str, seq: int) -> list[bytes]:
    return [v for v in values if position(v) != (project, seq)]


async def test_a_chain_missing_seqs_on_the_topic_differs(stores: Stores) -> None:
    _, lots, published = await recorded(stores)
    result = await from_topic(offsets(without_seq(on_topic(published), lots, 4)), stores.models)
    assert list(result.differences) == [lots]
    assert (
        "counts.qtrail.quality.inspection_lot_accepted.v2: live 5, rebuilt 4"
        in result.differences[lots]
    )


async def test_a_chain_missing_seqs_on_the_topic_is_named(stores: Stores) -> None:
    _, lots, published = await recorded(stores)
    result = await from_topic(offsets(without_seq(on_topic(published), lots, 4)), stores.models)
    assert "the topic lacks some seqs of this chain" in result.differences[lots]
