"""Entitlements from eligibility cases, their amounts over time, one-off temporary grants.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "entitlements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("benefit", sa.Text(), nullable=False, comment="dibao | tekun"),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("start_month", sa.Date(), nullable=False),
        sa.Column("end_month", sa.Date(), nullable=True, comment="first month not due (termination)"),
        sa.Column("suspended_from", sa.Date(), nullable=True, comment="first month paused (suspension)"),
        sa.Column("opened_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entitlements")),
        sa.UniqueConstraint(
            "case_id", "person_id", "benefit", name=op.f("uq_entitlements_case_id_person_id_benefit")
        ),
    )
    op.create_index(op.f("ix_entitlements_case_id"), "entitlements", ["case_id"], unique=False)
    op.create_index(
        "ix_entitlements_district_benefit", "entitlements", ["district_code", "benefit"], unique=False
    )
    op.create_index(op.f("ix_entitlements_person_id"), "entitlements", ["person_id"], unique=False)
    op.create_table(
        "one_off_payments",
        sa.Column("grant_id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("help_first", sa.Boolean(), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False, comment="due | paid | failed"),
        sa.PrimaryKeyConstraint("grant_id", name=op.f("pk_one_off_payments")),
    )
    op.create_index(
        op.f("ix_one_off_payments_household_id"), "one_off_payments", ["household_id"], unique=False
    )
    op.create_table(
        "entitlement_amounts",
        sa.Column("entitlement_id", sa.Uuid(), nullable=False),
        sa.Column("from_month", sa.Date(), nullable=False),
        sa.Column("base_fen", sa.BigInteger(), nullable=False),
        sa.Column("add_on_fen", sa.BigInteger(), nullable=False),
        sa.Column("care_subsidy_fen", sa.BigInteger(), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column(
            "reason", sa.Text(), nullable=False, comment="approved | standard_change | review | circumstances"
        ),
        sa.Column(
            "back_pay_months",
            postgresql.ARRAY(sa.Date()),
            nullable=False,
            comment="months eligibility says may have been paid at the old rate",
        ),
        sa.Column("event_id", sa.Uuid(), nullable=False, comment="the eligibility event that set it"),
        sa.ForeignKeyConstraint(
            ["entitlement_id"],
            ["entitlements.id"],
            name=op.f("fk_entitlement_amounts_entitlement_id_entitlements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entitlement_id", "from_month", name=op.f("pk_entitlement_amounts")),
    )


def downgrade() -> None:
    op.drop_table("entitlement_amounts")
    op.drop_index(op.f("ix_one_off_payments_household_id"), table_name="one_off_payments")
    op.drop_table("one_off_payments")
    op.drop_index(op.f("ix_entitlements_person_id"), table_name="entitlements")
    op.drop_index("ix_entitlements_district_benefit", table_name="entitlements")
    op.drop_index(op.f("ix_entitlements_case_id"), table_name="entitlements")
    op.drop_table("entitlements")
