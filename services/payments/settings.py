"""Settings of the payments service, read from `PAYMENTS_*` environment variables."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class PaymentsSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="PAYMENTS_", env_nested_delimiter="__", extra="ignore", frozen=True
    )
