"""Leave room on the pages of cases and beneficiaries so a recalculation's updates stay HOT.

Revision ID: 0005
"""

from alembic import op

revision = "0005"
down_revision = "0004"

TABLES = ("cases", "case_beneficiaries")


def upgrade() -> None:
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} SET (fillfactor = 85)")


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
