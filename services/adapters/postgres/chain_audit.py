"""Verifying a stored chain with the pure verifier, streaming its links from PostgreSQL."""

from __future__ import annotations

from services.adapters.postgres.trail_store import TrailStore
from services.domain.chain import StoredLink, Verification, verify_links


async def verify_project(store: TrailStore, project_id: str) -> Verification:
    links: list[StoredLink] = [link async for link in store.links(project_id)]
    return verify_links(links)
