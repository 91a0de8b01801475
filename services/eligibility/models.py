"""Tables of the eligibility service's own database."""

from sqlalchemy.orm import DeclarativeBase

from shared.schema import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()
