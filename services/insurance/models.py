"""Tables of the insurance service's own database."""

from sqlalchemy.orm import DeclarativeBase

from shared.audit import metadata as audit_metadata
from shared.messaging.tables import metadata as messaging_metadata
from shared.schema import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()


METADATA = (Base.metadata, messaging_metadata, audit_metadata)
"""Every table this service's migrations create: its own, and the shared ones it uses."""
