"""Tables of the oversight service's own database.

Read models (ids and facts only, each rebuilt by replaying its topic): `households`, `household_members`,
`memberships` and `staff_relatives` from `eligibility.household.v1`; `cases`, `beneficiaries` and
`case_amounts` from `eligibility.case.v1`; `payments` and `overpayments` from `payments.payment.v1`;
`care_levels` from `eligibility.case.v1` too; `placements` from `facilities.placement.v1`; `roster_entries`
from `insurance.enrollment.v1`; `claims` from `insurance.claim.v1`. No foreign keys
between them: their topics arrive in any order relative to each other.

Own data: `imports` and their `external_records` (other departments' files, resident IDs kept only as match
keys and masks); `check_runs` and their `findings`, one per rule and subject across runs; `problems` (the
districts' problem lists, with their rectifications) and their `problem_evidence`; supervision's
`inspection_teams`, `spot_check_draws` and `spot_checks`; purchased services' `service_providers`,
`service_contracts`, `service_tasks` and `contract_evaluations`. Months are stored
as their first day.
"""

from services.oversight.models.base import Base
from services.oversight.models.checks import CheckRun, Finding
from services.oversight.models.imports import ExternalRecord, Import
from services.oversight.models.kpis import KpiTarget
from services.oversight.models.problems import Problem, ProblemEvidence
from services.oversight.models.purchased_services import (
    ContractEvaluation,
    ServiceContract,
    ServiceProvider,
    ServiceTask,
)
from services.oversight.models.read_models import (
    Beneficiary,
    CareLevelFact,
    Case,
    CaseAmount,
    Claim,
    Household,
    HouseholdMember,
    Membership,
    Overpayment,
    Payment,
    Placement,
    RosterEntry,
    StaffRelative,
    TemporaryGrant,
)
from services.oversight.models.supervision import InspectionTeam, SpotCheck, SpotCheckDraw
from shared.audit import metadata as audit_metadata
from shared.messaging.tables import metadata as messaging_metadata

__all__ = [
    "Base",
    "Beneficiary",
    "CareLevelFact",
    "Case",
    "CaseAmount",
    "CheckRun",
    "Claim",
    "ContractEvaluation",
    "ExternalRecord",
    "Finding",
    "Household",
    "HouseholdMember",
    "Import",
    "InspectionTeam",
    "KpiTarget",
    "Membership",
    "Overpayment",
    "Payment",
    "Placement",
    "Problem",
    "ProblemEvidence",
    "RosterEntry",
    "ServiceContract",
    "ServiceProvider",
    "ServiceTask",
    "SpotCheck",
    "SpotCheckDraw",
    "StaffRelative",
    "TemporaryGrant",
]

METADATA = (Base.metadata, messaging_metadata, audit_metadata)
"""Every table this service's migrations create: its own, and the shared ones it uses."""
