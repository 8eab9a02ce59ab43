"""Archives (用户档案, seed 002): the dealer archive and the end-user archive, as queries over the ledger.

*Dealer archive* (经销商档案): the dealer's base data and region, and per month the calls (叫修) its
customers made, the repairs done, the parts replaced, the callbacks and their satisfaction, the
training its staff received — "what is the state of this region, which parts fail, where does it need
support" — the technical support it asked of the maker (分工 2, 5) and the maker's spot-checks of its
service (抽查和指导, :meth:`ArchiveDesk.record_spot_check`).
*End-user archive* (终端用户档案): the customer, what they bought (assets), every ticket, each callback
and satisfaction survey, the fee slips, and every communication with them with its method.
Nothing is copied: both are computed from the tickets (keyset pages of the ledger), the reference
data, the training and spot-check records, so they are never out of date. Scoped: a dealer sees its
own archive and its own customers only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, tzinfo
from decimal import ROUND_HALF_UP, Decimal

import attrs

from aftersales.domain.classification import Category, Channel
from aftersales.domain.contact import zone
from aftersales.domain.correspondence import CorrespondenceGuidance
from aftersales.domain.fee_slips import FeeSlip
from aftersales.domain.handover_contacts import CARRIED_FROM_KEY
from aftersales.domain.no_fault import found_no_fault
from aftersales.domain.parties import Customer, Dealer
from aftersales.domain.products import Asset
from aftersales.domain.sla_reading import answered_at
from aftersales.domain.spot_checks import DealerSpotCheck, SpotCheckOutcome
from aftersales.domain.surveys import GRIEVANCE_ITEMS, RATER_DIMENSIONS, rater_index_of
from aftersales.domain.technical_support import TechnicalSupportRequest
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.domain.training import Attendee, TrainingKind, TrainingRecord, TrainingTopic
from aftersales.errors import NotFound, PermissionDenied, ValidationError
from aftersales.ports.queries import PageRequest, Sort, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.access_log import record_access
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.context import DeskContext
from aftersales.service.dealer_support import support_of_dealer
from aftersales.service.guidance_desk import guidance_readable
from aftersales.service.numbering import next_number
from aftersales.service.permissions import ARCHIVE_ROLES, can_read, check_role
from aftersales.service.phase_feedback import PhaseCount, PhaseFeedback, phase_feedback
from aftersales.service.runner import CommandRunner
from aftersales.service.scope import customer_slip_readable, party_visible, purchasing_dealer, sees_every

__all__ = [
    "ARCHIVE_ROLES",
    "NOTE_CHANNEL",
    "ArchiveDesk",
    "CallbackEntry",
    "ContactEntry",
    "CustomerArchive",
    "DealerArchive",
    "DealerPeriod",
    "DealerSpotCheck",
    "PhaseCount",
    "PhaseFeedback",
    "SpotCheckOutcome",
    "TicketEntry",
    "callback_entries",
]

_PAGE = 500


@attrs.frozen
class DealerPeriod:
    """One month of a dealer's archive (``month`` ``YYYY-MM``; ``"total"`` for the whole range)."""

    month: str
    calls: int = 0
    repairs: int = 0
    resolved: int = 0
    cancelled: int = 0
    rework: int = 0
    parts_replaced: tuple[tuple[str, int], ...] = ()
    callbacks: int = 0
    problem_back: int = 0
    satisfaction_count: int = 0
    satisfaction_sum: int = 0
    trainings: int = 0
    spot_checks: int = 0
    support_requests: int = 0
    """Technical support the dealer asked of the maker on its jobs (分工 2, 5), by the day asked."""
    no_fault_found: int = 0
    """Calls whose visit found the reported fault not real (叫修处理流程 故障是否属实 → 否; the last fault
    record's cause :data:`~aftersales.domain.no_fault.NO_FAULT_FOUND`): counted among ``calls`` (and
    ``repairs`` when called in as one), they replaced no part and are no fault of the product."""
    rater: tuple[tuple[str, int, int], ...] = ()
    """The callback surveys' RATER scores (seed 002 售后服务质量衡量的指标): per dimension rated, in RATER
    order, how many surveys rated it and the sum of their scores (1–5)."""

    @property
    def satisfaction(self) -> Decimal | None:
        """Mean satisfaction score (1–5) of the callbacks that gave one, to two decimals."""
        if not self.satisfaction_count:
            return None
        mean = Decimal(self.satisfaction_sum) / Decimal(self.satisfaction_count)
        return mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def rater_means(self) -> dict[str, Decimal]:
        """Each rated dimension's mean score (1–5) over the callback surveys, to two decimals."""
        return {
            name: (Decimal(total) / answers).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            for name, answers, total in self.rater
        }

    @property
    def rater_index(self) -> Decimal | None:
        """The RATER index (0–100, the five dimensions weighted alike) of the callback surveys: the
        measure of the dealer's service quality; ``None`` when no survey rated a dimension."""
        return rater_index_of(
            {name: total for name, _, total in self.rater}, {name: n for name, n, _ in self.rater}
        )


@attrs.frozen
class DealerArchive:
    """A dealer's archive over ``[start, end)``: base data, months, totals, training received."""

    dealer: Dealer
    start: date
    end: date
    periods: tuple[DealerPeriod, ...]
    total: DealerPeriod
    training: tuple[TrainingRecord, ...]
    spot_checks: tuple[DealerSpotCheck, ...] = ()
    """The maker's spot-checks of the dealer's service made in the range (抽查和指导), oldest first."""
    technical_support: tuple[TechnicalSupportRequest, ...] = ()
    """The technical support the dealer asked of the maker in the range, and the answers (分工 2, 5:
    甲方免费…提供技术支持服务), oldest first."""

    @property
    def support_topics(self) -> tuple[tuple[str, int], ...]:
        """How often each topic was asked about, most asked first: where the region needs more of the
        maker's support (用户档案建立与管理: 该地区需加强某方面的支持)."""
        counts: dict[str, int] = {}
        for request in self.technical_support:
            counts[request.topic] = counts.get(request.topic, 0) + 1
        return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    @property
    def region(self) -> str:
        """The dealer's home region."""
        return self.dealer.region


@attrs.frozen
class TicketEntry:
    """One ticket in a customer's archive."""

    id: str
    received_at: datetime
    state: str
    category: str
    description: str
    asset_id: str | None
    product_id: str | None
    dealer_id: str | None
    resolved_at: datetime | None
    closed_at: datetime | None
    faults: tuple[tuple[str, str, str], ...]


@attrs.frozen
class CallbackEntry:
    """A callback (回访) and, when a score was given, the satisfaction survey it carried."""

    ticket_id: str
    at: datetime
    problem_back: bool
    satisfaction: int | None
    comment: str
    answers: tuple[tuple[str, bool], ...]
    rater: tuple[tuple[str, int], ...] = ()
    """The survey's five RATER scores (1–5), in RATER order, when the survey was asked."""
    attitude: int | None = None
    """The customer's evaluation (1–5) of the team's service attitude, when asked (seed 001 三(七)2)."""
    other_complaints: str = ""
    """What else the customer said they are unhappy with, in their words (seed 004 第六条 3(3)
    是否有其它不满意的地方); empty when nothing (or on a callback recorded before the log kept it)."""

    @property
    def grievances(self) -> tuple[str, ...]:
        """What the customer complained of at the callback, as :attr:`CallbackChecklist.grievances` names
        it: the :data:`GRIEVANCE_ITEMS` answered "no", and ``other_complaints`` when they said one."""
        said = dict(self.answers)
        found = tuple(name for name in GRIEVANCE_ITEMS if said.get(name) is False)
        return (*found, "other_complaints") if self.other_complaints.strip() else found


NOTE_CHANNEL = Channel.PORTAL.value
"""The method (沟通方式, seed 001 五(三)3) of a progress note the customer reads: it is published in their own
progress view online (``desk.progress``), whatever else a pack's notifications send about it."""


@attrs.frozen
class ContactEntry:
    """One communication with the customer on a ticket, and how it went (its method): the request
    itself (``request``, by the channel it came in), a contact (``contact``: a call or a message, by its
    channel), an on-site visit (``visit``), a progress note the customer reads (``note``, by
    :data:`NOTE_CHANNEL`), the customer's acceptance as staff took it (``acceptance``, by its channel:
    a call, a signed slip…), a callback attempt that did not reach them (``callback_attempt``) and the
    callback (``callback``), each by the channel it was made on (``None``: a callback recorded before
    callbacks named one).

    ``note`` is what was said as the reader may read it: staff's own words on a step stay with staff.
    """

    ticket_id: str
    at: datetime
    kind: str
    channel: str | None
    note: str = ""
    reached: bool = True


@attrs.frozen
class CustomerArchive:
    """An end user's archive: who, what they bought, every ticket, callback, survey and fee slip, and
    every communication with them (``contacts``, oldest first)."""

    customer: Customer
    assets: tuple[Asset, ...]
    tickets: tuple[TicketEntry, ...]
    callbacks: tuple[CallbackEntry, ...]
    fee_slips: tuple[str, ...]
    contacts: tuple[ContactEntry, ...] = ()
    guidance: tuple[CorrespondenceGuidance, ...] = ()
    """The guidance sent to the customer by correspondence (函授, seed 002: letters and materials about a
    problem they met), oldest first, as far as the reader may read it."""

    @property
    def surveys(self) -> tuple[CallbackEntry, ...]:
        """The callbacks that recorded a satisfaction score."""
        return tuple(c for c in self.callbacks if c.satisfaction is not None)


def callback_entries(ticket: Ticket) -> Iterator[CallbackEntry]:
    """The callbacks recorded on ``ticket``, as its event log keeps them (score, comment, answers)."""
    for event in ticket.events:
        if event.action != "record_callback":
            continue
        payload = event.payload
        score = payload.get("satisfaction")
        attitude = payload.get("attitude")
        answers = tuple(
            sorted(
                (k.removeprefix("answer."), bool(v)) for k, v in payload.items() if k.startswith("answer.")
            )
        )
        rater = tuple(
            (name, value)
            for name in RATER_DIMENSIONS
            if isinstance(value := payload.get(f"score.{name}"), int)
            and not isinstance(value, bool)
            and 1 <= value <= 5  # a survey's score (an imported history is not trusted to hold one)
        )
        yield CallbackEntry(
            ticket.id,
            event.at,
            bool(payload.get("problem_back")),
            score if isinstance(score, int) and not isinstance(score, bool) else None,
            str(payload.get("comment") or ""),
            answers,
            rater,
            attitude if isinstance(attitude, int) and not isinstance(attitude, bool) else None,
            str(payload.get("other_complaints") or ""),
        )


def _contacts(ticket: Ticket, seen: Ticket) -> Iterator[ContactEntry]:
    """The communications with the customer on ``ticket``, with the words of ``seen`` (the ticket as the
    reader may read it)."""
    yield ContactEntry(ticket.id, ticket.received_at, "request", ticket.channel.value)
    for event in seen.events:
        payload = event.payload
        if event.action == "contact_customer":
            if CARRIED_FROM_KEY in payload:  # a call back on the request handed over: listed there
                continue
            channel = payload.get("channel")
            made = answered_at(event)  # a call entered after the fact: when it was made (沟通时间)
            yield ContactEntry(
                ticket.id, made, "contact", str(channel) if channel else None, event.reason or ""
            )
        elif event.action == "callback_attempt":
            channel = payload.get("channel") or "phone"  # attempts recorded before they named one: calls
            yield ContactEntry(
                ticket.id, event.at, "callback_attempt", str(channel), event.reason or "", False
            )
        elif event.action == "record_callback":
            channel = payload.get("channel")
            comment = str(payload.get("comment") or "")
            yield ContactEntry(ticket.id, event.at, "callback", str(channel) if channel else None, comment)
        elif event.action == "confirm" and payload.get("by") == "staff":
            # Staff recording the customer's acceptance spoke with them (seed 001 三(六)2 将处理结果
            # 反馈给客户,并确认客户是否满意): a communication by the channel it came on (五(三)3).
            channel = payload.get("channel")
            yield ContactEntry(
                ticket.id, event.at, "acceptance", str(channel) if channel else None, event.reason or ""
            )
        elif (
            event.action == "note_to_customer" and payload.get("visible") and CARRIED_FROM_KEY not in payload
        ):
            # A note carried into a complaint from the request handed over is listed there, once.
            index = payload.get("index")
            if isinstance(index, int) and 0 <= index < len(ticket.notes):
                # Published in the customer's own progress view (在线客服平台): its method is the portal.
                yield ContactEntry(ticket.id, event.at, "note", NOTE_CHANNEL, ticket.notes[index].text)
    for visit in ticket.visits:
        if visit.arrived_at is not None:
            yield ContactEntry(ticket.id, visit.arrived_at, "visit", "visit")


def _sent_at(guidance: CorrespondenceGuidance, zone: tzinfo) -> datetime:
    """When guidance sent by correspondence counts among the communications: the start of the day it was
    sent (a letter has a date, not an instant), in the desk's time zone."""
    return datetime.combine(guidance.sent_on, time(), zone)


def _months(start: date, end: date) -> list[str]:
    months = []
    year, month = start.year, start.month
    while date(year, month, 1) < end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class _Tally:
    def __init__(self) -> None:
        self.counts = dict.fromkeys(("calls", "repairs", "resolved", "cancelled", "rework", "callbacks"), 0)
        self.counts |= {"problem_back": 0, "satisfaction_count": 0, "satisfaction_sum": 0, "trainings": 0}
        self.counts["spot_checks"] = 0
        self.counts["support_requests"] = 0
        self.counts["no_fault_found"] = 0
        self.parts: dict[str, int] = {}
        self.rater = {name: [0, 0] for name in RATER_DIMENSIONS}  # answers, sum

    def add_ticket(self, ticket: Ticket) -> None:
        c = self.counts
        c["calls"] += 1
        if ticket.category == Category.REPAIR:
            c["repairs"] += 1
        if ticket.resolved_at is not None:
            # Resolved means accepted by the customer (验收确认; a complaint: handled), whether or not the
            # callback has closed it yet; work marked done and not yet accepted is not resolved.
            c["resolved"] += 1
        if ticket.state == TicketState.CANCELLED:
            c["cancelled"] += 1
        if any(e.action in ("reject", "reopen") for e in ticket.events):
            c["rework"] += 1
        if ticket.state != TicketState.CANCELLED and found_no_fault(ticket.fault_records):
            c["no_fault_found"] += 1
        for record in ticket.fault_records:
            if record.part:
                self.parts[record.part] = self.parts.get(record.part, 0) + 1
        for callback in callback_entries(ticket):
            c["callbacks"] += 1
            c["problem_back"] += int(callback.problem_back)
            if callback.satisfaction is not None:
                c["satisfaction_count"] += 1
                c["satisfaction_sum"] += callback.satisfaction
            for name, value in callback.rater:
                self.rater[name][0] += 1
                self.rater[name][1] += value

    def period(self, month: str) -> DealerPeriod:
        parts = tuple(sorted(self.parts.items(), key=lambda kv: (-kv[1], kv[0])))
        rater = tuple((name, n, total) for name, (n, total) in self.rater.items() if n)
        return DealerPeriod(month, parts_replaced=parts, rater=rater, **self.counts)


@validated_commands
class ArchiveDesk:
    """Dealer and end-user archives, and the training records that feed the dealer archive."""

    def __init__(self, context: DeskContext, runner: CommandRunner) -> None:
        self.context = context
        self.runner = runner
        self.zone = zone(context.timezone)

    @staticmethod
    def _tickets(uow: UnitOfWork, filters: TicketFilter) -> Iterator[Ticket]:
        cursor: str | None = None
        while True:
            page = uow.tickets.query(filters, PageRequest(_PAGE, cursor, Sort.RECEIVED_ASC))
            yield from page.items
            cursor = page.next_cursor
            if cursor is None:
                return

    # -- training ---------------------------------------------------------------------------------

    def record_training(
        self,
        actor: Actor,
        *,
        kind: TrainingKind,
        held_on: date,
        trainer: str,
        dealer_ids: Iterable[str],
        topics: Iterable[TrainingTopic | str],
        attendees: Iterable[Attendee] = (),
        region: str | None = None,
        note: str = "",
        idempotency_key: str | None = None,
    ) -> TrainingRecord:
        """Record a training (走训, 集训 or 函授) of the given dealers' staff (replayable by key).

        A training is recorded once held: ``held_on`` after today on the desk's calendar is refused
        (its attendance would show in the dealer archive before anyone attended). A ``region`` names whose
        staff were trained (集训: 某一区域的售后服务人员集中起来进行培训): every linked dealer serves it
        (``dealer_ids`` otherwise), and it is not blank (``region``)."""
        check_role(actor, "record_training", None, ARCHIVE_ROLES["record_training"])
        dealers = tuple(dealer_ids)
        topics = tuple(topics)
        attendees = tuple(attendees)
        request = [kind, held_on, trainer, dealers, topics, attendees, region, note]
        if region is not None and (not isinstance(region, str) or not region.strip()):
            raise ValidationError("region names a region (not blank)", field="region")

        def apply(uow: UnitOfWork, now: datetime) -> TrainingRecord:
            if isinstance(held_on, date) and held_on > self.context.today(now):
                raise ValidationError(f"a training held on {held_on} is not held yet", field="held_on")
            for dealer_id in dealers:
                dealer = uow.dealers.get(dealer_id)
                if region is not None and not dealer.serves(region):
                    raise ValidationError(
                        f"{dealer_id} does not serve {region}: a training of a region's staff is linked to "
                        "the dealers serving it",
                        field="dealer_ids",
                    )
            record = TrainingRecord(
                next_number(uow, "training", now),
                kind,
                held_on,
                trainer,
                dealers,
                frozenset(topics),
                tuple(attendees),
                actor.ref,
                region,
                note,
            )
            uow.documents.add(record)
            return record

        return self.runner.write(
            actor,
            "record_training",
            idempotency_key,
            request,
            apply,
            remember=lambda r: r.id,
            reload=lambda uow, id: uow.documents.get(TrainingRecord, id),
        )

    # -- spot-checks ------------------------------------------------------------------------------

    def record_spot_check(
        self,
        actor: Actor,
        dealer_id: str,
        *,
        checked_on: date,
        outcome: SpotCheckOutcome | str,
        findings: str,
        guidance: str = "",
        ticket_ids: Iterable[str] = (),
        idempotency_key: str | None = None,
    ) -> DealerSpotCheck:
        """Record the maker's spot-check of ``dealer_id``'s service (seed 002 12: 甲方有权对乙方的服务情况
        进行抽查和指导), with what was found, the verdict and the guidance given (replayable by key).

        Made by the maker's office, once made: ``checked_on`` after today on the desk's calendar is
        refused. The tickets looked at are the dealer's jobs — its own customers' and units' calls, or a
        call passed to it — that had come in by then (``ticket_ids``; an unknown ticket is
        ``NotFound``). It shows in the dealer's archive (:meth:`dealer_archive`), which the dealer
        reads too.
        """
        check_role(actor, "record_spot_check", dealer_id, ARCHIVE_ROLES["record_spot_check"])
        # Checked before anything runs (a bad value is a ValidationError naming the field).
        draft = DealerSpotCheck("check", dealer_id, checked_on, outcome, findings, guidance, ticket_ids)
        request = [dealer_id, checked_on, draft.outcome, findings, guidance, draft.ticket_ids]

        def apply(uow: UnitOfWork, now: datetime) -> DealerSpotCheck:
            if checked_on > self.context.today(now):
                raise ValidationError(f"a spot-check on {checked_on} is not made yet", field="checked_on")
            uow.dealers.get(dealer_id)
            for ticket_id in draft.ticket_ids:
                ticket = uow.tickets.get(ticket_id)
                if dealer_id not in (ticket.dealer_id, purchasing_dealer(ticket)):
                    raise ValidationError(f"{ticket_id} is not a job of {dealer_id}", field="ticket_ids")
                if self.context.today(ticket.received_at) > checked_on:
                    raise ValidationError(
                        f"{ticket_id} came in after the spot-check on {checked_on}", field="ticket_ids"
                    )
            record = attrs.evolve(draft, id=next_number(uow, "spot_check", now), checked_by=actor.ref)
            uow.documents.add(record)
            return record

        return self.runner.write(
            actor,
            "record_spot_check",
            idempotency_key,
            request,
            apply,
            remember=lambda r: r.id,
            reload=lambda uow, id: uow.documents.get(DealerSpotCheck, id),
        )

    # -- dealer archive ----------------------------------------------------------------------------

    def dealer_archive(self, actor: Actor, dealer_id: str, *, start: date, end: date) -> DealerArchive:
        """The archive of ``dealer_id`` for the months from ``start`` to ``end`` (exclusive).

        Calls are the tickets of the dealer received in the range (in the desk's time zone); their
        repairs, parts, callbacks and satisfaction are bucketed by the month the call came in. The
        dealer's tickets are those it owns (``dealer_id``: its customers' and units', the calls it
        took), not those another dealer's customers had dispatched to it: seed 002's 经销商档案 is
        the state of the dealer's territory (该地区叫修、回访…), whoever did the work.
        Dealer staff may read their own dealer's archive only (``PermissionDenied`` otherwise), whatever
        other roles they hold, and of a training shared with other dealers only their own attendees.
        """
        allowed = ARCHIVE_ROLES["dealer_archive"]
        check_role(actor, "dealer_archive", dealer_id, allowed)
        if not party_visible(actor, dealer_id=dealer_id, allowed=allowed):
            raise PermissionDenied(str(actor), "dealer_archive", dealer_id)
        if not isinstance(start, date) or not isinstance(end, date) or isinstance(start, datetime):
            raise ValidationError("start and end are dates", field="start")
        if end <= start:
            raise ValidationError("end must be after start", field="end")
        start_at = datetime.combine(start, time(), self.zone)
        end_at = datetime.combine(end, time(), self.zone)
        months = _months(start, end)
        tallies = {m: _Tally() for m in months}
        total = _Tally()
        with self.context.store() as uow:
            dealer = uow.dealers.get(dealer_id)
            query = TicketFilter(dealer_id=dealer_id, received_from=start_at, received_to=end_at)
            for ticket in self._tickets(uow, query):
                month = ticket.received_at.astimezone(self.zone).strftime("%Y-%m")
                tallies[month].add_ticket(ticket)
                total.add_ticket(ticket)
            training = tuple(
                sorted(
                    (
                        t
                        for t in uow.documents.query(TrainingRecord)
                        if t.received_by(dealer_id) and start <= t.held_on < end
                    ),
                    key=lambda t: (t.held_on, t.id),
                )
            )
            checks = tuple(
                sorted(
                    (
                        c
                        for c in uow.documents.query(DealerSpotCheck, dealer_id=dealer_id)
                        if start <= c.checked_on < end
                    ),
                    key=lambda c: (c.checked_on, c.id),
                )
            )
            support = [r for r in support_of_dealer(uow, dealer_id) if start_at <= r.asked_at < end_at]
        if not sees_every(actor, allowed):
            # A training shared with other dealers (集训, 函授) lists their staff too: a dealer reads its
            # own attendees only, as it reads its own archive only.
            training = tuple(
                attrs.evolve(t, attendees=tuple(a for a in t.attendees if a.dealer_id == dealer_id))
                for t in training
            )
        for record in training:
            month = record.held_on.strftime("%Y-%m")
            tallies[month].counts["trainings"] += 1
            total.counts["trainings"] += 1
        for check in checks:
            tallies[check.checked_on.strftime("%Y-%m")].counts["spot_checks"] += 1
            total.counts["spot_checks"] += 1
        for request in support:
            tallies[request.asked_at.astimezone(self.zone).strftime("%Y-%m")].counts["support_requests"] += 1
            total.counts["support_requests"] += 1
        periods = tuple(tallies[m].period(m) for m in months)
        return DealerArchive(
            dealer, start, end, periods, total.period("total"), training, checks, tuple(support)
        )

    # -- product feedback by phase ------------------------------------------------------------------

    def phase_feedback(
        self, actor: Actor, *, start: date, end: date, dealer_id: str | None = None
    ) -> PhaseFeedback:
        """The problems found on units in the calls received from ``start`` to ``end`` (exclusive, local
        days), by the phase each unit was in at the call: out of box, in warranty, out of warranty
        (seed 002: 分为开箱期、保修期内、保修期外三个阶段来进行相关的信息反馈; 分类统计和分析).

        Per phase: the problems (repair calls, and any other ticket with a fault record), those with
        their fault record, the design hazards, the written reports due (out of box, or a design hazard)
        and still missing, and the tickets per symptom. ``dealer_id`` reads one dealer's tickets (those
        it owns, as its archive counts them); ``None`` every dealer's. The office and auditors read any;
        dealer staff only their own dealer's, named (``PermissionDenied`` otherwise).
        """
        return phase_feedback(self.context, actor, start=start, end=end, dealer_id=dealer_id)

    # -- end-user archive ---------------------------------------------------------------------------

    def customer_archive(self, actor: Actor, customer_id: str) -> CustomerArchive:
        """The end-user archive of ``customer_id``.

        A customer reads its own, dealer staff those of their customers (their dealer's or their
        regions'); anyone else out of scope gets ``NotFound``, as for an unknown customer. ``contacts``
        is the record of every communication with the customer, with its method (seeds 003/004: 所有服务
        记录…均需归档保存; the request, each contact, visit, note, callback attempt and callback), in the
        words the reader may read.
        """
        allowed = ARCHIVE_ROLES["customer_archive"]
        check_role(actor, "customer_archive", customer_id, allowed)
        with self.context.store() as uow:
            customer = uow.customers.get(customer_id)
            scope = {"region": customer.region, "dealer_id": customer.dealer_id}
            if not party_visible(actor, customer_id=customer.id, allowed=allowed, **scope):
                raise NotFound("customer", customer_id)
            assets = tuple(sorted(uow.assets.list(customer_id=customer_id), key=lambda a: a.id))
            tickets = [
                t for t in self._tickets(uow, TicketFilter(customer_id=customer_id)) if can_read(actor, t)
            ]
            # The slips the customer owes: the dealer's own slips on its tickets are the dealer's. Listed
            # where the reader may read them (a second dealer of the region reads none of the first's).
            readable: dict[str, Ticket] = {t.id: t for t in tickets}
            slips = tuple(
                sorted(
                    s.id
                    for s in uow.documents.query(FeeSlip, customer_id=customer_id)
                    if s.owed_by_customer(customer_id)
                    and s.ticket_id in readable
                    and customer_slip_readable(actor, s, readable[s.ticket_id])
                )
            )
            guidance = guidance_readable(uow, actor, customer.id)
        entries = tuple(
            TicketEntry(
                t.id,
                t.received_at,
                t.state,
                t.category.code,
                t.description,
                t.asset_id,
                t.product_id,
                t.dealer_id,
                t.resolved_at,
                t.closed_at,
                tuple((f.symptom, f.cause, f.action) for f in t.fault_records),
            )
            for t in tickets
        )
        callbacks = tuple(c for t in tickets for c in callback_entries(t))
        letters = [(_sent_at(g, self.zone), g) for g in guidance]
        contacts = tuple(
            sorted(
                [
                    *(c for t in tickets for c in _contacts(t, self.runner.seen_by(actor, t))),
                    *(
                        ContactEntry(g.ticket_id or "", at, "guidance", g.medium.value, g.topic)
                        for at, g in letters
                    ),
                ],
                key=lambda c: (c.at, c.ticket_id),
            )
        )
        record_access(self.runner, actor, "customer_archive", [customer.id])
        return CustomerArchive(customer, assets, entries, callbacks, slips, contacts, tuple(guidance))
