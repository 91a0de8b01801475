"""Use cases of the checks: a run over one district or the city, each rule one set-based statement; every new
finding is announced on `oversight.finding.v1` in the same transaction (outbox); the city-wide run on a daily
schedule; findings read back in scope."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time
from uuid import UUID, uuid4

from services.oversight.domain.checks import ALL_RULES, RULES, SCHEDULE, Parameters, bind, scheduled_day
from services.oversight.models import CheckRun, Finding
from services.oversight.repository import checks as check_queries
from services.oversight.repository import findings as finding_queries
from services.oversight.schemas.checks import (
    CheckRunIn,
    CheckRunOut,
    FindingOut,
    FindingPage,
    ParametersIn,
    RuleResult,
)
from services.oversight.service.problems import escalate_overdue
from services.oversight.settings import OversightSettings
from shared import audit
from shared.auth import Principal
from shared.contracts.oversight import FindingRaised
from shared.db import UnitOfWork
from shared.errors import FieldIssue, Forbidden, InvalidInput, NotFound
from shared.observability import get_logger
from shared.service import ServiceRuntime

log = get_logger(__name__)

EARLIEST_RUN = date(2018, 1, 1)
"""The year the special rectification began (渝民发〔2018〕27号): no run is as of a day before it."""

SCHEDULE_POLL_S = 60.0
"""How often an enabled schedule looks whether the day's run is due (and not yet made)."""


def _district(caller: Principal, district_code: str | None) -> None:
    if district_code is None and caller.district_scope is not None:
        raise Forbidden(
            "a city-wide run is for municipal oversight; name one of your districts",
            errors=[FieldIssue("district_code", "required", "one of the token's districts")],
        )
    if district_code is not None and not caller.can_access_district(district_code):
        raise Forbidden(
            f"district {district_code} is outside the caller's scope",
            errors=[FieldIssue("district_code", "OUT_OF_SCOPE", "not one of the token's districts")],
        )


async def run_checks(uow: UnitOfWork, caller: Principal, body: CheckRunIn, *, today: date) -> CheckRunOut:
    """Run the rules as of a day; a hit already found is refreshed, a new one raised and announced once."""
    _district(caller, body.district_code)
    as_of = body.as_of or today
    if not EARLIEST_RUN <= as_of <= today:
        raise InvalidInput(
            "a run is as of a day from 2018-01-01 to today",
            errors=[FieldIssue("as_of", "range", f"from {EARLIEST_RUN.isoformat()} to today")],
        )
    async with uow:
        answer = await _run(uow, body, as_of=as_of, started_by=caller.subject, started_at=datetime.now(UTC))
        await uow.commit()
    return answer


async def run_scheduled_checks(uow: UnitOfWork, *, now: datetime, at: time) -> CheckRunOut | None:
    """The day's city-wide run of every rule once its time `at` has come, at most once a day however many
    replicas try; with the policy figures of the latest city-wide run. None: not due, or not this caller's."""
    day = scheduled_day(now, at)
    if day is None:
        return None
    async with uow:
        if not await check_queries.claim_scheduled_run(uow.session, day, started_by=SCHEDULE):
            return None
        parameters = await check_queries.latest_city_wide_parameters(uow.session)
        if parameters is None:
            log.warning("scheduled checks wait for a first city-wide run to take the standards from", day=day)
            return None
        body = CheckRunIn(parameters=ParametersIn.model_validate(parameters))
        answer = await _run(uow, body, as_of=day, started_by=SCHEDULE, started_at=now)
        escalated = await escalate_overdue(uow.session, None, day, actor=SCHEDULE)
        await uow.commit()
    log.info(
        "scheduled checks ran",
        day=day,
        new=answer.findings_new,
        again=answer.findings_again,
        escalated=len(escalated),
    )
    return answer


async def keep_the_check_schedule(runtime: ServiceRuntime) -> None:
    """On start (`ServiceDefinition.on_start`): if the schedule is enabled, try the day's run every
    `SCHEDULE_POLL_S` in the background until the service stops."""
    settings = runtime.settings
    assert isinstance(settings, OversightSettings)
    if settings.check_schedule.enabled:
        runtime.spawn(_on_schedule(runtime, settings.check_schedule.at), name="check schedule")


async def _on_schedule(runtime: ServiceRuntime, at: time) -> None:
    while True:
        try:
            await run_scheduled_checks(runtime.unit_of_work(), now=runtime.clock.now(), at=at)
        except Exception as exc:  # the run rolled back: the next round tries again, the loop goes on
            log.error("scheduled checks failed; will retry", error=repr(exc))
        await asyncio.sleep(SCHEDULE_POLL_S)


async def _run(
    uow: UnitOfWork, body: CheckRunIn, *, as_of: date, started_by: str, started_at: datetime
) -> CheckRunOut:
    """Record a run and its findings in `uow`'s open transaction; the caller commits."""
    rules = body.rules or list(ALL_RULES)
    parameters = Parameters(**body.parameters.model_dump())
    values = bind(parameters, as_of=as_of, district_code=body.district_code)
    run = CheckRun(
        id=uuid4(),
        district_code=body.district_code,
        rules=list(rules),
        as_of=as_of,
        parameters=body.parameters.model_dump(),
        findings_new=0,
        findings_again=0,
        started_by=started_by,
        started_at=started_at,
    )
    results: list[RuleResult] = []
    await check_queries.settle_run_transaction(uow.session)
    uow.session.add(run)
    await uow.session.flush()
    for rule in rules:
        info = RULES[rule]
        hits = await check_queries.record_hits(
            uow.session, rule, severity=info.severity, run_id=run.id, values=values
        )
        new = [hit for hit in hits if hit.new]
        for hit in new:
            uow.emit(
                FindingRaised(
                    finding_id=hit.id,
                    run_id=run.id,
                    rule=rule,
                    severity=info.severity,
                    district_code=hit.district_code,
                    case_id=hit.case_id,
                    person_id=hit.person_id,
                    suspend_case=info.suspend_case,
                    evidence=hit.evidence,
                    found_on=as_of,
                )
            )
        results.append(RuleResult(rule=rule, title=info.title, new=len(new), again=len(hits) - len(new)))
    run.findings_new = sum(r.new for r in results)
    run.findings_again = sum(r.again for r in results)
    await audit.record(
        uow.session,
        actor=started_by,
        action="checks.run",
        subject_type="check_run",
        subject_id=run.id,
        district_code=run.district_code,
        details={"as_of": as_of, "rules": list(rules), "new": run.findings_new, "again": run.findings_again},
    )
    return CheckRunOut(
        id=run.id,
        district_code=run.district_code,
        as_of=as_of,
        rules=results,
        findings_new=run.findings_new,
        findings_again=run.findings_again,
        started_by=run.started_by,
        started_at=run.started_at,
    )


async def list_findings(
    uow: UnitOfWork,
    caller: Principal,
    *,
    district_code: str | None,
    rule: str | None,
    case_id: UUID | None,
    offset: int,
    limit: int,
) -> FindingPage:
    if district_code is not None:
        _district(caller, district_code)
    async with uow:
        rows, total = await finding_queries.page(
            uow.session,
            caller.district_scope,
            district_code=district_code,
            rule=rule,
            case_id=case_id,
            limit=limit,
            offset=offset,
        )
    return FindingPage(items=[_out(row) for row in rows], total=total)


async def read_finding(uow: UnitOfWork, caller: Principal, finding_id: UUID) -> FindingOut:
    """Another district's finding reads as missing (404), never as forbidden."""
    async with uow:
        row = await finding_queries.get(uow.session, caller.district_scope, finding_id)
    if row is None:
        raise NotFound(f"no finding {finding_id} in your districts")
    return _out(row)


def _out(row: Finding) -> FindingOut:
    return FindingOut.model_validate(row, from_attributes=True)
