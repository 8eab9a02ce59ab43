"""aftersales.adapters: the implementations of the ports that ship with the library.

Storage (``memory``, ``sqlite``, ``postgres`` — usually reached through ``ServiceDesk.open(url)``),
holiday sources (China mainland from the ``holidays`` package, TOML lists, iCalendar files), clocks
and notifiers. The PostgreSQL adapter is not imported here: it needs the ``postgres`` extra.
"""

from aftersales.adapters.clock import FixedClock, ManualClock, SystemClock
from aftersales.adapters.holidays_cn import ChinaHolidays, china_mainland_calendar
from aftersales.adapters.holidays_ics import IcsHolidays
from aftersales.adapters.holidays_toml import TomlHolidays
from aftersales.adapters.ids import SequentialIds, UuidIds
from aftersales.adapters.memory import open_memory
from aftersales.adapters.notifiers import LoggingNotifier, MemoryNotifier
from aftersales.adapters.sqlite import open_sqlite

__all__ = [
    "ChinaHolidays",
    "FixedClock",
    "IcsHolidays",
    "LoggingNotifier",
    "ManualClock",
    "MemoryNotifier",
    "SequentialIds",
    "SystemClock",
    "TomlHolidays",
    "UuidIds",
    "china_mainland_calendar",
    "open_memory",
    "open_sqlite",
]
