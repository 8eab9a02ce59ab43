"""China mainland holidays and 调休 make-up working days from the ``holidays`` package.

The package encodes each year's State Council arrangement as "day off substituted from <date>"; the
``<date>`` that falls on a weekend is a make-up working day, exposed as ``China(...).weekend_workdays``. For
years without an official notice the package silently *estimates* (fixed and lunar holidays, no make-up
days). So this source stops where the official data stops: ``known_until`` is 31 December of the last year
for which the package holds the State Council's substitutions, and a calendar asked beyond it raises
``CalendarDataMissing``. Upgrade the ``holidays`` package (each November) to extend it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import attrs
from holidays.countries.china import ChinaStaticHolidays
from holidays.utils import country_holidays
from holidays.version import __version__ as holidays_version

from aftersales.adapters.holidays_combined import CombinedHolidays
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.holiday_data import HolidaySource
from aftersales.errors import ConfigurationError

__all__ = [
    "ChinaHolidays",
    "china_mainland_calendar",
    "official_data_until",
    "provisional_china_calendar",
    "statutory_holidays",
]

OFFICIAL_DATA_FROM = date(2001, 1, 1)
"""The package's data is checked against the State Council notices from 2001 on."""


def official_data_until() -> date:
    """The last date covered by official (not estimated) CN arrangements in the installed ``holidays``."""
    return date(max(ChinaStaticHolidays.special_public_holidays), 12, 31)


def _load(known_from: date, known_until: date) -> tuple[frozenset[date], frozenset[date]]:
    china = country_holidays("CN", years=range(known_from.year, known_until.year + 1))
    off = frozenset(day for day in china if known_from <= day <= known_until)
    workdays = frozenset(day for day in china.weekend_workdays if known_from <= day <= known_until)
    return off, workdays - off


@attrs.frozen
class ChinaHolidays:
    """A ``HolidaySource`` for China mainland: public holidays and 调休 make-up working days.

    ``known_from``/``known_until`` default to the whole official range of the installed package; a narrower
    range is allowed, a wider one is refused (it would be guessed data). Half-day holidays (Women's Day,
    Youth Day, …) are not days off for a whole office and are left out.
    """

    known_from: date = OFFICIAL_DATA_FROM
    known_until: date = attrs.field(factory=official_data_until)
    _days: tuple[frozenset[date], frozenset[date]] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        for key in ("known_from", "known_until"):
            value = getattr(self, key)
            if not isinstance(value, date) or isinstance(value, datetime):
                raise ConfigurationError(f"expected a datetime.date, got {value!r}", key=key)
        official = official_data_until()
        if self.known_until > official:
            raise ConfigurationError(
                f"the holidays package {holidays_version} has official CN data only until "
                f"{official.isoformat()}; upgrade it instead of asking for {self.known_until.isoformat()}",
                key="known_until",
            )
        if self.known_from < OFFICIAL_DATA_FROM or self.known_from > self.known_until:
            raise ConfigurationError(
                f"known_from must lie between {OFFICIAL_DATA_FROM.isoformat()} and known_until",
                key="known_from",
            )
        object.__setattr__(self, "_days", _load(self.known_from, self.known_until))

    @property
    def name(self) -> str:
        """Names the package and its version, so an error says which data ran out."""
        return f"holidays {holidays_version} (CN)"

    def holidays(self) -> frozenset[date]:
        """Public holidays, including the weekdays given off in exchange for make-up working days."""
        return self._days[0]

    def extra_workdays(self) -> frozenset[date]:
        """Weekend days that are working days (调休上班)."""
        return self._days[1]


def statutory_holidays(years: range) -> frozenset[date]:
    """The statutory holidays of the national rules (元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆: 13 days
    a year) for ``years``, as the ``holidays`` package computes them (lunar dates included), without the days
    off given in exchange for make-up working days — those come only with the State Council's notice."""
    return frozenset(country_holidays("CN", years=years, observed=False))


def provisional_china_calendar(calendar: BusinessCalendar, years: int = 1) -> BusinessCalendar:
    """``calendar`` extended ``years`` years past its data on the statutory holidays (no make-up days).

    Due times computed there are provisional (``BusinessCalendar.is_provisional``) until the official
    arrangement is added (a newer ``holidays``, a TOML or .ics file) and the desk recomputes them
    (``ServiceDesk.recompute_provisional_dues``).
    """
    if calendar.known_until is None or years < 1:
        return calendar
    first = calendar.known_until.year + 1
    last = calendar.known_until.year + years
    return calendar.with_provisional(
        statutory_holidays(range(first, last + 1)),
        date(last, 12, 31),
        source_name=f"{calendar.source_name} + statutory holidays {first}–{last} (provisional)",
    )


def china_mainland_calendar(
    source: HolidaySource | None = None, *, provisional_years: int | None = None
) -> BusinessCalendar:
    """The default Chinese office calendar on the ``holidays`` package's official data.

    Mon–Fri 09:00–12:00 and 13:00–18:00, Asia/Shanghai, CN public holidays and make-up working days. Pass
    ``source`` to use other holiday data (a TOML or .ics file) with the same office hours. Beyond the
    official data the calendar runs ``provisional_years`` more years on the statutory holidays alone
    (the holiday-data cliff: due times there are marked provisional); the default is one year on the
    package's data and none on a ``source`` of your own (whose range you chose); ``0`` refuses beyond the
    data instead (``CalendarDataMissing``). A ``source`` that starts the day after the package's official
    data (next year's arrangement, published before the package has it) *continues* that data: the two
    are read together, again with a provisional year after.
    """
    official = official_data_until()
    extends = source is not None and official < source.known_from <= official + timedelta(days=1)
    if source is not None and extends:
        # Next year's arrangement (a TOML or .ics file of the State Council's notice) continues the
        # package's data: read together, with a provisional year after it as for the package alone.
        source = CombinedHolidays(ChinaHolidays(), source)
    base = BusinessCalendar.china_mainland(source if source is not None else ChinaHolidays())
    if provisional_years is None:
        provisional_years = 1 if source is None or extends else 0
    return provisional_china_calendar(base, provisional_years)
