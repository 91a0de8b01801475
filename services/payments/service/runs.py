"""Monthly runs: prepared in resumable set-based batches (in the background), released by a second person."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

from services.payments.models import PaymentRun, PaymentRunSlice
from services.payments.repository import runs as repository
from services.payments.schemas.runs import RunOut
from shared.auth import Principal
from shared.contracts.payments import PaymentRunReleased
from shared.contracts.types import YearMonth
from shared.db import UnitOfWork, insert_if_absent
from shared.errors import Conflict, FieldIssue, Forbidden, NotFound
from shared.service import ServiceRuntime

RUN_BATCH = 5_000
RUN_SLICES = 8
"""A run's entitlement ids are cut into this many slices, prepared independently."""
RUN_WORKERS = 2
"""Slices prepared at once by one `prepare_run` (the database does the work: one per core it may use)."""

# Replaced by their replacement, or never sent because support ended: not part of what a run pays.
NOT_PAID_BY_THE_RUN = frozenset({"reissued", "cancelled"})


def slices_of(run_id: UUID, count: int = RUN_SLICES) -> list[PaymentRunSlice]:
    """Equal ranges of the UUID space (entitlement ids are random): `after_id` < id <= `up_to_id`."""
    bounds = [UUID(int=0), *(UUID(int=(n + 1) * (1 << 128) // count - 1) for n in range(count))]
    return [
        PaymentRunSlice(
            run_id=run_id,
            slice=n,
            after_id=bounds[n],
            up_to_id=bounds[n + 1],
            cursor=None,
            scanned=0,
            done=False,
        )
        for n in range(count)
    ]


async def start_run(uow: UnitOfWork, caller: Principal, *, district_code: str, month: date) -> RunOut:
    """The district's run for the month, created if new (one per district and month) with the count of
    entitlements its preparation will scan and its slices; preparing it is `prepare_run`'s work."""
    caller.require_district(district_code)
    async with uow:
        run_id = uuid4()
        created = await insert_if_absent(
            uow.session,
            PaymentRun(
                id=run_id,
                district_code=district_code,
                month=month,
                status="preparing",
                prepared_by=caller.subject,
                entitlements_due=await repository.count_due(uow.session, district_code, month),
            ),
        )
        if created:
            await repository.add_slices(uow.session, slices_of(run_id))
        payment_run = await repository.run_for(uow.session, district_code, month)
        assert payment_run is not None
        await uow.session.flush()
        answer = await _run_out(uow, payment_run)
        await uow.commit()
    return answer


async def prepare_run(
    new_uow: Callable[[], UnitOfWork],
    run_id: UUID,
    *,
    batch_size: int = RUN_BATCH,
    workers: int = RUN_WORKERS,
    progress: Callable[[int], None] = lambda _entitlements: None,
) -> None:
    """Prepare (or resume preparing) a run: every payment due, set-based, in batches, `workers` slices at a
    time; then back pay for months paid at an old rate and the temporary grants not yet paid.

    Each batch is its own transaction with its slice's cursor and count; another worker (here or in
    another process), or a worker after a crash, adds nothing that is already there (one payment per
    beneficiary, benefit and month).
    """
    async with asyncio.TaskGroup() as group:
        for _ in range(workers):
            group.create_task(_prepare_slices(new_uow, run_id, batch_size, progress))
    await _finish(new_uow(), run_id)


async def _prepare_slices(
    new_uow: Callable[[], UnitOfWork], run_id: UUID, batch_size: int, progress: Callable[[int], None]
) -> None:
    """Batches from any free slice until none is left to take."""
    while True:
        uow = new_uow()
        async with uow:
            payment_run = await repository.run(uow.session, run_id, None)
            piece = await repository.free_slice(uow.session, run_id)
            if payment_run is None or payment_run.status != "preparing" or piece is None:
                return
            last_id, scanned, _ = await repository.prepare_batch(
                uow.session,
                {
                    "run_id": run_id,
                    "district_code": payment_run.district_code,
                    "month": payment_run.month,
                    "cursor": piece.cursor,
                    "after_id": piece.after_id,
                    "up_to_id": piece.up_to_id,
                    "batch_size": batch_size,
                },
            )
            piece.done = scanned < batch_size
            if scanned:
                piece.cursor, piece.scanned = last_id, piece.scanned + scanned
            await uow.commit()
        progress(scanned)


async def _finish(uow: UnitOfWork, run_id: UUID) -> None:
    """Once every slice is done: back pay and temporary grants, and the run is prepared (once)."""
    async with uow:
        payment_run = await repository.run(uow.session, run_id, None, for_update=True)
        _, slices_left = await repository.slice_progress(uow.session, run_id)
        if payment_run is None or payment_run.status != "preparing" or slices_left:
            return  # prepared already, or a worker elsewhere still holds a slice and will finish it
        parameters = {
            "run_id": run_id,
            "district_code": payment_run.district_code,
            "month": payment_run.month,
        }
        await repository.prepare_back_pay(uow.session, parameters)
        await repository.prepare_one_offs(uow.session, parameters)
        payment_run.status = "prepared"
        await uow.commit()


async def resume_runs(runtime: ServiceRuntime) -> None:
    """A process that stopped mid-preparation left cursors; pick every such run up where it was."""
    uow = runtime.unit_of_work()
    async with uow:
        pending = await repository.runs_preparing(uow.session)
    for run_id in pending:
        runtime.spawn(prepare_run(runtime.unit_of_work, run_id), name=f"prepare run {run_id}")


async def release_run(uow: UnitOfWork, caller: Principal, run_id: UUID) -> RunOut:
    """A second finance officer releases a prepared run; only released runs go to the bank."""
    async with uow:
        payment_run = await repository.run(uow.session, run_id, caller.district_scope, for_update=True)
        if payment_run is None:
            raise NotFound(f"no payment run {run_id} in your districts")
        if payment_run.status != "prepared":
            raise Conflict(f"run {run_id} is {payment_run.status}; only a prepared run can be released")
        if payment_run.prepared_by == caller.subject:
            raise Forbidden(
                "the person who prepared a run cannot release it",
                errors=[
                    FieldIssue(
                        "released_by", "second_person", "maker-checker: another finance officer releases"
                    )
                ],
            )
        count, total = _paid_by_the_run(await repository.run_totals(uow.session, run_id))
        payment_run.status, payment_run.released_by = "released", caller.subject
        payment_run.released_at = datetime.now(UTC)
        uow.emit(
            PaymentRunReleased(
                run_id=run_id,
                district_code=payment_run.district_code,
                month=YearMonth.of(payment_run.month).label,
                payment_count=count,
                total_fen=total,
                prepared_by=payment_run.prepared_by,
                released_by=caller.subject,
            )
        )
        await uow.session.flush()
        answer = await _run_out(uow, payment_run)
        await uow.commit()
    return answer


async def list_runs(
    uow: UnitOfWork, caller: Principal, *, district_code: str | None, month: date | None, limit: int
) -> list[RunOut]:
    """The runs of the caller's districts (one district's, one month's), the latest month first."""
    if district_code is not None:
        caller.require_district(district_code)
    async with uow:
        found = await repository.runs(
            uow.session, caller.district_scope, district_code=district_code, month=month, limit=limit
        )
        return [await _run_out(uow, payment_run) for payment_run in found]


async def read_run(uow: UnitOfWork, caller: Principal, run_id: UUID) -> RunOut:
    async with uow:
        payment_run = await repository.run(uow.session, run_id, caller.district_scope)
        if payment_run is None:
            raise NotFound(f"no payment run {run_id} in your districts")
        return await _run_out(uow, payment_run)


async def _run_out(uow: UnitOfWork, payment_run: PaymentRun) -> RunOut:
    """The run as the caller's open unit of work sees it."""
    by_status = await repository.run_totals(uow.session, payment_run.id)
    scanned, _ = await repository.slice_progress(uow.session, payment_run.id)
    count, total = _paid_by_the_run(by_status)
    return RunOut(
        id=payment_run.id,
        district_code=payment_run.district_code,
        month=YearMonth.of(payment_run.month).label,
        status=payment_run.status,
        prepared_by=payment_run.prepared_by,
        released_by=payment_run.released_by,
        entitlements_due=payment_run.entitlements_due,
        entitlements_scanned=scanned,
        payment_count=count,
        total_fen=total,
        by_status={status: {"count": n, "total_fen": fen} for status, (n, fen) in sorted(by_status.items())},
    )


def _paid_by_the_run(by_status: dict[str, tuple[int, int]]) -> tuple[int, int]:
    counted = [totals for status, totals in by_status.items() if status not in NOT_PAID_BY_THE_RUN]
    return sum(n for n, _ in counted), sum(fen for _, fen in counted)
