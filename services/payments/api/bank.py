"""Bank files of released runs, the bank's returns, the payments they settle, retries and reissues."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import JSONResponse

from services.payments.api.roles import MONEY_MOVES, Finance, FinanceOfficer
from services.payments.schemas.bank import BankFileOut, BankReturnOut, PaymentOut, ReissueIn
from services.payments.schemas.recoveries import OverpaymentOut, SettleOverpaymentIn
from services.payments.service import bank, recoveries
from shared.service import OnceDep, PersonalDataDep, TodayDep, UnitOfWorkDep

router = APIRouter(tags=["bank"])

PaymentStatus = Literal["due", "sent", "paid", "failed", "reissued", "cancelled"]


@router.post(
    "/runs/{run_id}/bank-files",
    status_code=status.HTTP_201_CREATED,
    response_model=BankFileOut,
    summary="Write the run's next bank instruction file: every due payment whose payee has an account",
    description="The first file of a released run, then follow-ups for retried and reissued payments. The "
    "total moves from the district fund to bank clearing; refused (409) if the fund is short. " + MONEY_MOVES,
)
async def post_bank_file(
    run_id: UUID, uow: UnitOfWorkDep, caller: FinanceOfficer, once: OnceDep
) -> JSONResponse:
    return await once.run(
        caller, None, lambda: bank.send_to_bank(uow, caller, run_id), status_code=status.HTTP_201_CREATED
    )


@router.get("/runs/{run_id}/bank-files", summary="The bank files written for a run")
async def get_bank_files(run_id: UUID, uow: UnitOfWorkDep, caller: Finance) -> list[BankFileOut]:
    return await bank.bank_files_of_run(uow, caller, run_id)


@router.get(
    "/bank-files/{bank_file_id}",
    summary="Download a bank instruction file (CSV; layout in docs/payments.md)",
    description="Holds account numbers and names: finance officers only, and every download is audited.",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def get_bank_file(
    bank_file_id: UUID, uow: UnitOfWorkDep, pii: PersonalDataDep, caller: FinanceOfficer
) -> Response:
    content = await bank.download(uow, pii, caller, bank_file_id)
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="safetynet-{bank_file_id}.csv"',
            "Cache-Control": "no-store",
        },
    )


@router.post(
    "/bank-files/{bank_file_id}/returns",
    response_model=BankReturnOut,
    summary="Import the bank's return file (CSV): each line's payment becomes paid or failed",
    description="All or nothing: a bad line refuses the file (422, each line named). The same file again "
    "changes nothing. Publishes PaymentDisbursed and PaymentFailed. " + MONEY_MOVES,
    openapi_extra={
        "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
    },
)
async def post_bank_return(
    bank_file_id: UUID,
    request: Request,
    uow: UnitOfWorkDep,
    caller: FinanceOfficer,
    once: OnceDep,
    today: TodayDep,
) -> JSONResponse:
    content = await request.body()
    return await once.run(
        caller, content, lambda: bank.import_returns(uow, caller, bank_file_id, content, today=today)
    )


@router.get("/payments", summary="Payments in your districts, by run, person and status (paged by id)")
async def get_payments(
    uow: UnitOfWorkDep,
    caller: Finance,
    run_id: Annotated[UUID | None, Query()] = None,
    person_id: Annotated[UUID | None, Query()] = None,
    status: Annotated[PaymentStatus | None, Query()] = None,
    after: Annotated[UUID | None, Query(description="the last id of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[PaymentOut]:
    return await bank.list_payments(
        uow, caller, run_id=run_id, person_id=person_id, status=status, after=after, limit=limit
    )


@router.post(
    "/payments/{payment_id}/retry",
    response_model=PaymentOut,
    summary="Send a failed payment again, after its payee account was corrected",
    description="Refused (409) unless the payment failed and its payee account changed since. " + MONEY_MOVES,
)
async def post_retry(
    payment_id: UUID, uow: UnitOfWorkDep, caller: FinanceOfficer, once: OnceDep
) -> JSONResponse:
    return await once.run(caller, None, lambda: bank.retry(uow, caller, payment_id))


@router.post(
    "/payments/{payment_id}/reissue",
    status_code=status.HTTP_201_CREATED,
    response_model=PaymentOut,
    summary="Replace a failed payment by a new one to another payee",
    description="The failed payment is closed as reissued: it can be neither retried nor reissued again. "
    "Publishes PaymentReissued. " + MONEY_MOVES,
)
async def post_reissue(
    payment_id: UUID,
    body: ReissueIn,
    uow: UnitOfWorkDep,
    pii: PersonalDataDep,
    caller: FinanceOfficer,
    once: OnceDep,
    today: TodayDep,
) -> JSONResponse:
    return await once.run(
        caller,
        body,
        lambda: bank.reissue(uow, pii, caller, payment_id, body, today=today),
        status_code=status.HTTP_201_CREATED,
    )


@router.get(
    "/overpayments", tags=["recoveries"], summary="Overpayments in your districts, by case and status"
)
async def get_overpayments(
    uow: UnitOfWorkDep,
    caller: Finance,
    case_id: Annotated[UUID | None, Query()] = None,
    status: Annotated[Literal["to_recover", "recovered", "waived"] | None, Query()] = None,
) -> list[OverpaymentOut]:
    return await recoveries.list_overpayments(uow, caller, case_id=case_id, status=status)


@router.post(
    "/overpayments/{overpayment_id}/settlement",
    tags=["recoveries"],
    response_model=OverpaymentOut,
    summary="Record an overpayment recovered (money back into the fund) or waived",
    description=MONEY_MOVES,
)
async def post_settlement(
    overpayment_id: UUID,
    body: SettleOverpaymentIn,
    uow: UnitOfWorkDep,
    caller: FinanceOfficer,
    once: OnceDep,
) -> JSONResponse:
    return await once.run(caller, body, lambda: recoveries.settle(uow, caller, overpayment_id, body))
