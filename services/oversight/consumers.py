"""The oversight service's reactions to the other services' events: the read models its checks and KPIs
run over. The inbox runs each at most once, and each is also safe to run again (a replay rebuilds the same
rows)."""

from __future__ import annotations

from services.oversight.service import read_models
from shared.contracts.eligibility import (
    CareLevelAssessed,
    CaseAmountChanged,
    CaseApproved,
    CaseReviewScheduled,
    CaseSuspended,
    CaseTerminated,
    HouseholdRecorded,
    StaffRelativeFiled,
    TemporaryAidGranted,
)
from shared.contracts.facilities import ResidentAdmitted, ResidentDischarged, ResidentTransferred
from shared.contracts.insurance import ClaimReported, InsuredEnrolled, InsuredRemoved
from shared.contracts.payments import OverpaymentRaised, PaymentDisbursed, PaymentFailed, PaymentReissued
from shared.messaging.inbox import reactions

HANDLERS = reactions(
    (HouseholdRecorded, read_models.record_household),
    (StaffRelativeFiled, read_models.record_relative),
    (CaseApproved, read_models.record_case),
    (CaseAmountChanged, read_models.record_amount_change),
    (CaseSuspended, read_models.record_suspension),
    (CaseTerminated, read_models.record_termination),
    (CaseReviewScheduled, read_models.record_review_schedule),
    (CareLevelAssessed, read_models.record_care_level),
    (TemporaryAidGranted, read_models.record_temporary_grant),
    (PaymentDisbursed, read_models.record_payment),
    (PaymentFailed, read_models.record_payment),
    (PaymentReissued, read_models.record_payment),
    (OverpaymentRaised, read_models.record_overpayment),
    (ResidentAdmitted, read_models.record_admission),
    (ResidentTransferred, read_models.record_move),
    (ResidentDischarged, read_models.record_move),
    (InsuredEnrolled, read_models.record_roster),
    (InsuredRemoved, read_models.record_roster),
    (ClaimReported, read_models.record_claim),
)
"""Which use case reacts to which event; the runtime subscribes to these events' topics."""
