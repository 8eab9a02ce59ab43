"""The fee desk: fee slips, payments, invoices, and the monthly after-sales revenue (seed 002 材料收费).

A slip is written per chargeable job (or for loaned materials not returned), numbered ``FS-2026-…``
in the same transaction, and read or changed only by those who may see its ticket. Invoices wanted
*now* are requested when the slip is issued; *later* slips wait until the customer asks, then all of
them go on one invoice. Requests reach the host's finance system through the
:class:`~aftersales.ports.invoicing.InvoiceIssuer` port *after* the slip's transaction committed, so a
finance outage loses nothing: the request stays ``failed`` until :meth:`FeeDesk.retry_invoices`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.bounds import POSITIVE, Bounds
from aftersales.domain.charges import ChargeKind, ChargeLine, QuoteState
from aftersales.domain.contact import zone
from aftersales.domain.fee_slips import (
    FeeSlip,
    InvoiceRecord,
    InvoiceState,
    InvoiceWish,
    MaterialsMovement,
    MovementKind,
    SlipOrigin,
    SlipPayment,
)
from aftersales.domain.instants import require_aware
from aftersales.domain.materials import MaterialsRequest
from aftersales.domain.money import Money
from aftersales.domain.text import checked_month
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import AftersalesError, NotFound, PermissionDenied, PolicyError, ValidationError
from aftersales.policies.fees_currency import fees_currency
from aftersales.ports.invoicing import InvoiceIssuer, InvoiceRequest, IssuedInvoice
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated, validated_commands
from aftersales.service.charge_refunds import RefundDetails
from aftersales.service.context import DeskContext
from aftersales.service.free_work_cost import give_back_free_work, take_back_free_work
from aftersales.service.index_backfill import fill_index
from aftersales.service.invoice_net import invoiced_lines, invoiced_total
from aftersales.service.kept_charge_refund import (
    KEPT_PART_BACK,
    record_refund,
    refund_kept_charge,
    refund_notice,
)
from aftersales.service.kept_charge_waiver import waive_kept_charge
from aftersales.service.maker_payments import check_payment_recorder
from aftersales.service.numbering import next_number
from aftersales.service.payment_methods import check_method
from aftersales.service.permissions import FEE_ROLES, can_read, can_write_as, check_role
from aftersales.service.quote_charge_waiver import give_back_charged_parts
from aftersales.service.runner import CommandRunner
from aftersales.service.scope import (
    customer_slip_readable,
    party_visible,
    purchasing_dealer,
    reads_dealer_side,
    sees_every,
    slip_as_seen_by,
)
from aftersales.service.slip_waivers import check_may_waive

__all__ = [
    "FEE_ROLES",
    "MOST_BATCH",
    "FeeDesk",
    "ItemBalance",
    "MonthlyRevenue",
    "RevenueEntry",
    "cancel_stored_slip",
]

R = Role

MOST_BATCH = 10_000
BATCH_BOUNDS = Bounds(1, MOST_BATCH)
"""``backfill_money_index``'s ``batch``: documents per transaction."""
"""Slips one ``backfill_money_index`` batch reads at most (the jobs' batch is bounded by it too)."""


@attrs.frozen
class RevenueEntry:
    """One line of a monthly list: which slip or movement, which ticket, what, how many, how much."""

    source_id: str
    ticket_id: str
    kind: ChargeKind
    item: str
    quantity: int
    unit_price: Money
    amount: Money


@attrs.frozen
class ItemBalance:
    """Per material item, one month of the loan count (用户借料盘点表): what was still out when the month
    began, what the month issued free, got back and charged, and what is still out at its end.

    The count is a stock, carried over (seed 002 退料: 盘点用户借料 … 用户退料 … 盘盈盘亏分析): a part lent
    free in March and returned, or charged, in April is out at the end of March and back (or sold) in
    April, so April begins with it (``opening``) and ends without it. Each month's movements are
    booked in the month they happen (March's books are not rewritten) and ``outstanding`` is the
    opening plus the month's movements — never negative for parts that were lent before they came back.
    """

    item: str
    issued_free: int
    returned: int
    charged_unreturned: int
    charged_on_quote: int = 0
    """Issued free, then charged on an accepted quote (not owed back: 已收费的材料不计入盘点表)."""
    opening: int = 0
    """Still out when the month began: the earlier months' free issues less their returns and charges."""

    @property
    def outstanding(self) -> int:
        """Free materials still out at the month's end, neither returned nor charged yet (to chase, then
        charge: 事实占有): ``opening`` + issued free − returned − charged as unreturned − charged on a
        quote."""
        return (
            self.opening + self.issued_free - self.returned - self.charged_unreturned - self.charged_on_quote
        )


@attrs.frozen
class MonthlyRevenue:
    """The month's three lists (seed 002 其他 1–3) and their reconciliation.

    ``revenue`` is the revenue list (售后服务销售收入): every charged line of the month's active slips;
    ``materials_revenue`` its materials part. ``free_issued`` lists free materials (from free slip lines
    and free issues), ``returns`` the materials returned. ``issued`` (the issue list, 发料) is charged
    materials plus free ones. ``reconciled`` is true when the revenue list adds up to the slips' totals.
    ``balances`` is the month's loan count per item (用户借料盘点表), carried over from the months before:
    each item's ``opening`` is what was still out when the month began, its ``outstanding`` what is
    still out at its end (see :class:`ItemBalance`); an item with nothing out and no movement is left off.
    """

    month: str
    currency: str
    revenue: tuple[RevenueEntry, ...]
    free_issued: tuple[RevenueEntry, ...]
    returns: tuple[RevenueEntry, ...]
    revenue_total: Money
    materials_revenue: Money
    slips_total: Money
    received: Money
    cancelled_slips: tuple[str, ...]
    balances: tuple[ItemBalance, ...]
    charged_after_issue: tuple[RevenueEntry, ...] = ()
    """Free issues an accepted quote charged in this month (at cost): off the month's free cost, on the
    revenue list through the quote's slip."""
    surplus_into_stock: tuple[RevenueEntry, ...] = ()
    """Surplus (盘盈) taken into stock in this month when its review closed (at cost): no loan returned,
    neither cost nor income."""

    @property
    def issued(self) -> tuple[RevenueEntry, ...]:
        """The issue list (发料): charged materials and free materials."""
        charged = tuple(e for e in self.revenue if e.kind is ChargeKind.MATERIALS)
        return charged + self.free_issued

    @property
    def reconciled(self) -> bool:
        """The revenue list equals the sum of the month's active slips."""
        return self.revenue_total == self.slips_total


def _entry(
    source_id: str, ticket_id: str, line: ChargeLine, *, charged: bool, credit: bool = False
) -> RevenueEntry:
    amount = line.amount if charged else line.value
    if credit:  # a credit slip's line takes its amount back off the revenue list
        return RevenueEntry(
            source_id, ticket_id, line.kind, line.item, -line.quantity, line.unit_price, -amount
        )
    return RevenueEntry(source_id, ticket_id, line.kind, line.item, line.quantity, line.unit_price, amount)


def _item_counts(
    slips: Iterable[FeeSlip],
    free: Iterable[RevenueEntry],
    returns: Iterable[RevenueEntry],
    recharged: Iterable[RevenueEntry],
) -> dict[str, list[int]]:
    """Per material item: [issued free, returned, charged as unreturned, charged on a quote, opening]."""
    counts: dict[str, list[int]] = {}
    for e in free:
        if e.kind is ChargeKind.MATERIALS:
            counts.setdefault(e.item, [0, 0, 0, 0, 0])[0] += e.quantity
    for e in returns:
        counts.setdefault(e.item, [0, 0, 0, 0, 0])[1] += e.quantity
    for s in slips:
        if s.origin is SlipOrigin.UNRETURNED_MATERIALS:
            for ln in s.charged_lines(ChargeKind.MATERIALS):
                counts.setdefault(ln.item, [0, 0, 0, 0, 0])[2] += ln.quantity
        elif s.is_credit and any(r.code == KEPT_PART_BACK for r in s.reasons):
            # A kept part's charge paid back, the part back (returned this month): no longer charged.
            for ln in s.charged_lines(ChargeKind.MATERIALS):
                counts.setdefault(ln.item, [0, 0, 0, 0, 0])[2] -= ln.quantity
    for e in recharged:
        counts.setdefault(e.item, [0, 0, 0, 0, 0])[3] += e.quantity
    return counts


def _track(made: list[str], record: InvoiceRecord) -> InvoiceRecord:
    made.append(record.id)
    return record


def cancel_stored_slip(
    uow: UnitOfWork, slip: FeeSlip, actor: Actor, now: datetime, reason: str, *, keep_received: bool = False
) -> FeeSlip:
    """Cancel ``slip`` in ``uow``'s transaction (it stays on file, out of the revenue): refused once a
    credit slip refunded it (its income would go out twice); the free parts it counted as cost go to
    the ticket's other paper that lists them. A credit slip is refused too (``credit_slip_stays``): it
    records money paid back (or a charge written off) that its quote, the ledger and the history keep;
    cancelling it took the refund out of the month's books and let the slip it credits be cancelled.
    ``keep_received`` (the fee desk's cancel): a quote's slip with money received is refused too
    (``money_received``): the quote keeps the payment, so the books keep the slip; so is a paid slip of
    a part charged as kept (session 37: its waiver took the money received out of the books, and no
    refund pays those back)."""
    if slip.is_credit:
        raise PolicyError(
            f"slip {slip.id} is a credit slip of {slip.credits_slip}: what it paid back stays paid back",
            code="credit_slip_stays",
        )
    for other in uow.documents.query(FeeSlip, ticket_id=slip.ticket_id):
        if other.credits_slip == slip.id and other.is_active:
            raise PolicyError(
                f"slip {slip.id} was refunded on credit slip {other.id}: it stays as it is",
                code="slip_refunded",
            )
    if keep_received and slip.quote_id is not None and slip.paid.amount > 0:
        # The quote (the charge sheet's, or a materials request's) keeps the payment: the books must too.
        raise PolicyError(
            f"slip {slip.id} of quote {slip.quote_id} has {slip.paid} received on it: cancelled, that "
            "money would leave the books while the quote keeps it; the slip stays",
            code="money_received",
        )
    if keep_received and slip.origin is SlipOrigin.UNRETURNED_MATERIALS and slip.paid.amount > 0:
        # A kept part's charge paid: waived, the money received left the month's books while nothing
        # paid it back (no refund path writes a credit for these slips); the charge stays, paid.
        raise PolicyError(
            f"slip {slip.id} (a part charged as kept) has {slip.paid} received on it: a waiver would "
            "take that money out of the books with nothing paid back; the slip stays",
            code="money_received",
        )
    slip.cancel(actor.ref, now, reason)
    saved: FeeSlip = uow.documents.save(slip)
    if slip.origin is SlipOrigin.UNRETURNED_MATERIALS:
        _give_kept_cost_back(uow, slip, actor, now)
    give_back_free_work(uow, slip, actor.ref, now)  # the work it took over from an acceptance's count
    give_back_charged_parts(uow, slip, actor.ref, now)  # the free parts its quote charged
    parts = {ln.item for ln in slip.costed_free_lines() if ln.kind is ChargeKind.MATERIALS}
    for other in uow.documents.query(FeeSlip, ticket_id=slip.ticket_id):
        if parts and other.is_active and other.take_over_cost(parts):
            parts -= {ln.item for ln in other.costed_free_lines()}
            uow.documents.save(other)
    return saved


def _give_kept_cost_back(uow: UnitOfWork, slip: FeeSlip, actor: Actor, now: datetime) -> None:
    """A chargeback's slip cancelled: the ``charged_as_kept`` movement written with it took the free
    issue's cost back off the slip's month; a ``kept_charge_cancelled`` movement of the same lines, in
    that month, gives it back, so the part given free is the maker's cost again and the month holds
    neither income nor a negative cost for it. Nothing when the part was not a free issue (no movement)."""
    lines = sorted((ln.item, ln.quantity) for ln in slip.lines)
    for kept in uow.documents.query(MaterialsMovement, ticket_id=slip.ticket_id, kind="charged_as_kept"):
        if kept.slip_id is None:  # written before movements named their slip: the same step's lines
            ours = (kept.at, kept.month, sorted((ln.item, ln.quantity) for ln in kept.lines)) == (
                slip.issued_at, slip.month, lines,
            )  # fmt: skip
        else:
            ours = kept.slip_id == slip.id
        if ours:
            uow.documents.add(
                MaterialsMovement(
                    next_number(uow, "materials_movement", now), MovementKind.KEPT_CHARGE_CANCELLED,
                    kept.ticket_id, kept.month, now, actor.ref, kept.lines, kept.dealer_id, slip_id=slip.id,
                )
            )  # fmt: skip
            return


@validated_commands
class FeeDesk:
    """Fee slips (售后服务材料收费暨报销单), invoices and the monthly revenue, on a desk's store.

    ``timezone`` decides which month a slip counts in (the company's books, default China time).
    """

    def __init__(self, context: DeskContext, runner: CommandRunner) -> None:
        self.context = context
        self.runner = runner
        self.issuer: InvoiceIssuer | None = context.invoice_issuer
        self.zone: ZoneInfo = zone(context.timezone)

    # -- helpers ------------------------------------------------------------------------------------

    @property
    def currency(self) -> str:
        """The desk's currency (the pack's ``fees.currency``, default ``CNY``; a host's fees policy names its
        own): a slip is written in it, and the month's figures read in it, unless the caller names another."""
        return fees_currency(self.context.policies.fees)

    def _now(self) -> datetime:
        return self.context.now()

    def _month_of(self, at: datetime) -> str:
        return at.astimezone(self.zone).strftime("%Y-%m")

    @validated  # public: ``at`` an aware datetime within YEAR_RANGE, or a ValidationError naming it
    def month_of(self, at: datetime) -> str:
        """The month (``YYYY-MM``) a slip written at ``at`` counts in, in the books' time zone."""
        return self._month_of(at)

    def _ticket_in_scope(
        self, uow: UnitOfWork, actor: Actor, ticket_id: str, command: str, *, lock: bool = False
    ) -> Ticket:
        """The ticket if ``actor`` may run ``command`` on it; ``lock`` holds its write lock (a slip
        written for it queues behind a ticket command, as its cancellation, on another desk)."""
        ticket = self.runner.load(uow, ticket_id, lock=lock)
        if not can_read(actor, ticket, self.runner.team_of_assignee(uow, ticket)):
            raise NotFound("ticket", ticket_id)
        if command != "read_fee_slip" and not can_write_as(actor, ticket, FEE_ROLES[command]):
            # Auditors read; an engineer's team reads its tickets but only the assignee writes; the role
            # that may run the command must be the one whose scope covers the ticket.
            raise PermissionDenied(str(actor), command, ticket_id)
        return ticket

    def _read_slip(self, uow: UnitOfWork, actor: Actor, slip_id: str) -> FeeSlip:
        """The slip as ``actor`` reads it (:func:`~aftersales.service.scope.slip_as_seen_by`)."""
        slip = self._slip(uow, actor, slip_id, "read_fee_slip")
        return slip_as_seen_by(actor, slip, uow.tickets.get(slip.ticket_id))

    def _slip(self, uow: UnitOfWork, actor: Actor, slip_id: str, command: str) -> FeeSlip:
        check_role(actor, command, slip_id, FEE_ROLES[command])
        slip = uow.documents.get(FeeSlip, slip_id)
        try:
            ticket = self._ticket_in_scope(uow, actor, slip.ticket_id, command)
        except NotFound:
            raise NotFound("fee_slip", slip_id) from None
        if not _customer_may_see(actor, slip, ticket):
            raise NotFound("fee_slip", slip_id)
        return slip

    # -- slips --------------------------------------------------------------------------------------

    def issue_slip(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        lines: Iterable[ChargeLine],
        payment_method: str = "cash",
        invoice: InvoiceWish = InvoiceWish.NEVER,
        currency: str | None = None,
        quote_id: str | None = None,
        origin: SlipOrigin = SlipOrigin.JOB,
        invoice_title: str = "",
        tax_id: str = "",
        idempotency_key: str | None = None,
    ) -> FeeSlip:
        """Write the fee slip of a chargeable job; ``invoice=NOW`` requests its invoice at once.

        ``invoice_title`` and ``tax_id`` are the invoice's, so they are taken with ``invoice=NOW`` only: a
        slip keeps neither, and for a later invoice they are given when it is asked
        (:meth:`request_invoice`). Given with another wish they are refused (``ValidationError`` naming
        the field, rule ``invoice_details_unused``), nothing written: before, they were dropped.

        A job slip on a cancelled ticket is ``PolicyError`` ``ticket_cancelled``: the cancellation called
        the job off and cancelled its unpaid slips (an unreturned-materials slip is still written).

        The slip is in ``currency``, by default the desk's (the pack's ``fees.currency``).
        With ``idempotency_key`` a retried call returns the first slip instead of writing a second.
        """
        check_role(actor, "issue_fee_slip", ticket_id, FEE_ROLES["issue_fee_slip"])
        check_method(self.context, payment_method, "payment_method")  # the desk's ways of paying
        _invoice_details_used(invoice, invoice_title=invoice_title, tax_id=tax_id)
        lines = tuple(lines)
        slip_currency = self.currency if currency is None else currency
        request = [
            ticket_id,
            lines,
            payment_method,
            invoice,
            slip_currency,
            quote_id,
            origin,
            invoice_title,
            tax_id,
        ]
        invoices: list[InvoiceRecord] = []

        def apply(uow: UnitOfWork, now: datetime) -> FeeSlip:
            invoices.clear()
            # The ticket's lock: another desk's cancellation (which cancels the job's unpaid slips) or
            # slip of the same quote commits first or waits for this one — the check below and the
            # slip are then never judged on a ticket or slips that changed meanwhile (PostgreSQL reads
            # what was committed when each statement ran; SQLite already ran writers one at a time).
            ticket = self._ticket_in_scope(uow, actor, ticket_id, "issue_fee_slip", lock=True)
            if origin is SlipOrigin.JOB and ticket.state == TicketState.CANCELLED:
                # Its cancellation cancelled the job's unpaid slips (cancelled_money): nothing is owed for
                # a job called off, so none is written after it either. Parts the customer kept are
                # charged on an unreturned-materials slip, which stays possible.
                raise PolicyError(
                    f"ticket {ticket.id} was cancelled: no job fee is charged for it", code="ticket_cancelled"
                )
            if quote_id is not None:
                _check_slip_quote(uow, ticket, quote_id)
            slip = FeeSlip(
                next_number(uow, "fee_slip", now),
                ticket.id,
                ticket.customer_id,
                slip_currency,
                now,
                actor.ref,
                self._month_of(now),
                tuple(lines),
                payment_method,
                invoice,
                origin,
                purchasing_dealer(ticket),
                quote_id,
            )
            uow.documents.add(slip)
            take_back_free_work(uow, ticket, slip, actor.ref, now)
            record = self.invoice_now(uow, actor, now, slip, invoice_title, tax_id)
            if record is not None:
                invoices.append(record)
            return slip

        slip = self.runner.write(
            actor,
            "issue_fee_slip",
            idempotency_key,
            request,
            apply,
            remember=lambda s: s.id,
            reload=lambda uow, id: self._read_slip(uow, actor, id),  # in scope still
        )
        return self.send_requested(actor, slip, invoices[0] if invoices else None)

    def invoice_now(
        self, uow: UnitOfWork, actor: Actor, now: datetime, slip: FeeSlip, title: str = "", tax_id: str = ""
    ) -> InvoiceRecord | None:
        """Inside the command that wrote ``slip``: when its payer wants its invoice now (该次需开发票),
        the invoice request over this one slip (sent to finance by :meth:`send_requested` after commit),
        made out to the payer — the customer, or the dealer for its purchase from the maker; ``None`` for
        *later* or *never*. A slip owed by an engineer (a part the maker's own engineer kept) is refused
        (``invoice``): nobody outside is invoiced for it."""
        if slip.invoice_wish is not InvoiceWish.NOW:
            return None
        if slip.payer_kind not in ("customer", "dealer") or slip.payer_id is None:
            raise ValidationError(
                f"an invoice is made out to a customer or a dealer; slip {slip.id} is owed by "
                f"{slip.payer_kind} {slip.payer_id}",
                field="invoice",
            )
        return self._new_invoice(
            uow, actor, now, slip.payer_kind, slip.payer_id, [slip], title, tax_id, fresh=True
        )

    def send_requested(self, actor: Actor, slip: FeeSlip, record: InvoiceRecord | None) -> FeeSlip:
        """After the command committed: hand the invoice ``record`` it requested to finance (not on a
        replay, whose first run sent it) and return ``slip`` as it now stands.

        Both are read from the store as ``actor`` may read them: a caller naming another customer's
        invoice or slip gets ``NotFound`` (it neither reads the slip nor sends the invoice), and a request
        finance already answered is not sent again (a failed one waits for ``retry_invoices``)."""
        if record is None or slip.invoice_id != record.id:
            with self.context.store() as uow:
                return slip_as_seen_by(actor, slip, uow.tickets.get(slip.ticket_id))
        check_role(actor, "read_fee_slip", record.id, FEE_ROLES["read_fee_slip"])
        with self.context.store() as uow:
            waiting = self._invoice(uow, actor, record.id).state is InvoiceState.REQUESTED
            self._slip(uow, actor, slip.id, "read_fee_slip")
        if waiting:
            self._send(actor, record.id)
        with self.context.store() as uow:
            return self._read_slip(uow, actor, slip.id)

    def record_payment(
        self,
        actor: Actor,
        slip_id: str,
        amount: Money,
        *,
        method: str | None = None,
        reference: str = "",
        received_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> FeeSlip:
        """Record money received against a slip (at most its balance); a retry with its key counts once.

        A slip a dealer or an engineer owes the maker (a part charged as kept) is recorded as paid by the
        maker's office, not by the debtor (``PermissionDenied``, rule ``maker_confirms_payment``).

        A slip written for a quote is paid where its quote is (``paid_on_the_quote``, nothing stored):
        ``desk.charges.record_payment`` for the charge sheet's, ``desk.materials.record_payment`` for the
        materials desk's — they record the money on the quote, its slip and its parts request together;
        paid here, the quote and its request would still show it owed (its parts held back, 款到发货) and
        the quote's full payment would then exceed the slip's balance.
        """
        if received_at is not None:
            require_aware(received_at, "received_at")
        if method is not None:
            check_method(self.context, method, "method")

        def apply(uow: UnitOfWork, now: datetime) -> FeeSlip:
            received = now if received_at is None else received_at
            if received > now:
                raise ValidationError("received_at is in the future", field="received_at")
            slip = self._slip(uow, actor, slip_id, "record_slip_payment")
            check_payment_recorder(  # 款到发货: the maker's office confirms what a dealer owes it
                actor, "record_slip_payment", slip.id, slip.payer_kind, slip.payer_id,
                FEE_ROLES["record_slip_payment"],
            )  # fmt: skip
            if slip.quote_id is not None:
                raise PolicyError(
                    f"slip {slip.id} is the slip of quote {slip.quote_id}: pay the quote "
                    "(desk.charges.record_payment or desk.materials.record_payment)",
                    code="paid_on_the_quote",
                )
            payment = SlipPayment(amount, method or slip.payment_method, received, actor.ref, reference)
            slip.record_payment(payment)
            saved: FeeSlip = uow.documents.save(slip)
            return saved

        return self.runner.write(
            actor,
            "record_slip_payment",
            idempotency_key,
            [slip_id, amount, method, reference, received_at],
            apply,
            remember=lambda s: s.id,
            reload=lambda uow, id: self._read_slip(uow, actor, id),  # in scope still
        )

    def cancel_slip(self, actor: Actor, slip_id: str, reason: str) -> FeeSlip:
        """Cancel a slip with a reason; it stays on file, marked cancelled, out of the revenue.

        A quote's slip money was received on is refused (``PolicyError`` ``money_received``, after the
        refunded slip's ``slip_refunded``): cancelled, its payments left the books (the month it was
        paid in lost them) while the quote still showed them received, and no refund could find the
        slip any more (session 36). So is a paid slip of a part charged as kept (session 37: its waiver
        took the money received out of the books, and nothing pays those slips back: it is waived
        before it is paid). A slip written by hand is the office's to cancel, paid or not."""

        def apply(uow: UnitOfWork, now: datetime) -> FeeSlip:
            found = self._slip(uow, actor, slip_id, "cancel_fee_slip")
            check_may_waive(actor, found)  # a dealer does not waive what it owes the maker
            slip = cancel_stored_slip(uow, found, actor, now, reason, keep_received=True)
            waive_kept_charge(uow, slip, actor, now, self._month_of(now))  # the ledger agrees
            return slip

        return self.runner.write(actor, "cancel_fee_slip", None, [slip_id, reason], apply)

    def refund_kept_charge(
        self,
        actor: Actor,
        slip_id: str,
        *,
        reason: str,
        method: str = "transfer",
        reference: str = "",
        idempotency_key: str | None = None,
    ) -> FeeSlip:
        """Pay back a paid charge of a part kept past its return deadline whose part came back after all
        (seed 002 退料 4–5 盘盈盘亏分析, 与用户沟通,进行相关收费工作; 其他 3 相关费用及时与用户协商解决): the
        office's answer where :meth:`cancel_slip` waives an unpaid one. Returns the credit slip (origin
        ``refund``, reason ``refund_kept_part_back``) naming ``slip_id``, crediting the whole charge and
        paying back what was received (``method``, ``reference``); the loan ledger's charge is waived and
        the part booked returned, the part the maker's cost again — in the refund's month. The charge's
        slip stays as it was (its month keeps its figures).

        Refused, nothing stored: by anyone but the maker's office (a dealer does not pay itself back);
        a blank or over-long ``reason`` (``ValidationError``); a slip that is no active kept-part charge
        (``not_a_kept_charge``), not paid (``slip_not_paid``: cancel it instead), refunded already
        (``already_refunded``), or whose part is not back on the ledger (``part_not_back``: the charge
        stands)."""
        if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
            raise ValidationError("a refund needs a reason (at most 500 characters)", field="reason")
        check_method(self.context, method, "method")
        details = RefundDetails(reason, method, reference)

        def apply(uow: UnitOfWork, now: datetime) -> FeeSlip:
            found = self._slip(uow, actor, slip_id, "refund_kept_charge")
            ticket = self.runner.load(uow, found.ticket_id, lock=True)  # the history records the refund
            credit = refund_kept_charge(uow, found, actor, now, self._month_of(now), details)
            record_refund(uow, ticket, found, credit, actor, now, reason)
            uow.outbox.put(refund_notice(self.context.notifications, uow, found, credit, now))
            return credit

        return self.runner.write(
            actor,
            "refund_kept_charge",
            idempotency_key,
            [slip_id, reason, method, reference],
            apply,
            remember=lambda credit: credit.id,
            reload=lambda uow, credit_id: uow.documents.get(FeeSlip, credit_id),
        )

    def slip(self, actor: Actor, slip_id: str) -> FeeSlip:
        """One slip, if ``actor`` may see its ticket (otherwise ``NotFound``)."""
        with self.context.store() as uow:
            return self._read_slip(uow, actor, slip_id)

    def slips_of(self, actor: Actor, ticket_id: str) -> list[FeeSlip]:
        """Every slip of a ticket, cancelled ones included."""
        check_role(actor, "read_fee_slip", ticket_id, FEE_ROLES["read_fee_slip"])
        with self.context.store() as uow:
            ticket = self._ticket_in_scope(uow, actor, ticket_id, "read_fee_slip")
            slips = uow.documents.query(FeeSlip, ticket_id=ticket_id)
            return [slip_as_seen_by(actor, s, ticket) for s in slips if _customer_may_see(actor, s, ticket)]

    # -- invoices -----------------------------------------------------------------------------------

    def _new_invoice(
        self,
        uow: UnitOfWork,
        actor: Actor,
        now: datetime,
        payer_kind: str,
        payer_id: str,
        slips: list[FeeSlip],
        title: str,
        tax_id: str,
        *,
        fresh: bool = False,
    ) -> InvoiceRecord:
        """The invoice request over ``slips`` of one payer and dealer, for what they still charge: a slip
        archived for later and paid back in part since is invoiced for the rest (``invoice_net``).
        ``fresh``: the slips were written by this command (no credit slip can name them yet)."""
        if not slips:  # ``slip_ids=[]``: read as "these slips", of which there are none
            raise ValidationError(
                "an invoice covers at least one slip: name some, or leave slip_ids out to collect the "
                "slips waiting for one",
                field="slip_ids",
                rule="empty",
            )
        for slip in slips:
            if not slip.owed_by(payer_kind, payer_id):
                raise ValidationError(
                    f"slip {slip.id} is owed by {slip.payer_kind} {slip.payer_id}, not {payer_kind} "
                    f"{payer_id}: an invoice covers its payer's own slips (a customer's invoice the "
                    "customer's own slips)",
                    field="slip_ids",
                )
        dealers = {s.dealer_id for s in slips}
        if len(dealers) != 1:
            raise ValidationError(
                "one invoice covers the slips of one dealer's business (the dealer who charged them): "
                f"these are of {', '.join(sorted(d or 'the maker' for d in dealers))}",
                field="slip_ids",
            )
        currencies = {s.currency for s in slips}
        if len(currencies) != 1:
            raise ValidationError("one invoice covers slips of one currency", field="slip_ids")
        currency = currencies.pop()
        if fresh:
            total = Money.total((s.total for s in slips), currency)
        else:
            total = Money.total(
                (invoiced_total(invoiced_lines(uow.documents, s), currency) for s in slips), currency
            )
        number = next_number(uow, "invoice_request", now)
        record = InvoiceRecord(
            number, payer_id if payer_kind == "customer" else None, tuple(s.id for s in slips), total, now,
            actor.ref, title, tax_id, dealer_id=dealers.pop(), payer_kind=payer_kind, payer_id=payer_id,
        )  # fmt: skip
        for slip in slips:
            slip.attach_invoice(record.id)
            uow.documents.save(slip)
        uow.documents.add(record)
        return record

    def request_invoice(
        self,
        actor: Actor,
        customer_id: str,
        *,
        slip_ids: Iterable[str] | None = None,
        title: str = "",
        tax_id: str = "",
        dealer_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> InvoiceRecord:
        """Collect the customer's slips waiting for an invoice into one invoice request and send it.

        Without ``slip_ids``: every active, not yet invoiced slip the customer owes marked *later* (the
        slips archived un-torn for a collective invoice; the dealer's own slips on the customer's
        tickets, its purchase at the maker's price or a part it kept, are not the customer's). With
        ``slip_ids``: exactly those, which must be owed by the customer and invoiceable (a slip marked
        *never* is refused). One invoice covers one dealer's slips (the dealer who did the work and
        charged: a call passed to another dealer is that dealer's): ``dealer_id`` collects only that
        dealer's, and is needed when the waiting slips are of several (``ValidationError`` on
        ``dealer_id``); named slips of several dealers are refused (on ``slip_ids``). A retry with the same
        ``idempotency_key`` returns the first request as it now stands instead of a second invoice.
        """
        allowed = FEE_ROLES["request_invoice"]
        check_role(actor, "request_invoice", customer_id, allowed)
        wanted = tuple(slip_ids) if slip_ids is not None else None
        if dealer_id is not None and (not isinstance(dealer_id, str) or not dealer_id):
            raise ValidationError("dealer_id names a dealer", field="dealer_id")

        def apply(uow: UnitOfWork, now: datetime) -> InvoiceRecord:
            customer = uow.customers.get(customer_id)
            # Out of the scope of every role that may ask: as unknown (a customer itself, dealer staff
            # their dealer's and regions' customers), whatever other roles the actor holds.
            scope = {"region": customer.region, "dealer_id": customer.dealer_id}
            if not party_visible(actor, customer_id=customer_id, allowed=allowed, **scope):
                raise NotFound("customer", customer_id)
            if wanted is None:
                slips = [
                    s
                    for s in uow.documents.query(FeeSlip, customer_id=customer_id)
                    if s.can_invoice()
                    and s.invoice_wish is InvoiceWish.LATER
                    and s.owed_by_customer(customer_id)
                    and invoiced_lines(uow.documents, s)  # paid back in full: nothing to invoice
                ]
                slips = [s for s in slips if self._visible(uow, actor, s)]
                if dealer_id is not None:
                    slips = [s for s in slips if s.dealer_id == dealer_id]
                if not slips:
                    raise ValidationError(
                        f"customer {customer_id} has no slips waiting for an invoice", field="slip_ids"
                    )
                _one_dealer(slips)
            else:
                slips = [self._slip(uow, actor, sid, "request_invoice") for sid in wanted]
                for s in slips:
                    if s.customer_id != customer_id:
                        raise ValidationError(
                            f"slip {s.id} is not customer {customer_id}'s", field="slip_ids"
                        )
                    if not s.can_invoice():
                        raise ValidationError(f"slip {s.id} cannot be invoiced", field="slip_ids")
                    _not_paid_back(uow, s)
            slips.sort(key=lambda s: s.id)
            return self._new_invoice(uow, actor, now, "customer", customer_id, slips, title, tax_id)

        request: list[object] = [customer_id, wanted, title, tax_id]
        if dealer_id is not None:
            request.append(dealer_id)
        return self._request_and_send(actor, idempotency_key, request, apply)

    def request_dealer_invoice(
        self,
        actor: Actor,
        dealer_id: str,
        *,
        slip_ids: Iterable[str] | None = None,
        title: str = "",
        tax_id: str = "",
        idempotency_key: str | None = None,
    ) -> InvoiceRecord:
        """Collect a dealer's own slips waiting for an invoice — the materials it bought from the maker at
        the maker's price, a part it kept past its deadline — into one invoice made out to the dealer,
        and send it (seed 002: 上海维娜斯仅按成本价向各特约承销商收取材料费; 确认是否需开发票 …
        转至财务部开具发票).

        As :meth:`request_invoice` for a customer: without ``slip_ids`` every active, not yet invoiced
        slip the dealer owes marked *later*; with them exactly those, each owed by the dealer and
        invoiceable. The office asks for any dealer, dealer staff for their own dealer (another dealer is
        ``NotFound``, as an unknown one); the same roles as a customer's invoice (``request_invoice``).
        """
        allowed = FEE_ROLES["request_invoice"]
        check_role(actor, "request_invoice", dealer_id, allowed)
        if not isinstance(dealer_id, str) or not dealer_id:
            raise ValidationError("dealer_id names a dealer", field="dealer_id")
        wanted = tuple(slip_ids) if slip_ids is not None else None

        def apply(uow: UnitOfWork, now: datetime) -> InvoiceRecord:
            uow.dealers.get(dealer_id)
            if not party_visible(actor, dealer_id=dealer_id, allowed=allowed):
                raise NotFound("dealer", dealer_id)
            if wanted is None:
                slips = [
                    s
                    for s in uow.documents.query(FeeSlip, dealer_id=dealer_id)
                    if s.can_invoice()
                    and s.invoice_wish is InvoiceWish.LATER
                    and s.owed_by("dealer", dealer_id)
                    and invoiced_lines(uow.documents, s)  # paid back in full: nothing to invoice
                ]
                if not slips:
                    raise ValidationError(
                        f"dealer {dealer_id} has no slips waiting for an invoice", field="slip_ids"
                    )
            else:
                slips = [self._slip(uow, actor, sid, "request_invoice") for sid in wanted]
                for s in slips:
                    if not s.can_invoice():
                        raise ValidationError(f"slip {s.id} cannot be invoiced", field="slip_ids")
                    _not_paid_back(uow, s)
            slips.sort(key=lambda s: s.id)
            return self._new_invoice(uow, actor, now, "dealer", dealer_id, slips, title, tax_id)

        return self._request_and_send(
            actor, idempotency_key, ["dealer", dealer_id, wanted, title, tax_id], apply
        )

    def _request_and_send(
        self,
        actor: Actor,
        idempotency_key: str | None,
        request: list[object],
        apply: Callable[[UnitOfWork, datetime], InvoiceRecord],
    ) -> InvoiceRecord:
        """The ``request_invoice`` command (a customer's or a dealer's), then the request handed to finance
        when this call made it (a replay returns the first request as it now stands, in scope still)."""
        sent: list[str] = []
        record = self.runner.write(
            actor,
            "request_invoice",
            idempotency_key,
            request,
            lambda uow, now: _track(sent, apply(uow, now)),
            remember=lambda r: r.id,
            reload=lambda uow, id: self._invoice(uow, actor, id),
        )
        if sent and sent[-1] == record.id and record.state is InvoiceState.REQUESTED:
            return self._send(actor, record.id)
        return record

    def _visible(self, uow: UnitOfWork, actor: Actor, slip: FeeSlip) -> bool:
        try:
            self._ticket_in_scope(uow, actor, slip.ticket_id, "request_invoice")
        except (NotFound, PermissionDenied):
            return False
        return True

    def _send(self, actor: Actor, record_id: str) -> InvoiceRecord:
        """Hand one request to the issuer and record the answer (issued or failed) in its own transaction.

        The finance system is called outside any transaction (a slow or failing issuer holds no lock);
        its answer is recorded through the runner as the command of ``actor`` who asked for it. A
        failure, whatever the issuer raised, is recorded on the request (``retry_invoices`` sends it
        again), as a notifier's is on its message: the command that asked for the invoice (an accepted
        quote) is done and stays done.
        """
        with self.context.store() as uow:
            record = uow.documents.get(InvoiceRecord, record_id)
            slips = [uow.documents.get(FeeSlip, sid) for sid in record.slip_ids]
            # What the slips charged when the invoice was asked, less what was paid back by then.
            lines = tuple(
                line for s in slips for line in invoiced_lines(uow.documents, s, by=record.requested_at)
            )
        if record.state is InvoiceState.ISSUED:
            return record  # answered already (another desk's retry): finance is not asked again
        if self.issuer is None:
            outcome: IssuedInvoice | str = "no invoice issuer is configured"
        else:
            request = InvoiceRequest(
                record.id,
                record.customer_id,
                record.slip_ids,
                lines,
                record.total,
                record.requested_at,
                record.title,
                record.tax_id,
                record.dealer_id,
                record.payer_kind,
                record.payer_id,
            )
            outcome = _issued(self.issuer, request)

        def apply(uow: UnitOfWork, now: datetime) -> InvoiceRecord:
            answered = uow.documents.get(InvoiceRecord, record_id)
            if answered.state is InvoiceState.ISSUED:
                # Another desk sent it at the same time and recorded finance's answer first: the issuer
                # is idempotent on the request's id, so that is this answer too (a failure seen here is
                # this desk's call failing, not the invoice). Recording it again was InvalidTransition,
                # failing the retry job, or a command whose invoice was sent after it committed.
                return answered
            if isinstance(outcome, str):
                answered.failed(outcome)
            else:
                try:
                    answered.issued(outcome.invoice_number, outcome.issued_at)
                except ValidationError as refused:  # the issuer's answer, not the caller's input
                    answered.failed(f"the invoice issuer answered an invalid invoice: {refused}")
            saved: InvoiceRecord = uow.documents.save(answered)
            return saved

        return self.runner.write(actor, "record_invoice_answer", None, record_id, apply)

    def retry_invoices(self, actor: Actor) -> list[InvoiceRecord]:
        """Send every failed or unanswered invoice request again; returns them as they now stand."""
        check_role(actor, "retry_invoices", None, FEE_ROLES["retry_invoices"])
        with self.context.store() as uow:
            waiting = [r.id for r in uow.documents.query(InvoiceRecord) if r.state is not InvoiceState.ISSUED]
        return [self._send(actor, record_id) for record_id in waiting]

    def invoice(self, actor: Actor, invoice_id: str) -> InvoiceRecord:
        """One invoice request (customers their own only; one made out to a dealer, that dealer's staff and
        the office). Another's is ``NotFound`` as an unknown id is: the answer names neither its slips nor
        that it exists."""
        check_role(actor, "read_fee_slip", invoice_id, FEE_ROLES["read_fee_slip"])
        with self.context.store() as uow:
            return self._invoice(uow, actor, invoice_id)

    def _invoice(self, uow: UnitOfWork, actor: Actor, invoice_id: str) -> InvoiceRecord:
        record = uow.documents.get(InvoiceRecord, invoice_id)
        allowed = FEE_ROLES["read_fee_slip"]
        if record.payer_kind == "dealer" and record.payer_id is not None:
            # Made out to a dealer: the dealer's (its staff read it whichever tickets they still read).
            if not party_visible(actor, dealer_id=record.payer_id, allowed=allowed):
                raise NotFound(InvoiceRecord.DOCUMENT_KIND, invoice_id)
            return record
        if not sees_every(actor, allowed):  # any other role: its own slips only
            try:
                for slip_id in record.slip_ids:
                    self._slip(uow, actor, slip_id, "read_fee_slip")
            except NotFound:
                raise NotFound(InvoiceRecord.DOCUMENT_KIND, invoice_id) from None
        return record

    # -- materials movements ----------------------------------------------------------------------------

    def _movement(
        self,
        actor: Actor,
        ticket_id: str,
        kind: MovementKind,
        lines: Iterable[ChargeLine],
        key: str | None,
    ) -> MaterialsMovement:
        check_role(actor, "record_materials", ticket_id, FEE_ROLES["record_materials"])
        lines = tuple(lines)

        def apply(uow: UnitOfWork, now: datetime) -> MaterialsMovement:
            self._ticket_in_scope(uow, actor, ticket_id, "record_materials")
            if kind is MovementKind.ISSUED_FREE:
                self._check_at_cost(lines)
            ticket = uow.tickets.get(ticket_id)
            movement = MaterialsMovement(
                next_number(uow, "materials_movement", now),
                kind,
                ticket.id,
                self._month_of(now),
                now,
                actor.ref,
                tuple(lines),
                purchasing_dealer(ticket),
            )
            uow.documents.add(movement)
            return movement

        return self.runner.write(
            actor,
            f"record_materials_{kind.value}",
            key,
            [ticket_id, lines],
            apply,
            remember=lambda m: m.id,
            reload=lambda uow, id: uow.documents.get(MaterialsMovement, id),
        )

    def _check_at_cost(self, lines: Iterable[ChargeLine]) -> None:
        """A free issue is the maker's cost: a part on the pack's price list (《零部件价格表》) is priced at
        its cost to dealers (保修期内甲方免费向乙方提供维修材料; 按成本价), else ``ValidationError`` naming
        ``lines`` — a free part entered at its retail price, or at nothing, would misstate the cost
        figures (month_money, the KPI's cost per ticket, the budget's actual)."""
        fees = self.context.policies.fees
        for line in lines:
            if not isinstance(line, ChargeLine) or line.kind is not ChargeKind.MATERIALS:
                continue
            try:
                cost = fees.part_price(line.item).cost
            except NotFound:
                continue  # not on the list: the caller's price is the only one there is
            if line.unit_price != cost:
                raise ValidationError(
                    f"part {line.item} is issued free at its cost price {cost} (the price list), "
                    f"not {line.unit_price}",
                    field="lines",
                )

    def record_free_issue(
        self, actor: Actor, ticket_id: str, lines: Iterable[ChargeLine], *, idempotency_key: str | None = None
    ) -> MaterialsMovement:
        """Record materials issued free of charge for a job (in warranty), priced at cost: a part on the
        pack's price list at its cost price there (another price is a ``ValidationError`` naming
        ``lines``)."""
        return self._movement(actor, ticket_id, MovementKind.ISSUED_FREE, lines, idempotency_key)

    def record_return(
        self, actor: Actor, ticket_id: str, lines: Iterable[ChargeLine], *, idempotency_key: str | None = None
    ) -> MaterialsMovement:
        """Record materials returned (退料: replaced parts sent back, loans returned)."""
        return self._movement(actor, ticket_id, MovementKind.RETURNED, lines, idempotency_key)

    # -- the monthly report ---------------------------------------------------------------------------

    def backfill_money_index(
        self,
        actor: Actor,
        *,
        batch: Annotated[int, BATCH_BOUNDS] = 500,
        max_batches: Annotated[int, POSITIVE] | None = None,
    ) -> int:
        """Index the money rows of fee slips and free issues stored before that index existed.

        The month's revenue (:func:`aftersales.reports.money.month_money`) reads a SQL store's
        ``money_row`` index instead of 100 000 documents; slips written by an older aftersales have no
        such row and would count for nothing. Each batch of ``batch`` documents is one transaction, so
        writers wait one batch at most; a run that stops (``max_batches``, a crash) resumes where it
        stopped, because every document done has its row. Returns how many documents were indexed
        (0 when none was missing, and always on a store without that index). The jobs run it daily
        (``money_index``); managers may run it at once after an upgrade.
        """
        check_role(actor, "backfill_money_index", None, FEE_ROLES["backfill_money_index"])
        BATCH_BOUNDS.check(batch, "batch")
        if max_batches is not None:
            POSITIVE.check(max_batches, "max_batches")
        total = batches = 0
        while max_batches is None or batches < max_batches:

            def apply(uow: UnitOfWork, now: datetime) -> int:
                # One batch is ``batch`` documents of both kinds (the slips first, movements after): a
                # batch of slips coming back short no longer ends the call before the movements. A store
                # that reads money from documents has nothing to index.
                return fill_index(uow, (FeeSlip, MaterialsMovement), "money_row", batch)

            done = self.runner.write(actor, "backfill_money_index", None, ["money_row", batch], apply)
            batches += 1
            total += done
            if done < batch:
                break
        return total

    def revenue_scope(self, actor: Actor, month: str) -> tuple[str, str | None]:
        """Whether ``actor`` may read ``month``'s revenue (the permission table's ``revenue_report``), and
        whose: ``(month, None)`` for every dealer's, ``(month, dealer_id)`` for dealer staff, who read their
        own dealer's figures only. The scoped money reads (:meth:`monthly_revenue`,
        :func:`aftersales.reports.money.scoped_month_money`) ask it first."""
        allowed = FEE_ROLES["revenue_report"]
        check_role(actor, "revenue_report", month, allowed)
        month = checked_month(month)
        # Whoever reads it only as dealer staff (whatever other roles they hold) reads its dealer's.
        dealer = None if sees_every(actor, allowed) else actor.dealer_id
        if dealer is None and not sees_every(actor, allowed):
            raise PermissionDenied(str(actor), "revenue_report", month)
        return month, dealer

    def _opening_counts(
        self, uow: UnitOfWork, month: str, currency: str, dealer: str | None
    ) -> dict[str, int]:
        """Per item, what was still out on loan when ``month`` began: every earlier month's free issues
        less its returns and charges (the stock the loan count carries over, :class:`ItemBalance`)."""
        slips = [
            s
            for s in uow.documents.query(FeeSlip)
            if s.month < month
            and s.is_active
            and s.currency == currency
            and (dealer is None or s.dealer_id == dealer)
        ]
        moves: dict[MovementKind, list[RevenueEntry]] = {kind: [] for kind in MovementKind}
        for m in uow.documents.query(MaterialsMovement):
            if m.month < month and (dealer is None or m.dealer_id == dealer):
                moves[m.kind].extend(
                    _entry(m.id, m.ticket_id, ln, charged=False)
                    for ln in m.lines
                    if ln.unit_price.currency == currency
                )
        free = [_entry(s.id, s.ticket_id, ln, charged=False) for s in slips for ln in s.costed_free_lines()]
        free.extend(moves[MovementKind.ISSUED_FREE])
        counts = _item_counts(slips, free, moves[MovementKind.RETURNED], moves[MovementKind.CHARGED_ON_QUOTE])
        return {item: c[0] - c[1] - c[2] - c[3] for item, c in counts.items()}

    def monthly_revenue(self, actor: Actor, month: str, *, currency: str | None = None) -> MonthlyRevenue:
        """The month's revenue list, free-materials list and returns list, reconciled (按月统计销售收入).

        Dealer staff get their own dealer's figures only: the slips and movements carrying their dealer
        (the dealer of the ticket when they were written). The lists are in ``currency``, by default
        the desk's (the pack's ``fees.currency``).
        """
        month, dealer = self.revenue_scope(actor, month)
        if currency is None:
            currency = self.currency
        Money.zero(currency)  # UnknownCurrency before any read
        with self.context.store() as uow:
            slips = [
                s
                for s in uow.documents.query(FeeSlip, month=month)
                if s.currency == currency and (dealer is None or s.dealer_id == dealer)
            ]
            movements = [
                m
                for m in uow.documents.query(MaterialsMovement, month=month)
                if dealer is None or m.dealer_id == dealer
            ]
            opening = self._opening_counts(uow, month, currency, dealer)
        active = [s for s in slips if s.is_active]
        revenue = tuple(
            _entry(s.id, s.ticket_id, ln, charged=True, credit=s.is_credit)
            for s in active
            for ln in s.charged_lines()
        )
        free = [_entry(s.id, s.ticket_id, ln, charged=False) for s in active for ln in s.costed_free_lines()]
        returns: list[RevenueEntry] = []
        recharged: list[RevenueEntry] = []
        kept: list[RevenueEntry] = []  # charged as kept: counted through the chargeback's slip below
        into_stock: list[RevenueEntry] = []  # surplus taken into stock: no loan moved
        lists = {
            MovementKind.ISSUED_FREE: free,
            MovementKind.RETURNED: returns,
            MovementKind.CHARGED_ON_QUOTE: recharged,
            MovementKind.CHARGED_AS_KEPT: kept,
            MovementKind.KEPT_CHARGE_CANCELLED: kept,
            MovementKind.SURPLUS_INTO_STOCK: into_stock,
            # A waived quote's part given back as cost (month_money); the loan count does not move.
            MovementKind.QUOTE_CHARGE_CANCELLED: [],
            # A free repair's labour, travel and fee: cost (month_money), not materials for these lists.
            MovementKind.FREE_WORK_GIVEN: [],
            MovementKind.FREE_WORK_ON_SLIP: [],
        }
        for m in movements:
            target = lists[m.kind]
            target.extend(
                _entry(m.id, m.ticket_id, ln, charged=False)
                for ln in m.lines
                if ln.unit_price.currency == currency
            )
        balances = _item_counts(active, free, returns, recharged)
        for item, left in opening.items():
            if left:
                balances.setdefault(item, [0, 0, 0, 0, 0])[4] = left
        zero = Money.zero(currency)
        return MonthlyRevenue(
            month,
            currency,
            revenue,
            tuple(free),
            tuple(returns),
            sum((e.amount for e in revenue), zero),
            sum((e.amount for e in revenue if e.kind is ChargeKind.MATERIALS), zero),
            sum((s.signed_total for s in active), zero),
            sum((s.signed_paid for s in active), zero),
            tuple(sorted(s.id for s in slips if not s.is_active)),
            tuple(ItemBalance(item, *counts) for item, counts in sorted(balances.items())),
            tuple(recharged),
            tuple(into_stock),
        )


def _one_dealer(slips: list[FeeSlip]) -> None:
    """The slips waiting for one invoice are of one dealer's business, else the caller names which."""
    dealers = {s.dealer_id for s in slips}
    if len(dealers) > 1:
        raise ValidationError(
            "the slips waiting for an invoice are of several dealers' business "
            f"({', '.join(sorted(d or 'the maker' for d in dealers))}): one invoice is one dealer's; "
            "name the dealer (dealer_id) or the slips",
            field="dealer_id",
        )


def _customer_may_see(actor: Actor, slip: FeeSlip, ticket: Ticket) -> bool:
    """A customer reads the slips it owes; the dealer's own slips on its tickets (its purchase from the
    maker at the maker's price, a part it kept) are between maker and dealer: another dealer of the
    region reads the ticket but not them, the dealer who owes a slip reads it. Staff read every slip
    in their scope: a customer who is also staff only on a ticket a staff role of theirs reads."""
    if slip.payer_kind == "customer":
        return customer_slip_readable(actor, slip, ticket)
    if slip.payer_kind == "dealer" and actor.has_role(R.DEALER_STAFF) and slip.payer_id == actor.dealer_id:
        return True
    return reads_dealer_side(actor, ticket)


def _check_slip_quote(uow: UnitOfWork, ticket: Ticket, quote_id: str) -> None:
    """A hand-written slip naming a quote names one the customer accepted on this ticket and that no
    active slip carries yet: an accepted quote is charged once (cancel its slip to write it again)."""
    quotes = list(ticket.charges.quotes) if ticket.charges is not None else []
    for request in uow.documents.query(MaterialsRequest, ticket_id=ticket.id):
        if request.charges is not None:
            quotes.extend(request.charges.quotes)
    quote = next((q for q in quotes if q.id == quote_id), None)
    if quote is None:
        raise ValidationError(f"quote {quote_id!r} is not a quote of ticket {ticket.id}", field="quote_id")
    if quote.state is not QuoteState.ACCEPTED or quote.payer != "customer":
        raise ValidationError(
            f"quote {quote_id} is not a quote the customer accepted ({quote.payer}, {quote.state.value})",
            field="quote_id",
        )
    for slip in uow.documents.query(FeeSlip, ticket_id=ticket.id):
        if slip.quote_id == quote_id and slip.is_active:
            raise ValidationError(f"quote {quote_id} is already charged on slip {slip.id}", field="quote_id")


def _issued(issuer: InvoiceIssuer, request: InvoiceRequest) -> IssuedInvoice | str:
    """The finance system's answer to ``request``: the invoice, or why there is none. The issuer is the
    host's (a remote system): anything it raises, or an answer that is no ``IssuedInvoice`` (or one whose
    number or time the record refuses), is a failure to record and retry, not an error of the command
    that asked for the invoice."""
    try:
        answer = issuer.issue(request)
    except Exception as exc:  # the host's finance system may fail in any way
        return str(exc) if isinstance(exc, AftersalesError) else f"{type(exc).__name__}: {exc}"
    if not isinstance(answer, IssuedInvoice):
        return f"the invoice issuer answered {type(answer).__name__}, not IssuedInvoice"
    return answer  # its number and time are checked where they are recorded (InvoiceRecord.issued)


def _invoice_details_used(wish: InvoiceWish, **details: str) -> None:
    """Refuse an invoice's title or tax number given with a slip whose invoice is not asked now (工作程序 c):
    the slip keeps neither, so they would be dropped; a later invoice takes them when it is asked."""
    if wish is InvoiceWish.NOW:
        return
    for field, value in details.items():
        if value:
            raise ValidationError(
                f"{field} is the invoice's, asked now only (invoice=now); this slip's invoice is "
                f"{InvoiceWish(wish).value}: give it with request_invoice when the invoice is asked",
                field=field,
                rule="invoice_details_unused",
            )


def _not_paid_back(uow: UnitOfWork, slip: FeeSlip) -> None:
    """Refuse a slip named for an invoice whose credit slips paid back every line it charged: the payer
    pays nothing on it any more (工作程序 c ②: the collective invoice is for what is charged)."""
    if not invoiced_lines(uow.documents, slip):
        raise ValidationError(
            f"slip {slip.id} was paid back in full on credit slips: it goes on no invoice",
            field="slip_ids",
            rule="slip_paid_back",
        )
