"""The facilities service's reactions to eligibility events; the inbox runs each at most once, and each is
also safe to run again (a replay of the topic from the start leaves the read model as it is)."""

from __future__ import annotations

from services.facilities.service import persons
from shared.contracts.eligibility import CareLevelAssessed, CaseApproved, CaseTerminated, SupportModeChosen
from shared.messaging.inbox import in_batches, reactions

HANDLERS = reactions(
    (CaseApproved, in_batches(persons.record_cases)),
    (CareLevelAssessed, persons.record_care_level),
    (SupportModeChosen, persons.follow_support_choice),
    (CaseTerminated, persons.end_support),
)
"""Which use case reacts to which event; the runtime subscribes to these events' topics."""
