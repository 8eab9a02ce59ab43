"""A report's time zone and names are checked as what they are (session 18).

``report_labels`` (behind every renderer and the ledger export) built its labels in one ``try`` that
read any ValueError as a bad locale: a bad time zone was refused as "unknown locale 'zh_Hans'", a
``names`` that is not a mapping likewise, a time zone that is neither a name nor a tzinfo (``5``) and a
name that is not text (``{"dealer-a": None}``) failed as an untyped TypeError in the middle of the
report, and ``timezone=None`` silently used the machine's own zone. Each is now a ValidationError
naming its own argument, and the ledger export writes nothing.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.errors import ValidationError
from aftersales.ports.reporting import GroupBy
from aftersales.reports import export_ledger, kpi_report, to_csv, to_html, to_markdown, to_text
from aftersales.reports.labels import report_labels
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

from .data import CALENDAR, MARCH
from .stores import STORES, open_desk

MANAGER = Actor.manager("mgr", "王经理")
BAD: list[tuple[dict[str, Any], str]] = [
    ({"timezone": "Mars/Base"}, "timezone"),
    ({"timezone": 5}, "timezone"),
    ({"timezone": None}, "timezone"),
    ({"names": {"dealer-a": None}}, "names"),
    ({"names": {"dealer-a": 5}}, "names"),
    ({"names": "dealer-a"}, "names"),
    ({"names": [("dealer-a", "浦东")]}, "names"),
]


@pytest.fixture(params=STORES)
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceDesk]:
    yield from open_desk(request.param, tmp_path)


@pytest.mark.parametrize(("given", "field"), BAD)
def test_a_bad_zone_or_names_is_refused_by_name(desk: ServiceDesk, given: dict[str, Any], field: str) -> None:
    report = kpi_report(reporting_for(desk.store), MARCH, CALENDAR, group=GroupBy.DEALER)
    for write in (to_csv, to_html, to_text, to_markdown):
        if given == {"timezone": None}:  # the zone the report was counted in (session 38), not refused
            assert write(report, "zh_Hans", **given)
            continue
        with pytest.raises(ValidationError) as refused:
            write(report, "zh_Hans", **given)
        assert refused.value.field == field, (write.__name__, str(refused.value))
        assert "locale" not in str(refused.value)
    out = io.BytesIO()
    if "timezone" in given and given["timezone"] is None:  # the desk's own zone (session 38), not refused
        export_ledger(desk, MANAGER, out, format="csv", **given)
        assert out.getvalue()
        return
    with pytest.raises(ValidationError) as refused:
        export_ledger(desk, MANAGER, out, format="csv", **given)
    assert refused.value.field == field and out.getvalue() == b""


def test_good_zones_and_names_are_still_taken() -> None:
    from zoneinfo import ZoneInfo

    labels = report_labels("zh_Hant", {"dealer-a": "浦東特約網點"}, ZoneInfo("Asia/Taipei"))
    assert labels.name("dealer-a") == "浦東特約網點" and str(labels.timezone) == "Asia/Taipei"
    assert str(report_labels("en", None, "UTC").timezone) == "UTC"
    with pytest.raises(ValidationError) as refused:
        report_labels("xx")
    assert refused.value.field == "locale"
