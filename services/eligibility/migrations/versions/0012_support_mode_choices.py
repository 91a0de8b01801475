"""The support mode each 特困 person chose on their case (集中供养 / 分散供养), with the carer encrypted.

Revision ID: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"


def upgrade() -> None:
    op.create_table(
        "support_mode_choices",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False, comment="1, 2, … per case and person"),
        sa.Column(
            "support_mode", sa.Text(), nullable=False, comment="centralised (集中供养) | dispersed (分散供养)"
        ),
        sa.Column("chosen_on", sa.Date(), nullable=False),
        sa.Column(
            "care_level", sa.Text(), nullable=False, comment="the care level SupportModeChosen carried"
        ),
        sa.Column("carer_name_cipher", sa.LargeBinary(), nullable=True),
        sa.Column("carer_phone_cipher", sa.LargeBinary(), nullable=True),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "(support_mode = 'dispersed') = (carer_name_cipher IS NOT NULL) AND (carer_name_cipher IS NULL) = "
            "(carer_phone_cipher IS NULL) AND support_mode IN ('centralised', 'dispersed')",
            name=op.f("ck_support_mode_choices_carer_named_for_dispersed_only"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_support_mode_choices_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_support_mode_choices_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("case_id", "person_id", "seq", name=op.f("pk_support_mode_choices")),
    )


def downgrade() -> None:
    op.drop_table("support_mode_choices")
