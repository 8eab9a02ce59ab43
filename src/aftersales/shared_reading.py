"""Reading stored values back with their equal parts shared: charge sheets, their reasons and prices.

A ticket's charge sheet repeats its decisions' reasons on every line and the same prices; read apart, a
ten-line sheet came back as 120 GC-tracked objects, and a desk keeps the sheets of its open tickets.
While one sheet is read (:func:`sheet_hook`), equal immutable values are read once and shared; outside a
sheet, every value is read on its own as before. Reasons are shared within one sheet only (they carry
the ticket's own dates); amounts and charge lines — the price list's and the fee schedules' values, the
same on every sheet of a desk — are shared across sheets too, from a bounded pool of immutable values
(:data:`PRICE_POOL_LIMIT`), as the assessment that wrote them shares them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextvars import ContextVar
from itertools import repeat
from typing import Any

import attrs
import cattrs

from aftersales.domain.charges import ChargeLine, ChargeSheet
from aftersales.domain.money import Money
from aftersales.domain.reasons import Reason
from aftersales.errors import ValidationError

__all__ = ["PRICE_POOL_LIMIT", "sheet_hook", "structure_money", "structure_reason", "structure_reasons"]


_SHARED: ContextVar[dict[Any, Any] | None] = ContextVar("aftersales_shared_values", default=None)
"""While a charge sheet is read: its values already read, by their class and stored form (see sheet_hook)."""

PRICE_POOL_LIMIT = 16_384
"""Most amounts and charge lines kept for sharing across sheets (a price list's parts × the quantities
seen × free or charged, the fee schedules' amounts); beyond it they are shared within a sheet only."""

_PRICES: dict[Any, Any] = {}
"""Amounts and charge lines read back in sheets, by their class and stored form: frozen values, so a
sheet read later shares them instead of keeping copies (a kept sheet then holds no price of its own)."""


def _price(key: Any, shared: dict[Any, Any]) -> Any:
    """The amount or line already read for ``key``: from the pool, else from this sheet, else ``None``."""
    found = _PRICES.get(key)
    return shared.get(key) if found is None else found


def _keep_price(key: Any, value: Any, shared: dict[Any, Any]) -> None:
    if len(_PRICES) < PRICE_POOL_LIMIT:
        _PRICES[key] = value
    else:
        shared[key] = value


def structure_reason(value: Any, _: type) -> Reason:
    """A stored reason read back (shared with its equals while a sheet is read)."""
    shared = _SHARED.get()
    if shared is None:
        return Reason(value["code"], dict(value.get("params") or {}))
    return _shared_reason(value, shared)


def _shared_reason(value: Any, shared: dict[Any, Any]) -> Reason:
    params = value.get("params") or {}
    if type(params) is not dict:  # not as written: read (or refused) as before
        return Reason(value["code"], dict(params))
    # Order and types kept in the key (True == 1): a shared reason writes back exactly as it was read.
    values = params.values()
    key = (Reason, value["code"], *params, *map(type, values), *values)
    try:
        found: Reason | None = shared.get(key)
    except TypeError:  # an unhashable parameter: let the constructor refuse it
        return Reason(value["code"], dict(params))
    if found is None:
        found = shared[key] = Reason(value["code"], dict(params))
    return found


def structure_reasons(value: Any, _: type) -> tuple[Reason, ...]:
    """A stored tuple of reasons read back (one tuple per distinct list while a sheet is read)."""
    shared = _SHARED.get()
    if shared is None:
        return tuple(structure_reason(item, Reason) for item in value)
    reasons = tuple(map(_shared_reason, value, repeat(shared)))
    key = (tuple, *map(id, reasons))  # the reasons are shared, so their ids name the tuple
    found: tuple[Reason, ...] | None = shared.get(key)
    if found is None:
        found = shared[key] = reasons
    return found


def structure_money(value: Any, _: type) -> Money:
    """A stored amount read back: strings only, never floats (shared with its equals within a sheet)."""
    if not isinstance(value, Mapping) or set(value) != {"amount", "currency"}:
        raise ValidationError(f"money is {{'amount': str, 'currency': str}}, got {value!r}")
    amount = value["amount"]
    if isinstance(amount, float):
        raise ValidationError("money amounts travel as strings, never floats")
    shared = _SHARED.get()
    if shared is None:
        return Money(amount, value["currency"])
    key = (Money, type(amount), amount, value["currency"])  # True == 1: the type too
    try:
        found: Money | None = _price(key, shared)
    except TypeError:  # an unhashable amount or currency: let the constructor refuse it
        return Money(amount, value["currency"])
    if found is None:
        found = Money(amount, value["currency"])
        _keep_price(key, found, shared)
    return found


_LINE_KEYS = frozenset(a.name for a in attrs.fields(ChargeLine))


def sheet_hook(conv: cattrs.Converter) -> Callable[[Any, type], ChargeSheet]:
    """Reading a charge sheet shares its equal values: one :class:`Reason`, one reasons tuple, one
    :class:`Money` and one :class:`ChargeLine` per distinct stored form, as the assessment and the
    quotes that wrote the sheet shared them.

    Why: every line of a sheet repeats its decision's reasons and the same prices; read apart, a
    ten-line sheet came back as 120 GC-tracked objects, and a desk keeps the sheets of its open tickets.
    All are immutable values. Reasons are shared for one sheet; amounts and lines also with the sheets
    read before (the bounded pool in the module docstring).
    """
    plain_line = conv.get_structure_hook(ChargeLine)

    def structure_line(value: Any, cls: type) -> ChargeLine:
        shared = _SHARED.get()
        # Only a complete record is shared (one with a key missing or extra is read, and refused, as before).
        if shared is None or type(value) is not dict or value.keys() != _LINE_KEYS:
            line: ChargeLine = plain_line(value, cls)
            return line
        price, quantity, chargeable = value["unit_price"], value["quantity"], value["chargeable"]
        if type(price) is not dict or len(price) != 2:
            line = plain_line(value, cls)
            return line
        amount, currency = price.get("amount"), price.get("currency")  # a missing key: None, never shared
        key = (
            ChargeLine, value["kind"], value["item"], type(quantity), quantity, type(chargeable), chargeable,
            type(amount), amount, currency,
        )  # fmt: skip
        try:
            found: ChargeLine | None = _price(key, shared)
        except TypeError:  # an unhashable value: let the constructor refuse it
            line = plain_line(value, cls)
            return line
        if found is None:
            found = plain_line(value, cls)
            _keep_price(key, found, shared)
        return found

    conv.register_structure_hook(ChargeLine, structure_line)
    plain = conv.get_structure_hook(ChargeSheet)  # built after the hooks above: it calls them

    def structure_sheet(value: Any, cls: type) -> ChargeSheet:
        token = _SHARED.set({})
        try:
            sheet: ChargeSheet = plain(value, cls)
        finally:
            _SHARED.reset(token)
        return sheet

    return structure_sheet
