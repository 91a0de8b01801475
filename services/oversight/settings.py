"""Settings of the oversight service, read from `OVERSIGHT_*` environment variables."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class OversightSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="OVERSIGHT_", env_nested_delimiter="__", extra="ignore", frozen=True
    )
