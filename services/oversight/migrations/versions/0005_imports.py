"""Imports of other departments' files and their accepted rows (resident IDs as match keys and masks only).

Revision ID: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "source", sa.Text(), nullable=False, comment="deaths | vehicles | real_estate | business | ..."
        ),
        sa.Column("mode", sa.Text(), nullable=False, comment="all_or_nothing | good_rows_only"),
        sa.Column("status", sa.Text(), nullable=False, comment="loaded | refused"),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("file_format", sa.Text(), nullable=False, comment="csv | xlsx"),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_loaded", sa.Integer(), nullable=False, comment="accepted rows kept as new facts"),
        sa.Column(
            "rows_known",
            sa.Integer(),
            nullable=False,
            comment="accepted rows whose fact an earlier row delivered",
        ),
        sa.Column(
            "rejections",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            comment="[{row, field, reason}] for every refused row (no resident ID in clear)",
        ),
        sa.Column("imported_by", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    op.create_table(
        "external_records",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False, comment="1 is the header; data rows from 2"),
        sa.Column("match_key", sa.LargeBinary(), nullable=False),
        sa.Column("id_masked", sa.Text(), nullable=False, comment="first 3 and last 4 characters"),
        sa.Column(
            "kind", sa.Text(), nullable=False, comment="what the row says: death, car, dwelling, prison, ..."
        ),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("district_code", sa.Text(), nullable=True),
        sa.Column("on_date", sa.Date(), nullable=True),
        sa.Column("until_date", sa.Date(), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("area_m2", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["imports.id"],
            name=op.f("fk_external_records_import_id_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_records")),
    )
    op.create_index(op.f("ix_external_records_import_id"), "external_records", ["import_id"], unique=False)
    op.create_index(
        "ix_external_records_source_match_key", "external_records", ["source", "match_key"], unique=False
    )
    op.create_index(
        "uq_external_records_fact",
        "external_records",
        [
            "source",
            "match_key",
            "kind",
            "detail",
            "district_code",
            "on_date",
            "until_date",
            "amount_fen",
            "area_m2",
        ],
        unique=True,
        postgresql_nulls_not_distinct=True,
    )


def downgrade() -> None:
    op.drop_table("external_records")
    op.drop_table("imports")
