"""The declarative base of the eligibility service's own tables."""

from sqlalchemy.orm import DeclarativeBase

from shared.schema import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()
