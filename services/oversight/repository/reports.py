"""The counts of the monthly information report (信息报送) per district, in one statement over the read models,
findings and problems (docs/oversight.md, Monthly report)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.oversight.domain.kpis import Period
from services.oversight.repository.kpis import COVERED, IN_SCOPE, LOCAL_DAY, bind
from shared.db import Scope

_CASE_SCOPE = IN_SCOPE.format(column="c.district_code")

_COUNTS = f"""
SELECT c.district_code, 'cases_active', c.program, count(DISTINCT c.case_id)
FROM cases c JOIN beneficiaries b ON b.case_id = c.case_id
WHERE {COVERED} AND {_CASE_SCOPE}
GROUP BY 1, 2, 3
UNION ALL
SELECT c.district_code, 'beneficiaries_active', c.program, count(DISTINCT b.person_id)
FROM cases c JOIN beneficiaries b ON b.case_id = c.case_id
WHERE {COVERED} AND {_CASE_SCOPE}
GROUP BY 1, 2, 3
UNION ALL
SELECT c.district_code, 'cases_new', c.program, count(*)
FROM cases c
WHERE c.decided_on BETWEEN :first AND :as_of AND {_CASE_SCOPE}
GROUP BY 1, 2, 3
UNION ALL
SELECT c.district_code, 'beneficiaries_ended', c.program, count(DISTINCT b.person_id)
FROM cases c JOIN beneficiaries b ON b.case_id = c.case_id
WHERE b.ended_from BETWEEN :first AND :last AND {_CASE_SCOPE}
GROUP BY 1, 2, 3
UNION ALL
SELECT paid.district_code, 'paid_fen', paid.benefit, sum(paid.amount_fen)
FROM (
    SELECT coalesce(c.district_code, h.district_code) AS district_code, p.benefit, p.amount_fen
    FROM payments p
    LEFT JOIN cases c ON c.case_id = p.case_id
    LEFT JOIN households h ON h.household_id = p.household_id
    WHERE p.status = 'disbursed' AND p.month BETWEEN :first AND :last
) paid
WHERE paid.district_code IS NOT NULL AND {IN_SCOPE.format(column="paid.district_code")}
GROUP BY 1, 2, 3
UNION ALL
SELECT district_code, 'findings_new', severity, count(*)
FROM findings
WHERE first_found_on BETWEEN :first AND :as_of AND {IN_SCOPE.format(column="district_code")}
GROUP BY 1, 2, 3
UNION ALL
SELECT district_code, 'problems', 'opened', count(*)
FROM problems
WHERE {LOCAL_DAY.format(column="opened_at")} BETWEEN :first AND :as_of
  AND {IN_SCOPE.format(column="district_code")}
GROUP BY 1, 2, 3
UNION ALL
SELECT district_code, 'problems', 'closed', count(*)
FROM problems
WHERE {LOCAL_DAY.format(column="closed_at")} BETWEEN :first AND :as_of
  AND {IN_SCOPE.format(column="district_code")}
GROUP BY 1, 2, 3
"""  # noqa: S608 (only constant fragments are formatted in; every value is a bound parameter)


async def counts(session: AsyncSession, period: Period, scope: Scope) -> list[tuple[str, str, str, int]]:
    """(district, section, item, count) of every non-zero count; money in fen."""
    rows = await session.execute(text(_COUNTS), bind(period, scope))
    return [(district, section, item, int(n)) for district, section, item, n in rows]
