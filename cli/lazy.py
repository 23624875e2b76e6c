"""A command group that imports a command's module only when that command runs, so that `trienkhai --help`
and a command that needs little do not pay for Prefect, SQLAlchemy, matplotlib or the document writers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from importlib import import_module
from typing import Any, Literal

import typer
from typer import _click
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class Entry:
    """Where a command lives (`module:attribute`), whether it is one command or a group of them, and the first
    paragraph of its help as the listing shows it (tests/cli/test_startup.py keeps it equal to the real one)."""

    target: str
    kind: Literal["command", "group"]
    summary: str


def load(name: str, entry: Entry) -> _click.Command:
    """The real click command of `entry`, built by Typer as if it had been registered on the application."""
    module, attribute = entry.target.split(":")
    obj = getattr(import_module(module), attribute)
    holder = typer.Typer()
    if entry.kind == "group":
        holder.add_typer(obj, name=name)
    else:
        holder.command(name)(obj)
    return typer.main.get_group(holder).commands[name]


class _Commands(MutableMapping[str, _click.Command]):
    # The group's `commands`: names are known up front, each command is built the first time it is looked up.
    def __init__(self, table: Mapping[str, Entry], loaded: MutableMapping[str, _click.Command]) -> None:
        self.table = table
        self.loaded = loaded

    def __getitem__(self, name: str) -> _click.Command:
        if name not in self.loaded:
            self.loaded[name] = load(name, self.table[name])
        return self.loaded[name]

    def __setitem__(self, name: str, command: _click.Command) -> None:
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self.loaded[name]

    def __iter__(self) -> Iterator[str]:
        yield from self.table
        yield from (name for name in self.loaded if name not in self.table)

    def __len__(self) -> int:
        return len(set(self.table) | set(self.loaded))


class LazyGroup(TyperGroup):
    """The root group of `trienkhai`: its commands come from `TABLE` (set by cli.main) and are imported on use;
    the help listing shows their summaries without importing them."""

    TABLE: Mapping[str, Entry] = {}

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands(self.TABLE, dict(self.commands))
        self._listing = False

    def list_commands(self, ctx: _click.Context) -> list[str]:
        """The names of the commands, in the order the help lists them, without importing any."""
        return list(self.commands)

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        """The command named `cmd_name`, imported now; while the help is drawn, only its name and summary."""
        entry = self.TABLE.get(cmd_name)
        if self._listing and entry is not None:
            return TyperCommand(name=cmd_name, help=entry.summary)
        return self.commands.get(cmd_name)

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        """The help of `trienkhai` itself, listing the commands by their summaries."""
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False
