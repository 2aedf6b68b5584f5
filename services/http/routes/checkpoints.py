"""Signed checkpoints: the latest and numbered tree heads, consistency and inclusion proofs (public)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from services.adapters.postgres.checkpoints import CheckpointStore
from services.application.export import NothingToExport, NotYetCheckpointed, UnknownCheckpoint
from services.application.proofs import LogDamaged, consistency_proof, inclusion_proof
from services.domain.access import KeyKind
from services.domain.checkpoint import Checkpoint
from services.http.auth import Caller, require_kind
from services.http.deps import CheckpointLog, CodeSigner, Config, EvidenceFiles, Exports
from services.http.problems import Problem

router = APIRouter(tags=["checkpoints"])
MAX_BIGINT = 2**63 - 1


async def _checkpoint(store: CheckpointStore, number: int | None) -> Checkpoint:
    found = await (store.latest() if number is None else store.get(number))
    if found is None:
        raise Problem(
            404,
            "No such checkpoint",
            "no checkpoint yet" if number is None else f"no checkpoint {number}",
        )
    return found


def _damaged(exc: LogDamaged) -> Problem:
    """A proof the stored tree gives no longer verifies: the log says so rather than serve it."""
    return Problem(500, "Checkpoint log damaged", str(exc))


@router.get("/v1/checkpoints/latest", summary="The latest signed tree head")
async def latest(store: CheckpointLog, signer: CodeSigner) -> dict[str, Any]:
    found = await _checkpoint(store, None)
    return found.as_dict() | {"public_keys": signer.public_keys()}


@router.get("/v1/checkpoints/{number}", summary="A signed tree head by number")
async def numbered(
    number: Annotated[int, Path(ge=1, le=MAX_BIGINT)], store: CheckpointLog
) -> dict[str, Any]:
    found = await _checkpoint(store, number)
    return found.as_dict()


@router.get(
    "/v1/checkpoints/{number}/consistency",
    summary="Proof that an older checkpoint is a prefix of this one",
)
async def consistency(
    number: Annotated[int, Path(ge=1, le=MAX_BIGINT)],
    store: CheckpointLog,
    since: Annotated[int, Query(alias="from", ge=1, le=MAX_BIGINT)],
) -> dict[str, Any]:
    newer = await _checkpoint(store, number)
    older = await _checkpoint(store, since)
    if older.tree_size > newer.tree_size:
        raise Problem(
            422,
            "Wrong order",
            "the older checkpoint must come first",
            errors=[{"field": "from", "reason": "must name an earlier checkpoint"}],
        )
    try:
        proof = await consistency_proof(store, older, newer)
    except LogDamaged as exc:
        raise _damaged(exc) from exc
    return {"from": older.as_dict(), "to": newer.as_dict(), "proof": [p.hex() for p in proof]}


@router.get(
    "/v1/projects/{project_id}/inclusion",
    summary="Proof that the project's head is in a checkpoint (the latest, or that of tree_size)",
)
async def inclusion(
    project_id: str,
    store: CheckpointLog,
    tree_size: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_BIGINT,
            description="the size of a checkpoint you hold: the proof is against its root",
        ),
    ] = None,
) -> dict[str, Any]:
    """``leaf_index``, ``tree_size``, ``leaf_hash`` and ``hashes`` (base64) are the C2SP-style
    answer any RFC 6962 library checks against the checkpoint of ``tree_size``; ``checkpoint``,
    ``leaf``, ``seq``, ``head`` and ``proof`` (hex) are kept for the clients that read them."""
    if tree_size is None:
        found = await _checkpoint(store, None)
    else:
        sized = await store.of_size(tree_size)
        if sized is None:
            reason = "must be the tree size of a signed checkpoint"
            raise Problem(
                404,
                "No such checkpoint",
                f"no checkpoint signed a tree of {tree_size} leaves",
                errors=[{"field": "tree_size", "reason": reason}],
            )
        found = sized
    leaf = await store.latest_leaf(project_id, found.tree_size)
    if leaf is None:
        raise Problem(
            404, "Not checkpointed yet", f"project {project_id} is not in checkpoint {found.number}"
        )
    index, leaf_bytes, seq, head = leaf
    try:
        proof = await inclusion_proof(store, index, leaf_bytes, found)
    except LogDamaged as exc:
        raise _damaged(exc) from exc
    return proof.as_dict() | {
        "checkpoint": found.as_dict(),
        "leaf": leaf_bytes.decode(),
        "seq": seq,
        "head": head.hex(),
        "proof": [p.hex() for p in proof.hashes],
    }


@router.get(
    "/v1/projects/{project_id}/export", summary="The self-verifying export bundle (regulators)"
)
async def export(
    project_id: str,
    exports: Exports,
    files: EvidenceFiles,
    settings: Config,
    caller: Caller,
    evidence: bool = False,
    since: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_BIGINT,
            description="a checkpoint you kept: the bundle carries the proof that its own "
            "checkpoint extends that one",
        ),
    ] = None,
) -> JSONResponse:
    require_kind(caller, KeyKind.REGULATOR)
    try:
        body = await exports(files if evidence else None, project_id, since)
    except NothingToExport as exc:
        raise Problem(404, "Unknown project", f"project {project_id} has no sealed events") from exc
    except NotYetCheckpointed as exc:
        wait = int(settings.checkpoint_interval_s)
        raise Problem(
            409,
            "Not yet checkpointed",
            f"no signed checkpoint covers project {project_id} yet; the next one, due within "
            f"{wait} s, will",
            extra={"retry_after_s": wait},
        ) from exc
    except UnknownCheckpoint as exc:
        raise Problem(
            404,
            "No such checkpoint",
            f"no checkpoint {since} to prove consistency from",
            errors=[{"field": "since", "reason": "must name an existing checkpoint"}],
        ) from exc
    return JSONResponse(
        body, headers={"content-disposition": f'attachment; filename="{project_id}.qtrail.json"'}
    )
