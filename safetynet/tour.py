"""`safetynet tour`: the main story told over HTTP against a running instance, as a real client would tell it.

A caseworker registers a household and files its dibao application; the statutory steps follow
(acceptance, the data cross-check, the home visit, the township's review, the public notice); a reviewer
approves. Through events alone, payments then holds the household's entitlements and insurance their
cover. Two finance officers prepare and release the month's run; a caseworker reports an accident, and the
insurer settles it. Each request is printed with the role that made it and the interesting part of the
answer. Tokens are minted with the embedded default's development key, which that instance trusts.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
from rich.console import Console

from services.insurance.service.terms import DEMO_INSURER_ID
from shared.auth import Role, mint_token
from shared.contracts.types import YearMonth
from shared.resident_id import check_character

DISTRICT = "500103"  # 渝中区
"""A district of the demo city: the startup banner's tokens are for it."""
TOUR_DISTRICT = "500105"  # 江北区
"""Where the tour tells its story: outside the demo city, whose month is paid already."""


@dataclass(frozen=True)
class DemoRole:
    """One of the people a tour (and the startup banner) acts as."""

    label: str
    role: Role
    subject: str
    districts: tuple[str, ...] = (DISTRICT,)
    insurer_id: str | None = None

    def of(self, district: str) -> DemoRole:
        """The same person working in `district` (a city-wide or insurer role stays as it is)."""
        return replace(self, districts=(district,)) if self.districts and self.districts != ("*",) else self

    def command(self) -> str:
        """The `safetynet token` command that mints this role's token."""
        options = [f"--role {self.role}"]
        options += [f"--district '{d}'" if d == "*" else f"--district {d}" for d in self.districts]
        options += [f"--sub {self.subject}"] + (
            [f"--insurer-id {self.insurer_id}"] if self.insurer_id else []
        )
        return ".venv/bin/safetynet token " + " ".join(options)


CASEWORKER = DemoRole("caseworker", Role.caseworker, "demo-caseworker")
REVIEWER = DemoRole("reviewer", Role.reviewer, "demo-reviewer")
PREPARER = DemoRole("finance officer", Role.finance_officer, "demo-finance-1")
CHECKER = DemoRole("second finance officer", Role.finance_officer, "demo-finance-2")
INSURER = DemoRole("insurer", Role.insurer, "demo-insurer", (), str(DEMO_INSURER_ID))
AUDITOR = DemoRole("auditor", Role.auditor, "demo-auditor", ("*",))
ADMIN = DemoRole("admin", Role.admin, "demo-admin", ("*",))
DEMO_ROLES = (CASEWORKER, REVIEWER, PREPARER, CHECKER, INSURER, AUDITOR, ADMIN)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("桂兰", "秀英", "德明", "建国", "玉珍", "志强", "淑芬", "国华", "小明", "小红", "子涵", "浩然")


def accident_claim(person_id: str, incident: date) -> dict[str, Any]:
    """A caseworker's report of an accident: ¥1,000 claimed of ¥3,000 spent, half paid by basic insurance."""
    return {
        "person_id": person_id,
        "cover_type": "accident",
        "claimed_fen": 100_000,
        "incident_date": incident.isoformat(),
        "expenses": {
            "total_fen": 300_000,
            "basic_insurance_fen": 150_000,
            "medical_assistance_fen": 50_000,
            "out_of_list_fen": 40_000,
        },
    }


class TourFailed(RuntimeError):
    """A step was not answered as the tour expects; the message says which, and what came back."""


class Caller:
    """A client of a running instance acting as the demo roles: each request with that role's token, checked
    against the status it should get; `out` prints each request and what came back (None: silent)."""

    def __init__(
        self, client: httpx.AsyncClient, private_key: Path, *, out: Console | None, wait_s: float = 30.0
    ):
        self._client, self._key, self.out, self._wait_s = client, private_key, out, wait_s

    def token(self, role: DemoRole) -> str:
        return mint_token(
            self._key,
            subject=role.subject,
            roles=[role.role],
            districts=list(role.districts),
            insurer_id=role.insurer_id,
            issuer="safetynet-dev",
            audience="safetynet",
            ttl=timedelta(minutes=30),
        )

    async def request(
        self, role: DemoRole, method: str, path: str, *, idempotent: bool = False, **kwargs: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token(role)}", **kwargs.pop("headers", {})}
        if idempotent:
            headers["Idempotency-Key"] = uuid4().hex
        response = await self._client.request(method, path, headers=headers, **kwargs)
        if self.out is not None:
            self.out.print(f"  [cyan]{role.label:<22}[/cyan] {method:<4} {path} → {response.status_code}")
        return response

    async def call(self, role: DemoRole, method: str, path: str, expected: int, **kwargs: Any) -> Any:
        response = await self.request(role, method, path, **kwargs)
        if response.status_code != expected:
            raise TourFailed(
                f"{method} {path} answered {response.status_code}, not {expected}: {response.text[:2000]}"
            )
        return response.json()

    async def until(
        self, role: DemoRole, path: str, params: dict[str, str], done: Callable[[Any], bool]
    ) -> Any:
        """GET `path` until its answer is `done`: what other services learn through events takes a moment."""
        headers = {"Authorization": f"Bearer {self.token(role)}"}
        deadline = time.monotonic() + self._wait_s
        while True:
            response = await self._client.get(path, params=params, headers=headers)
            if response.status_code == 200 and done(response.json()):
                if self.out is not None:
                    self.out.print(f"  [cyan]{role.label:<22}[/cyan] GET  {path} → 200")
                return response.json()
            if time.monotonic() > deadline:
                raise TourFailed(
                    f"GET {path} did not show it within {self._wait_s:.0f} s: {response.text[:2000]}"
                )
            await asyncio.sleep(0.1)


CLAIM_DECISIONS = frozenset({"assessment", "settlement", "rejection"})
"""The insurer's decisions on a claim: each needs an `Idempotency-Key`, so a retry decides nothing twice."""


def resident(
    random_: random.Random, district: str, born: date, surname: str, relation: str, **facts: Any
) -> dict[str, Any]:
    """A household member with a valid resident ID (never a real person's: the sequence is drawn) and a name."""
    body = f"{district}{born:%Y%m%d}{random_.randrange(1000):03d}"
    return {
        "id_number": body + check_character(body),
        "name": surname + random_.choice(GIVEN),
        "birth_date": born.isoformat(),
        "relation": relation,
        **facts,
    }


class Tour:
    def __init__(self, caller: Caller, *, today: date) -> None:
        self._caller, self._today = caller, today
        self._random = random.Random(secrets.randbits(64))  # noqa: S311 - names and IDs, not secrets; new each tour

    async def run(self) -> None:
        household, members = await self._household()
        case_id = await self._application(household)
        people = await self._entitlements(case_id)
        await self._cover(people)
        await self._payment_run(people)
        await self._claim(members[0])
        self._say("")
        self._print("[bold green]The tour is complete.[/bold green]")

    # ------------------------------------------------------------------ the story, step by step

    async def _household(self) -> tuple[str, list[str]]:
        self._chapter("A caseworker registers a household: a grandmother with a disability and her grandson")
        surname = self._random.choice(SURNAMES)
        body = {
            "district_code": TOUR_DISTRICT,
            "area": "urban",
            "members": [
                resident(
                    self._random,
                    TOUR_DISTRICT,
                    date(1950, 3, 1),
                    surname,
                    "head",
                    disability_grade=2,
                    disability_kind="physical",
                ),
                resident(self._random, TOUR_DISTRICT, date(2014, 9, 1), surname, "grandchild", student=True),
            ],
            "monthly_income_fen": 60_000,
        }
        created = await self._call(CASEWORKER, "POST", "/eligibility/v1/households", 201, json=body)
        members = [m["person_id"] for m in created["members"]]
        self._say(f"household {created['id']}: {len(members)} members, identities stored encrypted")
        return str(created["id"]), members

    async def _application(self, household: str) -> str:
        self._chapter("The application and the six statutory steps")
        applied = self._today - timedelta(days=12)
        application = await self._call(
            CASEWORKER,
            "POST",
            "/eligibility/v1/applications",
            201,
            json={"household_id": household, "program": "dibao", "applied_on": applied.isoformat()},
        )
        self._say(f"application {application['id']}: {application['state']}")
        path = f"/eligibility/v1/applications/{application['id']}/steps"
        steps: list[tuple[DemoRole, dict[str, Any]]] = [
            (CASEWORKER, {"kind": "accepted", "on": applied}),
            (
                CASEWORKER,
                {
                    "kind": "data_cross_checked",
                    "on": applied + timedelta(1),
                    "details": {"findings": ["tax: no income", "vehicles: none"]},
                },
            ),
            (
                CASEWORKER,
                {
                    "kind": "home_visited",
                    "on": applied + timedelta(2),
                    "details": {"investigators": ["demo-caseworker", "demo-investigator"]},
                },
            ),
            (CASEWORKER, {"kind": "township_reviewed", "on": applied + timedelta(3)}),
            (CASEWORKER, {"kind": "notice_posted", "on": applied + timedelta(4)}),
            (REVIEWER, {"kind": "approved", "on": self._today}),
        ]
        answer: dict[str, Any] = {}
        for role, step in steps:
            body = {**step, "on": step["on"].isoformat()}
            answer = await self._call(role, "POST", path, 200, json=body)
            due = next((d for d in answer["deadlines"] if d["met_on"] is None), None)
            after = f", next deadline: {due['kind']} by {due['due_on']}" if due else ""
            self._say(f"{step['kind']} on {body['on']}: {answer['state']}{after}")
        case = await self._call(CASEWORKER, "GET", f"/eligibility/v1/cases/{answer['case_id']}", 200)
        self._say(
            f"case {case['id']}: {self._money(case['monthly_amount_fen'])} a month from {case['start_month']}"
        )
        return str(case["id"])

    async def _entitlements(self, case_id: str) -> list[dict[str, Any]]:
        self._chapter("Payments learns of the approval through events alone")
        entitlements = await self._until(
            PREPARER, "/payments/v1/entitlements", {"case_id": case_id}, lambda rows: len(rows) >= 1
        )
        for entitlement in entitlements:
            amount = entitlement["amounts"][-1]
            self._say(
                f"entitlement of person {entitlement['person_id']}: {self._money(amount['total_fen'])} a month "
                f"from {entitlement['start_month']}"
            )
        return list(entitlements)

    async def _cover(self, people: list[dict[str, Any]]) -> None:
        self._chapter("Insurance enrols them with the insurer, through events too")
        year = self._today.year
        for person in people:
            page = await self._until(
                REVIEWER,
                f"/insurance/v1/terms/{year}/roster",
                {"person_id": person["person_id"]},
                lambda answer: bool(answer["entries"]),
            )
            entry = page["entries"][0]
            self._say(f"person {person['person_id']} insured for {year} from {entry['cover_from']}")

    async def _payment_run(self, people: list[dict[str, Any]]) -> None:
        self._chapter("Two finance officers pay the month: one prepares, the other releases")
        for person in people:
            await self._call(
                CASEWORKER,
                "PUT",
                f"/payments/v1/payee-accounts/person/{person['person_id']}",
                200,
                json={
                    "holder_name": "张三",
                    "account_number": "62220219" + "".join(self._random.choices("0123456789", k=11)),
                    "bank_code": "102653000015",
                    "reason": "opened at enrolment",
                },
            )
        self._say(f"{len(people)} payee accounts recorded (masked in every answer)")
        month = YearMonth.parse(people[0]["start_month"][:7])
        await self._call(
            PREPARER,
            "POST",
            f"/payments/v1/ledger/{TOUR_DISTRICT}/allocations",
            201,
            json={
                "amount_fen": 1_000_000,
                "reference": f"TOUR-{uuid4().hex[:8]}",
                "memo": "the month's funds",
            },
            idempotent=True,
        )
        started = await self._call(
            PREPARER,
            "POST",
            "/payments/v1/runs",
            202,
            json={"district_code": TOUR_DISTRICT, "month": str(month)},
            idempotent=True,
        )
        run = await self._until(
            PREPARER, f"/payments/v1/runs/{started['id']}", {}, lambda r: r["status"] != "preparing"
        )
        self._say(
            f"run {run['id']} for {run['month']}: {run['payment_count']} payments, {self._money(run['total_fen'])}"
        )
        if run["status"] == "released":  # one run per district and month: an earlier tour paid this one
            self._say(f"released already, by {run['released_by']}, on an earlier tour")
            return
        released = await self._call(
            CHECKER, "POST", f"/payments/v1/runs/{run['id']}/release", 200, idempotent=True
        )
        self._say(f"released by {released['released_by']}: the bank file can be written")

    async def _claim(self, person_id: str) -> None:
        self._chapter("An accident: the caseworker reports it, the insurer settles it")
        claim = await self._call(
            CASEWORKER, "POST", "/insurance/v1/claims", 201, json=accident_claim(person_id, self._today)
        )
        self._say(
            f"claim {claim['id']}: {claim['status']}, documents missing: {', '.join(claim['documents_missing'])}"
        )
        for step, body in (
            ("documents", {"received": claim["documents_missing"]}),
            ("assessment", {"assessed_fen": 90_000}),
            ("settlement", {"paid_fen": 90_000}),
        ):
            claim = await self._call(
                INSURER,
                "POST",
                f"/insurance/v1/claims/{claim['id']}/{step}",
                200,
                json=body,
                idempotent=step in CLAIM_DECISIONS,
            )
            self._say(f"{step}: {claim['status']}")

    # ------------------------------------------------------------------ how it talks and prints

    async def _call(self, role: DemoRole, method: str, path: str, expected: int, **kwargs: Any) -> Any:
        return await self._caller.call(role.of(TOUR_DISTRICT), method, path, expected, **kwargs)

    async def _until(
        self, role: DemoRole, path: str, params: dict[str, str], done: Callable[[Any], bool]
    ) -> Any:
        return await self._caller.until(role.of(TOUR_DISTRICT), path, params, done)

    def _print(self, text: str) -> None:
        if self._caller.out is not None:
            self._caller.out.print(text)

    def _chapter(self, title: str) -> None:
        self._print(f"\n[bold]{title}[/bold]")

    def _say(self, text: str) -> None:
        self._print(f"    {text}" if text else "")

    @staticmethod
    def _money(fen: int) -> str:
        return f"¥{fen / 100:,.2f}"
