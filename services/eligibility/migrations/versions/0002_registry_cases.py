"""Registry, standards, applications, cases, relatives register, recalculations.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "households",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("township_code", sa.Text(), nullable=True),
        sa.Column("area", sa.Text(), nullable=False),
        sa.Column("monthly_income_fen", sa.BigInteger(), nullable=False),
        sa.Column(
            "facts",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            comment="assets, consumption, rigid expenses",
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("monthly_income_fen >= 0", name=op.f("ck_households_income_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
    )
    op.create_index(op.f("ix_households_district_code"), "households", ["district_code"], unique=False)
    op.create_table(
        "persons",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("id_number_index", sa.LargeBinary(), nullable=False),
        sa.Column("id_number_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("name_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
        sa.UniqueConstraint("id_number_index", name=op.f("uq_persons_id_number_index")),
    )
    op.create_table(
        "staff_relatives",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_index", sa.LargeBinary(), nullable=False, comment="blind index of the resident ID"),
        sa.Column("staff_id", sa.Text(), nullable=False),
        sa.Column("relation", sa.Text(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("filed_by", sa.Text(), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_relatives")),
        sa.UniqueConstraint(
            "person_index", "staff_id", name=op.f("uq_staff_relatives_person_index_staff_id")
        ),
    )
    op.create_index(
        op.f("ix_staff_relatives_person_index"), "staff_relatives", ["person_index"], unique=False
    )
    op.create_table(
        "standards",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=True),
        sa.Column("parameters", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("published_by", sa.Text(), nullable=False),
        sa.Column(
            "published_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standards")),
        sa.UniqueConstraint(
            "effective_from",
            "district_code",
            name=op.f("uq_standards_effective_from_district_code"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_table(
        "applications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("program", sa.Text(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("township_code", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.Text(), nullable=False),
        sa.Column(
            "investigators", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False
        ),
        sa.Column("relative_flagged", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("relative_filed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("district_visit_done", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.Column("decision_due", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "decision IS DISTINCT FROM 'approved' OR NOT relative_flagged OR (relative_filed AND district_visit_done)",
            name=op.f("ck_applications_relative_case_filed_and_visited"),
        ),
        sa.CheckConstraint(
            "decided_by IS NULL OR (decided_by <> entered_by AND NOT (decided_by = ANY(investigators)))",
            name=op.f("ck_applications_decider_neither_entered_nor_investigated"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_applications_household_id_households")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
    )
    op.create_index(
        "ix_applications_district_state", "applications", ["district_code", "state"], unique=False
    )
    op.create_index(op.f("ix_applications_household_id"), "applications", ["household_id"], unique=False)
    op.create_table(
        "household_members",
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("relation", sa.Text(), nullable=False),
        sa.Column(
            "profile",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            comment="disability, illness, student, pre-school, ADL failures, orphan",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_members_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_household_members_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("household_id", "person_id", name=op.f("pk_household_members")),
    )
    op.create_index(op.f("ix_household_members_person_id"), "household_members", ["person_id"], unique=False)
    op.create_table(
        "household_versions",
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_by", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_versions_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("household_id", "version", name=op.f("pk_household_versions")),
    )
    op.create_table(
        "recalculations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("standard_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False, comment="running | done"),
        sa.Column("cases_total", sa.BigInteger(), nullable=False),
        sa.Column("cases_changed", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("cursor", sa.Uuid(), nullable=True, comment="last case id processed"),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["standard_id"], ["standards.id"], name=op.f("fk_recalculations_standard_id_standards")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recalculations")),
        sa.UniqueConstraint("standard_id", name=op.f("uq_recalculations_standard_id")),
    )
    op.create_table(
        "application_steps",
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_application_steps_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("application_id", "seq", name=op.f("pk_application_steps")),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=True),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("program", sa.Text(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("area", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False, comment="active | suspended | terminated"),
        sa.Column("start_month", sa.Date(), nullable=False),
        sa.Column("per_capita_income_fen", sa.BigInteger(), nullable=False),
        sa.Column("monthly_amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("standard_id", sa.Uuid(), nullable=False),
        sa.Column("approved_by", sa.Text(), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("next_review_due", sa.Date(), nullable=True),
        sa.Column("ended_from", sa.Date(), nullable=True, comment="first month not paid"),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_cases_application_id_applications")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_cases_household_id_households")
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"], ["standards.id"], name=op.f("fk_cases_standard_id_standards")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("application_id", name=op.f("uq_cases_application_id")),
    )
    op.create_index("ix_cases_district_status", "cases", ["district_code", "status"], unique=False)
    op.create_index(op.f("ix_cases_household_id"), "cases", ["household_id"], unique=False)
    op.create_table(
        "case_beneficiaries",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("program", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "add_on_kinds",
            postgresql.ARRAY(sa.Text()),
            nullable=False,
            comment="classified add-ons the person receives",
        ),
        sa.Column("care_level", sa.Text(), nullable=True),
        sa.Column("base_fen", sa.BigInteger(), nullable=False),
        sa.Column("add_on_fen", sa.BigInteger(), nullable=False),
        sa.Column("care_subsidy_fen", sa.BigInteger(), nullable=False),
        sa.Column("insurance_categories", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_beneficiaries_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_case_beneficiaries_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("case_id", "person_id", name=op.f("pk_case_beneficiaries")),
    )
    op.create_index(
        "uq_case_beneficiaries_active_person_program",
        "case_beneficiaries",
        ["person_id", "program"],
        unique=True,
        postgresql_where=sa.text("active"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_case_beneficiaries_active_person_program",
        table_name="case_beneficiaries",
        postgresql_where=sa.text("active"),
    )
    op.drop_table("case_beneficiaries")
    op.drop_index(op.f("ix_cases_household_id"), table_name="cases")
    op.drop_index("ix_cases_district_status", table_name="cases")
    op.drop_table("cases")
    op.drop_table("application_steps")
    op.drop_table("recalculations")
    op.drop_table("household_versions")
    op.drop_index(op.f("ix_household_members_person_id"), table_name="household_members")
    op.drop_table("household_members")
    op.drop_index(op.f("ix_applications_household_id"), table_name="applications")
    op.drop_index("ix_applications_district_state", table_name="applications")
    op.drop_table("applications")
    op.drop_table("standards")
    op.drop_index(op.f("ix_staff_relatives_person_index"), table_name="staff_relatives")
    op.drop_table("staff_relatives")
    op.drop_table("persons")
    op.drop_index(op.f("ix_households_district_code"), table_name="households")
    op.drop_table("households")
