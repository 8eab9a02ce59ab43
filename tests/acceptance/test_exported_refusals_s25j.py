"""Exported functions refuse hostile values with typed errors naming the argument (session 25, task j).

What the fuzz of the exported functions (test_exported_functions_fuzz_s25j.py) found, one case each:
untyped ``TypeError``/``AttributeError``/``OverflowError``/``OSError`` escaping ``aftersales``'s own
functions, time-zone refusals naming no field, and a period changed behind its constructor's back that
SQLite refused but memory crashed on (the stores disagreed).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import attrs
import pytest

import aftersales
from aftersales import FaultDimension, Period, SlaTarget, SlaTargets
from aftersales.adapters.holidays_cn import china_mainland_calendar
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel
from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.ticket import Ticket
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.reports.kpi import kpi_report
from aftersales.service.desk import ServiceDesk
from conftest import START, World, world_desk

CN = china_mainland_calendar()
MARCH = Period(START - timedelta(days=1), START + timedelta(days=30))


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def on_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, World]]:
    with world_desk(request.param, tmp_path) as (desk, _clock, world):
        yield desk, world


def _broken_period() -> Period:
    period = Period(START, START + timedelta(days=1))
    object.__setattr__(period, "start", "x")  # what a hostile caller can do to a frozen record
    return period


def test_a_period_changed_behind_its_constructor_is_refused_alike_on_every_store(
    on_store: tuple[ServiceDesk, World],
) -> None:
    desk, world = on_store
    queries = reporting_for(desk.store)
    with pytest.raises(ValidationError) as caught:
        aftersales.scoped_fault_pareto(desk, world.manager, queries, _broken_period(), FaultDimension.SYMPTOM)
    assert caught.value.field is not None and caught.value.field.startswith("period")
    with pytest.raises(ValidationError) as conduct:
        aftersales.scoped_service_conduct(desk, world.manager, _broken_period())
    assert conduct.value.field is not None and conduct.value.field.startswith("period")


def test_time_zone_refusals_name_the_argument(on_store: tuple[ServiceDesk, World]) -> None:
    desk, world = on_store
    for zone in (" ", ["Asia/Shanghai"], "\x00"):
        with pytest.raises(ValidationError) as caught:
            aftersales.sla_breaches(desk, world.manager, MARCH, as_of=START, timezone=zone)  # type: ignore[arg-type]
        assert caught.value.field == "timezone"
    with pytest.raises(ValidationError) as trend:
        aftersales.kpi_trend(reporting_for(desk.store), ["2026-03"], CN, timezone=["a"])  # type: ignore[arg-type]
    assert trend.value.field == "timezone"


def test_due_visits_at_the_end_of_the_calendar_are_an_answer(on_store: tuple[ServiceDesk, World]) -> None:
    desk, world = on_store
    soon, late = aftersales.scoped_due_visits(desk, world.manager, date(9999, 12, 31))
    assert (soon, late) == ([], [])
    assert aftersales.scoped_due_visits(desk, world.manager, date(1, 1, 1), within_days=-5) == ([], [])


def test_a_ledger_export_to_a_file_that_cannot_be_written_is_refused(
    on_store: tuple[ServiceDesk, World], tmp_path: Path
) -> None:
    desk, world = on_store
    for out in ("", "a\x00b", str(tmp_path / "no-such-folder" / "x.csv"), None, 1.5, {}):
        with pytest.raises(ValidationError) as caught:
            aftersales.export_ledger(desk, world.manager, out)  # type: ignore[arg-type]
        assert caught.value.field == "out"


def test_a_workbook_to_a_path_that_cannot_be_written_is_refused() -> None:
    report = kpi_report(reporting_for(aftersales.open_storage("memory://")), MARCH, CN)
    for out in ("\x00", "x" * 5000):
        with pytest.raises(ValidationError) as caught:
            aftersales.to_xlsx(report, out)
        assert caught.value.field == "out"
    buffer = io.BytesIO()
    aftersales.to_xlsx(report, buffer)
    assert buffer.getvalue().startswith(b"PK")


def test_sla_clocks_refuse_a_far_future_instant_and_foreign_logs() -> None:
    targets = SlaTargets([SlaTarget("response", timedelta(hours=2))])
    with pytest.raises(ValidationError) as far:
        aftersales.sla_status([], targets, CN, datetime(9999, 12, 31, 23, 59, tzinfo=UTC))
    assert far.value.field == "at"
    for events in ("abc", [None], {"a": 1}):
        with pytest.raises(ValidationError) as log:
            aftersales.sla_timeline(events, targets, CN)  # type: ignore[arg-type]
        assert log.value.field == "events"
    for extensions in (5, [["nested"]], "response"):
        with pytest.raises(ValidationError) as ext:
            aftersales.sla_timeline([], targets, CN, extensions=extensions)  # type: ignore[arg-type]
        assert ext.value.field == "extensions"
    ticket = Ticket.open(
        id=TicketId("T-1"), customer_id=CustomerId("c"), channel=Channel.PHONE, category=Category.REPAIR,
        description="x", received_at=START, taken_by=ActorRef("agent-1", Role.AGENT),
    )  # fmt: skip
    timeline = aftersales.sla_timeline(ticket.events, targets, CN, extensions=["response"])
    assert timeline.status(START).targets[0].breach == timedelta(0)


def test_exported_functions_refuse_wrong_objects_and_call_shapes() -> None:
    report = kpi_report(reporting_for(aftersales.open_storage("memory://")), MARCH, CN)
    labels = aftersales.report_labels("en")
    cases = [
        (lambda: aftersales.document_for(report, 5), "labels"),  # type: ignore[arg-type]
        (lambda: aftersales.to_csv(report, no_such_option_at_all=1, bom=None, codes="x"), "codes"),
        (lambda: aftersales.to_text(), "report"),  # type: ignore[call-arg]
        (lambda: aftersales.fee_slip_document("x", labels, generated_at=START), "slip"),  # type: ignore[arg-type]
        (lambda: aftersales.charge_sheet_document(5, labels, generated_at=START), "ticket"),  # type: ignore[arg-type]
        (lambda: aftersales.pack_fault_catalog("x"), "extra"),  # type: ignore[arg-type]
        (lambda: aftersales.resolve_policies(registry="x"), "registry"),  # type: ignore[arg-type]
        (lambda: aftersales.render_error("x", "en"), "error"),  # type: ignore[arg-type]
        (lambda: aftersales.to_dict(report, locale=["en"]), "locale"),  # type: ignore[arg-type]
        (lambda: aftersales.render("ticket_received", {"a": "b"}, "UTC", {}), "locale"),  # type: ignore[arg-type]
    ]
    for call, field in cases:
        with pytest.raises(ValidationError) as caught:
            call()
        assert caught.value.field is not None and caught.value.field.startswith(field), caught.value
    for name, wrong in (("rows", "x"), ("total", "x"), ("group", "all")):
        broken = attrs.evolve(report)
        object.__setattr__(broken, name, wrong)  # a report changed behind its constructor's back
        with pytest.raises(ValidationError) as caught:
            aftersales.to_csv(broken)
        assert caught.value.field == f"report.{name}"
    assert aftersales.to_csv(report).count("\n") >= 1  # the report itself still renders
    with pytest.raises(ConfigurationError):
        aftersales.kpi_goals("sanitary_ware", {1: 2})  # type: ignore[dict-item]


def test_contract_ids_no_store_can_hold_are_refused_alike(on_store: tuple[ServiceDesk, World]) -> None:
    desk, world = on_store
    for ids in (["\ud800"], ["HT-\x00"]):
        with pytest.raises(ValidationError) as caught:
            aftersales.scoped_contract_figures(desk, world.manager, ids)
        assert caught.value.field == "contracts"


def test_names_no_file_can_hold_and_far_instants_are_refused(
    on_store: tuple[ServiceDesk, World],
) -> None:
    desk, world = on_store
    for names in ({"dealer-sh": "\ud800"}, {"dealer-sh": "a\x00b"}):
        with pytest.raises(ValidationError) as caught:
            aftersales.export_ledger(desk, world.manager, io.BytesIO(), names=names)
        assert caught.value.field == "names"
    with pytest.raises(ValidationError) as progress:
        aftersales.export_ledger(desk, world.manager, io.BytesIO(), progress=5)  # type: ignore[arg-type]
    assert progress.value.field == "progress"
    far = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    report = kpi_report(reporting_for(desk.store), MARCH, CN)
    with pytest.raises(ValidationError) as generated:
        aftersales.document_for(report, aftersales.report_labels("en"), generated_at=far)
    assert generated.value.field == "generated_at"
    with pytest.raises(ValidationError) as as_of:
        aftersales.kpi_trend(reporting_for(desk.store), ["2026-03"], CN, as_of=far)
    assert as_of.value.field == "as_of"


def test_category_codes_that_are_lists_are_refused(on_store: tuple[ServiceDesk, World]) -> None:
    desk, world = on_store
    with pytest.raises(ValidationError) as caught:
        aftersales.scoped_dealer_monthly(
            desk, world.manager, reporting_for(desk.store), "2026-03", installation_categories=[["nested"]]
        )  # type: ignore[list-item]
    assert caught.value.field == "installation_categories"
