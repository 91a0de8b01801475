"""Care facilities as payees: their residents' stays, their accounts, and the payee of each payment.

Revision ID: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"

OWNER_KIND_COMMENT = "person (monthly benefits) | household (grants) | facility (its 特困 residents)"
OLD_OWNER_KIND_COMMENT = "person (monthly benefits) | household (grants)"


def upgrade() -> None:
    op.create_table(
        "facility_stays",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "placement_id",
            sa.Uuid(),
            nullable=False,
            comment="the stay in facilities (continues across a transfer)",
        ),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("facility_id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False, comment="district of the facility"),
        sa.Column("start_month", sa.Date(), nullable=False, comment="first month paid to the facility"),
        sa.Column("end_month", sa.Date(), nullable=True, comment="first month paid to the person again"),
        sa.Column(
            "end_reason",
            sa.Text(),
            nullable=True,
            comment="transferred | readmitted | death | returned_home | case_ended",
        ),
        sa.CheckConstraint("end_month >= start_month", name=op.f("ck_facility_stays_ends_after_start")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facility_stays")),
        sa.UniqueConstraint(
            "placement_id", "start_month", name=op.f("uq_facility_stays_placement_id_start_month")
        ),
    )
    op.create_index(op.f("ix_facility_stays_facility_id"), "facility_stays", ["facility_id"], unique=False)
    op.create_index("ix_facility_stays_person_start", "facility_stays", ["person_id", "start_month"])
    op.create_index(
        "uq_facility_stays_open",
        "facility_stays",
        ["person_id"],
        unique=True,
        postgresql_where=sa.text("end_month IS NULL"),
    )

    op.add_column(
        "payments",
        sa.Column(
            "payee_kind",
            sa.Text(),
            server_default="person",
            nullable=False,
            comment="whose account is paid: person | household (grant) | facility",
        ),
    )
    op.add_column(
        "payments",
        sa.Column(
            "facility_id",
            sa.Uuid(),
            nullable=True,
            comment="the care facility paid for its 特困 resident (payee_kind facility)",
        ),
    )
    op.execute("UPDATE payments SET payee_kind = 'household' WHERE person_id IS NULL")
    op.create_check_constraint(
        op.f("ck_payments_known_payee_kind"), "payments", "payee_kind IN ('person', 'household', 'facility')"
    )
    op.create_check_constraint(
        op.f("ck_payments_facility_payee_named"),
        "payments",
        "(payee_kind = 'facility') = (facility_id IS NOT NULL)",
    )

    op.drop_constraint(op.f("ck_payee_accounts_known_owner_kind"), "payee_accounts", type_="check")
    op.create_check_constraint(
        op.f("ck_payee_accounts_known_owner_kind"),
        "payee_accounts",
        "owner_kind IN ('person', 'household', 'facility')",
    )
    op.alter_column(
        "payee_accounts",
        "owner_kind",
        existing_type=sa.Text(),
        existing_nullable=False,
        comment=OWNER_KIND_COMMENT,
        existing_comment=OLD_OWNER_KIND_COMMENT,
    )


def downgrade() -> None:
    # Money already sent to facilities, or their accounts, cannot be expressed without these columns.
    op.execute(
        """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM payments WHERE payee_kind = 'facility')
       OR EXISTS (SELECT 1 FROM payee_accounts WHERE owner_kind = 'facility') THEN
        RAISE EXCEPTION 'facilities are payees of payments or hold accounts: not downgrading';
    END IF;
END $$
"""
    )
    op.alter_column(
        "payee_accounts",
        "owner_kind",
        existing_type=sa.Text(),
        existing_nullable=False,
        comment=OLD_OWNER_KIND_COMMENT,
        existing_comment=OWNER_KIND_COMMENT,
    )
    op.drop_constraint(op.f("ck_payee_accounts_known_owner_kind"), "payee_accounts", type_="check")
    op.create_check_constraint(
        op.f("ck_payee_accounts_known_owner_kind"), "payee_accounts", "owner_kind IN ('person', 'household')"
    )
    op.drop_constraint(op.f("ck_payments_facility_payee_named"), "payments", type_="check")
    op.drop_constraint(op.f("ck_payments_known_payee_kind"), "payments", type_="check")
    op.drop_column("payments", "facility_id")
    op.drop_column("payments", "payee_kind")
    op.drop_index("uq_facility_stays_open", table_name="facility_stays")
    op.drop_index("ix_facility_stays_person_start", table_name="facility_stays")
    op.drop_index(op.f("ix_facility_stays_facility_id"), table_name="facility_stays")
    op.drop_table("facility_stays")
