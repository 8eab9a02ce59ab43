"""A host's own policy object, held to its Protocol.

A host replaces a policy with any object that has the Protocol's members (``overrides=``, or a plugin's
named policy). The runtime Protocol check at :func:`~aftersales.policies.registry.resolve_policies` sees
only that the members exist, so a ``decide`` of the wrong arity failed with a ``TypeError`` at the first
command, and one that answered ``"high"`` instead of a :class:`~aftersales.policies.decision.Decision`
failed with an ``AttributeError`` from deep inside the desk. Here:

- when the policy set is resolved, each of the object's methods must accept the arguments the
  Protocol's callers pass (else a ``ConfigurationError`` naming ``<kind>.<method>``, before any store
  is opened);
- each answer is checked against the Protocol's return type (a ``Decision`` of the right outcome for a
  ``decide``); a wrong one is a :class:`~aftersales.errors.PluginError` naming the kind and the method,
  and the command is rolled back as for any error: nothing changes.

An exception the host's code raises itself is not re-dressed: it reaches the caller unchanged, with its
own traceback (it is the host's bug, not bad input; docs/concepts/policies-and-packs.md).

The library's own policies are not wrapped (they are typed and tested here; the hot path pays
nothing). A guard passes ``isinstance`` checks for the host's class (a host's subclass of a default
policy keeps the default's parameters), and any other attribute reads through to the host's object.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any

from aftersales.errors import ConfigurationError, PluginError
from aftersales.policies.decision import Decision

__all__ = ["check_own", "guarded", "is_foreign", "is_guarded"]

_OWN = "aftersales"


def is_foreign(policy: object) -> bool:
    """Whether ``policy`` is a host's object (its class defined outside aftersales)."""
    return type(policy).__module__.partition(".")[0] != _OWN


def is_guarded(policy: object) -> bool:
    """Whether ``policy`` is a host's object behind its guard (asked every time, never remembered)."""
    return type(policy).__base__ is _Guard


def guarded(kind: str, policy: object, protocol: type) -> object:
    """``policy`` of ``kind`` as the desk calls it: the library's own as is, a host's behind a guard.

    A host's method that cannot take the arguments ``protocol`` passes is a ``ConfigurationError``
    (key ``<kind>.<method>``), raised here, before any store is opened.
    """
    if not is_foreign(policy) or isinstance(policy, _Guard):
        return policy
    members = _members(protocol)
    for name, member in members.items():
        if member.callable:
            _check_signature(kind, policy, name, member.signature)
    guard: Any = _guard_class(protocol)(kind, policy)
    return guard


def check_own(kind: str, policy: object, protocol: type) -> None:
    """Refuse one of the library's own policies put in the place of another kind (a plugin's named
    policy or an override that builds a ``DefaultPriority`` for ``dispatch``).

    The library's policies are not guarded (:func:`guarded`), and the runtime Protocol check sees only
    that the members exist: every kind has a ``decide`` and a ``name``. Such a policy failed at the first
    command with a ``TypeError`` (another arity) or an ``AttributeError`` (another outcome) from deep
    inside the desk. Its methods are typed, so their arity and answer are checked here, once, when the
    policy set is resolved: a ``ConfigurationError`` naming ``<kind>.<method>``.
    """
    if is_foreign(policy) or isinstance(policy, _Guard):
        return
    for name, member in _members(protocol).items():
        if not member.callable:
            continue
        _check_signature(kind, policy, name, member.signature)
        method = getattr(type(policy), name, None)
        answer, outcome = _answer_of(method) if callable(method) else (None, None)
        for got, wanted in ((answer, member.answer), (outcome, member.outcome)):
            if got is not None and wanted is not None and not issubclass(got, wanted):
                raise ConfigurationError(
                    f"the {kind} policy {type(policy).__name__}.{name} answers {got.__name__}, not "
                    f"{wanted.__name__}: it is a policy of another kind",
                    key=f"{kind}.{name}",
                )


class _Member(typing.NamedTuple):
    callable: bool
    signature: inspect.Signature | None
    answer: type | None
    """The class every answer is an instance of (``Decision`` for a ``decide``), None if unchecked."""
    outcome: type | None
    """For a ``Decision`` answer, the class of its ``outcome`` (None if unchecked)."""


@functools.cache
def _members(protocol: type) -> dict[str, _Member]:
    names = sorted(
        name
        for base in protocol.__mro__[:-1]  # past object
        if base not in (typing.Protocol, typing.Generic)
        for name in (*vars(base), *inspect.get_annotations(base))
        if not name.startswith("_")
    )
    members: dict[str, _Member] = {}
    for name in names:
        raw = inspect.getattr_static(protocol, name, None)
        if isinstance(raw, property):
            members[name] = _Member(False, None, *_answer_of(raw.fget))
        elif callable(raw):
            members[name] = _Member(True, inspect.signature(raw), *_answer_of(raw))
        else:  # a plain attribute (``name: str``)
            members[name] = _Member(False, None, None, None)
    return members


def _answer_of(function: Callable[..., Any] | None) -> tuple[type | None, type | None]:
    """The classes a call's answer (and a Decision's outcome) must be instances of, from the Protocol's
    return annotation; None where the annotation names no plain class."""
    if function is None:
        return None, None
    try:
        hint = typing.get_type_hints(function).get("return")
    except Exception:  # an annotation that does not resolve at run time: leave the answer unchecked
        return None, None
    origin = typing.get_origin(hint) or hint
    if origin is Decision:
        args = typing.get_args(hint)
        inner = (typing.get_origin(args[0]) or args[0]) if args else None
        return Decision, inner if isinstance(inner, type) else None
    return (origin if isinstance(origin, type) and origin is not object else None), None


def _check_signature(kind: str, policy: object, name: str, expected: inspect.Signature | None) -> None:
    method = getattr(policy, name, None)
    if expected is None or method is None:
        return
    try:
        actual = inspect.signature(method)
    except (TypeError, ValueError):  # a builtin or C callable without a signature: trust it
        return
    args: list[object] = []
    kwargs: dict[str, object] = {}
    for parameter in list(expected.parameters.values())[1:]:  # past self
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[parameter.name] = None
        elif parameter.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
            args.append(None)
    try:
        actual.bind(*args, **kwargs)
    except TypeError as error:
        wanted = str(expected).replace("(self, ", "(", 1)
        raise ConfigurationError(
            f"the {kind} policy's {name}{actual} cannot be called as the desk calls it, "
            f"{name}{wanted}: {error}",
            key=f"{kind}.{name}",
        ) from None


class _Guard:
    """Base of the generated guards: the host's object and the kind it stands for."""

    __slots__ = ("_inner", "_kind")

    def __init__(self, kind: str, inner: object) -> None:
        object.__setattr__(self, "_kind", kind)
        object.__setattr__(self, "_inner", inner)

    @property  # type: ignore[misc]  # isinstance() reads it: the guard passes for the host's class
    def __class__(self) -> type:
        return type(self._inner)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._inner, name, value)

    def __eq__(self, other: object) -> bool:
        inner = other._inner if isinstance(other, _Guard) else other
        return bool(self._inner == inner)

    def __hash__(self) -> int:
        return hash(self._inner)

    def __repr__(self) -> str:
        return repr(self._inner)


def _check_answer(kind: str, name: str, member: _Member, answer: object) -> object:
    if member.answer is not None and not isinstance(answer, member.answer):
        raise PluginError(
            f"policies.{kind}", name, f"answered {type(answer).__name__}, not {member.answer.__name__}"
        )
    if member.outcome is not None and not isinstance(answer.outcome, member.outcome):  # type: ignore[attr-defined]
        got = type(answer.outcome).__name__  # type: ignore[attr-defined]
        raise PluginError(
            f"policies.{kind}", name, f"answered a Decision of {got}, not of {member.outcome.__name__}"
        )
    return answer


def _method(name: str, member: _Member) -> Callable[..., Any]:
    def call(self: _Guard, *args: Any, **kwargs: Any) -> Any:
        inner = object.__getattribute__(self, "_inner")
        answer = getattr(inner, name)(*args, **kwargs)
        return _check_answer(object.__getattribute__(self, "_kind"), name, member, answer)

    call.__name__ = name
    return call


def _attribute(name: str, member: _Member) -> property:
    def read(self: _Guard) -> Any:
        value = getattr(object.__getattribute__(self, "_inner"), name)
        return _check_answer(object.__getattribute__(self, "_kind"), name, member, value)

    return property(read)


@functools.cache
def _guard_class(protocol: type) -> type[_Guard]:
    namespace: dict[str, Any] = {"__slots__": ()}
    for name, member in _members(protocol).items():
        namespace[name] = _method(name, member) if member.callable else _attribute(name, member)
    return type(f"Guarded{protocol.__name__}", (_Guard,), namespace)
