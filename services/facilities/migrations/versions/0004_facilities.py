"""The facilities tables: the read model of 特困 persons (cases, members, care levels), facilities and
beds, placement requests, stays and bed occupancies (one open per bed, one open stay per person), safety
items, 5-year plan actions, and the care-rate targets (seeded: 25% by 2018-12-31, 50% by 2020-12-31).

Revision ID: 0004
"""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "care_levels",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("care_level", sa.Text(), nullable=False, comment="self_caring | half_care | full_care"),
        sa.Column(
            "event_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="of two facts on one day, the later event's wins",
        ),
        sa.PrimaryKeyConstraint("person_id", "assessed_on", name=op.f("pk_care_levels")),
    )
    op.create_table(
        "care_rate_targets",
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "rate", sa.Numeric(precision=5, scale=4), nullable=False, comment="a fraction: 0.25 is 25%"
        ),
        sa.PrimaryKeyConstraint("due_on", name=op.f("pk_care_rate_targets")),
    )
    op.create_table(
        "cases",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("program", sa.Text(), nullable=False, comment="dibao | tekun"),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_cases")),
    )
    op.create_table(
        "facilities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False, comment="township_home | district_home | care_center"),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("cares_for_disabled", sa.Boolean(), nullable=False),
        sa.Column("staff_count", sa.Integer(), nullable=False),
        sa.Column("safety_grade", sa.Text(), nullable=False, comment="building safety grade A–D"),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("status_since", sa.Date(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'renovating', 'closing', 'closed')", name=op.f("ck_facilities_known_status")
        ),
        sa.CheckConstraint("staff_count >= 0", name=op.f("ck_facilities_staff_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facilities")),
    )
    op.create_index("ix_facilities_district_status", "facilities", ["district_code", "status"], unique=False)
    op.create_table(
        "placement_requests",
        sa.Column("id", sa.Uuid(), nullable=False, comment="derived from the choice's event id"),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("care_level", sa.Text(), nullable=False, comment="the person's latest known care level"),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column(
            "requested_at", sa.DateTime(timezone=True), nullable=False, comment="time of the choice's event"
        ),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'admitted', 'withdrawn')", name=op.f("ck_placement_requests_known_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placement_requests")),
    )
    op.create_index(
        "ix_placement_requests_queue", "placement_requests", ["district_code", "status"], unique=False
    )
    op.create_index(
        "uq_placement_requests_one_queued",
        "placement_requests",
        ["person_id"],
        unique=True,
        postgresql_where=sa.text("status = 'queued'"),
    )
    op.create_table(
        "beds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("facility_id", sa.Uuid(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False, comment="the bed's number in the facility"),
        sa.Column("room", sa.Text(), nullable=False),
        sa.Column("disabled_suitable", sa.Boolean(), nullable=False),
        sa.Column("in_service", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_beds_facility_id_facilities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_beds")),
        sa.UniqueConstraint("facility_id", "label", name=op.f("uq_beds_facility_id_label")),
    )
    op.create_table(
        "placements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("admitted_on", sa.Date(), nullable=False),
        sa.Column("discharged_on", sa.Date(), nullable=True),
        sa.Column("discharge_reason", sa.Text(), nullable=True, comment="death | returned_home | case_ended"),
        sa.Column("admitted_by", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "discharged_on IS NULL OR discharged_on >= admitted_on",
            name=op.f("ck_placements_discharged_after_admitted"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["placement_requests.id"],
            name=op.f("fk_placements_request_id_placement_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placements")),
        sa.UniqueConstraint("request_id", name=op.f("uq_placements_request_id")),
    )
    op.create_index(op.f("ix_placements_person_id"), "placements", ["person_id"], unique=False)
    op.create_index(
        "uq_placements_one_open_per_person",
        "placements",
        ["person_id"],
        unique=True,
        postgresql_where=sa.text("discharged_on IS NULL"),
    )
    op.create_table(
        "plan_actions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("facility_id", sa.Uuid(), nullable=True),
        sa.Column(
            "plan_start_year", sa.Integer(), nullable=False, comment="first year of the five-year plan"
        ),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("project_name", sa.Text(), nullable=True, comment="what a new build is called"),
        sa.Column("target_start", sa.Date(), nullable=False),
        sa.Column("target_end", sa.Date(), nullable=False),
        sa.Column("progress_percent", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "(action = 'new_build') = (facility_id IS NULL)",
            name=op.f("ck_plan_actions_facility_unless_new_build"),
        ),
        sa.CheckConstraint(
            "action IN ('keep', 'renovate', 'close', 'new_build')", name=op.f("ck_plan_actions_known_action")
        ),
        sa.CheckConstraint(
            "progress_percent BETWEEN 0 AND 100", name=op.f("ck_plan_actions_progress_in_range")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_plan_actions_facility_id_facilities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_actions")),
        sa.UniqueConstraint(
            "facility_id", "plan_start_year", name=op.f("uq_plan_actions_facility_id_plan_start_year")
        ),
    )
    op.create_index(op.f("ix_plan_actions_district_code"), "plan_actions", ["district_code"], unique=False)
    op.create_table(
        "safety_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("facility_id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("severity", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("responsible_person", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("opened_by", sa.Text(), nullable=False),
        sa.Column("closed_by", sa.Text(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('fire', 'other')", name=op.f("ck_safety_items_known_kind")),
        sa.CheckConstraint(
            "severity IN ('minor', 'major', 'critical')", name=op.f("ck_safety_items_known_severity")
        ),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_safety_items_known_status")),
        sa.CheckConstraint(
            "closed_by IS NULL OR closed_by <> opened_by",
            name=op.f("ck_safety_items_closed_by_a_second_person"),
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_safety_items_facility_id_facilities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_items")),
    )
    op.create_index(
        "ix_safety_items_district_deadline", "safety_items", ["district_code", "deadline"], unique=False
    )
    op.create_index(
        "ix_safety_items_open",
        "safety_items",
        ["facility_id"],
        unique=False,
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "tekun_members",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("active_from", sa.Date(), nullable=False, comment="the case's decision day"),
        sa.Column(
            "active_until",
            sa.Date(),
            nullable=True,
            comment="last day supported (the day before the termination's first unpaid month); NULL: active",
        ),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.Column(
            "support_mode", sa.Text(), nullable=True, comment="centralised | dispersed; NULL: not chosen"
        ),
        sa.Column("support_mode_on", sa.Date(), nullable=True),
        sa.Column(
            "support_mode_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="time of the choice's event applied; older ones are replays",
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.case_id"], name=op.f("fk_tekun_members_case_id_cases")),
        sa.PrimaryKeyConstraint("case_id", "person_id", name=op.f("pk_tekun_members")),
    )
    op.create_index(
        "ix_tekun_members_district_active", "tekun_members", ["district_code", "active_from"], unique=False
    )
    op.create_index(op.f("ix_tekun_members_person_id"), "tekun_members", ["person_id"], unique=False)
    op.create_table(
        "bed_occupancies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("placement_id", sa.Uuid(), nullable=False),
        sa.Column("facility_id", sa.Uuid(), nullable=False),
        sa.Column("bed_id", sa.Uuid(), nullable=False),
        sa.Column("from_on", sa.Date(), nullable=False),
        sa.Column("until_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "until_on IS NULL OR until_on >= from_on", name=op.f("ck_bed_occupancies_until_after_from")
        ),
        sa.ForeignKeyConstraint(["bed_id"], ["beds.id"], name=op.f("fk_bed_occupancies_bed_id_beds")),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_bed_occupancies_facility_id_facilities")
        ),
        sa.ForeignKeyConstraint(
            ["placement_id"], ["placements.id"], name=op.f("fk_bed_occupancies_placement_id_placements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bed_occupancies")),
    )
    op.create_index(
        "ix_bed_occupancies_facility", "bed_occupancies", ["facility_id", "until_on"], unique=False
    )
    op.create_index(
        "uq_bed_occupancies_one_open_per_bed",
        "bed_occupancies",
        ["bed_id"],
        unique=True,
        postgresql_where=sa.text("until_on IS NULL"),
    )
    op.create_index(
        "uq_bed_occupancies_one_open_per_stay",
        "bed_occupancies",
        ["placement_id"],
        unique=True,
        postgresql_where=sa.text("until_on IS NULL"),
    )
    targets = sa.table("care_rate_targets", sa.column("due_on", sa.Date()), sa.column("rate", sa.Numeric()))
    op.bulk_insert(
        targets,
        [
            {"due_on": date(2018, 12, 31), "rate": Decimal("0.25")},
            {"due_on": date(2020, 12, 31), "rate": Decimal("0.50")},
        ],
    )


def downgrade() -> None:
    op.drop_index(
        "uq_bed_occupancies_one_open_per_stay",
        table_name="bed_occupancies",
        postgresql_where=sa.text("until_on IS NULL"),
    )
    op.drop_index(
        "uq_bed_occupancies_one_open_per_bed",
        table_name="bed_occupancies",
        postgresql_where=sa.text("until_on IS NULL"),
    )
    op.drop_index("ix_bed_occupancies_facility", table_name="bed_occupancies")
    op.drop_table("bed_occupancies")
    op.drop_index(op.f("ix_tekun_members_person_id"), table_name="tekun_members")
    op.drop_index("ix_tekun_members_district_active", table_name="tekun_members")
    op.drop_table("tekun_members")
    op.drop_index(
        "ix_safety_items_open", table_name="safety_items", postgresql_where=sa.text("status = 'open'")
    )
    op.drop_index("ix_safety_items_district_deadline", table_name="safety_items")
    op.drop_table("safety_items")
    op.drop_index(op.f("ix_plan_actions_district_code"), table_name="plan_actions")
    op.drop_table("plan_actions")
    op.drop_index(
        "uq_placements_one_open_per_person",
        table_name="placements",
        postgresql_where=sa.text("discharged_on IS NULL"),
    )
    op.drop_index(op.f("ix_placements_person_id"), table_name="placements")
    op.drop_table("placements")
    op.drop_table("beds")
    op.drop_index(
        "uq_placement_requests_one_queued",
        table_name="placement_requests",
        postgresql_where=sa.text("status = 'queued'"),
    )
    op.drop_index("ix_placement_requests_queue", table_name="placement_requests")
    op.drop_table("placement_requests")
    op.drop_index("ix_facilities_district_status", table_name="facilities")
    op.drop_table("facilities")
    op.drop_table("cases")
    op.drop_table("care_rate_targets")
    op.drop_table("care_levels")
