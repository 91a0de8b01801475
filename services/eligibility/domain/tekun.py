"""特困 (特困人员救助供养, extreme-poverty support): the 三无 test, basic living and the care subsidy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from services.eligibility.domain.means import (
    Assessment,
    Assets,
    Breakdown,
    CountedIncome,
    MemberLine,
    Reason,
    asset_reasons,
    format_yuan,
    is_eligible,
)
from services.eligibility.domain.people import Member, age_on, anniversary, care_level, care_subsidy_fen
from services.eligibility.domain.standards import Area, Standards
from shared.contracts.types import YearMonth
from shared.errors import InvalidInput


@dataclass(frozen=True, kw_only=True)
class TekunApplicant:
    """One person applying for 特困 support, with their own counted income and assets."""

    person: Member
    area: Area
    monthly_income_fen: int
    assets: Assets = field(default_factory=Assets)
    has_able_supporter: bool = False

    def __post_init__(self) -> None:
        if self.monthly_income_fen < 0:
            raise InvalidInput("monthly_income_fen must not be negative")


def disability_without_work_capacity(person: Member, standards: Standards) -> bool:
    """A disability that by itself means no work capacity (grade 1–3 intellectual/mental, ...)."""
    grade, kind = person.disability_grade, person.disability_kind
    if grade is None or kind is None:
        return False
    return any(
        kind == listed and grade <= max_grade for listed, max_grade in standards.tekun_disability_max_grade
    )


def no_work_capacity(person: Member, *, standards: Standards, as_of: date) -> bool:
    """Aged 60 or more, under 16, or a disability listed in `standards.tekun_disability_max_grade`."""
    age = age_on(person.birth_date, as_of)
    if age >= standards.tekun_elderly_age or age < standards.tekun_child_below_age:
        return True
    return disability_without_work_capacity(person, standards)


def assess_tekun(applicant: TekunApplicant, *, standards: Standards, as_of: date) -> Assessment:
    """特困 means test on `as_of`: no work capacity, no income source, no able supporter (三无)."""
    person = applicant.person
    age = age_on(person.birth_date, as_of)
    dibao_standard = standards.dibao_fen(applicant.area)
    reasons: list[Reason] = []
    if not no_work_capacity(person, standards=standards, as_of=as_of):
        reasons.append(
            Reason(
                "HAS_WORK_CAPACITY",
                f"aged {age} (not under {standards.tekun_child_below_age} nor {standards.tekun_elderly_age} "
                "or over) without a disability that removes work capacity",
            )
        )
    if person.orphan and age < standards.tekun_child_below_age:
        reasons.append(
            Reason(
                "ORPHAN_SUPPORT_INSTEAD", f"an orphan aged {age} is supported as an orphan, not under 特困"
            )
        )
    if applicant.monthly_income_fen >= dibao_standard:
        reasons.append(
            Reason(
                "INCOME_ABOVE_STANDARD",
                f"monthly income {format_yuan(applicant.monthly_income_fen)} is not below the "
                f"{applicant.area} dibao standard {format_yuan(dibao_standard)}",
            )
        )
    reasons += asset_reasons(
        applicant.assets, members=(person,), standard_fen=dibao_standard, standards=standards
    )
    if applicant.has_able_supporter:
        reasons.append(Reason("HAS_ABLE_SUPPORTER", "a legal supporter is able to support the person"))
    basic = standards.tekun_basic_fen
    income = CountedIncome.monthly(applicant.monthly_income_fen, members=1)
    if not is_eligible(reasons):
        breakdown = Breakdown(
            standard_fen=basic,
            income=income,
            base_fen=0,
            add_ons_fen=0,
            care_subsidy_fen=0,
            covered_members=1,
        )
        return Assessment(False, tuple(reasons), 0, breakdown)
    if person.adl_failed is None:
        reasons.append(
            Reason(
                "CARE_LEVEL_NOT_ASSESSED",
                "self-care is not assessed: no care subsidy until the six activities are assessed",
                blocking=False,
            )
        )
    level = None if person.adl_failed is None else care_level(person.adl_failed, standards)
    care = 0 if level is None else care_subsidy_fen(level, standards)
    line = MemberLine(0, basic, 0, (), level, care)
    breakdown = Breakdown(
        standard_fen=basic,
        income=income,
        base_fen=basic,
        add_ons_fen=0,
        care_subsidy_fen=care,
        covered_members=1,
        members=(line,),
    )
    return Assessment(True, tuple(reasons), basic + care, breakdown)


def minor_support_stops(person: Member, *, standards: Standards) -> date | None:
    """First month (its 1st day) without support for someone covered only for being a minor.

    Coverage lasts until the 18th birthday and stops from the next month. None when the age does not
    end it: a student stays covered while in school (the review re-checks), and a disability that
    removes work capacity has no age limit.
    """
    if person.student or disability_without_work_capacity(person, standards):
        return None
    adult_on = anniversary(person.birth_date, standards.adult_age)
    return YearMonth.of(adult_on).next().first_day
