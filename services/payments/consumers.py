"""The payments service's reactions to eligibility's and facilities' events; the inbox runs each at most once."""

from __future__ import annotations

from services.payments.service import entitlements, facilities
from shared.contracts.eligibility import (
    CaseAmountChanged,
    CaseApproved,
    CaseSuspended,
    CaseTerminated,
    TemporaryAidGranted,
)
from shared.contracts.facilities import ResidentAdmitted, ResidentDischarged, ResidentTransferred
from shared.messaging.inbox import in_batches, reactions

HANDLERS = reactions(
    (CaseApproved, in_batches(entitlements.open_entitlements)),
    (CaseAmountChanged, in_batches(entitlements.change_entitlements)),
    (CaseSuspended, entitlements.suspend_entitlements),
    (CaseTerminated, entitlements.end_entitlements),
    (TemporaryAidGranted, entitlements.schedule_one_off),
    (ResidentAdmitted, facilities.on_resident_admitted_pay_the_facility),
    (ResidentTransferred, facilities.on_resident_transferred_pay_the_new_facility),
    (ResidentDischarged, facilities.on_resident_discharged_pay_the_person),
)
"""Which use case reacts to which event; the runtime subscribes to these events' topics."""
