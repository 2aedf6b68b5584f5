"""Settings: per-role credentials, and development secrets refused outside development."""

from __future__ import annotations

import os
import ssl

import pytest
from pydantic import ValidationError

from services.settings import DEV_SECRET, SECRETS, DbRole, MissingSecret, Settings


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about defaults and validation, not about this machine's environment."""
    for name in list(os.environ):
        if name.startswith("QTRAIL_"):
            monkeypatch.delenv(name)


def real_secrets(**overrides: str) -> dict[str, str]:
    return {name: f"real-secret-{n}" for n, name in enumerate(SECRETS)} | overrides


def test_development_runs_on_the_development_defaults() -> None:
    settings = Settings(mode="development")
    assert all(getattr(settings, name).get_secret_value() == DEV_SECRET for name in SECRETS)
    assert "qtrail_reader:qtrail-dev-only@" in settings.dsn("reader")


@pytest.mark.parametrize("name", SECRETS)
def test_every_development_default_is_refused_outside_development(name: str) -> None:
    with pytest.raises(ValidationError, match=f"QTRAIL_{name.upper()}"):
        Settings(mode="production", **real_secrets(**{name: DEV_SECRET}))
    assert Settings(mode="production", **real_secrets())


def test_outside_development_a_process_holds_only_its_own_credentials() -> None:
    api = Settings(
        mode="production", db_api_password="api-secret", kafka_gateway_password="gateway-secret"
    )
    assert "qtrail_api:api-secret@" in api.dsn("api")
    assert api.kafka_client("gateway")["sasl_plain_password"] == "gateway-secret"
    with pytest.raises(MissingSecret, match="QTRAIL_DB_RECORDER_PASSWORD is not set"):
        api.dsn("recorder")
    with pytest.raises(MissingSecret, match="QTRAIL_KAFKA_ADMIN_PASSWORD is not set"):
        api.kafka_client("admin")


def test_each_database_role_logs_in_as_itself() -> None:
    settings = Settings(mode="production", pg_port=6000, db_name="q", **real_secrets())
    roles: tuple[DbRole, ...] = ("api", "recorder", "reader", "migrator")
    for role in roles:
        secret = SECRETS.index(f"db_{role}_password")
        assert settings.dsn(role) == (
            f"postgresql://qtrail_{role}:real-secret-{secret}@127.0.0.1:6000/q"
        )


def test_a_password_with_reserved_characters_stays_one_password() -> None:
    settings = Settings(db_api_password="p@ss:w/rd#1")
    assert "p%40ss%3Aw%2Frd%231@127.0.0.1" in settings.dsn("api")


def test_each_kafka_principal_authenticates_with_scram() -> None:
    settings = Settings(kafka_port=9999, kafka_recorder_password="r-secret")
    client = settings.kafka_client("recorder")
    assert client == {
        "bootstrap_servers": "127.0.0.1:9999",
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "qtrail-recorder",
        "sasl_plain_password": "r-secret",
    }
    assert settings.kafka_client("gateway")["sasl_plain_username"] == "qtrail-gateway"


def test_sasl_ssl_verifies_the_brokers_certificate() -> None:
    client = Settings(kafka_security_protocol="SASL_SSL").kafka_client("admin")
    context = client["ssl_context"]
    assert client["security_protocol"] == "SASL_SSL"
    assert isinstance(context, ssl.SSLContext) and context.verify_mode is ssl.CERT_REQUIRED


def test_plaintext_kafka_is_not_a_setting() -> None:
    with pytest.raises(ValidationError):
        Settings(kafka_security_protocol="PLAINTEXT")


def test_the_log_origin_defaults_to_the_public_host_and_path() -> None:
    assert Settings(public_base_url="https://qtrail.example:8443/xuzhou/").origin() == (
        "qtrail.example:8443/xuzhou/log"
    )
    assert Settings(log_origin="qtrail.example/xuzhou/log").origin() == "qtrail.example/xuzhou/log"


@pytest.mark.parametrize("origin", ["qtrail example/log", "qtrail.example+1/log"])
def test_an_origin_no_key_can_be_named_by_is_refused(origin: str) -> None:
    with pytest.raises(ValidationError, match="QTRAIL_LOG_ORIGIN"):
        Settings(log_origin=origin)
