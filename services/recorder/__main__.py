"""Start a recorder worker: ``python -m services.recorder``. Topics must exist (``qtrail topics``)."""

from __future__ import annotations

import asyncio

from faust.worker import Worker
from prometheus_client import start_http_server

from services.adapters.kafka.topics import check_topics
from services.logs import configure
from services.recorder.app import create_app
from services.settings import get_settings


def main() -> None:
    settings = get_settings()
    configure("recorder")
    asyncio.run(check_topics(settings, "recorder"))
    if settings.recorder_metrics_port:
        start_http_server(settings.recorder_metrics_port, addr="127.0.0.1")
    app = create_app(settings)
    worker = Worker(app, loglevel="warning", quiet=True)
    worker.spinner = None  # a terminal progress spinner only garbles log files
    worker.execute_from_commandline()


if __name__ == "__main__":
    main()
