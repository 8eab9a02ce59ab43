"""A host changes one field of a calendar with ``attrs.evolve``, copies or pickles one (session 27).

Before, ``attrs.evolve`` passed the derived fields (``week=``, the cache) back to ``__init__`` and every
evolve was refused; ``copy.deepcopy`` and ``pickle`` failed on the compile lock.
"""

from __future__ import annotations

import copy
import pickle
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import attrs
import pytest

from aftersales import BusinessCalendar, ValidationError

HOURS = {day: ((time(9), time(12)), (time(13), time(18))) for day in range(5)}


def _calendar() -> BusinessCalendar:
    return BusinessCalendar(
        "Asia/Shanghai",
        HOURS,
        holidays={date(2026, 10, 1)},
        extra_workdays={date(2026, 9, 27)},
        known_from=date(2026, 1, 1),
        known_until=date(2026, 12, 31),
        source_name="host",
    )


def test_evolve_one_field_keeps_the_others() -> None:
    calendar = _calendar()
    later = attrs.evolve(calendar, holidays=calendar.holidays | {date(2026, 10, 2)})
    assert not later.is_working_day(date(2026, 10, 2))
    assert calendar.is_working_day(date(2026, 10, 2))
    assert later.is_working_day(date(2026, 9, 27))  # the make-up day is kept
    assert later.weekly_hours == calendar.weekly_hours
    assert (later.known_from, later.known_until, later.source_name) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
        "host",
    )
    assert later.fingerprint != calendar.fingerprint


def test_evolve_nothing_is_equal_and_same_fingerprint() -> None:
    calendar = _calendar()
    same = attrs.evolve(calendar)
    assert same == calendar
    assert same.fingerprint == calendar.fingerprint


def test_evolve_hours_and_zone() -> None:
    calendar = _calendar()
    saturday = date(2026, 6, 6)
    weekend = attrs.evolve(calendar, weekly_hours={**HOURS, 5: ((time(9), time(12)),)})
    assert weekend.is_working_day(saturday) and not calendar.is_working_day(saturday)
    paris = attrs.evolve(calendar, timezone="Europe/Paris")
    at = datetime(2026, 6, 8, 14, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert paris.is_working_time(at)
    assert not calendar.is_working_time(at)  # 20:00 in Shanghai


def test_evolve_checks_the_new_value() -> None:
    calendar = _calendar()
    with pytest.raises(ValidationError) as bad_zone:
        attrs.evolve(calendar, timezone="Mars/Olympus")
    assert bad_zone.value.field == "timezone"
    with pytest.raises(ValidationError) as clash:
        attrs.evolve(calendar, holidays={date(2026, 9, 27)})
    assert clash.value.field == "extra_workdays"
    with pytest.raises(ValidationError) as unknown:
        attrs.evolve(calendar, week=())
    assert unknown.value.field == "week"


def test_copy_and_pickle() -> None:
    calendar = _calendar()
    calendar.is_working_time(datetime(2026, 3, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai")))  # compiled
    for twin in (copy.copy(calendar), copy.deepcopy(calendar), pickle.loads(pickle.dumps(calendar))):
        assert twin == calendar
        assert twin.fingerprint == calendar.fingerprint
        assert twin.is_working_day(date(2026, 9, 27))


@attrs.frozen
class _Private:
    _note: str


def test_a_record_checked_with_a_private_field_is_normalised() -> None:
    """``check_record`` handed ``attrs.evolve`` the field's name (``_note``) where it takes the init name
    (``note``): a private field whose value needed normalising (text not NFC) raised instead."""
    from aftersales.domain.validation import check_record

    checked = check_record(_Private("e\u0301"), "record")
    assert checked._note == "\u00e9"


def test_the_desk_checks_an_evolved_calendar_without_copying_it() -> None:
    from aftersales.domain.validation import check_record

    calendar = attrs.evolve(_calendar(), source_name="host 2")
    assert check_record(calendar, "calendar") is calendar  # its compiled years kept
