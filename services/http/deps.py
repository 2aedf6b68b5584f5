"""Typed FastAPI dependencies: one alias for each thing a route needs.

The composition root (``app.py``) builds every object once at start-up and hands them to
``provide``, which keeps them on ``app.state``; a route names what it uses (``trail:
TrailReader``) and gets that object, never a locator of everything the process holds.

The accessors are ``async def``: FastAPI runs a plain ``def`` dependency in a worker thread, a
thread hop per dependency per request for what is one attribute read.
"""

from __future__ import annotations

from typing import Annotated, Any, Protocol

from fastapi import Depends, Request
from starlette.datastructures import State

from services.adapters.kafka.producer import EventProducer
from services.adapters.plaques.store import PlaqueFiles
from services.adapters.postgres.checkpoints import CheckpointStore
from services.adapters.postgres.cosignatures import CosignatureStore
from services.adapters.postgres.evidence_log import EvidenceLog
from services.adapters.postgres.health import DatabaseHealth
from services.adapters.postgres.keys import KeyStore
from services.adapters.postgres.project_index import ProjectIndex
from services.adapters.postgres.public_reports import PublicReports
from services.adapters.postgres.rejections import ProjectRejections
from services.adapters.postgres.risk import RiskIndex
from services.adapters.postgres.scans import PlaqueScans
from services.adapters.postgres.stations import StationStore
from services.adapters.postgres.submissions import SubmissionLog
from services.adapters.postgres.trail_reader import PostgresTrailReader
from services.adapters.postgres.web_sessions import WebSessions
from services.adapters.signing import Signer
from services.application.ingest import Ingest
from services.application.ports import FileStore
from services.application.published_log import TileServer
from services.domain.transparency.cosignature import CosignatureVerifier
from services.http.rate_limit import RateLimit
from services.settings import Settings


class BundleExport(Protocol):
    async def __call__(
        self, evidence_store: FileStore | None, project_id: str, since: int | None
    ) -> dict[str, Any]:
        """A project's export bundle (see ``services.application.export.export_bundle``)."""


def provide(
    state: State,
    *,
    settings: Settings,
    ingest: Ingest,
    trail: PostgresTrailReader,
    refusals: SubmissionLog,
    keys: KeyStore,
    evidence_log: EvidenceLog,
    evidence_files: FileStore,
    signer: Signer,
    plaque_files: PlaqueFiles,
    checkpoints: CheckpointStore,
    scans: PlaqueScans,
    sessions: WebSessions,
    rejections: ProjectRejections,
    database: DatabaseHealth,
    broker: EventProducer,
    export_bundle: BundleExport,
    cosignatures: CosignatureStore,
    tiles: TileServer,
    witnesses: list[CosignatureVerifier],
    public_reports: PublicReports,
    report_limit: RateLimit,
    project_index: ProjectIndex,
    risks: RiskIndex,
    stations: StationStore,
) -> None:
    """Keep what the routes may ask for on the app's state (once, at start-up)."""
    state.settings = settings
    state.ingest = ingest
    state.trail = trail
    state.refusals = refusals
    state.keys = keys
    state.evidence_log = evidence_log
    state.evidence_files = evidence_files
    state.signer = signer
    state.plaque_files = plaque_files
    state.checkpoints = checkpoints
    state.scans = scans
    state.sessions = sessions
    state.rejections = rejections
    state.database = database
    state.broker = broker
    state.export_bundle = export_bundle
    state.cosignatures = cosignatures
    state.tiles = tiles
    state.witnesses = witnesses
    state.public_reports = public_reports
    state.report_limit = report_limit
    state.project_index = project_index
    state.risks = risks
    state.stations = stations


def refusal_log(request: Request) -> SubmissionLog | None:
    """Where refused requests are noted; None before start-up has provided it."""
    found: SubmissionLog | None = getattr(request.app.state, "refusals", None)
    return found


async def _settings(request: Request) -> Settings:
    found: Settings = request.app.state.settings
    return found


async def _ingest(request: Request) -> Ingest:
    found: Ingest = request.app.state.ingest
    return found


async def _trail(request: Request) -> PostgresTrailReader:
    found: PostgresTrailReader = request.app.state.trail
    return found


async def _refusals(request: Request) -> SubmissionLog:
    found: SubmissionLog = request.app.state.refusals
    return found


async def _keys(request: Request) -> KeyStore:
    found: KeyStore = request.app.state.keys
    return found


async def _evidence_log(request: Request) -> EvidenceLog:
    found: EvidenceLog = request.app.state.evidence_log
    return found


async def _evidence_files(request: Request) -> FileStore:
    found: FileStore = request.app.state.evidence_files
    return found


async def _signer(request: Request) -> Signer:
    found: Signer = request.app.state.signer
    return found


async def _plaque_files(request: Request) -> PlaqueFiles:
    found: PlaqueFiles = request.app.state.plaque_files
    return found


async def _checkpoints(request: Request) -> CheckpointStore:
    found: CheckpointStore = request.app.state.checkpoints
    return found


async def _scans(request: Request) -> PlaqueScans:
    found: PlaqueScans = request.app.state.scans
    return found


async def _sessions(request: Request) -> WebSessions:
    found: WebSessions = request.app.state.sessions
    return found


async def _rejections(request: Request) -> ProjectRejections:
    found: ProjectRejections = request.app.state.rejections
    return found


async def _database(request: Request) -> DatabaseHealth:
    found: DatabaseHealth = request.app.state.database
    return found


async def _broker(request: Request) -> EventProducer:
    found: EventProducer = request.app.state.broker
    return found


async def _export_bundle(request: Request) -> BundleExport:
    found: BundleExport = request.app.state.export_bundle
    return found


async def _cosignatures(request: Request) -> CosignatureStore:
    found: CosignatureStore = request.app.state.cosignatures
    return found


async def _tiles(request: Request) -> TileServer:
    found: TileServer = request.app.state.tiles
    return found


async def _witnesses(request: Request) -> list[CosignatureVerifier]:
    found: list[CosignatureVerifier] = request.app.state.witnesses
    return found


async def _public_reports(request: Request) -> PublicReports:
    found: PublicReports = request.app.state.public_reports
    return found


async def _report_limit(request: Request) -> RateLimit:
    found: RateLimit = request.app.state.report_limit
    return found


Config = Annotated[Settings, Depends(_settings)]
"""The process's settings."""
Ingestion = Annotated[Ingest, Depends(_ingest)]
"""The ingest use case: publish validated events, answer their status."""
TrailReader = Annotated[PostgresTrailReader, Depends(_trail)]
"""Project states, sealed records, event statuses, alerts."""
RefusalLog = Annotated[SubmissionLog, Depends(_refusals)]
"""Where every refused write request is noted."""
ApiKeys = Annotated[KeyStore, Depends(_keys)]
"""API keys, to authenticate a caller."""
EvidenceRecords = Annotated[EvidenceLog, Depends(_evidence_log)]
"""What evidence was uploaded, by whom, of which type."""
EvidenceFiles = Annotated[FileStore, Depends(_evidence_files)]
"""The evidence files' bytes."""
CodeSigner = Annotated[Signer, Depends(_signer)]
"""Signs and verifies report and plaque codes; the public keys."""
PlaqueFileStore = Annotated[PlaqueFiles, Depends(_plaque_files)]
"""Rendered plaque print files."""
CheckpointLog = Annotated[CheckpointStore, Depends(_checkpoints)]
"""Signed tree heads and their leaves."""
ScanCounts = Annotated[PlaqueScans, Depends(_scans)]
"""Plaque scans and forged codes, counted."""
Sessions = Annotated[WebSessions, Depends(_sessions)]
"""Regulators' web sessions."""
Rejections = Annotated[ProjectRejections, Depends(_rejections)]
"""The recorder's rejections of a project."""
Database = Annotated[DatabaseHealth, Depends(_database)]
"""Whether PostgreSQL answers."""
Broker = Annotated[EventProducer, Depends(_broker)]
"""Whether Kafka answers."""
Exports = Annotated[BundleExport, Depends(_export_bundle)]
"""A project's export bundle."""
WitnessCosignatures = Annotated[CosignatureStore, Depends(_cosignatures)]
"""Witnesses' cosignatures of the checkpoints."""
LogTiles = Annotated[TileServer, Depends(_tiles)]
"""The signed tree's hash tiles and entry bundles."""
KnownWitnesses = Annotated[list[CosignatureVerifier], Depends(_witnesses)]
"""The witness keys whose cosignatures the log accepts (QTRAIL_WITNESS_KEYS)."""
PublicDefectReports = Annotated[PublicReports, Depends(_public_reports)]
"""Defects the public reported through a plaque's page, off the chain."""
ReportLimit = Annotated[RateLimit, Depends(_report_limit)]
"""How often one client may post the public defect form."""


async def _project_index(request: Request) -> ProjectIndex:
    found: ProjectIndex = request.app.state.project_index
    return found


Projects = Annotated[ProjectIndex, Depends(_project_index)]


async def _risks(request: Request) -> RiskIndex:
    found: RiskIndex = request.app.state.risks
    return found


Risks = Annotated[RiskIndex, Depends(_risks)]
"""Open alerts, forged scans and overdue items across a station's scope."""


async def _stations(request: Request) -> StationStore:
    found: StationStore = request.app.state.stations
    return found


Stations = Annotated[StationStore, Depends(_stations)]
