"""The insured roster as read from `insurance.enrollment.v1`: who may ask for whose identity.

Revision ID: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.create_table(
        "insured_persons",
        sa.Column("roster_entry_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        sa.Column("policy_year", sa.Integer(), nullable=False),
        sa.Column(
            "district_code", sa.Text(), nullable=False, comment="district whose roster the person is on"
        ),
        sa.Column("cover_from", sa.Date(), nullable=True, comment="NULL if only the removal arrived"),
        sa.Column("cover_until", sa.Date(), nullable=True, comment="last day of cover once removed"),
        sa.Column("removal_reason", sa.Text(), nullable=True),
        sa.Column("enrolled_event_id", sa.Uuid(), nullable=True),
        sa.Column("removed_event_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("roster_entry_id", name=op.f("pk_insured_persons")),
    )
    op.create_index(
        "ix_insured_persons_person_insurer", "insured_persons", ["person_id", "insurer_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_insured_persons_person_insurer", table_name="insured_persons")
    op.drop_table("insured_persons")
