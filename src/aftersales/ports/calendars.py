"""Working calendars by name: the entry-point group ``aftersales.calendars``.

The service layer never imports an adapter, so a desk asks for its calendar by name
(``"china_mainland"`` is ours: the CN office day with the State Council holidays and make-up
working days); a host registers its own the same way::

    [project.entry-points."aftersales.calendars"]
    shenzhen_factory = "myhost.calendars:factory_calendar"   # () -> BusinessCalendar
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib.metadata import entry_points
from typing import cast

from aftersales.domain.calendar import BusinessCalendar
from aftersales.errors import AftersalesError, ConfigurationError

__all__ = ["CALENDAR_GROUP", "open_calendar"]

CALENDAR_GROUP = "aftersales.calendars"


@cache
def open_calendar(name: str) -> BusinessCalendar:
    """The calendar registered as ``name`` (built once per process; calendars are immutable)."""
    found = [ep for ep in entry_points(group=CALENDAR_GROUP) if ep.name == name]
    if not found:
        known = ", ".join(sorted({ep.name for ep in entry_points(group=CALENDAR_GROUP)})) or "none installed"
        raise ConfigurationError(f"no calendar named {name!r} (known: {known})", key="calendar")
    try:
        factory = cast(Callable[[], BusinessCalendar], found[0].load())
        calendar = factory()
    except AftersalesError:
        raise  # the factory's own typed error (holiday data it refuses, say) says it best
    except Exception as exc:  # a host's plugin that does not import or build: a configuration error
        raise ConfigurationError(
            f"calendar {name!r} could not be built: {type(exc).__name__}: {exc}", key="calendar"
        ) from exc
    if not isinstance(calendar, BusinessCalendar):
        raise ConfigurationError(f"calendar {name!r} did not build a BusinessCalendar", key="calendar")
    return calendar
