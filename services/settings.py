"""One settings object for every qtrail process, read once at start-up (prefix ``QTRAIL_``)."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from typing import Self

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "qtrail-dev-only"


class Mode(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


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
    recorder_metrics_port: int = 9101
    """Prometheus metrics of a recorder worker (0 turns them off)."""

    pg_host: str = "127.0.0.1"
    pg_port: int = 55432
    db_name: str = "qtrail"
    db_user: str = "qtrail_app"
    db_password: SecretStr = SecretStr(DEV_SECRET)
    db_owner: str = "qtrail_owner"
    db_owner_password: SecretStr = SecretStr(DEV_SECRET)
    db_pool_max: int = 10

    signing_keys: SecretStr = SecretStr("")
    """JSON {key id: base64 raw Ed25519 private key}; empty in development means a generated key."""
    signing_key_id: str = ""
    """The key that signs new report and plaque codes; the others only verify."""
    signing_disabled: str = ""
    """Comma-separated key ids that no longer verify (compromised keys)."""

    wait_max_s: float = 30.0
    """Upper bound of ``?wait=S`` on event submission."""
    state_dir: str = ".state"
    evidence_dir: str = ""
    """Where evidence files are kept; empty means <state_dir>/evidence."""
    evidence_max_bytes: int = 20 * 1024 * 1024
    plaque_dir: str = ""
    """Where rendered plaques are kept; empty means <state_dir>/plaques."""

    def plaque_root(self) -> str:
        return self.plaque_dir or f"{self.state_dir}/plaques"

    @model_validator(mode="after")
    def _local_broker_by_default(self) -> Self:
        if not self.kafka_bootstrap:
            self.kafka_bootstrap = f"127.0.0.1:{self.kafka_port}"
        return self

    @model_validator(mode="after")
    def _no_default_secrets_outside_development(self) -> Self:
        if self.mode is not Mode.DEVELOPMENT:
            for name in ("db_password", "db_owner_password"):
                if getattr(self, name).get_secret_value() == DEV_SECRET:
                    raise ValueError(
                        f"QTRAIL_{name.upper()} still has the development default; "
                        f"set a real secret in {self.mode.value} mode"
                    )
        return self

    def dsn(self, *, owner: bool = False) -> str:
        user, password = (
            (self.db_owner, self.db_owner_password) if owner else (self.db_user, self.db_password)
        )
        return (
            f"postgresql://{user}:{password.get_secret_value()}"
            f"@{self.pg_host}:{self.pg_port}/{self.db_name}"
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
