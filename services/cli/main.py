"""``qtrail``: operate a qtrail installation.

  qtrail migrate            apply SQL migrations (migrator role; objects belong to the owner role)
  qtrail topics             create Kafka topics with the configured partition count (admin principal)
  qtrail api | recorder     run a process in the foreground
  qtrail keys create|list|revoke   API keys per organization and kind (shown once; migrator role)
  qtrail stations put|list         supervision stations and their jurisdictions (migrator role)
  qtrail evaluate [FILE]    evaluate material test results without the stack (JSON in, JSON out);
                            exit 0 all pass, 1 some fail, 2 some invalid (docs/materials.md)
  qtrail export PROJECT -o FILE [--since N]   the self-verifying bundle
  qtrail verify-bundle FILE --trust KID=BASE64 [--checkpoint KEPT.json | --since NOTE]
                            [--witness VKEY]   check it offline
  qtrail checkpoint         sign a checkpoint now (the recorder does it on a schedule); exit 1
                            when a project's chain no longer continues its last checkpoint
  qtrail schemas            regenerate schemas/events/*.json and schemas/openapi.json
  qtrail verify PROJECT|--all   recompute chains; exit 1 when one is damaged
  qtrail replay PROJECT [--as-of T] [--by occurred] [--steps]   regulator replay
  qtrail demo               post a realistic sample project through the public HTTP API
  qtrail witness --log URL --log-key VKEY --state DIR [--every S]   witness a log: cosign
                            what extends the last checkpoint cosigned; exit 1 on a rewritten log

Exit codes: 0 ok, 1 a check failed, 2 bad usage or input.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from rich.console import Console
from rich.progress import Progress

from services.settings import get_settings

STDERR = Console(stderr=True)
"""Progress and status go to standard error; results stay on standard output for pipes."""

T = TypeVar("T")


def interruptible(what: str, work: Callable[[], T]) -> T | int:
    """Run ``work``; Ctrl-C stops it cleanly (these commands only read, so nothing is half-done)."""
    try:
        return work()
    except KeyboardInterrupt:
        print(f"qtrail {what}: interrupted; nothing was changed", file=sys.stderr)
        return 130


def _migrate(_args: argparse.Namespace) -> int:
    from services.adapters.postgres.migrations import migrate

    applied = asyncio.run(migrate(get_settings().dsn("migrator")))
    print(f"migrations applied: {', '.join(applied) if applied else 'none pending'}")
    return 0


def _topics(_args: argparse.Namespace) -> int:
    from services.adapters.kafka.topics import ensure_topics

    counts = asyncio.run(ensure_topics(get_settings()))
    for name, partitions in sorted(counts.items()):
        print(f"{name}: {partitions} partitions")
    return 0


def _api(_args: argparse.Namespace) -> int:
    from services.http.__main__ import main

    main()
    return 0


def _recorder(_args: argparse.Namespace) -> int:
    from services.recorder.__main__ import main

    sys.argv = [sys.argv[0], "worker"]
    main()
    return 0


def _verify(args: argparse.Namespace) -> int:
    from services.adapters.postgres.checkpoints import CheckpointStore
    from services.adapters.postgres.pool import open_pool
    from services.adapters.postgres.trail_reader import PostgresTrailReader
    from services.adapters.signing import Signer
    from services.application.checkpoints import SignedHistory
    from services.application.verify import verify_project

    if bool(args.project) == bool(args.all):
        print("qtrail verify: give a PROJECT or --all", file=sys.stderr)
        return 2

    async def run() -> int:
        settings = get_settings()
        failed = 0
        progress = Progress(console=STDERR, transient=True, disable=not args.all)
        async with open_pool(settings, "reader", max_size=2) as pool:
            store = PostgresTrailReader(pool)
            projects = await store.project_ids() if args.all else [args.project]
            history = await SignedHistory.load(
                CheckpointStore(pool), Signer.from_settings(settings).verifying_keys
            )
            task = progress.add_task("verifying chains", total=len(projects))
            with progress:
                for project in projects:
                    result = await verify_project(store, project, history)
                    progress.advance(task)
                    failed += not (result.ok and result.length > 0)
                    print(json.dumps(result.as_dict(project), ensure_ascii=False), flush=True)
        if args.all:
            print(f"verified {len(projects)} project(s), {failed} damaged", file=sys.stderr)
        return 1 if failed else 0

    return interruptible("verify", lambda: asyncio.run(run()))


def _rebuild(from_kafka: bool) -> int:
    from services.adapters.kafka.trail_topic import read_trail
    from services.adapters.postgres.pool import open_pool
    from services.adapters.postgres.read_models import LiveReadModels
    from services.adapters.postgres.trail_reader import PostgresTrailReader
    from services.application.rebuild import from_store, from_topic

    status = STDERR.status("rebuilding from the log")

    def progress(text: str) -> None:
        status.update(text)

    async def run() -> int:
        settings = get_settings()
        async with open_pool(settings, "reader", max_size=2) as pool:
            models = LiveReadModels(pool)
            result = await (
                from_topic(read_trail(settings), models, progress)
                if from_kafka
                else from_store(PostgresTrailReader(pool), models, progress)
            )
        source = "qtrail.trail.v1 from offset 0" if from_kafka else "the trail in PostgreSQL"
        for project, problems in sorted(result.differences.items()):
            print(f"DIFFERS {project}")
            for problem in problems:
                print(f"    {problem}")
        verdict = (
            "EQUAL to the live read models"
            if result.equal
            else f"{len(result.differences)} project(s) DIFFER"
        )
        print(
            f"rebuilt {result.projects} project(s), {result.records} records, from {source}: {verdict}"
        )
        return 0 if result.equal else 1

    return interruptible("replay --rebuild", lambda: asyncio.run(run()))


def _replay(args: argparse.Namespace) -> int:
    import datetime as dt

    from services.adapters.postgres.pool import open_pool
    from services.adapters.postgres.trail_reader import PostgresTrailReader
    from services.domain.access import redact
    from services.domain.history import as_of, steps

    moment = None
    if args.as_of:
        try:
            moment = dt.datetime.fromisoformat(args.as_of.replace("Z", "+00:00"))
        except ValueError:
            print(f"qtrail replay: --as-of {args.as_of!r} is not an ISO 8601 time", file=sys.stderr)
            return 2
        if moment.tzinfo is None:
            print(
                "qtrail replay: --as-of needs a time zone, e.g. 2026-05-01T08:00:00+08:00",
                file=sys.stderr,
            )
            return 2

    if args.rebuild:
        return _rebuild(args.from_kafka)
    if not args.project:
        print("qtrail replay: give a PROJECT, or --rebuild", file=sys.stderr)
        return 2

    async def run() -> int:
        async with open_pool(get_settings(), "reader", max_size=2) as pool:
            records = await PostgresTrailReader(pool).records(args.project)
        if not records:
            print(f"qtrail replay: project {args.project} has no sealed events", file=sys.stderr)
            return 1
        if args.steps:
            for step in steps(args.project, records):
                print(f"#{step.seq} {step.recorded_at:%Y-%m-%d %H:%M} {step.type} by {step.actor}")
                for change in step.changes:
                    print(f"    {change.zh} / {change.en}")
            return 0
        state = as_of(args.project, records, moment or records[-1].recorded_at, args.by)
        body = state.model_dump(mode="json")
        print(
            json.dumps(body if args.personal_data else redact(body), ensure_ascii=False, indent=2)
        )
        return 0

    return asyncio.run(run())


def _keys(args: argparse.Namespace) -> int:
    from services.adapters.postgres.keys import KeyStore
    from services.adapters.postgres.pool import open_pool
    from services.adapters.postgres.stations import StationStore
    from services.domain.access import KeyKind
    from services.domain.identifiers import valid_credit_code

    async def run() -> int:
        async with open_pool(get_settings(), "migrator", max_size=2) as pool:
            store = KeyStore(pool)
            if args.action == "create":
                if not valid_credit_code(args.org):
                    print(
                        f"qtrail keys: --org {args.org} is not a valid unified social credit code",
                        file=sys.stderr,
                    )
                    return 2
                key_id, token = await store.create(args.org, KeyKind(args.kind), args.label)
                print(f"key {key_id} for {args.org} ({args.kind}); shown once, keep it safe:")
                print(token)
                if args.kind == "regulator" and await StationStore(pool).get(args.org) is None:
                    print(
                        f"qtrail keys: {args.org} is no registered station: the key reads no "
                        "filed project until `qtrail stations put --code "
                        f"{args.org} ...` gives it a jurisdiction",
                        file=sys.stderr,
                    )
            elif args.action == "list":
                for key in await store.list(args.org):
                    state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
                    print(f"{key.key_id}  {key.org_code}  {key.kind:<9}  {state:<18}  {key.label}")
            elif not await store.revoke(args.key_id):
                print(f"qtrail keys: no active key {args.key_id}", file=sys.stderr)
                return 1
            else:
                print(f"key {args.key_id} revoked")
            return 0

    return asyncio.run(run())


def _stations(args: argparse.Namespace) -> int:
    from services.adapters.postgres.pool import open_pool
    from services.adapters.postgres.stations import Station, StationStore

    async def run() -> int:
        async with open_pool(get_settings(), "migrator", max_size=2) as pool:
            store = StationStore(pool)
            if args.action == "put":
                jurisdiction = tuple(c.strip() for c in args.jurisdiction.split(",") if c.strip())
                try:
                    await store.put(Station(args.code, args.name, jurisdiction))
                except ValueError as exc:
                    print(f"qtrail stations: {exc}", file=sys.stderr)
                    return 2
                print(f"station {args.code} ({args.name}) supervises {', '.join(jurisdiction)}")
            else:
                for station in await store.all():
                    print(f"{station.code}  {station.name}  {','.join(station.jurisdiction)}")
            return 0

    return asyncio.run(run())


def _cases(text: str) -> list[Any]:
    """The cases in ``text``: one JSON object, a list of them, or JSON Lines (one per line).

    Whatever cannot be parsed is still a case, as a ``ParseFailure`` that becomes an invalid
    result: a broken line never loses the others' results. Integers too long for Python become
    infinite floats, which the engine refuses as not finite.
    """

    def parse(chunk: str) -> Any:
        return json.loads(chunk, parse_int=lambda s: int(s) if len(s) < 4300 else float(s))

    try:
        parsed = parse(text)
    except (ValueError, RecursionError) as whole:
        lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        if len(lines) < 2 or not all(line.lstrip().startswith("{") for _, line in lines):
            return [ParseFailure(f"not valid JSON: {whole}")]
        cases: list[Any] = []
        for n, line in lines:
            try:
                cases.append(parse(line))
            except (ValueError, RecursionError) as exc:
                cases.append(ParseFailure(f"line {n}: not valid JSON: {exc}"))
        return cases
    return parsed if isinstance(parsed, list) else [parsed]


class ParseFailure(str):
    """Input that is not JSON, kept in its place among the cases."""


def _evaluate(args: argparse.Namespace) -> int:
    """Exit 0 when every case passes, 1 when some fail, 2 when some are invalid or unreadable."""
    from services.domain.materials.evaluate import evaluate
    from services.domain.materials.result import invalid

    source = "standard input" if args.file in (None, "-") else args.file
    try:
        raw = (
            sys.stdin.buffer.read() if source == "standard input" else Path(args.file).read_bytes()
        )
    except OSError as exc:
        print(f"qtrail evaluate: cannot read {source}: {exc.strerror}", file=sys.stderr)
        return 2
    results = []
    for case in _cases(raw.decode("utf-8", errors="replace")):
        if isinstance(case, ParseFailure):
            print(f"qtrail evaluate: {source}: {case}", file=sys.stderr)
            results.append(invalid("-", case).as_dict())
        else:
            results.append(evaluate(case).as_dict())
    print(json.dumps(results, ensure_ascii=False, indent=2))
    verdicts = [r["verdict"] for r in results]
    print(
        f"qtrail evaluate: {len(results)} cases: "
        + ", ".join(f"{verdicts.count(v)} {v}" for v in ("pass", "fail", "invalid")),
        file=sys.stderr,
    )
    return 2 if "invalid" in verdicts else 1 if "fail" in verdicts else 0


def _schemas(_args: argparse.Namespace) -> int:
    from events.schemas import write_all
    from services.http.app import create_app

    for path in write_all():
        print(f"wrote {path}")
    openapi = Path(__file__).resolve().parents[2] / "schemas" / "openapi.json"
    openapi.write_text(
        json.dumps(create_app().openapi(), ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    print(f"wrote {openapi}")
    return 0


def _checkpoint(_args: argparse.Namespace) -> int:
    import datetime as dt

    from services.adapters.postgres.checkpoints import CheckpointStore
    from services.adapters.postgres.pool import open_pool
    from services.adapters.signing import Signer
    from services.application.checkpoints import sign_checkpoint

    async def run() -> int:
        settings = get_settings()
        async with open_pool(settings, "recorder", max_size=1) as pool:
            log = CheckpointStore(pool)
            attempt = await sign_checkpoint(
                log, Signer.from_settings(settings), dt.datetime.now(dt.UTC)
            )
            shown = attempt.made or await log.latest()
        if attempt.log_damaged is not None:
            print(
                f"qtrail checkpoint: NOTHING SIGNED: {attempt.log_damaged}; the checkpoint log "
                "no longer matches what was signed",
                file=sys.stderr,
            )
            return 1
        for refusal in attempt.refused:
            print(
                f"qtrail checkpoint: REFUSED project {refusal.project_id} at seq {refusal.seq}: "
                f"{refusal.problem} (critical alert raised)",
                file=sys.stderr,
            )
        refused = [r.as_dict() for r in attempt.refused]
        if shown is None:
            print(json.dumps({"new": False, "refused": refused}, ensure_ascii=False))
        else:
            print(
                json.dumps(
                    {"new": attempt.made is not None, **shown.as_dict(), "refused": refused},
                    ensure_ascii=False,
                )
            )
        return 1 if refused else 0

    return asyncio.run(run())


def _export(args: argparse.Namespace) -> int:
    from services.adapters.evidence import FolderEvidenceStore
    from services.adapters.postgres.checkpoints import CheckpointStore
    from services.adapters.postgres.cosignatures import CosignatureStore
    from services.adapters.postgres.pool import open_pool
    from services.adapters.postgres.trail_reader import PostgresTrailReader
    from services.adapters.signing import Signer
    from services.application.export import (
        NothingToExport,
        NotYetCheckpointed,
        UnknownCheckpoint,
        export_bundle,
    )

    async def run() -> dict[str, Any] | str:
        settings = get_settings()
        # The export first signs a checkpoint covering the head it exports: the recorder's write.
        evidence = FolderEvidenceStore(Path(settings.evidence_root()))
        async with open_pool(settings, "recorder", max_size=2) as pool:
            try:
                return await export_bundle(
                    PostgresTrailReader(pool),
                    CheckpointStore(pool),
                    evidence if args.with_evidence else None,
                    args.project,
                    args.since,
                    checkpoint_with=Signer.from_settings(settings),
                    cosignatures=CosignatureStore(pool),
                )
            except NothingToExport:
                return f"project {args.project} has no sealed events"
            except NotYetCheckpointed:
                return (
                    f"no signed checkpoint covers project {args.project} (its chain was refused?)"
                )
            except UnknownCheckpoint:
                return f"no checkpoint {args.since} to prove consistency from"

    with STDERR.status(f"exporting {args.project}"):
        body = interruptible("export", lambda: asyncio.run(run()))
    if isinstance(body, int):
        return body
    if isinstance(body, str):
        print(f"qtrail export: {body}", file=sys.stderr)
        return 1
    Path(args.output).write_text(json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8")
    print(
        f"wrote {args.output}: {body['manifest']['records']} records, head {body['manifest']['head']}"
    )
    return 0


def _trusted_keys(args: argparse.Namespace) -> dict[str, str]:
    """Keys given with --trust KEY_ID=BASE64 and in --trust-file files: a JSON object of key id →
    base64 key, or the answer of GET /v1/signing-keys (its ``keys``) saved as it came."""
    trusted: dict[str, str] = {}
    for path in args.trust_file or []:
        saved = json.loads(Path(path).read_text(encoding="utf-8"))
        keys = saved.get("keys", saved) if isinstance(saved, dict) else None
        if not isinstance(keys, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in keys.items()
        ):
            raise ValueError(f"{path} is not a JSON object of key id to base64 public key")
        trusted.update(keys)
    for given in args.trust or []:
        key_id, sep, key = given.partition("=")
        if not sep or not key_id or not key:
            raise ValueError(f"--trust {given!r} is not KEY_ID=BASE64")
        trusted[key_id] = key
    return trusted


def _verify_bundle(args: argparse.Namespace) -> int:
    from services.domain.bundle import Malformed, NotACheckpoint, first_bad_seq, verify

    def fail(message: str) -> int:
        print(f"qtrail verify-bundle: {message}", file=sys.stderr)
        return 2

    try:
        trusted = _trusted_keys(args)
    except OSError as exc:
        return fail(f"cannot read {exc.filename}: {exc.strerror}")
    except ValueError as exc:
        return fail(f"bad trusted key: {exc}")
    kept: Any = None
    if args.checkpoint and args.since:
        return fail("give --checkpoint or --since, not both")
    if args.since:
        try:
            kept = Path(args.since).read_text(encoding="utf-8")
        except OSError as exc:
            return fail(f"cannot read {args.since}: {exc.strerror}")
        except UnicodeDecodeError:
            return fail(f"{args.since} is not a checkpoint note (not UTF-8 text)")
    if args.checkpoint:
        try:
            kept = json.loads(Path(args.checkpoint).read_text(encoding="utf-8"))
        except OSError as exc:
            return fail(f"cannot read {args.checkpoint}: {exc.strerror}")
        except ValueError as exc:
            return fail(f"{args.checkpoint} is not a checkpoint: {exc}")
    try:
        loaded = json.loads(Path(args.file).read_text(encoding="utf-8"))
        findings = verify(loaded, trusted, kept, args.witness or ())
    except OSError as exc:
        return fail(f"cannot read {args.file}: {exc.strerror}")
    except NotACheckpoint as exc:
        return fail(f"{args.checkpoint or args.since} is not a checkpoint: {exc}")
    except (ValueError, Malformed) as exc:
        return fail(f"{args.file} is not a bundle: {exc}")
    for finding in findings:
        print(f"{'ok  ' if finding.ok else 'FAIL'} {finding.what}")
    failed = [f for f in findings if not f.ok]
    bad = first_bad_seq(findings)
    verdict = f"{len(failed)} check(s) FAILED" + (f", first bad seq {bad}" if bad else "")
    print(f"{args.file}: {'VERIFIED' if not failed else verdict}")
    return 1 if failed else 0


def _witness(args: argparse.Namespace) -> int:
    from services.witness.__main__ import run

    return run(args)


def _demo(args: argparse.Namespace) -> int:
    from services.cli.demo import run_demo

    settings = get_settings()
    return asyncio.run(run_demo(args.base_url or settings.public_base_url, settings))


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="qtrail", description=__doc__.split("\n\n")[0])
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply SQL migrations").set_defaults(run=_migrate)
    sub.add_parser("topics", help="create Kafka topics").set_defaults(run=_topics)
    sub.add_parser("api", help="serve the HTTP API").set_defaults(run=_api)
    sub.add_parser("recorder", help="run a recorder worker").set_defaults(run=_recorder)
    evaluate = sub.add_parser(
        "evaluate",
        help="evaluate material test cases (a JSON object, a list, or JSON Lines) against the "
        "standards; exit 0 all pass, 1 some fail, 2 some invalid",
    )
    evaluate.add_argument("file", nargs="?", help="JSON file; standard input when omitted or -")
    evaluate.set_defaults(run=_evaluate)
    sub.add_parser("schemas", help="write JSON Schemas and OpenAPI into schemas/").set_defaults(
        run=_schemas
    )
    sub.add_parser(
        "checkpoint", help="sign a checkpoint of every chain head that moved"
    ).set_defaults(run=_checkpoint)
    export = sub.add_parser("export", help="write a project's self-verifying bundle")
    export.add_argument("project")
    export.add_argument("-o", "--output", required=True)
    export.add_argument(
        "--with-evidence", action="store_true", help="include the evidence files themselves"
    )
    export.add_argument(
        "--since",
        type=int,
        metavar="N",
        help="add the consistency proof from checkpoint N (one a regulator kept)",
    )
    export.set_defaults(run=_export)
    verify_bundle = sub.add_parser(
        "verify-bundle", help="verify an export bundle offline against keys you trust"
    )
    verify_bundle.add_argument("file")
    verify_bundle.add_argument(
        "--trust",
        action="append",
        metavar="KEY_ID=BASE64",
        help="a public key obtained independently (repeatable); required, or --trust-file",
    )
    verify_bundle.add_argument(
        "--trust-file",
        action="append",
        metavar="FILE",
        help="JSON {key id: base64 public key}, e.g. GET /v1/signing-keys saved (repeatable)",
    )
    verify_bundle.add_argument(
        "--checkpoint",
        metavar="KEPT.json",
        help="a checkpoint you saved earlier (GET /v1/checkpoints/N or /latest, or a project's "
        "GET /v1/projects/ID/inclusion): the bundle must extend it",
    )
    verify_bundle.add_argument(
        "--since",
        metavar="CHECKPOINT_FILE",
        help="a C2SP checkpoint note you saved earlier (GET /log/checkpoint): the bundle's log "
        "must extend it (export with --since its qtrail-checkpoint number)",
    )
    verify_bundle.add_argument(
        "--witness",
        action="append",
        metavar="VKEY",
        help="a witness's verifier key: its cosignature of the bundle's checkpoint is required "
        "(repeatable)",
    )
    verify_bundle.set_defaults(run=_verify_bundle)
    keys = sub.add_parser("keys", help="manage API keys")
    actions = keys.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create a key; the token is shown once")
    create.add_argument("--org", required=True, help="unified social credit code")
    create.add_argument("--kind", required=True, choices=["party", "lab", "regulator", "admin"])
    create.add_argument("--label", default="", help="who or what uses the key")
    listing = actions.add_parser("list", help="list keys (never their secrets)")
    listing.add_argument("--org")
    revoke = actions.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("key_id")
    keys.set_defaults(run=_keys)
    stations = sub.add_parser(
        "stations", help="supervision stations and their jurisdictions (GB/T 2260 codes)"
    )
    station_actions = stations.add_subparsers(dest="action", required=True)
    put = station_actions.add_parser("put", help="add a station or change its jurisdiction")
    put.add_argument("--code", required=True, help="the station's unified social credit code")
    put.add_argument("--name", required=True, help="e.g. 徐州市建设工程质量安全监督站")
    put.add_argument(
        "--jurisdiction", required=True, help="comma-separated division codes, e.g. 320300"
    )
    station_actions.add_parser("list", help="list the stations")
    stations.set_defaults(run=_stations)
    verify = sub.add_parser("verify", help="verify a project's chain (or --all)")
    verify.add_argument("project", nargs="?")
    verify.add_argument("--all", action="store_true", help="every project")
    verify.set_defaults(run=_verify)
    replay = sub.add_parser(
        "replay", help="state as of a moment, step-through, or --rebuild of every read model"
    )
    replay.add_argument("project", nargs="?")
    replay.add_argument(
        "--rebuild",
        action="store_true",
        help="rebuild every project from the log; compare with live",
    )
    replay.add_argument(
        "--from-kafka",
        action="store_true",
        help="with --rebuild: read qtrail.trail.v1 from offset 0",
    )
    replay.add_argument("--as-of", help="ISO 8601 moment with a time zone (default: now)")
    replay.add_argument(
        "--by",
        choices=["recorded", "occurred"],
        default="recorded",
        help="count events recorded by then (default) or that occurred by then",
    )
    replay.add_argument("--steps", action="store_true", help="list each event with what it changed")
    replay.add_argument(
        "--personal-data", action="store_true", help="do not mask ID numbers (regulators)"
    )
    replay.set_defaults(run=_replay)
    demo = sub.add_parser("demo", help="post a sample project through the HTTP API")
    demo.add_argument("--base-url", help="API base URL (default QTRAIL_PUBLIC_BASE_URL)")
    demo.set_defaults(run=_demo)
    from services.witness.__main__ import arguments as witness_arguments

    witness = sub.add_parser(
        "witness", help="witness a log: cosign checkpoints that extend the last one cosigned"
    )
    witness_arguments(witness).set_defaults(run=_witness)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
