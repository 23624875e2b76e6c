"""service: outbox leases, service runs, stored files

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

import storage.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("lease_until", storage.base.UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        "service_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("flow_run_id", sa.String(length=64), nullable=True),
        sa.Column("host", sa.String(length=120), nullable=False),
        sa.Column("started_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_runs")),
    )
    with op.batch_alter_table("service_runs", schema=None) as batch_op:
        batch_op.create_index("ix_service_runs_job_started", ["job", "started_at"], unique=False)
    op.create_table(
        "stored_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("folder", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=120), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("written_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_files")),
        sa.UniqueConstraint("folder", "name", name=op.f("uq_stored_files_folder")),
    )


def downgrade() -> None:
    op.drop_table("stored_files")
    with op.batch_alter_table("service_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_service_runs_job_started")
    op.drop_table("service_runs")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("lease_until")
        batch_op.drop_column("claimed_by")
