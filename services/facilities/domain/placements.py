"""Placements (集中供养): the order of a district's queue and whether a bed suits a person.

Facilities admit the disabled first (DOMAIN.md): full care (失能), then half care (半失能), then
self-caring, each by how long the person has waited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from services.facilities.domain.facilities import admits
from shared.contracts.facilities import DischargeReason

QUEUE_PRIORITY: Final[dict[str, int]] = {"full_care": 0, "half_care": 1, "self_caring": 2}
"""A request's rank by care level; ties go to the earlier `requested_on`, then the earlier event."""

DISABLED_LEVELS: Final[frozenset[str]] = frozenset({"full_care", "half_care"})


def is_disabled(care_level: str) -> bool:
    """Half or full care: counted by the care rate, and needs a disabled-suitable bed."""
    return care_level in DISABLED_LEVELS


def discharge_reason_for_termination(termination_reason: str) -> DischargeReason:
    """A case ended by death discharges its residents as `death`; any other end as `case_ended`."""
    return "death" if termination_reason == "death" else "case_ended"


@dataclass(frozen=True, slots=True)
class Refusal:
    """A rule that stops an admission: the field it concerns, the rule's name, why."""

    field: str
    rule: str
    message: str


@dataclass(frozen=True, slots=True)
class Place:
    """What an admission looks at: the facility, the bed (None when no bed was free) and the person."""

    facility_status: str
    cares_for_disabled: bool
    blocking_fire_items: int
    care_level: str
    bed_suitable: bool | None


def admission_refusals(place: Place) -> list[Refusal]:
    """Every rule the admission breaks; empty when it may go ahead."""
    refusals: list[Refusal] = []
    if not admits(place.facility_status):
        refusals.append(
            Refusal("facility_id", "FACILITY_NOT_OPEN", f"a {place.facility_status} facility admits nobody")
        )
    if place.blocking_fire_items:
        refusals.append(
            Refusal(
                "facility_id",
                "OPEN_CRITICAL_FIRE_ITEM",
                f"{place.blocking_fire_items} critical fire-safety item(s) open: the facility admits nobody new",
            )
        )
    disabled = is_disabled(place.care_level)
    if disabled and not place.cares_for_disabled:
        refusals.append(
            Refusal(
                "facility_id",
                "CANNOT_CARE_FOR_DISABLED",
                "a half- or full-care person needs a facility that cares for disabled residents",
            )
        )
    if place.bed_suitable is None:
        refusals.append(Refusal("bed_id", "NO_FREE_SUITABLE_BED", "no free bed in service suits the person"))
    elif disabled and not place.bed_suitable:
        refusals.append(
            Refusal("bed_id", "BED_NOT_SUITABLE", "a half- or full-care person needs a disabled-suitable bed")
        )
    return refusals
