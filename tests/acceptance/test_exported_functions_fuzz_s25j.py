# mypy: disable-error-code="arg-type"
"""The hostile tester's fuzz over the package's exported functions (``aftersales.__all__``).

The desk's methods are fuzzed by test_public_api_fuzz.py; the functions a host imports from the package
(renderers, report builders, ``scoped_*`` reports, ``sla_status``, ``load_pack`` …) are the rest of the
public surface. Every exported function must have a valid call below or be excluded with a reason, so a
function exported later is fuzzed or this test fails. Each argument in turn gets the hostile values of
its kind (the same lists as the desk's fuzz); each call must end in a result or an
:class:`AftersalesError` (a :class:`ValidationError` naming the argument); the functions that read a
desk answer the same on memory, SQLite and PostgreSQL, and change nothing.
"""

from __future__ import annotations

import inspect
import io
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from fuzz_world import MANAGER, FuzzWorld, describe
from test_public_api_fuzz import (
    FULL,
    MISSING,
    _root,
    chosen,
    hints_of,
    hostile_values,
    required_of,
    worlds,
)

import aftersales
from aftersales import FaultDimension, Period, SlaTargets
from aftersales.adapters.holidays_cn import china_mainland_calendar
from aftersales.adapters.reporting import reporting_for
from aftersales.errors import AftersalesError, NotFound, ValidationError
from aftersales.reports.kpi import kpi_report
from conftest import START

CN = china_mainland_calendar()
MARCH = Period(START - timedelta(days=1), START + timedelta(days=30))

EXCLUDED: dict[str, str] = {
    "reader_of": "opens a read-only unit of work on a store factory the host holds: not host values",
    "assess_charges": "a policy-layer function over policy objects; fuzzed through desk.charges.assess",
}
"""Exported functions not fuzzed here, with why."""

DESK_FIRST = frozenset(
    {"export_ledger", "sla_breaches", "staff_figures"}
    | {n for n in aftersales.__all__ if n.startswith("scoped_")}
)
"""The functions that read a desk: run on every store, and compared."""


def exported_functions() -> dict[str, Callable[..., Any]]:
    """Every function in ``aftersales.__all__``."""
    found = {}
    for name in aftersales.__all__:
        value = getattr(aftersales, name)
        if inspect.isfunction(value):
            found[name] = value
    return found


def _ticket(w: FuzzWorld) -> Any:
    with aftersales.reader_of(w.desk.store) as uow:
        return uow.tickets.get(w.ids["progress"])


def valid_call(name: str, w: FuzzWorld) -> dict[str, Any]:
    """A valid call of the exported function ``name`` from the world ``w``."""
    desk = w.desk
    queries = reporting_for(desk.store)
    labels = aftersales.report_labels("zh_Hans")
    report = kpi_report(queries, MARCH, CN)
    events = _ticket(w).events
    targets = SlaTargets([aftersales.SlaTarget("response", timedelta(hours=2))])
    calls: dict[str, Callable[[], dict[str, Any]]] = {
        "check_part_number": lambda: {"value": "WN-FV-01"},
        "document_for": lambda: {"report": report, "labels": labels},
        "export_ledger": lambda: {"desk": desk, "actor": MANAGER, "out": io.BytesIO()},
        "kpi_goals": lambda: {"pack": "sanitary_ware"},
        "kpi_trend": lambda: {"queries": queries, "months": ["2026-03"], "calendar": CN},
        "load_pack": lambda: {"name_or_path": "sanitary_ware"},
        "open_storage": lambda: {"url": "memory://"},
        "render": lambda: {
            "kind": "ticket_received",
            "locale": "zh_Hans",
            "timezone": "Asia/Shanghai",
            "values": {"ticket_id": "SR-1", "received_at": START, "response_due_at": START},
        },
        "report_labels": dict,
        "resolve_policies": dict,
        "sla_breaches": lambda: {"desk": desk, "actor": MANAGER, "period": MARCH, "as_of": START},
        "sla_status": lambda: {"events": events, "targets": targets, "calendar": CN, "at": START},
        "sla_timeline": lambda: {"events": events, "targets": targets, "calendar": CN},
        "to_csv": lambda: {"report": report},
        "to_html": lambda: {"report": report},
        "to_markdown": lambda: {"report": report},
        "to_text": lambda: {"report": report},
        "to_xlsx": lambda: {"report": report, "out": io.BytesIO()},
        "from_dict": lambda: {"data": {"currency": "CNY", "amount": "1"}, "cls": aftersales.Money},
        "from_json": lambda: {"text": '{"currency": "CNY", "amount": "1"}', "cls": aftersales.Money},
        "render_error": lambda: {"error": NotFound("ticket", "x"), "locale": "zh_Hans"},
        "render_reasons": lambda: {"decision_or_event": events[0], "locale": "zh_Hans"},
        "to_dict": lambda: {"obj": aftersales.Money("1", "CNY")},
        "to_json": lambda: {"obj": aftersales.Money("1", "CNY")},
        "charge_sheet_document": lambda: {
            "ticket": desk.ticket(MANAGER, w.ids["quoted"]),
            "labels": labels,
            "generated_at": START,
        },
        "fee_slip_document": lambda: {"slip": w.objects["slip"], "labels": labels, "generated_at": START},
        "pack_fault_catalog": lambda: {"extra": desk.policies.extra},
        "pack_words": lambda: {"policies": desk.policies},
        "scoped_agent_kpis": lambda: {"desk": desk, "actor": MANAGER, "period": MARCH},
        "scoped_engineer_kpis": lambda: {"desk": desk, "actor": MANAGER, "period": MARCH},
        # session 29 f: a staff member's own figures (the manager reads any of the team's)
        "staff_figures": lambda: {"desk": desk, "actor": MANAGER, "staff_id": "eng-jr", "period": MARCH},
        "scoped_batch_incidents": lambda: {
            "desk": desk,
            "actor": MANAGER,
            "queries": queries,
            "until": START,
        },
        "scoped_contract_figures": lambda: {"desk": desk, "actor": MANAGER, "contracts": [w.ids["contract"]]},
        "scoped_dealer_monthly": lambda: {
            "desk": desk,
            "actor": MANAGER,
            "queries": queries,
            "month": "2026-03",
            "due_day": 3,  # the pack's day given (session 28): hostile values in its place
        },
        "scoped_due_visits": lambda: {"desk": desk, "actor": MANAGER, "today": date(2026, 3, 2)},
        # session 34 f: the due list with the complaints' remedy visits
        "scoped_due_unit_visits": lambda: {"desk": desk, "actor": MANAGER, "today": date(2026, 3, 2)},
        "scoped_fault_pareto": lambda: {
            "desk": desk,
            "actor": MANAGER,
            "queries": queries,
            "period": MARCH,
            "dimension": FaultDimension.SYMPTOM,
        },
        "scoped_fault_trend": lambda: {
            "desk": desk,
            "actor": MANAGER,
            "queries": queries,
            "months": ["2026-03"],
            "dimension": FaultDimension.SYMPTOM,
        },
        "scoped_kpi_trend": lambda: {
            "desk": desk,
            "actor": MANAGER,
            "queries": queries,
            "months": ["2026-03"],
        },
        "scoped_plan_compliance": lambda: {
            "desk": desk,
            "actor": MANAGER,
            "start": date(2026, 1, 1),
            "end": date(2026, 3, 31),
        },
        "scoped_recurring_faults": lambda: {"desk": desk, "actor": MANAGER},
        "scoped_service_conduct": lambda: {"desk": desk, "actor": MANAGER, "period": MARCH},
    }
    return calls[name]()


def _answer(function: Callable[..., Any], kwargs: Mapping[str, Any]) -> tuple[str, str | None, Any]:
    try:
        function(**kwargs)
    except AftersalesError as exc:
        return type(exc).__name__, getattr(exc, "field", None), exc
    except Exception as exc:  # an escape is what the test looks for
        return f"ESCAPE {type(exc).__name__}", None, exc
    return "ok", None, None


def test_every_exported_function_is_fuzzed_or_excluded_with_a_reason(tmp_path: Path) -> None:
    functions = exported_functions()
    assert sorted(set(EXCLUDED) - set(functions)) == [], "excluded functions that are not exported"
    with worlds(tmp_path) as (w, *_):
        missing = []
        for name in sorted(set(functions) - set(EXCLUDED)):
            try:
                kwargs = valid_call(name, w)
            except KeyError:
                missing.append(name)
                continue
            answer, _field, exc = _answer(functions[name], kwargs)
            assert answer == "ok", f"{name}: the valid call fails: {exc!r}"
        assert missing == [], f"exported functions with no valid call (add one or exclude): {missing}"


def _private_broken(value: Any, valid: Any) -> bool:
    """Whether ``value`` is ``valid`` with a private derived field (``SlaTargets._warn_ratio``) broken:
    no caller's input, unlike its public fields."""
    if not (attrs.has(type(value)) and type(value) is type(valid)):
        return False
    private = [f.name for f in attrs.fields(type(value)) if f.name.startswith("_")]
    return any(getattr(value, n, None) is not getattr(valid, n, None) for n in private)


def _hostile(name: str, function: Callable[..., Any], w: FuzzWorld) -> list[tuple[str, Any]]:
    """The cases for one function: each argument with each chosen hostile value, an unknown argument,
    each required argument left out."""
    kwargs = valid_call(name, w)
    cases: list[tuple[str, Any]] = []
    for argument, hint in hints_of(function).items():
        if argument in ("desk", "queries", "progress"):
            continue  # the host's own wiring, not values
        try:
            values = hostile_values(argument, hint, kwargs.get(argument))
        except (TypeError, ValidationError):  # a record attrs cannot evolve (a calendar, whose own
            # constructor refuses attrs' field names typed since s26): its kind's values only
            values = hostile_values(argument, hint, None)
        valid = kwargs.get(argument)
        values = [v for v in values if not _private_broken(v, valid)]
        cases += [(argument, v) for v in chosen(values, name, argument)]
    cases.append(("no_such_argument", 1))
    cases += [(argument, MISSING) for argument in kwargs if argument in required_of(function)]
    return cases


@pytest.mark.parametrize("half", [0, 1])
def test_hostile_values_of_exported_functions_get_typed_errors(
    half: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A hostile text given as a path (export_ledger's or to_xlsx's ``out``) is a file name that may be
    # accepted: written in the test's folder, never in the working tree.
    monkeypatch.chdir(tmp_path)
    functions = exported_functions()
    names = [n for n in sorted(set(functions) - set(EXCLUDED)) if (n in DESK_FIRST) == bool(half)]
    problems: list[str] = []
    calls = 0
    with worlds(tmp_path) as built:
        on = built if half else built[:1]
        snapshots = [w.snapshot() for w in on]
        for name in names:
            for argument, value in _hostile(name, functions[name], on[0]):
                answers = []
                for n, w in enumerate(on):
                    kwargs = valid_call(name, w)
                    if value is MISSING:
                        kwargs.pop(argument, None)
                    else:
                        kwargs[argument] = value
                    answer, field, exc = _answer(functions[name], kwargs)
                    calls += 1
                    where = f"{w.kind} {name}({argument}={describe(value)})"
                    if answer.startswith("ESCAPE"):
                        problems.append(f"{where}: untyped {type(exc).__name__}: {exc!s:.120}")
                    elif isinstance(exc, ValidationError) and not field:
                        problems.append(f"{where}: {answer} names no field: {exc!s:.100}")
                    after = w.snapshot()
                    if after != snapshots[n]:
                        problems.append(f"{where}: {answer} and the store changed")
                    snapshots[n] = after
                    answers.append((answer, field and _root(field)))
                if len(set(answers)) > 1:
                    problems.append(f"{name}({argument}={describe(value)}): stores differ: {answers}")
    assert problems == [], f"{len(problems)} problems in {calls} calls (full: {FULL}):\n" + "\n".join(
        problems[:80]
    )
