"""Temporary grants per person and cause, to refuse repeats within a year.

Revision ID: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.create_table(
        "temporary_grants",
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_temporary_grants_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_temporary_grants_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("application_id", "person_id", name=op.f("pk_temporary_grants")),
    )
    op.create_index(
        "ix_temporary_grants_person_cause",
        "temporary_grants",
        ["person_id", "cause", "granted_on"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_temporary_grants_person_cause", table_name="temporary_grants")
    op.drop_table("temporary_grants")
