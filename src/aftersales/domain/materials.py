"""Materials (发料 / 退料): parts requests on a ticket, their documents, old-part returns, outbound.

Seed 002 (材料处理): the user files a materials request (售后服务材料需求表); the service department checks
the warranty — free parts get a pick slip (售后服务领料单), chargeable ones are priced and, once the user
agrees, get one too (refusal goes to the superior); the shipping date is confirmed — urgent requests ship
at once, others on the date agreed — and a shipping note (售后服务发货单) is issued; the outbound is summed
monthly (每月出库情况). Replaced in-warranty parts come back (退料) to the one receiving location (台州为退料
的唯一接收地), are counted there and booked against the loan ledger (:mod:`aftersales.domain.loan_ledger`).

Everything here is data: documents carry numbers handed in by the service layer, steps record who and
when, reasons are codes. Every step validates first and changes nothing when it raises.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import ClassVar, TypeVar

import attrs

from aftersales.domain.actors import HEADS, ActorRef, Role
from aftersales.domain.call_shape import host_factories
from aftersales.domain.charges import ChargeSheet, Payment, Quote, QuoteEscalation
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.contact import zone
from aftersales.domain.ids import MaterialsRequestId, TicketId
from aftersales.domain.materials_workflow import (
    MATERIALS_WORKFLOW,
    RETURN_WORKFLOW,
    MaterialsState,
    ReturnState,
)
from aftersales.domain.part_numbers import part_number
from aftersales.domain.reasons import Reason
from aftersales.domain.text import MONTH_PATTERN, bounded, code, required_text
from aftersales.domain.validation import enum_code
from aftersales.domain.work import aware, optional_aware
from aftersales.domain.workflow import Workflow
from aftersales.errors import PermissionDenied, PolicyError, ValidationError, shown_repr

__all__ = [
    "ItemKind",
    "MaterialsLine",
    "MaterialsRequest",
    "MaterialsStep",
    "OutboundSummary",
    "PartReturn",
    "PartyKind",
    "PartyRef",
    "PickSlip",
    "ShippingNote",
    "outbound_summary",
]


E = TypeVar("E", bound=StrEnum)


class ItemKind(CodedEnum):
    """What a line is: a spare part (on loan until the old one is back) or an item never on loan."""

    PART = "part"
    GIFT = "gift"  # 赠送品
    OFFICE_SUPPLY = "office_supply"  # 售后服务用的办公用品
    BROCHURE = "brochure"  # 宣传资料、样本、售后服务资料


class PartyKind(CodedEnum):
    """Who receives parts and owes the old ones back: a dealer (特约承销商) or an engineer."""

    DEALER = "dealer"
    ENGINEER = "engineer"


def _enum(cls: type[E], value: str, field: str) -> E:
    found: E = enum_code(cls, value, field)
    return found


def _party_kind(value: str) -> PartyKind:
    return _enum(PartyKind, value, "party kind")


def _item_kind(value: str) -> ItemKind:
    return _enum(ItemKind, value, "item kind")


def _materials_state(value: str) -> MaterialsState:
    return _enum(MaterialsState, value, "materials state")


def _return_state(value: str) -> ReturnState:
    return _enum(ReturnState, value, "return state")


def _lines(value: Iterable[MaterialsLine]) -> tuple[MaterialsLine, ...]:
    return tuple(value)


def _reasons(value: Iterable[Reason]) -> tuple[Reason, ...]:
    return tuple(value)


def _quantity(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 100_000:
        raise ValidationError(
            f"{attribute.name} must be a whole number, 1–100000",
            field=attribute.name,
            rule="whole_number",
            rule_params={"least": 1, "most": 100_000},
        )


@host_factories
@attrs.frozen
class PartyRef:
    """The receiving party of a request and the holder of a loan ledger."""

    kind: PartyKind = attrs.field(converter=_party_kind)
    id: str = attrs.field(validator=required_text(64))

    @property
    def key(self) -> str:
        """``"dealer:D1"``: the party's ledger id and index value."""
        return f"{self.kind.value}:{self.id}"

    @classmethod
    def dealer(cls, dealer_id: str) -> PartyRef:
        """A dealer party."""
        return cls(PartyKind.DEALER, dealer_id)

    @classmethod
    def engineer(cls, engineer_id: str) -> PartyRef:
        """An engineer party."""
        return cls(PartyKind.ENGINEER, engineer_id)


@attrs.frozen
class MaterialsLine:
    """One requested item: ``quantity`` of ``part`` (a part code), its kind, and a special approval if any.

    ``special_approval`` is the reference of a special approval (特批); such items follow the approval,
    not the loan ledger. ``chargeable`` is the line's own charging when it differs from its request's
    (``None``: as the request's warranty check decided): a quote mixing a part in warranty with one out
    of it files one request whose free line stays free — on loan, its old part owed back, free in the
    month's outbound — and whose charged line is charged.
    """

    part: str = attrs.field(validator=part_number)
    quantity: int = attrs.field(default=1, validator=_quantity)
    kind: ItemKind = attrs.field(default=ItemKind.PART, converter=_item_kind)
    special_approval: str | None = attrs.field(default=None)
    chargeable: bool | None = attrs.field(default=None)

    def __attrs_post_init__(self) -> None:
        if self.special_approval is not None:
            required_text(64)(self, attrs.fields(MaterialsLine).special_approval, self.special_approval)
        if self.chargeable is not None and not isinstance(self.chargeable, bool):
            raise ValidationError("chargeable is true, false or None", field="chargeable")

    def charged(self, request_chargeable: bool | None) -> bool:
        """Whether this line is charged: its own ``chargeable``, else its request's decision.

        Only a part is ever charged: a gift, an office supply or a brochure goes out free on a chargeable
        request too (the quote prices parts only), so the month's outbound lists it with the free
        materials, as the sales-income list leaves it out (其他 1-2: 发料统计表为收费材料和不收费材料的总清单,
        售后服务销售收入的统计表为收费材料的清单).
        """
        if self.kind is not ItemKind.PART:
            return False
        return bool(request_chargeable) if self.chargeable is None else self.chargeable


@attrs.frozen
class MaterialsStep:
    """One recorded step: which trigger, from and to which state, who, when, and why."""

    trigger: str
    from_state: str
    to_state: str
    at: datetime = attrs.field(validator=aware)
    by: ActorRef
    reason: str | None = None
    reasons: tuple[Reason, ...] = attrs.field(default=(), converter=_reasons)


@attrs.frozen
class PickSlip:
    """The pick slip (售后服务领料单): what the warehouse prepares for a request."""

    number: str = attrs.field(validator=required_text(64))
    request_id: str
    ticket_id: str
    party: PartyRef
    lines: tuple[MaterialsLine, ...] = attrs.field(converter=_lines)
    chargeable: bool
    issued_at: datetime = attrs.field(validator=aware)
    issued_by: ActorRef


@attrs.frozen
class ShippingNote:
    """The shipping note (售后服务发货单): what ships to whom, urgent or on the confirmed date."""

    number: str = attrs.field(validator=required_text(64))
    request_id: str
    ticket_id: str
    party: PartyRef
    lines: tuple[MaterialsLine, ...] = attrs.field(converter=_lines)
    urgent: bool
    ship_on: date | None
    issued_at: datetime = attrs.field(validator=aware)
    issued_by: ActorRef


def _advance(
    workflow: Workflow, state: str, trigger: str, by: ActorRef, at: datetime, last: datetime | None,
    reason: str | None, target_id: str,
) -> str:  # fmt: skip
    target = workflow.target(state, trigger)
    spec = workflow.spec(trigger)
    if by.role not in spec.roles:
        raise PermissionDenied(str(by), trigger, target_id)
    aware(None, attrs.fields(MaterialsStep).at, at)
    if last is not None and at < last:
        raise ValidationError(f"{trigger} at {at.isoformat()} is before the last step", field="at")
    if spec.needs_reason and (reason is None or not reason.strip()):
        raise ValidationError(f"{trigger} needs a reason", field="reason")
    if reason is not None and len(reason) > 500:
        raise ValidationError(
            "reason is at most 500 characters", field="reason", rule="too_long", rule_params={"most": 500}
        )
    return target


@host_factories
@attrs.define
class MaterialsRequest:
    """A materials request (售后服务材料需求表) on a ticket, and its way through :data:`MATERIALS_WORKFLOW`.

    ``chargeable`` is ``None`` until the warranty check, then the chargeability decision for the parts
    (its reasons are on the ``check`` step). A chargeable request carries a ``charges`` sheet with its
    quote and payments; it ships only when the sheet clears it (accepted, and paid first when the quote
    says so: 款到发货).
    """

    DOCUMENT_KIND: ClassVar[str] = "materials_request"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("ticket_id", "state", "party_key", "shipped_month")

    id: MaterialsRequestId = attrs.field(validator=required_text(64))
    ticket_id: TicketId = attrs.field(validator=required_text(64))
    party: PartyRef
    lines: tuple[MaterialsLine, ...] = attrs.field(converter=_lines)
    requested_at: datetime = attrs.field(validator=aware)
    requested_by: ActorRef
    urgent: bool = False
    note: str = attrs.field(default="", validator=bounded(500))
    state: MaterialsState = attrs.field(default=MaterialsState.REQUESTED, converter=_materials_state)
    steps: list[MaterialsStep] = attrs.field(factory=list)
    chargeable: bool | None = None
    phase: str | None = None
    charges: ChargeSheet | None = None
    quote_id: str | None = None
    pick_slip: PickSlip | None = None
    shipping_note: ShippingNote | None = None
    ship_on: date | None = None
    shipped_at: datetime | None = attrs.field(default=None, validator=optional_aware)
    received_at: datetime | None = attrs.field(default=None, validator=optional_aware)
    repaired_at: datetime | None = attrs.field(default=None, validator=optional_aware)
    party_key: str = ""
    shipped_month: str | None = None
    shipped_zone: str | None = None
    """The zone ``shipped_month`` was dated in when the materials settings name a zone of their own;
    ``None``: the books' zone (the settings follow the desk's), so moving the books dates it again
    (:mod:`aftersales.service.books_redating`)."""
    repair_known: bool = False
    """Whether ``repaired_at`` is the repair's own instant (given at receipt, or the ticket's resolve
    after it: :meth:`record_repair`); ``False`` while it is only the receipt standing in for it."""
    version: int = 0

    def __attrs_post_init__(self) -> None:
        if not self.lines:
            raise ValidationError("a materials request needs at least one line", field="lines")
        self.party_key = self.party.key

    @classmethod
    def open(
        cls,
        *,
        id: str,
        ticket_id: str,
        party: PartyRef,
        lines: Iterable[MaterialsLine],
        at: datetime,
        by: ActorRef,
        urgent: bool = False,
        note: str = "",
    ) -> MaterialsRequest:
        """A new request (requested), recording who asked and when."""
        if by.role not in MATERIALS_WORKFLOW.spec("cancel").roles:
            raise PermissionDenied(str(by), "materials_request", ticket_id)
        request = cls(MaterialsRequestId(id), TicketId(ticket_id), party, tuple(lines), at, by, urgent, note)
        request.steps.append(MaterialsStep("request", "", request.state.value, at, by))
        return request

    @classmethod
    def for_remedy(
        cls,
        *,
        id: str,
        complaint_id: str,
        party: PartyRef,
        part: str,
        quantity: int,
        at: datetime,
        by: ActorRef,
        desk: ActorRef,
        pick_slip_number: str,
    ) -> MaterialsRequest:
        """The free request of a complaint remedy (无偿更换…附件): requested by the remedy's granter on the
        complaint, checked free and its pick slip issued at once by ``desk`` (the system). The line cites
        the complaint as its special approval (特批的项目按特批的内容处理): never lent, never charged as
        kept, and its slip is signed by a head as any specially approved slip."""
        line = MaterialsLine(part, quantity, special_approval=complaint_id)
        request = cls(MaterialsRequestId(id), TicketId(complaint_id), party, (line,), at, by)
        request.steps.append(MaterialsStep("request", "", request.state.value, at, by))
        remedy = Reason("complaint_remedy", {"complaint_id": complaint_id})
        request.check(desk, at, chargeable=False, reasons=(remedy,))
        request.issue_pick_slip(desk, at, pick_slip_number)
        return request

    # -- plumbing ----------------------------------------------------------------------------------

    @property
    def last_at(self) -> datetime:
        """When the last step happened."""
        return self.steps[-1].at if self.steps else self.requested_at

    def require_step(self, trigger: str, by: ActorRef, at: datetime) -> None:
        """Raise ``InvalidTransition`` unless ``trigger`` may run now. Why: a step whose facts are gathered
        before it moves (a quote's decision is built from the check's reasons) refuses from a wrong state
        as the step itself does, not with whatever its facts lack (a shipped request has no reasons)."""
        self._target(trigger, by, at)

    def _target(self, trigger: str, by: ActorRef, at: datetime, reason: str | None = None) -> MaterialsState:
        target = _advance(
            MATERIALS_WORKFLOW, self.state.value, trigger, by, at, self.last_at, reason, self.id
        )
        return MaterialsState(target)

    def _record(
        self, trigger: str, target: MaterialsState, by: ActorRef, at: datetime,
        reason: str | None = None, reasons: Iterable[Reason] = (),
    ) -> None:  # fmt: skip
        self.steps.append(
            MaterialsStep(trigger, self.state.value, target.value, at, by, reason, tuple(reasons))
        )
        self.state = target

    def _slip(self, number: str, by: ActorRef, at: datetime) -> PickSlip:
        return PickSlip(
            number, self.id, self.ticket_id, self.party, self.lines, bool(self.chargeable), at, by
        )

    # -- steps -------------------------------------------------------------------------------------

    def check(
        self,
        by: ActorRef,
        at: datetime,
        *,
        chargeable: bool,
        reasons: Iterable[Reason],
        phase: str | None = None,
    ) -> None:
        """Record the warranty check: the chargeability decision for the parts, its reasons and the phase."""
        target = self._target("check", by, at)
        given = tuple(reasons)
        self.chargeable, self.phase = bool(chargeable), phase
        self._record("check", target, by, at, reasons=given)

    def issue_pick_slip(self, by: ActorRef, at: datetime, number: str) -> PickSlip:
        """Issue the pick slip of a free request (a chargeable one needs an accepted quote first)."""
        target = self._target("issue_pick_slip", by, at)
        if self.chargeable:
            raise PolicyError("a chargeable request needs a quote first", code="chargeable_needs_quote")
        slip = self._slip(number, by, at)
        self.pick_slip = slip
        self._record("issue_pick_slip", target, by, at)
        return slip

    def quote(self, by: ActorRef, at: datetime, quote: Quote) -> Quote:
        """Put a draft quote for the chargeable parts to the user (it is offered at ``at``)."""
        target = self._target("quote", by, at)
        if not self.chargeable:
            raise PolicyError("a free request needs no quote", code="free_needs_no_quote")
        sheet = ChargeSheet(self.ticket_id, quote.currency)
        sheet.add_quote(quote)
        offered = sheet.offer(quote.id, at, by)
        self.charges, self.quote_id = sheet, quote.id
        self._record("quote", target, by, at, reasons=quote.reasons)
        return offered

    def check_approver(self, by: ActorRef) -> None:
        """Refuse (``PermissionDenied``) a customer or dealer's staff approving anything but a quote put to
        the user: they accept a quote, they approve no pick slip. Checked before the state and the facts
        are read, so the refusal is the same whatever the request's state (a customer calling approve on
        their own request was told it was free, or already approved: session 37)."""
        if by.role in (Role.CUSTOMER, Role.DEALER_STAFF) and self.state is not MaterialsState.QUOTED:
            raise PermissionDenied(str(by), "materials_approve", self.id)

    def approve(self, by: ActorRef, at: datetime, pick_slip_number: str | None = None) -> PickSlip:
        """Approve: the office approves a free pick slip; for a quote, the user's acceptance is recorded.

        An accepted quote gets its pick slip now (``pick_slip_number`` is then required).
        """
        self.check_approver(by)
        target = self._target("approve", by, at)
        if self.state is MaterialsState.PICK_SLIP:
            if by.role not in HEADS and any(line.special_approval for line in self.lines):
                # 特批: a line citing a special approval never goes on the loan ledger (never owed back,
                # never charged as kept), so a head signs the slip, not whoever typed the reference.
                raise PermissionDenied(str(by), "materials_approve", self.id, rule="special_line_by_head")
            assert self.pick_slip is not None
            self._record("approve", target, by, at)
            return self.pick_slip
        if pick_slip_number is None:
            raise ValidationError("an accepted quote needs a pick slip number", field="pick_slip_number")
        assert self.charges is not None
        assert self.quote_id is not None
        slip = self._slip(pick_slip_number, by, at)
        self.charges.accept(self.quote_id, at, by)  # raises before changing anything
        self.pick_slip = slip
        self._record(
            "approve", target, by, at, reasons=(Reason("quote_accepted", {"quote_id": self.quote_id}),)
        )
        return slip

    def record_payment(self, by: ActorRef, at: datetime, payment: Payment) -> None:
        """Record a payment against the accepted quote (款到发货)."""
        target = self._target("record_payment", by, at)
        if self.charges is None or self.quote_id is None:
            raise PolicyError("a free request takes no payment", code="free_needs_no_payment")
        if payment.quote_id != self.quote_id:
            raise ValidationError(f"payment is for quote {payment.quote_id}", field="quote_id")
        self.charges.record_payment(payment)
        self._record("record_payment", target, by, at, reasons=(Reason("payment", {"id": payment.id}),))

    def confirm_date(
        self, by: ActorRef, at: datetime, ship_on: date, timezone: str = "Asia/Shanghai"
    ) -> None:
        """Record the shipping date agreed with the user (确认具体的发货时间): today or later, in ``timezone``
        (a date already past is no date to agree on)."""
        target = self._target("confirm_date", by, at)
        if not isinstance(ship_on, date) or isinstance(ship_on, datetime):
            raise ValidationError("ship_on is a date", field="ship_on", rule="date")
        today = at.astimezone(zone(timezone)).date()
        if ship_on < today:
            raise ValidationError(
                f"ship_on {ship_on.isoformat()} is before today ({today.isoformat()})", field="ship_on"
            )
        self.ship_on = ship_on
        self._record(
            "confirm_date", target, by, at, reasons=(Reason("ship_on", {"date": ship_on.isoformat()}),)
        )

    def pick(self, by: ActorRef, at: datetime) -> None:
        """The warehouse has picked the lines of the pick slip (备料)."""
        self._record("pick", self._target("pick", by, at), by, at)

    def ship(
        self,
        by: ActorRef,
        at: datetime,
        number: str,
        timezone: str = "Asia/Shanghai",
        *,
        own_zone: bool = False,
    ) -> ShippingNote:
        """Ship: urgent at once, otherwise on (or after) the confirmed date; chargeable parts once cleared.

        ``timezone`` dates the shipping day and month; ``own_zone``: it is the materials settings' own
        zone, not the books' (kept as :attr:`shipped_zone`: a move of the books leaves the month)."""
        target = self._target("ship", by, at)
        local = at.astimezone(zone(timezone)).date()
        if not self.urgent:
            if self.ship_on is None:
                raise PolicyError("confirm the shipping date first", code="shipping_date_not_confirmed")
            if local < self.ship_on:
                raise PolicyError(
                    f"the confirmed shipping date is {self.ship_on.isoformat()}", code="before_confirmed_date"
                )
        charges, quote_id = self.charges, self.quote_id
        if charges is not None and quote_id is not None and not charges.parts_cleared_for_shipping(quote_id):
            raise PolicyError("the parts are paid before they ship", code="payment_before_shipping")
        note = ShippingNote(
            number, self.id, self.ticket_id, self.party, self.lines, self.urgent,
            None if self.urgent else self.ship_on, at, by,
        )  # fmt: skip
        self.shipping_note, self.shipped_at = note, at
        self.shipped_month = f"{local.year:04d}-{local.month:02d}"
        self.shipped_zone = timezone if own_zone else None
        self._record("ship", target, by, at)
        return note

    def receive(
        self,
        by: ActorRef,
        at: datetime,
        repaired_at: datetime | None = None,
        called_at: datetime | None = None,
        skew: timedelta = timedelta(0),
    ) -> None:
        """The party has received the parts; ``repaired_at`` (default: now) starts the return deadline.

        A repair is done by now (``skew``: how far ahead another machine's clock may be; a repair
        stamped within it counts as now) and not before the call (``called_at``, the ticket's
        received-at): a later date would move the return deadline out, an earlier one charge the party
        at once.
        """
        target = self._target("receive", by, at)
        if repaired_at is not None:
            aware(None, attrs.fields(MaterialsRequest).repaired_at, repaired_at)
            if repaired_at > at + skew:
                raise ValidationError(
                    f"repaired_at {repaired_at.isoformat()} is later than now ({at.isoformat()})",
                    field="repaired_at",
                )
            if called_at is not None and repaired_at < called_at:
                raise ValidationError(
                    f"repaired_at {repaired_at.isoformat()} is before the call ({called_at.isoformat()})",
                    field="repaired_at",
                )
        self.received_at, self.repaired_at = at, min(repaired_at, at) if repaired_at else at
        self.repair_known = repaired_at is not None
        self._record("receive", target, by, at)

    def record_repair(self, at: datetime) -> bool:
        """The repair these parts went into was done at ``at`` (the ticket resolved after the parts were
        received): ``repaired_at`` becomes it, once, when the receipt only stood in for it (seed 002:
        乙方需按时退回换下的配件 — the old part exists from the repair that took it out). Returns whether
        it changed (not for parts never received, a repair already known, or ``at`` before the receipt)."""
        aware(None, attrs.fields(MaterialsRequest).repaired_at, at)
        if self.received_at is None or self.repair_known or at < self.received_at:
            return False
        self.repaired_at, self.repair_known = at, True
        return True

    def decline(
        self, by: ActorRef, at: datetime, reason: str, reasons: Iterable[Reason] = ()
    ) -> QuoteEscalation | None:
        """Decline: the office refuses the request, or the user refuses the quote (then escalated)."""
        target = self._target("decline", by, at, reason)
        given = tuple(reasons) or (Reason("materials_declined"),)
        escalation = None
        if self.state is MaterialsState.QUOTED:
            assert self.charges is not None
            assert self.quote_id is not None
            escalation = self.charges.refuse(self.quote_id, at, by, given)
        elif by.role is Role.CUSTOMER:
            raise PermissionDenied(str(by), "materials_decline", self.id)
        self._record("decline", target, by, at, reason, given)
        return escalation

    def cancel(self, by: ActorRef, at: datetime, reason: str, reasons: Iterable[Reason] = ()) -> None:
        """Cancel a request that has not shipped (``reasons``: the codes saying why, when the desk itself
        calls it off)."""
        self._record("cancel", self._target("cancel", by, at, reason), by, at, reason, tuple(reasons))

    def refund(
        self, by: ActorRef, at: datetime, reason: str, credit_slip: str, paid_back: Payment | None
    ) -> None:
        """Record that the quote of this cancelled request was credited on ``credit_slip`` and what was
        paid back (``paid_back``; ``None`` when nothing had been received). Only a cancelled request with
        an accepted quote of its own is refunded."""
        target = self._target("refund", by, at, reason)
        if self.charges is None or self.quote_id is None:
            raise PolicyError(
                f"request {self.id} charged nothing: nothing to pay back", code="nothing_to_refund"
            )
        if paid_back is not None:
            if paid_back.quote_id != self.quote_id:
                raise ValidationError(f"the refund is for quote {paid_back.quote_id}", field="quote_id")
            self.charges.record_refund(paid_back)
        facts = {"quote_id": self.quote_id, "credit_slip": credit_slip}
        self._record("refund", target, by, at, reason, (Reason("refund_request_cancelled", facts),))


def _return_quantity(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    _quantity(instance, attribute, value)


@attrs.frozen
class ReturnStep:
    """One recorded step of a return."""

    trigger: str
    from_state: str
    to_state: str
    at: datetime = attrs.field(validator=aware)
    by: ActorRef
    reason: Reason | None = None


@attrs.define
class PartReturn:
    """An old part sent back (用户退料), registered at the one receiving location, inspected, booked."""

    DOCUMENT_KIND: ClassVar[str] = "part_return"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("party_key", "request_id", "state")

    id: str = attrs.field(validator=required_text(64))
    request_id: str = attrs.field(validator=required_text(64))
    ticket_id: str = attrs.field(validator=required_text(64))
    party: PartyRef
    part: str = attrs.field(validator=part_number)
    quantity: int = attrs.field(validator=_return_quantity)
    location: str = attrs.field(validator=code)
    registered_at: datetime = attrs.field(validator=aware)
    registered_by: ActorRef
    state: ReturnState = attrs.field(default=ReturnState.REGISTERED, converter=_return_state)
    steps: list[ReturnStep] = attrs.field(factory=list)
    rejection: Reason | None = None
    booking_key: str | None = None
    party_key: str = ""
    version: int = 0
    relay_id: str | None = None
    """The relay (:class:`~aftersales.domain.return_relay.RelayedReturn`) the parts came through, if any."""
    handed_in_at: datetime | None = attrs.field(default=None, validator=optional_aware)
    """When the party handed the parts in at the relay office (``None``: brought to the receiving
    location itself): the parts left its hands then, so that is when they count as sent back in time."""

    def __attrs_post_init__(self) -> None:
        self.party_key = self.party.key

    @property
    def sent_back_at(self) -> datetime:
        """When the parts left the party's hands: the hand-in at a relay office, else the registration."""
        return self.registered_at if self.handed_in_at is None else self.handed_in_at

    def _step(self, trigger: str, by: ActorRef, at: datetime, reason: Reason | None = None) -> None:
        last = self.steps[-1].at if self.steps else self.registered_at
        target = _advance(
            RETURN_WORKFLOW, self.state.value, trigger, by, at, last, reason.code if reason else None, self.id
        )
        self.steps.append(ReturnStep(trigger, self.state.value, target, at, by, reason))
        self.state = ReturnState(target)

    def inspect(self, by: ActorRef, at: datetime, *, accepted: bool, reason: Reason | None = None) -> None:
        """Inspection at the receiving location: accepted, or rejected with a reason code."""
        if accepted:
            self._step("accept", by, at)
            return
        if not isinstance(reason, Reason):
            raise ValidationError("a rejected return needs a reason (a Reason code)", field="reason")
        self._step("reject", by, at, reason)
        self.rejection = reason

    def book(self, by: ActorRef, at: datetime, booking_key: str) -> None:
        """Mark the return booked into the loan ledger under ``booking_key``."""
        self._step("book", by, at)
        self.booking_key = booking_key


@attrs.frozen
class OutboundSummary:
    """The month's outbound (每月出库情况): quantities shipped per receiving party and part, and per part.

    ``chargeable_by_part`` is the chargeable share (the sales-income list); the rest went out free.
    """

    month: str
    requests: int
    by_party: Mapping[str, Mapping[str, int]]
    by_part: Mapping[str, int]
    chargeable_by_part: Mapping[str, int]


def _month(value: str) -> str:
    # ASCII digits: int() read "２０２６-０３" and "2026-+3", which no request's month is.
    if not isinstance(value, str) or not MONTH_PATTERN.fullmatch(value) or value < "0001":
        raise ValidationError(
            f"a month is written YYYY-MM, got {shown_repr(value)}", field="month", rule="month"
        )
    return value


def outbound_summary(requests: Iterable[MaterialsRequest], month: str) -> OutboundSummary:
    """Sum the lines of the requests shipped in ``month`` (``"2026-03"``, local month of shipping); a line
    is chargeable as it says, else as its request's warranty check decided."""
    _month(month)
    by_party: dict[str, dict[str, int]] = {}
    by_part: dict[str, int] = {}
    chargeable: dict[str, int] = {}
    count = 0
    for request in requests:
        if request.shipped_month != month or request.shipping_note is None:
            continue
        count += 1
        party = by_party.setdefault(request.party.key, {})
        for line in request.lines:
            party[line.part] = party.get(line.part, 0) + line.quantity
            by_part[line.part] = by_part.get(line.part, 0) + line.quantity
            if line.charged(request.chargeable):
                chargeable[line.part] = chargeable.get(line.part, 0) + line.quantity
    return OutboundSummary(
        month,
        count,
        MappingProxyType({k: MappingProxyType(dict(sorted(v.items()))) for k, v in sorted(by_party.items())}),
        MappingProxyType(dict(sorted(by_part.items()))),
        MappingProxyType(dict(sorted(chargeable.items()))),
    )
