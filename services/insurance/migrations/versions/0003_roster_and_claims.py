"""The 民政惠民济困保 tables: insurers, policy terms and covers, the beneficiaries read model, the roster
and its builds, claims.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "beneficiary_cases",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("program", sa.Text(), nullable=False, comment="dibao | tekun"),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column(
            "last_event_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="time of the latest case event applied; older ones are replays",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_beneficiary_cases")),
    )
    op.create_index(
        op.f("ix_beneficiary_cases_district_code"), "beneficiary_cases", ["district_code"], unique=False
    )
    op.create_table(
        "insurers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insurers")),
        sa.UniqueConstraint("name", name=op.f("uq_insurers_name")),
    )
    op.create_table(
        "beneficiaries",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("categories", postgresql.ARRAY(Text()), nullable=False, comment="insurance categories"),
        sa.Column(
            "cover_start", sa.Date(), nullable=False, comment="1st of the month the case was confirmed"
        ),
        sa.Column("cover_end", sa.Date(), nullable=True, comment="last day covered; NULL while active"),
        sa.Column("end_reason", sa.Text(), nullable=True, comment="case_ended | death | moved"),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["beneficiary_cases.case_id"],
            name=op.f("fk_beneficiaries_case_id_beneficiary_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "person_id", name=op.f("pk_beneficiaries")),
    )
    op.create_index(op.f("ix_beneficiaries_person_id"), "beneficiaries", ["person_id"], unique=False)
    op.create_table(
        "policy_terms",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        sa.Column("premium_fen", sa.BigInteger(), nullable=False, comment="per person per year"),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("year BETWEEN 2018 AND 2100", name=op.f("ck_policy_terms_year_in_range")),
        sa.ForeignKeyConstraint(
            ["insurer_id"], ["insurers.id"], name=op.f("fk_policy_terms_insurer_id_insurers")
        ),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_policy_terms")),
    )
    op.create_index(op.f("ix_policy_terms_insurer_id"), "policy_terms", ["insurer_id"], unique=False)
    op.create_table(
        "covers",
        sa.Column("policy_year", sa.Integer(), nullable=False),
        sa.Column("cover_type", sa.Text(), nullable=False),
        sa.Column("limit_fen", sa.BigInteger(), nullable=False, comment="most paid per claim"),
        sa.Column(
            "report_limit_hours",
            sa.Integer(),
            nullable=True,
            comment="report within this many hours of the incident (accidents: 48)",
        ),
        sa.Column(
            "documents", postgresql.ARRAY(Text()), nullable=False, comment="the claim's documents checklist"
        ),
        sa.ForeignKeyConstraint(
            ["policy_year"], ["policy_terms.year"], name=op.f("fk_covers_policy_year_policy_terms")
        ),
        sa.PrimaryKeyConstraint("policy_year", "cover_type", name=op.f("pk_covers")),
    )
    op.create_table(
        "roster_builds",
        sa.Column("policy_year", sa.Integer(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("built_by", sa.Text(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_year"], ["policy_terms.year"], name=op.f("fk_roster_builds_policy_year_policy_terms")
        ),
        sa.PrimaryKeyConstraint("policy_year", "district_code", name=op.f("pk_roster_builds")),
    )
    op.create_table(
        "roster_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("policy_year", sa.Integer(), nullable=False),
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("categories", postgresql.ARRAY(Text()), nullable=False),
        sa.Column(
            "cover_from", sa.Date(), nullable=False, comment="1st of the month of confirmation, or 1 January"
        ),
        sa.Column(
            "cover_until",
            sa.Date(),
            nullable=True,
            comment="last day covered; NULL: to the term's end; the day before cover_from: never covered",
        ),
        sa.Column("removal_reason", sa.Text(), nullable=True),
        sa.Column(
            "premium_fen",
            sa.BigInteger(),
            nullable=False,
            comment="premium due from cover_from to the term's end",
        ),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "EXTRACT(YEAR FROM cover_from) = policy_year", name=op.f("ck_roster_entries_cover_from_in_term")
        ),
        sa.CheckConstraint(
            "cover_until IS NULL OR (cover_until >= cover_from - 1 AND EXTRACT(YEAR FROM cover_until) <= policy_year)",
            name=op.f("ck_roster_entries_cover_until_in_term"),
        ),
        sa.ForeignKeyConstraint(
            ["insurer_id"], ["insurers.id"], name=op.f("fk_roster_entries_insurer_id_insurers")
        ),
        sa.ForeignKeyConstraint(
            ["policy_year"], ["policy_terms.year"], name=op.f("fk_roster_entries_policy_year_policy_terms")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_entries")),
        sa.UniqueConstraint("person_id", "policy_year", name=op.f("uq_roster_entries_person_id_policy_year")),
    )
    op.create_index(
        "ix_roster_entries_year_district", "roster_entries", ["policy_year", "district_code"], unique=False
    )
    op.create_table(
        "claims",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("roster_entry_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("policy_year", sa.Integer(), nullable=False),
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("cover_type", sa.Text(), nullable=False),
        sa.Column("incident_date", sa.Date(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False, comment="caseworker | hospital | insurer"),
        sa.Column("reported_by", sa.Text(), nullable=False),
        sa.Column("claimed_fen", sa.BigInteger(), nullable=False),
        sa.Column("expenses_total_fen", sa.BigInteger(), nullable=True),
        sa.Column("basic_insurance_fen", sa.BigInteger(), nullable=True),
        sa.Column("medical_assistance_fen", sa.BigInteger(), nullable=True),
        sa.Column("out_of_list_fen", sa.BigInteger(), nullable=True),
        sa.Column("documents_received", postgresql.ARRAY(Text()), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("assessed_fen", sa.BigInteger(), nullable=True),
        sa.Column("assessed_on", sa.Date(), nullable=True),
        sa.Column("assessed_by", sa.Text(), nullable=True),
        sa.Column("paid_fen", sa.BigInteger(), nullable=True),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.Column("settled_by", sa.Text(), nullable=True),
        sa.Column("rejection_code", sa.Text(), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True, comment="no personal data or diagnoses"),
        sa.Column("rejected_on", sa.Date(), nullable=True),
        sa.Column("rejected_by", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status <> 'settled' OR paid_fen IS NOT NULL", name=op.f("ck_claims_settled_has_amount")
        ),
        sa.CheckConstraint(
            "status IN ('reported', 'documents_complete', 'assessed', 'settled', 'rejected')",
            name=op.f("ck_claims_known_status"),
        ),
        sa.CheckConstraint("reported_on >= incident_date", name=op.f("ck_claims_reported_after_incident")),
        sa.ForeignKeyConstraint(
            ["policy_year", "cover_type"],
            ["covers.policy_year", "covers.cover_type"],
            name=op.f("fk_claims_policy_year_covers"),
        ),
        sa.ForeignKeyConstraint(
            ["roster_entry_id"], ["roster_entries.id"], name=op.f("fk_claims_roster_entry_id_roster_entries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint(
            "roster_entry_id",
            "cover_type",
            "incident_date",
            name=op.f("uq_claims_roster_entry_id_cover_type_incident_date"),
        ),
    )
    op.create_index("ix_claims_year_district", "claims", ["policy_year", "district_code"], unique=False)
    op.create_index(
        "uq_claims_once_per_person",
        "claims",
        ["person_id", "cover_type"],
        unique=True,
        postgresql_where=sa.text(
            "cover_type IN ('death_from_illness', 'school_entry_grant') AND status <> 'rejected'"
        ),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_claims_once_per_person",
        table_name="claims",
        postgresql_where=sa.text(
            "cover_type IN ('death_from_illness', 'school_entry_grant') AND status <> 'rejected'"
        ),
    )
    op.drop_index("ix_claims_year_district", table_name="claims")
    op.drop_table("claims")
    op.drop_index("ix_roster_entries_year_district", table_name="roster_entries")
    op.drop_table("roster_entries")
    op.drop_table("roster_builds")
    op.drop_table("covers")
    op.drop_index(op.f("ix_policy_terms_insurer_id"), table_name="policy_terms")
    op.drop_table("policy_terms")
    op.drop_index(op.f("ix_beneficiaries_person_id"), table_name="beneficiaries")
    op.drop_table("beneficiaries")
    op.drop_table("insurers")
    op.drop_index(op.f("ix_beneficiary_cases_district_code"), table_name="beneficiary_cases")
    op.drop_table("beneficiary_cases")
