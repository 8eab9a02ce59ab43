"""The record of where a daily job got to: the last local day it ran for (kept as a document).

Defined beside the ports so that the reads which depend on a job's marks (the scheduled visits by
due day, :mod:`aftersales.ports.maintenance_due`) serve the service and the reports alike; the jobs'
use of it is :mod:`aftersales.service.daily_cursor`.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

import attrs

__all__ = ["DailyCursor"]


@attrs.define
class DailyCursor:
    """The last local day a daily job ran for."""

    DOCUMENT_KIND: ClassVar[str] = "daily_cursor"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()

    id: str
    last_day: date
    version: int = 0
