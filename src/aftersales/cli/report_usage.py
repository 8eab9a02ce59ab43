"""The ``report`` command's own usage refusals, in the words of its ``--locale``.

Why: a bad date, ``--out`` naming a folder, a wrong ``--as`` … were written in English whatever the
operator asked for, while the library's refusals of the same command were already in ``--locale``
(cli/error_words). Each refusal is a catalog entry ``cli.report.usage.<key>``; option names, codes and
the values the operator typed stay as typed.
"""

from __future__ import annotations

from aftersales.cli.terminal_text import printable

__all__ = ["usage_line"]


def usage_line(command: str, locale: str, key: str, **values: str) -> str:
    """``<command>: error: <the refusal>`` in ``locale``, control characters shown as escapes."""
    from aftersales.reports.labels import report_labels

    words = report_labels(locale)
    message = words.text(f"cli.report.usage.{key}", **values)
    return printable(words.text("cli.error", command=command, message=message))
