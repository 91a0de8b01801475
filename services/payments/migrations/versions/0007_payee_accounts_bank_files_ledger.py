"""Payee accounts, bank files and returns, reissues, and the district-fund ledger.

Revision ID: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


PAYMENT_KEYS = (
    (
        "uq_payments_person_benefit_month",
        ["person_id", "benefit", "month"],
        "grant_id IS NULL AND benefit <> 'back_pay'",
    ),
    ("uq_payments_back_pay_per_run", ["person_id", "month", "run_id"], "benefit = 'back_pay'"),
    ("uq_payments_grant", ["grant_id"], "grant_id IS NOT NULL"),
)

LEDGER_RULES = (
    # Entries and transactions are append-only: a correction is a new, reversing transaction.
    """
CREATE FUNCTION ledger_refuses_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$""",
    "CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries"
    " FOR EACH ROW EXECUTE FUNCTION ledger_refuses_changes()",
    "CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions"
    " FOR EACH ROW EXECUTE FUNCTION ledger_refuses_changes()",
    "CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries"
    " FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuses_changes()",
    "CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions"
    " FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuses_changes()",
    # Checked at commit, once every line of the transaction is in: debits equal credits, two lines at least.
    """
CREATE FUNCTION ledger_transaction_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tx uuid;
    lines integer;
    balance numeric;
BEGIN
    IF TG_TABLE_NAME = 'ledger_transactions' THEN
        tx := NEW.id;
    ELSE
        tx := NEW.transaction_id;
    END IF;
    SELECT count(*), coalesce(sum(amount_fen), 0) INTO lines, balance FROM ledger_entries WHERE transaction_id = tx;
    IF lines < 2 OR balance <> 0 THEN
        RAISE EXCEPTION 'ledger transaction % does not balance: % lines, sum %', tx, lines, balance
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$""",
    "CREATE CONSTRAINT TRIGGER ledger_entries_balance AFTER INSERT ON ledger_entries"
    " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_transaction_balances()",
    "CREATE CONSTRAINT TRIGGER ledger_transactions_balance AFTER INSERT ON ledger_transactions"
    " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_transaction_balances()",
)


def upgrade() -> None:
    op.create_table(
        "ledger_transactions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Text(),
            nullable=False,
            comment="allocation | bank_file | bank_return | overpayment | recovery | waiver",
        ),
        sa.Column(
            "reference", sa.Text(), nullable=False, comment="what it posts: the allocation, file, return…"
        ),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("posted_by", sa.Text(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_transactions")),
        sa.UniqueConstraint("kind", "reference", name=op.f("uq_ledger_transactions_kind_reference")),
    )
    op.create_index(
        op.f("ix_ledger_transactions_district_code"),
        "ledger_transactions",
        ["district_code", "posted_at"],
        unique=False,
    )
    op.create_table(
        "payee_accounts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "owner_kind", sa.Text(), nullable=False, comment="person (monthly benefits) | household (grants)"
        ),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("holder_name", sa.LargeBinary(), nullable=False, comment="encrypted"),
        sa.Column("account_number", sa.LargeBinary(), nullable=False, comment="encrypted"),
        sa.Column("account_index", sa.LargeBinary(), nullable=False, comment="blind index of the number"),
        sa.Column("bank_code", sa.Text(), nullable=False, comment="CNAPS code of the account's bank branch"),
        sa.Column(
            "appointed", sa.Boolean(), nullable=False, comment="paid to an appointed payee, not the owner"
        ),
        sa.Column(
            "relationship", sa.Text(), nullable=True, comment="the appointed payee's relation to the owner"
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "owner_kind IN ('person', 'household')", name=op.f("ck_payee_accounts_known_owner_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payee_accounts")),
    )
    op.create_index(
        op.f("ix_payee_accounts_account_index"), "payee_accounts", ["account_index"], unique=False
    )
    op.create_index(
        "uq_payee_accounts_current",
        "payee_accounts",
        ["owner_kind", "owner_id"],
        unique=True,
        postgresql_where=sa.text("superseded_at IS NULL"),
    )
    op.create_table(
        "bank_files",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["payment_runs.id"], name=op.f("fk_bank_files_run_id_payment_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_files")),
        sa.UniqueConstraint("run_id", "sequence", name=op.f("uq_bank_files_run_id_sequence")),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("transaction_id", sa.Uuid(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("account", sa.Text(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False, comment="debit > 0, credit < 0"),
        sa.CheckConstraint(
            "account IN ('fund_cash', 'budget_allocated', 'bank_clearing', 'benefits_paid', 'recoveries_receivable')",
            name=op.f("ck_ledger_entries_known_account"),
        ),
        sa.CheckConstraint("amount_fen <> 0", name=op.f("ck_ledger_entries_not_zero")),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["ledger_transactions.id"],
            name=op.f("fk_ledger_entries_transaction_id_ledger_transactions"),
        ),
        sa.PrimaryKeyConstraint("transaction_id", "line", name=op.f("pk_ledger_entries")),
    )
    op.create_table(
        "bank_returns",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("bank_file_id", sa.Uuid(), nullable=False),
        sa.Column("checksum", sa.Text(), nullable=False, comment="SHA-256 of the uploaded file"),
        sa.Column("paid_count", sa.Integer(), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_file_id"], ["bank_files.id"], name=op.f("fk_bank_returns_bank_file_id_bank_files")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_returns")),
        sa.UniqueConstraint("bank_file_id", "checksum", name=op.f("uq_bank_returns_bank_file_id_checksum")),
    )
    op.create_table(
        "payment_instructions",
        sa.Column("id", sa.Uuid(), nullable=False, comment="our reference on the bank's line"),
        sa.Column("bank_file_id", sa.Uuid(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("payee_account_id", sa.Uuid(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False, comment="sent | paid | failed"),
        sa.Column("reason_code", sa.Text(), nullable=True, comment="the bank's return code when failed"),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "status IN ('sent', 'paid', 'failed')", name=op.f("ck_payment_instructions_known_status")
        ),
        sa.ForeignKeyConstraint(
            ["bank_file_id"], ["bank_files.id"], name=op.f("fk_payment_instructions_bank_file_id_bank_files")
        ),
        sa.ForeignKeyConstraint(
            ["payee_account_id"],
            ["payee_accounts.id"],
            name=op.f("fk_payment_instructions_payee_account_id_payee_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_payment_instructions_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_instructions")),
    )
    op.create_index(
        op.f("ix_payment_instructions_bank_file_id"), "payment_instructions", ["bank_file_id"], unique=False
    )
    op.create_index(
        op.f("ix_payment_instructions_payment_id"), "payment_instructions", ["payment_id"], unique=False
    )
    op.create_index(
        "uq_payment_instructions_live",
        "payment_instructions",
        ["payment_id"],
        unique=True,
        postgresql_where=sa.text("status <> 'failed'"),
    )
    op.add_column(
        "entitlements",
        sa.Column("end_reason", sa.Text(), nullable=True, comment="death | termination | fraud"),
    )
    op.add_column(
        "overpayments", sa.Column("settled_on", sa.Date(), nullable=True, comment="when recovered or waived")
    )
    op.add_column("overpayments", sa.Column("settled_by", sa.Text(), nullable=True))
    op.add_column(
        "payment_runs",
        sa.Column(
            "entitlements_due",
            sa.BigInteger(),
            nullable=True,
            comment="entitlements due in the month, counted when preparation starts (progress)",
        ),
    )
    op.add_column(
        "payment_runs", sa.Column("entitlements_scanned", sa.BigInteger(), server_default="0", nullable=False)
    )
    op.add_column(
        "payments",
        sa.Column(
            "reissue_of", sa.Uuid(), nullable=True, comment="the failed payment this one replaces (once)"
        ),
    )
    op.alter_column(
        "payments",
        "status",
        existing_type=sa.TEXT(),
        comment="due → sent → paid | failed; failed → due (retry) | reissued; due → cancelled (support ended)",
        existing_comment="due | paid | failed",
        existing_nullable=False,
    )
    op.create_index(
        "ix_payments_run_due",
        "payments",
        ["run_id"],
        unique=False,
        postgresql_where=sa.text("status = 'due'"),
    )
    op.create_unique_constraint(op.f("uq_payments_reissue_of"), "payments", ["reissue_of"])
    op.create_foreign_key(
        op.f("fk_payments_reissue_of_payments"), "payments", "payments", ["reissue_of"], ["id"]
    )
    op.create_check_constraint(
        op.f("ck_payments_known_status"),
        "payments",
        "status IN ('due', 'sent', 'paid', 'failed', 'reissued', 'cancelled')",
    )
    # A reissued payment steps aside for its replacement: the business keys cover the live payments only.
    for name, columns, where in PAYMENT_KEYS:
        op.drop_index(name, table_name="payments")
        op.create_index(
            name,
            "payments",
            columns,
            unique=True,
            postgresql_where=sa.text(f"{where} AND status <> 'reissued'"),
        )
    # A grant's state is its payment's: the copy here was never kept up to date.
    op.drop_column("one_off_payments", "status")
    for statement in LEDGER_RULES:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP FUNCTION ledger_refuses_changes() CASCADE")
    op.execute("DROP FUNCTION ledger_transaction_balances() CASCADE")
    for name, columns, where in PAYMENT_KEYS:
        op.drop_index(name, table_name="payments")
        op.create_index(name, "payments", columns, unique=True, postgresql_where=sa.text(where))
    op.drop_constraint(op.f("ck_payments_known_status"), "payments", type_="check")
    op.add_column(
        "one_off_payments",
        sa.Column("status", sa.Text(), nullable=False, server_default="due", comment="due | paid | failed"),
    )
    op.drop_constraint(op.f("fk_payments_reissue_of_payments"), "payments", type_="foreignkey")
    op.drop_constraint(op.f("uq_payments_reissue_of"), "payments", type_="unique")
    op.drop_index("ix_payments_run_due", table_name="payments", postgresql_where=sa.text("status = 'due'"))
    op.alter_column(
        "payments",
        "status",
        existing_type=sa.TEXT(),
        comment="due | paid | failed",
        existing_comment="due → sent → paid | failed; failed → due (retry) | reissued; due → cancelled (support ended)",
        existing_nullable=False,
    )
    op.drop_column("payments", "reissue_of")
    op.drop_column("payment_runs", "entitlements_scanned")
    op.drop_column("payment_runs", "entitlements_due")
    op.drop_column("overpayments", "settled_by")
    op.drop_column("overpayments", "settled_on")
    op.drop_column("entitlements", "end_reason")
    op.drop_index(
        "uq_payment_instructions_live",
        table_name="payment_instructions",
        postgresql_where=sa.text("status <> 'failed'"),
    )
    op.drop_index(op.f("ix_payment_instructions_payment_id"), table_name="payment_instructions")
    op.drop_index(op.f("ix_payment_instructions_bank_file_id"), table_name="payment_instructions")
    op.drop_table("payment_instructions")
    op.drop_table("bank_returns")
    op.drop_table("ledger_entries")
    op.drop_table("bank_files")
    op.drop_index(
        "uq_payee_accounts_current",
        table_name="payee_accounts",
        postgresql_where=sa.text("superseded_at IS NULL"),
    )
    op.drop_index(op.f("ix_payee_accounts_account_index"), table_name="payee_accounts")
    op.drop_table("payee_accounts")
    op.drop_index(op.f("ix_ledger_transactions_district_code"), table_name="ledger_transactions")
    op.drop_table("ledger_transactions")
