"""Fixtures for tests against the real Kafka and PostgreSQL of deploy/stack.sh."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest

from tests.support.client import Site
from tests.support.keys import issue_keys
from tests.support.processes import Api, Process
from tests.support.stack import (
    Environment,
    admin_dsn,
    dispose,
    ensure_stack,
    new_environment,
    provision,
)


@pytest.fixture(scope="session")
def stack() -> None:
    ensure_stack()


@pytest.fixture(scope="module")
def environment(stack: None) -> Iterator[Environment]:
    env = new_environment()
    asyncio.run(provision(env))
    yield env
    asyncio.run(dispose(env))


@pytest.fixture(scope="module")
def tokens(environment: Environment) -> dict[str, str]:
    return asyncio.run(issue_keys(environment))


@pytest.fixture(scope="module")
def system(environment: Environment) -> Iterator[Api]:
    """A recorder and an API serving ``environment``, for the whole module."""
    recorder = Process("recorder", environment).start()
    try:
        api = Api(environment).start()
    except BaseException:
        recorder.stop()
        raise
    yield api
    api.stop()
    recorder.stop()


@pytest.fixture
async def client(system: Api) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=system.base_url, timeout=60) as c:
        yield c


@pytest.fixture
async def site(client: httpx.AsyncClient, tokens: dict[str, str]) -> Site:
    return Site(client, tokens)


@pytest.fixture
async def db(environment: Environment) -> AsyncIterator[asyncpg.Connection]:
    """The read-only role on the environment's database."""
    conn = await asyncpg.connect(environment.settings.dsn("reader"))
    yield conn
    await conn.close()


@pytest.fixture
async def superuser(environment: Environment) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(admin_dsn(environment.database))
    yield conn
    await conn.close()
