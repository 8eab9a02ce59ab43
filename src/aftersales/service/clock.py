"""The desk's time zone and its default clock.

A desk speaks in one local zone: its calendar's (``Asia/Shanghai`` for the China packs) unless its
settings name another (``settings={"timezone": ...}``). The
instants it stamps on tickets are in that zone (one ticket's JSON never mixes ``+00:00`` and
``+08:00``), and numbers, months and reports use local dates: a ticket received at 00:30 on
1 January Beijing time is numbered in the new year.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from aftersales.domain.call_shape import host_factories

__all__ = ["ZoneClock"]


@host_factories
class ZoneClock:
    """The system's time, in ``zone`` (the default clock of a desk)."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone

    def now(self) -> datetime:
        """The current instant, in the desk's zone."""
        return datetime.now(self.zone)
