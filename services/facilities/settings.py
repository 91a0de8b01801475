"""Settings of the facilities service, read from `FACILITIES_*` environment variables."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class FacilitiesSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="FACILITIES_", env_nested_delimiter="__", extra="ignore", frozen=True
    )
