"""Every event contract, registered: import this module to decode any SafetyNet event."""

from __future__ import annotations

from shared.contracts import eligibility, facilities, insurance, oversight, payments
from shared.contracts.base import registry

TOPICS: tuple[str, ...] = (
    eligibility.CASE_TOPIC,
    eligibility.CALENDAR_TOPIC,
    eligibility.HOUSEHOLD_TOPIC,
    payments.PAYMENT_TOPIC,
    facilities.PLACEMENT_TOPIC,
    insurance.ENROLLMENT_TOPIC,
    insurance.CLAIM_TOPIC,
    oversight.FINDING_TOPIC,
)
"""Every topic, in the order the AsyncAPI document lists them."""

__all__ = ["TOPICS", "registry"]
