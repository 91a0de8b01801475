"""Use cases of government-purchased services: providers, contracts, tasks given to providers and completed
with evidence, and each contract's performance evaluation. Every step is audited."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from services.oversight.domain.purchased_services import Performance, credit_code_problem
from services.oversight.models import ContractEvaluation, ServiceContract, ServiceProvider, ServiceTask
from services.oversight.repository import purchased_services as queries
from services.oversight.repository import supervision as supervision_queries
from services.oversight.schemas.purchased_services import (
    CompletionIn,
    ContractIn,
    ContractOut,
    ContractPage,
    EvaluationIn,
    EvaluationOut,
    EvaluationPage,
    ProviderIn,
    ProviderOut,
    ProviderPage,
    TaskIn,
    TaskOut,
    TaskPage,
)
from shared import audit
from shared.auth import Principal
from shared.clock import Clock
from shared.db import UnitOfWork
from shared.errors import Conflict, FieldIssue, InvalidInput, NotFound


async def _audited(uow: UnitOfWork, caller: Principal, action: str, row: Any, **details: Any) -> None:
    await uow.session.flush()
    await audit.record(
        uow.session,
        actor=caller.subject,
        action=action,
        subject_type=type(row).__tablename__,
        subject_id=row.id,
        district_code=row.district_code,
        details=details,
    )


async def register_provider(
    uow: UnitOfWork, caller: Principal, body: ProviderIn, *, clock: Clock
) -> ProviderOut:
    caller.require_district(body.district_code)
    if (why := credit_code_problem(body.credit_code)) is not None:
        raise InvalidInput(f"credit_code: {why}", errors=[FieldIssue("credit_code", "check_character", why)])
    async with uow:
        if (
            known := await queries.provider_by_code(uow.session, body.district_code, body.credit_code)
        ) is not None:
            raise Conflict(
                f"the provider is registered in the district already as {known.id}",
                errors=[FieldIssue("credit_code", "registered", str(known.id))],
            )
        provider = ServiceProvider(
            id=uuid4(), **body.model_dump(), registered_by=caller.subject, registered_at=clock.now()
        )
        uow.session.add(provider)
        await _audited(uow, caller, "service_provider.registered", provider, credit_code=provider.credit_code)
        answer = ProviderOut.model_validate(provider, from_attributes=True)
        await uow.commit()
    return answer


async def sign_contract(uow: UnitOfWork, caller: Principal, body: ContractIn, *, clock: Clock) -> ContractOut:
    if body.ends_on < body.starts_on:
        raise InvalidInput(
            "a contract ends after it starts", errors=[FieldIssue("ends_on", "period", "≥ starts_on")]
        )
    async with uow:
        provider = await queries.get_provider(uow.session, caller.district_scope, body.provider_id)
        if provider is None:
            raise InvalidInput(
                "no such provider in your districts",
                errors=[FieldIssue("provider_id", "unknown_provider", "a provider of your district")],
            )
        contract = ServiceContract(
            id=uuid4(),
            provider_id=provider.id,
            district_code=provider.district_code,
            scope=list(body.scope),
            budget_fen=body.budget_fen,
            starts_on=body.starts_on,
            ends_on=body.ends_on,
            signed_by=caller.subject,
            signed_at=clock.now(),
        )
        uow.session.add(contract)
        await _audited(
            uow,
            caller,
            "service_contract.signed",
            contract,
            provider_id=provider.id,
            budget_fen=body.budget_fen,
        )
        answer = ContractOut.model_validate(contract, from_attributes=True)
        await uow.commit()
    return answer


async def assign_task(
    uow: UnitOfWork, caller: Principal, contract_id: UUID, body: TaskIn, *, clock: Clock
) -> TaskOut:
    async with uow:
        contract = await _contract(uow, caller, contract_id)
        issues = []
        if body.kind not in contract.scope:
            issues.append(FieldIssue("kind", "out_of_scope", f"one of {', '.join(contract.scope)}"))
        if not await supervision_queries.case_in_district(uow.session, body.case_id, contract.district_code):
            issues.append(FieldIssue("case_id", "unknown_case", "a case of the contract's district"))
        if not contract.starts_on <= body.due_on <= contract.ends_on:
            issues.append(
                FieldIssue("due_on", "outside_contract", f"{contract.starts_on} to {contract.ends_on}")
            )
        if issues:
            raise InvalidInput("the task does not fit the contract", errors=issues)
        task = ServiceTask(
            id=uuid4(),
            contract_id=contract.id,
            district_code=contract.district_code,
            kind=body.kind,
            case_id=body.case_id,
            due_on=body.due_on,
            assigned_by=caller.subject,
            assigned_at=clock.now(),
        )
        uow.session.add(task)
        await _audited(uow, caller, "service_task.assigned", task, contract_id=contract.id, kind=body.kind)
        answer = TaskOut.model_validate(task, from_attributes=True)
        await uow.commit()
    return answer


async def complete_task(
    uow: UnitOfWork, caller: Principal, task_id: UUID, body: CompletionIn, *, clock: Clock
) -> TaskOut:
    if body.completed_on > clock.today():
        raise InvalidInput(
            "a task is completed today or earlier",
            errors=[FieldIssue("completed_on", "not_future", "not future")],
        )
    async with uow:
        task = await queries.get_task(uow.session, caller.district_scope, task_id, lock=True)
        if task is None:
            raise NotFound(f"no service task {task_id} in your districts")
        if task.completed_on is not None:
            raise Conflict(
                "the task is completed already", errors=[FieldIssue("completed_on", "completed", "final")]
            )
        task.completed_on, task.completed_by = body.completed_on, caller.subject
        task.evidence = [item.model_dump() for item in body.evidence]
        await _audited(
            uow,
            caller,
            "service_task.completed",
            task,
            completed_on=body.completed_on,
            evidence=len(body.evidence),
        )
        answer = TaskOut.model_validate(task, from_attributes=True)
        await uow.commit()
    return answer


async def evaluate(
    uow: UnitOfWork, caller: Principal, contract_id: UUID, body: EvaluationIn, *, clock: Clock
) -> EvaluationOut:
    """Score the contract as of a day from its tasks and the problems linked to it, and record who did."""
    as_of = body.as_of or clock.today()
    if as_of > clock.today():
        raise InvalidInput(
            "an evaluation is as of today or earlier", errors=[FieldIssue("as_of", "not_future", "")]
        )
    async with uow:
        contract = await _contract(uow, caller, contract_id)
        figures = Performance(**await queries.performance_figures(uow.session, contract.id, as_of))
        evaluation = ContractEvaluation(
            id=uuid4(),
            contract_id=contract.id,
            district_code=contract.district_code,
            as_of=as_of,
            tasks_due=figures.tasks_due,
            tasks_on_time=figures.tasks_on_time,
            quality_problems=figures.quality_problems,
            complaints=figures.complaints,
            timeliness_points=figures.timeliness_points,
            quality_points=figures.quality_points,
            complaint_points=figures.complaint_points,
            score=figures.score,
            evaluated_by=caller.subject,
            evaluated_at=clock.now(),
        )
        uow.session.add(evaluation)
        await _audited(
            uow, caller, "service_contract.evaluated", evaluation, as_of=as_of, score=figures.score
        )
        answer = EvaluationOut.model_validate(evaluation, from_attributes=True)
        await uow.commit()
    return answer


async def list_providers(
    uow: UnitOfWork, caller: Principal, *, district_code: str | None, offset: int, limit: int
) -> ProviderPage:
    filters = _district_filter(caller, ServiceProvider, district_code)
    async with uow:
        rows, total = await queries.page(
            uow.session,
            ServiceProvider,
            caller.district_scope,
            *filters,
            order=(ServiceProvider.name, ServiceProvider.id),
            limit=limit,
            offset=offset,
        )
    return ProviderPage(
        items=[ProviderOut.model_validate(r, from_attributes=True) for r in rows], total=total
    )


async def list_contracts(
    uow: UnitOfWork,
    caller: Principal,
    *,
    district_code: str | None,
    provider_id: UUID | None,
    offset: int,
    limit: int,
) -> ContractPage:
    filters = _district_filter(caller, ServiceContract, district_code)
    if provider_id is not None:
        filters.append(ServiceContract.provider_id == provider_id)
    async with uow:
        rows, total = await queries.page(
            uow.session,
            ServiceContract,
            caller.district_scope,
            *filters,
            order=(ServiceContract.starts_on.desc(), ServiceContract.id),
            limit=limit,
            offset=offset,
        )
    return ContractPage(
        items=[ContractOut.model_validate(r, from_attributes=True) for r in rows], total=total
    )


async def read_contract(uow: UnitOfWork, caller: Principal, contract_id: UUID) -> ContractOut:
    async with uow:
        contract = await _contract(uow, caller, contract_id)
    return ContractOut.model_validate(contract, from_attributes=True)


async def list_tasks(
    uow: UnitOfWork, caller: Principal, contract_id: UUID, *, offset: int, limit: int
) -> TaskPage:
    async with uow:
        await _contract(uow, caller, contract_id)
        rows, total = await queries.page(
            uow.session,
            ServiceTask,
            caller.district_scope,
            ServiceTask.contract_id == contract_id,
            order=(ServiceTask.due_on, ServiceTask.id),
            limit=limit,
            offset=offset,
        )
    return TaskPage(items=[TaskOut.model_validate(r, from_attributes=True) for r in rows], total=total)


async def list_evaluations(
    uow: UnitOfWork, caller: Principal, contract_id: UUID, *, offset: int, limit: int
) -> EvaluationPage:
    async with uow:
        await _contract(uow, caller, contract_id)
        rows, total = await queries.page(
            uow.session,
            ContractEvaluation,
            caller.district_scope,
            ContractEvaluation.contract_id == contract_id,
            order=(ContractEvaluation.evaluated_at.desc(), ContractEvaluation.id),
            limit=limit,
            offset=offset,
        )
    return EvaluationPage(
        items=[EvaluationOut.model_validate(r, from_attributes=True) for r in rows], total=total
    )


async def _contract(uow: UnitOfWork, caller: Principal, contract_id: UUID) -> ServiceContract:
    """Another district's contract reads as missing (404)."""
    contract = await queries.get_contract(uow.session, caller.district_scope, contract_id)
    if contract is None:
        raise NotFound(f"no service contract {contract_id} in your districts")
    return contract


def _district_filter(caller: Principal, model: Any, district_code: str | None) -> list[Any]:
    if district_code is None:
        return []
    caller.require_district(district_code)
    return [model.district_code == district_code]
