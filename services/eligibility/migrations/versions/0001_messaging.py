"""Messaging tables: outbox and inbox.

Revision ID: 0001
"""

from shared.messaging.tables import create_messaging_tables as upgrade
from shared.messaging.tables import drop_messaging_tables as downgrade

revision = "0001"
down_revision = None
__all__ = ["downgrade", "upgrade"]
