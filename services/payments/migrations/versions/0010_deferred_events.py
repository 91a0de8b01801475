"""Messaging: the table where the inbox parks events that arrived before the ones they depend on.

Revision ID: 0010
"""

from shared.messaging.tables import create_deferred_events_table as upgrade
from shared.messaging.tables import drop_deferred_events_table as downgrade

revision = "0010"
down_revision = "0009"
__all__ = ["downgrade", "upgrade"]
