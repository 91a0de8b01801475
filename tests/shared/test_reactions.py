"""`reactions`: each contract's type maps to its use case, which only ever sees that contract."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from shared.contracts.eligibility import CaseSuspended, CaseTerminated
from shared.messaging.inbox import reactions


async def test_each_type_reaches_its_use_case_and_no_other() -> None:
    seen: list[Any] = []

    async def pause(_uow: Any, event: CaseSuspended) -> None:
        seen.append(event)

    handlers = reactions((CaseSuspended, pause))
    assert list(handlers) == ["CaseSuspended"]
    suspended = CaseSuspended(
        case_id=uuid4(), from_month="2026-12", reason_code="review_overdue", decided_on=date(2026, 11, 20)
    )
    await handlers["CaseSuspended"](None, suspended)  # type: ignore[arg-type]
    assert seen == [suspended]
    terminated = CaseTerminated(
        case_id=uuid4(),
        effective_month="2026-12",
        reason="death",
        person_ids=[uuid4()],
        decided_on=date(2026, 11, 20),
    )
    with pytest.raises(TypeError, match="handles CaseSuspended, not CaseTerminated"):
        await handlers["CaseSuspended"](None, terminated)  # type: ignore[arg-type]
    assert seen == [suspended]
