"""The pure rules: admission refusals, relocation matching, rates and trend months, safety items."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from services.facilities.domain.facilities import admits, can_change
from services.facilities.domain.kpis import Target, next_target, share, target_in_force, trend_days
from services.facilities.domain.placements import Place, admission_refusals, discharge_reason_for_termination
from services.facilities.domain.relocation import FreeBed, Resident, plan_relocation
from services.facilities.domain.safety import blocks_admissions, is_overdue, may_close
from shared.contracts.types import YearMonth


def place(**changes: object) -> Place:
    values: dict[str, object] = {
        "facility_status": "open",
        "cares_for_disabled": True,
        "blocking_fire_items": 0,
        "care_level": "full_care",
        "bed_suitable": True,
    }
    return Place(**{**values, **changes})  # type: ignore[arg-type]


def test_an_open_facility_with_a_suitable_bed_admits() -> None:
    assert admission_refusals(place()) == []


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"facility_status": "renovating"}, "FACILITY_NOT_OPEN"),
        ({"facility_status": "closing"}, "FACILITY_NOT_OPEN"),
        ({"blocking_fire_items": 1}, "OPEN_CRITICAL_FIRE_ITEM"),
        ({"cares_for_disabled": False}, "CANNOT_CARE_FOR_DISABLED"),
        ({"bed_suitable": False}, "BED_NOT_SUITABLE"),
        ({"bed_suitable": None}, "NO_FREE_SUITABLE_BED"),
    ],
)
def test_each_rule_refuses_by_name(changes: dict[str, object], rule: str) -> None:
    assert [r.rule for r in admission_refusals(place(**changes))] == [rule]


def test_a_self_caring_person_may_take_any_bed_anywhere_open() -> None:
    assert (
        admission_refusals(place(care_level="self_caring", cares_for_disabled=False, bed_suitable=False))
        == []
    )


def test_status_steps_and_only_open_admits() -> None:
    assert can_change("open", "closing") and can_change("closing", "closed")
    assert not can_change("open", "closed") and not can_change("closed", "closing")
    assert [s for s in ("open", "renovating", "closing", "closed") if admits(s)] == ["open"]


def test_termination_reasons_map_to_discharge_reasons() -> None:
    assert discharge_reason_for_termination("death") == "death"
    assert discharge_reason_for_termination("income") == "case_ended"


def test_any_open_critical_fire_item_blocks_and_overdue_is_after_the_deadline() -> None:
    assert blocks_admissions("fire", "critical", "open")
    assert not blocks_admissions("fire", "critical", "closed")
    assert not blocks_admissions("other", "critical", "open")
    assert not blocks_admissions("fire", "major", "open")
    assert is_overdue("open", date(2026, 3, 1), date(2026, 3, 2))
    assert not is_overdue("open", date(2026, 3, 2), date(2026, 3, 2))
    assert not is_overdue("closed", date(2026, 1, 1), date(2026, 3, 2))
    assert may_close("a", "b") and not may_close("a", "a")


def test_relocation_places_the_most_dependent_first_in_the_district_first() -> None:
    full, half, selfc = (
        Resident(uuid4(), uuid4(), level) for level in ("full_care", "half_care", "self_caring")
    )
    here_suitable = FreeBed(uuid4(), uuid4(), "500103", True, True)
    elsewhere_suitable = FreeBed(uuid4(), uuid4(), "500104", True, True)
    here_plain = FreeBed(uuid4(), uuid4(), "500103", False, True)
    moves, unplaced = plan_relocation(
        [selfc, half, full], [elsewhere_suitable, here_plain, here_suitable], "500103"
    )
    assert [(m.person_id, m.bed_id, m.within_district) for m in moves] == [
        (full.person_id, here_suitable.bed_id, True),
        (half.person_id, elsewhere_suitable.bed_id, False),
        (selfc.person_id, here_plain.bed_id, True),
    ]
    assert unplaced == []


def test_relocation_lists_who_cannot_be_placed_and_why() -> None:
    full, selfc = Resident(uuid4(), uuid4(), "full_care"), Resident(uuid4(), uuid4(), "self_caring")
    moves, unplaced = plan_relocation(
        [full, selfc], [FreeBed(uuid4(), uuid4(), "500103", False, True)], "500103"
    )
    assert [m.person_id for m in moves] == [selfc.person_id]
    assert [(u.person_id, u.reason) for u in unplaced] == [
        (full.person_id, "no free disabled-suitable bed in a facility that cares for disabled residents")
    ]


def test_rates_targets_and_trend_months() -> None:
    assert share(1, 3) == Decimal("0.3333") and share(0, 0) is None
    targets = [Target(date(2018, 12, 31), Decimal("0.25")), Target(date(2020, 12, 31), Decimal("0.50"))]
    assert target_in_force(targets, date(2019, 6, 1)) == targets[0]
    assert next_target(targets, date(2019, 6, 1)) == targets[1]
    assert target_in_force(targets, date(2018, 1, 1)) is None
    assert trend_days(YearMonth(2025, 11), YearMonth(2026, 2)) == [
        date(2025, 11, 30),
        date(2025, 12, 31),
        date(2026, 1, 31),
        date(2026, 2, 28),
    ]
    with pytest.raises(ValueError, match="at most 120"):
        trend_days(YearMonth(2000, 1), YearMonth(2020, 1))
