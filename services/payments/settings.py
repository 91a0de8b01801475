"""Settings of the payments service, read from `PAYMENTS_*` environment variables."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import PiiSettings, ServiceSettings


class PaymentsSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="PAYMENTS_", env_nested_delimiter="__", extra="ignore", frozen=True
    )

    pii: PiiSettings
    max_body_bytes: int = Field(
        default=32 * 1_048_576, ge=1_024, description="bank return files of a large district run to megabytes"
    )
