"""Oversight's findings against cases, and what eligibility did about each (suspended the case, or noted it).

Revision ID: 0013
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"


def upgrade() -> None:
    op.create_table(
        "case_findings",
        sa.Column("finding_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False, comment="R1–R14 (DOMAIN.md, Oversight)"),
        sa.Column("severity", sa.Text(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("found_on", sa.Date(), nullable=False, comment="the day the check was run as of"),
        sa.Column(
            "evidence",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            comment="ids, amounts and dates only",
        ),
        sa.Column(
            "action",
            sa.Text(),
            nullable=False,
            comment="suspended: this finding paused the case | noted: kept for the caseworker",
        ),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("action IN ('suspended', 'noted')", name=op.f("ck_case_findings_action_known")),
        sa.CheckConstraint(
            "severity IN ('low', 'medium', 'high')", name=op.f("ck_case_findings_severity_known")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_findings_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("finding_id", name=op.f("pk_case_findings")),
    )
    op.create_index(op.f("ix_case_findings_case_id"), "case_findings", ["case_id"])


def downgrade() -> None:
    op.drop_table("case_findings")
