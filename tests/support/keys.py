"""API keys for test organizations, created in an environment's database."""

from __future__ import annotations

from typing import Any

import asyncpg

from services.adapters.postgres.keys import KeyStore
from services.domain.access import KeyKind
from tests.support.events import LAB, ORGS, STRANGER
from tests.support.stack import Environment


async def issue_keys(environment: Environment) -> dict[str, str]:
    """Tokens by name: each party role, 'lab', 'stranger', 'regulator' and 'rogue_lab'."""
    pool = await asyncpg.create_pool(environment.settings.dsn("migrator"), min_size=1, max_size=2)
    assert pool is not None
    try:
        store = KeyStore(pool)
        tokens = {}
        for role, org in ORGS.items():
            tokens[role] = (await store.create(org, KeyKind.PARTY, f"test {role}"))[1]
        tokens["lab"] = (await store.create(LAB, KeyKind.LAB, "test lab"))[1]
        tokens["stranger"] = (await store.create(STRANGER, KeyKind.PARTY, "test stranger"))[1]
        tokens["regulator"] = (await store.create(STRANGER, KeyKind.REGULATOR, "test regulator"))[1]
        tokens["rogue_lab"] = (
            await store.create(STRANGER, KeyKind.LAB, "a lab nobody commissioned")
        )[1]
        return tokens
    finally:
        await pool.close()


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def author_token(tokens: dict[str, str], event: dict[str, Any]) -> str:
    """The token of the organization that acts in ``event``."""
    if event["actorrole"] == "lab":
        return tokens["lab"]
    by_org = {org: role for role, org in ORGS.items()}
    return tokens[by_org.get(event["actororg"], "stranger")]
