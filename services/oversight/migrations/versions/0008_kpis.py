"""District KPIs: the care levels and claims they read (read models), and the targets an admin sets.

Revision ID: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.create_table(
        "care_levels",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("care_level", sa.Text(), nullable=False, comment="self_caring | half_care | full_care"),
        sa.PrimaryKeyConstraint("case_id", "person_id", "assessed_on", name=op.f("pk_care_levels")),
    )
    op.create_index(op.f("ix_care_levels_person_id"), "care_levels", ["person_id"], unique=False)
    op.create_table(
        "claims",
        sa.Column("claim_id", sa.Uuid(), nullable=False),
        sa.Column("roster_entry_id", sa.Uuid(), nullable=False, comment="its district is the roster entry's"),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("cover_type", sa.Text(), nullable=False),
        sa.Column("incident_date", sa.Date(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_claims")),
    )
    op.create_index(op.f("ix_claims_roster_entry_id"), "claims", ["roster_entry_id"], unique=False)
    op.create_index(op.f("ix_claims_reported_on"), "claims", ["reported_on"], unique=False)
    op.create_table(
        "kpi_targets",
        sa.Column("kpi", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False, comment="a district code, or city"),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("target", sa.Numeric(12, 4), nullable=False),
        sa.Column("set_by", sa.Text(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kpi", "scope", "effective_from", name=op.f("pk_kpi_targets")),
    )


def downgrade() -> None:
    op.drop_table("kpi_targets")
    op.drop_index(op.f("ix_claims_reported_on"), table_name="claims")
    op.drop_index(op.f("ix_claims_roster_entry_id"), table_name="claims")
    op.drop_table("claims")
    op.drop_index(op.f("ix_care_levels_person_id"), table_name="care_levels")
    op.drop_table("care_levels")
