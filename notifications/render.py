"""The one place templates are loaded and rendered: files under notifications/templates, or a province's overrides."""

from __future__ import annotations

import os
import traceback
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateError as JinjaTemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
    select_autoescape,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from errors import InputError, Problem
from formats import number
from notifications.context import as_mapping
from notifications.forms import about
from schedules.render import format_day, format_day_long, format_instant
from settings import get_settings

__all__ = [
    "Message",
    "TemplateError",
    "available_templates",
    "format_due",
    "render_message",
    "render_template",
]

PACKAGE_FOLDER = Path(__file__).parent / "templates"
# A message is three files sharing one name: <name>.subject.txt, <name>.txt, <name>.html.
SUBJECT_SUFFIX = ".subject.txt"
TEXT_SUFFIX = ".txt"
HTML_SUFFIX = ".html"
_TEMPLATE_SUFFIXES = (".txt", ".html")


@dataclass(frozen=True)
class Message:
    """A rendered notification: one-line subject, plain text body and HTML body."""

    subject: str
    text: str
    html: str


class TemplateError(InputError):
    """A template cannot be rendered: unknown name, a missing value, bad syntax or a forbidden access."""


def format_due(due: date | datetime) -> str:
    """A deadline as people read it: an instant with hour and weekday, a day as “ngày 30/6/2017”."""
    if isinstance(due, datetime):
        return format_instant(due)
    return f"ngày {format_day(due)}"


def _configure(env: Environment) -> Environment:
    env.filters.update(
        ngay_dai=format_day_long,
        gio_ngay=format_instant,
        ngay=format_day,
        so=number,
        han=format_due,
        ve=about,
    )
    return env


def _options() -> dict[str, Any]:
    return {
        "undefined": StrictUndefined,
        "autoescape": select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        # Text templates are laid out for reading; these keep block tags from leaving blank lines behind.
        "trim_blocks": True,
        "lstrip_blocks": True,
    }


@lru_cache(maxsize=1)
def _package_environment() -> Environment:
    return _configure(Environment(loader=PackageLoader("notifications", "templates"), **_options()))


@lru_cache(maxsize=8)
def _override_environment(folder: Path) -> Environment:
    # Province templates are written by office staff, not reviewed code: they run sandboxed and may not
    # change the lists they are given; a file missing from the province folder falls back to the packaged one.
    loader = ChoiceLoader([FileSystemLoader(folder), PackageLoader("notifications", "templates")])
    return _configure(ImmutableSandboxedEnvironment(loader=loader, **_options()))


def _override_folder(override_dir: Path | None) -> Path | None:
    folder = override_dir if override_dir is not None else get_settings().home / "templates"
    return folder.resolve() if folder.is_dir() else None


def _environment(override_dir: Path | None) -> Environment:
    folder = _override_folder(override_dir)
    return _override_environment(folder) if folder is not None else _package_environment()


def available_templates(override_dir: Path | None = None) -> list[str]:
    """Names of the messages that can be rendered: packaged ones plus any the province folder adds."""
    names = set(_packaged_names())
    folder = _override_folder(override_dir)
    if folder is not None:
        names.update(f.removesuffix(SUBJECT_SUFFIX) for f in os.listdir(folder)
                     if f.endswith(SUBJECT_SUFFIX) and not f.startswith("."))
    return sorted(names)


@lru_cache(maxsize=1)
def _packaged_names() -> tuple[str, ...]:
    # The packaged folder does not change while the program runs; a dispatcher renders thousands of messages.
    return tuple(p.name.removesuffix(SUBJECT_SUFFIX) for p in PACKAGE_FOLDER.glob(f"*{SUBJECT_SUFFIX}"))


def _template_line(exc: BaseException) -> tuple[str | None, int | None]:
    # Jinja rewrites tracebacks so that template frames carry the template file and line.
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(_TEMPLATE_SUFFIXES):
            return Path(frame.filename).name, frame.lineno
    return None, None


def _problem(exc: JinjaTemplateError, filename: str) -> Problem:
    if isinstance(exc, TemplateSyntaxError):
        where = Path(exc.filename).name if exc.filename else filename
        return Problem(f"mẫu viết sai cú pháp Jinja: {exc.message}; hãy sửa dòng này", where, exc.lineno)
    source, line = _template_line(exc)
    if isinstance(exc, SecurityError):
        text = (
            f"mẫu truy cập thuộc tính không được phép ({exc}); "
            "mẫu của tỉnh chỉ được dùng các biến và bộ lọc được cung cấp"
        )
    elif isinstance(exc, UndefinedError):
        text = f"thiếu giá trị khi điền mẫu ({exc.message}); hãy truyền giá trị này hoặc bỏ nó khỏi mẫu"
    elif isinstance(exc, TemplateNotFound):
        text = f"không tìm thấy tệp mẫu “{exc.name}”"
    else:
        text = f"không điền được mẫu: {exc}"
    return Problem(text, source or filename, line)


def render_template(filename: str, context: Mapping[str, Any] | Any, *, override_dir: Path | None = None) -> str:
    """Render one template file (e.g. “nhac_han.txt”) to NFC text; any template failure becomes a TemplateError."""
    env = _environment(override_dir)
    try:
        rendered = env.get_template(filename).render(as_mapping(context))
    except JinjaTemplateError as exc:
        raise TemplateError([_problem(exc, filename)]) from exc
    return unicodedata.normalize("NFC", rendered)


def render_message(
    template: str, context: Mapping[str, Any] | Any, *, override_dir: Path | None = None
) -> Message:
    """Render a message's subject, text and HTML; the subject is one line and is also given to the bodies."""
    names = available_templates(override_dir)
    if template not in names:
        raise TemplateError(
            [Problem(f"không có mẫu thông báo “{template}”; các mẫu hiện có: {', '.join(names)}", field="template")]
        )
    values = dict(as_mapping(context))
    subject = " ".join(render_template(template + SUBJECT_SUFFIX, values, override_dir=override_dir).split())
    values.setdefault("subject", subject)
    text = render_template(template + TEXT_SUFFIX, values, override_dir=override_dir)
    text = "\n".join(line.rstrip() for line in text.strip("\n").splitlines()) + "\n"
    html = render_template(template + HTML_SUFFIX, values, override_dir=override_dir)
    return Message(subject=subject, text=text, html=html)
