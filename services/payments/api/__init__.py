"""REST routes of the payments service: parse, check the caller, call one use case, translate."""

from fastapi import APIRouter

from services.payments.api.bank import router as bank
from services.payments.api.entitlements import router as entitlements
from services.payments.api.facilities import router as facilities
from services.payments.api.ledger import router as ledger
from services.payments.api.payees import router as payees
from services.payments.api.runs import router as runs

router = APIRouter(prefix="/v1")
for routes in (entitlements, payees, facilities, runs, bank, ledger):
    router.include_router(routes)
