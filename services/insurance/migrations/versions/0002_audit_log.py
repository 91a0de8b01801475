"""The append-only, hash-chained audit log.

Revision ID: 0002
"""

from shared.audit import create_audit_table as upgrade
from shared.audit import drop_audit_table as downgrade

revision = "0002"
down_revision = "0001"
__all__ = ["downgrade", "upgrade"]
