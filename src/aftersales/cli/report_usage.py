"""The ``report`` command's own usage refusals, in the words of its ``--locale``.

Why: a bad date, ``--out`` naming a folder, a wrong ``--as`` … were written in English whatever the
operator asked for, while the library's refusals of the same command were already in ``--locale``
(cli/error_words). Each refusal is a catalog entry ``cli.report.usage.<key>``; option names, codes and
the values the operator typed stay as typed.
"""

from __future__ import annotations

from aftersales.cli.terminal_text import printable

__all__ = ["USAGE_KEYS", "usage_line"]

USAGE_KEYS = (
    "db_scheme",
    "db_query",
    "no_db",
    "db_unreadable",
    "not_desk",
    "schema",
    "feedback_period",
    "feedback_month",
    "needs_period",
    "bad_date",
    "to_before_from",
    "to_max",
    "out_folder",
    "out_no_folder",
    "out_is_db",
    "out_unwritable",
    "xlsx_out",
    "ledger_formats",
    "jsonl_ledger",
    "jsonl_locale",
    "bom",
    "only_for",
    "only_for_two",
    "open_out",
    "top",
    "trend_months",
    "trend_last",
    "first_last",
    "trend_reach",
    "as_roles",
    "as_roles_two",
    "as_id",
    "as_scope",
    "write",
)
"""Every ``cli.report.usage.<key>`` the command writes (the catalogs have words for each)."""


def usage_line(command: str, locale: str, key: str, prefix: str = "cli.report.usage.", **values: str) -> str:
    """``<command>: error: <the refusal>`` in ``locale``, control characters shown as escapes; the
    refusal is the catalog's ``<prefix><key>`` (another command's refusals have their own prefix)."""
    from aftersales.reports.labels import report_labels

    words = report_labels(locale)
    message = words.text(f"{prefix}{key}", **values)
    return printable(words.text("cli.error", command=command, message=message))
