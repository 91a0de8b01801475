"""Decision deadlines on cases and temporary grants with the day help was asked for: the decision-timeliness
and temporary-assistance KPIs.

Revision ID: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.add_column(
        "cases",
        sa.Column(
            "decision_due",
            sa.Date(),
            nullable=True,
            comment="the statutory decision deadline CaseApproved carried; NULL in events from before it",
        ),
    )
    op.create_table(
        "temporary_grants",
        sa.Column("grant_id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False, comment="emergency | expenditure"),
        sa.Column("help_first", sa.Boolean(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column(
            "applied_on", sa.Date(), nullable=True, comment="the day help was asked for; NULL in older events"
        ),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("grant_id", name=op.f("pk_temporary_grants")),
    )
    op.create_index(op.f("ix_temporary_grants_granted_on"), "temporary_grants", ["granted_on"])


def downgrade() -> None:
    op.drop_table("temporary_grants")
    op.drop_column("cases", "decision_due")
