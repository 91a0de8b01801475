"""Problem lists and their rectifications, supervision spot checks, government-purchased services.

Revision ID: 0007
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"

# The second wall behind the use cases (CHECK constraints in the tables hold the rest): a problem closes only
# with evidence, a closed problem is final, and evidence once given is never changed or taken back.
CLOSURE_RULES = (
    """
CREATE FUNCTION problem_closure_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status = 'closed' THEN
        RAISE EXCEPTION 'problem % is closed: it is final', OLD.id USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.status = 'closed' AND NOT EXISTS (SELECT 1 FROM problem_evidence WHERE problem_id = NEW.id) THEN
        RAISE EXCEPTION 'problem % cannot close without evidence', NEW.id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$""",
    "CREATE TRIGGER problems_closure_rules BEFORE INSERT OR UPDATE ON problems"
    " FOR EACH ROW EXECUTE FUNCTION problem_closure_rules()",
    """
CREATE FUNCTION problem_evidence_refuses_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'evidence is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$""",
    "CREATE TRIGGER problem_evidence_append_only BEFORE UPDATE OR DELETE ON problem_evidence"
    " FOR EACH ROW EXECUTE FUNCTION problem_evidence_refuses_changes()",
)


def _purchased_services() -> None:
    op.create_table(
        "service_providers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "credit_code", sa.Text(), nullable=False, comment="统一社会信用代码, check character verified"
        ),
        sa.Column("registered_by", sa.Text(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_providers")),
        sa.UniqueConstraint(
            "district_code", "credit_code", name=op.f("uq_service_providers_district_code_credit_code")
        ),
    )
    op.create_table(
        "service_contracts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("scope", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("budget_fen", sa.BigInteger(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("signed_by", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("starts_on <= ends_on", name=op.f("ck_service_contracts_period")),
        sa.CheckConstraint("budget_fen > 0", name=op.f("ck_service_contracts_budget")),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["service_providers.id"],
            name=op.f("fk_service_contracts_provider_id_service_providers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_contracts")),
    )
    op.create_index(op.f("ix_service_contracts_provider_id"), "service_contracts", ["provider_id"])
    op.create_index(op.f("ix_service_contracts_district_code"), "service_contracts", ["district_code"])
    op.create_table(
        "service_tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("assigned_by", sa.Text(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("completed_by", sa.Text(), nullable=True),
        sa.Column("evidence", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.CheckConstraint(
            "(completed_on IS NULL) = (completed_by IS NULL) AND (completed_on IS NULL) = (evidence IS NULL)",
            name=op.f("ck_service_tasks_completion_whole"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["service_contracts.id"],
            name=op.f("fk_service_tasks_contract_id_service_contracts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_tasks")),
    )
    op.create_index(op.f("ix_service_tasks_contract_id"), "service_tasks", ["contract_id"])
    op.create_index(op.f("ix_service_tasks_case_id"), "service_tasks", ["case_id"])
    op.create_table(
        "contract_evaluations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in (
                "tasks_due",
                "tasks_on_time",
                "quality_problems",
                "complaints",
                "timeliness_points",
                "quality_points",
                "complaint_points",
                "score",
            )
        ),
        sa.Column("evaluated_by", sa.Text(), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["service_contracts.id"],
            name=op.f("fk_contract_evaluations_contract_id_service_contracts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_evaluations")),
    )
    op.create_index(op.f("ix_contract_evaluations_contract_id"), "contract_evaluations", ["contract_id"])


def _problems() -> None:
    op.create_table(
        "problems",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column(
            "source", sa.Text(), nullable=False, comment="self_inspection | supervision | complaint | finding"
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("finding_id", sa.Uuid(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column(
            "contract_id", sa.Uuid(), nullable=True, comment="a purchased-service contract it is about"
        ),
        sa.Column("task_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False, comment="open | rectifying | closed"),
        sa.Column("opened_by", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("responsible_person", sa.Text(), nullable=True),
        sa.Column("measures", sa.Text(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True, comment="overdue from the day after, until closed"),
        sa.Column("rectification_by", sa.Text(), nullable=True, comment="who set the rectification"),
        sa.Column("rectification_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "escalated_on", sa.Date(), nullable=True, comment="reported overdue to the municipal level"
        ),
        sa.Column(
            "closed_by", sa.Text(), nullable=True, comment="the second person who signed the closure off"
        ),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closing_note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "source IN ('self_inspection', 'supervision', 'complaint', 'finding')",
            name=op.f("ck_problems_source"),
        ),
        sa.CheckConstraint("status IN ('open', 'rectifying', 'closed')", name=op.f("ck_problems_status")),
        sa.CheckConstraint(
            "source = 'finding' OR finding_id IS NULL", name=op.f("ck_problems_finding_source")
        ),
        sa.CheckConstraint(
            "(status = 'open') = (rectification_by IS NULL)"
            " AND (rectification_by IS NULL) = (responsible_person IS NULL)"
            " AND (rectification_by IS NULL) = (measures IS NULL)"
            " AND (rectification_by IS NULL) = (deadline IS NULL)"
            " AND (rectification_by IS NULL) = (rectification_at IS NULL)",
            name=op.f("ck_problems_rectification_whole"),
        ),
        sa.CheckConstraint(
            "(status = 'closed') = (closed_by IS NOT NULL)"
            " AND (closed_by IS NULL) = (closed_at IS NULL)"
            " AND (closed_by IS NULL) = (closing_note IS NULL)",
            name=op.f("ck_problems_closed_signed_off"),
        ),
        sa.CheckConstraint(
            "closed_by IS NULL OR (closed_by <> opened_by AND closed_by <> rectification_by)",
            name=op.f("ck_problems_second_person"),
        ),
        sa.ForeignKeyConstraint(
            ["finding_id"], ["findings.id"], name=op.f("fk_problems_finding_id_findings")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["service_contracts.id"], name=op.f("fk_problems_contract_id_service_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["service_tasks.id"], name=op.f("fk_problems_task_id_service_tasks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problems")),
        sa.UniqueConstraint("finding_id", name=op.f("uq_problems_finding_id")),
    )
    op.create_index(op.f("ix_problems_case_id"), "problems", ["case_id"])
    op.create_index(op.f("ix_problems_contract_id"), "problems", ["contract_id"])
    op.create_index("ix_problems_district_status", "problems", ["district_code", "status"])
    op.create_table(
        "problem_evidence",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("problem_id", sa.Uuid(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("document_ref", sa.Text(), nullable=True),
        sa.Column("added_by", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problems.id"], name=op.f("fk_problem_evidence_problem_id_problems")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_evidence")),
    )
    op.create_index(op.f("ix_problem_evidence_problem_id"), "problem_evidence", ["problem_id"])
    for statement in CLOSURE_RULES:
        op.execute(statement)


def _supervision() -> None:
    op.create_table(
        "inspection_teams",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("members", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_teams")),
        sa.UniqueConstraint("district_code", "name", name=op.f("uq_inspection_teams_district_code_name")),
    )
    op.create_table(
        "spot_check_draws",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("new_case_rate_pct", sa.Integer(), nullable=False),
        sa.Column("relatives_rate_pct", sa.Integer(), nullable=False),
        sa.Column(
            "new_cases", sa.Integer(), nullable=False, comment="new cases in the period, relatives' excluded"
        ),
        sa.Column("relatives_cases", sa.Integer(), nullable=False),
        sa.Column("drawn_by", sa.Text(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("period_from <= period_to", name=op.f("ck_spot_check_draws_period")),
        sa.CheckConstraint(
            "new_case_rate_pct BETWEEN 0 AND 100", name=op.f("ck_spot_check_draws_new_case_rate")
        ),
        sa.CheckConstraint(
            "relatives_rate_pct BETWEEN 0 AND 100", name=op.f("ck_spot_check_draws_relatives_rate")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spot_check_draws")),
    )
    op.create_index(op.f("ix_spot_check_draws_district_code"), "spot_check_draws", ["district_code"])
    op.create_table(
        "spot_checks",
        sa.Column("draw_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False, comment="relative | new_case"),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("assigned_by", sa.Text(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True, comment="pass | problem_found"),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("checked_by", sa.Text(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("problem_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("reason IN ('relative', 'new_case')", name=op.f("ck_spot_checks_reason")),
        sa.CheckConstraint("outcome IN ('pass', 'problem_found')", name=op.f("ck_spot_checks_outcome")),
        sa.CheckConstraint(
            "(outcome = 'problem_found') = (problem_id IS NOT NULL)",
            name=op.f("ck_spot_checks_problem_of_outcome"),
        ),
        sa.CheckConstraint(
            "(outcome IS NULL) = (checked_by IS NULL)", name=op.f("ck_spot_checks_checked_by")
        ),
        sa.ForeignKeyConstraint(
            ["draw_id"], ["spot_check_draws.id"], name=op.f("fk_spot_checks_draw_id_spot_check_draws")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["inspection_teams.id"], name=op.f("fk_spot_checks_team_id_inspection_teams")
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problems.id"], name=op.f("fk_spot_checks_problem_id_problems")
        ),
        sa.PrimaryKeyConstraint("draw_id", "case_id", name=op.f("pk_spot_checks")),
    )
    op.create_index(op.f("ix_spot_checks_team_id"), "spot_checks", ["team_id"])


def upgrade() -> None:
    _purchased_services()
    _problems()
    _supervision()


def downgrade() -> None:
    for table in (
        "spot_checks",
        "spot_check_draws",
        "inspection_teams",
        "problem_evidence",
        "problems",
        "contract_evaluations",
        "service_tasks",
        "service_contracts",
        "service_providers",
    ):
        op.drop_table(table)
    op.execute("DROP FUNCTION problem_evidence_refuses_changes()")
    op.execute("DROP FUNCTION problem_closure_rules()")
