"""The help screens in Vietnamese: the words Typer itself puts around our help texts (panel titles, the usage line,
the --help option, defaults, required marks).

Typer names these words as module constants of `typer.rich_utils` (read each time a screen is drawn) and, in its
copy of click, as the default prefix of the usage line and the text of the help option; they are set here once,
when the command line is built, for every command and group of `trienkhai`.
"""

from __future__ import annotations

from typing import Any

import typer.rich_utils as rich_utils
from typer._click import core, formatting

USAGE = "Cách dùng: "
HELP_OPTION = "Hiện hướng dẫn này rồi thoát."
WORDS = {
    "ARGUMENTS_PANEL_TITLE": "Đối số",
    "OPTIONS_PANEL_TITLE": "Tùy chọn",
    "COMMANDS_PANEL_TITLE": "Lệnh",
    "ERRORS_PANEL_TITLE": "Lỗi",
    "DEFAULT_STRING": "[mặc định: {}]",
    "ENVVAR_STRING": "[biến môi trường: {}]",
    "REQUIRED_LONG_STRING": "[bắt buộc]",
    "DEPRECATED_STRING": "(không còn dùng) ",
    "ABORTED_TEXT": "Đã dừng.",
    "RICH_HELP": "Xem hướng dẫn: [blue]{command_path} {help_option}[/]",
}


def use_vietnamese() -> None:
    """Put the Vietnamese words in place of Typer's own on every help screen (idempotent)."""
    for name, text in WORDS.items():
        setattr(rich_utils, name, text)
    highlighter = type(rich_utils.highlighter)
    highlighter.highlights = [h.replace("Usage: ", USAGE) for h in highlighter.highlights]  # the usage line's colour
    if getattr(formatting.HelpFormatter.write_usage, "vietnamese", False):
        return
    write_usage = formatting.HelpFormatter.write_usage
    get_help_option = core.Command.get_help_option

    def vietnamese_usage(self: formatting.HelpFormatter, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, USAGE if prefix is None else prefix)

    def vietnamese_help_option(self: core.Command, ctx: Any) -> Any:
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = HELP_OPTION
        return option

    vietnamese_usage.vietnamese = True  # type: ignore[attr-defined]
    formatting.HelpFormatter.write_usage = vietnamese_usage  # type: ignore[method-assign]
    core.Command.get_help_option = vietnamese_help_option  # type: ignore[method-assign]
