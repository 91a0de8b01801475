"""Overpayments to recover: payments for months after death or termination.

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "overpayments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False, comment="death | termination | fraud"),
        sa.Column("status", sa.Text(), nullable=False, comment="to_recover | recovered | waived"),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_overpayments_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overpayments")),
        sa.UniqueConstraint("payment_id", name=op.f("uq_overpayments_payment_id")),
    )


def downgrade() -> None:
    op.drop_table("overpayments")
