"""``qtrail``: operate a qtrail installation.

  qtrail migrate            apply SQL migrations (owner role)
  qtrail topics             create Kafka topics with the configured partition count
  qtrail api | recorder     run a process in the foreground
  qtrail verify PROJECT     recompute a project's chain; exit 1 when it is damaged
  qtrail demo               post a realistic sample project through the public HTTP API

Exit codes: 0 ok, 1 a check failed, 2 bad usage or input.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence

from services.settings import get_settings


def _migrate(_args: argparse.Namespace) -> int:
    from services.adapters.postgres.migrations import migrate

    applied = asyncio.run(migrate(get_settings().dsn(owner=True)))
    print(f"migrations applied: {', '.join(applied) if applied else 'none pending'}")
    return 0


def _topics(_args: argparse.Namespace) -> int:
    from services.adapters.kafka.topics import ensure_topics

    counts = asyncio.run(ensure_topics(get_settings()))
    for name, partitions in sorted(counts.items()):
        print(f"{name}: {partitions} partitions")
    return 0


def _api(_args: argparse.Namespace) -> int:
    from services.api.__main__ import main

    main()
    return 0


def _recorder(_args: argparse.Namespace) -> int:
    from services.recorder.__main__ import main

    sys.argv = [sys.argv[0], "worker"]
    main()
    return 0


def _verify(args: argparse.Namespace) -> int:
    from services.adapters.postgres.chain_audit import verify_project
    from services.adapters.postgres.pool import create_pool
    from services.adapters.postgres.trail_store import TrailStore

    async def run() -> int:
        pool = await create_pool(get_settings(), max_size=2)
        try:
            result = await verify_project(TrailStore(pool), args.project)
        finally:
            await pool.close()
        print(
            json.dumps(
                {
                    "project": args.project,
                    "ok": result.ok,
                    "length": result.length,
                    "head": result.head.hex(),
                    "first_bad_seq": result.first_bad_seq,
                    "problem": result.problem,
                },
                ensure_ascii=False,
            )
        )
        return 0 if result.ok and result.length > 0 else 1

    return asyncio.run(run())


def _demo(args: argparse.Namespace) -> int:
    from services.cli.demo import run_demo

    return asyncio.run(run_demo(args.base_url or get_settings().public_base_url))


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="qtrail", description=__doc__.split("\n\n")[0])
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply SQL migrations").set_defaults(run=_migrate)
    sub.add_parser("topics", help="create Kafka topics").set_defaults(run=_topics)
    sub.add_parser("api", help="serve the HTTP API").set_defaults(run=_api)
    sub.add_parser("recorder", help="run a recorder worker").set_defaults(run=_recorder)
    verify = sub.add_parser("verify", help="verify a project's chain")
    verify.add_argument("project")
    verify.set_defaults(run=_verify)
    demo = sub.add_parser("demo", help="post a sample project through the HTTP API")
    demo.add_argument("--base-url", help="API base URL (default QTRAIL_PUBLIC_BASE_URL)")
    demo.set_defaults(run=_demo)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
