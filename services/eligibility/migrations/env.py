"""Alembic environment of the eligibility database."""

from services.eligibility.models import METADATA
from shared.db import run_env

run_env(METADATA)
