"""Who may call what in the payments API."""

from typing import Annotated

from fastapi import Depends

from shared.auth import Principal, Role, require_roles

FinanceOfficer = Annotated[Principal, Depends(require_roles(Role.finance_officer))]
"""Moves money: prepares, releases and sends runs, imports returns, retries, reissues, allocates."""

Finance = Annotated[
    Principal, Depends(require_roles(Role.finance_officer, Role.reviewer, Role.auditor, Role.admin))
]
"""Reads what finance does."""

PayeeKeeper = Annotated[Principal, Depends(require_roles(Role.finance_officer, Role.caseworker))]
"""Sets payee accounts: the caseworker who knows the household, or finance."""

PayeeReader = Annotated[
    Principal,
    Depends(require_roles(Role.finance_officer, Role.caseworker, Role.reviewer, Role.auditor, Role.admin)),
]

MONEY_MOVES = (
    "Requires an `Idempotency-Key`: a repeat replays the first answer; a changed request is refused."
)
