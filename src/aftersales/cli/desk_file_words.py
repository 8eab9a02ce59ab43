"""Why a ``--db`` file is not a desk's database, in the words of the command's locale.

Why: ``report`` and ``budget`` refuse a file that is not a desk's SQLite file (a text file, an empty
file, another application's SQLite database, an older schema) before opening it, with the reason the
SQLite adapter gives (:func:`~aftersales.adapters.sqlite_schema.not_a_desk_file`,
:func:`~aftersales.adapters.sqlite_schema.not_current_schema`). That reason is the developers' English,
and it was printed inside a Chinese sentence ("不是售后服务数据库：not a SQLite database"). Each reason's
shape has a catalog entry ``cli.db.<shape>``; a reason of a shape not listed here is kept as written.
"""

from __future__ import annotations

import re

__all__ = ["REASONS", "desk_file_reason"]

_VERSION = r"its schema is version (?P<found>-?[0-9]+), "
REASONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("no_file", re.compile(r"no such file")),
    ("folder", re.compile(r"a folder, not a file")),
    ("unreadable", re.compile(r"cannot read it \((?P<why>.*)\)", re.S)),
    ("empty", re.compile(r"the file is empty")),
    ("not_sqlite", re.compile(r"not a SQLite database")),
    ("other_app", re.compile(r"a SQLite database without the aftersales schema")),
    ("version_unreadable", re.compile(r"cannot read its schema version \((?P<why>.*)\)", re.S)),
    ("older", re.compile(_VERSION + r"older than this aftersales's \((?P<ours>[0-9]+)\).*", re.S)),
    ("newer", re.compile(_VERSION + r"newer than this aftersales knows \((?P<ours>[0-9]+)\).*", re.S)),
)
"""The adapter's reasons by shape (the first that matches wins)."""

_SLOT = re.compile(r"\{(\w+)\}")


def _filled(text: str, values: dict[str, str]) -> str:
    # one pass: a value holding "{ours}" stays as it is
    return _SLOT.sub(lambda slot: values.get(slot[1], slot[0]), text)


def desk_file_reason(why: str, locale: str) -> str:
    """``why`` (a reason of the SQLite adapter) in ``locale``'s words; as written when of no known shape."""
    from aftersales.reports.labels import report_labels

    for shape, pattern in REASONS:
        found = pattern.fullmatch(why)
        if found is not None:
            return _filled(report_labels(locale).catalog.text(f"cli.db.{shape}"), found.groupdict())
    return why
