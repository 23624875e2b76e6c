"""audit log as a hash chain; REPLACE refused on SQLite, TRUNCATE on PostgreSQL

Revision ID: 0011
Revises: 0010

Rows already in the log are chained in id order. The append-only triggers are dropped while the new column is
filled, then created again, with two more: on SQLite an INSERT that would replace an existing row is refused
(also when a connection did not turn recursive_triggers on), on PostgreSQL TRUNCATE is refused.
"""

import sqlalchemy as sa
from alembic import op

import storage.base
from storage.audit import GENESIS, chain_hash

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_REFUSE = "audit_log is append-only"


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute("DROP TRIGGER audit_log_no_delete")
    else:
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
    op.add_column("audit_log", sa.Column("chain_hash", sa.String(length=64), nullable=True))
    _chain_existing_rows()
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("chain_hash", existing_type=sa.String(length=64), nullable=False)
    if sqlite:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                       f"BEGIN SELECT RAISE(ABORT, '{_REFUSE}'); END")
        op.execute("CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log "
                   "WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id) "
                   f"BEGIN SELECT RAISE(ABORT, '{_REFUSE}'); END")
    else:
        op.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()")
        op.execute("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()")


def _chain_existing_rows() -> None:
    bind = op.get_bind()
    log = sa.table(
        "audit_log", sa.column("id", sa.Integer()), sa.column("at", storage.base.UTCDateTime()),
        sa.column("actor", sa.String()), sa.column("action", sa.String()), sa.column("subject", sa.String()),
        sa.column("reason", sa.Text()), sa.column("details", sa.JSON()), sa.column("chain_hash", sa.String()),
    )
    rows = bind.execute(sa.select(log.c.id, log.c.at, log.c.actor, log.c.action, log.c.subject, log.c.reason,
                                  log.c.details).order_by(log.c.id)).all()
    previous = GENESIS
    hashes = []
    for row in rows:
        previous = chain_hash(previous, row._asdict())
        hashes.append({"row_id": row.id, "hash": previous})
    if hashes:
        bind.execute(log.update().where(log.c.id == sa.bindparam("row_id")).values(chain_hash=sa.bindparam("hash")),
                     hashes)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP TRIGGER audit_log_no_replace")
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute("DROP TRIGGER audit_log_no_delete")
    else:
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("chain_hash")
    if sqlite:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                       f"BEGIN SELECT RAISE(ABORT, '{_REFUSE}'); END")
