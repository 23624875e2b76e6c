"""accounts: set-password links of invitations

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

import storage.base

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "password_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["web_accounts.id"],
                                name=op.f("fk_password_links_account_id_web_accounts")),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"], name=op.f("fk_password_links_outbox_id_outbox")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_links_token_hash")),
    )
    with op.batch_alter_table("password_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_password_links_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_password_links_outbox_id"), ["outbox_id"], unique=False)


def downgrade() -> None:
    op.drop_table("password_links")
