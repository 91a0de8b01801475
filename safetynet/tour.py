"""`safetynet tour`: the main story told over HTTP against a running instance, as a real client would tell it.

A caseworker registers a household and files its dibao application; the statutory steps follow
(acceptance, the data cross-check, the home visit, the township's review, the public notice); a reviewer
approves. Through events alone, payments then holds the household's entitlements and insurance their
cover. Two finance officers prepare and release the month's run; a caseworker reports an accident, and the
insurer settles it. Each request is printed with the role that made it and the interesting part of the
answer. Tokens are minted with the embedded default's development key, which that instance trusts.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
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
"""The tour's district; the demo roles' tokens are for it."""


@dataclass(frozen=True)
class DemoRole:
    """One of the people a tour (and the startup banner) acts as."""

    label: str
    role: Role
    subject: str
    districts: tuple[str, ...] = (DISTRICT,)
    insurer_id: str | None = None

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


class TourFailed(RuntimeError):
    """A step was not answered as the tour expects; the message says which, and what came back."""


class Tour:
    def __init__(
        self, client: httpx.Client, private_key: Path, *, today: date, out: Console, wait_s: float = 30.0
    ) -> None:
        self._client, self._key, self._today, self._out, self._wait_s = (
            client,
            private_key,
            today,
            out,
            wait_s,
        )
        self._random = secrets.SystemRandom()  # each tour registers new people: IDs must not repeat

    def run(self) -> None:
        household, members = self._household()
        case_id = self._application(household)
        people = self._entitlements(case_id)
        self._cover(people)
        self._payment_run(people)
        self._claim(members[0])
        self._out.print("[bold green]The tour is complete.[/bold green]")

    # ------------------------------------------------------------------ the story, step by step

    def _household(self) -> tuple[str, list[str]]:
        self._chapter("A caseworker registers a household: a grandmother with a disability and her grandson")
        surname = self._random.choice(SURNAMES)
        body = {
            "district_code": DISTRICT,
            "area": "urban",
            "members": [
                self._member(
                    surname, date(1950, 3, 1), "head", disability_grade=2, disability_kind="physical"
                ),
                self._member(surname, date(2014, 9, 1), "grandchild", student=True),
            ],
            "monthly_income_fen": 60_000,
        }
        created = self._call(CASEWORKER, "POST", "/eligibility/v1/households", 201, json=body)
        members = [m["person_id"] for m in created["members"]]
        self._say(f"household {created['id']}: {len(members)} members, identities stored encrypted")
        return str(created["id"]), members

    def _application(self, household: str) -> str:
        self._chapter("The application and the six statutory steps")
        applied = self._today - timedelta(days=12)
        application = self._call(
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
            answer = self._call(role, "POST", path, 200, json=body)
            due = next((d for d in answer["deadlines"] if d["met_on"] is None), None)
            after = f", next deadline: {due['kind']} by {due['due_on']}" if due else ""
            self._say(f"{step['kind']} on {body['on']}: {answer['state']}{after}")
        case = self._call(CASEWORKER, "GET", f"/eligibility/v1/cases/{answer['case_id']}", 200)
        self._say(
            f"case {case['id']}: {self._money(case['monthly_amount_fen'])} a month from {case['start_month']}"
        )
        return str(case["id"])

    def _entitlements(self, case_id: str) -> list[dict[str, Any]]:
        self._chapter("Payments learns of the approval through events alone")
        entitlements = self._until(
            PREPARER, "/payments/v1/entitlements", {"case_id": case_id}, lambda rows: len(rows) >= 1
        )
        for entitlement in entitlements:
            amount = entitlement["amounts"][-1]
            self._say(
                f"entitlement of person {entitlement['person_id']}: {self._money(amount['total_fen'])} a month "
                f"from {entitlement['start_month']}"
            )
        return list(entitlements)

    def _cover(self, people: list[dict[str, Any]]) -> None:
        self._chapter("Insurance enrols them with the insurer, through events too")
        year = self._today.year
        for person in people:
            page = self._until(
                REVIEWER,
                f"/insurance/v1/terms/{year}/roster",
                {"person_id": person["person_id"]},
                lambda answer: bool(answer["entries"]),
            )
            entry = page["entries"][0]
            self._say(f"person {person['person_id']} insured for {year} from {entry['cover_from']}")

    def _payment_run(self, people: list[dict[str, Any]]) -> None:
        self._chapter("Two finance officers pay the month: one prepares, the other releases")
        for person in people:
            self._call(
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
        self._call(
            PREPARER,
            "POST",
            f"/payments/v1/ledger/{DISTRICT}/allocations",
            201,
            json={
                "amount_fen": 1_000_000,
                "reference": f"TOUR-{uuid4().hex[:8]}",
                "memo": "the month's funds",
            },
            idempotent=True,
        )
        started = self._call(
            PREPARER,
            "POST",
            "/payments/v1/runs",
            202,
            json={"district_code": DISTRICT, "month": str(month)},
            idempotent=True,
        )
        run = self._until(
            PREPARER, f"/payments/v1/runs/{started['id']}", {}, lambda r: r["status"] != "preparing"
        )
        self._say(
            f"run {run['id']} for {run['month']}: {run['payment_count']} payments, {self._money(run['total_fen'])}"
        )
        released = self._call(CHECKER, "POST", f"/payments/v1/runs/{run['id']}/release", 200, idempotent=True)
        self._say(f"released by {released['released_by']}: the bank file can be written")

    def _claim(self, person_id: str) -> None:
        self._chapter("An accident: the caseworker reports it, the insurer settles it")
        claim = self._call(
            CASEWORKER,
            "POST",
            "/insurance/v1/claims",
            201,
            json={
                "person_id": person_id,
                "cover_type": "accident",
                "claimed_fen": 100_000,
                "incident_date": self._today.isoformat(),
                "expenses": {
                    "total_fen": 300_000,
                    "basic_insurance_fen": 150_000,
                    "medical_assistance_fen": 50_000,
                    "out_of_list_fen": 40_000,
                },
            },
        )
        self._say(
            f"claim {claim['id']}: {claim['status']}, documents missing: {', '.join(claim['documents_missing'])}"
        )
        for step, body in (
            ("documents", {"received": claim["documents_missing"]}),
            ("assessment", {"assessed_fen": 90_000}),
            ("settlement", {"paid_fen": 90_000}),
        ):
            claim = self._call(INSURER, "POST", f"/insurance/v1/claims/{claim['id']}/{step}", 200, json=body)
            self._say(f"{step}: {claim['status']}")

    # ------------------------------------------------------------------ how a client talks to it

    def _member(self, surname: str, born: date, relation: str, **facts: Any) -> dict[str, Any]:
        body = f"{DISTRICT}{born:%Y%m%d}{self._random.randrange(1000):03d}"
        return {
            "id_number": body + check_character(body),
            "name": surname + self._random.choice(GIVEN),
            "birth_date": born.isoformat(),
            "relation": relation,
            **facts,
        }

    def _token(self, role: DemoRole) -> str:
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

    def _call(
        self,
        role: DemoRole,
        method: str,
        path: str,
        expected: int,
        *,
        idempotent: bool = False,
        **kwargs: Any,
    ) -> Any:
        headers = {"Authorization": f"Bearer {self._token(role)}"}
        if idempotent:
            headers["Idempotency-Key"] = uuid4().hex
        response = self._client.request(method, path, headers=headers, **kwargs)
        self._out.print(f"  [cyan]{role.label:<22}[/cyan] {method:<4} {path} → {response.status_code}")
        if response.status_code != expected:
            raise TourFailed(
                f"{method} {path} answered {response.status_code}, not {expected}: {response.text[:2000]}"
            )
        return response.json()

    def _until(self, role: DemoRole, path: str, params: dict[str, str], done: Callable[[Any], bool]) -> Any:
        """GET `path` until its answer is `done`: what other services learn through events takes a moment."""
        headers = {"Authorization": f"Bearer {self._token(role)}"}
        deadline = time.monotonic() + self._wait_s
        while True:
            response = self._client.get(path, params=params, headers=headers)
            if response.status_code == 200 and done(response.json()):
                self._out.print(f"  [cyan]{role.label:<22}[/cyan] GET  {path} → 200")
                return response.json()
            if time.monotonic() > deadline:
                raise TourFailed(
                    f"GET {path} did not show it within {self._wait_s:.0f} s: {response.text[:2000]}"
                )
            time.sleep(0.2)

    def _chapter(self, title: str) -> None:
        self._out.print(f"\n[bold]{title}[/bold]")

    def _say(self, text: str) -> None:
        self._out.print(f"    {text}")

    @staticmethod
    def _money(fen: int) -> str:
        return f"¥{fen / 100:,.2f}"
