"""The eligibility service's reactions to other services' events; the inbox runs each at most once."""

from __future__ import annotations

from services.eligibility.service import findings, insured
from shared.contracts.insurance import InsuredEnrolled, InsuredRemoved
from shared.contracts.oversight import FindingRaised
from shared.messaging.inbox import in_batches, reactions

HANDLERS = reactions(
    (InsuredEnrolled, in_batches(insured.record_enrolments)),
    (InsuredRemoved, in_batches(insured.record_removals)),
    (FindingRaised, findings.act_on_finding),
)
"""Which use case reacts to which event; the runtime subscribes to these events' topics."""
