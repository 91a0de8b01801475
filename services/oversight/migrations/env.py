"""Alembic environment of the oversight database."""

from services.oversight.models import METADATA
from shared.db import run_env

run_env(METADATA)
