"""Applications: district procedure policy, emergency flag and temporary-assistance request.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.add_column(
        "applications",
        sa.Column("uses_democratic_appraisal", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.add_column(
        "applications", sa.Column("emergency", sa.Boolean(), server_default=sa.text("false"), nullable=False)
    )
    op.add_column(
        "applications",
        sa.Column(
            "temporary",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=True,
            comment="temporary assistance: kind, household class, persons, months",
        ),
    )


def downgrade() -> None:
    op.drop_column("applications", "temporary")
    op.drop_column("applications", "emergency")
    op.drop_column("applications", "uses_democratic_appraisal")
