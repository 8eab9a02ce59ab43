"""Every public method of the desk refuses an unknown or missing argument with a typed error (session 25).

The desk's commands (first argument ``actor``) were checked by ``service/arguments.validated``, but the
other public methods of the same classes were not: ``desk.health(verbose=True)``,
``desk.finder.rebuild(desk.runner, actor, batch=10)``, ``desk.complaints.open_in(...)`` with a misspelt
keyword, and every command of ``desk.jobs.marks`` (documented: ``purge_sla_alerts(manager, at=, limit=)``)
raised Python's ``TypeError`` — an untyped exception out of the public API. ``validated_commands`` now gives
every public method of the classes it decorates (static and class methods too) the same refusal, in one
place: a ``ValidationError`` naming the argument, raised before anything runs.

The desk's constructor too (``ServiceDesk(store, bogus=1)``). The walk covers the desk and every
capability it exposes (and theirs, one level down), so a method added later is covered without listing
it here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from aftersales import ServiceDesk, ValidationError

PLUMBING = frozenset({"context", "runner", "dispatching", "describing"})
"""What the composition root hands to the capabilities, no host's API (docs/embedding.md lists the
capabilities a host calls)."""

VALUES = frozenset({"jobs.actor", "jobs.settings", "teams.roster", "materials.params"})
"""Values a capability holds (the jobs' system actor and settings, its parsed-team cache, its parameters),
not methods of the desk."""


def _service_object(value: object) -> bool:
    return type(value).__module__.startswith("aftersales.service") and not isinstance(value, type)


def _objects(desk: ServiceDesk) -> Iterator[tuple[str, object]]:
    yield "desk", desk
    for name, value in vars(desk).items():
        if name.startswith("_") or name in PLUMBING or not _service_object(value):
            continue
        yield name, value
        for inner, held in vars(value).items():
            path = f"{name}.{inner}"
            if inner.startswith("_") or inner in PLUMBING or path in VALUES:
                continue
            if _service_object(held) and held is not desk:
                yield path, held


def public_methods(desk: ServiceDesk) -> dict[str, Callable[..., Any]]:
    """Every public method (static and class methods too, no property) of the desk's objects."""
    found: dict[str, Callable[..., Any]] = {}
    for path, obj in _objects(desk):
        for name in dir(type(obj)):
            if name.startswith("_"):
                continue
            attr = inspect.getattr_static(type(obj), name)
            if inspect.isfunction(attr) or isinstance(attr, staticmethod | classmethod):
                found[f"{path}.{name}"] = getattr(obj, name)
    return found


@pytest.fixture(scope="module")
def desk() -> Iterator[ServiceDesk]:
    opened = ServiceDesk.open("memory://")
    yield opened
    opened.shutdown()


def _names(desk: ServiceDesk) -> list[str]:
    return sorted(public_methods(desk))


METHODS = _names(ServiceDesk.open("memory://"))


def test_the_walk_finds_the_methods_that_were_left_unchecked() -> None:
    for path in (
        "desk.health",
        "desk.shutdown",
        "finder.rebuild",
        "jobs.leases",
        "jobs.marks.purge_job_marks",
    ):
        assert path in METHODS
    assert len(METHODS) > 300


@pytest.mark.parametrize("path", METHODS)
def test_an_unknown_argument_is_a_validation_error_naming_it(desk: ServiceDesk, path: str) -> None:
    method = public_methods(desk)[path]
    takes_any = any(p.kind is p.VAR_KEYWORD for p in inspect.signature(method).parameters.values())
    if takes_any:  # a method taking **options judges them itself
        return
    with pytest.raises(ValidationError) as refused:
        method(no_such_argument=1)
    assert refused.value.field in ("no_such_argument", *inspect.signature(method).parameters), path


@pytest.mark.parametrize("path", METHODS)
def test_a_missing_argument_is_a_validation_error_naming_it(desk: ServiceDesk, path: str) -> None:
    method = public_methods(desk)[path]
    required = [
        p.name
        for p in inspect.signature(method).parameters.values()
        if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    if not required:  # nothing can be missing (calling it would run it)
        return
    with pytest.raises(ValidationError) as refused:
        method()
    assert refused.value.field in required, path


def test_the_desk_constructor_refuses_an_argument_it_does_not_take(desk: ServiceDesk) -> None:
    with pytest.raises(ValidationError) as refused:
        ServiceDesk(desk.store, no_such_argument=1)  # type: ignore[call-arg]
    assert refused.value.field == "no_such_argument"
    with pytest.raises(ValidationError) as missing:
        ServiceDesk()  # type: ignore[call-arg]
    assert missing.value.field == "store"


def test_a_type_error_inside_a_method_is_not_taken_for_a_bad_argument() -> None:
    """Only a call that could not bind is refused as such: a ``TypeError`` the method itself raises
    keeps its own traceback (it is a bug to see, not the caller's argument)."""
    from aftersales.service.arguments import signature_checked

    def broken(x: int) -> int:
        return x + "1"  # type: ignore[operator]

    with pytest.raises(TypeError):
        signature_checked(broken)(1)
    with pytest.raises(ValidationError) as refused:
        signature_checked(broken)(1, 2)
    assert refused.value.field == "broken"
