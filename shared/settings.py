"""Settings sections shared by every service; each service composes them under its own env prefix."""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset({"changeme", "change-me", "password", "secret", "postgres", "example"})


class DatabaseSettings(BaseModel):
    """Where a service's own PostgreSQL database lives."""

    url: str = Field(description="SQLAlchemy URL, e.g. postgresql+asyncpg://user:pw@host:5432/eligibility")
    pool_size: int = Field(default=10, ge=1, le=200)
    statement_timeout_ms: int = Field(default=30_000, ge=0)

    @field_validator("url")
    @classmethod
    def _async_postgres_only(cls, url: str) -> str:
        if not url.startswith("postgresql+asyncpg://"):
            raise ValueError("database url must use the postgresql+asyncpg:// driver")
        return url

    def password_is_placeholder(self) -> bool:
        password = urlsplit(self.url).password
        return password is not None and password.lower() in PLACEHOLDER_SECRETS


class KafkaSettings(BaseModel):
    """The Apache Kafka cluster a distributed deployment talks through."""

    bootstrap_servers: str = "127.0.0.1:9092"
    client_id: str = "safetynet"
    max_attempts: int = Field(default=3, ge=1, le=20, description="handler tries before dead-lettering")
    batch_size: int = Field(default=500, ge=1, le=10_000)
    session_timeout_ms: int = Field(default=10_000, ge=1_000)
    max_poll_interval_ms: int = Field(default=300_000, ge=10_000)
    ready_grace_seconds: float = Field(
        default=30, ge=1, le=600, description="how long the broker may be out of reach before /ready fails"
    )


class AuthSettings(BaseModel):
    """How bearer tokens are checked: issuer, audience, algorithm allow-list and the verifying key."""

    issuer: str = "safetynet-dev"
    audience: str = "safetynet"
    algorithms: list[Literal["RS256", "ES256", "EdDSA"]] = ["RS256"]
    public_key_file: Path | None = Field(default=None, description="PEM public key of the issuer")
    jwks_url: str | None = Field(default=None, description="OIDC JWKS endpoint of the identity provider")
    leeway_seconds: int = Field(default=30, ge=0, le=300)

    @model_validator(mode="after")
    def _one_key_source(self) -> AuthSettings:
        if (self.public_key_file is None) == (self.jwks_url is None):
            raise ValueError("set exactly one of auth.public_key_file and auth.jwks_url")
        return self


class DeferralSettings(BaseModel):
    """How long an event whose prerequisite has not arrived yet (a handler's `NotYet`) is kept and retried,
    with exponential backoff, before it is dead-lettered with its reason."""

    give_up_after_minutes: int = Field(
        default=1_440, ge=1, le=10_080, description="bound on waiting (≤ 7 days)"
    )
    first_retry_seconds: int = Field(default=5, ge=1, le=3_600, description="wait before the first retry")
    longest_wait_seconds: int = Field(default=3_600, ge=1, le=86_400, description="cap on the backoff")

    @model_validator(mode="after")
    def _ordered(self) -> DeferralSettings:
        if self.longest_wait_seconds < self.first_retry_seconds:
            raise ValueError("deferral.longest_wait_seconds must be at least first_retry_seconds")
        return self


class OutboxSettings(BaseModel):
    """How the relay drains a service's outbox."""

    batch_size: int = Field(default=500, ge=1, le=10_000)
    poll_interval_s: float = Field(default=0.5, gt=0, le=60)
    retention_days: int = Field(default=7, ge=1)


class ServiceSettings(BaseSettings):
    """A service's settings: database, bus, auth. Subclasses set `env_prefix`."""

    model_config = SettingsConfigDict(env_nested_delimiter="__", extra="ignore", frozen=True)

    environment: Literal["development", "production"] = "production"
    database: DatabaseSettings
    auth: AuthSettings
    bus: Literal["kafka", "in-process"] = "kafka"
    kafka: KafkaSettings = KafkaSettings()
    outbox: OutboxSettings = OutboxSettings()
    deferral: DeferralSettings = DeferralSettings()
    max_body_bytes: int = Field(default=1_048_576, ge=1_024)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = Field(
        default="json", description="json lines for a log collector, or console lines for a person"
    )

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> ServiceSettings:
        if self.environment == "production" and self.database.password_is_placeholder():
            raise ValueError("database password is a placeholder; set a real secret in production")
        return self


PII_KEY_BYTES = 32
_PII_KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def decode_pii_key(name: str, encoded: SecretStr) -> bytes:
    """A base64 key as bytes; refuses anything but 32 bytes and an all-same-byte placeholder."""
    try:
        raw = base64.b64decode(encoded.get_secret_value(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{name} is not valid base64") from None
    if len(raw) != PII_KEY_BYTES:
        raise ValueError(f"{name} must decode to {PII_KEY_BYTES} bytes, not {len(raw)}")
    if len(set(raw)) == 1:
        raise ValueError(f"{name} is a placeholder (every byte the same); generate a random key")
    return raw


class PiiSettings(BaseModel):
    """Keys for personal data: AES-256-GCM field encryption (several ids, so keys rotate) and the blind index."""

    encryption_keys: dict[str, SecretStr] = Field(description="key id -> base64 of a 32-byte AES key")
    active_key_id: str = Field(description="the key new values are encrypted with")
    blind_index_key: SecretStr = Field(description="base64 of a 32-byte HMAC-SHA256 key")

    @model_validator(mode="after")
    def _keys_are_usable(self) -> PiiSettings:
        for key_id, key in self.encryption_keys.items():
            if not _PII_KEY_ID.match(key_id):
                raise ValueError(f"pii key id {key_id!r} must be 1-64 of A-Z a-z 0-9 . _ -")
            decode_pii_key(f"pii.encryption_keys[{key_id}]", key)
        if self.active_key_id not in self.encryption_keys:
            raise ValueError(f"pii.active_key_id {self.active_key_id!r} is not among pii.encryption_keys")
        index_key = decode_pii_key("pii.blind_index_key", self.blind_index_key)
        if any(decode_pii_key(key_id, key) == index_key for key_id, key in self.encryption_keys.items()):
            raise ValueError("pii.blind_index_key must differ from every encryption key")
        return self
