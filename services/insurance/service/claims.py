"""Claims: reported against the roster entry whose cover was active on the incident date, then documents,
assessment, and settlement or rejection by the insurer. Each step announces itself on `insurance.claim.v1`."""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID, uuid4

from services.insurance.domain.claims import (
    Channel,
    Expenses,
    can_move,
    claim_issues,
    covering_entry,
    refuse_in_gap,
)
from services.insurance.models import Claim
from services.insurance.repository import claims as claim_queries
from services.insurance.repository import roster as roster_queries
from services.insurance.repository import terms as term_queries
from services.insurance.schemas.claims import (
    AssessmentIn,
    ClaimIn,
    ClaimOut,
    DocumentsIn,
    ExpensesOut,
    RejectionIn,
    SettlementIn,
)
from services.insurance.service.common import visibility
from shared import audit
from shared.auth import Principal
from shared.contracts.insurance import ClaimAssessed, ClaimRejected, ClaimReported, ClaimSettled
from shared.db import UnitOfWork, insert_if_absent
from shared.errors import Conflict, FieldIssue, InvalidInput, NotFound

# Eleven or more digits in a row look like a phone or resident ID number: not for an event's free text.
_PERSONAL_NUMBER = re.compile(r"[0-9]{11,}")


def _channel(caller: Principal, asked: Channel | None) -> Channel:
    if caller.insurer is not None:
        if asked not in (None, "insurer"):
            raise InvalidInput(
                "an insurer reports through the insurer channel",
                errors=[FieldIssue("channel", "INSURER_CHANNEL", "must be insurer or left out")],
            )
        return "insurer"
    if asked == "insurer":
        raise InvalidInput(
            "only an insurer reports through the insurer channel",
            errors=[FieldIssue("channel", "INSURER_CHANNEL", "staff report as caseworker or hospital")],
        )
    return asked or "caseworker"


def _unknown_documents(field: str, names: list[str], checklist: list[str]) -> list[FieldIssue]:
    return [
        FieldIssue(f"{field}.{i}", "NOT_IN_CHECKLIST", f"expected one of {', '.join(checklist)}")
        for i, name in enumerate(names)
        if name not in checklist
    ]


async def report_claim(uow: UnitOfWork, caller: Principal, body: ClaimIn, *, today: date) -> ClaimOut:
    """Record a claim reported `today` (报案), checked against the term whose cover was active on the
    incident date (a claim reported in January for a December incident is last year's). Refused, changing
    nothing, when the person was not covered on the incident date, the claim breaks a cover rule, or the
    same incident was already claimed."""
    if body.incident_date > today:
        raise InvalidInput(
            "the incident cannot be in the future",
            errors=[FieldIssue("incident_date", "FUTURE_DATE", f"after today ({today})")],
        )
    channel = _channel(caller, body.channel)
    async with uow:
        entries = await roster_queries.entries_of_person(uow.session, body.person_id, visibility(caller))
        entry = covering_entry(body.incident_date, entries)
        refuse_in_gap(
            body.incident_date, (await roster_queries.gaps_of(uow.session, [entry.id])).get(entry.id, ())
        )
        cover = await term_queries.cover(uow.session, entry.policy_year, body.cover_type)
        if cover is None:
            raise InvalidInput(
                f"the {entry.policy_year} policy has no {body.cover_type} cover",
                errors=[FieldIssue("cover_type", "NOT_IN_POLICY", "not a cover of the term")],
            )
        expenses = Expenses(**body.expenses.model_dump()) if body.expenses is not None else None
        issues = claim_issues(body.cover_type, body.claimed_fen, cover.limit_fen, expenses)
        issues += _unknown_documents("documents_received", body.documents_received, cover.documents)
        if issues:
            raise InvalidInput("the claim breaks the cover's rules", errors=issues)
        received = sorted(set(body.documents_received))
        claim = Claim(
            id=uuid4(),
            roster_entry_id=entry.id,
            person_id=entry.person_id,
            policy_year=entry.policy_year,
            insurer_id=entry.insurer_id,
            district_code=entry.district_code,
            cover_type=body.cover_type,
            incident_date=body.incident_date,
            reported_on=today,
            channel=channel,
            reported_by=caller.subject,
            claimed_fen=body.claimed_fen,
            expenses_total_fen=expenses.total_fen if expenses else None,
            basic_insurance_fen=expenses.basic_insurance_fen if expenses else None,
            medical_assistance_fen=expenses.medical_assistance_fen if expenses else None,
            out_of_list_fen=expenses.out_of_list_fen if expenses else None,
            documents_received=received,
            status="reported",
        )
        if not await insert_if_absent(uow.session, claim):
            existing = await claim_queries.claim_for_incident(
                uow.session, entry.id, body.cover_type, body.incident_date
            )
            if existing is not None:
                raise Conflict(
                    f"this incident is already claimed (claim {existing.id})",
                    errors=[
                        FieldIssue("incident_date", "DUPLICATE_CLAIM", "one claim per cover and incident")
                    ],
                )
            raise Conflict(
                f"the person already has a {body.cover_type} claim",
                errors=[FieldIssue("cover_type", "ONCE_PER_PERSON", "this cover pays a person once")],
            )
        claim_queries.record_status(uow.session, claim, on=today, by=caller.subject)
        if set(cover.documents) <= set(received):
            _move(uow, claim, "documents_complete", today=today, by=caller.subject)
        uow.emit(
            ClaimReported(
                claim_id=claim.id,
                roster_entry_id=entry.id,
                person_id=entry.person_id,
                policy_year=entry.policy_year,
                insurer_id=entry.insurer_id,
                cover_type=body.cover_type,
                incident_date=body.incident_date,
                reported_on=today,
                channel=channel,
                claimed_fen=body.claimed_fen,
            )
        )
        await uow.session.flush()
        answer = await _out(uow, claim)
        await uow.commit()
        return answer


async def _claim(uow: UnitOfWork, caller: Principal, claim_id: UUID) -> Claim:
    claim = await claim_queries.claim(uow.session, claim_id, visibility(caller), for_update=True)
    if claim is None:
        raise NotFound(f"no claim {claim_id} you can see")
    return claim


def _move(uow: UnitOfWork, claim: Claim, to: str, *, today: date, by: str) -> None:
    if not can_move(claim.status, to):
        raise Conflict(
            f"a {claim.status} claim cannot become {to}",
            errors=[FieldIssue("status", "CLAIM_LIFECYCLE", f"{claim.status} → {to} is not a step")],
        )
    claim.status = to
    claim_queries.record_status(uow.session, claim, on=today, by=by)


async def receive_documents(
    uow: UnitOfWork, caller: Principal, claim_id: UUID, body: DocumentsIn, *, today: date
) -> ClaimOut:
    """Tick documents off the checklist; the last one makes the claim `documents_complete`."""
    async with uow:
        claim = await _claim(uow, caller, claim_id)
        cover = await term_queries.cover(uow.session, claim.policy_year, claim.cover_type)
        assert cover is not None  # the claim's foreign key
        if issues := _unknown_documents("received", body.received, cover.documents):
            raise InvalidInput("unknown documents", errors=issues)
        if claim.status not in ("reported", "documents_complete"):
            raise Conflict(
                f"the claim is {claim.status}",
                errors=[FieldIssue("status", "CLAIM_LIFECYCLE", "documents are taken before assessment")],
            )
        claim.documents_received = sorted({*claim.documents_received, *body.received})
        if claim.status == "reported" and set(cover.documents) <= set(claim.documents_received):
            _move(uow, claim, "documents_complete", today=today, by=caller.subject)
        await uow.session.flush()
        answer = await _out(uow, claim)
        await uow.commit()
        return answer


async def _decided(
    uow: UnitOfWork, caller: Principal, claim: Claim, action: str, details: dict[str, object]
) -> ClaimOut:
    """Audit the decision, and commit it with the claim as this transaction shows it."""
    await audit.record(
        uow.session,
        actor=caller.subject,
        action=action,
        subject_type="claim",
        subject_id=claim.id,
        district_code=claim.district_code,
        details={"cover_type": claim.cover_type, **details},
    )
    await uow.session.flush()
    answer = await _out(uow, claim)
    await uow.commit()
    return answer


async def assess(
    uow: UnitOfWork, caller: Principal, claim_id: UUID, body: AssessmentIn, *, today: date
) -> ClaimOut:
    """The insurer assesses a claim whose documents are complete: at most the claim and the cover's limit."""
    async with uow:
        claim = await _claim(uow, caller, claim_id)
        cover = await term_queries.cover(uow.session, claim.policy_year, claim.cover_type)
        assert cover is not None
        if body.assessed_fen > min(claim.claimed_fen, cover.limit_fen):
            raise InvalidInput(
                "the assessment exceeds the claim or the cover's limit",
                errors=[
                    FieldIssue(
                        "assessed_fen",
                        "ABOVE_CLAIMED_OR_LIMIT",
                        f"at most {min(claim.claimed_fen, cover.limit_fen)}",
                    )
                ],
            )
        _move(uow, claim, "assessed", today=today, by=caller.subject)
        claim.assessed_fen, claim.assessed_on, claim.assessed_by = body.assessed_fen, today, caller.subject
        uow.emit(ClaimAssessed(claim_id=claim.id, assessed_fen=body.assessed_fen, assessed_on=today))
        return await _decided(uow, caller, claim, "claim.assessed", {"assessed_fen": body.assessed_fen})


async def settle(
    uow: UnitOfWork, caller: Principal, claim_id: UUID, body: SettlementIn, *, today: date
) -> ClaimOut:
    async with uow:
        claim = await _claim(uow, caller, claim_id)
        if claim.assessed_fen is not None and body.paid_fen > claim.assessed_fen:
            raise InvalidInput(
                "the payment exceeds the assessment",
                errors=[FieldIssue("paid_fen", "ABOVE_ASSESSED", f"at most {claim.assessed_fen}")],
            )
        _move(uow, claim, "settled", today=today, by=caller.subject)
        claim.paid_fen, claim.settled_on, claim.settled_by = body.paid_fen, today, caller.subject
        uow.emit(ClaimSettled(claim_id=claim.id, paid_fen=body.paid_fen, settled_on=today))
        return await _decided(uow, caller, claim, "claim.settled", {"paid_fen": body.paid_fen})


async def reject(
    uow: UnitOfWork, caller: Principal, claim_id: UUID, body: RejectionIn, *, today: date
) -> ClaimOut:
    """Rejected with a machine reason code and a short reason, which travels in ClaimRejected."""
    if _PERSONAL_NUMBER.search(body.reason):
        raise InvalidInput(
            "the reason goes to the insurer feed: no ID or phone numbers",
            errors=[FieldIssue("reason", "NO_PERSONAL_DATA", "remove long digit sequences")],
        )
    async with uow:
        claim = await _claim(uow, caller, claim_id)
        _move(uow, claim, "rejected", today=today, by=caller.subject)
        claim.rejection_code, claim.rejection_reason = body.reason_code, body.reason
        claim.rejected_on, claim.rejected_by = today, caller.subject
        uow.emit(
            ClaimRejected(
                claim_id=claim.id, reason_code=body.reason_code, reason=body.reason, rejected_on=today
            )
        )
        return await _decided(uow, caller, claim, "claim.rejected", {"reason_code": body.reason_code})


async def read_claim(uow: UnitOfWork, caller: Principal, claim_id: UUID) -> ClaimOut:
    async with uow:
        claim = await claim_queries.claim(uow.session, claim_id, visibility(caller))
        if claim is None:
            raise NotFound(f"no claim {claim_id} you can see")
        return await _out(uow, claim)


async def list_claims(
    uow: UnitOfWork,
    caller: Principal,
    *,
    year: int | None,
    status: str | None,
    person_id: UUID | None,
    district_code: str | None,
    limit: int,
) -> list[ClaimOut]:
    async with uow:
        rows = await claim_queries.claims(
            uow.session,
            visibility(caller, district_code),
            year=year,
            status=status,
            person_id=person_id,
            district_code=None,
            limit=limit,
        )
        checklists = {
            (c.policy_year, c.cover_type): list(c.documents)
            for c in await term_queries.covers(uow.session, sorted({claim.policy_year for claim in rows}))
        }
    return [_shape(claim, checklists.get((claim.policy_year, claim.cover_type), [])) for claim in rows]


async def _out(uow: UnitOfWork, claim: Claim) -> ClaimOut:
    cover = await term_queries.cover(uow.session, claim.policy_year, claim.cover_type)
    return _shape(claim, list(cover.documents) if cover is not None else [])


def _shape(claim: Claim, required: list[str]) -> ClaimOut:
    expenses = (
        ExpensesOut(
            total_fen=claim.expenses_total_fen,
            basic_insurance_fen=claim.basic_insurance_fen or 0,
            medical_assistance_fen=claim.medical_assistance_fen or 0,
            out_of_list_fen=claim.out_of_list_fen or 0,
        )
        if claim.expenses_total_fen is not None
        else None
    )
    return ClaimOut(
        **{
            name: getattr(claim, name)
            for name in ClaimOut.model_fields
            if name not in {"expenses", "documents_required", "documents_missing"}
        },
        expenses=expenses,
        documents_required=required,
        documents_missing=[d for d in required if d not in claim.documents_received],
    )
