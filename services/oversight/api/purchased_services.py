"""Routes for government-purchased services: providers, contracts, tasks, completion and evaluations."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from services.oversight.api.roles import (
    BUYERS,
    CHECKERS,
    READERS,
    RECORDERS,
    Buyer,
    Checker,
    Reader,
    Recorder,
    needs,
)
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
from services.oversight.service import purchased_services as service
from shared.params import DistrictFilter
from shared.service import ClockDep, UnitOfWorkDep

router = APIRouter(tags=["purchased services"])

Offset = Annotated[int, Query(ge=0, le=10_000_000, description="items to skip")]
Limit = Annotated[int, Query(ge=1, le=500, description="at most this many items")]
District = Annotated[DistrictFilter, Query(description="one district of your scope")]


@router.post(
    "/service-providers",
    status_code=status.HTTP_201_CREATED,
    summary="Register a provider (承接主体) in a district",
    description="The unified social credit code's check character is verified (422, rule `check_character`); "
    "a code registered in the district already is a 409." + needs(BUYERS),
)
async def post_provider(uow: UnitOfWorkDep, caller: Buyer, clock: ClockDep, body: ProviderIn) -> ProviderOut:
    return await service.register_provider(uow, caller, body, clock=clock)


@router.get("/service-providers", summary="Providers in your districts", description=needs(READERS))
async def get_providers(
    uow: UnitOfWorkDep, caller: Reader, district_code: District = None, offset: Offset = 0, limit: Limit = 100
) -> ProviderPage:
    return await service.list_providers(uow, caller, district_code=district_code, offset=offset, limit=limit)


@router.post(
    "/service-contracts",
    status_code=status.HTTP_201_CREATED,
    summary="Sign a contract with a provider: scope, budget, period",
    description="The contract belongs to the provider's district." + needs(BUYERS),
)
async def post_contract(uow: UnitOfWorkDep, caller: Buyer, clock: ClockDep, body: ContractIn) -> ContractOut:
    return await service.sign_contract(uow, caller, body, clock=clock)


@router.get("/service-contracts", summary="Contracts in your districts", description=needs(READERS))
async def get_contracts(
    uow: UnitOfWorkDep,
    caller: Reader,
    district_code: District = None,
    provider_id: Annotated[UUID | None, Query(description="one provider's")] = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> ContractPage:
    return await service.list_contracts(
        uow, caller, district_code=district_code, provider_id=provider_id, offset=offset, limit=limit
    )


@router.get("/service-contracts/{contract_id}", summary="A contract", description=needs(READERS))
async def get_contract(uow: UnitOfWorkDep, caller: Reader, contract_id: UUID) -> ContractOut:
    return await service.read_contract(uow, caller, contract_id)


@router.post(
    "/service-contracts/{contract_id}/tasks",
    status_code=status.HTTP_201_CREATED,
    summary="Give the contract's provider a task on a case, due within the contract's period",
    description=needs(BUYERS),
)
async def post_task(
    uow: UnitOfWorkDep, caller: Buyer, clock: ClockDep, contract_id: UUID, body: TaskIn
) -> TaskOut:
    return await service.assign_task(uow, caller, contract_id, body, clock=clock)


@router.get(
    "/service-contracts/{contract_id}/tasks",
    summary="A contract's tasks, by due date",
    description=needs(READERS),
)
async def get_tasks(
    uow: UnitOfWorkDep, caller: Reader, contract_id: UUID, offset: Offset = 0, limit: Limit = 100
) -> TaskPage:
    return await service.list_tasks(uow, caller, contract_id, offset=offset, limit=limit)


@router.put(
    "/service-tasks/{task_id}/completion",
    summary="Record a task as completed, with its evidence (once)",
    description=needs(RECORDERS),
)
async def put_completion(
    uow: UnitOfWorkDep, caller: Recorder, clock: ClockDep, task_id: UUID, body: CompletionIn
) -> TaskOut:
    return await service.complete_task(uow, caller, task_id, body, clock=clock)


@router.post(
    "/service-contracts/{contract_id}/evaluations",
    status_code=status.HTTP_201_CREATED,
    summary="Evaluate a contract's performance as of a day, and record it",
    description="Score out of 100: timeliness 60 × (tasks done by their due date ÷ tasks due or done by "
    "`as_of`), rounded down, 60 when none; quality 25 − 5 per problem a spot check found on the provider's "
    "tasks; complaints 15 − 5 per complaint about the contract; each part at least 0." + needs(CHECKERS),
)
async def post_evaluation(
    uow: UnitOfWorkDep, caller: Checker, clock: ClockDep, contract_id: UUID, body: EvaluationIn
) -> EvaluationOut:
    return await service.evaluate(uow, caller, contract_id, body, clock=clock)


@router.get(
    "/service-contracts/{contract_id}/evaluations",
    summary="A contract's evaluations, latest first",
    description=needs(READERS),
)
async def get_evaluations(
    uow: UnitOfWorkDep, caller: Reader, contract_id: UUID, offset: Offset = 0, limit: Limit = 100
) -> EvaluationPage:
    return await service.list_evaluations(uow, caller, contract_id, offset=offset, limit=limit)
