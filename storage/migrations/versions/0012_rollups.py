"""kept roll-ups per directive and subtree (rollup_counts, rollup_figures); units indexed by parent

Revision ID: 0012
Revises: 0011

Directives issued before this revision get their roll-ups counted here, from their obligations (figures only
where this version still reads the stored plan).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

import storage.base

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rollup_counts",
        sa.Column("directive_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["directive_id"], ["directives.id"],
                                name=op.f("fk_rollup_counts_directive_id_directives")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_rollup_counts_unit_id_units")),
        sa.PrimaryKeyConstraint("directive_id", "unit_id", "key", "status", "due_at", name=op.f("pk_rollup_counts")),
    )
    op.create_table(
        "rollup_figures",
        sa.Column("directive_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("below", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["directive_id"], ["directives.id"],
                                name=op.f("fk_rollup_figures_directive_id_directives")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_rollup_figures_unit_id_units")),
        sa.PrimaryKeyConstraint("directive_id", "unit_id", "key", "period", "field", name=op.f("pk_rollup_figures")),
    )
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.create_index("ix_units_parent_id", ["parent_id"], unique=False)
    _count_issued_directives()


def _count_issued_directives() -> None:
    from errors import StorageError
    from rollout.summary import rebuild_counts, rebuild_figures
    from storage.models import DirectiveRow

    session = Session(bind=op.get_bind())
    for directive in session.scalars(sa.select(DirectiveRow).order_by(DirectiveRow.id)).all():
        rebuild_counts(session, directive.id)
        try:
            rebuild_figures(session, directive)
        except StorageError:  # a plan this version cannot read has no figures to show either: left empty
            continue
    session.flush()


def downgrade() -> None:
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_index("ix_units_parent_id")
    op.drop_table("rollup_figures")
    op.drop_table("rollup_counts")
