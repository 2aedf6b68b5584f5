"""Back-pressure and clear errors at the door: sizes, nesting, unstorable values, unreachable
dependencies, and what anonymous requests may (not) leave behind."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from events import limits
from services.adapters.postgres.pool import create_pool
from services.adapters.postgres.web_sessions import TTL, WebSessions
from services.adapters.signing import Signer
from services.domain.access import KeyKind, Principal
from services.domain.codes import PLAQUE, Claims, sign
from services.http.limits import EVENT_BODY, OTHER_BODY
from tests.support.client import Site
from tests.support.events import STRUCTURED, lot, registration
from tests.support.keys import auth
from tests.support.processes import Api
from tests.support.stack import Environment, admin_dsn, free_port


async def _raw_request(port: int, head: bytes, body: bytes = b"") -> bytes:
    """Send a request by hand (a declared length we never send, a chunked body) and read the
    answer's status line and headers."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head + body)
        await writer.drain()
        return await asyncio.wait_for(reader.read(4096), timeout=10)
    finally:
        writer.close()


async def test_a_body_announced_too_large_is_refused_before_it_is_read(system: Api) -> None:
    head = (
        b"POST /regulator/login HTTP/1.1\r\nhost: x\r\n"
        b"content-type: application/x-www-form-urlencoded\r\n"
        b"content-length: 41943040\r\n\r\n"
    )
    answer = await _raw_request(system.port, head, b"key=")  # 40 MB announced, 4 bytes sent
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"application/problem+json" in answer


async def test_a_chunked_body_is_cut_off_at_the_limit(system: Api) -> None:
    chunk = b"k" * 16384
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(8)) + b"0\r\n\r\n"
    head = (
        b"POST /regulator/login HTTP/1.1\r\nhost: x\r\n"
        b"content-type: application/x-www-form-urlencoded\r\ntransfer-encoding: chunked\r\n\r\n"
    )
    assert len(body) > OTHER_BODY
    answer = await _raw_request(system.port, head, body)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


async def test_what_could_never_be_stored_is_refused_naming_the_field(
    client: httpx.AsyncClient, tokens: dict[str, str], db: asyncpg.Connection
) -> None:
    project = f"LIM-{uuid.uuid4().hex[:6]}"
    headers = STRUCTURED | auth(tokens["owner"])

    async def post(body: bytes) -> httpx.Response:
        return await client.post("/v1/events", content=body, headers=headers)

    deep = await post(b"[" * 5000 + b"]" * 5000)
    assert deep.status_code == 400 and "nested" in deep.json()["detail"]

    event = registration(project)
    event["data"]["floor_area_m2"] = float("inf")
    infinite = await post(json.dumps(event, allow_nan=True).encode())
    assert infinite.status_code == 400 and "finite" in infinite.json()["errors"][0]["reason"]

    event = registration(project)
    event["data"]["name"] = "A\u0000B"
    nul = await post(json.dumps(event).encode())
    assert nul.status_code == 422
    assert nul.json()["errors"] == [
        {"field": "data.name", "reason": "contains the control character U+0000"}
    ]

    event = registration(project)
    event["data"]["floor_area_m2"] = 1e300
    huge = await post(json.dumps(event).encode())
    assert huge.status_code == 422 and huge.json()["errors"][0]["field"] == "data.floor_area_m2"

    event = registration(project)
    event["data"]["extra"] = ["y" * 8000] * 20  # each string allowed, the event too large
    large = await post(json.dumps(event).encode())
    assert large.status_code == 413
    assert str(limits.MAX_EVENT_BYTES) in large.json()["detail"]

    oversize = await post(b" " * (EVENT_BODY + 1))
    assert oversize.status_code == 413

    kept = await db.fetch(
        "SELECT status, errors FROM ingest_rejections WHERE endpoint = '/v1/events' "
        "AND received_at > now() - interval '1 minute' ORDER BY id"
    )
    assert [r["status"] for r in kept][-5:] == [400, 400, 422, 422, 413]
    # Nothing of it was published: the project has no events at all.
    assert await db.fetchval("SELECT count(*) FROM submissions WHERE project_id = $1", project) == 0


async def test_forged_plaque_scans_are_counted_per_project_and_day(
    site: Site, client: httpx.AsyncClient, environment: Environment
) -> None:
    project = f"FORGE-{uuid.uuid4().hex[:6]}"
    await site.sealed(registration(project))
    signer = Signer.from_settings(environment.settings)
    forger = Ed25519PrivateKey.generate()  # the forger's own key, under our key id
    ours = signer.active
    forged = [sign(Claims(ours, PLAQUE, project, str(n)), forger) for n in range(1, 6)]
    elsewhere = sign(Claims(ours, PLAQUE, f"NOPE-{uuid.uuid4().hex[:6]}", "1"), forger)
    unknown_key = sign(Claims("not-our-key", PLAQUE, project, "1"), forger)
    for code in [*forged, elsewhere, unknown_key, "garbage", "e30.e30"]:
        answer = await client.get(f"/p/{code}")
        assert answer.status_code == 404
        assert "此标牌无效" in answer.text

    superuser = await asyncpg.connect(admin_dsn(environment.database))
    try:
        rows = await superuser.fetch("SELECT project_id, scans FROM forged_scans")
        invalid_rows = await superuser.fetchval(
            "SELECT count(*) FROM plaque_scans WHERE result = 'invalid'"
        )
    finally:
        await superuser.close()
    assert [(r["project_id"], r["scans"]) for r in rows] == [(project, 5)]
    assert invalid_rows == 1  # nine invalid scans, one row for the day
    alerts = (await site.get(f"/v1/projects/{project}/alerts")).json()["alerts"]
    (alert,) = [a for a in alerts if a["kind"] == "forged_plaque"]
    assert alert["severity"] == "critical" and alert["scans"] == 5
    assert "5 time(s)" in alert["message_en"]


async def test_regulator_sessions_live_on_the_server_and_end(
    system: Api, tokens: dict[str, str], environment: Environment
) -> None:
    project = "SESSION-P"
    key = tokens["regulator"]
    async with httpx.AsyncClient(base_url=system.base_url, timeout=30) as browser:
        signed_in = await browser.post(
            "/regulator/login",
            data={"key": key, "next": f"/regulator/projects/{project}"},
            follow_redirects=False,
        )
        assert signed_in.status_code == 303
        cookie = browser.cookies.get("qtrail_regulator")
        assert cookie and key not in cookie and key.split(".")[1] not in cookie
        assert "max-age" in signed_in.headers["set-cookie"].lower()
        page = await browser.get(f"/regulator/projects/{project}", follow_redirects=False)
        assert page.status_code == 404  # signed in: an unknown project, not the sign-in form
        out = await browser.post("/regulator/logout", follow_redirects=False)
        assert out.status_code == 303
    async with httpx.AsyncClient(base_url=system.base_url, timeout=30) as stale:
        stale.cookies.set("qtrail_regulator", cookie, path="/regulator")
        again = await stale.get(f"/regulator/projects/{project}", follow_redirects=False)
        assert again.status_code == 303 and "/regulator/login" in again.headers["location"]

    pool = await asyncpg.create_pool(admin_dsn(environment.database), min_size=1, max_size=1)
    assert pool is not None
    try:
        sessions = WebSessions(pool)
        key_id = key.removeprefix("qtk_").split(".")[0]
        regulator = Principal(key_id=key_id, org="x", kind=KeyKind.REGULATOR)
        now = dt.datetime.now(dt.UTC)
        token = await sessions.open(regulator, now)
        assert (await sessions.principal(token, now)) is not None
        assert (await sessions.principal(token, now + TTL + dt.timedelta(seconds=1))) is None
        await pool.execute("UPDATE api_keys SET revoked_at = now() WHERE key_id = $1", key_id)
        assert (await sessions.principal(token, now)) is None  # the key's revocation ends it
        await pool.execute("UPDATE api_keys SET revoked_at = NULL WHERE key_id = $1", key_id)
    finally:
        await pool.close()


class _Proxy:
    """A TCP proxy to PostgreSQL that the test can cut, as a network failure would."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.server: asyncio.Server | None = None
        self.port = 0
        self.links: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()
        for writer in list(self.links):
            writer.transport.abort()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self.links |= {writer, up_writer}

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))


@contextlib.asynccontextmanager
async def _api_behind(proxy: _Proxy, environment: Environment) -> AsyncIterator[Api]:
    api = Api(environment)
    api.extra_env = {"QTRAIL_PG_PORT": str(proxy.port)}
    await asyncio.to_thread(api.start)
    try:
        yield api
    finally:
        await asyncio.to_thread(api.stop)


async def test_postgresql_away_is_503_with_retry_after_and_then_it_recovers(
    environment: Environment, tokens: dict[str, str]
) -> None:
    proxy = _Proxy(environment.settings.pg_port)
    await proxy.start()
    other = Environment(environment.suffix + "p", environment.settings, dict(environment.env))
    other.env["QTRAIL_HTTP_PORT"] = str(free_port())
    async with (
        _api_behind(proxy, other) as api,
        httpx.AsyncClient(base_url=api.base_url, timeout=30) as client,
    ):
        event = lot(f"AWAY-{uuid.uuid4().hex[:6]}", 1)
        headers = STRUCTURED | auth(tokens["construction"])
        assert (await client.post("/v1/events", json=event, headers=headers)).status_code in (
            200,
            202,
        )
        await proxy.cut()
        for path in ("/v1/events", "/healthz"):
            answer = (
                await client.post(path, json=event, headers=headers)
                if path == "/v1/events"
                else await client.get(path)
            )
            assert answer.status_code == 503, answer.text
            if path == "/v1/events":
                assert answer.headers["retry-after"] == "5"
                assert answer.json()["type"].endswith("/unavailable")
        await proxy.start()
        for _ in range(50):
            answer = await client.post("/v1/events", json=event, headers=headers)
            if answer.status_code != 503:
                break
            await asyncio.sleep(0.2)
        assert answer.status_code in (200, 202), answer.text
    await proxy.cut()


async def test_anonymous_refusals_add_no_rows(
    client: httpx.AsyncClient, environment: Environment
) -> None:
    superuser = await asyncpg.connect(admin_dsn(environment.database))
    try:
        before = await superuser.fetchval("SELECT count(*) FROM ingest_rejections")
        for _ in range(5):
            assert (await client.post("/regulator/login", data={"key": ""})).status_code == 422
            assert (await client.post("/v1/events", content=b"{}")).status_code == 401
        after = await superuser.fetchval("SELECT count(*) FROM ingest_rejections")
    finally:
        await superuser.close()
    assert after == before


async def test_a_busy_pool_gives_up_instead_of_queueing_for_ever(environment: Environment) -> None:
    settings = environment.settings.model_copy(update={"db_acquire_timeout_s": 0.3})
    pool = await create_pool(settings, "reader", max_size=1)
    try:
        async with pool.acquire():
            with pytest.raises(TimeoutError):
                await pool.fetchval("SELECT 1")
        assert await pool.fetchval("SELECT 1") == 1
    finally:
        await pool.close()


async def test_an_oversize_body_ending_in_one_chunk_is_answered_not_left_hanging(
    system: Api,
) -> None:
    chunk = b"k" * (OTHER_BODY + 1)
    body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(chunk), chunk)
    head = (
        b"POST /regulator/login HTTP/1.1\r\nhost: x\r\n"
        b"content-type: application/x-www-form-urlencoded\r\ntransfer-encoding: chunked\r\n\r\n"
    )
    answer = await _raw_request(system.port, head, body)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
