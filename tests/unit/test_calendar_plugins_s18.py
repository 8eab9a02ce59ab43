"""A calendar plugin (entry-point group ``aftersales.calendars``) that fails to import or to build is a
``ConfigurationError`` naming the calendar: ``ServiceDesk.open(calendar="…")`` raised the plugin's own
``ImportError`` or ``RuntimeError`` before (no untyped exception escapes the public API).
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import EntryPoint

import pytest

from aftersales.errors import ConfigurationError
from aftersales.ports import calendars
from aftersales.service.desk import ServiceDesk


def _broken() -> object:
    raise RuntimeError("holiday server unreachable")


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    points = [
        EntryPoint("missing_module", "no_such_module_s18:factory", calendars.CALENDAR_GROUP),
        EntryPoint("raises", f"{__name__}:_broken", calendars.CALENDAR_GROUP),
    ]
    monkeypatch.setattr(calendars, "entry_points", lambda group: points)
    calendars.open_calendar.cache_clear()
    yield
    calendars.open_calendar.cache_clear()


@pytest.mark.usefixtures("plugins")
@pytest.mark.parametrize("name", ["missing_module", "raises"])
def test_a_broken_calendar_plugin_is_a_configuration_error(name: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        ServiceDesk.open("memory://", calendar=name)
    assert raised.value.key == "calendar" and repr(name) in str(raised.value)
