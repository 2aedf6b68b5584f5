"""API keys for test organizations, created in an environment's database."""

from __future__ import annotations

from typing import Any

import asyncpg

from services.adapters.postgres.keys import KeyStore
from services.adapters.postgres.stations import Station, StationStore
from services.domain.access import KeyKind
from tests.support.events import LAB, ORGS, STATION, STRANGER
from tests.support.stack import Environment


async def issue_keys(environment: Environment) -> dict[str, str]:
    """Tokens by name: each party role, 'lab', 'stranger', 'regulator' (the station the test
    registrations name, registered with Xuzhou as its jurisdiction), 'stranger_regulator' (a
    regulator key of no registered station) and 'rogue_lab'."""
    pool = await asyncpg.create_pool(environment.settings.dsn("migrator"), min_size=1, max_size=2)
    assert pool is not None
    try:
        await StationStore(pool).put(Station(STATION, "测试质量监督站", ("320300",)))
        store = KeyStore(pool)
        tokens = {}
        for role, org in ORGS.items():
            tokens[role] = (await store.create(org, KeyKind.PARTY, f"test {role}"))[1]
        tokens["lab"] = (await store.create(LAB, KeyKind.LAB, "test lab"))[1]
        tokens["stranger"] = (await store.create(STRANGER, KeyKind.PARTY, "test stranger"))[1]
        tokens["regulator"] = (await store.create(STATION, KeyKind.REGULATOR, "test station"))[1]
        tokens["stranger_regulator"] = (
            await store.create(STRANGER, KeyKind.REGULATOR, "a station the projects do not name")
        )[1]
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
    if event["actorrole"] == "regulator":
        return tokens["regulator" if event["actororg"] == STATION else "stranger_regulator"]
    by_org = {org: role for role, org in ORGS.items()}
    return tokens[by_org.get(event["actororg"], "stranger")]
