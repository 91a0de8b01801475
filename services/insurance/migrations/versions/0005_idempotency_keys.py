"""Idempotency keys for the insurer's claim decisions (assessment, settlement, rejection).

Revision ID: 0005
"""

from shared.idempotency import create_idempotency_table as upgrade
from shared.idempotency import drop_idempotency_table as downgrade

revision = "0005"
down_revision = "0004"
__all__ = ["downgrade", "upgrade"]
