"""A unit hands in a report itself (link page, API): the plan's fields, checked like any submission, and its
document."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from errors import ConflictError, InputError, NotFound, TrienkhaiError
from rollout import actions, summary
from schedules.render import local_date
from storage.audit import append_audit
from storage.documents import CheckedDocument, DocumentIn, check_document, store_document
from storage.models import DirectiveRow, ObligationRow, SubmissionDocumentRow, SubmissionRow, UnitRow

__all__ = ["CheckedReport", "HandedIn", "Pending", "check_report", "hand_in", "latest_documents", "record_report",
           "record_reports"]


@dataclass(frozen=True)
class HandedIn:
    """A recorded submission: the obligation as it now stands, the submission row and the document kept."""

    obligation: ObligationRow
    submission_id: int
    document: SubmissionDocumentRow | None


@dataclass(frozen=True)
class CheckedReport:
    """A report that passed every check that needs no write lock, ready for `record_report`."""

    obligation: ObligationRow
    directive: DirectiveRow
    unit_code: str
    clean: dict[str, Any]
    document: CheckedDocument | None


def check_report(directive: DirectiveRow, unit: UnitRow, obligation: ObligationRow, *, data: dict[str, Any],
                 document: DocumentIn | None, now: datetime) -> CheckedReport:
    """Every check of a report that reads nothing more from the database (the item may be reported, its period
    has opened, the fields, then the document), so that it runs before the write lock; mistakes in the fields and
    in the document are reported together."""
    checked: CheckedDocument | None = None
    doc_error: InputError | None = None
    if document is not None:
        try:
            checked = check_document(document, today=local_date(now))
        except InputError as exc:
            doc_error = exc
    if doc_error is not None:
        # Report the fields' mistakes together with the document's, and write nothing.
        try:
            actions._check_fields(directive, obligation.key, data)
        except InputError as exc:
            raise InputError(exc.problems + doc_error.problems, title=exc.title) from exc
        raise doc_error
    clean = actions.check_submission(directive, obligation, unit.code, data, now)
    return CheckedReport(obligation, directive, unit.code, clean, checked)


@dataclass(frozen=True)
class Pending:
    """A checked report waiting for the write lock, with when and by whom it was handed in."""

    report: CheckedReport
    now: datetime
    actor: str


def record_report(session: Session, report: CheckedReport, *, now: datetime, actor: str,
                  files_dir: Path) -> HandedIn:
    """Write a checked report in the caller's transaction (which holds the write lock): `record_reports` for one."""
    outcome = record_reports(session, [Pending(report, now, actor)], files_dir=files_dir)[0]
    if isinstance(outcome, TrienkhaiError):
        raise outcome
    return outcome


def record_reports(session: Session, pending: Sequence[Pending], *, files_dir: Path) -> list[HandedIn | TrienkhaiError]:
    """Write checked reports in the caller's transaction (which holds the write lock), each checked again on its
    obligation and unit as they now stand (still reportable, within the quotas): a refused report, whose error
    takes its place in the answer, writes nothing, and the others are recorded with what they change in common
    (counts, audit chain, consolidations) written once. The reports may come from other sessions: their rows are
    read again here by id."""
    ids = {p.report.obligation.id for p in pending}
    fresh = {"populate_existing": True}  # rows this session holds already are read again, not trusted
    rows = {row.id: row for row in session.scalars(
        select(ObligationRow).where(ObligationRow.id.in_(ids)).order_by(ObligationRow.id).with_for_update()
        .execution_options(**fresh))}
    units = {unit.id: unit for unit in session.scalars(
        select(UnitRow).where(UnitRow.id.in_({row.unit_id for row in rows.values()})).execution_options(**fresh))}
    counts: Counter[Any] = Counter()
    entries = []
    changes: dict[int, list[summary.Change]] = defaultdict(list)  # by directive
    outcomes: list[tuple[Pending, ObligationRow, SubmissionRow] | TrienkhaiError] = []
    for item in pending:
        row = rows.get(item.report.obligation.id)
        if row is None:  # an amendment of the plan removed it after the checks
            outcomes.append(NotFound(f"{item.report.unit_code} không còn nội dung “{item.report.obligation.key}” "
                                     f"theo văn bản {item.report.directive.number}; không ghi nhận gì."))
            continue
        directive = session.get_one(DirectiveRow, item.report.directive.id)
        before = row.data  # claim_submission replaces it
        try:
            change, entry, submission = actions.claim_submission(
                session, directive, row, units[row.unit_id], item.report.unit_code, item.report.clean,
                now=item.now, actor=item.actor)
        except (ConflictError, InputError) as exc:
            outcomes.append(exc)
            continue
        counts.update(change)
        entries.append(entry)
        changes[directive.id].append((row, before))
        outcomes.append((item, row, submission))
    summary.apply(session, counts)
    append_audit(session, *entries)  # flushes: the submissions have their ids
    recorded = [outcome for outcome in outcomes if not isinstance(outcome, TrienkhaiError)]
    handed = {row.id: HandedIn(row, submission.id, _keep_document(session, item.report.document, submission,
                                                                   files_dir))
              for item, row, submission in recorded}
    for directive_id, changed in changes.items():
        summary.refresh_figures(session, session.get_one(DirectiveRow, directive_id), *changed)
    session.flush()
    return [outcome if isinstance(outcome, TrienkhaiError) else handed[outcome[1].id] for outcome in outcomes]


def _keep_document(session: Session, checked: CheckedDocument | None, submission: SubmissionRow,
                   files_dir: Path) -> SubmissionDocumentRow | None:
    if checked is None:
        return None
    store_document(files_dir, checked)
    kept = SubmissionDocumentRow(submission_id=submission.id, number=checked.number, signed_on=checked.signed_on,
                                 signer=checked.signer, file_name=checked.file_name, media_type=checked.media_type,
                                 size=checked.size, sha256=checked.sha256)
    session.add(kept)
    return kept


def hand_in(session: Session, obligation: ObligationRow, *, data: dict[str, Any], document: DocumentIn | None,
            now: datetime, actor: str, files_dir: Path) -> HandedIn:
    """Record a report with its document in the caller's transaction; every check runs before anything is written
    (fields, period, quota, then the document), so a refusal leaves the database as it was."""
    directive = session.get(DirectiveRow, obligation.directive_id)
    unit = session.get(UnitRow, obligation.unit_id)
    assert directive is not None and unit is not None
    report = check_report(directive, unit, obligation, data=data, document=document, now=now)
    return record_report(session, report, now=now, actor=actor, files_dir=files_dir)


def latest_documents(session: Session, obligation_ids: list[int]) -> dict[int, SubmissionDocumentRow]:
    """The document of each obligation's latest submission that carried one."""
    if not obligation_ids:
        return {}
    rows = session.execute(
        select(SubmissionRow.obligation_id, SubmissionDocumentRow)
        .join(SubmissionDocumentRow, SubmissionDocumentRow.submission_id == SubmissionRow.id)
        .where(SubmissionRow.obligation_id.in_(obligation_ids)).order_by(SubmissionRow.id)
    ).all()
    return {oid: doc for oid, doc in rows}
