"""The insurance service's reactions to eligibility events; the inbox runs each at most once, and each is
also safe to run again (a replay of the topic from the start leaves the roster as it is)."""

from __future__ import annotations

from services.insurance.service import beneficiaries
from shared.contracts.eligibility import CaseAmountChanged, CaseApproved, CaseTerminated
from shared.messaging.inbox import in_batches, reactions

HANDLERS = reactions(
    (CaseApproved, in_batches(beneficiaries.enrol_cases)),
    (CaseAmountChanged, beneficiaries.follow_case_change),
    (CaseTerminated, beneficiaries.end_cover),
)
"""Which use case reacts to which event; the runtime subscribes to these events' topics."""
