# mypy: disable-error-code="arg-type"
"""A host's own components held to their contracts: policy objects and the finance system.

A policy object of the host's passed the runtime Protocol check with any ``decide`` at all: one of the
wrong arity failed at the first command with a ``TypeError``, and one answering a string instead of a
``Decision`` failed with an ``AttributeError`` from inside the desk. The arity is now checked when the
desk opens (``ConfigurationError``) and each answer when it is given (``PluginError``, nothing changed).
The host's own exceptions still reach it unchanged (test_embedding.py).

The finance system (``InvoiceIssuer``) is the host's remote system: when it was down and raised its own
``ConnectionError``, the customer's accepted quote was stored but the accept command failed with that
error, and an issuer answering no ``IssuedInvoice`` failed it with an ``AttributeError``. Each is now a
failed invoice request that ``retry_invoices`` sends again, as a notifier's failure is a message to retry.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from aftersales import PluginError, render_error
from aftersales.adapters.attachments_memory import MemoryAttachmentStore
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.actors import Role
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.classification import Priority, Severity
from aftersales.domain.fee_slips import InvoiceState, InvoiceWish
from aftersales.domain.money import Money
from aftersales.domain.reasons import Reason
from aftersales.errors import ConfigurationError
from aftersales.policies.chargeability import DefaultChargeabilityPolicy
from aftersales.policies.decision import Decision
from aftersales.policies.dispatch import DefaultDispatch
from aftersales.policies.kinds import NamedPolicy
from aftersales.policies.notification import DefaultNotification, NotificationFacts
from aftersales.policies.registry import Registry, resolve_policies
from aftersales.policies.sla import DefaultSla, SlaParams
from aftersales.policies.triage import DefaultPriority, Triage, TriageFacts
from aftersales.ports.attachments import StoredBlob
from aftersales.ports.invoicing import InvoiceRequest, IssuedInvoice
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


class _ArityDispatch:
    """A dispatch policy written against the wrong signature (one ``facts`` argument)."""

    name = "host.dispatch"

    def decide(self, facts: object) -> object:
        raise AssertionError("never called: the desk refuses it at open")


class _WordyPriority:
    """A priority policy answering a word where a Decision is due."""

    name = "host.priority"

    def decide(self, facts: TriageFacts) -> object:
        return "high"


class _BareOutcomePriority:
    """A priority policy answering a Decision of the wrong outcome (a Priority, not a Triage)."""

    name = "host.priority"

    def decide(self, facts: TriageFacts) -> Decision[Any]:
        return DefaultPriority().decide(facts).__class__(Priority.CRITICAL, ("host_rule",), self.name)


@attrs.frozen
class _HostPriority(DefaultPriority):
    """A host's subclass of the default: its answers are the default's, its parameters read as such."""

    name: str = "host.priority"


def test_a_host_policy_of_the_wrong_arity_is_refused_when_the_desk_opens() -> None:
    with pytest.raises(ConfigurationError) as refused:
        ServiceDesk.open("memory://", pack="sanitary_ware", overrides={"dispatch": _ArityDispatch()})
    assert refused.value.key == "dispatch.decide"
    assert "roster" in str(refused.value)  # the signature the desk calls it with


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("policy", [_WordyPriority(), _BareOutcomePriority()], ids=["word", "outcome"])
def test_a_host_policy_answering_outside_its_protocol_is_a_typed_error_and_nothing_changes(
    backend: str, tmp_path: Path, policy: object
) -> None:
    notifier = MemoryNotifier()
    with world_desk(backend, tmp_path, overrides={"priority": policy}, notifier=notifier) as (desk, _, world):
        ticket = desk.open_ticket(world.agent, customer_id="cust-zh", description="打印机卡纸").ticket
        before = desk.ticket(world.agent, ticket.id)
        desk.deliver()  # the intake's messages out of the way
        with pytest.raises(PluginError) as raised:
            desk.triage(world.agent, ticket.id, nature="jam", severity=Severity.MEDIUM)
        error = raised.value
        assert (error.component, error.method) == ("policies.priority", "decide")
        assert ("str" if isinstance(policy, _WordyPriority) else "Priority") in error.problem
        after = desk.ticket(world.agent, ticket.id)
        assert (after.state, after.version) == (before.state, before.version)
        assert len(after.events) == len(before.events)
        assert desk.deliver().sent == ()  # nothing queued by the refused command
        # Said in the user's words, naming the plugin.
        zh = render_error(error, "zh_Hans")
        assert "policies.priority" in zh and "插件" in zh
        assert "外掛" in render_error(error, "zh_Hant")
        assert "outside its contract" in render_error(error, "en")


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_hosts_subclass_of_a_default_policy_is_still_one(backend: str, tmp_path: Path) -> None:
    """The guard passes isinstance for the host's class, so a subclass of ``DefaultPriority`` keeps the
    default's parameters where the desk reads them (intake's urgent grade)."""
    with world_desk(backend, tmp_path, overrides={"priority": _HostPriority()}) as (desk, _, world):
        assert isinstance(desk.policies.priority, DefaultPriority)
        assert desk.policies.priority.name == "host.priority"
        urgent = desk.open_ticket(world.agent, customer_id="cust-zh", description="停机", urgent=True).ticket
        assert urgent.priority is not Priority.NORMAL
        result = desk.triage(world.agent, urgent.id, nature="down", severity=Severity.HIGH)
        assert [d.policy for d in result.decisions if isinstance(d.outcome, Triage)] == ["host.priority"]


def test_the_librarys_own_policies_are_not_wrapped() -> None:
    desk = ServiceDesk.open(
        "memory://", pack="sanitary_ware", overrides={"sla": DefaultSla(SlaParams(callback_hours=72))}
    )
    assert type(desk.policies.sla) is DefaultSla
    assert type(desk.policies.priority) is DefaultPriority


# -- the finance system --------------------------------------------------------------------------------


class _Finance:
    """The host's finance system: down (raises its own error), confused (answers a dict), or up."""

    def __init__(self) -> None:
        self.mode = "up"
        self.issued: dict[str, IssuedInvoice] = {}

    def issue(self, request: InvoiceRequest) -> object:
        if self.mode == "down":
            raise ConnectionError("finance gateway refused the connection")
        if self.mode == "confused":
            return {"number": "FP-1"}
        if self.mode == "naive":
            return IssuedInvoice("FP-9", datetime(2026, 3, 2, 10, 0))
        number = f"FP-{len(self.issued) + 1}"
        return self.issued.setdefault(request.id, IssuedInvoice(number, request.requested_at))


VALVE = ChargeLine(ChargeKind.MATERIALS, "inlet_valve", Money(Decimal("45.00"), "CNY"), 2)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("mode", ["down", "confused", "naive"])
def test_a_finance_failure_of_the_hosts_own_kind_is_a_failed_request_retried_later(
    backend: str, tmp_path: Path, mode: str
) -> None:
    finance = _Finance()
    finance.mode = mode
    with world_desk(backend, tmp_path, invoice_issuer=finance) as (desk, _, world):
        ticket = desk.open_ticket(world.agent, customer_id="cust-zh", description="保修期外更换进水阀").ticket
        slip = desk.fees.issue_slip(world.agent, ticket.id, lines=[VALVE], invoice=InvoiceWish.NOW)
        assert slip.invoice_id is not None  # the slip is issued: the command is done
        record = desk.fees.invoice(world.manager, slip.invoice_id)
        assert record.state is InvoiceState.FAILED and record.invoice_number is None
        expected = {"down": "ConnectionError", "confused": "dict", "naive": "timezone"}[mode]
        assert record.failure is not None and expected in record.failure
        finance.mode = "up"
        (retried,) = desk.fees.retry_invoices(Actor.system())
        assert retried.id == record.id and retried.state is InvoiceState.ISSUED
        assert retried.invoice_number == "FP-1"


# -- the attachment store -------------------------------------------------------------------------------

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60


class _ConfusedBlobs(MemoryAttachmentStore):
    """A host's store (say S3) that stores the bytes but answers its own record, or a bad digest."""

    def __init__(self, answer: str) -> None:
        super().__init__()
        self.answer = answer

    def put(self, content: Iterable[bytes], max_size: int | None = None) -> Any:
        blob = super().put(content, max_size)
        if self.answer == "dict":
            return {"etag": blob.sha256}
        return StoredBlob(blob.sha256.upper(), blob.size, blob.head)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("answer", ["dict", "digest"])
def test_an_attachment_store_answering_outside_its_protocol_attaches_nothing(
    backend: str, tmp_path: Path, answer: str
) -> None:
    with world_desk(backend, tmp_path, attachments=_ConfusedBlobs(answer)) as (desk, _, world):
        ticket = desk.open_ticket(world.agent, customer_id="cust-zh", description="打印机卡纸").ticket
        with pytest.raises(PluginError) as raised:
            desk.attachments.attach(world.agent, ticket.id, kind="photo", name="现场.jpg", content=JPEG)
        assert (raised.value.component, raised.value.method) == ("attachments", "put")
        after = desk.ticket(world.agent, ticket.id)
        assert after.version == ticket.version and after.attachments == ()


# -- a host's policy is asked every time -----------------------------------------------------------------


class _CrmPriority:
    """A host's priority policy reading its own CRM: the customers it flags are critical."""

    name = "host.crm"

    def __init__(self) -> None:
        self.flagged: set[str] = set()
        self.asked = 0

    def decide(self, facts: TriageFacts) -> Decision[Triage]:
        self.asked += 1
        base = DefaultPriority().decide(facts).outcome
        grade = Priority.CRITICAL if self.flagged else base.priority
        return Decision(attrs.evolve(base, priority=grade), [Reason("host_crm")], self.name)


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_hosts_policy_is_asked_again_for_the_same_facts(backend: str, tmp_path: Path) -> None:
    """The desk remembers its own (pure) policies' answers per facts; a host's policy may read data of
    its own that changes, so remembering its answer would silently keep the old one."""
    crm = _CrmPriority()
    with world_desk(backend, tmp_path, overrides={"priority": crm}) as (desk, _, world):
        first = desk.open_ticket(world.agent, customer_id="cust-zh", description="卡纸").ticket
        desk.triage(world.agent, first.id, nature="jam", severity=Severity.LOW)
        assert desk.ticket(world.agent, first.id).priority is Priority.NORMAL
        crm.flagged.add("cust-zh")  # the host's CRM changed between two calls with the same facts
        second = desk.open_ticket(world.agent, customer_id="cust-zh", description="又卡纸").ticket
        desk.triage(world.agent, second.id, nature="jam", severity=Severity.LOW)
        assert desk.ticket(world.agent, second.id).priority is Priority.CRITICAL
        assert crm.asked == 2


class _CountingNotification:
    """A host's notification policy (the default's answers), counting how often it is asked."""

    name = "host.notification"

    def __init__(self) -> None:
        self.asked = 0

    def decide(self, facts: NotificationFacts) -> Decision[tuple[Role, ...]]:
        self.asked += 1
        return DefaultNotification().decide(facts)


def test_a_hosts_notification_policy_is_asked_for_every_notice(tmp_path: Path) -> None:
    counting = _CountingNotification()
    with world_desk("memory", tmp_path, overrides={"notification": counting}) as (desk, _, world):
        desk.open_ticket(world.agent, customer_id="cust-zh", description="卡纸")
        once = counting.asked
        desk.open_ticket(world.agent, customer_id="cust-zh", description="又卡纸")
        assert once > 0 and counting.asked == 2 * once  # the same facts, asked again


def test_a_policy_class_given_for_an_instance_is_refused_when_the_desk_opens() -> None:
    """The class passed the runtime Protocol check (it has ``name`` and ``decide``); its unbound
    ``decide`` then took the dispatch request for ``self`` (an ``AttributeError`` at the first dispatch)."""
    for kind, policy_class in (("dispatch", DefaultDispatch), ("priority", DefaultPriority)):
        with pytest.raises(ConfigurationError) as refused:
            ServiceDesk.open("memory://", pack="sanitary_ware", overrides={kind: policy_class})
        assert refused.value.key == f"overrides.{kind}" and "instance" in str(refused.value)


def test_a_plugin_factory_that_fails_is_a_configuration_error_naming_it() -> None:
    def broken(params: object) -> object:
        raise KeyError("region_table")

    registry = Registry.discover(points=[])
    registry.register(NamedPolicy("dispatch", "nearest", broken))
    with pytest.raises(ConfigurationError) as refused:
        registry.resolve("sanitary_ware", {"dispatch": "nearest"})
    assert refused.value.key == "dispatch" and "nearest" in str(refused.value)
    assert isinstance(refused.value.__cause__, KeyError)  # the plugin's own error, kept as the cause


class _HostWarranty:
    """A host's warranty policy (its answers checked like any other's)."""

    name = "host.warranty"

    def decide(
        self,
        asset: object,
        product: object,
        at: datetime,
        *,
        component: str | None = None,
        extensions: object = (),
        known_at: datetime | None = None,
    ) -> object:
        return "in_warranty"


def test_the_default_chargeability_asks_the_hosts_warranty_through_its_guard() -> None:
    """The built-in chargeability policy judges the phase with the desk's warranty policy; given the
    host's, it holds the guarded one, so a wrong answer there is a PluginError too, not an
    AttributeError inside a charge assessment."""
    policies = resolve_policies("sanitary_ware", {"warranty": _HostWarranty()})
    chargeability = policies.chargeability
    assert isinstance(chargeability, DefaultChargeabilityPolicy)
    assert chargeability.warranty is policies.warranty
    with pytest.raises(PluginError) as raised:
        chargeability.warranty.decide(None, None, datetime(2026, 3, 2, 9, 0))
    assert (raised.value.component, raised.value.method) == ("policies.warranty", "decide")
