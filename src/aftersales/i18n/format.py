"""Values in a reader's words: dates and times in their locale and time zone, money, durations.

Date, time, number and currency formats come from Babel's CLDR data. Durations are composed from
catalog words ("3 小时 20 分钟", "3 hours 20 minutes") because CLDR's Chinese unit patterns write
"3小时" and the service's house style spaces them; translators control both the words and the
joining. A :class:`LocaleFormatter` compiles its patterns once, so formatting a value is cheap.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Final

from babel import Locale
from babel.dates import get_date_format, get_datetime_format, get_time_format, parse_pattern
from babel.numbers import format_currency, format_decimal

from aftersales.domain.call_shape import host_factories
from aftersales.domain.contact import zone
from aftersales.domain.instants import require_aware
from aftersales.domain.money import Money
from aftersales.errors import ValidationError, carried_rule
from aftersales.i18n.catalog import MessageCatalog, catalog_for
from aftersales.i18n.locales import babel_locale
from aftersales.i18n.templates import Template

__all__ = [
    "DAY_END_MESSAGE",
    "DURATION_MESSAGES",
    "LocaleFormatter",
    "format_datetime",
    "format_duration",
    "format_money",
    "formatter_for",
    "timezone_of",
]

DURATION_MESSAGES: Final = ("duration.day", "duration.hour", "duration.minute")
"""Plural catalog entries for the duration units, largest first; each has a ``{count}`` slot."""

DAY_END_MESSAGE: Final = "datetime.day_end"
"""The catalog entry of a due at a day's end (:meth:`LocaleFormatter.deadline`); a ``{date}`` slot."""

_UNIT_MINUTES: Final = (24 * 60, 60, 1)
_MEMO_LIMIT: Final = 10_000


@host_factories
class LocaleFormatter:
    """Formats values for one locale, using its Babel ``Locale`` and its message catalog."""

    __slots__ = (
        "_date",
        "_dates",
        "_day_end",
        "_glue",
        "_numbers",
        "_pair",
        "_time",
        "_times",
        "_units",
        "catalog",
        "locale",
    )

    def __init__(self, locale: Locale, catalog: MessageCatalog) -> None:
        self.locale = locale
        self.catalog = catalog
        # Medium date with a short time (no seconds): "2024年5月1日 14:30", "May 1, 2024, 2:30 PM".
        self._glue = str(get_datetime_format("medium", locale=locale))
        self._date = parse_pattern(get_date_format("medium", locale=locale).pattern)
        self._time = parse_pattern(get_time_format("short", locale=locale).pattern)
        # Day periods ("下午", "in the afternoon") cost Babel ~8 µs to work out; a short time depends
        # only on the hour and minute, and a medium date only on the day, so both are memoised.
        self._times: dict[tuple[int, int], str] = {}
        self._dates: dict[date, str] = {}
        self._numbers: dict[int, str] = {}
        self._pair = Template.parse(
            catalog.text("duration.pair"), name="duration.pair", allowed=("larger", "smaller")
        )
        self._day_end = Template.parse(catalog.text(DAY_END_MESSAGE), name=DAY_END_MESSAGE, allowed=("date",))
        # Parse every unit form now, so a bad catalog entry fails at load time, not mid-notification.
        self._units: dict[str, Template] = {}
        source: MessageCatalog | None = catalog
        while source is not None:
            for msgid in DURATION_MESSAGES:
                for form in source.plurals.get(msgid, ()):
                    self._units.setdefault(form, Template.parse(form, name=msgid, allowed=("count",)))
            source = source.fallback
        for msgid in DURATION_MESSAGES:
            catalog.plural(msgid, 1)  # a missing unit is a ConfigurationError naming it

    def deadline(self, value: datetime, timezone: tzinfo) -> str:
        """A due instant as :meth:`datetime` does, but midnight in ``timezone`` as the end of the day
        before (``datetime.day_end``: "2026年3月16日 24:00", "end of Mar 16, 2026").

        Why: a due on 16 March is the instant 17 March 00:00; written so ("请在 2026年3月17日 00:00 前",
        "午夜12:00", "12:00 AM") it is right but reads as the 17th (session 37)."""
        require_aware(value, "datetime")
        local = value.astimezone(timezone)
        if local.hour or local.minute or local.second or local.microsecond:
            return self.datetime(value, timezone)
        day_before = local.date() - timedelta(days=1)
        return self._day_end.substitute({"date": self.date(day_before)})

    def datetime(self, value: datetime, timezone: tzinfo) -> str:
        """An instant as local date and time in ``timezone``; naive datetimes are refused."""
        require_aware(value, "datetime")
        local = value.astimezone(timezone)
        key = (local.hour, local.minute)
        time_text = self._times.get(key)
        if time_text is None:
            time_text = self._times[key] = str(self._time.apply(local, self.locale))
        return self._glue.replace("{0}", time_text).replace("{1}", self.date(local.date()))

    def date(self, value: date) -> str:
        """A calendar date in this locale's medium format."""
        day = value.date() if isinstance(value, datetime) else value
        found = self._dates.get(day)
        if found is None:
            found = str(self._date.apply(day, self.locale))
            if len(self._dates) < _MEMO_LIMIT:
                self._dates[day] = found
        return found

    def number(self, value: int | Decimal) -> str:
        """A number with this locale's grouping and decimal symbols."""
        if isinstance(value, bool):
            raise ValidationError("a boolean is not a number", field="number")
        if isinstance(value, int) and 0 <= value < _MEMO_LIMIT:
            found = self._numbers.get(value)
            if found is None:
                found = self._numbers[value] = format_decimal(value, locale=self.locale)
            return found
        return str(format_decimal(value, locale=self.locale))

    def money(self, value: Money) -> str:
        """An amount in its currency's local format ("¥1,234.50", "CN¥1,234.50")."""
        if not isinstance(value, Money):
            raise ValidationError(f"an amount must be Money, not {type(value).__name__}", field="money")
        return str(format_currency(value.amount, value.currency, locale=self.locale))

    def duration(self, value: timedelta) -> str:
        """A duration in words, to the minute, in its two largest units ("3 小时 20 分钟").

        Days, hours and minutes; seconds are dropped, and the second unit is the next smaller one
        (so 2 days 0 hours 5 minutes reads "2 days"). Negative durations are refused.
        """
        if not isinstance(value, timedelta):
            raise ValidationError(f"a duration must be a timedelta, not {type(value).__name__}")
        if value < timedelta(0):
            raise ValidationError(f"a duration must not be negative, got {value}", field="duration")
        minutes = int(value.total_seconds() // 60)
        for index, size in enumerate(_UNIT_MINUTES):
            if minutes >= size or index == len(_UNIT_MINUTES) - 1:
                break
        larger = self._unit(index, minutes // size)
        if index + 1 < len(_UNIT_MINUTES):
            rest = (minutes % size) // _UNIT_MINUTES[index + 1]
            if rest:
                smaller = self._unit(index + 1, rest)
                return self._pair.substitute({"larger": larger, "smaller": smaller})
        return larger

    def _unit(self, index: int, count: int) -> str:
        form = self.catalog.plural(DURATION_MESSAGES[index], count)
        return self._units[form].substitute({"count": self.number(count)})


_formatters: dict[str, LocaleFormatter] = {}


def formatter_for(locale: str) -> LocaleFormatter:
    """The cached formatter of the shipped catalogs for ``locale`` (any identifier; it is resolved)."""
    babel = babel_locale(locale)
    name = str(babel)
    found = _formatters.get(name)
    if found is None:
        found = _formatters[name] = LocaleFormatter(babel, catalog_for(name))
    return found


def timezone_of(value: object, field: str = "timezone") -> tzinfo:
    """The zone ``value`` names: an IANA name or a ``tzinfo``; anything else (``None`` too, which
    would read every instant in the machine's own zone) is a :class:`ValidationError` naming ``field``."""
    if isinstance(value, tzinfo):
        return value
    if not isinstance(value, str):
        raise ValidationError(
            f"{field} is an IANA name such as 'Asia/Shanghai' or a tzinfo, not {type(value).__name__}",
            field=field,
            rule="time_zone",
        )
    try:
        return zone(value)
    except ValidationError as exc:
        raise ValidationError(str(exc), field=field, **carried_rule(exc)) from None


def format_datetime(value: datetime, locale: str, timezone: str | tzinfo) -> str:
    """``value`` as the reader in ``locale`` and ``timezone`` (an IANA name or a tzinfo) reads it."""
    return formatter_for(locale).datetime(value, timezone_of(timezone))


def format_money(value: Money, locale: str) -> str:
    """``value`` in ``locale``'s currency format."""
    return formatter_for(locale).money(value)


def format_duration(value: timedelta, locale: str) -> str:
    """``value`` in words in ``locale`` ("3 小时 20 分钟", "3 hours 20 minutes")."""
    return formatter_for(locale).duration(value)
