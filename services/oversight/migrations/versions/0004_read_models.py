"""Oversight read models (ids and facts only): households, members, memberships and the staff-relatives
register; cases, beneficiaries and decided amounts; payments and overpayments; placements; the insurance
roster.

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("program", sa.Text(), nullable=False, comment="dibao | tekun"),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("township_code", sa.Text(), nullable=True),
        sa.Column("start_month", sa.Date(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("suspended_from", sa.Date(), nullable=True, comment="first month not paid while suspended"),
        sa.Column("next_review_due", sa.Date(), nullable=True),
        sa.Column(
            "review_set_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="time of the event that set next_review_due; a newer one wins",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_cases")),
    )
    op.create_index("ix_cases_district_program", "cases", ["district_code", "program"], unique=False)
    op.create_index(op.f("ix_cases_household_id"), "cases", ["household_id"], unique=False)
    op.create_table(
        "households",
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("township_code", sa.Text(), nullable=True),
        sa.Column("area", sa.Text(), nullable=False, comment="urban | rural"),
        sa.Column("member_count", sa.Integer(), nullable=False),
        sa.Column("monthly_income_fen", sa.BigInteger(), nullable=False),
        sa.Column("financial_assets_fen", sa.BigInteger(), nullable=False),
        sa.Column("vehicle_exemption_evidenced", sa.Boolean(), nullable=False),
        sa.Column("study_abroad_self_funded", sa.Boolean(), nullable=False),
        sa.Column("premiums_fen_per_year", sa.BigInteger(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("household_id", name=op.f("pk_households")),
    )
    op.create_index(op.f("ix_households_district_code"), "households", ["district_code"], unique=False)
    op.create_table(
        "memberships",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("first_recorded_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "household_id", name=op.f("pk_memberships")),
    )
    op.create_table(
        "overpayments",
        sa.Column("overpayment_id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("overpayment_id", name=op.f("pk_overpayments")),
    )
    op.create_index(op.f("ix_overpayments_payment_id"), "overpayments", ["payment_id"], unique=False)
    op.create_table(
        "payments",
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("benefit", sa.Text(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False, comment="issued | disbursed | failed"),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_payments")),
    )
    op.create_index(op.f("ix_payments_case_id"), "payments", ["case_id"], unique=False)
    op.create_index("ix_payments_person_month", "payments", ["person_id", "month"], unique=False)
    op.create_table(
        "placements",
        sa.Column("placement_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("facility_id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("admitted_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("discharge_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("placement_id", name=op.f("pk_placements")),
    )
    op.create_index(op.f("ix_placements_person_id"), "placements", ["person_id"], unique=False)
    op.create_table(
        "roster_entries",
        sa.Column("roster_entry_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("policy_year", sa.Integer(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("cover_from", sa.Date(), nullable=True, comment="NULL if only the removal arrived"),
        sa.Column("cover_until", sa.Date(), nullable=True),
        sa.Column("removal_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("roster_entry_id", name=op.f("pk_roster_entries")),
    )
    op.create_index(op.f("ix_roster_entries_person_id"), "roster_entries", ["person_id"], unique=False)
    op.create_table(
        "staff_relatives",
        sa.Column("relative_id", sa.Uuid(), nullable=False),
        sa.Column("match_key", sa.LargeBinary(), nullable=False),
        sa.Column("staff_id", sa.Text(), nullable=False),
        sa.Column("relation", sa.Text(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("relative_id", name=op.f("pk_staff_relatives")),
    )
    op.create_index(op.f("ix_staff_relatives_match_key"), "staff_relatives", ["match_key"], unique=False)
    op.create_table(
        "beneficiaries",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("covered_from", sa.Date(), nullable=False),
        sa.Column("ended_from", sa.Date(), nullable=True, comment="first month not covered"),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_beneficiaries_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("case_id", "person_id", name=op.f("pk_beneficiaries")),
    )
    op.create_index(op.f("ix_beneficiaries_person_id"), "beneficiaries", ["person_id"], unique=False)
    op.create_table(
        "case_amounts",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("from_month", sa.Date(), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_case_amounts_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("case_id", "person_id", "from_month", name=op.f("pk_case_amounts")),
    )
    op.create_table(
        "household_members",
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("relation", sa.Text(), nullable=False),
        sa.Column("match_key", sa.LargeBinary(), nullable=False, comment="keyed hash of the resident ID"),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.household_id"],
            name=op.f("fk_household_members_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("household_id", "person_id", name=op.f("pk_household_members")),
    )
    op.create_index(op.f("ix_household_members_match_key"), "household_members", ["match_key"], unique=False)
    op.create_index(op.f("ix_household_members_person_id"), "household_members", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_table("household_members")
    op.drop_table("case_amounts")
    op.drop_table("beneficiaries")
    op.drop_table("staff_relatives")
    op.drop_table("roster_entries")
    op.drop_table("placements")
    op.drop_table("payments")
    op.drop_table("overpayments")
    op.drop_table("memberships")
    op.drop_table("households")
    op.drop_table("cases")
