"""The working-day calendar the bureau loads, provisional decision deadlines, and their recounts.

Revision ID: 0009
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holidays", postgresql.ARRAY(sa.Date()), nullable=False, comment="days off (放假)"),
        sa.Column(
            "shifted_working_days",
            postgresql.ARRAY(sa.Date()),
            nullable=False,
            comment="weekend days worked (调休上班)",
        ),
        sa.Column(
            "names",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            comment="ISO date -> the notice's name for it",
        ),
        sa.Column("notice", sa.Text(), nullable=True, comment="the State Council notice it comes from"),
        sa.Column("source", sa.Text(), nullable=False, comment="the file it was loaded from, or 'api'"),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("loaded_by", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name=op.f("ck_calendar_years_year_in_range")),
        sa.CheckConstraint(
            "NOT (holidays && shifted_working_days)",
            name=op.f("ck_calendar_years_no_day_both_off_and_worked"),
        ),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_years")),
    )
    op.create_table(
        "deadline_recomputations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False, comment="the calendar_years revision it follows"),
        sa.Column("status", sa.Text(), nullable=False, comment="running | done"),
        sa.Column("applications_total", sa.BigInteger(), nullable=False),
        sa.Column("applications_done", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("cursor", sa.Uuid(), nullable=True, comment="last application id recomputed"),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_recomputations")),
    )
    op.add_column(
        "applications",
        sa.Column(
            "decision_due_provisional",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
            comment="counted Mon–Fri into a year nobody has entered",
        ),
    )
    # The recount looks only at open applications whose deadline is still provisional: a small set.
    op.create_index(
        "ix_applications_provisional_open",
        "applications",
        ["id"],
        unique=False,
        postgresql_where=sa.text("decision_due_provisional AND decision IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_applications_provisional_open", table_name="applications")
    op.drop_column("applications", "decision_due_provisional")
    op.drop_table("deadline_recomputations")
    op.drop_table("calendar_years")
