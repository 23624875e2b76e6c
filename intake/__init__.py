"""Intake: read a directive as it arrives (.txt, .docx, .pdf with text) into a draft plan a clerk reviews.

Pure: no database, no Prefect. Deadlines are read with the plan language's own grammar (schedules).
"""

from intake.draft import draft_from_text, draft_plan, render_draft
from intake.model import GAP, Draft
from intake.text import MAX_DOCUMENT_BYTES, IntakeError, read_document, read_upload

__all__ = ["GAP", "MAX_DOCUMENT_BYTES", "Draft", "IntakeError", "draft_from_text", "draft_plan", "read_document",
           "read_upload", "render_draft"]
