"""Mistakes in the command line itself, told in Vietnamese: one line saying what is wrong, then the usage.

Typer ships its own copy of click (`typer._click`) and raises that copy's exceptions, not click's: these are
the classes the parser really raises for an unknown option or command, a missing argument or a bad value.
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.markup import escape
from typer._click.exceptions import (
    BadOptionUsage,
    BadParameter,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)

__all__ = ["USAGE_EXIT_CODE", "NoArgsIsHelpError", "UsageError", "describe", "show_usage_error"]

# As for every click/Typer program: the command line could not be understood.
USAGE_EXIT_CODE = 2

# What the value converters say (in English) → what a clerk should type.
_VALUE_HINTS = (
    ("valid integer", "phải là một số nguyên, ví dụ 50"),
    ("valid number", "phải là một số, ví dụ 2,5 viết là 2.5"),
    ("valid datetime", "phải là ngày giờ dạng YYYY-MM-DDTHH:MM, ví dụ 2017-04-03T09:00"),
    ("valid date", "phải là ngày dạng YYYY-MM-DD, ví dụ 2017-04-03"),
    ("valid boolean", "phải là có/không: true hoặc false"),
)


def _quoted(text: str) -> str:
    return f"“{text.strip(chr(39)).strip(chr(34))}”"


def _param_name(exc: BadParameter) -> str:
    if exc.param_hint is not None:
        hint = exc.param_hint if isinstance(exc.param_hint, str) else " / ".join(exc.param_hint)
        return _quoted(hint)
    if exc.param is not None:
        return _quoted(exc.param.get_error_hint())
    return ""


def _value_reason(message: str) -> str:
    missing = re.match(r"(File|Directory|Path|file|directory|path) '(.+)' does not exist", message)
    if missing:
        what = {"file": "tệp", "directory": "thư mục"}.get(missing.group(1).lower(), "đường dẫn")
        return f"không có {what} “{missing.group(2)}”"
    for english, vietnamese in _VALUE_HINTS:
        if english in message:
            return vietnamese
    return message.rstrip(".")


def describe(exc: UsageError) -> str:
    """What is wrong with the command line, as one Vietnamese sentence."""
    if isinstance(exc, NoSuchOption):
        line = f"không có tùy chọn “{exc.option_name}”"
        if exc.possibilities:
            line += "; có phải ý bạn là " + ", ".join(f"“{p}”" for p in sorted(exc.possibilities)) + "?"
        return line
    if isinstance(exc, MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "parameter")
        what = {"argument": "đối số", "option": "tùy chọn"}.get(kind, "tham số")
        return f"thiếu {what} {_param_name(exc)}".rstrip()
    if isinstance(exc, BadParameter):
        name = _param_name(exc)
        if not name:  # raised by a command with its own (Vietnamese) message
            return exc.message.rstrip(".")
        return f"giá trị của {name} không hợp lệ: {_value_reason(exc.message)}"
    if isinstance(exc, BadOptionUsage):
        if "requires an argument" in exc.message:
            return f"tùy chọn “{exc.option_name}” cần một giá trị đi kèm"
        return f"dùng tùy chọn “{exc.option_name}” chưa đúng: {exc.message.rstrip('.')}"
    unknown = re.fullmatch(r"No such command '(.+?)'\.(?: Did you mean '(.+)'\?)?", exc.message)
    if unknown:
        line = f"không có lệnh “{unknown.group(1)}”"
        if unknown.group(2):
            # Several close names come back as "check', 'schema": each is named on its own.
            close = unknown.group(2).split("', '")
            line += "; có phải ý bạn là " + " hoặc ".join(f"“{name}”" for name in close) + "?"
        elif exc.ctx is not None and hasattr(exc.ctx.command, "list_commands"):
            names = exc.ctx.command.list_commands(exc.ctx)
            if names:
                line += "; các lệnh có: " + ", ".join(names)
        return line
    extra = re.fullmatch(r"Got unexpected extra arguments?(?:\(s\))? \((.+)\)\.?", exc.message)
    if extra:
        return f"thừa đối số: {extra.group(1)}"
    return f"câu lệnh chưa đúng: {exc.message.rstrip('.')}"


def show_usage_error(exc: UsageError, console: Console) -> None:
    """The Vietnamese line, the usage of the command that was typed, and where to read more."""
    line = describe(exc)
    end = "" if line.endswith("?") else "."
    console.print(f"[bold red]Lỗi:[/] {escape(line)}{end}", highlight=False, soft_wrap=True)
    if exc.ctx is not None:
        usage = exc.ctx.get_usage().replace("Usage:", "Cách dùng:", 1)
        console.print(usage, highlight=False, markup=False, soft_wrap=True)
        console.print(f"Xem hướng dẫn: {exc.ctx.command_path} --help", highlight=False, markup=False, soft_wrap=True)
