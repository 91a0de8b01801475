"""Tables of the oversight service's own database.

Read models (ids and facts only, each rebuilt by replaying its topic): `households`, `household_members`,
`memberships` and `staff_relatives` from `eligibility.household.v1`; `cases`, `beneficiaries` and
`case_amounts` from `eligibility.case.v1`; `payments` and `overpayments` from `payments.payment.v1`;
`placements` from `facilities.placement.v1`; `roster_entries` from `insurance.enrollment.v1`. No foreign keys
between them: their topics arrive in any order relative to each other.

Own data: `imports` and their `external_records` (other departments' files, resident IDs kept only as match
keys and masks); `check_runs` and their `findings`, one per rule and subject across runs. Months are stored
as their first day.
"""

from services.oversight.models.base import Base
from services.oversight.models.checks import CheckRun, Finding
from services.oversight.models.imports import ExternalRecord, Import
from services.oversight.models.read_models import (
    Beneficiary,
    Case,
    CaseAmount,
    Household,
    HouseholdMember,
    Membership,
    Overpayment,
    Payment,
    Placement,
    RosterEntry,
    StaffRelative,
)
from shared.audit import metadata as audit_metadata
from shared.messaging.tables import metadata as messaging_metadata

__all__ = [
    "Base",
    "Beneficiary",
    "Case",
    "CaseAmount",
    "CheckRun",
    "ExternalRecord",
    "Finding",
    "Household",
    "HouseholdMember",
    "Import",
    "Membership",
    "Overpayment",
    "Payment",
    "Placement",
    "RosterEntry",
    "StaffRelative",
]

METADATA = (Base.metadata, messaging_metadata, audit_metadata)
"""Every table this service's migrations create: its own, and the shared ones it uses."""
