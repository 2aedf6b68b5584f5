"""Whether a stored chain still continues the history that signed checkpoints hold.

A database superuser can switch the append-only triggers off and rewrite a chain so that its own
links hold again. Only what was signed earlier tells: each leaf of a project in the checkpoint log
(seq, head) must still be the chain's hash at that seq. The checkpointer checks the records since
a project's previous leaf before it signs a new one (``extend``); verification checks every leaf of
the project against the whole chain (``first_disagreement``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.domain.chain import GENESIS, StoredLink, chain_hash
from services.domain.frozen import replace
from services.domain.materials.alerts import AlertKind
from services.domain.state import Alert, Severity


@dataclass(frozen=True)
class Leaf:
    """One project's leaf in the checkpoint log: the chain's head at ``seq`` when ``checkpoint``
    signed it, at position ``index`` of the log."""

    index: int
    seq: int
    head: bytes
    checkpoint: int


@dataclass(frozen=True)
class Break:
    """Where, and how, a chain stops continuing its signed history."""

    seq: int
    en: str
    zh: str


@dataclass(frozen=True)
class Extension:
    """The verified end of a chain that continues its previous leaf."""

    seq: int
    head: bytes


def extend(
    project_id: str,
    previous: Leaf | None,
    links: Sequence[StoredLink],
    recorded: tuple[int, bytes] | None,
) -> Extension | Break:
    """Check the links from the previous leaf's seq (seq 1 when there is none) to the chain's end.

    The record at the previous leaf's seq must recompute, from its stored bytes, to the head that
    checkpoint signed; every later link must hold; every record must name this project and its
    position. ``recorded`` is the recorder's own (seq, head) of the project: it must lie on the
    verified chain, or someone reset it. The new head comes from the verified chain, never from
    ``recorded``.
    """
    start = previous.seq if previous else 1
    signed = f"checkpoint {previous.checkpoint}" if previous else ""
    if not links or links[0].seq != start:
        return Break(
            start,
            f"seq {start} is missing" + (f" ({signed} signed its head)" if previous else ""),
            f"第 {start} 条记录缺失"
            + (f"（检查点 {previous.checkpoint} 已签名）" if previous else ""),
        )
    hashes: dict[int, bytes] = {}
    expected_prev = None if previous else GENESIS
    for i, link in enumerate(links):
        seq = start + i
        if link.seq != seq:
            return Break(seq, f"seq {seq} is missing", f"第 {seq} 条记录缺失")
        if expected_prev is not None and link.prev_hash != expected_prev:
            return Break(
                seq, f"seq {seq} does not link to seq {seq - 1}", f"第 {seq} 条记录与前一条不衔接"
            )
        recomputed = chain_hash(link.prev_hash, link.canonical)
        if previous and i == 0 and recomputed != previous.head:
            return Break(
                seq,
                f"history rewritten: seq {seq} is no longer the head {signed} signed",
                f"历史被改写：第 {seq} 条记录不再是检查点 {previous.checkpoint} 签名的链头",
            )
        if not _names(link, project_id):
            return Break(
                seq,
                f"seq {seq} names another project or position",
                f"第 {seq} 条记录写明的项目或位置不符",
            )
        if recomputed != link.hash:
            return Break(
                seq, f"seq {seq} was edited: hash mismatch", f"第 {seq} 条记录被改动：哈希不符"
            )
        hashes[seq] = link.hash
        expected_prev = link.hash
    end = links[-1]
    if recorded is not None:
        seq, head = recorded
        if seq > end.seq:
            return Break(
                end.seq + 1,
                f"seq {end.seq + 1} is missing: the recorder's head is at seq {seq}",
                f"第 {end.seq + 1} 条记录缺失：记录器的链头在第 {seq} 条",
            )
        if seq < start or hashes[seq] != head:
            return Break(
                seq,
                f"the recorder's head at seq {seq} is not on the checkpointed chain (reset?)",
                f"记录器在第 {seq} 条的链头不在已签名的链上（被重置？）",
            )
    return Extension(end.seq, end.hash)


def _names(link: StoredLink, project_id: str) -> bool:
    try:
        body = json.loads(link.canonical)
    except ValueError:
        return False
    return (
        isinstance(body, dict)
        and body.get("project_id") == project_id
        and body.get("seq") == link.seq
        and body.get("prev_hash") == link.prev_hash.hex()
    )


def first_disagreement(
    hashes: Sequence[bytes], leaves: Iterable[Leaf], verified: int, broken: bool
) -> Break | None:
    """The first seq where the chain and a signed leaf of the project disagree, or None.

    ``hashes`` are the chain's stored hashes by seq from 1, of which the first ``verified`` passed
    the link checks; ``broken`` says the links failed right after them, so leaves beyond can only
    be judged by that failure. A leaf beyond a whole chain means its tail was cut off.
    """
    agreed: Leaf | None = None
    for leaf in sorted(leaves, key=lambda leaf: (leaf.seq, leaf.index)):
        if leaf.seq > verified:
            if broken:
                return None
            return Break(
                verified + 1,
                f"truncated tail: checkpoint {leaf.checkpoint} holds seq {leaf.seq}, "
                f"the chain ends at {verified}",
                f"链尾被截断：检查点 {leaf.checkpoint} 含第 {leaf.seq} 条，链只到第 {verified} 条",
            )
        if hashes[leaf.seq - 1] != leaf.head:
            since = (
                f"; seq {agreed.seq} still matches checkpoint {agreed.checkpoint}, so the change "
                f"lies in seqs {agreed.seq + 1}–{leaf.seq}"
                if agreed
                else ""
            )
            return Break(
                leaf.seq,
                f"history rewritten: seq {leaf.seq} is not the head checkpoint "
                f"{leaf.checkpoint} signed{since}",
                f"历史被改写：第 {leaf.seq} 条不是检查点 {leaf.checkpoint} 签名的链头",
            )
        agreed = leaf
    return None


CHAIN_REWRITTEN = AlertKind(
    "chain_rewritten",
    Severity.CRITICAL,
    "项目 {project} 的哈希链与已签名检查点不符：{zh}。检查点不再纳入本项目，须查明数据库内的改动",
    "project {project}: the hash chain no longer continues its signed checkpoints: {en}. "
    "No checkpoint includes the project until the change inside the database is explained",
    blocking=False,
)


def rewrite_alert(project_id: str, found: Break, at: dt.datetime) -> Alert:
    """The critical alert for a refused chain; one per distinct seq and problem."""
    alert = CHAIN_REWRITTEN.raise_(
        f"seq-{found.seq}", [], at, project=project_id, en=found.en, zh=found.zh
    )
    digest = hashlib.sha256(found.en.encode()).hexdigest()[:8]
    return replace(alert, alert_id=f"{alert.alert_id}:{digest}")
