"""Reading a holiday file (TOML or .ics) safely: a bounded size, and typed errors naming the file.

Why a bound: a holiday list is small (the State Council's arrangement for twenty years is a few dozen
kilobytes), and the file is read whole into memory at start-up. A file far larger than any list is a
mistake (a wrong path, a dump of another calendar) or hostile, and is refused before it is read.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

from aftersales.errors import ConfigurationError

__all__ = ["MAX_HOLIDAY_FILE_BYTES", "optional_date", "read_holiday_file"]

MAX_HOLIDAY_FILE_BYTES = 4 * 1024 * 1024
"""The largest holiday file read (4 MiB: some hundred times a real list)."""


def read_holiday_file(path: str | Path, what: str) -> tuple[bytes, str]:
    """The bytes of the file at ``path`` and its name for errors; ``what`` names it in the message."""
    if not isinstance(path, str | os.PathLike):
        raise ConfigurationError(f"the {what} path must be a str or a Path, got {path!r}", key="path")
    file = os.fspath(path)
    try:
        with open(file, "rb") as handle:
            data = handle.read(MAX_HOLIDAY_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigurationError(f"cannot read the {what}: {exc.strerror}", file=str(file)) from exc
    if len(data) > MAX_HOLIDAY_FILE_BYTES:
        raise ConfigurationError(
            f"the {what} is larger than {MAX_HOLIDAY_FILE_BYTES:,} bytes: not a holiday list", file=str(file)
        )
    return data, str(file)


def optional_date(value: object, file: str, key: str) -> date | None:
    """``value`` if it is ``None`` or a date (not a date-time); else a ``ConfigurationError`` on ``key``."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    raise ConfigurationError(f"expected a datetime.date, got {value!r}", file=file, key=key)
