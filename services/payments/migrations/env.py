"""Alembic environment of the payments database."""

from services.payments.models import METADATA
from shared.db import run_env

run_env(METADATA)
