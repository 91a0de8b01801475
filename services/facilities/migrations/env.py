"""Alembic environment of the facilities database."""

from services.facilities.models import METADATA
from shared.db import run_env

run_env(METADATA)
