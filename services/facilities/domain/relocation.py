"""Relocation plan for a closing facility: each resident to a free suitable bed, in the district first,
then anywhere in the city; those who cannot be placed are listed with the reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from services.facilities.domain.placements import QUEUE_PRIORITY, is_disabled


@dataclass(frozen=True, slots=True)
class Resident:
    placement_id: UUID
    person_id: UUID
    care_level: str


@dataclass(frozen=True, slots=True)
class FreeBed:
    """A free bed in service, in an open facility that may admit (no open critical fire item)."""

    bed_id: UUID
    facility_id: UUID
    district_code: str
    disabled_suitable: bool
    cares_for_disabled: bool


@dataclass(frozen=True, slots=True)
class Move:
    placement_id: UUID
    person_id: UUID
    bed_id: UUID
    facility_id: UUID
    within_district: bool


@dataclass(frozen=True, slots=True)
class Unplaced:
    placement_id: UUID
    person_id: UUID
    reason: str


def _suits(bed: FreeBed, resident: Resident) -> bool:
    if not is_disabled(resident.care_level):
        return True
    return bed.disabled_suitable and bed.cares_for_disabled


def plan_relocation(
    residents: Sequence[Resident], free_beds: Sequence[FreeBed], district_code: str
) -> tuple[list[Move], list[Unplaced]]:
    """Greedy, the most dependent first (full care, half care, self-caring): each takes a suitable bed
    in the district if one is left, else in the city. A self-caring resident takes a bed a disabled
    person could not use when there is one, so the suitable beds stay for those who need them."""
    left = list(free_beds)
    moves: list[Move] = []
    unplaced: list[Unplaced] = []
    for resident in sorted(residents, key=lambda r: (QUEUE_PRIORITY[r.care_level], str(r.person_id))):
        candidates = [bed for bed in left if _suits(bed, resident)]
        if not candidates:
            reason = (
                "no free disabled-suitable bed in a facility that cares for disabled residents"
                if is_disabled(resident.care_level)
                else "no free bed in an open facility"
            )
            unplaced.append(Unplaced(resident.placement_id, resident.person_id, reason))
            continue
        bed = min(
            candidates,
            key=lambda b: (
                b.district_code != district_code,
                b.disabled_suitable,
                str(b.facility_id),
                str(b.bed_id),
            ),
        )
        left.remove(bed)
        moves.append(
            Move(
                resident.placement_id,
                resident.person_id,
                bed.bed_id,
                bed.facility_id,
                bed.district_code == district_code,
            )
        )
    return moves, unplaced
