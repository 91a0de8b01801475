"""Settings of the insurance service, read from `INSURANCE_*` environment variables."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class InsuranceSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="INSURANCE_", env_nested_delimiter="__", extra="ignore", frozen=True
    )
