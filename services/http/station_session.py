"""A station's signed-in browser: the session cookie the sign-in opens, the regulator it stands
for, and the CSRF token its forms carry.

The HttpOnly cookie holds only the session's random token (never the key). A form's CSRF token
is derived from that token, so a page of another site can neither read nor compute it; the
cookie is also SameSite=Strict. Scripts may send the usual ``Authorization`` header instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from fastapi import Request

from services.adapters.postgres.keys import KeyStore
from services.adapters.postgres.web_sessions import WebSessions
from services.domain.access import KeyKind, Principal

COOKIE = "qtrail_regulator"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def regulator(request: Request, keys: KeyStore, sessions: WebSessions) -> Principal | None:
    """The regulator behind the request (its key's bearer header, or its session cookie)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        principal = await keys.authenticate(header[7:].strip())
    elif session := request.cookies.get(COOKIE):
        principal = await sessions.principal(session, now())
    else:
        principal = None
    return principal if principal and principal.kind is KeyKind.REGULATOR else None


def csrf_token(request: Request) -> str:
    """The token this session's forms carry ("" without a session: header-authenticated
    scripts post no forms)."""
    session = request.cookies.get(COOKIE, "")
    if not session:
        return ""
    return hashlib.sha256(b"qtrail-csrf\n" + session.encode()).hexdigest()


def csrf_ok(request: Request, token: str) -> bool:
    expected = csrf_token(request)
    return bool(expected) and hmac.compare_digest(expected, token)
