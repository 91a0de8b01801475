"""Households a standard change may have made eligible, flagged for review.

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "review_flags",
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("standard_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("per_capita_income_fen", sa.BigInteger(), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_review_flags_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"], ["standards.id"], name=op.f("fk_review_flags_standard_id_standards")
        ),
        sa.PrimaryKeyConstraint("household_id", "standard_id", name=op.f("pk_review_flags")),
    )
    op.add_column(
        "recalculations",
        sa.Column("households_flagged", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("recalculations", "households_flagged")
    op.drop_table("review_flags")
