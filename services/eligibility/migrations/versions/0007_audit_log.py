"""The append-only, hash-chained audit log.

Revision ID: 0007
"""

from shared.audit import create_audit_table as upgrade
from shared.audit import drop_audit_table as downgrade

revision = "0007"
down_revision = "0006"
__all__ = ["downgrade", "upgrade"]
