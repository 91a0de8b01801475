"""What the means tests share: coded reasons, assets, consumption, rigid expenses and the result shape."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING, Literal

from services.eligibility.domain.money import round_half_up
from services.eligibility.domain.people import Member, anniversary
from services.eligibility.domain.standards import Standards
from shared.contracts.types import CareLevel
from shared.errors import InvalidInput

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

HomeException = Literal["disaster_rebuild", "state_demolition"]
AddOnKind = Literal["severe", "child_student", "disabled"]


@dataclass(frozen=True)
class Reason:
    """A condition the case fails (`blocking`) or must act on without failing (a notice)."""

    code: str
    message: str
    blocking: bool = True


def _require_non_negative(obj: DataclassInstance) -> None:
    negative = [
        f.name
        for f in fields(obj)
        if isinstance(getattr(obj, f.name), int | float) and getattr(obj, f.name) < 0
    ]
    if negative:
        raise InvalidInput(f"{type(obj).__name__}: must not be negative: {', '.join(negative)}")


@dataclass(frozen=True, kw_only=True)
class Vehicle:
    """A motor vehicle owned by a member. `exemption_evidenced`: evidence for the small-vehicle exemption."""

    value_fen: int
    disabled_mobility: bool = False
    exemption_evidenced: bool = False

    def __post_init__(self) -> None:
        _require_non_negative(self)


@dataclass(frozen=True, kw_only=True)
class Assets:
    """The household's (or applicant's) assets; `illness_reserve_fen` is the part of `financial_fen`
    evidenced as kept for a member's serious illness."""

    financial_fen: int = 0
    illness_reserve_fen: int = 0
    vehicles: tuple[Vehicle, ...] = ()
    dwellings: int = 0
    per_capita_floor_area_m2: float = 0.0
    shop_front: bool = False
    business: bool = False

    def __post_init__(self) -> None:
        _require_non_negative(self)


@dataclass(frozen=True, kw_only=True)
class Consumption:
    """Consumption facts; the money fields are household totals."""

    home_acquired_on: date | None = None
    home_exception: HomeException | None = None
    study_abroad_self_funded: bool = False
    premiums_and_private_fees_fen_per_year: int = 0
    nonessential_purchases_6m_fen: int = 0

    def __post_init__(self) -> None:
        _require_non_negative(self)


@dataclass(frozen=True, kw_only=True)
class RigidExpenses:
    """Rigid expenses of the last 12 months (支出型贫困): medical out of pocket, and schooling."""

    medical_fen: int = 0
    education_fen: int = 0

    def __post_init__(self) -> None:
        _require_non_negative(self)

    @property
    def total_fen(self) -> int:
        return self.medical_fen + self.education_fen

    @property
    def monthly_deduction(self) -> Fraction:
        """A twelfth of the total, exactly (in fen): the means test deducts it unrounded."""
        return Fraction(self.total_fen, 12)

    @property
    def monthly_deduction_display_fen(self) -> int:
        """The monthly deduction rounded half up to the fen, for display only."""
        return round_half_up(self.monthly_deduction)


@dataclass(frozen=True)
class CountedIncome:
    """The counted monthly income of a means-test unit, exactly: `twelfths_fen / 12` fen over `members`.

    In twelfths of a fen because the rigid-expense deduction is a twelfth of a 12-month total: the
    income is then an integer, and so is every comparison with a standard (no division, no rounding).
    A case stores both numbers, and the recalculation after a standard change uses them as they are.
    """

    twelfths_fen: int
    members: int

    def __post_init__(self) -> None:
        if self.twelfths_fen < 0 or self.members < 1:
            raise InvalidInput("a counted income is not negative and is shared by at least one person")

    @classmethod
    def monthly(cls, income_fen: int, *, members: int, rigid_expenses_12m_fen: int = 0) -> CountedIncome:
        """`income_fen` a month less a twelfth of `rigid_expenses_12m_fen`, never below 0."""
        return cls(max(0, 12 * income_fen - rigid_expenses_12m_fen), members)

    @property
    def per_capita(self) -> Fraction:
        """Per-capita monthly income in fen, exactly."""
        return Fraction(self.twelfths_fen, 12 * self.members)

    @property
    def per_capita_display_fen(self) -> int:
        """Per-capita income floored to the fen, for display only.

        Floored so that a figure shown beside a standard (whole fen) is below it exactly when the exact
        per-capita income is: never "¥770.00 per person, below the standard ¥770".
        """
        return self.twelfths_fen // (12 * self.members)

    def below(self, line_fen: int, *, percent: int = 100) -> bool:
        """Per-capita income < `percent`% of `line_fen`, compared in integers (no division)."""
        return self.twelfths_fen * 100 < 12 * self.members * line_fen * percent


@dataclass(frozen=True)
class MemberLine:
    """One covered member's monthly amount; `total_fen = base_fen + add_on_fen + care_subsidy_fen`."""

    member_index: int
    base_fen: int
    add_on_fen: int
    add_on_kinds: tuple[AddOnKind, ...]
    care_level: CareLevel | None
    care_subsidy_fen: int

    @property
    def total_fen(self) -> int:
        return self.base_fen + self.add_on_fen + self.care_subsidy_fen


@dataclass(frozen=True, kw_only=True)
class Breakdown:
    """How a monthly amount is made up; the money fields add up to the amount.

    `income` is the exact counted income the amount was computed from (what a case stores); the
    `..._display_fen` figures derived from it are rounded for display and never computed with.
    """

    standard_fen: int
    income: CountedIncome
    base_fen: int
    add_ons_fen: int
    care_subsidy_fen: int
    covered_members: int
    rigid_expenses: RigidExpenses = field(default_factory=RigidExpenses)
    members: tuple[MemberLine, ...] = ()

    @property
    def per_capita_income_display_fen(self) -> int:
        return self.income.per_capita_display_fen

    @property
    def rigid_expense_deduction_display_fen(self) -> int:
        return self.rigid_expenses.monthly_deduction_display_fen


@dataclass(frozen=True)
class Assessment:
    """A dibao or 特困 means test: eligible when no reason blocks; the amount is 0 when not eligible."""

    eligible: bool
    reasons: tuple[Reason, ...]
    monthly_amount_fen: int
    breakdown: Breakdown


def is_eligible(reasons: Sequence[Reason]) -> bool:
    return not any(reason.blocking for reason in reasons)


def format_yuan(fen: int) -> str:
    """`123456` → `¥1,234.56`; whole yuan without decimals (`¥770`)."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}¥{yuan:,}" if cents == 0 else f"{sign}¥{yuan:,}.{cents:02d}"


def asset_reasons(
    assets: Assets, *, members: Sequence[Member], standard_fen: int, standards: Standards
) -> list[Reason]:
    """Every asset exclusion the assets meet, judged per member of `members` at `standard_fen`."""
    reasons: list[Reason] = []
    size = len(members)
    ill = any(m.serious_illness for m in members)
    exempt = min(assets.illness_reserve_fen, standards.illness_assets_exemption_fen, assets.financial_fen)
    exempt = exempt if ill else 0
    counted = assets.financial_fen - exempt
    limit = standards.financial_assets_months * standard_fen * size
    if counted > limit:
        exempted = f" after {format_yuan(exempt)} exempted for serious illness" if exempt else ""
        reasons.append(
            Reason(
                "FINANCIAL_ASSETS_ABOVE_LIMIT",
                f"financial assets of {format_yuan(counted)}{exempted} for {size} person(s) are above "
                f"{standards.financial_assets_months} × {format_yuan(standard_fen)} per person "
                f"= {format_yuan(limit)}",
            )
        )
    has_disabled = any(m.disabled for m in members)
    for number, vehicle in enumerate(assets.vehicles, start=1):
        if vehicle.disabled_mobility and has_disabled:
            continue
        if vehicle.exemption_evidenced and vehicle.value_fen <= standards.vehicle_exemption_fen:
            continue
        why = (
            "is a mobility vehicle but no member is disabled"
            if vehicle.disabled_mobility
            else f"is not a disabled person's mobility vehicle nor an evidenced vehicle worth at most "
            f"{format_yuan(standards.vehicle_exemption_fen)}"
        )
        reasons.append(
            Reason("MOTOR_VEHICLE", f"vehicle {number} worth {format_yuan(vehicle.value_fen)} {why}")
        )
    area_limit = standards.housing_area_multiple * standards.housing_guarantee_area_m2
    if assets.dwellings >= standards.multiple_dwellings_from and assets.per_capita_floor_area_m2 > area_limit:
        reasons.append(
            Reason(
                "MULTIPLE_DWELLINGS_ABOVE_AREA",
                f"{assets.dwellings} dwellings with {assets.per_capita_floor_area_m2:g} m² per person, above "
                f"{standards.housing_area_multiple} × {standards.housing_guarantee_area_m2} m² = {area_limit} m²",
            )
        )
    if assets.shop_front:
        reasons.append(Reason("SHOP_FRONT", "a member owns a shop front"))
    if assets.business:
        reasons.append(Reason("REGISTERED_BUSINESS", "a member runs or owns a registered business"))
    return reasons


def consumption_reasons(
    consumption: Consumption, *, household_size: int, standard_fen: int, standards: Standards, as_of: date
) -> list[Reason]:
    """Every consumption exclusion the household meets on `as_of`."""
    reasons: list[Reason] = []
    acquired = consumption.home_acquired_on
    if acquired is not None and consumption.home_exception is None:
        clear_from = anniversary(acquired, standards.home_purchase_years)
        if as_of < clear_from:
            reasons.append(
                Reason(
                    "HOME_BOUGHT_RECENTLY",
                    f"a home was built, bought or renovated on {acquired.isoformat()}, within "
                    f"{standards.home_purchase_years} years (counts until {clear_from.isoformat()})",
                )
            )
    if consumption.study_abroad_self_funded:
        reasons.append(Reason("STUDY_ABROAD", "a member studies abroad at the family's expense"))
    premiums = consumption.premiums_and_private_fees_fen_per_year
    premium_limit = standards.consumption_premium_months * standard_fen * household_size
    if premiums >= premium_limit:
        reasons.append(
            Reason(
                "LARGE_PREMIUMS_OR_FEES",
                f"commercial premiums and private-school fees of {format_yuan(premiums)} a year reach "
                f"{standards.consumption_premium_months} × {format_yuan(standard_fen)} per person "
                f"× {household_size} = {format_yuan(premium_limit)}",
            )
        )
    purchases = consumption.nonessential_purchases_6m_fen
    purchase_limit = standards.nonessential_purchase_months * standard_fen * household_size
    if purchases >= purchase_limit:
        reasons.append(
            Reason(
                "NONESSENTIAL_PURCHASES",
                f"non-essential purchases of {format_yuan(purchases)} in 6 months reach {household_size} "
                f"× {format_yuan(standard_fen)} × {standards.nonessential_purchase_months} "
                f"= {format_yuan(purchase_limit)}",
            )
        )
    return reasons
