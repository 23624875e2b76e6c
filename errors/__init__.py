"""The project's error tree; every message is meant for office staff (Vietnamese).

TrienkhaiError
 ├── ConfigError          settings or environment are wrong
 ├── InputError           a file or argument a person typed is wrong (carries every Problem)
 │    ├── HierarchyError  a hierarchy file or change breaks the hierarchy's rules
 │    ├── DeadlineError   a deadline expression cannot be read
 │    └── PlanError       a plan file is invalid
 ├── NotFound             a unit, directive or obligation does not exist
 ├── ConflictError        the request contradicts the recorded state (e.g. a changed plan)
 ├── StorageError         the database cannot be reached, is not migrated, or holds what this version cannot read
 └── Forbidden            the account may not see or do this (outside its subtree, or beyond its role)

`OUTCOMES` (at the end) gives each class its CLI exit code and its HTTP status, in one table, so that the
command and the web app cannot drift apart; a class defined elsewhere (a channel's error, a refused link) takes
the row of its nearest base here. Each class has its own exit code, so a script can tell the kinds apart; 2 is
left to the command line's own usage errors (an unknown option or command, a missing argument), as for every
click/Typer program, and 130 to an interrupted command.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

__all__ = [
    "ConfigError",
    "OUTCOMES",
    "ConflictError",
    "DeadlineError",
    "Forbidden",
    "HierarchyError",
    "InputError",
    "NotFound",
    "PlanError",
    "Problem",
    "StorageError",
    "TrienkhaiError",
]


class TrienkhaiError(Exception):
    """Base of every error the project raises on purpose; the message is shown to the user as is."""

    # Set from OUTCOMES below: the CLI exits with `exit_code`, the web app answers with `http_status`.
    exit_code: ClassVar[int]
    http_status: ClassVar[int]


class ConfigError(TrienkhaiError):
    """Settings or the environment are wrong; the person running the service must fix them."""


@dataclass(frozen=True)
class Problem:
    """One mistake in an input: where it is (file, line, field) and what is wrong."""

    message: str
    source: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.source,
                f"dòng {self.line}" if self.line is not None else None,
                f"trường “{self.field}”" if self.field else None,
            )
            if part
        )
        return f"{where}: {self.message}" if where else self.message


class InputError(TrienkhaiError):
    """Bad input; carries every problem found so that all can be fixed in one pass."""

    def __init__(self, problems: list[Problem] | str, *, title: str | None = None) -> None:
        self.problems = [Problem(problems)] if isinstance(problems, str) else list(problems)
        self.title = title
        super().__init__(self.render())

    def render(self) -> str:
        """One problem reads as one line; several are listed under a title with their count."""
        if len(self.problems) == 1 and self.title is None:
            return str(self.problems[0])
        lines = [f"{self.title or 'Dữ liệu không hợp lệ'} ({len(self.problems)} lỗi):"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class HierarchyError(InputError):
    """A hierarchy file or change breaks the hierarchy's rules."""


class DeadlineError(InputError):
    """A deadline expression cannot be read."""


class PlanError(InputError):
    """A plan file is invalid."""


class NotFound(TrienkhaiError):
    """A unit, directive, obligation or account does not exist."""


class ConflictError(TrienkhaiError):
    """The request contradicts the recorded state (a changed plan, a finished obligation, a locked account)."""


class StorageError(TrienkhaiError):
    """The database cannot be reached, is not migrated, or holds what this version cannot read."""


class Forbidden(TrienkhaiError):
    """The account may not see or do this: outside its subtree, or beyond its role."""


# class: (CLI exit code, HTTP status). Input 422, missing 404, state 409, permission 403; the service's own
# trouble (settings, database) is 5xx, since the person asking cannot fix it.
OUTCOMES: dict[type[TrienkhaiError], tuple[int, int]] = {
    TrienkhaiError: (1, 500),
    ConfigError: (3, 500),
    NotFound: (4, 404),
    ConflictError: (5, 409),
    StorageError: (6, 503),
    InputError: (7, 422),
    HierarchyError: (8, 422),
    DeadlineError: (9, 422),
    PlanError: (10, 422),
    Forbidden: (11, 403),
}
for _class, (_exit_code, _http_status) in OUTCOMES.items():
    _class.exit_code, _class.http_status = _exit_code, _http_status
