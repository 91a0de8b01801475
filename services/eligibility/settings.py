"""Settings of the eligibility service, read from `ELIGIBILITY_*` environment variables."""

from pydantic_settings import SettingsConfigDict

from shared.settings import PiiSettings, ServiceSettings


class EligibilitySettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="ELIGIBILITY_", env_nested_delimiter="__", extra="ignore", frozen=True
    )

    pii: PiiSettings
