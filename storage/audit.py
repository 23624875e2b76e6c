"""The audit log as a hash chain: every row carries the SHA-256 of the previous row's hash and its own content.

Triggers refuse UPDATE, DELETE, REPLACE and TRUNCATE, but someone with the database file (or a superuser) can
drop them. The chain is what shows it afterwards: changing, removing or inserting a row breaks the hash of that
row, and `trienkhai audit verify` names the first one. Rewriting the whole tail consistently is only caught by
comparing the last hash with one kept elsewhere (the manifest of every backup keeps it).

Every audit row is written by `append_audit`, which reads the head of the chain and inserts after it. On
PostgreSQL, pg_advisory_xact_lock (held until the writer's transaction ends) makes concurrent writers take turns.
SQLite has one writer at a time and serializable transactions: a writer that read the head before another one
committed cannot write at all (SQLITE_BUSY), so two rows never chain onto the same head; commands that audit take
the write lock when they begin (UnitOfWork(writer=True)) and wait their turn instead. Ids are consecutive
(head + 1): a gap is a removed row, and two writers that did read the same head would collide on the id.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from storage.models import AuditEntry

__all__ = ["GENESIS", "Verdict", "append_audit", "canonical", "chain_hash", "verify"]

GENESIS = ""  # what the first row chains from
# Key of the PostgreSQL advisory lock that serialises appends (any constant no other lock of ours uses).
_CHAIN_LOCK = 0x61756469744C6F67 & 0x7FFFFFFFFFFFFFFF  # "auditLog"


def canonical(fields: dict[str, Any]) -> str:
    """A row's content as hashed: JSON of its columns with sorted keys, the instant in UTC ISO form."""
    at = fields["at"]
    document = {
        "id": fields["id"],
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": fields["actor"],
        "action": fields["action"],
        "subject": fields["subject"],
        "reason": fields["reason"],
        "details": fields["details"],
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_hash(previous: str, fields: dict[str, Any]) -> str:
    """SHA-256 (hex) of the previous row's hash followed by this row's canonical content."""
    return hashlib.sha256((previous + canonical(fields)).encode("utf-8")).hexdigest()


def _fields(entry: AuditEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in ("id", "at", "actor", "action", "subject", "reason", "details")}


def _lock_head(session: Session) -> tuple[int, str]:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Two writers reading the same head would fork the chain; the lock is released at commit or rollback.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    head = session.execute(
        select(AuditEntry.id, AuditEntry.chain_hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    return (0, GENESIS) if head is None else (head[0], head[1])


def append_audit(session: Session, *entries: AuditEntry) -> None:
    """Append `entries` to the audit log in the caller's transaction, each chained to the one before it."""
    if not entries:
        return
    session.flush()  # earlier appends of this transaction are the head now
    last_id, previous = _lock_head(session)
    for entry in entries:
        last_id += 1
        entry.id = last_id
        # What is hashed must be what will be read back: a JSON document's tuples come back as lists, and so on.
        entry.details = json.loads(json.dumps(entry.details))
        entry.chain_hash = previous = chain_hash(previous, _fields(entry))
        session.add(entry)
    session.flush()


@dataclass(frozen=True)
class Verdict:
    """What a walk of the chain found: how many rows hold, the last one that holds, and the first that breaks."""

    count: int
    last_id: int | None
    last_at: datetime | None
    last_hash: str
    broken_id: int | None = None
    broken_at: datetime | None = None
    problem: str | None = None


_COLUMNS = (AuditEntry.id, AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.subject,
            AuditEntry.reason, AuditEntry.details, AuditEntry.chain_hash)


def verify(session: Session) -> Verdict:
    """Re-hash every row in id order; the verdict names the first row whose hash does not follow from the one
    before it (a row changed, inserted, or removed just before it)."""
    count, previous, last_id, last_at = 0, GENESIS, 0, None
    rows = session.execute(select(*_COLUMNS).order_by(AuditEntry.id).execution_options(yield_per=5000))
    try:
        for row in rows:
            fields = row._asdict()
            if fields["chain_hash"] != chain_hash(previous, fields):
                return Verdict(count, last_id or None, last_at, previous, row.id, row.at, _problem(last_id, row.id))
            count, previous, last_id, last_at = count + 1, row.chain_hash, row.id, row.at
    finally:
        rows.close()  # a server-side cursor on PostgreSQL, left early at a break
    return Verdict(count, last_id or None, last_at, previous)


def _problem(last_id: int, broken_id: int) -> str:
    if broken_id != last_id + 1:
        gap = f"số {last_id + 1}" if broken_id == last_id + 2 else f"từ số {last_id + 1} đến {broken_id - 1}"
        return f"thiếu bản ghi {gap} ngay trước bản ghi này (đã bị xóa khỏi cơ sở dữ liệu)"
    return "nội dung bản ghi không khớp mã băm đã lưu: bản ghi đã bị sửa, hoặc được chèn thẳng vào cơ sở dữ liệu"
