"""Cases keep their counted income exactly, so that a recalculation rounds once, at the end.

`cases.counted_income_twelfths` (12 × monthly income − the 12-month rigid expenses, at least 0, in
twelfths of a fen) over `cases.income_members` is the exact per-capita income the amount formula uses;
`per_capita_income_fen` stays, for display only.

Backfill of existing cases, from what is stored:
- A dibao case whose household, as registered now, still gives the per-capita income approval stored
  (with the old rounding: the deduction rounded up to a twelfth, the per-capita income floored) and has
  as many members as the case covers gets that household's exact income and member count.
- Every other case (特困, whose amount does not depend on income; a household changed since its last
  assessment) keeps the stored per-capita income as its exact one: `12 × per_capita_income_fen` over
  1 member. That is the approximation: such a dibao case is recalculated as before (per-capita income
  floored, at most 1 fen per covered member more than exact) until its next review re-assesses it.
Stored amounts are not changed here: a changed amount must reach payments as an event, so existing
cases get their exact amounts at the next recalculation or review.

Revision ID: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"

PER_CAPITA_COMMENT = "display only, floored to the fen; amounts use the exact counted income"
FLAG_PER_CAPITA_COMMENT = "display only, floored to the fen; the flag compares exactly"

BACKFILL_FROM_HOUSEHOLDS = """
WITH registered AS (
    SELECT h.id, h.monthly_income_fen AS income,
           COALESCE((h.facts -> 'rigid_expenses_12m_fen' ->> 'medical')::bigint, 0)
             + COALESCE((h.facts -> 'rigid_expenses_12m_fen' ->> 'education')::bigint, 0) AS rigid,
           (SELECT COUNT(*) FROM household_members m WHERE m.household_id = h.id) AS members
    FROM households h
)
UPDATE cases c
SET counted_income_twelfths = GREATEST(12 * r.income - r.rigid, 0), income_members = r.members
FROM registered r
WHERE r.id = c.household_id AND c.program = 'dibao' AND r.members > 0
  AND GREATEST(r.income - (r.rigid + 11) / 12, 0) / r.members = c.per_capita_income_fen
  AND r.members = (
      SELECT COUNT(*) FROM case_beneficiaries b
      WHERE b.case_id = c.id AND (b.active OR c.status = 'terminated')
  )
"""

BACKFILL_FROM_PER_CAPITA = """
UPDATE cases SET counted_income_twelfths = 12 * per_capita_income_fen, income_members = 1
WHERE counted_income_twelfths IS NULL
"""


def upgrade() -> None:
    op.add_column(
        "cases",
        sa.Column(
            "counted_income_twelfths",
            sa.BigInteger(),
            nullable=True,
            comment="counted monthly income in twelfths of a fen: 12 × income − 12-month rigid expenses, ≥ 0",
        ),
    )
    op.add_column(
        "cases",
        sa.Column(
            "income_members",
            sa.Integer(),
            nullable=True,
            comment="persons sharing the counted income: per capita = twelfths / (12 × members)",
        ),
    )
    op.execute(BACKFILL_FROM_HOUSEHOLDS)
    op.execute(BACKFILL_FROM_PER_CAPITA)
    op.alter_column("cases", "counted_income_twelfths", nullable=False)
    op.alter_column("cases", "income_members", nullable=False)
    op.create_check_constraint(
        op.f("ck_cases_counted_income_not_negative"), "cases", "counted_income_twelfths >= 0"
    )
    op.create_check_constraint(op.f("ck_cases_income_shared_by_someone"), "cases", "income_members >= 1")
    op.alter_column(
        "cases",
        "per_capita_income_fen",
        existing_type=sa.BigInteger(),
        existing_nullable=False,
        comment=PER_CAPITA_COMMENT,
    )
    op.alter_column(
        "review_flags",
        "per_capita_income_fen",
        existing_type=sa.BigInteger(),
        existing_nullable=False,
        comment=FLAG_PER_CAPITA_COMMENT,
    )


def downgrade() -> None:
    op.alter_column(
        "review_flags",
        "per_capita_income_fen",
        existing_type=sa.BigInteger(),
        existing_nullable=False,
        comment=None,
        existing_comment=FLAG_PER_CAPITA_COMMENT,
    )
    op.alter_column(
        "cases",
        "per_capita_income_fen",
        existing_type=sa.BigInteger(),
        existing_nullable=False,
        comment=None,
        existing_comment=PER_CAPITA_COMMENT,
    )
    op.drop_constraint(op.f("ck_cases_income_shared_by_someone"), "cases", type_="check")
    op.drop_constraint(op.f("ck_cases_counted_income_not_negative"), "cases", type_="check")
    op.drop_column("cases", "income_members")
    op.drop_column("cases", "counted_income_twelfths")
