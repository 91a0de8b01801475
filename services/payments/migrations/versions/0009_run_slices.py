"""Runs prepared in slices of the entitlement ids, by several workers at once.

Revision ID: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.create_table(
        "payment_run_slices",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("slice", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("after_id", sa.Uuid(), nullable=False, comment="the slice starts after this id"),
        sa.Column("up_to_id", sa.Uuid(), nullable=False, comment="and ends with this one"),
        sa.Column("cursor", sa.Uuid(), nullable=True, comment="last entitlement id prepared"),
        sa.Column("scanned", sa.BigInteger(), nullable=False, comment="entitlements scanned so far"),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["payment_runs.id"], name=op.f("fk_payment_run_slices_run_id_payment_runs")
        ),
        sa.PrimaryKeyConstraint("run_id", "slice", name=op.f("pk_payment_run_slices")),
    )
    # An existing run becomes one slice of the whole id range, where its cursor was.
    op.execute(
        """
INSERT INTO payment_run_slices (run_id, slice, after_id, up_to_id, cursor, scanned, done)
SELECT id, 0, '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', cursor,
       entitlements_scanned, status <> 'preparing'
FROM payment_runs
"""
    )
    op.drop_column("payment_runs", "cursor")
    op.drop_column("payment_runs", "entitlements_scanned")


def downgrade() -> None:
    op.add_column(
        "payment_runs",
        sa.Column("entitlements_scanned", sa.BigInteger(), server_default="0", nullable=False),
    )
    op.add_column(
        "payment_runs",
        sa.Column("cursor", sa.Uuid(), nullable=True, comment="last entitlement id prepared (resumable)"),
    )
    # A run still preparing restarts from the beginning (its payments stay; the unique keys skip them).
    op.execute(
        """
UPDATE payment_runs r SET entitlements_scanned = s.scanned
FROM (SELECT run_id, sum(scanned) AS scanned FROM payment_run_slices GROUP BY run_id) s
WHERE s.run_id = r.id AND r.status <> 'preparing'
"""
    )
    op.drop_table("payment_run_slices")
