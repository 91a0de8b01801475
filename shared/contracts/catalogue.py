"""Every event contract, registered: import this module to decode any SafetyNet event."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

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

PARTITIONS: Mapping[str, int] = MappingProxyType(
    {
        # Keyed by case id: approvals, amount changes and standard-change recalculations, the busiest topic.
        eligibility.CASE_TOPIC: 24,
        # Keyed by year; a handful of events a year, read in full by every service: one partition.
        eligibility.CALENDAR_TOPIC: 1,
        # Keyed by household id (relatives by the relative's id); written on intake, not in bulk.
        eligibility.HOUSEHOLD_TOPIC: 6,
        # Keyed by payment id (runs by run id, overpayments by their id): a month's run is millions of events.
        payments.PAYMENT_TOPIC: 24,
        # Keyed by person id (facility changes by facility id); a few thousand a day.
        facilities.PLACEMENT_TOPIC: 6,
        # Keyed by person id: follows the case topic one for one, and insurers read it.
        insurance.ENROLLMENT_TOPIC: 12,
        # Keyed by claim id.
        insurance.CLAIM_TOPIC: 6,
        # Keyed by finding id; a check run raises thousands at once.
        oversight.FINDING_TOPIC: 6,
    }
)
"""Each topic's partition count: the most consumer instances of one service that can share it. A key's events
stay on one partition, in order; a count is raised only by a planned migration (it moves keys between
partitions), so it is sized for a province at the start. Kafka's internal topics keep one partition locally."""

__all__ = ["PARTITIONS", "TOPICS", "registry"]
