"""Cover gaps (a person removed and enrolled again in one term; a window per return to a case), premiums for
the months covered, and each claim's status history, backfilled from the decision dates the claims hold.

Revision ID: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    # A person dropped from a case and added back later gets a window of their own, not the old one reopened.
    op.drop_constraint("pk_beneficiaries", "beneficiaries", type_="primary")
    op.create_primary_key("pk_beneficiaries", "beneficiaries", ["case_id", "person_id", "cover_start"])
    op.alter_column(
        "beneficiaries",
        "cover_start",
        comment="1st of the month the case was confirmed (or the person added again)",
        existing_comment="1st of the month the case was confirmed",
        existing_type=sa.Date(),
        existing_nullable=False,
    )
    op.create_table(
        "cover_gaps",
        sa.Column("roster_entry_id", sa.Uuid(), nullable=False),
        sa.Column("gap_from", sa.Date(), nullable=False, comment="first day not covered"),
        sa.Column("gap_until", sa.Date(), nullable=False, comment="last day not covered"),
        sa.CheckConstraint("gap_until >= gap_from", name=op.f("ck_cover_gaps_gap_not_empty")),
        sa.ForeignKeyConstraint(
            ["roster_entry_id"],
            ["roster_entries.id"],
            name=op.f("fk_cover_gaps_roster_entry_id_roster_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("roster_entry_id", "gap_from", name=op.f("pk_cover_gaps")),
    )
    op.create_table(
        "claim_status_changes",
        sa.Column("claim_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False, comment="a claim takes each status once"),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("changed_by", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "status IN ('reported', 'documents_complete', 'assessed', 'settled', 'rejected')",
            name=op.f("ck_claim_status_changes_known_status"),
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_claim_status_changes_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("claim_id", "status", name=op.f("pk_claim_status_changes")),
    )
    # The history the claims already tell: reported, then each decision on its day. When the checklist was
    # completed was not kept; the report day is the earliest it can have been.
    op.execute(
        """
        INSERT INTO claim_status_changes (claim_id, status, changed_on, changed_by)
        SELECT id, 'reported', reported_on, reported_by FROM claims
        UNION ALL SELECT id, 'documents_complete', reported_on, reported_by FROM claims
            WHERE status IN ('documents_complete', 'assessed', 'settled')
        UNION ALL SELECT id, 'assessed', assessed_on, assessed_by FROM claims WHERE assessed_on IS NOT NULL
        UNION ALL SELECT id, 'settled', settled_on, settled_by FROM claims WHERE settled_on IS NOT NULL
        UNION ALL SELECT id, 'rejected', rejected_on, rejected_by FROM claims WHERE rejected_on IS NOT NULL
        """
    )
    # Premiums were due to December whatever the end of cover; now for the months covered.
    op.alter_column(
        "roster_entries",
        "premium_fen",
        comment="premium due for the months covered: cover_from to cover_until, gaps aside",
        existing_comment="premium due from cover_from to the term's end",
        existing_type=sa.BigInteger(),
        existing_nullable=False,
    )
    op.execute(
        """
        UPDATE roster_entries e
        SET premium_fen = CASE WHEN e.cover_until < e.cover_from THEN 0
                               ELSE t.premium_fen * (EXTRACT(MONTH FROM e.cover_until)::int
                                                     - EXTRACT(MONTH FROM e.cover_from)::int + 1) / 12 END
        FROM policy_terms t
        WHERE t.year = e.policy_year AND e.cover_until IS NOT NULL
        """
    )


def downgrade() -> None:
    op.alter_column(
        "roster_entries",
        "premium_fen",
        comment="premium due from cover_from to the term's end",
        existing_comment="premium due for the months covered: cover_from to cover_until, gaps aside",
        existing_type=sa.BigInteger(),
        existing_nullable=False,
    )
    op.execute(
        """
        UPDATE roster_entries e
        SET premium_fen = t.premium_fen * (13 - EXTRACT(MONTH FROM e.cover_from)::int) / 12
        FROM policy_terms t WHERE t.year = e.policy_year
        """
    )
    op.drop_table("claim_status_changes")
    op.drop_table("cover_gaps")
    # Back to one window per person and case, as before: the first one, ending where the last one ends.
    op.execute(
        """
        UPDATE beneficiaries b SET cover_end = last.cover_end, end_reason = last.end_reason
        FROM (SELECT DISTINCT ON (case_id, person_id) case_id, person_id, cover_start, cover_end, end_reason
              FROM beneficiaries ORDER BY case_id, person_id, cover_start DESC) AS last
        WHERE last.case_id = b.case_id AND last.person_id = b.person_id AND last.cover_start > b.cover_start
        """
    )
    op.execute(
        """
        DELETE FROM beneficiaries b USING beneficiaries earlier
        WHERE earlier.case_id = b.case_id AND earlier.person_id = b.person_id AND earlier.cover_start < b.cover_start
        """
    )
    op.alter_column(
        "beneficiaries",
        "cover_start",
        comment="1st of the month the case was confirmed",
        existing_comment="1st of the month the case was confirmed (or the person added again)",
        existing_type=sa.Date(),
        existing_nullable=False,
    )
    op.drop_constraint("pk_beneficiaries", "beneficiaries", type_="primary")
    op.create_primary_key("pk_beneficiaries", "beneficiaries", ["case_id", "person_id"])
