"""Alembic environment of the insurance database."""

from services.insurance.models import METADATA
from shared.db import run_env

run_env(METADATA)
