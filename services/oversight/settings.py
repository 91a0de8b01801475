"""Settings of the oversight service, read from `OVERSIGHT_*` environment variables."""

from datetime import time

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings, decode_pii_key


class CheckScheduleSettings(BaseModel):
    """The city-wide run of all checks once a day (docs/oversight.md, "Checks on a schedule")."""

    model_config = ConfigDict(frozen=True)

    enabled: bool = Field(default=False, description="run the checks city-wide once a day")
    at: time = Field(
        default=time(2, 0),
        description="time of day (Asia/Shanghai) from which the day's run is due, e.g. 02:00",
    )


class OversightSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="OVERSIGHT_", env_nested_delimiter="__", extra="ignore", frozen=True
    )

    matching_key: SecretStr | None = Field(
        default=None,
        description="base64 of the 32-byte key of eligibility's match-key context (docs/oversight.md, Matching); "
        "without it, files naming people by resident ID are refused",
    )
    import_max_rows: int = Field(
        default=200_000, ge=1, le=1_000_000, description="data rows per imported file"
    )
    max_body_bytes: int = Field(default=32 * 1_048_576, ge=1_024, le=256 * 1_048_576)
    check_schedule: CheckScheduleSettings = CheckScheduleSettings()

    @field_validator("matching_key")
    @classmethod
    def _usable_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None:
            decode_pii_key("matching_key", key)
        return key
