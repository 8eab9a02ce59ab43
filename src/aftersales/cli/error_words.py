"""The line a command writes for a refusal of the library: its words in the operator's locale.

Why: the CLI printed ``str(error)`` — the message for developers, in English — for every refusal a
command met: a ``PermissionDenied`` of ``report engineers --as dealer:ID`` read "dealer_staff:cli-d1 may
not staff_kpi_report" to an operator who asked for ``--locale zh_Hans`` (session 29). Each command's
refusal now goes through :func:`~aftersales.i18n.render_error` in the locale the command writes in, as
``budget``'s did; the message stays in ``str(error)`` for the logs.
"""

from __future__ import annotations

from aftersales.cli.terminal_text import printable
from aftersales.errors import AftersalesError

__all__ = ["error_line"]


def error_line(command: str, error: AftersalesError, locale: str) -> str:
    """``aftersales <command>: error: <the error in words>`` in ``locale``, with control characters
    shown as escapes (the line goes to a terminal)."""
    from aftersales.i18n.errors import render_error
    from aftersales.reports.labels import report_labels

    words = report_labels(locale).text("cli.error", command=command, message=render_error(error, locale))
    return printable(words)
