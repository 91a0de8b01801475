"""Policy parameters of the means tests: one effective-dated set of standards, thresholds and tables."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Literal

from shared.errors import InvalidInput

Area = Literal["urban", "rural"]
HouseholdClass = Literal["A", "B", "C", "D"]
"""Temporary-assistance household class: A 特困 and orphans, B dibao, C low income, D expenditure-type poor."""

DisabilityKind = Literal["physical", "visual", "hearing", "speech", "intellectual", "mental", "multiple"]


class NoStandardInForce(InvalidInput):
    """The day is before the first effective date of the standards: nothing can be assessed."""


@dataclass(frozen=True)
class MonthRange:
    """How many months of the standard a temporary-assistance class may be granted."""

    min_months: int
    max_months: int

    def __post_init__(self) -> None:
        if not 1 <= self.min_months <= self.max_months:
            raise InvalidInput(f"a month range needs 1 <= min ({self.min_months}) <= max ({self.max_months})")

    def __contains__(self, months: object) -> bool:
        return isinstance(months, int) and self.min_months <= months <= self.max_months


@dataclass(frozen=True)
class TemporaryMonths:
    """Months by household class. DOMAIN.md says "C/D up to 4" without a floor: the floor is 1 month."""

    a: MonthRange = MonthRange(3, 6)
    b: MonthRange = MonthRange(2, 5)
    c: MonthRange = MonthRange(1, 4)
    d: MonthRange = MonthRange(1, 4)

    def for_class(self, household_class: HouseholdClass) -> MonthRange:
        return {"A": self.a, "B": self.b, "C": self.c, "D": self.d}[household_class]


@dataclass(frozen=True)
class ReserveTier:
    """A township's help-first reserve fund (备用金) when its resident population is at least this many."""

    min_population: int
    fund_fen: int


@dataclass(frozen=True, kw_only=True)
class Standards:
    """Every number the means tests use, in force from `effective_from` (money in fen, ages in years).

    Fields named in `DOMAIN_DEFAULT_FIELDS` carry values DOMAIN.md marks *(default)*; fields in
    `CHOSEN_DEFAULT_FIELDS` are not in DOMAIN.md at all and were chosen here. Both must be confirmed
    by the bureau and are documented as such in the API.
    """

    effective_from: date
    dibao_urban_fen: int
    dibao_rural_fen: int
    tekun_basic_fen: int
    tekun_urban_ratio_percent: int = 130
    # 特困: care subsidy by care level, the six-activity thresholds and the work-capacity tests.
    care_subsidy_full_fen: int = 30000
    care_subsidy_half_fen: int = 20000
    care_subsidy_self_fen: int = 0
    adl_half_care_from: int = 1
    adl_full_care_from: int = 4
    tekun_child_below_age: int = 16
    tekun_elderly_age: int = 60
    tekun_disability_max_grade: tuple[tuple[DisabilityKind, int], ...] = (
        ("intellectual", 3),
        ("mental", 3),
        ("physical", 2),
        ("visual", 1),
    )
    adult_age: int = 18
    # Dibao classified add-ons (分类施保) and who gets the severe one.
    add_on_disabled_fen: int = 4000
    add_on_severe_fen: int = 6000
    add_on_child_student_fen: int = 10000
    severe_add_on_max_grade: int = 2
    severe_add_on_age: int = 70
    # Single-person applications (单人户).
    single_person_max_grade: int = 2
    single_person_intellectual_mental_max_grade: int = 3
    near_dibao_income_percent: int = 150
    # Asset exclusions.
    financial_assets_months: int = 24
    vehicle_exemption_fen: int = 3_000_000
    illness_assets_exemption_fen: int = 5_000_000
    multiple_dwellings_from: int = 2
    housing_area_multiple: int = 3
    housing_guarantee_area_m2: int = 13
    # Consumption exclusions.
    home_purchase_years: int = 3
    consumption_premium_months: int = 12
    nonessential_purchase_months: int = 5
    minimum_payment_fen: int = 0
    # Temporary assistance (临时救助).
    temporary_standard_area: Area = "urban"
    temporary_months: TemporaryMonths = field(default_factory=TemporaryMonths)
    temporary_cap_fen: int = 5_000_000
    class_c_income_multiple: int = 2
    class_d_income_multiple: int = 3
    help_first_limit_fen: int = 300_000
    help_first_paperwork_working_days: int = 5
    township_reserve_tiers: tuple[ReserveTier, ...] = (
        ReserveTier(30_000, 8_000_000),
        ReserveTier(10_000, 5_000_000),
        ReserveTier(0, 3_000_000),
    )
    grants_per_person_per_cause_per_year: int = 1

    def __post_init__(self) -> None:
        negative = [
            f.name
            for f in fields(self)
            if isinstance(getattr(self, f.name), int) and getattr(self, f.name) < 0
        ]
        if negative:
            raise InvalidInput(f"standards must not be negative: {', '.join(negative)}")
        if min(self.dibao_urban_fen, self.dibao_rural_fen, self.tekun_basic_fen) == 0:
            raise InvalidInput("the dibao and 特困 standards must be above zero")
        if not 0 < self.adl_half_care_from <= self.adl_full_care_from <= 6:
            raise InvalidInput("care thresholds need 0 < half-care threshold <= full-care threshold <= 6")

    def dibao_fen(self, area: Area) -> int:
        """The monthly dibao standard per person (最低生活保障标准) of an area."""
        return self.dibao_urban_fen if area == "urban" else self.dibao_rural_fen

    def reserve_fund_fen(self, resident_population: int) -> int:
        """The help-first reserve fund (备用金) a township of this resident population holds."""
        for tier in sorted(self.township_reserve_tiers, key=lambda t: t.min_population, reverse=True):
            if resident_population >= tier.min_population:
                return tier.fund_fen
        return 0


DOMAIN_DEFAULT_FIELDS = frozenset(
    {
        "care_subsidy_self_fen",
        "minimum_payment_fen",
        "temporary_months",
        "temporary_cap_fen",
        "help_first_limit_fen",
        "help_first_paperwork_working_days",
        "grants_per_person_per_cause_per_year",
    }
)
"""Fields whose values DOMAIN.md marks *(default)*: not confirmed in a Chongqing source."""

CHOSEN_DEFAULT_FIELDS = frozenset(
    {
        # The housing-guarantee area is not in DOMAIN.md: 13 m² per person, the usual Chongqing
        # public-rental housing-need line, until the bureau confirms it.
        "housing_guarantee_area_m2",
        # DOMAIN.md names near-dibao households (低保边缘家庭) without a line: national practice, 1.5 ×.
        "near_dibao_income_percent",
    }
)
"""Fields with no value in DOMAIN.md at all, chosen here."""

DEFAULTED_FIELDS = DOMAIN_DEFAULT_FIELDS | CHOSEN_DEFAULT_FIELDS


def tekun_basic_from_urban_fen(urban_fen: int, ratio_percent: int) -> int:
    """特困 basic living standard: `ratio_percent` of the urban dibao standard, rounded half up to the yuan."""
    hundredths_of_fen = urban_fen * ratio_percent
    return (hundredths_of_fen + 5_000) // 10_000 * 100


# DOMAIN.md's table in yuan: effective from, urban, rural, 特困 basic living.
_SEED_TABLE: tuple[tuple[date, int, int, int], ...] = (
    (date(2017, 1, 1), 500, 350, 650),
    (date(2018, 1, 1), 546, 410, 710),
    (date(2019, 1, 1), 580, 440, 754),
    (date(2020, 1, 1), 620, 496, 806),
    (date(2021, 9, 1), 636, 515, 827),
    (date(2022, 9, 1), 717, 581, 932),
    (date(2023, 9, 1), 735, 600, 956),
    (date(2024, 1, 1), 750, 610, 975),
    (date(2025, 7, 1), 770, 630, 1001),
)

SEED_STANDARDS: tuple[Standards, ...] = tuple(
    Standards(
        effective_from=day,
        dibao_urban_fen=urban * 100,
        dibao_rural_fen=rural * 100,
        tekun_basic_fen=tekun * 100,
    )
    for day, urban, rural, tekun in _SEED_TABLE
)
"""DOMAIN.md's standards table as seed data; the other parameters take their defaults."""

DEFAULTED_SEED_DATES = frozenset({date(2017, 1, 1), date(2019, 1, 1), date(2020, 1, 1), date(2024, 1, 1)})
"""Seed rows whose effective month DOMAIN.md marks *(month default)*."""


def standards_on(standards: Iterable[Standards], day: date) -> Standards:
    """The standards in force on `day`: the latest `effective_from` on or before it."""
    in_force = [s for s in standards if s.effective_from <= day]
    if not in_force:
        raise NoStandardInForce(f"no standard is in force on {day.isoformat()}")
    return max(in_force, key=lambda s: s.effective_from)
