"""indexes for an advance that costs what changes: obligations per directive by status and deadline, by status
and opening (replacing the index by status and deadline over all directives), and the closed units

Revision ID: 0015
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("obligations", schema=None) as batch_op:
        batch_op.drop_index("ix_obligations_status_due")
        batch_op.create_index("ix_obligations_directive_due", ["directive_id", "status", "due_at", "escalation_step"],
                              unique=False)
        batch_op.create_index("ix_obligations_directive_opens", ["directive_id", "status", "opens_at"], unique=False)
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.create_index("ix_units_closed", ["valid_to"], unique=False,
                              sqlite_where=sa.text("valid_to IS NOT NULL"),
                              postgresql_where=sa.text("valid_to IS NOT NULL"))


def downgrade() -> None:
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_index("ix_units_closed")
    with op.batch_alter_table("obligations", schema=None) as batch_op:
        batch_op.drop_index("ix_obligations_directive_opens")
        batch_op.drop_index("ix_obligations_directive_due")
        batch_op.create_index("ix_obligations_status_due", ["status", "due_at"], unique=False)
