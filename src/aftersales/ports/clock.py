"""The ``Clock`` port: where "now" comes from.

The domain never reads the clock; the service layer asks a ``Clock`` so tests can pin time.
Adapters: ``aftersales.adapters.clock`` (``SystemClock``, ``ManualClock``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

__all__ = ["Clock"]


@runtime_checkable
class Clock(Protocol):
    """A source of the current instant."""

    def now(self) -> datetime:
        """The current instant, always timezone-aware."""
        ...
