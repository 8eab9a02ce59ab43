# mypy: disable-error-code="arg-type"
"""Every option of every public method, given a valid value other than its default, on the three stores.

The public-API fuzz (test_public_api_fuzz.py) calls each method with its required arguments and gives each
argument hostile values; an option (an argument with a default: ``limit=`` of a purge, ``batch=`` of a
back-fill, ``cancel_open_tickets=`` of an erasure …) was never tried with a *valid* value of its own, so
what the stores do with it was not compared. Here each option in turn gets a valid non-default value
(from the fuzz's world when its name is known there, else from its annotation); the call must end in a
result or a typed error, a refusal changes nothing, and memory, SQLite and PostgreSQL answer alike. A
method or option added later is tried or this test fails (:data:`NOT_TRIED` lists, with a reason, those
that are not).
"""

from __future__ import annotations

import enum
import inspect
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fuzz_world import FuzzWorld
from test_public_api_fuzz import (
    EXCLUDED,
    LATER,
    Lockstep,
    _by_name,
    _members,
    _shard,
    public_methods,
    worlds,
)

from aftersales import Money
from aftersales.adapters.holidays_cn import china_mainland_calendar
from aftersales.domain.bounds import Bounds
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.complaints import BatchIncident, CrisisFacts
from aftersales.domain.ids import ProductId
from aftersales.domain.maintenance import UsageInterval
from aftersales.domain.survey_campaigns import SamplingRules
from aftersales.ports.queries import PageRequest, TicketFilter
from aftersales.service.complaint_log import ComplaintLogFilter

SHARED = frozenset({"idempotency_key"})
"""Options every command shares, tried by their own tests (test_idempotency_replays_s17.py …)."""

NOT_TRIED: dict[str, str] = {
    "desk.export_ledger.progress": "a callback the host passes: no value to compare across stores",
}
"""Options not given a valid value here, with why."""


RECORDS: dict[Any, Any] = {
    TicketFilter: TicketFilter(),
    PageRequest: PageRequest(limit=2),
    CrisisFacts: CrisisFacts(economic_loss=True, loss=Money("5000", "CNY")),
    BatchIncident: BatchIncident(ProductId("wc-100"), "B2025-07", "valve_aging", 3, 100),
    UsageInterval: UsageInterval(500, "cycles"),
    SamplingRules: SamplingRules(sample_size=2),
    BusinessCalendar: china_mainland_calendar(),
    ComplaintLogFilter: ComplaintLogFilter(),
}
"""A valid record for an option whose annotation is a record class."""


class _NoValue(Exception):
    pass


def _from_hint(hint: Any, default: Any) -> Any:
    """A valid value of ``hint`` other than ``default``, else :class:`_NoValue`."""
    members, _optional = _members(hint)
    for member in members:
        if typing.get_origin(member) is typing.Annotated:
            base, *extra = typing.get_args(member)
            bounds = [m for m in extra if isinstance(m, Bounds)]
            if base is int and bounds:
                low = bounds[0].least
                return low + 1 if default != low + 1 else low
            member = base
        if member in RECORDS:
            return RECORDS[member]
        if isinstance(member, typing.NewType):
            member = member.__supertype__
        origin = typing.get_origin(member)
        if member is bool:
            return not default
        if member is int:
            return 2 if default != 2 else 3
        if member is timedelta:
            return timedelta(days=2)
        if member is datetime:
            return LATER
        if member is date:
            return LATER.date()
        if member is Money:
            return Money("10", "CNY")
        if isinstance(member, type) and issubclass(member, enum.Enum):
            return next(m for m in member if m != default)
        if origin is typing.Literal:
            return next(a for a in typing.get_args(member) if a != default)
        if member is str:
            return "说明文字"
        if origin in (tuple, list, frozenset, set) or (
            origin is not None and origin.__module__ == "collections.abc" and origin is not Mapping
        ):
            if origin is Callable or str(origin).endswith("Callable'>"):
                continue
            return ()
        if origin in (dict, Mapping):
            return {}
    raise _NoValue


def option_value(key: str, name: str, hint: Any, default: Any, w: FuzzWorld) -> Any:
    """A valid value for the option ``name`` of ``key``: the world's when the fuzz knows the name."""
    try:
        value = _by_name(name, w, key)
    except KeyError:
        return _from_hint(hint, default)
    if value == default:
        raise _NoValue
    return value


def options_of(method: Callable[..., Any]) -> dict[str, tuple[Any, Any]]:
    """The method's options: name → (annotation, default)."""
    hints = getattr(method, "argument_hints", None) or {}
    found = {}
    for p in inspect.signature(method).parameters.values():
        if p.default is p.empty or p.name in SHARED or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        found[p.name] = (hints.get(p.name, Any), p.default)
    return found


def test_every_option_has_a_valid_value_or_a_reason(tmp_path: Path) -> None:
    with worlds(tmp_path) as (w, *_):
        missing = []
        for key, method in sorted(public_methods(w.desk).items()):
            if key in EXCLUDED:
                continue
            for name, (hint, default) in options_of(method).items():
                if f"{key}.{name}" in NOT_TRIED:
                    continue
                try:
                    option_value(key, name, hint, default, w)
                except _NoValue:
                    missing.append(f"{key}.{name}")
        assert missing == [], "options with no valid value (add one, or list with a reason):\n" + "\n".join(
            missing
        )


@pytest.mark.parametrize("shard", range(4))
def test_options_with_valid_values_agree_on_every_store(shard: int, tmp_path: Path) -> None:
    with worlds(tmp_path) as built:
        lockstep = Lockstep(built)
        methods = public_methods(built[0].desk)
        for key in sorted(methods):
            if key in EXCLUDED or _shard(key) != shard:
                continue
            for name, (hint, default) in options_of(methods[key]).items():
                if f"{key}.{name}" in NOT_TRIED:
                    continue
                lockstep.run(key, name, option_value(key, name, hint, default, built[0]))
        assert lockstep.problems == [], (
            f"{len(lockstep.problems)} problems in {lockstep.calls} calls:\n"
            + "\n".join(lockstep.problems[:60])
        )
