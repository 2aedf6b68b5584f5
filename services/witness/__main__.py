"""``python -m services.witness`` / ``qtrail witness``: watch a log, cosign what extends the last
checkpoint this witness cosigned, refuse (exit 1, a critical log line and an alert in the state
folder) anything else.

    qtrail witness --log https://qtrail.example/xuzhou/log --log-key-file log.vkey \\
                   --state /var/lib/witness --name archive.xuzhou.example/witness [--every 60]

The log's verifier keys come from the log's operator out of band (a letter, a gazette), never
from the log being watched. ``--show-key`` prints the witness's own verifier key, which the log
lists in ``QTRAIL_WITNESS_KEYS``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from services.adapters.witness import HttpLog, LogUnreachable, WitnessFolder
from services.application.witness import witness
from services.domain.transparency.cosignature import Cosigner
from services.domain.transparency.keys import ED25519, MalformedKey, VerifierKey
from services.domain.transparency.note import Ed25519Verifier
from services.logs import configure

COSIGNED, REFUSED, TROUBLE = 0, 1, 2


def arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The witness's options, on its own parser or on ``qtrail witness``."""
    p.add_argument("--log", help="the log's URL prefix, e.g. https://qtrail.example/xuzhou/log")
    p.add_argument("--origin", help="the log's origin (default: the URL without its scheme)")
    p.add_argument("--log-key", action="append", default=[], help="a verifier key of the log")
    p.add_argument("--log-key-file", type=Path, help="the log's verifier keys, one a line")
    p.add_argument("--state", type=Path, required=True, help="this witness's own state folder")
    p.add_argument("--name", default="witness.local", help="the witness's key name (first run)")
    p.add_argument("--every", type=float, default=0, help="look again every S seconds (0: once)")
    p.add_argument("--show-key", action="store_true", help="print this witness's verifier key")
    return p


def parser() -> argparse.ArgumentParser:
    return arguments(argparse.ArgumentParser(prog="qtrail witness"))


def _log_keys(args: argparse.Namespace, origin: str) -> list[Ed25519Verifier]:
    texts = list(args.log_key)
    if args.log_key_file:
        texts += [line.strip() for line in args.log_key_file.read_text().splitlines()]
    keys = []
    for text in filter(None, texts):
        key = VerifierKey.parse(text)
        if key.signature_type != ED25519 or key.name != origin:
            raise MalformedKey(f"{text!r} is not an Ed25519 key named {origin!r}")
        keys.append(Ed25519Verifier(key))
    if not keys:
        raise MalformedKey("give the log's verifier key: --log-key or --log-key-file")
    return keys


async def _run(args: argparse.Namespace, folder: WitnessFolder, cosigner: Cosigner) -> int:
    log_url: str = args.log
    origin = args.origin or (lambda u: f"{u.netloc}{u.path.rstrip('/')}")(urlsplit(log_url))
    keys = _log_keys(args, origin)
    logger = configure("witness").bind(origin=origin, witness=cosigner.name)
    async with httpx.AsyncClient(timeout=30) as client:
        log = HttpLog(client, log_url)
        while True:
            try:
                run = await witness(log, folder, origin, keys, cosigner, dt.datetime.now(dt.UTC))
            except LogUnreachable as exc:
                logger.warning("log unreachable", error=str(exc))
                outcome = TROUBLE
            else:
                if run.refused is not None:
                    logger.critical(
                        "checkpoint refused: the log is not consistent with what this witness "
                        "cosigned",
                        problem=run.refused,
                        alerts=str(folder.alerts_path),
                    )
                    return REFUSED  # a person looks first; the state stays as it was
                assert run.cosigned is not None
                logger.info("cosigned", size=run.cosigned.size, grew_from=run.grew_from)
                outcome = COSIGNED
            if not args.every:
                return outcome
            await asyncio.sleep(args.every)


def main(argv: Sequence[str] | None = None) -> int:
    return run(parser().parse_args(argv))


def run(args: argparse.Namespace) -> int:
    folder = WitnessFolder(args.state)
    try:
        cosigner = Cosigner(folder.key(args.name))
    except (MalformedKey, ValueError) as exc:
        print(f"qtrail witness: {exc}", file=sys.stderr)
        return TROUBLE
    if args.show_key:
        print(cosigner.key.verifier.text())
        return COSIGNED
    if not args.log:
        print("qtrail witness: --log URL is required", file=sys.stderr)
        return TROUBLE
    try:
        return asyncio.run(_run(args, folder, cosigner))
    except MalformedKey as exc:
        print(f"qtrail witness: {exc}", file=sys.stderr)
        return TROUBLE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
