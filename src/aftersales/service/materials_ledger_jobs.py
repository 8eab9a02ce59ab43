"""The loan ledger's jobs and settlements (seed 002 退料 1, 3–5; 其他 3): charging parts kept past their
deadline, reminders, the stock count (盘盈盘亏) and closing a surplus review."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from aftersales.domain.events import JsonValue
from aftersales.domain.fee_slips import FeeSlip, InvoiceWish, MovementKind, SlipOrigin
from aftersales.domain.instants import require_aware
from aftersales.domain.loan_ledger import ArrivedReturn, Chargeback, LoanLedger, OverdueItem, Reconciliation
from aftersales.domain.materials import MaterialsRequest, PartyKind, PartyRef
from aftersales.domain.reasons import Reason
from aftersales.domain.surplus_review import SurplusClosure, SurplusOutcome
from aftersales.errors import NotFound, ValidationError
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.judged_instant import judged_at
from aftersales.service.kept_charge_parties import KEPT_BY_DEALER_ENGINEER, told_of_kept_charge
from aftersales.service.materials_base import MaterialsBase
from aftersales.service.materials_rules import (
    check_actor,
    check_run_limit,
    contact_of,
    engineer_dealer,
    party_exists,
)
from aftersales.service.numbering import next_number
from aftersales.service.permissions import MATERIALS_ROLES, check_role
from aftersales.service.row_locks import lock_in_order
from aftersales.service.surplus_review import surplus_ticket

__all__ = ["LedgerJobs"]


@validated_commands
class LedgerJobs(MaterialsBase):
    """Chargebacks, reminders, counts and surplus reviews (``desk.materials``)."""

    def _slip_for(self, uow: UnitOfWork, chargeback: Chargeback, actor: Actor, now: datetime) -> FeeSlip:
        """The fee slip of a part kept past its deadline, owed by the party that kept it (其他 3)."""
        customer: str = chargeback.party.id
        ticket_id: str = chargeback.key
        issued_free = False  # lent on a free request, whose free issue counted as the maker's cost
        if chargeback.request_id is not None:
            request = uow.documents.get(MaterialsRequest, chargeback.request_id)
            customer = uow.tickets.get(request.ticket_id).customer_id
            ticket_id = request.ticket_id
            issued_free = request.quote_id is None
        party, reasons = chargeback.party, chargeback.reasons
        payer = party
        if party.kind is PartyKind.ENGINEER:
            employer = engineer_dealer(uow, party.id)
            if employer is not None:
                # 乙方需按时退回换下的配件: the dealer answers to the maker for what its own engineer kept;
                # the slip is the dealer's (its books, its monthly figures), and names the engineer.
                payer = PartyRef.dealer(employer)
                reasons = (
                    *reasons,
                    Reason(KEPT_BY_DEALER_ENGINEER, {"engineer_id": party.id, "dealer_id": employer}),
                )
        slip = FeeSlip(
            next_number(uow, "fee_slip", now), ticket_id, customer, chargeback.line.unit_price.currency,
            now, actor.ref, self._books_month(now), (chargeback.line,),
            origin=SlipOrigin.UNRETURNED_MATERIALS,
            # Nobody was asked about an invoice: a dealer's slip is archived for its collective invoice
            # (工作程序 c ② 不撕票存档,等用户需集中开发票时); the maker's own engineer is invoiced nothing.
            invoice_wish=InvoiceWish.LATER if payer.kind is PartyKind.DEALER else InvoiceWish.NEVER,
            dealer_id=payer.id if payer.kind is PartyKind.DEALER else None,
            payer_kind=payer.kind.value, payer_id=payer.id, reasons=reasons,
        )  # fmt: skip
        uow.documents.add(slip)
        if issued_free:
            # Its free issue was the maker's cost; charged now, it is income on this slip instead.
            kept = [(chargeback.line.item, chargeback.line.quantity)]
            self._movement(uow, MovementKind.CHARGED_AS_KEPT, ticket_id, party, kept, actor, now, slip.id)
        if chargeback.request_id is not None:
            payload: dict[str, JsonValue] = {
                "request_id": chargeback.request_id,
                "part": chargeback.line.item,
                "quantity": chargeback.line.quantity,
                "amount": str(chargeback.line.amount.amount),
                "currency": chargeback.line.unit_price.currency,
                "payer": payer.key,
                "fee_slip": slip.id,
                "reasons": [
                    {"code": r.code, "params": dict(r.params)} for r in reasons
                ],  # rendered as any step's
            }
            if payer != party:
                payload["kept_by"] = party.key
            self._history(uow, ticket_id, "part_charged_back", actor, now, payload)
        for told in told_of_kept_charge(slip):  # the keeper, and the dealer who pays for its engineer
            to = None if told == party else told
            uow.outbox.put(self._charged_back_notice(uow, chargeback, ticket_id, slip, now, to))
        return slip

    def _charged_back_notice(
        self, uow: UnitOfWork, chargeback: Chargeback, ticket_id: str, slip: FeeSlip, now: datetime,
        to: PartyRef | None = None,
    ) -> list[OutboxMessage]:  # fmt: skip
        """Tell the party that kept the part what it is charged and why (seed 002 退料: 与用户沟通,进行相关
        收费工作): its dealer's or its engineer's contact, in its locale; nothing if it has none. ``to``:
        another party to tell (the dealer paying for its engineer)."""
        party = chargeback.party if to is None else to
        contact = contact_of(uow, party)
        if contact is None:
            return []
        due = chargeback.reasons[0].params.get("due_at") if chargeback.reasons else None
        values: dict[str, object] = {
            "ticket_id": ticket_id,
            "part": chargeback.line.item,
            "quantity": chargeback.line.quantity,
            "amount": chargeback.line.amount,
            "due_at": datetime.fromisoformat(due) if isinstance(due, str) else now,
            "fee_slip": slip.id,
        }
        return self.context.notifications.contact_messages(
            "part_charged_back",
            party.kind.value,
            contact,
            values,
            f"part_charged_back:{chargeback.key}" + ("" if to is None else f":{to.key}"),
            now,
        )

    # -- ledger jobs ----------------------------------------------------------------------------------

    def run_overdue_chargebacks(
        self, actor: Actor, at: datetime | None = None, *, limit: int | None = None
    ) -> tuple[Chargeback, ...]:
        """Charge every part not back by its deadline at the price list's cost, once per issue line.

        Safe to run as often as wanted: a line already charged is skipped (deterministic booking keys).
        ``at``: the instant the deadlines are judged at (the job's ``now``), not ahead of the clock
        (``ValidationError`` naming ``at``). ``limit`` charges that many lines in this run while that many
        are overdue (the ``chargebacks`` job passes its own: a bounded batch; the lines left are charged
        by the next run); a line another run charged meanwhile does not count against it.
        """
        check_actor(actor)
        check_role(actor, "run_overdue_chargebacks", None, MATERIALS_ROLES["run_overdue_chargebacks"])
        if at is not None:
            require_aware(at, "at")
        check_run_limit(limit)

        def apply(uow: UnitOfWork, now: datetime) -> tuple[Chargeback, ...]:
            when = judged_at(at, now)  # ahead of the clock a part would be charged before its deadline
            held: set[str] = set()
            # The tickets charged on are locked first, in id order, then the ledgers read again as last
            # committed: a ledger row and the fee-slip counter taken before a ticket's lock deadlocked
            # on PostgreSQL with a ticket command taking them the other way round. Every ledger is read
            # again, not only those planned: a line charged meanwhile (a run on another desk) leaves
            # room under ``limit`` for the next overdue line, which the run charges instead.
            ledgers = uow.documents.query(LoanLedger)
            due = any(ledger.overdue(when) for ledger in ledgers)
            arrived: Mapping[str, Sequence[ArrivedReturn]] = self._arrived(uow) if due else {}
            planned = self._overdue(ledgers, when, actor, arrived, limit)
            self._lock_charged(uow, [c for _, new in planned for c in new], held)
            fresh = uow.documents.query(LoanLedger)
            # The arrivals are read once. A second read after the locks found nothing the first did not
            # that could change the answer: only an arrival before a line's deadline holds its charge,
            # and the lines charged are due by ``when`` (at the latest this run's clock), so a return
            # registered meanwhile arrived after their deadline; a relay counted meanwhile was read in
            # transit, and a return rejected meanwhile holds its line until the next run, as before.
            # Read here only when the first ledgers had nothing due and a ledger changed meanwhile has.
            if not due:
                arrived = self._arrived_if_due(uow, fresh, when)
            charged = self._overdue(fresh, when, actor, arrived, limit)
            made = [c for _, new in charged for c in new]
            self._lock_charged(uow, made, held)  # a ledger changed meanwhile: rare
            for ledger, _ in charged:
                uow.documents.save(ledger)
            for chargeback in made:
                self._slip_for(uow, chargeback, actor, now)
            return tuple(made)

        return self.runner.write(actor, "run_overdue_chargebacks", None, [at, limit], apply)

    def _arrived_if_due(
        self, uow: UnitOfWork, ledgers: Sequence[LoanLedger], when: datetime
    ) -> Mapping[str, Sequence[ArrivedReturn]]:
        """The arrivals and relays in transit (:meth:`_arrived`), read only when a line of ``ledgers`` is
        past its deadline at ``when``: they only take such lines off, so with none the run charges the same
        without the three queries (as ``desk.materials.overdue`` does)."""
        if not any(ledger.overdue(when) for ledger in ledgers):
            return {}
        return self._arrived(uow)

    def _overdue(
        self,
        ledgers: Iterable[LoanLedger],
        when: datetime,
        actor: Actor,
        arrived: Mapping[str, Sequence[ArrivedReturn]],
        limit: int | None,
    ) -> list[tuple[LoanLedger, tuple[Chargeback, ...]]]:
        """The lines of ``ledgers`` past their deadline at ``when``, charged on each ledger (not stored),
        at most ``limit`` in all: each ledger charged on, with its new chargebacks."""
        found: list[tuple[LoanLedger, tuple[Chargeback, ...]]] = []
        count = 0
        for ledger in ledgers:
            left = None if limit is None else limit - count
            if left == 0:
                break
            kept = arrived.get(ledger.party.key, ())
            new = tuple(ledger.chargeback_overdue(when, actor.ref, self._cost, kept, left))
            if new:
                found.append((ledger, new))
                count += len(new)
        return found

    def _lock_charged(self, uow: UnitOfWork, chargebacks: Iterable[Chargeback], held: set[str]) -> None:
        """Lock the tickets ``chargebacks`` are charged on (their history records each) not in ``held``,
        in id order, and add them to ``held``: a write charging parts takes its tickets before any number
        or ledger row, in the order every ticket command takes them (the ticket, then its numbers), and
        its tickets in ascending id order (:func:`~aftersales.service.row_locks.lock_in_order`)."""
        wanted = {
            uow.documents.get(MaterialsRequest, c.request_id).ticket_id
            for c in chargebacks
            if c.request_id is not None
        }
        # A ticket found only on the second read, below one held, is not taken out of order (a
        # deadlock with a run holding it and waiting for one held here): the command runs again.
        lock_in_order("ticket", held, wanted, lambda i: self.runner.load(uow, i, lock=True))

    def run_return_reminders(
        self, actor: Actor, at: datetime | None = None, *, limit: int | None = None
    ) -> tuple[OverdueItem, ...]:
        """Urge each party to return the parts still out whose deadline comes within ``remind_days``
        (seed 002: 按《用户借料盘点表》中的内容督促用户在规定时间内退料): one message to the dealer or
        engineer holding them, once per issue line. Returns the lines reminded of.

        Safe to run as often as wanted (the ``return_reminders`` job runs it hourly): a line reminded of
        is recorded on the ledger and not again. Nothing is sent when ``remind_days`` is ``None``.
        ``at``: the instant judged at, not ahead of the clock (``ValidationError`` naming ``at``).
        ``limit`` reminds of at most that many lines in this run, the soonest deadlines of each party
        first (the job passes its own; the lines left are reminded of by the next run).
        """
        check_actor(actor)
        check_role(actor, "remind_returns", None, MATERIALS_ROLES["remind_returns"])
        if at is not None:
            require_aware(at, "at")
        check_run_limit(limit)
        days = self.params.remind_days
        if days is None:
            return ()
        within = timedelta(days=days)

        def apply(uow: UnitOfWork, now: datetime) -> tuple[OverdueItem, ...]:
            when = judged_at(at, now)  # ahead of the clock a line would be reminded of once, too early
            reminded: list[OverdueItem] = []
            arrived = self._arrived(uow)
            for ledger in uow.documents.query(LoanLedger):
                if limit is not None and len(reminded) >= limit:
                    break
                items = ledger.due_soon(when, within, arrived.get(ledger.party.key, ()))
                if limit is not None:
                    items = items[: limit - len(reminded)]
                if not items:
                    continue
                ledger.mark_reminded(item.issue_key for item in items)
                uow.documents.save(ledger)
                uow.outbox.put(self._return_reminders(uow, ledger.party, items, now))
                reminded.extend(items)
            return tuple(reminded)

        return self.runner.write(actor, "run_return_reminders", None, [at, limit], apply)

    def _return_reminders(
        self, uow: UnitOfWork, party: PartyRef, items: Sequence[OverdueItem], now: datetime
    ) -> list[OutboxMessage]:
        """One message per line to the party holding the parts, and to the dealer a dealer's own engineer
        works for: the dealer is charged for what its engineer keeps (see :meth:`_slip_for`), so it is
        urged before the deadline too (退料 1 督促用户在规定时间内退料). None to a party without a contact."""
        told = [(party, "")]
        if party.kind is PartyKind.ENGINEER:
            employer = engineer_dealer(uow, party.id)
            if employer is not None:
                answering = PartyRef.dealer(employer)
                told.append((answering, f":{answering.key}"))
        messages: list[OutboxMessage] = []
        for whom, suffix in told:
            contact = contact_of(uow, whom)
            if contact is None:
                continue
            for item in items:
                values: dict[str, object] = {
                    "part": item.part,
                    "quantity": item.outstanding,
                    "due_at": item.due_at,
                }
                messages += self.context.notifications.contact_messages(
                    "part_return_due",
                    whom.kind.value,
                    contact,
                    values,
                    f"part_return_due:{item.issue_key}{suffix}",
                    now,
                )
        return messages

    def reconcile(
        self, actor: Actor, party: PartyRef, counted: Mapping[str, int], *, reference: str | None = None
    ) -> Reconciliation:
        """Compare the party's counted stock list with its ledger (盘盈盘亏) and book the settlement."""
        check_actor(actor)
        check_role(actor, "reconcile_loans", party.key, MATERIALS_ROLES["reconcile_loans"])
        if reference is not None and not (reference.strip() and len(reference) <= 64):
            raise ValidationError(
                "reference is the count's number: 1-64 characters, not blank", field="reference"
            )
        counted = dict(counted)

        def apply(uow: UnitOfWork, now: datetime) -> Reconciliation:
            party_exists(uow, party)  # a count of nobody's stock would open a ledger for nobody
            ledger, new = self._ledger(uow, party)
            ref = reference or self._number(uow, "reconciliation", now)  # a counter no ticket command takes

            def reconciled(ledger: LoanLedger) -> Reconciliation:
                return ledger.reconcile(
                    counted, reference=ref, at=now, by=actor.ref, price=self._cost,
                    arrived=self._arrived(uow, party).get(party.key, ()),
                )  # fmt: skip

            result = reconciled(ledger)
            if result.chargebacks:
                # The tickets charged on first, in id order, then the ledger as last committed (as the
                # overdue-chargebacks job does): the ledger row and the fee-slip counter before a
                # ticket's lock deadlocked with a ticket command on PostgreSQL.
                held: set[str] = set()
                self._lock_charged(uow, result.chargebacks, held)
                ledger, new = self._ledger(uow, party)
                result = reconciled(ledger)
                self._lock_charged(uow, result.chargebacks, held)
            ledger.settle(result)
            self._store_ledger(uow, ledger, new)
            for chargeback in result.chargebacks:
                self._slip_for(uow, chargeback, actor, now)
            return result

        return self.runner.write(actor, "reconcile_loans", None, [party, counted, reference], apply)

    def close_surplus(
        self, actor: Actor, party: PartyRef, key: str, outcome: SurplusOutcome, note: str
    ) -> SurplusClosure:
        """Close the review of a surplus (盘盈: a part sent back or counted beyond what was lent) on
        ``party``'s ledger, by its ``key`` (``SurplusItem.key``): taken into stock (a
        ``surplus_into_stock`` movement at cost, in the month of the decision), sent back to the party,
        or written off, with the office's ``note`` (seed 002 退料 4–5: 盘盈盘亏分析, 与用户沟通). A surplus
        not under review is ``NotFound``, one closed already ``PolicyError`` ``surplus_closed``."""
        check_actor(actor)
        check_role(actor, "close_surplus", party.key, MATERIALS_ROLES["close_surplus"])

        def apply(uow: UnitOfWork, now: datetime) -> SurplusClosure:
            try:
                ledger = uow.documents.get(LoanLedger, party.key)
            except NotFound:
                raise NotFound("surplus for review", key) from None
            closure = ledger.close_surplus(key, outcome, now, actor.ref, note)
            uow.documents.save(ledger)
            if closure.outcome is SurplusOutcome.INTO_STOCK:
                self._movement(uow, MovementKind.SURPLUS_INTO_STOCK, surplus_ticket(uow, closure), party,
                               [(closure.part, closure.quantity)], actor, now)  # fmt: skip
            return closure

        return self.runner.write(actor, "close_surplus", None, [party, key, outcome, note], apply)
