"""Insurers and policy terms: seeded for this year and next, defined by an admin, read by everyone."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID, uuid4

from services.insurance.domain.terms import ANNUAL_PREMIUM_FEN, DEFAULT_COVERS, term_bounds
from services.insurance.models import Cover, Insurer, PolicyTerm
from services.insurance.repository import terms as term_queries
from services.insurance.schemas.terms import CoverOut, InsurerIn, InsurerOut, TermIn, TermOut
from shared import audit
from shared.auth import Principal
from shared.clock import Clock, SystemClock
from shared.db import UnitOfWork, insert_if_absent
from shared.errors import Conflict, FieldIssue, InvalidInput, NotFound

DEMO_INSURER_ID = UUID("6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b")
DEMO_INSURER_NAME = "Demo insurer partner (示范承保公司)"
SEEDED_BY = "seed"


async def seed_terms(
    uow: UnitOfWork,
    years: Iterable[int] | None = None,
    *,
    clock: Clock | None = None,
    seeded_by: str = SEEDED_BY,
) -> int:
    """The demo insurer and a term for `years`, by default the clock's year and the next, with the default
    premium and covers; idempotent, each added row audited as the admin routes audit theirs.

    The seeder runs before any service runtime exists (`safetynet seed` calls it as `seed(uow, seeded_by=…)`),
    so without a `clock` it reads the system's: the one place the insurance service does.
    """
    this_year = (clock or SystemClock()).today().year
    added = 0
    async with uow:
        if await insert_if_absent(uow.session, Insurer(id=DEMO_INSURER_ID, name=DEMO_INSURER_NAME)):
            await _audit_insurer(uow, seeded_by, DEMO_INSURER_ID)
            added += 1
        for year in years if years is not None else (this_year, this_year + 1):
            term = PolicyTerm(
                year=year, insurer_id=DEMO_INSURER_ID, premium_fen=ANNUAL_PREMIUM_FEN, created_by=seeded_by
            )
            covers = [
                Cover(
                    policy_year=year,
                    cover_type=c.cover_type,
                    limit_fen=c.limit_fen,
                    report_limit_hours=c.report_limit_hours,
                    documents=list(c.documents),
                )
                for c in DEFAULT_COVERS
            ]
            if await _add_term(uow, term, covers):
                await _audit_term(uow, seeded_by, term)
                added += 1
        await uow.commit()
    return added


async def _add_term(uow: UnitOfWork, term: PolicyTerm, covers: list[Cover]) -> bool:
    if not await insert_if_absent(uow.session, term):
        return False
    for cover in covers:
        await insert_if_absent(uow.session, cover)
    return True


async def _audit_insurer(uow: UnitOfWork, actor: str, insurer_id: UUID) -> None:
    await audit.record(
        uow.session, actor=actor, action="insurer.registered", subject_type="insurer", subject_id=insurer_id
    )


async def _audit_term(uow: UnitOfWork, actor: str, term: PolicyTerm) -> None:
    await audit.record(
        uow.session,
        actor=actor,
        action="policy_term.created",
        subject_type="policy_term",
        subject_id=term.year,
        details={"insurer_id": term.insurer_id, "premium_fen": term.premium_fen},
    )


async def add_insurer(uow: UnitOfWork, caller: Principal, body: InsurerIn) -> InsurerOut:
    async with uow:
        insurer = Insurer(id=uuid4(), name=body.name)
        if not await insert_if_absent(uow.session, insurer):
            raise Conflict(
                "an insurer of that name exists", errors=[FieldIssue("name", "unique", "already registered")]
            )
        await _audit_insurer(uow, caller.subject, insurer.id)
        await uow.commit()
    return InsurerOut(id=insurer.id, name=insurer.name)


async def create_term(uow: UnitOfWork, caller: Principal, body: TermIn) -> TermOut:
    """Define a policy term; its insurer, premium and covers are fixed once people are enrolled."""
    issues = []
    cover_types = [c.cover_type for c in body.covers]
    if len(set(cover_types)) != len(cover_types):
        issues.append(FieldIssue("covers", "unique", "each cover type appears once"))
    async with uow:
        if await term_queries.insurer(uow.session, body.insurer_id) is None:
            issues.append(FieldIssue("insurer_id", "UNKNOWN_INSURER", "register the insurer first"))
        if issues:
            raise InvalidInput("the term is not valid", errors=issues)
        term = PolicyTerm(
            year=body.year,
            insurer_id=body.insurer_id,
            premium_fen=body.premium_fen,
            created_by=caller.subject,
        )
        covers = [
            Cover(
                policy_year=body.year,
                cover_type=c.cover_type,
                limit_fen=c.limit_fen,
                report_limit_hours=c.report_limit_hours,
                documents=c.documents,
            )
            for c in body.covers
        ]
        if not await _add_term(uow, term, covers):
            raise Conflict(
                f"the {body.year} term exists", errors=[FieldIssue("year", "unique", "one term per year")]
            )
        await _audit_term(uow, caller.subject, term)
        await uow.session.flush()
        answer = await _term(uow, caller, body.year)
        await uow.commit()
    return answer


async def list_terms(uow: UnitOfWork, caller: Principal) -> list[TermOut]:
    async with uow:
        terms = await term_queries.terms(uow.session, caller.insurer)
        covers = await term_queries.covers(uow.session, [t.year for t in terms])
    return [_term_out(t, [c for c in covers if c.policy_year == t.year]) for t in terms]


async def read_term(uow: UnitOfWork, caller: Principal, year: int) -> TermOut:
    async with uow:
        return await _term(uow, caller, year)


async def _term(uow: UnitOfWork, caller: Principal, year: int) -> TermOut:
    """The term as the caller's open unit of work sees it."""
    term = await term_queries.term(uow.session, year)
    insurer_id = caller.insurer
    if term is None or (insurer_id is not None and term.insurer_id != insurer_id):
        raise NotFound(f"no {year} policy term you can see")
    covers = await term_queries.covers(uow.session, [year])
    return _term_out(term, covers)


def _term_out(term: PolicyTerm, covers: list[Cover]) -> TermOut:
    starts_on, ends_on = term_bounds(term.year)
    return TermOut(
        year=term.year,
        starts_on=starts_on,
        ends_on=ends_on,
        insurer_id=term.insurer_id,
        premium_fen=term.premium_fen,
        covers=[CoverOut.model_validate(c, from_attributes=True) for c in covers],
    )
