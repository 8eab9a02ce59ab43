"""Session 26 (g): the factories, constructors and enums a host calls refuse a wrong call typed.

``WebhookNotifier(url, secret, timout=5)``, ``Actor.manager("m1", nme="王")`` and every other public
classmethod, staticmethod or hand-written constructor of an exported class let Python's ``TypeError`` out
of the public API; ``Priority("p9")`` (a host's own code turned into the enum) was a bare ``ValueError``
naming no field. Now a wrong call's shape is a ``ValidationError`` naming the argument
(``domain/call_shape.py``), and an unknown code a ``ValidationError`` naming the enum and listing its codes
(``domain/coded_enum.py``: still a ``ValueError``). An exported class added later is covered here or fails.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest

import aftersales
import aftersales.adapters
from aftersales import Actor, Money, Priority, Role, TicketState
from aftersales.adapters.notifier_webhook import WebhookNotifier
from aftersales.errors import ValidationError

MODULES = (
    aftersales,
    aftersales.adapters,
    *(
        __import__(f"aftersales.adapters.{name}", fromlist=["_"])
        for name in (
            "notifier_webhook",
            "notifier_smtp",
            "notifier_sms",
            "notifier_wecom",
            "notifier_routing",
        )
    ),
)

LEFT_AS_THEY_ARE: dict[str, str] = {
    "CommandRunner": "the desk's own wiring on the command path (its load/tier run per command): "
    "a host gets it built by ServiceDesk.open",
    "Reason": "Reason.checked is the assessment's fast path (a reason per warranty term): a wrapper "
    "doubled its cost; a host builds reasons with Reason(code, params), attrs-checked",
    "Decision": "Decision.checked is the charge sheet's fast path (a decision per warranty term); a host "
    "builds decisions with Decision(outcome, reasons, policy), attrs-checked",
}
"""Exported classes whose factories keep Python's check, with why."""


def _classes() -> Iterator[type[Any]]:
    seen: set[type[Any]] = set()
    for module in MODULES:
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if not inspect.isclass(value) or value in seen or issubclass(value, BaseException | enum.Enum):
                continue
            if getattr(value, "_is_protocol", False) or value.__name__ in LEFT_AS_THEY_ARE:
                continue
            seen.add(value)
            yield value


def _calls() -> list[tuple[str, Callable[..., Any]]]:
    found = []
    for cls in _classes():
        for name, member in vars(cls).items():
            if isinstance(member, classmethod | staticmethod) and not name.startswith("_"):
                found.append((f"{cls.__name__}.{name}", getattr(cls, name)))
        init = vars(cls).get("__init__")
        if inspect.isfunction(init) and not attrs.has(cls):
            found.append((f"{cls.__name__}()", cls))
    return found


CALLS = _calls()


def test_the_scan_finds_the_factories_hosts_call() -> None:
    names = {name for name, _ in CALLS}
    assert {"Actor.manager", "WebhookNotifier()", "Money.zero", "ManualClock()"} <= names


@pytest.mark.parametrize(("name", "call"), CALLS, ids=[name for name, _ in CALLS])
def test_an_unknown_keyword_is_a_validation_error_naming_it(name: str, call: Callable[..., Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        call(no_such_option=1)
    # the desk's capabilities (service/arguments) name the first argument missing instead
    takes = inspect.signature(call).parameters
    assert caught.value.field == "no_such_option" or caught.value.field in takes, name


def test_the_webhook_notifier_and_an_actor_factory_name_the_misspelt_keyword() -> None:
    with pytest.raises(ValidationError) as caught:
        WebhookNotifier("https://hooks.example.com/a", "secret", timout=5)
    assert caught.value.field == "timout"
    with pytest.raises(ValidationError) as caught:
        Actor.manager("m1", nme="王经理")
    assert caught.value.field == "nme"
    with pytest.raises(ValidationError) as caught:
        Actor.manager()
    assert caught.value.field == "id"
    with pytest.raises(ValidationError) as caught:
        Money.zero("CNY", "USD")
    assert caught.value.field == "zero"  # one positional argument too many: the factory is named


def test_a_good_call_is_unchanged() -> None:
    actor = Actor.manager("m1", name="王经理")
    assert (actor.id, actor.role, actor.name) == ("m1", Role.MANAGER, "王经理")
    assert Money.zero("CNY") == Money.zero(currency="CNY")


ENUMS = [
    value
    for name in aftersales.__all__
    if inspect.isclass(value := getattr(aftersales, name)) and issubclass(value, enum.StrEnum)
]


@pytest.mark.parametrize("enum_class", ENUMS, ids=[e.__name__ for e in ENUMS])
def test_an_unknown_code_is_a_validation_error_naming_the_enum(enum_class: type[enum.StrEnum]) -> None:
    for code in ("no-such-code", 42, None):
        with pytest.raises(ValidationError) as caught:
            enum_class(code)
        assert (
            caught.value.field is not None
            and caught.value.field.replace("_", "") == enum_class.__name__.lower()
        )
        assert isinstance(caught.value, ValueError)  # a host's ``except ValueError`` still holds
    first = next(iter(enum_class))
    assert enum_class(first.value) is first


def test_the_enum_refusal_lists_the_codes() -> None:
    with pytest.raises(ValidationError, match="not a valid TicketState") as caught:
        TicketState("opened")
    assert caught.value.field == "ticket_state"
    assert "in_progress" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        Priority("p9")
    assert caught.value.field == "priority"
