"""Lighter payment writes for large runs: time-ordered payment ids, no per-row foreign-key checks on
payments, one (run, status) index, a partial unique index for reissues (bench/RESULTS.md, monthly run).

Revision ID: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


# A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Rows inserted together get
# neighbouring keys, so a run appends to the primary key instead of touching a random page per row.
# PostgreSQL 18 has uuidv7(); this one also runs on older servers.
COMMENTS = {
    "id": "time-ordered (uuid_v7()) when a run writes it",
    "run_id": "the run; no foreign key: payments are written only with the run row locked, runs are never "
    "deleted, and checking the same row for every payment cost a fifth of a run",
    "entitlement_id": "the entitlement paid; no foreign key: a run takes it from `entitlements` in the same "
    "statement, entitlements are never deleted, and the key's row lock on every entitlement doubled a run's writes",
}

UUID_V7 = """
CREATE FUNCTION uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
SELECT encode(
    set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                            PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                            FROM 1 FOR 6),
                    52, 1),
            53, 1),
    'hex')::uuid
$$"""


def upgrade() -> None:
    op.execute(UUID_V7)
    op.drop_constraint("fk_payments_entitlement_id_entitlements", "payments", type_="foreignkey")
    op.drop_constraint("fk_payments_run_id_payment_runs", "payments", type_="foreignkey")
    op.drop_index("ix_payments_run_id", table_name="payments")
    op.drop_index("ix_payments_run_due", table_name="payments")
    op.create_index("ix_payments_run_id_status", "payments", ["run_id", "status"])
    op.drop_constraint("uq_payments_reissue_of", "payments", type_="unique")
    op.create_index(
        "uq_payments_reissue_of",
        "payments",
        ["reissue_of"],
        unique=True,
        postgresql_where=sa.text("reissue_of IS NOT NULL"),
    )
    for column, comment in COMMENTS.items():
        op.alter_column("payments", column, existing_type=sa.Uuid(), comment=comment)


def downgrade() -> None:
    for column in COMMENTS:
        op.alter_column("payments", column, existing_type=sa.Uuid(), comment=None)
    op.drop_index("uq_payments_reissue_of", table_name="payments")
    op.create_unique_constraint("uq_payments_reissue_of", "payments", ["reissue_of"])
    op.drop_index("ix_payments_run_id_status", table_name="payments")
    op.create_index("ix_payments_run_due", "payments", ["run_id"], postgresql_where=sa.text("status = 'due'"))
    op.create_index("ix_payments_run_id", "payments", ["run_id"])
    op.create_foreign_key("fk_payments_run_id_payment_runs", "payments", "payment_runs", ["run_id"], ["id"])
    op.create_foreign_key(
        "fk_payments_entitlement_id_entitlements", "payments", "entitlements", ["entitlement_id"], ["id"]
    )
    op.execute("DROP FUNCTION uuid_v7()")
