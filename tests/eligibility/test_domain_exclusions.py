"""Dibao asset and consumption exclusions, each with its exemption and its exact boundary.

2025-07-01 seed standard, urban ¥770: financial limit 24 × 770 = ¥18,480 per person; housing area
limit 3 × 13 m² = 39 m² per person (13 m² is a chosen default).
"""

from __future__ import annotations

from datetime import date

import pytest

from services.eligibility.domain.dibao import Household, assess_dibao
from services.eligibility.domain.means import Assessment, Assets, Consumption, Vehicle
from services.eligibility.domain.people import Member
from services.eligibility.domain.standards import SEED_STANDARDS, standards_on

AS_OF = date(2025, 7, 1)
STANDARDS = standards_on(SEED_STANDARDS, AS_OF)
ADULT = Member(birth_date=date(1980, 1, 1))
ILL = Member(birth_date=date(1980, 1, 1), serious_illness=True)
DISABLED = Member(birth_date=date(1980, 1, 1), disability_grade=3, disability_kind="physical")


def assess(
    members: tuple[Member, ...] = (ADULT,),
    *,
    assets: Assets | None = None,
    consumption: Consumption | None = None,
    as_of: date = AS_OF,
) -> Assessment:
    household = Household(
        members=members,
        area="urban",
        monthly_income_fen=0,
        assets=assets or Assets(),
        consumption=consumption or Consumption(),
    )
    return assess_dibao(household, standards=STANDARDS, as_of=as_of)


def codes(result: Assessment) -> list[str]:
    return [reason.code for reason in result.reasons]


@pytest.mark.parametrize(
    ("members", "financial_fen", "excluded"),
    [
        ((ADULT,), 1_848_000, False),  # 24 × 77,000 exactly: not above
        ((ADULT,), 1_848_001, True),
        ((ADULT, ADULT, ADULT), 5_544_000, False),  # 3 × 1,848,000
        ((ADULT, ADULT, ADULT), 5_544_001, True),
    ],
)
def test_financial_assets_per_person(members: tuple[Member, ...], financial_fen: int, excluded: bool) -> None:
    result = assess(members, assets=Assets(financial_fen=financial_fen))
    assert codes(result) == (["FINANCIAL_ASSETS_ABOVE_LIMIT"] if excluded else [])


def test_illness_exemption_up_to_50000_with_evidence() -> None:
    household = (ILL, ADULT, ADULT)
    # ¥105,440 with ¥50,000 evidenced for the illness → ¥55,440 counted = exactly the 3-person limit.
    assert assess(household, assets=Assets(financial_fen=10_544_000, illness_reserve_fen=5_000_000)).eligible
    # Evidence for ¥60,000 still exempts only ¥50,000: ¥105,440.01 → ¥55,440.01 counted, above.
    over = assess(household, assets=Assets(financial_fen=10_544_001, illness_reserve_fen=6_000_000))
    assert codes(over) == ["FINANCIAL_ASSETS_ABOVE_LIMIT"]
    assert "¥50,000 exempted" in over.reasons[0].message
    # No evidence: nothing exempted.
    assert codes(assess(household, assets=Assets(financial_fen=7_000_000))) == [
        "FINANCIAL_ASSETS_ABOVE_LIMIT"
    ]
    # Evidence but no seriously ill member: nothing exempted.
    no_illness = Assets(financial_fen=7_000_000, illness_reserve_fen=5_000_000)
    assert codes(assess((ADULT, ADULT, ADULT), assets=no_illness)) == ["FINANCIAL_ASSETS_ABOVE_LIMIT"]


@pytest.mark.parametrize(
    ("members", "vehicle", "excluded"),
    [
        ((ADULT,), Vehicle(value_fen=8_000_000), True),
        ((ADULT,), Vehicle(value_fen=500_000), True),  # cheap but no evidence
        ((ADULT,), Vehicle(value_fen=3_000_000, exemption_evidenced=True), False),  # ≤ ¥30,000 with evidence
        ((ADULT,), Vehicle(value_fen=3_000_001, exemption_evidenced=True), True),
        ((DISABLED,), Vehicle(value_fen=4_000_000, disabled_mobility=True), False),
        ((ADULT,), Vehicle(value_fen=4_000_000, disabled_mobility=True), True),  # no disabled member
    ],
)
def test_motor_vehicles_and_their_exemptions(
    members: tuple[Member, ...], vehicle: Vehicle, excluded: bool
) -> None:
    result = assess(members, assets=Assets(vehicles=(vehicle,)))
    assert codes(result) == (["MOTOR_VEHICLE"] if excluded else [])


def test_each_excluding_vehicle_is_a_reason() -> None:
    cars = (
        Vehicle(value_fen=8_000_000),
        Vehicle(value_fen=1_000_000, exemption_evidenced=True),
        Vehicle(value_fen=9_000_000),
    )
    result = assess(assets=Assets(vehicles=cars))
    assert codes(result) == ["MOTOR_VEHICLE", "MOTOR_VEHICLE"]
    assert "vehicle 1 worth ¥80,000" in result.reasons[0].message
    assert "vehicle 3 worth ¥90,000" in result.reasons[1].message


@pytest.mark.parametrize(
    ("dwellings", "area_m2", "excluded"),
    [(2, 39.0, False), (2, 39.5, True), (3, 80.0, True), (1, 120.0, False), (0, 0.0, False)],
)
def test_dwellings_above_the_area_limit(dwellings: int, area_m2: float, excluded: bool) -> None:
    result = assess(assets=Assets(dwellings=dwellings, per_capita_floor_area_m2=area_m2))
    assert codes(result) == (["MULTIPLE_DWELLINGS_ABOVE_AREA"] if excluded else [])


def test_shop_front_and_business_each_exclude() -> None:
    assert codes(assess(assets=Assets(shop_front=True))) == ["SHOP_FRONT"]
    assert codes(assess(assets=Assets(business=True))) == ["REGISTERED_BUSINESS"]


def test_every_failed_condition_is_listed() -> None:
    assets = Assets(
        financial_fen=2_000_000,
        vehicles=(Vehicle(value_fen=8_000_000),),
        dwellings=2,
        per_capita_floor_area_m2=50.0,
        shop_front=True,
        business=True,
    )
    consumption = Consumption(
        home_acquired_on=date(2024, 1, 1),
        study_abroad_self_funded=True,
        premiums_and_private_fees_fen_per_year=2_000_000,
        nonessential_purchases_6m_fen=400_000,
    )
    household = Household(
        members=(ADULT,), area="urban", monthly_income_fen=80_000, assets=assets, consumption=consumption
    )
    result = assess_dibao(household, standards=STANDARDS, as_of=AS_OF)
    assert not result.eligible and result.monthly_amount_fen == 0
    assert codes(result) == [
        "INCOME_ABOVE_STANDARD",
        "FINANCIAL_ASSETS_ABOVE_LIMIT",
        "MOTOR_VEHICLE",
        "MULTIPLE_DWELLINGS_ABOVE_AREA",
        "SHOP_FRONT",
        "REGISTERED_BUSINESS",
        "HOME_BOUGHT_RECENTLY",
        "STUDY_ABROAD",
        "LARGE_PREMIUMS_OR_FEES",
        "NONESSENTIAL_PURCHASES",
    ]


@pytest.mark.parametrize(
    ("acquired", "exception", "excluded"),
    [
        (date(2022, 7, 1), None, False),  # three full years on 2025-07-01
        (date(2022, 7, 2), None, True),
        (date(2025, 1, 1), None, True),
        (date(2025, 1, 1), "disaster_rebuild", False),
        (date(2025, 1, 1), "state_demolition", False),
    ],
)
def test_home_bought_within_three_years(acquired: date, exception: str | None, excluded: bool) -> None:
    consumption = Consumption(home_acquired_on=acquired, home_exception=exception)  # type: ignore[arg-type]
    assert codes(assess(consumption=consumption)) == (["HOME_BOUGHT_RECENTLY"] if excluded else [])


def test_study_abroad_self_funded() -> None:
    assert codes(assess(consumption=Consumption(study_abroad_self_funded=True))) == ["STUDY_ABROAD"]


@pytest.mark.parametrize(("premiums_fen", "excluded"), [(1_847_999, False), (1_848_000, True)])
def test_premiums_and_private_fees_per_person_per_year(premiums_fen: int, excluded: bool) -> None:
    # 2 members: 12 × 77,000 × 2 = 1,848,000 a year reaches the limit.
    consumption = Consumption(premiums_and_private_fees_fen_per_year=premiums_fen)
    assert codes(assess((ADULT, ADULT), consumption=consumption)) == (
        ["LARGE_PREMIUMS_OR_FEES"] if excluded else []
    )


@pytest.mark.parametrize(("purchases_fen", "excluded"), [(769_999, False), (770_000, True)])
def test_nonessential_purchases_in_six_months(purchases_fen: int, excluded: bool) -> None:
    # 2 members × 77,000 × 5 = 770,000 reaches the limit.
    consumption = Consumption(nonessential_purchases_6m_fen=purchases_fen)
    assert codes(assess((ADULT, ADULT), consumption=consumption)) == (
        ["NONESSENTIAL_PURCHASES"] if excluded else []
    )


def test_thresholds_move_with_the_standard() -> None:
    # ¥18,200 alone: above 24 × 750 = ¥18,000 on 2025-06-30, within 24 × 770 = ¥18,480 on 2025-07-01.
    before = date(2025, 6, 30)
    household = Household(
        members=(ADULT,), area="urban", monthly_income_fen=0, assets=Assets(financial_fen=1_820_000)
    )
    old = assess_dibao(household, standards=standards_on(SEED_STANDARDS, before), as_of=before)
    assert [r.code for r in old.reasons] == ["FINANCIAL_ASSETS_ABOVE_LIMIT"]
    assert assess_dibao(household, standards=STANDARDS, as_of=AS_OF).eligible


def test_negative_asset_values_are_refused() -> None:
    from shared.errors import InvalidInput

    with pytest.raises(InvalidInput, match="financial_fen"):
        Assets(financial_fen=-1)
    with pytest.raises(InvalidInput, match="value_fen"):
        Vehicle(value_fen=-5)
