"""Argument checks for the functions the package exports (renderers, report builders, SLA clocks).

Why: the desk's commands have every argument checked by its annotation (service/arguments.py), but the
functions a host imports from ``aftersales`` took whatever they were given: a wrong object, a record
changed behind its constructor's back, or a surplus argument ended in an ``AttributeError`` or
``TypeError`` deep inside (and a broken period was refused by SQLite but crashed memory). :func:`exported`
wraps such a function so that, before it runs, the call's shape is checked (:func:`entry_point`) and
every argument annotated with a record class (or a sequence of records) is checked field by field, an
argument annotated with another concrete class by its class, and a record given where any report may
come (``report: object``) by its own fields; an instant as every command checks one (aware, within
``YEAR_RANGE``) and a locale as text. A refusal is a ``ValidationError`` naming the argument.
The function itself still gets the values as given: the checks refuse, they do not convert.
"""

from __future__ import annotations

import enum
import functools
import inspect
import sys
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import attrs

from aftersales.domain.validation import check_record, checker_for, resolve_hint
from aftersales.errors import ValidationError
from aftersales.service.arguments import entry_point

__all__ = ["exported"]

F = TypeVar("F", bound=Callable[..., Any])
Check = Callable[[object], None]

_SEQUENCES = (Sequence, typing.Sequence, tuple, list)


def _of_class(cls: type[Any], field: str) -> Check:
    def check(value: object) -> None:
        if not isinstance(value, cls):
            raise ValidationError(
                f"{field} must be a {cls.__name__}, got {type(value).__name__}", field=field
            )

    return check


def _record(cls: type[Any], field: str) -> Check:
    def check(value: object) -> None:
        check_record(value, field, cls)

    return check


def _any_record(field: str) -> Check:
    """A report given where any report may come: each of its fields that holds a record (or a tuple of
    records) holds one of the annotated class, all the way down. Shallow by design: a report's text is
    what a renderer shows, not input to judge by the commands' text rules."""

    def check(value: object) -> None:
        _holds_its_records(value, field, depth=0)

    return check


def _holds_its_records(value: object, field: str, depth: int) -> None:
    cls = type(value)
    if depth > 4 or not attrs.has(cls):
        return
    namespace = vars(sys.modules[cls.__module__])
    for attribute in attrs.fields(cls):
        # an annotation only a type checker resolves is Any: nothing to compare with
        hint, inner = resolve_hint(attribute.type, namespace), getattr(value, attribute.name)
        where = f"{field}.{attribute.name}"
        members = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, types.UnionType) else ()
        expected = [m for m in members if m is not type(None)] if members else [hint]
        if len(expected) == 1 and isinstance(expected[0], type) and issubclass(expected[0], enum.Enum):
            if not (inner is None and members) and not isinstance(inner, expected[0]):
                raise ValidationError(f"{where} must be a {expected[0].__name__}", field=where)
        elif len(expected) == 1 and isinstance(expected[0], type) and attrs.has(expected[0]):
            if not (inner is None and members) and not isinstance(inner, expected[0]):
                raise ValidationError(f"{where} must be a {expected[0].__name__}", field=where)
            _holds_its_records(inner, where, depth + 1)
        elif typing.get_origin(hint) is tuple:
            args = typing.get_args(hint)
            item = args[0] if len(args) == 2 and args[1] is Ellipsis else None
            if isinstance(item, type) and attrs.has(item):
                if not isinstance(inner, tuple):
                    raise ValidationError(f"{where} must be a tuple of {item.__name__}", field=where)
                for entry in inner:
                    if not isinstance(entry, item):
                        raise ValidationError(f"{where} must hold {item.__name__} records", field=where)


def _sequence_of(item: Check, field: str) -> Check:
    def check(value: object) -> None:
        if not isinstance(value, (list, tuple)):
            raise ValidationError(
                f"{field} must be a list or tuple, got {type(value).__name__}", field=field, rule="collection"
            )
        for entry in value:
            item(entry)

    return check


def _reads(protocol: type[Any], field: str) -> Check | None:
    """A protocol of properties only (what a paper reads of a ticket): the value has each of them.
    A protocol with methods (a desk, the reporting queries) is the host's wiring: not checked here."""
    names = [n for n, v in vars(protocol).items() if isinstance(v, property)]
    if not names or any(inspect.isfunction(v) for n, v in vars(protocol).items() if not n.startswith("_")):
        return None

    def check(value: object) -> None:
        missing = [n for n in names if not hasattr(value, n)]
        if missing:
            raise ValidationError(
                f"{field} must have {', '.join(missing)} (a {protocol.__name__}), got {type(value).__name__}",
                field=field,
            )

    return check


def _instant(field: str) -> Check:
    instant = checker_for(datetime, field)

    def check(value: object) -> None:
        instant(value)

    return check


def _optional(inner: Check) -> Check:
    def check(value: object) -> None:
        if value is not None:
            inner(value)

    return check


def _check_for(hint: Any, field: str) -> Check | None:
    """The check of one argument, or None when its annotation leaves nothing to check here (text,
    numbers, protocols, callables: the function checks those itself, as it always did)."""
    if hint is object and field == "report":
        return _any_record(field)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        members = [a for a in args if a is not type(None)]
        if len(members) != 1:
            return None
        inner = _check_for(members[0], field)
        return None if inner is None else _optional(inner) if len(members) < len(args) else inner
    if origin in (Mapping, typing.Mapping, dict):
        return _of_class(Mapping, field)
    if origin in _SEQUENCES and args and (len(args) == 1 or args[-1] is Ellipsis):
        item = _check_for(args[0], field)
        return None if item is None else _sequence_of(item, field)
    if hint is str and field == "locale":  # looked up in caches: a list is no locale (not hashable)
        return _of_class(str, field)
    if hint is datetime:  # an instant within the years every command takes (local days stay representable)
        return _instant(field)
    if isinstance(hint, type) and getattr(hint, "_is_protocol", False):
        return _reads(hint, field)
    if origin is not None or not isinstance(hint, type):
        return None
    if hint.__module__ == "builtins" or not hint.__module__.startswith("aftersales."):
        return None  # text, numbers, dates: the function's own checks
    return _record(hint, field) if attrs.has(hint) else _of_class(hint, field)


def exported(function: F) -> F:
    """``function`` with its call's shape and its record (and class) arguments checked first."""
    namespace = vars(sys.modules[function.__module__])
    signature = inspect.signature(function)
    checks: dict[str, Check] = {}
    for param in signature.parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        check = _check_for(resolve_hint(param.annotation, namespace), param.name)
        if check is not None:
            checks[param.name] = check
    shaped = entry_point(function)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError:
            return shaped(*args, **kwargs)  # refuses the call's shape with a typed error
        for name, value in bound.arguments.items():
            check = checks.get(name)
            if check is not None:
                check(value)
        return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
