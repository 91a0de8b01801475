"""REST routes of the insurance service: parse, check the caller's role, call one use case, translate.

Every query is also limited in the service: staff to their districts, an insurer to its own terms."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request, status
from fastapi.responses import Response

from services.insurance.schemas import (
    AssessmentIn,
    BuildIn,
    BuildOut,
    ClaimIn,
    ClaimOut,
    DocumentsIn,
    InsurerIn,
    InsurerOut,
    ReconciliationOut,
    RejectionIn,
    RosterChangesOut,
    RosterEntryOut,
    RosterPage,
    SettlementIn,
    TermIn,
    TermKpisOut,
    TermOut,
)
from services.insurance.service import claims as claim_service
from services.insurance.service import kpis as kpi_service
from services.insurance.service import roster as roster_service
from services.insurance.service import terms as term_service
from shared.auth import Principal, Role
from shared.auth import require_roles as roles
from shared.contracts.types import DistrictCode
from shared.service import TodayDep, UnitOfWorkDep, runtime_of

terms = APIRouter(prefix="/v1", tags=["terms and roster"])
claims = APIRouter(prefix="/v1/claims", tags=["claims"])

Admin = Annotated[Principal, Depends(roles(Role.admin))]
Reader = Annotated[
    Principal, Depends(roles(Role.caseworker, Role.reviewer, Role.insurer, Role.auditor, Role.admin))
]
Builder = Annotated[Principal, Depends(roles(Role.reviewer, Role.admin))]
Overseer = Annotated[Principal, Depends(roles(Role.reviewer, Role.auditor, Role.admin))]
KpiReader = Annotated[Principal, Depends(roles(Role.reviewer, Role.insurer, Role.auditor, Role.admin))]
Reporter = Annotated[Principal, Depends(roles(Role.caseworker, Role.reviewer, Role.insurer))]
Insurer = Annotated[Principal, Depends(roles(Role.insurer))]

Year = Annotated[int, Path(ge=2018, le=2100, description="the policy term (a calendar year)")]
Month = Annotated[str, Path(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]
District = Annotated[DistrictCode | None, Query(description="one district of your scope")]
ClaimStatus = Literal["reported", "documents_complete", "assessed", "settled", "rejected"]


@terms.post(
    "/insurers",
    status_code=status.HTTP_201_CREATED,
    summary="Register an insurer partner (admin)",
    description="Its API clients carry the returned id as the `insurer_id` claim of their tokens.",
)
async def post_insurer(body: InsurerIn, uow: UnitOfWorkDep, caller: Admin) -> InsurerOut:
    return await term_service.add_insurer(uow, caller, body)


@terms.get(
    "/terms",
    summary="Policy terms with their insurer, premium and covers",
    description="An insurer sees its own terms only. Limits and checklists of the seeded terms are defaults "
    "(docs/insurance.md).",
)
async def get_terms(uow: UnitOfWorkDep, caller: Reader) -> list[TermOut]:
    return await term_service.list_terms(uow, caller)


@terms.post(
    "/terms",
    status_code=status.HTTP_201_CREATED,
    summary="Define a policy term (admin)",
    description="One term per calendar year; premium defaults to ¥120 per person per year, covers to the "
    "documented defaults.",
)
async def post_term(body: TermIn, uow: UnitOfWorkDep, caller: Admin) -> TermOut:
    return await term_service.create_term(uow, caller, body)


@terms.get("/terms/{year}", summary="One policy term")
async def get_term(year: Year, uow: UnitOfWorkDep, caller: Reader) -> TermOut:
    return await term_service.read_term(uow, caller, year)


@terms.post(
    "/terms/{year}/roster",
    summary="Build the term's January roster from the active beneficiaries",
    description="Everyone the beneficiaries read model covers during the term and who has no entry yet is "
    "enrolled (cover from 1 January, or the 1st of their confirmation month), set-based, in batches, each "
    "entry announced by `InsuredEnrolled`. Approvals processed afterwards join the term directly. Repeating "
    "it adds nobody twice. Reviewers build their districts, admins every district. Audited.",
)
async def post_roster(year: Year, body: BuildIn, request: Request, caller: Builder) -> BuildOut:
    return await roster_service.build_roster(runtime_of(request).unit_of_work, caller, year, body)


@terms.get(
    "/terms/{year}/roster",
    summary="The term's roster: one entry per insured person (ids and dates, no identity)",
    description="Paged by entry id: pass `next_after` as `after`. Names and ID numbers come only from "
    "eligibility's identity endpoint.",
)
async def get_roster(
    year: Year,
    uow: UnitOfWorkDep,
    caller: Reader,
    district_code: District = None,
    person_id: Annotated[UUID | None, Query()] = None,
    after: Annotated[UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=5_000)] = 500,
) -> RosterPage:
    return await roster_service.list_roster(
        uow, caller, year, district_code=district_code, person_id=person_id, after=after, limit=limit
    )


_CSV_COLUMNS = list(RosterEntryOut.model_fields)


def _csv(changes: RosterChangesOut) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["change", *_CSV_COLUMNS])
    for change, entries in (("added", changes.added), ("removed", changes.removed)):
        for entry in entries:
            row = entry.model_dump(mode="json")
            writer.writerow([change, *(";".join(v) if isinstance(v, list) else v for v in row.values())])
    name = f"roster-{changes.policy_year}-{changes.month}-{changes.district_code or 'all'}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@terms.get(
    "/terms/{year}/roster/changes/{month}",
    response_model=RosterChangesOut,
    summary="A month's additions and removals per district (January: the January roster)",
    description="Additions: entries whose cover starts that month (批增). Removals: entries off the roster "
    "from that month (cover ended the month before). `format=csv` downloads the same as a file.",
)
async def get_roster_changes(
    year: Year,
    month: Month,
    uow: UnitOfWorkDep,
    caller: Reader,
    district_code: District = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> RosterChangesOut | Response:
    changes = await roster_service.roster_changes(uow, caller, year, month, district_code=district_code)
    return _csv(changes) if format == "csv" else changes


@terms.get(
    "/terms/{year}/reconciliation",
    summary="Roster reconciliation: differences between the roster and the active beneficiaries on a day",
    description="`not_insured`: covered by an active case but not on the roster; `not_a_beneficiary`: on the "
    "roster without an active case; `district_differs`: on another district's roster (oversight R14).",
)
async def get_reconciliation(
    year: Year,
    uow: UnitOfWorkDep,
    caller: Overseer,
    today: TodayDep,
    as_of: Annotated[
        date | None, Query(description="default: today, or the term's last day (first, for a term to come)")
    ] = None,
    district_code: District = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1_000,
) -> ReconciliationOut:
    return await roster_service.reconcile(
        uow, caller, year, as_of=as_of, district_code=district_code, limit=limit, today=today
    )


@terms.get(
    "/terms/{year}/kpis",
    summary="The term's KPIs, overall and per district",
    description="Insured persons, person-years and monthly additions/removals; claims by type; 出险率 (claims "
    "per insured person-year); reporting timeliness (days from incident to report, share within the cover's "
    "limit, 48 hours for accidents by default); settlement rate and median days to settle; amounts paid by "
    "type. Formulas in docs/insurance.md.",
)
async def get_kpis(
    year: Year,
    uow: UnitOfWorkDep,
    caller: KpiReader,
    today: TodayDep,
    as_of: Annotated[
        date | None,
        Query(
            description="cover counted to this day, claims reported to it; default: cover to today, or the "
            "term's last day (first, for a term to come), and claims reported to today"
        ),
    ] = None,
    district_code: District = None,
) -> TermKpisOut:
    return await kpi_service.term_kpis(
        uow, caller, year, as_of=as_of, district_code=district_code, today=today
    )


@claims.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Report a claim (报案) for an insured person",
    description="Refused (422) unless the person's cover was active on `incident_date` (rules "
    "`COVER_NOT_STARTED`, `COVER_ENDED`, `NOT_INSURED`) and the claim keeps the cover's rules; a second "
    "claim for the same cover and incident is refused (409, `DUPLICATE_CLAIM`). Publishes `ClaimReported`.",
)
async def post_claim(body: ClaimIn, uow: UnitOfWorkDep, caller: Reporter, today: TodayDep) -> ClaimOut:
    return await claim_service.report_claim(uow, caller, body, today=today)


@claims.get("", summary="Claims you can see, by term, status, person or district")
async def get_claims(
    uow: UnitOfWorkDep,
    caller: Reader,
    policy_year: Annotated[int | None, Query(ge=2018, le=2100)] = None,
    status: Annotated[ClaimStatus | None, Query()] = None,
    person_id: Annotated[UUID | None, Query()] = None,
    district_code: District = None,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 200,
) -> list[ClaimOut]:
    return await claim_service.list_claims(
        uow,
        caller,
        year=policy_year,
        status=status,
        person_id=person_id,
        district_code=district_code,
        limit=limit,
    )


@claims.get("/{claim_id}", summary="One claim with its documents checklist")
async def get_claim(claim_id: UUID, uow: UnitOfWorkDep, caller: Reader) -> ClaimOut:
    return await claim_service.read_claim(uow, caller, claim_id)


@claims.post(
    "/{claim_id}/documents",
    summary="Record received documents; the last one on the checklist makes the claim documents_complete",
)
async def post_documents(claim_id: UUID, body: DocumentsIn, uow: UnitOfWorkDep, caller: Reporter) -> ClaimOut:
    return await claim_service.receive_documents(uow, caller, claim_id, body)


@claims.post(
    "/{claim_id}/assessment",
    summary="Assess a claim whose documents are complete (insurer)",
    description="At most the claimed amount and the cover's limit. Publishes `ClaimAssessed`; audited.",
)
async def post_assessment(
    claim_id: UUID, body: AssessmentIn, uow: UnitOfWorkDep, caller: Insurer, today: TodayDep
) -> ClaimOut:
    return await claim_service.assess(uow, caller, claim_id, body, today=today)


@claims.post(
    "/{claim_id}/settlement",
    summary="Settle an assessed claim (insurer)",
    description="At most the assessed amount. Publishes `ClaimSettled`; audited.",
)
async def post_settlement(
    claim_id: UUID, body: SettlementIn, uow: UnitOfWorkDep, caller: Insurer, today: TodayDep
) -> ClaimOut:
    return await claim_service.settle(uow, caller, claim_id, body, today=today)


@claims.post(
    "/{claim_id}/rejection",
    summary="Reject a claim before settlement, with a reason code and a short reason (insurer)",
    description="The reason travels in `ClaimRejected` to the insurer feed: no names, ID numbers or "
    "diagnoses (long digit runs are refused, rule `NO_PERSONAL_DATA`). Audited.",
)
async def post_rejection(
    claim_id: UUID, body: RejectionIn, uow: UnitOfWorkDep, caller: Insurer, today: TodayDep
) -> ClaimOut:
    return await claim_service.reject(uow, caller, claim_id, body, today=today)
