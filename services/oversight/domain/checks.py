"""The checks of the special rectification (DOMAIN.md, Oversight): what each rule finds, how urgent a hit is,
and whether it stops payment until checked. The rules themselves are set-based SQL (repository/checks.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import get_args

from shared.clock import BUSINESS_ZONE
from shared.contracts.oversight import Rule, Severity
from shared.contracts.types import YearMonth


@dataclass(frozen=True)
class RuleInfo:
    title: str
    severity: Severity
    suspend_case: bool = False


RULES: dict[Rule, RuleInfo] = {
    "R1": RuleInfo(
        "a member owns a motor vehicle (not a disabled mobility vehicle, not an evidenced cheap one)",
        "medium",
    ),
    "R2": RuleInfo("two or more dwellings above the area limit, or a shop front", "medium"),
    "R3": RuleInfo("a member runs or owns an active registered business", "medium"),
    "R4": RuleInfo("declared financial assets per person above the limit", "medium"),
    "R5": RuleInfo("a member is paid from the state budget (wages against the declared income)", "medium"),
    "R6": RuleInfo(
        "a recipient died or their registration was cancelled, and payments continued", "high", True
    ),
    "R7": RuleInfo("a recipient is in prison or compulsory rehabilitation", "high", True),
    "R8": RuleInfo(
        "the same person in two current cases (households, districts, or dibao and 特困)", "high", True
    ),
    "R9": RuleInfo("a relative of assistance staff or a village cadre in the household, not filed", "high"),
    "R10": RuleInfo(
        "a home bought or built within the limit, self-funded study abroad, or large premiums", "medium"
    ),
    "R11": RuleInfo(
        "a member joined the household from another shortly before the decision (拆户保)", "medium"
    ),
    "R12": RuleInfo("amount paid for a month differs from the decided amount for it", "medium"),
    "R13": RuleInfo("periodic review overdue", "low"),
    "R14": RuleInfo("insurance roster differs from the current beneficiaries", "low"),
    "missed": RuleInfo(
        "on another department's poverty list, below the standard, with no case (漏保)", "high"
    ),
}

ALL_RULES: tuple[Rule, ...] = get_args(Rule)


@dataclass(frozen=True, kw_only=True)
class Parameters:
    """The policy figures a run applies (effective-dated in eligibility; the run records what it used).

    Money in fen per person per month unless named otherwise."""

    urban_standard_fen: int
    rural_standard_fen: int
    housing_guarantee_area_m2: int
    vehicle_exempt_up_to_fen: int
    financial_assets_months: int
    home_acquired_within_years: int
    premium_months: int
    split_within_months: int


def bind(parameters: Parameters, *, as_of: date, district_code: str | None) -> dict[str, object]:
    """The values every rule's SQL reads: the day, its month, the district (None: city-wide) and the figures."""
    return {
        "as_of": as_of,
        "month": YearMonth.of(as_of).first_day,
        "district": district_code,
        "urban_fen": parameters.urban_standard_fen,
        "rural_fen": parameters.rural_standard_fen,
        "housing_area": parameters.housing_guarantee_area_m2,
        "vehicle_exempt_fen": parameters.vehicle_exempt_up_to_fen,
        "asset_months": parameters.financial_assets_months,
        "home_years": parameters.home_acquired_within_years,
        "premium_months": parameters.premium_months,
        "split_months": parameters.split_within_months,
    }


SCHEDULE = "schedule"
"""Who started a scheduled run (`check_runs.started_by`, the audit record's actor)."""


def scheduled_day(now: datetime, at: time) -> date | None:
    """The day whose scheduled run is due at `now`: today in Asia/Shanghai once its time `at` has come (and
    for the rest of that day, so a service down at `at` catches up), None before it."""
    local = now.astimezone(BUSINESS_ZONE)
    return local.date() if local.time() >= at else None
