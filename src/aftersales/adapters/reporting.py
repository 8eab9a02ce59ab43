"""How a host reaches the reporting queries of the store it opened with ``open_storage(url)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aftersales.adapters.reporting_memory import ScanningReportingQueries
from aftersales.adapters.sqlite import SqliteStore
from aftersales.ports.reporting import ReportingQueries

__all__ = ["reporting_for"]


def reporting_for(store: Callable[[], Any]) -> ReportingQueries:
    """The :class:`ReportingQueries` of ``store``: SQL aggregates on SQLite, a ticket scan otherwise.

    A store object may offer its own with a ``reporting()`` method (a host adapter, PostgreSQL later).
    """
    own = getattr(store, "reporting", None)
    if callable(own):
        found: ReportingQueries = own()
        return found
    if isinstance(store, SqliteStore):
        from aftersales.adapters.reporting_sqlite import SqliteReportingQueries

        return SqliteReportingQueries(store)
    return ScanningReportingQueries(store)
