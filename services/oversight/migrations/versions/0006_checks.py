"""Check runs and their findings: one finding per rule and subject however many runs find it.

Revision ID: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.create_table(
        "check_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=True, comment="NULL: city-wide"),
        sa.Column("rules", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column(
            "parameters",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            comment="standards and thresholds applied",
        ),
        sa.Column("findings_new", sa.Integer(), nullable=False),
        sa.Column(
            "findings_again", sa.Integer(), nullable=False, comment="hits already found by an earlier run"
        ),
        sa.Column("started_by", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_runs")),
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column(
            "subject",
            sa.Text(),
            nullable=False,
            comment="case:<id>, case:<id>/person:<id>, person:<id>, match:<hex>",
        ),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("severity", sa.Text(), nullable=False, comment="low | medium | high"),
        sa.Column("evidence", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("first_run_id", sa.Uuid(), nullable=False),
        sa.Column("last_run_id", sa.Uuid(), nullable=False),
        sa.Column("first_found_on", sa.Date(), nullable=False),
        sa.Column("last_found_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["first_run_id"], ["check_runs.id"], name=op.f("fk_findings_first_run_id_check_runs")
        ),
        sa.ForeignKeyConstraint(
            ["last_run_id"], ["check_runs.id"], name=op.f("fk_findings_last_run_id_check_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
        sa.UniqueConstraint("rule", "subject", name=op.f("uq_findings_rule_subject")),
    )
    op.create_index(op.f("ix_findings_case_id"), "findings", ["case_id"], unique=False)
    op.create_index("ix_findings_district_rule", "findings", ["district_code", "rule"], unique=False)


def downgrade() -> None:
    op.drop_table("findings")
    op.drop_table("check_runs")
