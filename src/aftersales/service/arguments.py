"""The validation layer at the boundary: every public command's arguments checked by their annotations.

Why a class decorator and not checks in each method: a desk has dozens of commands, and hand-written
checks drift (``urgent="false"`` made a ticket urgent, ``problem_back="false"`` sent it to rework).
:func:`validated_commands` reads each public method's signature once, builds a checker per parameter
with :func:`aftersales.domain.validation.checker_for`, and wraps the method so that a bad argument
raises :class:`~aftersales.errors.ValidationError` naming it *before* anything runs (so nothing
changes), an unknown or missing argument is a ``ValidationError`` too (not a ``TypeError``), and
normalised values (enum members for their codes, NFC text, tuples for one-shot iterables) are what the
command sees. Master-data records passed to a command are checked field by field the same way.

The same decorator gives every other public method of the class (a query without an actor, a static
method, ``shutdown``, ``health``, ``finder.rebuild``) :func:`signature_checked`: an unknown, missing or
surplus argument is a ``ValidationError`` naming it there too, in this one place rather than per method.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from aftersales.domain.call_shape import argument_name, call_refusal, shape_checked
from aftersales.domain.validation import Checker, checker_for, resolve_hint
from aftersales.errors import ValidationError
from aftersales.service.actors import ACTING, Actor, check_actor_text

__all__ = ["commands_of", "entry_point", "signature_checked", "validated", "validated_commands"]

C = TypeVar("C", bound=type)
F = TypeVar("F", bound=Callable[..., Any])


def _check_actor(value: object) -> Actor:
    if not isinstance(value, Actor):
        raise ValidationError("the first argument of every command is an Actor", field="actor")
    check_actor_text(value)
    return value


def validated(method: F) -> F:
    """Wrap one command (first parameter after ``self`` named ``actor``) with its argument checks."""
    signature = inspect.signature(method)
    params = list(signature.parameters.values())[1:]  # without self
    namespace = vars(sys.modules[method.__module__])
    positional: list[tuple[str, Checker]] = []
    by_name: dict[str, Checker] = {}
    hints: dict[str, Any] = {}
    required: set[str] = set()
    var_keyword = any(p.kind is p.VAR_KEYWORD for p in params)
    for param in params:
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        hints[param.name] = resolve_hint(param.annotation, namespace)
        if param.name == "actor":
            check: Checker = _check_actor
        else:
            check = checker_for(hints[param.name], param.name)
        by_name[param.name] = check
        if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
            positional.append((param.name, check))
        if param.default is param.empty:
            required.add(param.name)
    name = method.__name__
    limit = len(positional)
    # The required arguments the first k positional ones leave to be named, for each k: the common
    # call (every required argument given positionally) is then one list index.
    unnamed = [frozenset(required - {p for p, _ in positional[:k]}) for k in range(limit + 1)]

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if len(args) > limit:
            raise ValidationError(f"{name} takes at most {limit} positional arguments", field=name)
        if args:
            args = tuple([check(value) for (_, check), value in zip(positional, args, strict=False)])
        for key, value in kwargs.items():
            check = by_name.get(key)
            if check is None:
                if var_keyword:
                    continue
                raise ValidationError(f"{name} has no argument {key!r}"[:320], field=argument_name(key))
            checked = check(value)
            if checked is not value:
                kwargs[key] = checked
        left = unnamed[len(args)]
        if left and not left <= kwargs.keys():
            given = {p for p, _ in positional[: len(args)]} | kwargs.keys()
            missing = sorted(required - given)
            raise ValidationError(f"{name} needs {', '.join(missing)}", field=missing[0])
        # The acting role lives as long as this one call (what ``acting_scope`` does, without the
        # generator a context manager costs on every command).
        token = ACTING.set(None)
        try:
            return method(self, *args, **kwargs)
        finally:
            ACTING.reset(token)

    # What a test (or a host's form builder) needs to know about the command's arguments.
    wrapper.argument_hints = hints  # type: ignore[attr-defined]
    wrapper.required_arguments = frozenset(required)  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def commands_of(obj: object) -> dict[str, Callable[..., Any]]:
    """The validated commands (and queries) of a desk object, by name: bound methods."""
    found: dict[str, Callable[..., Any]] = {}
    for name in dir(type(obj)):
        if name.startswith("_"):
            continue
        attr = inspect.getattr_static(type(obj), name)
        if hasattr(attr, "argument_hints"):
            found[name] = getattr(obj, name)
    return found


def _is_command(value: object) -> bool:
    if not inspect.isfunction(value) or value.__name__.startswith("_"):
        return False
    params = list(inspect.signature(value).parameters)
    return len(params) >= 2 and params[1] == "actor"


def validated_commands(cls: C) -> C:
    """Class decorator: every public method whose first argument is ``actor`` checks its arguments; every
    other public method (static and class methods too) and the constructor refuse an argument they do not
    take (:func:`signature_checked`). Methods already checked (``@validated``) are left as they are."""
    for attr, value in list(vars(cls).items()):
        if (attr.startswith("_") and attr != "__init__") or hasattr(value, "argument_hints"):
            continue  # the constructor is public too: ``ServiceDesk(store, bogus=1)``
        if _is_command(value):
            setattr(cls, attr, validated(value))
        elif inspect.isfunction(value):
            setattr(cls, attr, signature_checked(value))
        elif isinstance(value, staticmethod | classmethod) and inspect.isfunction(value.__func__):
            setattr(cls, attr, type(value)(signature_checked(value.__func__)))
    return cls


signature_checked = shape_checked
"""Wrap a public method that is no actor's command: arguments it does not take (unknown, missing,
surplus) are a :class:`~aftersales.errors.ValidationError` naming the argument, not Python's
``TypeError`` (:func:`~aftersales.domain.call_shape.shape_checked`, shared with the host factories)."""


def entry_point(function: F) -> F:
    """Wrap a public entry point that is no actor's command (``ServiceDesk.open``,
    ``ServiceDesk.move_books_zone``; under ``@classmethod``): an unknown, missing or surplus argument is a
    :class:`~aftersales.errors.ValidationError` naming it, as for every command, before anything runs —
    not the ``TypeError`` Python raises (no untyped exception leaves the public API)."""
    signature = inspect.signature(function)
    name = function.__name__

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            signature.bind(*args, **kwargs)
        except TypeError as error:
            raise call_refusal(name, error) from None
        return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
