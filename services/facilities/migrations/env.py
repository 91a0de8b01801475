"""Alembic environment of the facilities database."""

from services.facilities.models import Base
from shared.db import run_env
from shared.messaging.tables import metadata as messaging_metadata

run_env([Base.metadata, messaging_metadata])
