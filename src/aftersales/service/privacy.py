"""Personal data under PIPL (个人信息保护法): erasure, the right of access, and who read what.

``desk.privacy`` offers:

- :meth:`PrivacyDesk.erase_customer` — replace one customer's name, phone, address, e-mail and free-text
  details in the customer record, every ticket (descriptions, notes, fault and visit notes, free-text
  custom fields, the notes kept as a step's reason: contacts, callback attempts, referrals for assessment,
  the customer's words at a callback that sent the work back), materials request (the requester's note),
  complaint file (its remedies' notes blanked), survey answer, fee slip, outbox message and idempotency
  row — and in issue 26's records: service contracts, maintenance plans, maintenance visits (checklist
  notes blanked, postponement/miss reasons scrubbed of the person's strings), campaign survey tasks
  (comment blanked), the batch quality incidents counting their unit (notes scrubbed of the person's
  strings) and the dealers' spot-checks that looked at their tickets (findings and guidance scrubbed of
  the person's strings, as the reason of a staff measure citing their complaint) — in one transaction, and
  removes the attachments of their tickets (the bytes once the erasure has committed); ids, products,
  dates, states, amounts, codes and reasons are kept, so the ledger, the KPIs, revenue and fault
  statistics do not change. An :class:`ErasureRecord` says who erased, when and why (not what). Refused
  with :class:`~aftersales.errors.LegalHold` while an open complaint carries a compensation claim
  (demanded, or granted and not yet closed) or a fee slip the customer owes is unpaid. On SQLite the freed
  bytes are zeroed and the WAL is truncated afterwards, so the erased text is gone from the files too.
- :meth:`PrivacyDesk.export_customer` — everything held about the person, as JSON (contracts,
  maintenance plans and visits, and campaign survey tasks included); the customer's own export holds
  each record as the customer reads it elsewhere (tickets, complaint files, materials requests).
- :meth:`PrivacyDesk.access_log` — every read of personal data through archives, complaint logs and
  exports, for the auditor and the privacy officer.

Why text replacement as well as field rules: a name also sits in rendered messages, in whole tickets
kept for idempotency, in notes an agent typed. Both are applied (see :mod:`aftersales.domain.erasure`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import attrs

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import TicketKind
from aftersales.domain.complaints import ComplaintFile, GrantedExtension, Recourse, RemedyKind
from aftersales.domain.contact import Contact
from aftersales.domain.correspondence import CorrespondenceGuidance
from aftersales.domain.custom_fields import CustomFieldSet, FieldType
from aftersales.domain.erasure import ERASED, WITHHELD, customer_needles, needles_of, scrub, scrub_text
from aftersales.domain.fee_slips import FeeSlip, InvoiceRecord, MaterialsMovement, SlipState
from aftersales.domain.instants import micros
from aftersales.domain.knowledge import RemoteResolution
from aftersales.domain.maintenance import MaintenancePlan, MaintenanceVisit, PlanState, VisitChange
from aftersales.domain.materials import MaterialsRequest
from aftersales.domain.parties import Customer
from aftersales.domain.plan_handover import PlanHandover
from aftersales.domain.quality_incidents import QualityIncident
from aftersales.domain.service_contracts import ServiceContract
from aftersales.domain.spot_checks import DealerSpotCheck
from aftersales.domain.staff_records import StaffMeasure
from aftersales.domain.survey_campaigns import SurveyTask, SurveyTaskState, notice_key_head
from aftersales.domain.surveys import CallbackRecord, CallbackTask, CallbackTaskState
from aftersales.domain.ticket import CALLBACK_REWORK_REASON, Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.domain.warranty_records import WarrantyExtension
from aftersales.errors import (
    AlreadyErased,
    ConfigurationError,
    InvalidTransition,
    LegalHold,
    NotFound,
    OpenTicketsBlockErasure,
    ValidationError,
)
from aftersales.policies.privacy import PrivacyParams, pack_privacy_rules, retention_of
from aftersales.ports.erasure import Scrubbable, Shreddable, Sweepable, WholeValue
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.queries import PageRequest, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.serialization import encode_json, structure, unstructure
from aftersales.service.access_log import AccessRecord, customer_reads, record_access, staff_reads, utc_day
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.attachment_desk import AttachmentDesk, AttachmentLink
from aftersales.service.clock_skew import stamp_for
from aftersales.service.context import DeskContext
from aftersales.service.delivery import PurgeLimit, check_purge_limit
from aftersales.service.erased_memos import forget_in_process
from aftersales.service.erasure_handled import release_uncallable_callback, still_worked
from aftersales.service.erasure_record import ErasureRecord
from aftersales.service.handover_catchup import file_page
from aftersales.service.index_backfill import fill_index
from aftersales.service.judged_instant import judged_at
from aftersales.service.lifecycle import close_in
from aftersales.service.master_data import MasterDataChange, for_update
from aftersales.service.permissions import PRIVACY_ROLES, Workflow, permit
from aftersales.service.reader_view import (
    complaint_file_as_seen_by,
    request_as_seen_by,
    without_deliberation,
)
from aftersales.service.runner import CommandRunner
from aftersales.service.ticket_search import index_ticket
from aftersales.service.unit_history import unit_changes_of

__all__ = ["AccessRecord", "ErasureHook", "ErasureRecord", "PrivacyDesk", "record_access"]

_DOCS = Workflow.DOCUMENTS
ERASED_TOPIC = "privacy.customer_erased"
IDEMPOTENCY_RETENTION = timedelta(days=PrivacyParams().keep_idempotency_days)
"""How long a command's result is kept for replay by default (the pack's ``[privacy]`` section sets it)."""

# Documents that hold a customer's data, found by the customer or by one of their tickets.
# Issue 26's records: a customer's contracts, maintenance plans and campaign survey tasks are indexed by
# customer_id; their maintenance visits by plan_id (found through the plans, never by a scan).
_BY_CUSTOMER: tuple[type[Any], ...] = (
    ComplaintFile, CallbackRecord, FeeSlip, InvoiceRecord, ServiceContract, MaintenancePlan, SurveyTask,
    CorrespondenceGuidance,
)  # fmt: skip
_BY_TICKET: tuple[type[Any], ...] = (CallbackTask, MaterialsRequest, MaterialsMovement, RemoteResolution)
# Free text in these is blanked outright (survey comments, notes); the others keep their text minus the
# person's own strings (a fee slip's line descriptions name parts, not people).
# Visits: checklist notes blanked, postponement/miss reasons kept minus the person's strings.
# Materials requests: the requester's note blanked, the lines' and charges' texts kept.
# Correspondence guidance (函授, session 21): the problem, the letter and the address blanked; its topic,
# materials and articles kept minus the person's strings.
_BLANKED: tuple[type[Any], ...] = (
    CallbackRecord, MasterDataChange, SurveyTask, MaintenanceVisit, CorrespondenceGuidance,
)  # fmt: skip

ErasureHook = Callable[[UnitOfWork, str, Sequence[str]], int]
"""Called inside the erasure's transaction with the customer id and their ticket ids; returns how many
records it erased. Attachments plug in here (they are removed with the person)."""


@validated_commands
class PrivacyDesk:
    """Erasure, export and the access log of personal data (``desk.privacy``)."""

    def __init__(
        self, context: DeskContext, runner: CommandRunner, attachments: AttachmentDesk | None = None
    ) -> None:
        self.context = context
        self.runner = runner
        self.attachments = attachments
        """The desk's attachments: an erasure detaches every attachment of the person's tickets and
        deletes the bytes nothing else uses once the erasure has committed."""
        self.erasure_hooks: list[ErasureHook] = []
        """Extensions that hold personal data of their own register here."""

    # -- erasure -------------------------------------------------------------------------------------

    def erase_customer(
        self,
        actor: Actor,
        customer_id: str,
        reason: str,
        *,
        cancel_open_tickets: bool = False,
        idempotency_key: str | None = None,
    ) -> ErasureRecord:
        """Erase (pseudonymise) ``customer_id``'s personal data everywhere; see the module docstring.

        Managers, the general manager and privacy officers may. Refused with ``LegalHold`` (naming the
        hold) while an open complaint carries a compensation claim (demanded or granted) or a fee slip
        the customer owes is unpaid (a dealer's unpaid slip on their ticket is the dealer's debt, not a
        hold); an unknown customer is ``NotFound``. Either everything is erased or nothing is.

        A repeated erasure (a retry, a double submission, at the same instant or later) that finds
        nothing of the person left to erase is refused with :class:`~aftersales.errors.AlreadyErased`
        naming the earlier record, on every store: no second record or event. Data held since (a new
        ticket of the same customer) is erased again, with a record of its own.

        Replayable by ``idempotency_key``, as the other commands are: a host retrying an erasure whose
        answer it lost (a timeout) gets the first erasure's record back, not ``AlreadyErased``; the same
        key with another customer, reason or ``cancel_open_tickets`` is ``IdempotencyKeyReused``.

        Once committed, the person is dropped from this process's memos too (parsed records, search
        words, phone readings, triage notes, notification addresses, SLA logs): see :meth:`_forget`.

        Tickets of the person still being worked (any state a ticket may be cancelled from: new,
        triaged, assigned, in progress, waiting) refuse the erasure with
        :class:`~aftersales.errors.OpenTicketsBlockErasure` naming them, and nothing changes: left open
        they stayed in the queues, their SLA clocks ran on and announced breaches, an engineer went to an
        address that no longer exists. With ``cancel_open_tickets=True`` the erasure cancels them in the
        same transaction (reason ``customer_erased``, by the erasing actor; the SLA clocks stop and the
        ticket hooks run as on any cancellation, so a job's unpaid fee slip is cancelled with it and holds
        nothing; a hold found then undoes the cancellations too) and :attr:`ErasureRecord.cancelled` counts
        them. A ticket whose work is done (resolved, accepted) is not cancelled and does not hold the
        erasure; nor is a complaint already handled (outcome given or reviewed): cancelling it rewrote the
        month's complaint figures. Its callback not yet due is owed no more (:mod:`.erasure_handled`).

        An accepted ticket waiting for its callback (回访 → 关闭, seeds 000/002/003) would wait for ever:
        nobody may call or message a person who asked to be forgotten, so the callback is never made, nor
        its failed attempts recorded, and the ticket never closes. The erasure closes it in the same
        transaction (reason ``customer_erased`` on the ``close`` event; :attr:`ErasureRecord.closed` counts
        them), its pending callback task dropped; a callback not yet due is no longer owed (its due time
        cleared: the KPI does not count it late), one already overdue stays late (the month it passed in
        was judged on it).

        A resolved ticket (the work done, the customer's acceptance awaited: 验收确认) would wait for ever
        in the same way, and its resolution clock, which only the acceptance meets, would run on and
        announce its breach under "[erased]". The erasure closes it unaccepted in the same transaction
        (the ``close_unaccepted`` step, reason ``customer_erased``; the acceptance is not recorded, none was
        given), which stops its clocks where they stood; :attr:`ErasureRecord.closed` counts it too.
        """
        permit(actor, _DOCS, "erase_customer", customer_id)
        if not reason.strip() or len(reason) > 500:
            raise ValidationError("an erasure needs a reason of 1-500 characters", field="reason")

        def apply(uow: UnitOfWork, now: datetime) -> ErasureRecord:
            freed.clear()  # a retried attempt starts afresh
            forgotten.clear()
            forgotten_text.clear()
            outbox, idempotency = uow.outbox, uow.idempotency
            if not isinstance(outbox, Scrubbable) or not isinstance(idempotency, Scrubbable):
                raise ConfigurationError(
                    "this store cannot erase personal data: its outbox and idempotency store need scrub()",
                    key="store",
                )
            # Locked (PostgreSQL): a registration of the customer in flight commits first and its audit
            # entry is erased too, instead of committing after this erasure read the entries.
            customer = for_update(uow.customers, customer_id)
            # Then the person's tickets, in id order, as last committed, before anything is written: a
            # ticket command holds its ticket, then writes beside it (a batch's tally, a complaint); the
            # erasure cancelling one call (its unit withdrawn from the tally) before saving another the
            # command held deadlocked with it on PostgreSQL.
            tickets = [
                uow.tickets.get_for_update(i) for i in sorted(t.id for t in _tickets_of(uow, customer_id))
            ]
            self._check_claims(uow, customer_id, tickets)
            if not cancel_open_tickets:
                self._check_debts(uow, customer_id)
            cancelled = self._cancel_open(uow, actor, customer_id, tickets, now, cancel_open_tickets)
            closed = self._close_uncallable(uow, actor, tickets, now)
            # A complaint handled (outcome given, reviewed) stays so: only its callback is owed no more.
            released = sum(release_uncallable_callback(t, now) for t in tickets)
            if cancel_open_tickets:
                # After the cancellations: a job called off unpaid leaves no debt (its slip is cancelled
                # with it); a hold found now undoes them with the rest of the transaction.
                self._check_debts(uow, customer_id)
            needles = customer_needles(customer)
            free_text: list[str] = []
            erased: list[Ticket] = []
            detached = 0
            changed = cancelled + closed + released  # records whose erased form differs: none means a repeat
            for ticket in tickets:
                if self.attachments is not None and ticket.attachments:
                    # Photos, signed slips, voice notes: the person's own data, gone with them.
                    detached += len(ticket.attachments)
                    freed.extend(
                        self.attachments.detach_all(uow, ticket, actor.ref, now, "personal data erased")
                    )
                typed = _typed_free_text(ticket, self.context.custom_fields)
                free_text += _free_text(ticket) + typed
                erased.append(_erased_ticket(ticket, needles, self.context.custom_fields))
                changed += _differs(ticket, erased[-1])
                uow.tickets.save(erased[-1])
            documents, changed_documents = self._erase_documents(
                uow, customer_id, tickets, needles, free_text, now, actor.ref
            )
            anonymous = _erased_customer(customer)
            changed += changed_documents + (anonymous != customer)
            uow.customers.save(anonymous)
            for ticket in erased:  # the search index holds the customer's name and phone too
                index_ticket(uow, ticket, self.context.notifications.renderer.catalog)
            everything = needles_of([*needles, *free_text])  # longest first: whole texts before names
            # The person's strings go from every message and idempotency row; the free text blanked in
            # their records only from the rows naming them or their tickets (a stock phrase of a note,
            # "明天上午上门维修", is in other customers' messages too). Short text ("态度差" said at a
            # callback) only where a value is all of it: inside a sentence it may be the template's own
            # words (the rework notice says "处理结果不满意"); short ASCII text not at all: a value "sms"
            # or "en" there is a message's channel or locale, a code.
            their_text = [
                t if len(t) >= _MIN_FREE_TEXT else WholeValue(t)
                for t in everything
                if t not in needles and (len(t) >= _MIN_FREE_TEXT or not t.isascii())
            ]
            everything = tuple(t for t in everything if t in needles or len(t) >= _MIN_FREE_TEXT)
            ticket_ids = [t.id for t in tickets]
            ids = [customer_id, *ticket_ids]
            # Rows about the person that name neither them nor a ticket of theirs: their campaign survey
            # tasks' (a low-score notice quotes the comment to the manager, keyed by the task).
            within = [*ids, *_survey_heads(uow, customer_id)]
            messages = outbox.scrub(needles, free_text=their_text, within=within)
            rows = idempotency.scrub(needles, free_text=their_text, within=within)
            hooked = sum(hook(uow, customer_id, ticket_ids) for hook in self.erasure_hooks)
            attachments = detached + hooked
            earlier = _erasures_of(uow, customer_id)
            forgotten.extend(ids)
            forgotten_text.extend(everything)
            # The bytes of attachments retired from the person's tickets: an earlier erasure that could
            # not delete them after its commit (the attachment store out of reach) is finished here.
            freed.extend(_retired_bytes(uow, tickets))
            if earlier and not (changed or messages or rows or attachments):
                # Erased before, and nothing of the person held since: a repeat (a retry, a double
                # click) that would only add a second record and event saying data was erased.
                last = earlier[-1]
                raise AlreadyErased(customer_id, last.id, last.erased_at.isoformat())
            record = ErasureRecord(
                id=_record_id(customer_id, now, earlier),
                customer_id=customer_id,
                erased_at=now,
                erased_by=actor.ref,
                # The record says why, not who: a reason quoting the person ("张伟本人来电…") is kept
                # minus their strings, here and in the erasure event (within the reason's 500).
                reason=scrub_text(reason, needles)[:500],
                tickets=len(tickets),
                documents=documents,
                messages=messages,
                idempotency_rows=rows,
                attachments=attachments,
                cancelled=cancelled,
                closed=closed,
            )
            uow.documents.add(record)
            uow.outbox.put([_erasure_message(record)])
            return record

        freed: list[str] = []
        forgotten: list[str] = []  # the customer id, then their ticket ids
        forgotten_text: list[str] = []  # the person's strings and the free text blanked
        try:
            request = [customer_id, reason, cancel_open_tickets]
            record = self.runner.write(
                actor,
                "erase_customer",
                idempotency_key,
                request,
                apply,
                remember=lambda done: done.id,
                reload=lambda uow, record_id: uow.documents.get(ErasureRecord, str(record_id)),
            )
        except AlreadyErased:
            self._after_commit(freed, forgotten, forgotten_text)  # what an interrupted one left undone
            raise
        self._after_commit(freed, forgotten, forgotten_text)
        return record

    def _after_commit(self, freed: Sequence[str], forgotten: Sequence[str], needles: Sequence[str]) -> None:
        """The erasure's work once its transaction has committed: delete the attachment bytes it freed,
        then — even when the attachment store fails (its ``StorageError`` is raised afterwards, and a
        retry deletes them) — make the store's freed bytes unrecoverable and drop the person from this
        process's memos."""
        try:
            if self.attachments is not None and freed:
                self.attachments.delete_bytes(freed)  # the links are retired: the bytes may go
        finally:
            if isinstance(self.context.store, Shreddable):
                self.context.store.shred()
            if forgotten:
                self._forget(forgotten[0], forgotten[1:], needles)

    def _forget(self, customer_id: str, ticket_ids: Sequence[str], needles: Sequence[str]) -> None:
        """Drop the erased person from every in-process memo once the erasure has committed.

        Why: the stored rows no longer hold them, but this process keeps recently read and written
        values (parsed customers and tickets, search words, phone readings, triage notes, notification
        addresses, SLA logs) until they are evicted; PIPL erasure means gone, not merely unread. Every
        desk and store of this process drops them; other processes drop theirs as their memos check
        against the store (or on restart).
        """
        forget_in_process(customer_id, ticket_ids, needles)

    def _cancel_open(
        self,
        uow: UnitOfWork,
        actor: Actor,
        customer_id: str,
        tickets: Sequence[Ticket],
        now: datetime,
        cancel: bool,
    ) -> int:
        """Cancel the person's tickets still being worked (how many: the tickets change in place); without
        ``cancel`` any such ticket refuses the erasure (:class:`OpenTicketsBlockErasure`).

        Each is cancelled as a ticket command would (reason :data:`CANCELLED_BY_ERASURE`) and settled by
        the runner (ticket hooks, SLA due times, notifications), its messages put in the outbox before
        the erasure scrubs it. The ticket is saved once, erased, by the caller."""
        working = [t for t in tickets if still_worked(t)]
        if working and not cancel:
            raise OpenTicketsBlockErasure(customer_id, tuple(sorted(t.id for t in working)))
        for ticket in working:
            before_state, before = ticket.state, len(ticket.events)
            ticket.cancel(actor.ref, stamp_for(ticket, now), CANCELLED_BY_ERASURE)
            events = ticket.events[before:]
            uow.outbox.put(
                self.runner.settle_moved_ticket(
                    uow, actor, ticket, before_state, events, now, owes_no_callback=True
                )
            )
        return len(working)

    def _close_uncallable(
        self, uow: UnitOfWork, actor: Actor, tickets: Sequence[Ticket], now: datetime
    ) -> int:
        """Close the person's resolved tickets, which wait for an acceptance, and their accepted tickets
        that wait for a callback (how many; see :meth:`erase_customer`), each settled by the runner as a
        ``close`` command would be. The ticket is saved once, erased, by the caller; its pending callback
        task is dropped with the documents."""
        waiting = [t for t in tickets if t.state == TicketState.RESOLVED or self._awaits_callback(uow, t)]
        for ticket in waiting:
            before_state, before = ticket.state, len(ticket.events)
            at = stamp_for(ticket, now)
            if ticket.state == TicketState.RESOLVED:
                ticket.close_unaccepted(actor.ref, at, CLOSED_BY_ERASURE)
            else:
                ticket.close(actor.ref, at, CLOSED_BY_ERASURE)
            if ticket.callback_due_at is not None and ticket.callback_due_at > at:
                ticket.callback_due_at = None  # not owed: nobody may be called (an overdue one was late)
            events = ticket.events[before:]
            uow.outbox.put(
                self.runner.settle_moved_ticket(
                    uow, actor, ticket, before_state, events, now, owes_no_callback=True
                )
            )
        return len(waiting)

    def _awaits_callback(self, uow: UnitOfWork, ticket: Ticket) -> bool:
        """Whether ``ticket`` is accepted and refused its close for want of the callback."""
        if ticket.state != TicketState.ACCEPTED or not ticket.can("close"):
            return False
        try:
            close_in(self.context, uow, ticket)
        except InvalidTransition:
            return True
        return False

    @staticmethod
    def _check_claims(uow: UnitOfWork, customer_id: str, tickets: Sequence[Ticket]) -> None:
        """The hold of an open complaint carrying a compensation claim (checked before any is cancelled)."""
        open_ids = {t.id for t in tickets if t.state not in (TicketState.CLOSED, TicketState.CANCELLED)}
        for file in uow.documents.query(ComplaintFile, customer_id=customer_id):
            crisis = file.crisis
            # Demanded (a crisis's recourse or economic loss) or granted (a compensation remedy the
            # company has still to pay while the complaint is open): the person's money either way.
            claim = (
                crisis is not None
                and (Recourse.COMPENSATION_DEMANDED in crisis.recourse or crisis.economic_loss)
            ) or any(r.kind is RemedyKind.COMPENSATION for r in file.remedies)
            if claim and file.id in open_ids:
                raise LegalHold(customer_id, "open_compensation_claim", file.id)

    @staticmethod
    def _check_debts(uow: UnitOfWork, customer_id: str) -> None:
        """The hold of a fee slip the person owes, unpaid."""
        for slip in uow.documents.query(FeeSlip, customer_id=customer_id):
            # The person's own debt: a slip owed by the dealer (a lent part it kept, its purchase from
            # the maker) names the customer's ticket but is collected from the dealer; it keeps its ids
            # and amounts through the erasure.
            if (
                slip.state is SlipState.ISSUED
                and slip.balance.amount > 0
                and slip.owed_by_customer(customer_id)
            ):
                raise LegalHold(customer_id, "unpaid_fee_slip", slip.id)

    def _erase_documents(
        self,
        uow: UnitOfWork,
        customer_id: str,
        tickets: Sequence[Ticket],
        needles: tuple[str, ...],
        free_text: list[str],
        now: datetime,
        by: ActorRef,
    ) -> tuple[int, int]:
        """Erase the person's documents; how many there are, and how many of them changed.

        A callback or survey still waiting to be made is closed with them (the callback dropped, the
        survey declined): nobody can call or message an erased person, and left pending they stayed on
        the agents' lists as "[erased]" and turned overdue for ever."""
        found: dict[tuple[type[Any], str], Any] = {}
        for cls in _BY_CUSTOMER:
            for doc in uow.documents.query(cls, customer_id=customer_id):
                found[(cls, doc.id)] = doc
        for visit in _visits_of(uow, customer_id, tickets):
            found[(MaintenanceVisit, visit.id)] = visit
        # Their period of plans that followed units they sold (the plan now names the buyer).
        for handover in uow.documents.query(PlanHandover, customer_id=customer_id):
            found[(PlanHandover, handover.id)] = handover
        # A batch incident is many customers' record: the quality staff's notes on it keep their text
        # minus the person's strings. Incidents are few (one per batch and problem): read them all.
        for incident in uow.documents.query(QualityIncident):
            if customer_id in incident.customer_ids:
                found[(QualityIncident, incident.id)] = incident
        # A spot-check of a dealer's service looked at the person's tickets and was written from calling
        # them: the dealer's record (as a batch incident is many customers'), kept minus their strings.
        # Spot-checks are indexed by dealer: those of the dealers the person's tickets were with.
        theirs = {t.id for t in tickets}
        for dealer_id in sorted(_dealers_of(tickets)):
            for check in uow.documents.query(DealerSpotCheck, dealer_id=dealer_id):
                if theirs.intersection(check.ticket_ids):
                    found[(DealerSpotCheck, check.id)] = check
        # A sanction (seed 000 人员激励与约束) names the complaint that found the breach, its reason written
        # from what the complainant said: the staff member's record, kept minus the person's strings.
        # Measures are indexed by staff member and few: read only when the person made a complaint.
        complaints = {t.id for t in tickets if t.kind is TicketKind.COMPLAINT}
        if complaints:
            for measure in uow.documents.query(StaffMeasure):
                if measure.complaint_id in complaints:
                    found[(StaffMeasure, measure.id)] = measure
        for ticket in tickets:
            for cls in _BY_TICKET:
                for doc in uow.documents.query(cls, ticket_id=ticket.id):
                    found[(cls, doc.id)] = doc
            for grant in uow.documents.query(GrantedExtension, complaint_id=ticket.id):
                found[(GrantedExtension, grant.id)] = grant
        # The units the person owns, and those their tickets were about: a unit sold on keeps in its
        # history the transfer that named its old owner ("王先生卖给了邻居").
        units = {a.id for a in uow.assets.list(customer_id=customer_id)}
        units |= {t.asset_id for t in tickets if t.asset_id is not None}
        for kind, record_id in [("customer", customer_id)] + [("asset", unit) for unit in sorted(units)]:
            for change in uow.documents.query(MasterDataChange, record_kind=kind, record_id=record_id):
                found[(MasterDataChange, change.id)] = change
        changed = 0
        for (cls, _), doc in sorted(found.items(), key=lambda item: (item[0][0].__name__, item[0][1])):
            if cls in _BLANKED:
                free_text += _free_text(doc)
            erased = _erased(doc, needles, cls, blank=cls in _BLANKED)
            if isinstance(doc, MaterialsRequest) and doc.note:
                # The requester's note on the person's job ("客户周末在家…"), blanked as the ticket's
                # notes are; its lines and charge sheet (parts, prices) are kept as they are.
                free_text += [doc.note]
                erased = attrs.evolve(erased, note=ERASED)
            if isinstance(erased, ComplaintFile | GrantedExtension):
                # A remedy's note (the free accessory, the extra visit, the extension granted and why,
                # written from what the person said), on the file and on the extension it granted:
                # blanked as any note; what was granted, its cost and the work it set going are kept.
                erased, notes = _remedy_notes_blanked(erased)
                free_text += notes
            if isinstance(erased, CallbackTask) and erased.state is CallbackTaskState.PENDING:
                erased.state = CallbackTaskState.DROPPED
            elif isinstance(erased, SurveyTask) and erased.state is SurveyTaskState.PENDING:
                erased.decline(now, by, "")  # no reason text: a repeated erasure finds it as left
            elif isinstance(erased, MaintenancePlan) and erased.state is PlanState.ACTIVE:
                # No more visits to someone who asked to be forgotten: their address is gone, and a
                # campaign no longer asks them either. A visit already opened stays, as their tickets do.
                erased.end(VisitChange("ended", now, by, "customer_erased"))
            changed += _differs(doc, erased)
            uow.documents.save(erased)
        return len(found), changed

    def erasures(self, actor: Actor, customer_id: str | None = None) -> list[ErasureRecord]:
        """The erasure events (all, or one customer's), oldest first; for auditors and privacy officers."""
        permit(actor, _DOCS, "erasures", customer_id)
        with self.context.store() as uow:
            records = (
                uow.documents.query(ErasureRecord, customer_id=customer_id)
                if customer_id is not None
                else uow.documents.query(ErasureRecord)
            )
        return sorted(records, key=lambda r: (r.erased_at, r.id))

    def file_plan_handovers(self, actor: Actor, *, limit: PurgeLimit = 500) -> int:
        """File the handovers of up to ``limit`` plans moved before handovers were kept (an older
        release's store), so the sellers' exports and erasures find their period of them
        (:mod:`~aftersales.service.handover_catchup`); returns how many plans were read (0: the pass is
        complete). Resumable: each call goes on where the last stopped. The ``plan_handovers`` job runs
        it page after page; the roles of :meth:`purge_access_log` may run it by hand."""
        permit(actor, _DOCS, "purge_access_log")
        check_purge_limit(limit)

        def apply(uow: UnitOfWork, now: datetime) -> int:
            return file_page(uow, limit)

        return self.runner.write(actor, "file_plan_handovers", None, [limit], apply)

    # -- retention -----------------------------------------------------------------------------------

    def purge_expired(
        self,
        actor: Actor,
        *,
        older_than: timedelta | None = None,
        at: datetime | None = None,
        limit: PurgeLimit | None = None,
    ) -> int:
        """The retention job for idempotency rows: drop the results kept longer than the pack's period.

        The period is the pack's ``[privacy] keep_idempotency_days`` (default 30 days). ``older_than``
        may restate it; a value that is not a positive ``timedelta``, or that differs from the pack's
        period, is a :class:`~aftersales.errors.ConfigurationError` (the pack decides how long personal
        data lives; a caller cannot quietly keep it longer or drop replays sooner).

        Run it periodically (the jobs do: ``purge_idempotency``; the system actor, a manager or a
        privacy officer may). Each pass stamps the keys it has not seen yet and drops those first seen
        more than the period ago, so a result is kept at least the period (a retried command within it
        still replays) and at most that plus the interval between passes. Returns how many rows were
        dropped. ``at`` is the instant the pass is made at (the job's ``now``: a host catching up passes
        it), not ahead of the clock (``ValidationError`` naming ``at``); the clock without it.

        ``limit`` (1 to 100,000; ``None``: every one) bounds the rows dropped in the pass: those first
        seen earliest go first, and the rest are dropped by the next pass (the ``purge_idempotency`` job
        passes its ``JobSettings.limit``, as the other purges do).
        """
        permit(actor, _DOCS, "purge_expired")
        if limit is not None:
            check_purge_limit(limit)
        period = retention_of(self.context.policies.extra)
        if older_than is not None:
            if not isinstance(older_than, timedelta) or older_than <= timedelta(0):
                raise ConfigurationError(
                    f"older_than must be a positive timedelta, got {older_than!r}",
                    key="older_than",
                    rule="positive_duration",
                )
            if older_than != period:
                raise ConfigurationError(
                    f"older_than={older_than} conflicts with the pack's retention of idempotency rows "
                    f"({period.days} days): set [privacy] keep_idempotency_days instead",
                    key="privacy.keep_idempotency_days",
                )
        older_than = period

        def apply(uow: UnitOfWork, now: datetime) -> int:
            store = uow.idempotency
            if not isinstance(store, Sweepable):
                raise ConfigurationError(
                    "this store's idempotency keys cannot expire (no sweep)", key="store"
                )
            when = judged_at(at, now)
            if limit is None:
                return store.sweep(micros(when), micros(when - older_than))
            return store.sweep(micros(when), micros(when - older_than), limit)

        return self.runner.write(actor, "purge_expired", None, [older_than.total_seconds(), at, limit], apply)

    def purge_access_log(self, actor: Actor, *, at: datetime | None = None, limit: PurgeLimit = 500) -> int:
        """The retention job for the access log of personal data: drop records kept longer than the pack's
        ``[privacy] keep_access_log_days`` (default 1095: three years of audit evidence, PIPL art. 54-55).

        The log grew for ever: every read of personal data writes a record, and none was ever dropped.
        A pass deletes up to ``limit`` (1 to 100,000) records, the oldest days first, those whose UTC day
        is before the day of ``at`` minus the period (a record is kept at least the period, at most a day
        more); the ``purge_access_log`` job takes page after page. ``at`` is the instant the pass is made
        at (the job's ``now``), not ahead of the clock (``ValidationError`` naming ``at``); the clock
        without it. The system actor, a manager, the general manager or a privacy officer may run it.
        Records of a store written before they were indexed by day are found once
        :meth:`index_access_log` has indexed them (the job does it first). Returns how many were dropped.
        """
        permit(actor, _DOCS, "purge_access_log")
        check_purge_limit(limit)
        period = pack_privacy_rules(self.context.policies.extra).access_log_retention

        def apply(uow: UnitOfWork, now: datetime) -> int:
            before = utc_day(judged_at(at, now) - period)
            purge = getattr(uow.documents, "purge_range", None)
            if purge is None:
                raise ConfigurationError("this store cannot drop old documents (no purge_range)", key="store")
            # ``<=`` the day before: every record of a day before the cut-off day.
            upto = (date.fromisoformat(before) - timedelta(days=1)).isoformat()
            done: int = purge(AccessRecord, "day", upto, limit)
            return done

        return self.runner.write(actor, "purge_access_log", None, [period.days, at, limit], apply)

    def index_access_log(self, actor: Actor, *, limit: PurgeLimit = 500, recheck: bool = False) -> int:
        """Index by day up to ``limit`` access records stored before they were (an older release's store),
        so :meth:`purge_access_log` finds them; returns how many were indexed (0: none is left, and
        always on a store that indexes as it writes). One transaction; the job repeats it until none is
        left before it purges. Same roles as the purge. Found complete, the log is not scanned again for
        :data:`~aftersales.service.index_backfill.RECHECK`; ``recheck`` scans it now (an older release
        wrote to the store since)."""
        permit(actor, _DOCS, "purge_access_log")
        check_purge_limit(limit)

        def apply(uow: UnitOfWork, now: datetime) -> int:
            return fill_index(uow, (AccessRecord,), "day", limit, now=now, recheck=recheck)

        return self.runner.write(actor, "index_access_log", None, [limit, recheck], apply)

    # -- the right of access -------------------------------------------------------------------------

    def export_customer(self, actor: Actor, customer_id: str) -> str:
        """Everything held about ``customer_id``, as JSON text (PIPL's right of access and portability).

        The customer themself, a manager, the general manager, an auditor or a privacy officer may ask;
        another customer gets ``NotFound``, as for an unknown id (whatever other roles the asker holds:
        a dealer's staff member who is also a customer exports only themself). The customer's own export
        holds what is theirs as they read it: their tickets without the staff's internal notes and the
        dealer's side of the charges, the slips they owe, not the papers between the maker and its
        dealers (a dealer's purchase slip, the materials movements at the maker's price). The export is
        logged as an access.
        """
        permit(actor, _DOCS, "export_customer", customer_id)
        # The office's roles of the table export anyone; the customer's role only the customer themself.
        as_customer = not any(r is not Role.CUSTOMER for r in actor.roles & PRIVACY_ROLES["export_customer"])
        if as_customer and actor.customer_id != customer_id:
            raise NotFound("customer", customer_id)
        with self.context.store() as uow:
            customer = uow.customers.get(customer_id)
            tickets = _tickets_of(uow, customer_id)
            seen = [self.runner.seen_by(actor, t) for t in tickets] if as_customer else tickets
            held: dict[str, Any] = {
                "customer": unstructure(customer),
                "assets": [unstructure(a) for a in sorted(uow.assets.list(customer_id=customer_id), key=_id)],
                "tickets": [unstructure(t) for t in seen],
            }
            by_id: dict[str, Ticket] = {t.id: t for t in tickets}
            for cls in _BY_CUSTOMER:
                held[cls.DOCUMENT_KIND] = [
                    unstructure(
                        _file_as_read(actor, _theirs(uow, d), by_id) if as_customer else _theirs(uow, d)
                    )
                    for d in uow.documents.query(cls, customer_id=customer_id)
                    if not (as_customer and isinstance(d, FeeSlip) and not d.owed_by_customer(customer_id))
                ]
            for cls in _BY_TICKET:
                if as_customer and cls is MaterialsMovement:
                    continue  # the maker's prices to its dealers and engineers: not the customer's
                held[cls.DOCUMENT_KIND] = [
                    unstructure(
                        request_as_seen_by(actor, d, t) if as_customer and cls is MaterialsRequest else d
                    )
                    for t in tickets
                    for d in uow.documents.query(cls, ticket_id=t.id)
                ]
            held[MaintenanceVisit.DOCUMENT_KIND] = [
                unstructure(v) for v in _visits_of(uow, customer_id, tickets)
            ]
            # The plans that followed units they sold, as they held them; the buyer withheld.
            held[PlanHandover.DOCUMENT_KIND] = [
                {**unstructure(h), "handed_to": WITHHELD}
                for h in sorted(uow.documents.query(PlanHandover, customer_id=customer_id), key=_id)
            ]
            held["erasures"] = [
                unstructure(r) for r in uow.documents.query(ErasureRecord, customer_id=customer_id)
            ]
            changes = uow.documents.query(MasterDataChange, record_kind="customer", record_id=customer_id)
            held["master_data_changes"] = [unstructure(c) for c in changes]
            # The units they own and those their tickets were about, as the erasure finds them: each
            # change of a unit while it named them (its registration to them, its transfer away).
            units = {a.id for a in uow.assets.list(customer_id=customer_id)}
            units |= {t.asset_id for t in tickets if t.asset_id is not None}
            held["unit_changes"] = [unstructure(c) for c in unit_changes_of(uow, customer_id, units)]
            # The warranty extensions their complaints granted (the unit's record, which warranty
            # decisions read; the same note the complaint file's remedy holds).
            complaints = [t.id for t in tickets if t.kind is TicketKind.COMPLAINT]
            held[GrantedExtension.DOCUMENT_KIND] = [
                unstructure(g)
                for c in complaints
                for g in sorted(uow.documents.query(GrantedExtension, complaint_id=c), key=_id)
            ]
            held["reads"] = [
                unstructure(r)
                for r in sorted(customer_reads(uow, customer_id), key=_when)  # not a staff member's
            ]
        record_access(self.runner, actor, "export_customer", [customer_id])
        return encode_json({"customer_id": customer_id, "exported_at": self.context.now(), "data": held})

    # -- the access log ------------------------------------------------------------------------------

    def access_log(
        self,
        actor: Actor,
        *,
        customer_id: str | None = None,
        reader: str | None = None,
        since: datetime | None = None,
        staff_id: str | None = None,
    ) -> list[AccessRecord]:
        """Who read whose personal data, through what, and when — oldest first (auditor, privacy officer).

        ``reader`` is an actor as logged (``"agent:a1"``); ``since`` keeps reads at or after it;
        ``customer_id`` keeps the reads of that customer's data, ``staff_id`` those of that staff member's
        records (their export: ``subject="staff"``); not both.
        """
        permit(actor, _DOCS, "access_log", customer_id)
        if customer_id is not None and staff_id is not None:
            raise ValidationError("give customer_id or staff_id, not both", field="staff_id")
        equals: dict[str, object] = {} if reader is None else {"actor": reader}
        with self.context.store() as uow:
            if staff_id is not None:
                records = staff_reads(uow, staff_id, **equals)
            elif customer_id is not None:
                records = [
                    r
                    for r in uow.documents.query(AccessRecord, customer_id=customer_id, **equals)
                    if r.customer_id == customer_id
                ]
            else:
                records = list(uow.documents.query(AccessRecord, **equals))
        chosen = [r for r in records if since is None or r.at >= since]
        return sorted(chosen, key=_when)


def _theirs(uow: UnitOfWork, document: Any) -> Any:
    """``document`` as its customer's export holds it: a plan that followed a unit they bought, waiting
    for the visit opened for the seller, does not name that visit (``[withheld]``: the seller's, as
    their other visits are). The plan's schedule, last service date and readings are the unit's and
    stay (see docs/concepts/maintenance.md, "A unit sold on")."""
    if not isinstance(document, MaintenancePlan) or document.open_visit_id is None:
        return document
    try:
        visit = uow.documents.get(MaintenanceVisit, document.open_visit_id)
    except NotFound:
        return document
    if visit.customer_id == document.customer_id:
        return document
    return attrs.evolve(document, open_visit_id=WITHHELD)


def _file_as_read(actor: Actor, document: Any, tickets: Mapping[str, Ticket]) -> Any:
    """A document of the customer's own export as the customer reads it elsewhere: a complaint file
    without the office's deliberation (:func:`complaint_file_as_seen_by`, as ``complaint_file`` gives
    it), its outcome cleared once the complaint was sent back; a fee slip without the maker's cost
    prices; other documents as they are."""
    if isinstance(document, FeeSlip):
        return document.without_cost_prices()
    if not isinstance(document, ComplaintFile):
        return document
    ticket = tickets.get(document.id)
    if ticket is None:  # not a complaint of the customer's tickets: the customer's reading, by rule
        return without_deliberation(document)
    if ticket.outcome is None and document.outcome:
        document = attrs.evolve(document, outcome="")
    return complaint_file_as_seen_by(actor, document, ticket)


CANCELLED_BY_ERASURE = "customer_erased"
"""The reason an erasure gives the person's tickets it cancels (as a maintenance plan it ends)."""

CLOSED_BY_ERASURE = CANCELLED_BY_ERASURE
"""The reason an erasure gives the person's accepted tickets it closes without their callback."""


def _when(record: AccessRecord) -> tuple[datetime, str]:
    return record.at, record.id


def _id(obj: Any) -> str:
    return str(obj.id)


def _tickets_of(uow: UnitOfWork, customer_id: str) -> list[Ticket]:
    found: list[Ticket] = []
    cursor: str | None = None
    while True:
        page = uow.tickets.query(TicketFilter(customer_id=customer_id), PageRequest(limit=500, cursor=cursor))
        found += page.items
        cursor = page.next_cursor
        if cursor is None:
            return found


def _dealers_of(tickets: Sequence[Ticket]) -> set[str]:
    """The dealers ``tickets`` were with: their own dealer, and every dealer one was dispatched or
    referred to, or whose engineer was sent (a spot-check of that dealer may have looked at it)."""
    found: set[str] = {t.dealer_id for t in tickets if t.dealer_id}
    for ticket in tickets:
        for event in ticket.events:
            if isinstance(event.payload.get("dealer"), str):  # a dealer's own engineer was sent
                found.add(str(event.payload["dealer"]))
            for key in ("assignee", "outlet", "previous"):
                party = event.payload.get(key)
                if isinstance(party, Mapping) and party.get("kind") == "dealer" and party.get("id"):
                    found.add(str(party["id"]))
    return found


def _retired_bytes(uow: UnitOfWork, tickets: Sequence[Ticket]) -> list[str]:
    """The content hashes of the attachments detached from ``tickets`` (their bytes are deleted once no
    live attachment uses them)."""
    return sorted(
        {
            link.sha256
            for t in tickets
            for link in uow.documents.query(AttachmentLink, ticket_id=t.id, live=False)
        }
    )


def _visits_of(uow: UnitOfWork, customer_id: str, tickets: Sequence[Ticket]) -> list[MaintenanceVisit]:
    """The customer's maintenance visits, through the plans they hold or held (visits are indexed by
    plan, not customer): a plan that followed a unit they sold names the buyer now, and their visits
    of it are still theirs. Found by its handover, or (moved before handovers were kept) as a plan of
    a unit their tickets — a visit's among them — were about."""
    plans = {p.id for p in uow.documents.query(MaintenancePlan, customer_id=customer_id)}
    plans |= {h.plan_id for h in uow.documents.query(PlanHandover, customer_id=customer_id)}
    for unit in sorted({t.asset_id for t in tickets if t.asset_id is not None}):
        plans |= {p.id for p in uow.documents.query(MaintenancePlan, asset_id=unit)}
    visits = [v for p in sorted(plans) for v in uow.documents.query(MaintenanceVisit, plan_id=p)]
    # A plan moved to another owner keeps its old visits; only this customer's are theirs.
    return sorted((v for v in visits if v.customer_id == customer_id), key=_id)


def _remedy_notes_blanked(document: ComplaintFile | GrantedExtension) -> tuple[Any, list[str]]:
    """``document`` with its remedies' notes (and their warranty extensions' notes) blanked, and the
    notes it held (to hunt for their copies in the person's messages and idempotency rows)."""
    notes: list[str] = []

    def extension(granted: WarrantyExtension) -> WarrantyExtension:
        if not granted.note or granted.note == ERASED:
            return granted
        notes.append(granted.note)
        return attrs.evolve(granted, note=ERASED)

    if isinstance(document, GrantedExtension):
        return attrs.evolve(document, extension=extension(document.extension)), notes
    remedies = []
    for remedy in document.remedies:
        if remedy.note and remedy.note != ERASED:
            notes.append(remedy.note)
            remedy = attrs.evolve(remedy, note=ERASED)
        if remedy.extension is not None:
            remedy = attrs.evolve(remedy, extension=extension(remedy.extension))
        remedies.append(remedy)
    return attrs.evolve(document, remedies=remedies), notes


def _survey_heads(uow: UnitOfWork, customer_id: str) -> list[str]:
    """The person's campaign survey tasks, as the ids and key heads of the rows about them."""
    tasks = sorted(uow.documents.query(SurveyTask, customer_id=customer_id), key=_id)
    return [head for t in tasks for head in (t.id, notice_key_head(t.id))]


_MIN_FREE_TEXT = 4
"""Blanked text shorter than this is not hunted inside the outbox's and idempotency rows' text: a
two-letter note ("好的") would hit the other words of the person's own messages. It is blanked where a
value is all of it (:class:`~aftersales.ports.erasure.WholeValue`), unless it is ASCII (a code: "sms")."""


def _free_text(obj: Any) -> list[str]:
    """The free-text values the erasure blanks in ``obj``, to hunt for copies of them elsewhere."""
    from aftersales.domain.erasure import FREE_TEXT_FIELDS

    out: list[str] = []

    def walk(data: Any) -> None:
        if isinstance(data, dict):
            for key, value in data.items():
                if key in FREE_TEXT_FIELDS and isinstance(value, str) and value:
                    out.append(value)
                else:
                    walk(value)
        elif isinstance(data, list):
            for item in data:
                walk(item)

    walk(unstructure(obj))
    return out


def _differs(before: Any, after: Any) -> bool:
    """Whether the erased form of a record is another text than the record (as a store writes it)."""
    return bool(encode_json(unstructure(before)) != encode_json(unstructure(after)))


def _erasures_of(uow: UnitOfWork, customer_id: str) -> list[ErasureRecord]:
    """The customer's earlier erasure records, oldest first."""
    found = uow.documents.query(ErasureRecord, customer_id=customer_id)
    return sorted(found, key=lambda r: (r.erased_at, r.id))


def _record_id(customer_id: str, now: datetime, earlier: Sequence[ErasureRecord]) -> str:
    """The new erasure record's id: the customer and the instant, numbered when an earlier erasure of
    the same instant took that id (new data erased again at once keeps both records)."""
    base = f"{customer_id}@{now.strftime('%Y%m%dT%H%M%S%f')}"
    taken = {r.id for r in earlier}
    if base not in taken:
        return base
    n = 2
    while f"{base}.{n}" in taken:
        n += 1
    return f"{base}.{n}"


def _is_free_text(name: str, fields: CustomFieldSet) -> bool:
    """Whether custom field ``name`` holds free text: a text field, or one no longer declared (its type
    unknown, so treated as what a person may have typed). Numbers, dates, choices and money are kept."""
    field = fields.fields.get(name)
    return field is None or field.type is FieldType.TEXT


_NOTE_STEPS = frozenset({"contact_customer", "callback_attempt", "confirm", "refer_for_assessment"})
"""Steps whose reason is the note given to the command (``contact_customer(note=…)``,
``record_callback_attempt(note=…)``, ``confirm(note=…)``, ``desk.assessments.refer(note=…)``: what the
engineer is to look at, told of the person): free text like the ticket's notes, blanked — on the ticket,
and in the messages naming it (the step's event, the engineer's notice). Other steps' reasons (a
cancellation's, the resolution's summary: the reports' outcome) are kept."""


def _typed_free_text(ticket: Ticket, fields: CustomFieldSet) -> list[str]:
    """The values of ``ticket``'s free-text custom fields, now and as its ``set_fields`` steps set them,
    and the notes its steps keep as their reason (:data:`_NOTE_STEPS`)."""
    found = [v for k, v in ticket.custom_fields.items() if _is_free_text(k, fields)]
    for event in ticket.events:
        if event.action == "set_fields" and isinstance(event.payload.get("set"), Mapping):
            found += [v for k, v in event.payload["set"].items() if _is_free_text(k, fields)]
    noted = _note_seqs(ticket)
    found += [e.reason for e in ticket.events if e.seq in noted and e.reason]
    return [v for v in found if isinstance(v, str) and v and v != ERASED]


def _note_seqs(ticket: Ticket) -> set[int]:
    """The steps of ``ticket`` whose reason is what someone said of or to the person: the notes of
    :data:`_NOTE_STEPS`, and the reason of the rework a callback opened (``reopen``/``reject`` right
    after a ``record_callback``: the problem back, or a complaint sent back to investigating by a low
    score or a grievance said at its callback): the customer's words at the callback, its comment or
    "other complaints", which the callback step and record hold blanked."""
    found = {e.seq for e in ticket.events if e.action in _NOTE_STEPS and e.reason}
    for before, event in zip(ticket.events, ticket.events[1:], strict=False):
        if (
            before.action == "record_callback"
            and event.action in ("reopen", "reject")
            and event.reason not in (None, "", CALLBACK_REWORK_REASON)
        ):
            found.add(event.seq)
    return found


def _erased_ticket(ticket: Ticket, needles: tuple[str, ...], fields: CustomFieldSet) -> Ticket:
    """``ticket`` erased: free text blanked (description, notes …, the free-text custom fields on the
    ticket and in its ``set_fields`` steps, the notes kept as a step's reason), the person's strings
    replaced everywhere else."""
    noted = _note_seqs(ticket)
    data = scrub(unstructure(ticket), needles, blank_free_text=True)
    data["custom_fields"] = _blank_fields(data.get("custom_fields") or {}, fields)
    for event in data.get("events") or []:
        if event.get("seq") in noted and event.get("reason"):
            event["reason"] = ERASED
        payload = event.get("payload")
        if (
            event.get("action") == "set_fields"
            and isinstance(payload, dict)
            and isinstance(payload.get("set"), dict)
        ):
            payload["set"] = _blank_fields(payload["set"], fields)
    erased: Ticket = structure(data, Ticket)
    return erased


def _blank_fields(values: Mapping[str, Any], fields: CustomFieldSet) -> dict[str, Any]:
    return {
        k: ERASED if _is_free_text(k, fields) and isinstance(v, str) and v else v for k, v in values.items()
    }


def _erased(obj: Any, needles: tuple[str, ...], cls: type[Any], *, blank: bool) -> Any:
    data = scrub(unstructure(obj), needles, blank_free_text=blank)
    return structure(data, cls)


def _erased_customer(customer: Customer) -> Customer:
    contact = customer.contact
    return attrs.evolve(
        customer,
        name=ERASED,
        contact=Contact(ERASED, locale=contact.locale, timezone=contact.timezone),
    )


def _erasure_message(record: ErasureRecord) -> OutboxMessage:
    payload = {
        "customer_id": record.customer_id,
        "erased_at": record.erased_at.isoformat(),
        "erased_by": str(record.erased_by),
        "reason": record.reason,
    }
    return OutboxMessage(
        f"erasure-{uuid.uuid4().hex}", ERASED_TOPIC, payload, f"erasure:{record.id}", record.erased_at
    )
