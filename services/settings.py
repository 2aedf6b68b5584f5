"""One settings object for every qtrail process, read once at start-up (prefix ``QTRAIL_``)."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from typing import Any, Literal, Self
from urllib.parse import quote, urlsplit

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "qtrail-dev-only"


class Mode(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


DbRole = Literal["api", "recorder", "reader", "migrator"]
"""Who connects to PostgreSQL: each process logs in as the role holding only what it does."""

KafkaPrincipal = Literal["gateway", "recorder", "reader", "admin"]
"""Who connects to Kafka: the broker's ACLs allow each principal only its own topics."""


class MissingSecret(RuntimeError):
    """A process needs a credential it was not given."""


SECRETS = (
    "db_api_password",
    "db_recorder_password",
    "db_reader_password",
    "db_migrator_password",
    "kafka_gateway_password",
    "kafka_recorder_password",
    "kafka_reader_password",
    "kafka_admin_password",
)
"""Credentials: development fills in DEV_SECRET; other modes refuse it and leave unset ones unset,
so that each process holds only the credentials of its own role and principal."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QTRAIL_", extra="ignore")

    mode: Mode = Mode.DEVELOPMENT

    http_host: str = "127.0.0.1"
    http_port: int = 8000
    public_base_url: str = "http://127.0.0.1:8000"

    kafka_port: int = 19092
    """Port of the local stack's broker (deploy/stack.sh reads the same variable)."""
    kafka_bootstrap: str = ""
    """Bootstrap servers; empty means the local stack's broker on ``kafka_port``."""
    kafka_security_protocol: Literal["SASL_PLAINTEXT", "SASL_SSL"] = "SASL_PLAINTEXT"
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256"] = "SCRAM-SHA-512"
    kafka_ssl_cafile: str = ""
    """With SASL_SSL: the CA bundle that signed the brokers' certificates (empty: the system's)."""
    kafka_gateway_user: str = "qtrail-gateway"
    kafka_gateway_password: SecretStr | None = None
    kafka_recorder_user: str = "qtrail-recorder"
    kafka_recorder_password: SecretStr | None = None
    kafka_reader_user: str = "qtrail-reader"
    kafka_reader_password: SecretStr | None = None
    kafka_admin_user: str = "qtrail-admin"
    kafka_admin_password: SecretStr | None = None
    """The broker's super user: creates topics (``qtrail topics``); no service runs as it."""
    kafka_partitions: int = 12
    """Topic partition count: the ceiling on parallel recorders. It cannot shrink later."""
    kafka_replication: int = 1
    topic_submitted: str = "qtrail.submitted.v1"
    topic_trail: str = "qtrail.trail.v1"
    topic_rejected: str = "qtrail.rejected.v1"
    topic_alerts: str = "qtrail.alerts.v1"
    recorder_group: str = "qtrail-recorder"
    recorder_batch: int = 500
    recorder_batch_within_s: float = 0.05
    recorder_session_timeout_s: float = 10.0
    """How soon the group notices a crashed recorder and hands its partitions to another."""
    checkpoint_interval_s: float = 60.0
    """How often the leading recorder signs a checkpoint of every chain head that moved."""
    overdue_sweep_interval_s: float = 3600.0
    """How often the leading recorder looks for warranty repairs gone overdue (due dates are days)."""
    recorder_metrics_port: int = 9101
    """Prometheus metrics of a recorder worker (0 turns them off)."""

    pg_host: str = "127.0.0.1"
    pg_port: int = 55432
    db_name: str = "qtrail"
    db_api_user: str = "qtrail_api"
    db_api_password: SecretStr | None = None
    db_recorder_user: str = "qtrail_recorder"
    db_recorder_password: SecretStr | None = None
    db_reader_user: str = "qtrail_reader"
    db_reader_password: SecretStr | None = None
    db_migrator_user: str = "qtrail_migrator"
    db_migrator_password: SecretStr | None = None
    """Runs migrations and key management only; a member of the owner role, which cannot log in."""
    db_pool_max: int = 10
    db_acquire_timeout_s: float = 10.0
    """How long a request waits for a free database connection before answering 503."""

    signing_keys: SecretStr = SecretStr("")
    """JSON {key id: base64 raw Ed25519 private key}; empty in development means a generated key."""
    signing_key_id: str = ""
    """The key that signs new report and plaque codes; the others only verify."""
    signing_disabled: str = ""
    """Comma-separated key ids that no longer verify (compromised keys)."""

    log_origin: str = ""
    """The log's name in its C2SP checkpoints (and the name its note keys sign under), a
    schema-less URL such as ``qtrail.example/xuzhou/log``; empty means the public base URL's host
    and path followed by ``/log``, where the tiles are served. It names the log for life."""
    witness_keys: str = ""
    """Verifier keys (``<name>+<key id>+<base64>``, cosignature/v1) of the witnesses whose
    cosignatures the log accepts and serves, separated by newlines or commas."""

    wait_max_s: float = 30.0
    wait_max_waiters: int = 1000
    """Requests one API process lets wait for an outcome at once (?wait); more answer pending."""
    """Upper bound of ``?wait=S`` on event submission."""
    state_dir: str = ".state"
    evidence_dir: str = ""
    """Where evidence files are kept; empty means <state_dir>/evidence."""
    evidence_max_bytes: int = 20 * 1024 * 1024
    plaque_dir: str = ""
    """Where rendered plaques are kept; empty means <state_dir>/plaques."""

    def origin(self) -> str:
        """The log's origin: ``log_origin``, or derived from ``public_base_url``."""
        if self.log_origin:
            return self.log_origin
        base = urlsplit(self.public_base_url)
        return f"{base.netloc}{base.path.rstrip('/')}/log"

    def witness_key_texts(self) -> list[str]:
        return [k.strip() for k in self.witness_keys.replace(",", "\n").splitlines() if k.strip()]

    def plaque_root(self) -> str:
        return self.plaque_dir or f"{self.state_dir}/plaques"

    def evidence_root(self) -> str:
        return self.evidence_dir or f"{self.state_dir}/evidence"

    @model_validator(mode="after")
    def _origin_is_a_key_name(self) -> Self:
        origin = self.origin()
        if not origin or "+" in origin or any(ch.isspace() for ch in origin):
            raise ValueError(
                f"QTRAIL_LOG_ORIGIN (or the host of QTRAIL_PUBLIC_BASE_URL) gives the origin "
                f"{origin!r}: it must be non-empty, without spaces or '+', since the log's note "
                "key is named by it"
            )
        return self

    @model_validator(mode="after")
    def _local_broker_by_default(self) -> Self:
        if not self.kafka_bootstrap:
            self.kafka_bootstrap = f"127.0.0.1:{self.kafka_port}"
        return self

    @model_validator(mode="after")
    def _no_default_secrets_outside_development(self) -> Self:
        if self.mode is Mode.DEVELOPMENT:
            for name in SECRETS:
                if getattr(self, name) is None:
                    setattr(self, name, SecretStr(DEV_SECRET))
            return self
        default = [
            f"QTRAIL_{name.upper()}"
            for name in SECRETS
            if (value := getattr(self, name)) is not None and value.get_secret_value() == DEV_SECRET
        ]
        if default:
            raise ValueError(
                f"{', '.join(default)} set to the development default; "
                f"set real secrets in {self.mode.value} mode"
            )
        return self

    def _secret(self, name: str) -> str:
        """A credential; outside development each process is given only the ones it uses."""
        value: SecretStr | None = getattr(self, name)
        if value is None:
            raise MissingSecret(f"QTRAIL_{name.upper()} is not set ({self.mode.value} mode)")
        return value.get_secret_value()

    def dsn(self, role: DbRole) -> str:
        user: str = getattr(self, f"db_{role}_user")
        password = self._secret(f"db_{role}_password")
        return (
            f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}"
            f"@{self.pg_host}:{self.pg_port}/{self.db_name}"
        )

    def kafka_client(self, principal: KafkaPrincipal) -> dict[str, Any]:
        """Keyword arguments of an aiokafka client (producer, consumer, admin) as ``principal``."""
        user: str = getattr(self, f"kafka_{principal}_user")
        password = self._secret(f"kafka_{principal}_password")
        options: dict[str, Any] = {
            "bootstrap_servers": self.kafka_bootstrap,
            "security_protocol": self.kafka_security_protocol,
            "sasl_mechanism": self.kafka_sasl_mechanism,
            "sasl_plain_username": user,
            "sasl_plain_password": password,
        }
        if self.kafka_security_protocol == "SASL_SSL":
            from aiokafka.helpers import create_ssl_context

            options["ssl_context"] = create_ssl_context(cafile=self.kafka_ssl_cafile or None)
        return options


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
