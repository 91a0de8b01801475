"""The demo city at scale (`safetynet seed --demo --households N`, `safetynet run --households N`): households
numbered 0…N−1, drawn from a fixed seed and written set-based straight into eligibility's database — COPY, a
chunk per transaction — with the rows and events its API would have written, so that payments, insurance and
oversight learn of them through their topics as of any other.

The rules are the real ones, run in memory: each application replays the statutory steps through the
workflow's checks, each approval is the means test at the standard in force on its day and opens its case as
`approvals.approved_case` does, and identity is encrypted and indexed with eligibility's own keys. About two
in three households have an approved dibao case (decided in the last four weeks), one in ten an application
under way, the rest are registered only.

The districts are Chongqing's others than the story's and the tour's, and a resident ID's birth date and
sequence encode the household's number, so no ID is drawn twice. Households are written in chunks of
consecutive numbers, each in one transaction: loading again adds only the numbers that are not there.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid5

from sqlalchemy import Table, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from safetynet.tour import GIVEN, SURNAMES
from services.eligibility.domain import workflow
from services.eligibility.domain.people import age_on
from services.eligibility.domain.standards import Area, Standards
from services.eligibility.domain.workflow import Application as Procedure
from services.eligibility.domain.workflow import Step, StepDetails, StepKind
from services.eligibility.main import DEFINITION
from services.eligibility.models import (
    Application,
    Household,
    HouseholdMember,
    HouseholdVersion,
    Person,
    Standard,
)
from services.eligibility.repository import calendar as calendar_queries
from services.eligibility.repository import standards as standards_queries
from services.eligibility.schemas.households import StoredFacts
from services.eligibility.service.approvals import approved_case, assess_household
from services.eligibility.service.households import ID_NUMBER, NAME, household_recorded, snapshot
from services.eligibility.service.procedure import step_row, summarise
from services.eligibility.settings import EligibilitySettings
from shared.clock import BUSINESS_ZONE
from shared.contracts.base import Event
from shared.db import create_engine
from shared.messaging.outbox import NOTIFY_CHANNEL, outbox_rows
from shared.messaging.tables import outbox
from shared.pii import PersonalData
from shared.resident_id import check_character
from shared.workdays import WorkingDayCalendar

DEFAULT_HOUSEHOLDS = 300
"""The demo city's size beyond the stories unless `--households` says otherwise: a few hundred."""
CHUNK = 2_000
"""Households per transaction."""

DISTRICTS = (
    "500101", "500102", "500104", "500107", "500108", "500109", "500110", "500111", "500113", "500114",
    "500115", "500116", "500117", "500118", "500119", "500120", "500151", "500152", "500153", "500154",
    "500155", "500156", "500229", "500230", "500231", "500233", "500235", "500236", "500237", "500238",
    "500240", "500241", "500242", "500243",
)  # fmt: skip
"""Chongqing's districts and counties but the story's three and the tour's 江北区."""

SEED = "safetynet-demo-bulk-2026"
NAMESPACE = UUID("6f1c1d9e-3b0a-4c55-9a55-8d3b4d0f2a61")
CASEWORKER, INVESTIGATORS, REVIEWER = (
    "demo-bulk-caseworker",
    ("demo-bulk-inv-a", "demo-bulk-inv-b"),
    "demo-bulk-reviewer",
)
SLOTS = 250
"""Households per district and birth-date block: a member's sequence number is slot × 4 + their place."""
HEAD_BORN, SPOUSE_BORN, CHILD_BORN = date(1945, 1, 1), date(1947, 1, 1), date(2008, 1, 1)
ADULT_SPAN, CHILD_SPAN = 14_600, 4_380  # days; both prime to the stride, so a block's dates never repeat
STRIDE = 7_919
INVESTIGATION = (  # days before the decision, kind, actor
    (17, StepKind.APPLIED, CASEWORKER),
    (17, StepKind.ACCEPTED, CASEWORKER),
    (16, StepKind.DATA_CROSS_CHECKED, CASEWORKER),
    (15, StepKind.HOME_VISITED, INVESTIGATORS[0]),
    (10, StepKind.TOWNSHIP_REVIEWED, CASEWORKER),
    (9, StepKind.NOTICE_POSTED, CASEWORKER),
)


@dataclass
class Rows:
    """What a chunk writes, by table."""

    by_table: dict[Table, list[Any]] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)

    def add(self, *objects: Any) -> None:
        for obj in objects:
            self.by_table.setdefault(obj.__table__, []).append(obj)


@dataclass(frozen=True)
class Context:
    """What every household of a load is drawn against."""

    pii: PersonalData
    today: date
    city: Sequence[Standard]
    calendar: WorkingDayCalendar
    _in_force: dict[date, tuple[Standard, Standards]] = field(default_factory=dict)

    def standard_on(self, day: date) -> tuple[Standard, Standards]:
        """The city-wide standard in force on `day`, as `service.standards.in_force` chooses it."""
        if day not in self._in_force:
            row = max((s for s in self.city if s.effective_from <= day), key=lambda s: s.effective_from)
            self._in_force[day] = row, standards_queries.standards_of(row)
        return self._in_force[day]


RELATIONS = ("head", "spouse", "child", "child")
NO_FACTS = StoredFacts()
"""No assets, consumption or rigid expenses declared: the means test turns on income alone."""


def births(block: int) -> tuple[date, ...]:
    """The birth dates of a block's head, spouse and two children: distinct from every other block's."""
    adult, child = timedelta(days=block * STRIDE % ADULT_SPAN), timedelta(days=block * STRIDE % CHILD_SPAN)
    return (
        HEAD_BORN + adult,
        SPOUSE_BORN + adult,
        CHILD_BORN + child,
        CHILD_BORN + timedelta(days=365) + child,
    )


def resident_id(district: str, born: date, slot: int, place: int) -> str:
    """A valid resident ID nobody else in the demo has: the district, the birth date, and a sequence number
    made of the household's slot and the member's place in it."""
    body = f"{district}{born:%Y%m%d}{slot * 4 + place:03d}"
    return body + check_character(body)


def household_id(number: int) -> UUID:
    return uuid5(NAMESPACE, f"household/{number}")


async def load_households(
    engine: AsyncEngine,
    pii: PersonalData,
    count: int,
    *,
    today: date,
    source: str,
    progress: Callable[[int], object] = lambda _: None,
) -> int:
    """Households 0…`count`−1 that are not there yet, a chunk per transaction; returns how many it added."""
    async with AsyncSession(engine) as session:
        city = await standards_queries.city_standards_in_force_between(
            session, today - timedelta(days=60), today
        )
        calendar = await calendar_queries.working_days(session)
    context = Context(pii, today, city, calendar)
    added = 0
    for first in range(0, count, CHUNK):
        numbers = range(first, min(count, first + CHUNK))
        async with engine.begin() as connection:
            ids = {household_id(n): n for n in numbers}
            present = set(await connection.scalars(select(Household.id).where(Household.id.in_(list(ids)))))
            missing = [n for i, n in ids.items() if i not in present]
            if missing:
                rows = Rows()
                for number in missing:
                    _draw(number, context, rows)
                await _copy(connection, rows, source)
        added += len(missing)
        progress(len(numbers))
    return added


def _draw(number: int, context: Context, rows: Rows) -> None:
    """Household `number` as registered and, by its draw, applied for and approved."""
    draw = random.Random(f"{SEED}/{number}")  # noqa: S311 - demo names and IDs, never real people
    district = DISTRICTS[number % len(DISTRICTS)]
    block, slot = divmod(number // len(DISTRICTS), SLOTS)
    area: Area = "urban" if draw.random() < 0.7 else "rural"
    size = draw.choice((1, 1, 2, 2, 3, 4))
    surname = draw.choice(SURNAMES)
    household = Household(
        id=household_id(number),
        district_code=district,
        township_code=None,
        area=area,
        facts=NO_FACTS.model_dump(mode="json"),
        version=1,
        updated_by=CASEWORKER,
    )
    members: list[tuple[HouseholdMember, Person]] = []
    numbers: list[str] = []
    for place, (relation, born) in enumerate(list(zip(RELATIONS, births(block), strict=True))[:size]):
        number_ = resident_id(district, born, slot, place)
        person = Person(
            id=uuid5(NAMESPACE, f"person/{number}/{place}"),
            id_number_index=context.pii.index.digest(number_, context=ID_NUMBER),
            id_number_cipher=context.pii.cipher.encrypt(number_, context=ID_NUMBER),
            name_cipher=context.pii.cipher.encrypt(surname + draw.choice(GIVEN), context=NAME),
            birth_date=born,
            created_by=CASEWORKER,
        )
        profile: dict[str, object] = {"student": 6 <= age_on(born, context.today) < 19}
        if relation == "head" and draw.random() < 0.05:
            profile |= {"disability_grade": draw.choice((1, 2)), "disability_kind": "physical"}
        members.append(
            (
                HouseholdMember(
                    household_id=household.id, person_id=person.id, relation=relation, profile=profile
                ),
                person,
            )
        )
        numbers.append(number_)
    fate = draw.random()
    decided_on = context.today - timedelta(days=draw.randint(0, 27))
    registered_on = decided_on - timedelta(days=INVESTIGATION[0][0] + 1)
    _, standards = context.standard_on(registered_on)
    share = draw.uniform(0, 0.85) if fate < 0.75 else draw.uniform(0.5, 2.5)
    household.monthly_income_fen = int(share * standards.dibao_fen(area) * size) // 100 * 100
    rows.add(household, *(person for _, person in members), *(member for member, _ in members))
    rows.add(
        HouseholdVersion(
            household_id=household.id,
            version=1,
            changed_by=CASEWORKER,
            reason="registered (demo city)",
            snapshot=snapshot(household, [member for member, _ in members]),
        )
    )
    recorded = [
        (member.person_id, member.relation, n) for (member, _), n in zip(members, numbers, strict=True)
    ]
    rows.events.append(household_recorded(context.pii, household, NO_FACTS, recorded, registered_on))
    if fate < 0.65:
        _apply(number, household, members, decided_on, context, rows, steps=len(INVESTIGATION), decide=True)
    elif fate < 0.75:
        _apply(
            number,
            household,
            members,
            decided_on,
            context,
            rows,
            steps=draw.randint(1, len(INVESTIGATION)),
            decide=False,
        )


def _apply(
    number: int,
    household: Household,
    members: list[tuple[HouseholdMember, Person]],
    decided_on: date,
    context: Context,
    rows: Rows,
    *,
    steps: int,
    decide: bool,
) -> None:
    """An application through its first `steps` statutory steps, replayed through the workflow's checks, and
    approved on `decided_on` if `decide` (opening its case)."""
    applied_on = decided_on - timedelta(days=INVESTIGATION[0][0])
    application = Application(
        id=uuid5(NAMESPACE, f"application/{number}"),
        household_id=household.id,
        program="dibao",
        district_code=household.district_code,
        township_code=None,
        state="new",
        entered_by=CASEWORKER,
        investigators=[],
        relative_flagged=False,
        relative_filed=False,
        district_visit_done=False,
        uses_democratic_appraisal=False,
        emergency=False,
        created_at=datetime.combine(applied_on, time(9), BUSINESS_ZONE).astimezone(UTC),
    )
    _, standards = context.standard_on(applied_on)
    procedure = Procedure(
        program="dibao",
        rules=workflow.WorkflowRules(
            uses_democratic_appraisal=False,
            help_first=workflow.HelpFirst(
                limit_fen=standards.help_first_limit_fen,
                paperwork_working_days=standards.help_first_paperwork_working_days,
            ),
        ),
        relative_flagged=False,
        emergency=False,
    )
    history = [
        Step(kind, actor, decided_on - timedelta(days=before), _details(kind))
        for before, kind, actor in INVESTIGATION[:steps]
    ]
    if decide:
        history.append(Step(StepKind.APPROVED, REVIEWER, decided_on, StepDetails()))
    for seq, step in enumerate(history, start=1):
        procedure = workflow.apply_step(procedure, step, today=context.today, calendar=context.calendar)
        rows.add(step_row(application.id, seq, step))
    summarise(application, procedure, history[-1], context.calendar)
    rows.add(application)
    if decide:
        standard, standards = context.standard_on(decided_on)
        result = assess_household("dibao", household, members, standards, decided_on)
        case, beneficiaries, announced = approved_case(
            application,
            household,
            members,
            standard,
            result,
            case_id=uuid5(NAMESPACE, f"case/{number}"),
            decided_on=decided_on,
            approved_by=REVIEWER,
        )
        rows.add(case, *beneficiaries)
        rows.events.extend(announced)


def _details(kind: StepKind) -> StepDetails:
    if kind is StepKind.DATA_CROSS_CHECKED:
        return StepDetails(findings=("tax: no income", "vehicles: none", "real estate: none"))
    if kind is StepKind.HOME_VISITED:
        return StepDetails(investigators=INVESTIGATORS)
    return StepDetails()


ORDER = (
    "persons",
    "households",
    "household_members",
    "household_versions",
    "applications",
    "application_steps",
    "cases",
    "case_beneficiaries",
)


async def _copy(connection: AsyncConnection, rows: Rows, source: str) -> None:
    """Every row of the chunk by COPY, parents first, and its events into the outbox; the relay is woken."""
    raw = (await connection.get_raw_connection()).driver_connection
    assert raw is not None
    tables = sorted(rows.by_table.items(), key=lambda item: ORDER.index(item[0].name))
    for table, objects in tables:
        # A column the database fills (a timestamp, an identity) is left to it unless the rows set it.
        columns = [
            c for c in table.columns if c.server_default is None or getattr(objects[0], c.key) is not None
        ]
        await raw.copy_records_to_table(
            table.name,
            columns=[c.name for c in columns],
            records=[tuple(_value(c, getattr(o, c.key)) for c in columns) for o in objects],
        )
    events = outbox_rows(rows.events, source=source)
    names = list(events[0])
    await raw.copy_records_to_table(
        outbox.name,
        columns=names,
        records=[tuple(json.dumps(e[n]) if n == "payload" else e[n] for n in names) for e in events],
    )
    await connection.execute(select(func.pg_notify(NOTIFY_CHANNEL, "")))


def _value(column: Any, value: object) -> object:
    return json.dumps(value) if isinstance(column.type, JSONB) else value


async def load(
    settings: EligibilitySettings,
    count: int,
    *,
    today: date,
    progress: Callable[[int], object] = lambda _: None,
) -> int:
    """`load_households` into the eligibility database of `settings`, with its keys."""
    engine = create_engine(settings.database)
    try:
        return await load_households(
            engine,
            PersonalData(settings.pii),
            count,
            today=today,
            source=DEFINITION.source,
            progress=progress,
        )
    finally:
        await engine.dispose()
