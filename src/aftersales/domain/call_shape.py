"""A host's call of a factory or constructor the package exports: a wrong shape is a ``ValidationError``.

Why: the desk's methods refuse an unknown, missing or surplus argument with a ``ValidationError`` naming
it (``service/arguments``), but the classmethod factories and hand-written constructors a host calls
to build its inputs (``Actor.manager(...)``, ``Money.zero(...)``, ``WebhookNotifier(...)``) let
Python's ``TypeError`` out. :func:`host_factories` marks such a class: its public classmethods and
staticmethods and its own ``__init__`` refuse a wrong call typed. Free on a good call: the signature
is bound only once the call itself raised ``TypeError`` (its traceback ends in the wrapper), so a
``TypeError`` from inside is left alone. Chosen per class, not for every record: attrs constructors
(hundreds) keep Python's check, whose cost a global wrapper would add to each.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable
from typing import Any, TypeVar

from aftersales.errors import ValidationError

__all__ = ["argument_name", "call_refusal", "host_factories", "said_safely", "shape_checked"]

F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=type)

_NAMED = re.compile(r"'([^']+)'")


_LONGEST = 64


def argument_name(key: object) -> str:
    """``key`` (an argument name a caller passed) as an error's field: itself when it is a name, else
    escaped and cut (``'\\ud800'``): a lone surrogate or a 10,000-character keyword would otherwise reach
    every message, mail and log line the error is written to, which no UTF-8 stream can carry."""
    if isinstance(key, str) and key.isidentifier() and len(key) <= _LONGEST:
        return key
    return ascii(key)[:_LONGEST]


def said_safely(text: str) -> str:
    """``text`` (Python's words about a call, quoting what the caller passed) with lone surrogates
    escaped and cut to a readable length."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")[: _LONGEST * 5]


def call_refusal(name: str, error: TypeError, shown: str | None = None) -> ValidationError:
    """The ``ValidationError`` for Python's ``TypeError`` on binding a call's arguments: the field is the
    argument it quotes (unknown, missing; Python names an unknown keyword before a missing argument),
    else the function's ``name`` (too many positional ones); ``shown`` names the function in the
    message (its qualified name)."""
    named = _NAMED.search(str(error))
    field = argument_name(named.group(1)) if named else name
    return ValidationError(f"{shown or name}: {said_safely(str(error))}", field=field)


def shape_checked(function: F) -> F:
    """``function`` refusing arguments it does not take (unknown, missing, surplus) with a
    ``ValidationError`` naming the argument (else the function), not Python's ``TypeError``. Free on a
    good call: the signature is bound only once the call itself raised ``TypeError`` (its traceback ends
    in this wrapper), so a ``TypeError`` from inside the function is left as it is."""
    signature = inspect.signature(function)
    name, shown = function.__name__, function.__qualname__

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except TypeError as error:
            if error.__traceback__ is None or error.__traceback__.tb_next is not None:
                raise  # raised inside the function: not about its arguments
            try:
                signature.bind(*args, **kwargs)
            except TypeError:
                # Python's words on the call itself name the function (the binding's do not)
                raise call_refusal(name, error, shown) from None
            raise

    return wrapper  # type: ignore[return-value]


def _generated(init: Callable[..., Any]) -> bool:
    """Whether ``init`` is an attrs record's generated constructor (left to Python's own check)."""
    return init.__code__.co_filename.startswith("<attrs generated")


def host_factories(cls: C) -> C:
    """``cls`` with its public classmethods and staticmethods and its own hand-written ``__init__``
    shape-checked (an attrs record's generated one is left as it is)."""
    for name, value in list(vars(cls).items()):
        if isinstance(value, classmethod | staticmethod) and not name.startswith("_"):
            if inspect.isfunction(value.__func__):
                setattr(cls, name, type(value)(shape_checked(value.__func__)))
        elif name == "__init__" and inspect.isfunction(value) and not _generated(value):
            setattr(cls, name, shape_checked(value))
    return cls
