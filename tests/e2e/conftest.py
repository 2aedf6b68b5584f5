"""End-to-end tests reuse the integration fixtures: real stack, real processes, real HTTP."""

from tests.integration.conftest import (  # noqa: F401
    client,
    db,
    environment,
    site,
    stack,
    superuser,
    system,
    tokens,
)
