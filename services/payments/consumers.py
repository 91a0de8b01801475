"""The payments service's reactions to eligibility events; the inbox runs each at most once."""

from __future__ import annotations

from services.payments.service import entitlements
from shared.contracts.eligibility import (
    CaseAmountChanged,
    CaseApproved,
    CaseSuspended,
    CaseTerminated,
    TemporaryAidGranted,
)
from shared.messaging.inbox import reactions

HANDLERS = reactions(
    (CaseApproved, entitlements.open_entitlements),
    (CaseAmountChanged, entitlements.change_entitlements),
    (CaseSuspended, entitlements.suspend_entitlements),
    (CaseTerminated, entitlements.end_entitlements),
    (TemporaryAidGranted, entitlements.schedule_one_off),
)
"""Which use case reacts to which event; the runtime subscribes to these events' topics."""
