"""Money to the bank and back: instruction files for released runs, return files, retries and reissues.

A payment is sent in at most one live instruction (a unique index), a failed payment is either retried
or reissued (a conditional update on its status), and a reissue replaces it once (unique `reissue_of`):
each beneficiary is paid once per benefit and month whatever the bank answers and however often.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date
from typing import Any
from uuid import UUID, uuid4

from services.payments.domain.bank_files import (
    FileHeader,
    InstructionLine,
    parse_returns,
    render_instructions,
)
from services.payments.models import BankFile, BankReturn, Payment
from services.payments.repository import bank as repository
from services.payments.repository import entitlements, ledger, runs
from services.payments.repository import payees as payee_accounts
from services.payments.schemas.bank import BankFileOut, BankReturnOut, PaymentOut, ReissueIn
from services.payments.service import payees
from services.payments.service.recoveries import raise_overpayments
from shared.audit import record
from shared.auth import Principal
from shared.contracts.payments import PaymentDisbursed, PaymentFailed, PaymentReissued
from shared.contracts.types import YearMonth
from shared.db import UnitOfWork
from shared.errors import Conflict, FieldIssue, InvalidInput, NotFound
from shared.pii import PersonalData, mask_bank_account


async def send_to_bank(uow: UnitOfWork, caller: Principal, run_id: UUID) -> BankFileOut:
    """The next instruction file of a released run: every payment still due whose payee has an account.
    The money leaves the district fund for the bank's clearing account; the fund may not go negative."""
    async with uow:
        found = await runs.run(uow.session, run_id, caller.district_scope, for_update=True)
        if found is None:
            raise NotFound(f"no payment run {run_id} in your districts")
        if found.status != "released":
            raise Conflict(f"run {run_id} is {found.status}; only a released run goes to the bank")
        bank_file = BankFile(
            id=uuid4(),
            run_id=run_id,
            sequence=await repository.next_sequence(uow.session, run_id),
            line_count=0,
            total_fen=0,
            created_by=caller.subject,
        )
        uow.session.add(bank_file)
        await uow.session.flush()
        bank_file.line_count, bank_file.total_fen = await repository.send_due(
            uow.session, run_id, bank_file.id
        )
        held = await repository.count_held(uow.session, run_id)
        if bank_file.line_count == 0:
            raise Conflict(
                f"nothing to send for run {run_id}: no payment is due"
                + (f" with a payee account ({held} wait for one)" if held else "")
            )
        await ledger.lock_fund(uow.session, found.district_code)
        available = (await ledger.balances(uow.session, found.district_code)).get("fund_cash", 0)
        if available < bank_file.total_fen:
            raise Conflict(
                f"the district fund holds {available} fen; this file needs {bank_file.total_fen}",
                errors=[FieldIssue("fund_cash", "insufficient_funds", "post a budget allocation first")],
            )
        await ledger.post(
            uow.session,
            district_code=found.district_code,
            kind="bank_file",
            reference=str(bank_file.id),
            memo=f"run {found.month:%Y-%m} file {bank_file.sequence}: {bank_file.line_count} payments",
            posted_by=caller.subject,
            lines=[("bank_clearing", bank_file.total_fen), ("fund_cash", -bank_file.total_fen)],
        )
        await uow.commit()
    return BankFileOut(
        id=bank_file.id,
        run_id=run_id,
        sequence=bank_file.sequence,
        line_count=bank_file.line_count,
        total_fen=bank_file.total_fen,
        held_without_account=held,
        created_by=caller.subject,
    )


async def download(uow: UnitOfWork, pii: PersonalData, caller: Principal, bank_file_id: UUID) -> bytes:
    """The instruction file, rendered from its lines with the account numbers decrypted; each download is
    audited, since the file holds personal data."""
    async with uow:
        found = await repository.bank_file(uow.session, bank_file_id, caller.district_scope)
        if found is None:
            raise NotFound(f"no bank file {bank_file_id} in your districts")
        bank_file, run = found
        rows = await repository.file_lines(uow.session, bank_file_id)
        content = render_instructions(
            FileHeader(
                bank_file.id,
                run.district_code,
                run.month,
                bank_file.sequence,
                bank_file.created_at.astimezone(UTC),
            ),
            (
                InstructionLine(
                    line=row.line,
                    instruction_id=row.id,
                    bank_code=row.bank_code,
                    account_number=pii.cipher.decrypt(row.account_number, context=payees.ACCOUNT_NUMBER),
                    holder_name=pii.cipher.decrypt(row.holder_name, context=payees.HOLDER_NAME),
                    amount_fen=row.amount_fen,
                    benefit=row.benefit,
                    month=row.month,
                )
                for row in rows
            ),
        )
        await record(
            uow.session,
            actor=caller.subject,
            action="bank_file.downloaded",
            subject_type="bank_file",
            subject_id=bank_file_id,
            district_code=run.district_code,
            details={"lines": bank_file.line_count, "sha256": hashlib.sha256(content).hexdigest()},
        )
        await uow.commit()
    return content


async def import_returns(
    uow: UnitOfWork, caller: Principal, bank_file_id: UUID, content: bytes, *, today: date
) -> BankReturnOut:
    """Apply the bank's return file, imported `today`: each line's payment becomes paid or failed, once;
    a credit made for a month no longer due is an overpayment raised today. All or nothing; the same file
    imported again answers as the first import did."""
    checksum = hashlib.sha256(content).hexdigest()
    async with uow:
        found = await repository.bank_file(uow.session, bank_file_id, caller.district_scope, for_update=True)
        if found is None:
            raise NotFound(f"no bank file {bank_file_id} in your districts")
        _, run = found
        if (previous := await repository.previous_return(uow.session, bank_file_id, checksum)) is not None:
            return BankReturnOut.of(previous, replayed=True)
        outcomes = parse_returns(content, bank_file_id)
        states = await repository.instruction_states(
            uow.session, bank_file_id, [o.instruction_id for o in outcomes]
        )
        issues = [
            FieldIssue(
                f"line {o.line}", "unknown_instruction", f"instruction {o.instruction_id} is not in this file"
            )
            if o.instruction_id not in states
            else FieldIssue(
                f"line {o.line}",
                "already_settled",
                f"instruction {o.instruction_id} is already {states[o.instruction_id]}",
            )
            for o in outcomes
            if states.get(o.instruction_id) != "sent"
        ]
        if issues:
            raise InvalidInput(
                f"the return file has {len(issues)} bad lines; nothing was applied", errors=issues
            )
        changed = await repository.apply_outcomes(
            uow.session,
            bank_file_id,
            [(o.instruction_id, o.status, o.reason_code, o.settled_on) for o in outcomes],
        )
        paid = [row for row in changed if row.status == "paid"]
        failed = [row for row in changed if row.status == "failed"]
        returned = BankReturn(
            id=uuid4(),
            bank_file_id=bank_file_id,
            checksum=checksum,
            paid_count=len(paid),
            failed_count=len(failed),
            imported_by=caller.subject,
        )
        uow.session.add(returned)
        await ledger.lock_fund(uow.session, run.district_code)
        paid_fen, failed_fen = sum(r.amount_fen for r in paid), sum(r.amount_fen for r in failed)
        await ledger.post(
            uow.session,
            district_code=run.district_code,
            kind="bank_return",
            reference=str(returned.id),
            memo=f"return for file {bank_file_id}: {len(paid)} paid, {len(failed)} failed",
            posted_by=caller.subject,
            lines=[
                ("benefits_paid", paid_fen),
                ("fund_cash", failed_fen),
                ("bank_clearing", -(paid_fen + failed_fen)),
            ],
        )
        for row in paid:
            uow.emit(PaymentDisbursed(**_payment_facts(row), run_id=row.run_id, paid_on=row.settled_on))
        for row in failed:
            uow.emit(
                PaymentFailed(
                    **_payment_facts(row),
                    run_id=row.run_id,
                    reason_code=row.reason_code,
                    failed_on=row.settled_on,
                )
            )
        await raise_overpayments(uow, raised_on=today, posted_by=caller.subject, bank_file_id=bank_file_id)
        await uow.commit()
    return BankReturnOut.of(returned, replayed=False)


async def retry(uow: UnitOfWork, caller: Principal, payment_id: UUID) -> PaymentOut:
    """A failed payment goes out again in the run's next file, once its payee account has been fixed."""
    async with uow:
        payment, district_code = await _failed_payment(uow, caller, payment_id)
        owner_kind, owner_id = _owner(payment)
        account = await payee_accounts.current(uow.session, owner_kind, owner_id)
        if account is None or account.id == await repository.last_failed_account(uow.session, payment_id):
            raise Conflict(
                "the payee account has not changed since the bank refused it",
                errors=[FieldIssue("payee_account", "account_unchanged", "correct the account, or reissue")],
            )
        payment.status = "due"
        await record(
            uow.session,
            actor=caller.subject,
            action="payment.retried",
            subject_type="payment",
            subject_id=payment_id,
            district_code=district_code,
            details={"payee_account_id": str(account.id)},
        )
        await uow.commit()
    return PaymentOut.of(payment, district_code)


async def reissue(
    uow: UnitOfWork, pii: PersonalData, caller: Principal, payment_id: UUID, body: ReissueIn, *, today: date
) -> PaymentOut:
    """A failed payment is replaced by a new one, paid to another payee: the old one is closed as
    reissued, so it can be neither retried nor reissued again."""
    async with uow:
        payment, district_code = await _failed_payment(uow, caller, payment_id)
        owner_kind, owner_id = _owner(payment)
        account = await payees.change_account(uow, pii, caller, owner_kind, owner_id, body.payee)
        payment.status = "reissued"
        await uow.session.flush()
        replacement = Payment(
            id=uuid4(),
            run_id=payment.run_id,
            entitlement_id=payment.entitlement_id,
            grant_id=payment.grant_id,
            case_id=payment.case_id,
            person_id=payment.person_id,
            household_id=payment.household_id,
            benefit=payment.benefit,
            month=payment.month,
            amount_fen=payment.amount_fen,
            status="due",
            reissue_of=payment.id,
            payee_kind=payment.payee_kind,
            facility_id=payment.facility_id,
        )
        uow.session.add(replacement)
        await record(
            uow.session,
            actor=caller.subject,
            action="payment.reissued",
            subject_type="payment",
            subject_id=payment_id,
            district_code=district_code,
            details={
                "replacement_id": str(replacement.id),
                "payee_account_id": str(account.id),
                "account": mask_bank_account(body.payee.account_number),
                "reason": body.payee.reason,
            },
        )
        uow.emit(
            PaymentReissued(
                **_payment_facts(replacement),
                original_payment_id=payment.id,
                reissued_on=today,
            )
        )
        await uow.commit()
    return PaymentOut.of(replacement, district_code)


async def list_payments(
    uow: UnitOfWork,
    caller: Principal,
    *,
    run_id: UUID | None,
    person_id: UUID | None,
    status: str | None,
    after: UUID | None,
    limit: int,
) -> list[PaymentOut]:
    async with uow:
        rows = await repository.payments(
            uow.session,
            caller.district_scope,
            run_id=run_id,
            person_id=person_id,
            status=status,
            after=after,
            limit=limit,
        )
    return [PaymentOut.of(payment, district) for payment, district in rows]


async def bank_files_of_run(uow: UnitOfWork, caller: Principal, run_id: UUID) -> list[BankFileOut]:
    async with uow:
        if await runs.run(uow.session, run_id, caller.district_scope) is None:
            raise NotFound(f"no payment run {run_id} in your districts")
        files = await repository.bank_files_of_run(uow.session, run_id)
    return [
        BankFileOut(
            id=f.id,
            run_id=f.run_id,
            sequence=f.sequence,
            line_count=f.line_count,
            total_fen=f.total_fen,
            held_without_account=None,
            created_by=f.created_by,
        )
        for f in files
    ]


async def _failed_payment(uow: UnitOfWork, caller: Principal, payment_id: UUID) -> tuple[Payment, str]:
    found = await repository.payment(uow.session, payment_id, caller.district_scope, for_update=True)
    if found is None:
        raise NotFound(f"no payment {payment_id} in your districts")
    payment, run = found
    if payment.status != "failed":
        raise Conflict(
            f"payment {payment_id} is {payment.status}; only a failed payment can be retried or reissued",
            errors=[FieldIssue("status", "failed_only", "retry or reissue a payment the bank refused, once")],
        )
    if await entitlements.ended_before(uow.session, payment.entitlement_id, payment.month):
        raise Conflict(
            f"support ended before {payment.month:%Y-%m}: payment {payment_id} is no longer due",
            errors=[FieldIssue("month", "support_ended", "a month after the end of support is not paid")],
        )
    return payment, run.district_code


def _owner(payment: Payment) -> tuple[payees.OwnerKind, UUID]:
    """Whose account the payment goes to: the care facility's, the beneficiary's or the household's."""
    if payment.facility_id is not None:
        return "facility", payment.facility_id
    if payment.person_id is not None:
        return "person", payment.person_id
    return "household", payment.household_id


def _payment_facts(row: Any) -> dict[str, Any]:
    """What every payment event says about its payment (a Payment, or a row with the same columns)."""
    return {
        "payment_id": row.id,
        "case_id": row.case_id,
        "household_id": row.household_id,
        "person_id": row.person_id,
        "benefit": row.benefit,
        "month": YearMonth.of(row.month).label,
        "amount_fen": row.amount_fen,
    }
