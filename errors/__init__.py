"""The project's error tree; every message is meant for office staff (Vietnamese).

                                                                                          exit code
TrienkhaiError                                                                                    1
 ├── ConfigError          settings or environment are wrong                                       3
 ├── InputError           a file or argument a person typed is wrong (carries every Problem)      7
 │    ├── HierarchyError  a hierarchy file or change breaks the hierarchy's rules                 8
 │    ├── DeadlineError   a deadline expression cannot be read                                    9
 │    └── PlanError       a plan file is invalid                                                 10
 ├── NotFound             a unit, directive or obligation does not exist                          4
 ├── ConflictError        the request contradicts the recorded state (e.g. a changed plan)        5
 └── StorageError         the database cannot be reached or is not migrated                       6

Each class has its own exit code, so a script can tell the kinds apart; 2 is left to the command line's own
usage errors (an unknown option or command, a missing argument), as for every click/Typer program, and 130
to an interrupted command.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ConfigError",
    "ConflictError",
    "DeadlineError",
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

    exit_code = 1


class ConfigError(TrienkhaiError):
    exit_code = 3


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

    exit_code = 7

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
    exit_code = 8


class DeadlineError(InputError):
    exit_code = 9


class PlanError(InputError):
    exit_code = 10


class NotFound(TrienkhaiError):
    exit_code = 4


class ConflictError(TrienkhaiError):
    exit_code = 5


class StorageError(TrienkhaiError):
    exit_code = 6
