"""index on units.parent_id: the children of a unit without scanning every unit

Revision ID: 0016
Revises: 0011

The list page, its exports, the roll-up and the letters ask for a unit's direct children; on the national
hierarchy (300,000 units) each such question read the whole table.
"""

from alembic import op

revision = "0016"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_units_parent", "units", ["parent_id"])


def downgrade() -> None:
    op.drop_index("ix_units_parent", table_name="units")
