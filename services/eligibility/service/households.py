"""Use cases of the household registry: register, change (versioned), read within the caller's scope."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from uuid import UUID, uuid4

from services.eligibility.models import Household, HouseholdMember, HouseholdVersion, Person
from services.eligibility.repository import households as households_queries
from services.eligibility.schemas.households import (
    HouseholdChange,
    HouseholdFacts,
    HouseholdIn,
    HouseholdMemberIn,
    HouseholdOut,
    HouseholdPage,
    HouseholdSummary,
    HouseholdVersionOut,
    MemberOut,
    StoredFacts,
)
from shared.auth import Principal, Role
from shared.contracts.eligibility import MATCH_CONTEXT, DeclaredFacts, HouseholdRecorded, RecordedMember
from shared.db import UnitOfWork
from shared.errors import Conflict, FieldIssue, InvalidInput, NotFound
from shared.pii import PersonalData, mask_name, mask_resident_id
from shared.resident_id import birth_date_of, validate_resident_id

ID_NUMBER = "persons.id_number"
NAME = "persons.name"
PROFILE_FIELDS = (
    "disability_grade",
    "disability_kind",
    "serious_illness",
    "student",
    "preschool",
    "adl_failed",
    "orphan",
)


def _validate_members(members: list[HouseholdMemberIn], today: date) -> list[str]:
    """Canonical ID numbers, or every problem with the members named by field and rule."""
    issues: list[FieldIssue] = []
    canonical: list[str] = []
    for index, member in enumerate(members):
        field = f"members.{index}.id_number"
        try:
            number = validate_resident_id(member.id_number, field=field, today=today)
        except InvalidInput as invalid:
            issues.extend(invalid.errors)
            continue
        canonical.append(number)
        if birth_date_of(number) != member.birth_date:
            issues.append(
                FieldIssue(
                    f"members.{index}.birth_date",
                    "matches_id_number",
                    "differs from the birth date in the ID number",
                )
            )
    for number, count in Counter(canonical).items():
        if count > 1:
            issues.append(
                FieldIssue(
                    "members",
                    "unique",
                    f"the same person ({mask_resident_id(number)}) is listed {count} times",
                )
            )
    heads = sum(member.relation == "head" for member in members)
    if heads != 1:
        issues.append(FieldIssue("members", "one_head", f"a household has exactly one head, not {heads}"))
    if issues:
        raise InvalidInput("the household's members are not valid", errors=issues)
    return canonical


async def _persons(
    uow: UnitOfWork,
    pii: PersonalData,
    members: list[HouseholdMemberIn],
    numbers: list[str],
    caller: Principal,
    household_id: UUID | None,
) -> list[Person]:
    """Find each member in the registry by blind index, or register them with their ID encrypted."""
    indexes = [pii.index.digest(number, context=ID_NUMBER) for number in numbers]
    known = await households_queries.persons_by_index(uow.session, indexes)
    persons = []
    for member, number, index in zip(members, numbers, indexes, strict=True):
        person = known.get(index)
        if person is None:
            person = Person(
                id=uuid4(),
                id_number_index=index,
                id_number_cipher=pii.cipher.encrypt(number, context=ID_NUMBER),
                name_cipher=pii.cipher.encrypt(member.name, context=NAME),
                birth_date=member.birth_date,
                created_by=caller.subject,
            )
            uow.session.add(person)
        persons.append(person)
    await uow.session.flush()
    elsewhere = await households_queries.other_households_of(
        uow.session, [p.id for p in persons], household_id
    )
    if elsewhere:
        raise Conflict(
            "a person may belong to one household only",
            errors=[
                FieldIssue(f"members.{i}.id_number", "one_household", "already a member of another household")
                for i, person in enumerate(persons)
                if person.id in elsewhere
            ],
        )
    return persons


def _facts(body: HouseholdFacts) -> dict[str, object]:
    return body.model_dump(mode="json", include=set(StoredFacts.model_fields))


def _members(household_id: UUID, body: HouseholdIn, persons: list[Person]) -> list[HouseholdMember]:
    return [
        HouseholdMember(
            household_id=household_id,
            person_id=person.id,
            relation=member.relation,
            profile=member.model_dump(mode="json", include=set(PROFILE_FIELDS)),
        )
        for member, person in zip(body.members, persons, strict=True)
    ]


def household_recorded(
    pii: PersonalData,
    household: Household,
    facts: StoredFacts,
    members: Sequence[tuple[UUID, str, str]],
    on: date,
) -> HouseholdRecorded:
    """The household as oversight sees it: ids, relations, match keys and declared facts, never an ID or name.

    `members` are (person id, relation, resident ID); the household carries its area and counted income."""
    return HouseholdRecorded(
        household_id=household.id,
        version=household.version,
        district_code=household.district_code,
        township_code=household.township_code,
        area=household.area,
        members=[
            RecordedMember(
                person_id=person_id,
                relation=relation,
                match_key=pii.index.digest(number, context=MATCH_CONTEXT).hex(),
            )
            for person_id, relation, number in members
        ],
        declared=DeclaredFacts(
            monthly_income_fen=household.monthly_income_fen,
            financial_assets_fen=facts.assets.financial_fen,
            vehicle_exemption_evidenced=any(v.exemption_evidenced for v in facts.assets.vehicles),
            study_abroad_self_funded=facts.consumption.study_abroad_self_funded,
            premiums_and_private_fees_fen_per_year=facts.consumption.premiums_and_private_fees_fen_per_year,
        ),
        recorded_on=on,
    )


def _recorded_now(
    pii: PersonalData,
    household: Household,
    body: HouseholdIn,
    persons: list[Person],
    numbers: list[str],
    on: date,
) -> HouseholdRecorded:
    members = [
        (person.id, member.relation, number)
        for member, person, number in zip(body.members, persons, numbers, strict=True)
    ]
    return household_recorded(pii, household, body, members, on)


def snapshot(household: Household, members: list[HouseholdMember]) -> dict[str, object]:
    """The state a version leaves, without names or ID numbers: persons are referred to by id."""
    return {
        "district_code": household.district_code,
        "township_code": household.township_code,
        "area": household.area,
        "monthly_income_fen": household.monthly_income_fen,
        "facts": household.facts,
        "members": [
            {"person_id": str(m.person_id), "relation": m.relation, "profile": m.profile} for m in members
        ],
    }


def record_version(
    uow: UnitOfWork, household: Household, members: list[HouseholdMember], *, changed_by: str, reason: str
) -> None:
    """Append the household's current state to its history (its `version` already bumped)."""
    uow.session.add(
        HouseholdVersion(
            household_id=household.id,
            version=household.version,
            changed_by=changed_by,
            reason=reason,
            snapshot=snapshot(household, members),
        )
    )


async def register_household(
    uow: UnitOfWork, pii: PersonalData, caller: Principal, body: HouseholdIn, *, today: date
) -> HouseholdOut:
    caller.require_district(body.district_code)
    numbers = _validate_members(body.members, today)
    async with uow:
        household_id = uuid4()
        persons = await _persons(uow, pii, body.members, numbers, caller, household_id=None)
        household = Household(
            id=household_id,
            district_code=body.district_code,
            township_code=body.township_code,
            area=body.area,
            monthly_income_fen=body.counted_income_fen,
            facts=_facts(body),
            version=1,
            updated_by=caller.subject,
        )
        uow.session.add(household)
        await uow.session.flush()
        members = _members(household_id, body, persons)
        await households_queries.replace_members(uow.session, household_id, members)
        record_version(uow, household, members, changed_by=caller.subject, reason=body.reason)
        uow.emit(_recorded_now(pii, household, body, persons, numbers, today))
        await uow.session.flush()
        await uow.session.refresh(household, ["updated_at"])
        answer = await _household_out(uow, pii, caller, household_id)
        await uow.commit()
    return answer


async def change_household(
    uow: UnitOfWork,
    pii: PersonalData,
    caller: Principal,
    household_id: UUID,
    body: HouseholdChange,
    *,
    today: date,
) -> HouseholdOut:
    caller.require_district(body.district_code)
    numbers = _validate_members(body.members, today)
    async with uow:
        household = await households_queries.household(
            uow.session, household_id, caller.district_scope, for_update=True
        )
        if household is None:
            raise NotFound(f"no household {household_id} in your districts")
        if household.version != body.version:
            raise Conflict(
                f"the household changed since version {body.version} (now {household.version}); read it again",
                errors=[FieldIssue("version", "current", f"expected {household.version}")],
            )
        persons = await _persons(uow, pii, body.members, numbers, caller, household_id=household_id)
        household.district_code, household.township_code, household.area = (
            body.district_code,
            body.township_code,
            body.area,
        )
        household.monthly_income_fen, household.facts = body.counted_income_fen, _facts(body)
        household.version += 1
        household.updated_by = caller.subject
        members = _members(household_id, body, persons)
        await households_queries.replace_members(uow.session, household_id, members)
        record_version(uow, household, members, changed_by=caller.subject, reason=body.reason)
        uow.emit(_recorded_now(pii, household, body, persons, numbers, today))
        await uow.session.flush()
        answer = await _household_out(uow, pii, caller, household_id)
        await uow.commit()
    return answer


async def _visible_household(uow: UnitOfWork, caller: Principal, household_id: UUID) -> Household:
    if caller.roles == {Role.applicant}:
        found = await households_queries.household_of_person(
            uow.session, household_id, _applicant_person(caller)
        )
    else:
        found = await households_queries.household(uow.session, household_id, caller.district_scope)
    if found is None:
        raise NotFound(f"no household {household_id} that you may see")
    return found


def _applicant_person(caller: Principal) -> UUID:
    try:
        return UUID(caller.subject)
    except ValueError:
        raise NotFound("an applicant's token must name their person id") from None


async def read_household(
    uow: UnitOfWork, pii: PersonalData, caller: Principal, household_id: UUID
) -> HouseholdOut:
    async with uow:
        return await _household_out(uow, pii, caller, household_id)


async def _household_out(
    uow: UnitOfWork, pii: PersonalData, caller: Principal, household_id: UUID
) -> HouseholdOut:
    """The household as the caller may see it, read in the open unit of work."""
    household = await _visible_household(uow, caller, household_id)
    members = await households_queries.members_of(uow.session, household_id)
    return HouseholdOut(
        id=household.id,
        district_code=household.district_code,
        township_code=household.township_code,
        area=household.area,
        version=household.version,
        monthly_income_fen=household.monthly_income_fen,
        facts=household.facts,
        updated_by=household.updated_by,
        updated_at=household.updated_at,
        members=[
            MemberOut(
                person_id=person.id,
                id_number_masked=mask_resident_id(
                    pii.cipher.decrypt(person.id_number_cipher, context=ID_NUMBER)
                ),
                name_masked=mask_name(pii.cipher.decrypt(person.name_cipher, context=NAME)),
                birth_date=person.birth_date,
                relation=member.relation,
                profile=member.profile,
            )
            for member, person in members
        ],
    )


async def list_households(
    uow: UnitOfWork, caller: Principal, *, district_code: str | None, page: int, page_size: int
) -> HouseholdPage:
    if district_code is not None:
        caller.require_district(district_code)
    async with uow:
        rows, total = await households_queries.households_page(
            uow.session,
            caller.district_scope,
            district_code=district_code,
            offset=(page - 1) * page_size,
            limit=page_size,
        )
    return HouseholdPage(
        items=[
            HouseholdSummary(
                id=h.id,
                district_code=h.district_code,
                township_code=h.township_code,
                area=h.area,
                version=h.version,
                members=count,
                updated_at=h.updated_at,
            )
            for h, count in rows
        ],
        total=total,
        page=page,
        page_size=page_size,
    )


async def household_history(
    uow: UnitOfWork, caller: Principal, household_id: UUID
) -> list[HouseholdVersionOut]:
    async with uow:
        await _visible_household(uow, caller, household_id)
        versions = await households_queries.household_versions(uow.session, household_id)
    return [HouseholdVersionOut.model_validate(v, from_attributes=True) for v in versions]
