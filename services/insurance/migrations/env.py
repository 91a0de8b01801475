"""Alembic environment of the insurance database."""

from services.insurance.models import Base
from shared.db import run_env
from shared.messaging.tables import metadata as messaging_metadata

run_env([Base.metadata, messaging_metadata])
