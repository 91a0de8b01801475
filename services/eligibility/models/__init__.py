"""Tables of the eligibility service's own database."""

from services.eligibility.models.applications import Application, ApplicationStep
from services.eligibility.models.base import Base
from services.eligibility.models.cases import (
    Case,
    CaseBeneficiary,
    CaseFinding,
    Recalculation,
    ReviewFlag,
    SupportModeChoice,
    TemporaryGrant,
)
from services.eligibility.models.insured import InsuredPerson
from services.eligibility.models.registry import (
    Household,
    HouseholdMember,
    HouseholdVersion,
    Person,
    StaffRelative,
)
from services.eligibility.models.standards import CalendarYearRow, DeadlineRecomputation, Standard
from shared.audit import metadata as audit_metadata
from shared.messaging.tables import metadata as messaging_metadata

__all__ = [
    "Application",
    "ApplicationStep",
    "Base",
    "CalendarYearRow",
    "Case",
    "CaseBeneficiary",
    "CaseFinding",
    "DeadlineRecomputation",
    "Household",
    "HouseholdMember",
    "HouseholdVersion",
    "InsuredPerson",
    "Person",
    "Recalculation",
    "ReviewFlag",
    "StaffRelative",
    "Standard",
    "SupportModeChoice",
    "TemporaryGrant",
]

METADATA = (Base.metadata, messaging_metadata, audit_metadata)
"""Every table this service's migrations create: its own, and the shared ones it uses."""
