"""A unit hands in a report itself (link page, API): the plan's fields, checked like any submission, and its
document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from errors import InputError
from rollout import actions
from schedules.render import local_date
from storage.documents import CheckedDocument, DocumentIn, check_document, store_document
from storage.models import DirectiveRow, ObligationRow, SubmissionDocumentRow, SubmissionRow, UnitRow

__all__ = ["CheckedReport", "HandedIn", "check_report", "hand_in", "latest_documents", "record_report"]


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


def record_report(session: Session, report: CheckedReport, *, now: datetime, actor: str,
                  files_dir: Path) -> HandedIn:
    """Write a checked report in the caller's transaction (which holds the write lock): the submission with its
    quotas checked, then the document's file and row."""
    submission = actions.record_submission(session, report.directive, report.obligation, report.unit_code,
                                           report.clean, now=now, actor=actor)
    kept = None
    checked = report.document
    if checked is not None:
        store_document(files_dir, checked)
        kept = SubmissionDocumentRow(submission_id=submission.id, number=checked.number, signed_on=checked.signed_on,
                                     signer=checked.signer, file_name=checked.file_name, media_type=checked.media_type,
                                     size=checked.size, sha256=checked.sha256)
        session.add(kept)
        session.flush()
    return HandedIn(report.obligation, submission.id, kept)


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
