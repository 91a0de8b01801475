"""A term's KPIs, city-wide (within the caller's reach) and per district: the figures come from
`domain.kpis`, fed with the roster grouped by cover dates and the term's claims.

Without `as_of` the figures run to today: cover to today kept within the term (31 December for last
year's term, 1 January for next year's), claims to today, since a term's claims are still reported
after its last day."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from services.insurance.domain.kpis import ClaimFacts, ExposureGroup, GapGroup, Kpis, kpis
from services.insurance.domain.terms import term_bounds, within_term
from services.insurance.repository import claims as claim_queries
from services.insurance.repository import roster as roster_queries
from services.insurance.repository import terms as term_queries
from services.insurance.schemas.kpis import DistrictKpisOut, TermKpisOut
from services.insurance.service.common import visibility
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import FieldIssue, InvalidInput, NotFound


async def term_kpis(
    uow: UnitOfWork,
    caller: Principal,
    year: int,
    *,
    as_of: date | None,
    district_code: str | None,
    today: date,
) -> TermKpisOut:
    starts_on, ends_on = term_bounds(year)
    day = as_of or within_term(today, year)
    reported_by = as_of or max(today, day)
    if not starts_on <= day <= ends_on:
        raise InvalidInput(
            "as_of must fall in the term", errors=[FieldIssue("as_of", "OUTSIDE_TERM", f"not in {year}")]
        )
    seen = visibility(caller, district_code)
    async with uow:
        term = await term_queries.term(uow.session, year)
        if term is None or (seen.insurer_id is not None and term.insurer_id != seen.insurer_id):
            raise NotFound(f"no {year} policy term you can see")
        groups = [
            ExposureGroup(r.district_code, r.cover_from, r.cover_until, int(r.entries), int(r.premium_fen))
            for r in await roster_queries.exposure_groups(uow.session, seen, year)
        ]
        gaps = [
            GapGroup(r.district_code, r.gap_from, r.gap_until, int(r.entries))
            for r in await roster_queries.gap_groups(uow.session, seen, year)
        ]
        claims = await claim_queries.claims(
            uow.session, seen, year=year, status=None, person_id=None, district_code=None
        )
        limits = {c.cover_type: c.report_limit_hours for c in await term_queries.covers(uow.session, [year])}
        # Each claim as it stood at the cut-off: a claim settled or rejected after it still counts as open.
        status_then = await claim_queries.statuses_on(uow.session, [c.id for c in claims], reported_by)
    facts = {
        claim.id: (
            claim.district_code,
            ClaimFacts(
                claim.cover_type,
                claim.incident_date,
                claim.reported_on,
                status_then.get(claim.id, "reported"),
                claim.paid_fen,
                claim.settled_on,
            ),
        )
        for claim in claims
    }

    def figures(district: str | None) -> Kpis:
        return kpis(
            [g for g in groups if district is None or g.district_code == district],
            [fact for code, fact in facts.values() if district is None or code == district],
            gaps=[g for g in gaps if district is None or g.district_code == district],
            year=year,
            as_of=day,
            report_limits=limits,
            reported_by=reported_by,
        )

    districts = sorted({g.district_code for g in groups} | {code for code, _ in facts.values()})
    return TermKpisOut(
        policy_year=year,
        as_of=day,
        claims_reported_by=reported_by,
        **asdict(figures(None)),
        districts=[DistrictKpisOut(district_code=code, **asdict(figures(code))) for code in districts],
    )
