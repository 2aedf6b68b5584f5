"""Serve the HTTP API: ``python -m services.http`` (host and port from QTRAIL_HTTP_*)."""

from __future__ import annotations

import uvicorn

from services.http.app import create_app
from services.logs import configure
from services.settings import get_settings


def main() -> None:
    settings = get_settings()
    configure("api")
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=75,  # longer than clients' pools keep idle connections (aiohttp 15 s, browsers 60 s)
    )


if __name__ == "__main__":
    main()
