"""state columns hold only their known values: a CHECK constraint on each, on both backends

Revision ID: 0013
Revises: 0012

The statuses of obligations, the states of directives and phases, the status of outbox messages and the outcome of
service runs were free text: a misspelt value written by hand or by a bug was stored and then matched no rule.
The values are listed here as they are today (rollout/status.py, storage/service_models.py), so that this revision
keeps meaning the same thing when they change; a change of the list is a new revision. SQLite cannot add a
constraint to a table, so there each table is copied (batch mode, with foreign keys checked once at the end by
storage.migrate.upgrade).
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# table -> (column, allowed values); the constraint is named ck_<table>_<column> by the naming convention.
CHECKS = {
    "obligations": ("status", ("pending", "open", "done_on_time", "done_late", "overdue", "waived")),
    "directives": ("state", ("active", "held", "aborted")),
    "phases": ("state", ("pending", "open", "closed")),
    "outbox": ("status", ("pending", "sent", "failed", "cancelled")),
    "service_runs": ("outcome", ("running", "completed", "failed")),
}


def upgrade() -> None:
    for table, (column, allowed) in CHECKS.items():
        listed = ", ".join(f"'{value}'" for value in allowed)
        with op.batch_alter_table(table) as batch_op:
            batch_op.create_check_constraint(batch_op.f(f"ck_{table}_{column}"), f"{column} IN ({listed})")


def downgrade() -> None:
    for table, (column, _) in CHECKS.items():
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"ck_{table}_{column}"), type_="check")
