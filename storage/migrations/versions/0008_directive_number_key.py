"""directives.number_key: the form in which a directive number is unique ("047-KH/TU" is "47-KH/TU")

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from plans.numbers import number_key

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("directives", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number_key", sa.String(length=64), nullable=True))
    directives = sa.table("directives", sa.column("id", sa.Integer), sa.column("number", sa.String),
                          sa.column("number_key", sa.String))
    connection = op.get_bind()
    taken: set[str] = set()
    for row in connection.execute(sa.select(directives.c.id, directives.c.number).order_by(directives.c.id)):
        key = number_key(row.number)
        if key in taken:
            # A directive issued twice under two spellings before numbers were compared by key: the first keeps
            # the key and is what the number finds; the later copy's key is marked with its id, to stay unique.
            suffix = f"#{row.id}"
            key = key[:64 - len(suffix)] + suffix
        taken.add(key)
        connection.execute(sa.update(directives).where(directives.c.id == row.id).values(number_key=key))
    with op.batch_alter_table("directives", schema=None) as batch_op:
        batch_op.alter_column("number_key", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_directives_number_key"), ["number_key"])


def downgrade() -> None:
    with op.batch_alter_table("directives", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_directives_number_key"), type_="unique")
        batch_op.drop_column("number_key")
