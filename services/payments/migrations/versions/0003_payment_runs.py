"""Monthly payment runs and their payments: one per beneficiary, benefit and month; back pay per run.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "payment_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False, comment="preparing | prepared | released"),
        sa.Column("prepared_by", sa.Text(), nullable=False),
        sa.Column("released_by", sa.Text(), nullable=True),
        sa.Column("cursor", sa.Uuid(), nullable=True, comment="last entitlement id prepared (resumable)"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "released_by IS NULL OR released_by <> prepared_by",
            name=op.f("ck_payment_runs_released_by_a_second_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_runs")),
        sa.UniqueConstraint("district_code", "month", name=op.f("uq_payment_runs_district_code_month")),
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("entitlement_id", sa.Uuid(), nullable=True),
        sa.Column("grant_id", sa.Uuid(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "person_id", sa.Uuid(), nullable=True, comment="NULL for a temporary grant, paid to the household"
        ),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("benefit", sa.Text(), nullable=False, comment="dibao | tekun | temporary | back_pay"),
        sa.Column(
            "month",
            sa.Date(),
            nullable=False,
            comment="the month paid for (for back pay: the month topped up)",
        ),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False, comment="due | paid | failed"),
        sa.ForeignKeyConstraint(
            ["entitlement_id"], ["entitlements.id"], name=op.f("fk_payments_entitlement_id_entitlements")
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"], ["one_off_payments.grant_id"], name=op.f("fk_payments_grant_id_one_off_payments")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["payment_runs.id"], name=op.f("fk_payments_run_id_payment_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )
    op.create_index(op.f("ix_payments_run_id"), "payments", ["run_id"], unique=False)
    op.create_index(
        "uq_payments_back_pay_per_run",
        "payments",
        ["person_id", "month", "run_id"],
        unique=True,
        postgresql_where=sa.text("benefit = 'back_pay'"),
    )
    op.create_index(
        "uq_payments_grant",
        "payments",
        ["grant_id"],
        unique=True,
        postgresql_where=sa.text("grant_id IS NOT NULL"),
    )
    op.create_index(
        "uq_payments_person_benefit_month",
        "payments",
        ["person_id", "benefit", "month"],
        unique=True,
        postgresql_where=sa.text("grant_id IS NULL AND benefit <> 'back_pay'"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_payments_person_benefit_month",
        table_name="payments",
        postgresql_where=sa.text("grant_id IS NULL AND benefit <> 'back_pay'"),
    )
    op.drop_index(
        "uq_payments_grant", table_name="payments", postgresql_where=sa.text("grant_id IS NOT NULL")
    )
    op.drop_index(
        "uq_payments_back_pay_per_run",
        table_name="payments",
        postgresql_where=sa.text("benefit = 'back_pay'"),
    )
    op.drop_index(op.f("ix_payments_run_id"), table_name="payments")
    op.drop_table("payments")
    op.drop_table("payment_runs")
