"""From what happened to a ticket to outbox messages: domain events and rendered notifications.

Every new :class:`TicketEvent` goes to the outbox as a ``ticket_event`` message (hosts subscribe to
those). Events people must hear about become notifications: the notification policy names the roles,
this module finds the people (the customer, the assigned engineer or dealer, the staff a host
configured per role), renders the text in each recipient's locale and time zone, and writes a
``notification`` message per recipient, keyed so a retried delivery is dropped by the receiver.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.call_shape import host_factories
from aftersales.domain.classification import Priority, TicketKind
from aftersales.domain.complaint_handover import CONTINUES_KEY
from aftersales.domain.contact import Contact
from aftersales.domain.customer_feedback import owes_response
from aftersales.domain.events import TicketEvent
from aftersales.domain.handover_contacts import CARRIED_FROM_KEY
from aftersales.domain.instants import micros
from aftersales.domain.repair_points import DESIGNATE_REPAIR_POINT, RepairPointNotice
from aftersales.domain.sla_reading import first_response, response_steps
from aftersales.domain.ticket import OPENED, Ticket
from aftersales.domain.work import AssigneeKind
from aftersales.errors import ConfigurationError, NotFound, ValidationError, carried_rule
from aftersales.i18n.locales import DEFAULT_LOCALE, resolve_locale
from aftersales.i18n.notifications import Renderer
from aftersales.i18n.pack_words import PackWords
from aftersales.i18n.values import Term
from aftersales.policies.decision import Decision
from aftersales.policies.notification import NotificationEvent, NotificationFacts
from aftersales.policies.protocols import NotificationPolicy
from aftersales.ports.erasure import keeps_personal_copies, quotes_any
from aftersales.ports.fork_renewal import renew_after_fork
from aftersales.ports.notifier import NOTIFICATION_TOPIC, RenderedMessage, plain_texts
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.serialization import converter, event_data
from aftersales.service.fitter_dealer_notice import fitters_dealer_messages
from aftersales.service.on_duty import agents_on_duty
from aftersales.service.policy_memo import DecisionMemo
from aftersales.service.reassign_notice import previous_holder_messages
from aftersales.service.record_words import notice_for, told_for
from aftersales.service.stored_reasons import worded_reason

__all__ = ["EVENT_TOPIC", "NotificationRequest", "Notifications", "address_of", "outbox_id"]

EVENT_TOPIC = "ticket_event"
"""The outbox topic of domain events (payload: the unstructured event plus ``ticket_id``)."""

NOT_SET = Term("value.none")

# Which notification kind (and policy moment) each workflow action produces.
_KIND_OF_ACTION: Mapping[str, tuple[str, NotificationEvent]] = {
    OPENED: ("ticket_received", NotificationEvent.OPENED),
    "assign": ("assigned", NotificationEvent.ASSIGNED),
    "reassign": ("assigned", NotificationEvent.ASSIGNED),
    "add_visit": ("visit_planned", NotificationEvent.PROGRESS),
    "await_parts": ("parts_awaited", NotificationEvent.PROGRESS),
    # Seeds 000/001 (及时向客户反馈处理进度): a progress note the customer may see is sent to them.
    "note_to_customer": ("progress_note", NotificationEvent.PROGRESS),
    "resolve": ("resolved_please_confirm", NotificationEvent.RESOLVED),
    # Seed 000 (如客户对处理结果不满意,售后维护人员应重新进行处理): whoever holds the ticket is told it
    # came back, with the customer's words, as they were told it was assigned.
    "reject": ("rework_requested", NotificationEvent.ASSIGNED),
    "reopen": ("rework_requested", NotificationEvent.ASSIGNED),
    # Whoever holds a ticket the customer or the desk called off is told, so nobody goes to the visit
    # (an erasure's cancellation too: the address is gone).
    "cancel": ("job_cancelled", NotificationEvent.ASSIGNED),
    # Seed 004 第八条 2(3): the outlet holding a complaint the customer withdrew (撤诉) is called off alike.
    "withdraw": ("job_cancelled", NotificationEvent.ASSIGNED),
    # Seed 000 4.派工处理 (要求客户将产品送至指定维修地点): the customer is told where to bring the product.
    DESIGNATE_REPAIR_POINT: ("repair_point_designated", NotificationEvent.PROGRESS),
}

# The converter's own hook for the rendered messages every notification turns into an outbox payload,
# looked up once (``unstructure`` would find it again by the value's type on every message); an event's
# payload is the data its save already made (``event_data``).
_RENDERED_DATA: Callable[[RenderedMessage], dict[str, Any]] = converter.get_unstructure_hook(RenderedMessage)


def address_of(contact: Contact) -> tuple[str, str] | None:
    """``(channel, address)`` to reach ``contact`` by: the first of :meth:`Contact.reach` (the person's
    preference, else WeChat → SMS → e-mail for readers of Chinese); ``None`` if unreachable."""
    reach = contact.reach()
    if not reach:
        return None
    channel, address = reach[0]
    return channel.value, address


@attrs.frozen
class NotificationRequest:
    """One notification to render: its kind, the audience role, the values, and a stable key."""

    kind: str
    role: Role
    values: Mapping[str, object]
    key: str


def check_writable(contact: Contact, field: str) -> None:
    """Refuse ``contact`` if no message to it could be rendered (``field`` names it in the error).

    Why: the renderer resolves the contact's locale on every message, and a locale Babel does not know
    (``sh``, ``xx``: the contact's own check is only its shape) would make every command that notifies
    this person fail. Registering the person is the place to say so.
    """
    try:
        resolve_locale(contact.locale)
    except ValidationError:
        raise ValidationError(
            f"{field}.locale: unknown locale {contact.locale!r}: use an identifier such as 'zh_Hans', "
            "'zh_Hant', 'zh_CN' or 'en'",
            field=f"{field}.locale",
        ) from None


def _checked_contacts(contacts: object, where: str) -> tuple[Contact, ...]:
    """One directory entry's contacts, each a :class:`Contact` messages can be written to, each address
    once; anything else is a :class:`ConfigurationError` naming the entry."""
    if isinstance(contacts, str | Contact | Mapping) or not isinstance(contacts, Iterable):
        raise ConfigurationError("a staff entry is a list of contacts", key=where)
    people = tuple(contacts)  # any collection (a list, a set); read once
    reached: dict[tuple[str, str], int] = {}
    for n, contact in enumerate(people):
        if not isinstance(contact, Contact):
            raise ConfigurationError("staff are Contact records", key=f"{where}[{n}]")
        try:
            check_writable(contact, f"{where}[{n}]")
        except ValidationError as exc:
            raise ConfigurationError(str(exc), key=exc.field, **carried_rule(exc)) from None
        # Two contacts of one entry reaching one address would make the same message twice, with one id:
        # the command (or the SLA sweep, on every run) would fail on the duplicate.
        address = address_of(contact)
        if address is not None and reached.setdefault(address, n) != n:
            raise ConfigurationError(
                f"reaches the same {address[0]} address as {where}[{reached[address]}]: list it once",
                key=f"{where}[{n}]",
            )
    return people


def _role(code: object) -> Role:
    try:
        return Role(code)  # type: ignore[arg-type]  # anything else is refused below
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise ConfigurationError(f"unknown role {code!r}; roles are {roles}", key="staff") from None


def _checked_staff(
    staff: object,
) -> tuple[dict[Role, tuple[Contact, ...]], dict[str, tuple[Contact, ...]]]:
    """The host's staff directory: by role (``Role.MANAGER`` or ``"manager"``: who is told of what the
    role is told of) and by person (``"agent:agent-li"``, a staff member's role and id as the events
    write them: who is told of what is theirs, as a complaint they were made the handler of). An unknown
    role or a malformed person is a :class:`ConfigurationError` naming the entry (else silently never
    notified)."""
    if staff is None:
        return {}, {}
    if not isinstance(staff, Mapping):
        raise ConfigurationError("staff maps roles (and staff members) to their contacts", key="staff")
    by_role: dict[Role, tuple[Contact, ...]] = {}
    by_person: dict[str, tuple[Contact, ...]] = {}
    for entry, contacts in staff.items():
        if isinstance(entry, str) and ":" in entry:
            try:
                member = ActorRef.parse(entry)
            except ValidationError as exc:
                raise ConfigurationError(str(exc), key="staff", **carried_rule(exc)) from None
            if member.id != member.id.strip():  # never equal to the id an event records
                raise ConfigurationError(
                    f"a staff member's id has spaces around it: {entry!r:.80}", key="staff"
                )
            person = str(member)
            by_person[person] = _checked_contacts(contacts, f"staff.{person}")
        else:
            role = _role(entry)
            by_role[role] = _checked_contacts(contacts, f"staff.{role.value}")
    return by_role, by_person


StaffDirectory = (
    Mapping[Role, Sequence[Contact]]
    | Mapping[str, Sequence[Contact]]
    | Mapping[Role | str, Sequence[Contact]]
)
"""Whom the desk tells: roles (``Role.MANAGER`` or ``"manager"``) and staff members (``"agent:agent-li"``)
to their contacts (see :func:`_checked_staff`)."""


@host_factories
class Notifications:
    """Turns a command's new events into outbox messages. One per desk; holds the renderer."""

    def __init__(
        self, renderer: Renderer, staff: StaffDirectory | None = None, words: PackWords | None = None
    ) -> None:
        self.renderer = renderer
        self.words = words
        """The desk's pack vocabulary (:mod:`aftersales.i18n.pack_words`): its notices and views word the
        pack's own codes (a fault cause a reason names) as the pack labels them."""
        self.staff: dict[Role, tuple[Contact, ...]]
        self.people: dict[str, tuple[Contact, ...]]
        self.staff, self.people = _checked_staff(staff)
        # Only a directory listing agents by name can route to the agents on duty: without one, no
        # notice reads the roster.
        self._agents_listed = any(entry.startswith(f"{Role.AGENT.value}:") for entry in self.people)
        # The notification policy's answers per (moment, priority): a handful of fact sets.
        self._roles: DecisionMemo[NotificationFacts, Decision[tuple[Role, ...]]] = DecisionMemo()
        self._addresses: dict[int, tuple[Contact, tuple[str, str, str] | None]] = {}
        self.outbox_ids = _OrderedIds()  # this desk's ids made lately (its store's), not the process's
        keeps_personal_copies(self)  # an erasure through any desk of this process reaches these addresses

    def messages(
        self,
        uow: UnitOfWork,
        ticket: Ticket,
        events: Sequence[TicketEvent],
        now: datetime,
        policy: NotificationPolicy,
        extra: Iterable[NotificationRequest] = (),
    ) -> list[OutboxMessage]:
        """The outbox messages for ``events`` of ``ticket`` (plus ``extra`` requests such as escalations)."""
        out = [self._event_message(ticket, e, now) for e in events]
        requests = [r for e in events for r in self._requests(uow, ticket, e, policy, now)]
        requests.extend(extra)
        for request in requests:
            out.extend(self._render(uow, ticket, request, now))
        for event in events:
            if event.action in ("assign", "reassign"):
                roles = self._decide(policy, NotificationEvent.ASSIGNED, ticket.priority or Priority.NORMAL)
                # seed 003 二 4: the holder the job is taken from is told too
                out.extend(previous_holder_messages(uow, ticket, event, roles, self.contact_messages, now))
                # seed 002 分工 1, 6: the dealer of a fitter the office sent directly is told
                out.extend(fitters_dealer_messages(uow, ticket, event, roles, self.contact_messages, now))
        return out

    def _event_message(self, ticket: Ticket, event: TicketEvent, now: datetime) -> OutboxMessage:
        payload = event_data(event)
        payload["ticket_id"] = ticket.id
        key = f"{ticket.id}:{event.seq}"
        return OutboxMessage(outbox_id(key, now, self.outbox_ids), EVENT_TOPIC, payload, key, now)

    def _requests(
        self, uow: UnitOfWork, ticket: Ticket, event: TicketEvent, policy: NotificationPolicy, now: datetime
    ) -> list[NotificationRequest]:
        found = _KIND_OF_ACTION.get(event.action)
        if found is None or _unsent(event):  # an internal note stays internal
            return []
        kind, moment = found
        if kind == "job_cancelled" and ticket.assignee is None:
            return []  # nobody was sent: nobody to call off
        kind = told_for(kind, ticket.kind)
        roles = self._decide(policy, moment, ticket.priority or Priority.NORMAL)
        audience = _audience(kind)
        values = self._values(kind, ticket, event, uow)
        key = f"{ticket.id}:{event.seq}:{kind}"  # the key stays the kind's: one notice whichever words
        words, told_values = _undated_words(*_continued_words(kind, ticket, event, values, now))
        requests = [
            NotificationRequest(words, role, told_values, key)
            if role is Role.CUSTOMER or audience is _HOLDERS
            else self._followed(kind, role, ticket, event, key)
            for role in roles
            if role in audience
        ]
        if kind == "assigned" and Role.CUSTOMER in roles and ticket.assignee is not None:
            # The assignee's notice is addressed to them; the customer is told who will handle the ticket.
            told = {"ticket_id": ticket.id, "assignee_name": ticket.assignee.name or ticket.assignee.id}
            own_key = f"{ticket.id}:{event.seq}:{_CUSTOMER_ASSIGNED}"
            requests.append(NotificationRequest(_CUSTOMER_ASSIGNED, Role.CUSTOMER, told, own_key))
        return requests

    def holder_messages(
        self,
        uow: UnitOfWork,
        ticket: Ticket,
        kind: str,
        values: Mapping[str, object],
        key: str,
        policy: NotificationPolicy,
        now: datetime,
    ) -> list[OutboxMessage]:
        """``kind`` to whoever holds ``ticket`` (its engineer or dealer), when ``policy`` tells holders of
        assignments at all: a command's own notice to the holder beside those its events produce."""
        request = NotificationRequest(kind, Role.ENGINEER, values, key)
        return self._own_notice(uow, ticket, request, policy, NotificationEvent.ASSIGNED, _HOLDERS, now)

    def customer_messages(
        self,
        uow: UnitOfWork,
        ticket: Ticket,
        kind: str,
        values: Mapping[str, object],
        key: str,
        policy: NotificationPolicy,
        now: datetime,
    ) -> list[OutboxMessage]:
        """``kind`` to ``ticket``'s customer, when ``policy`` tells the customer of its progress: a
        command's own notice to the customer beside those its events produce (a special case's new due)."""
        request = NotificationRequest(kind, Role.CUSTOMER, values, key)
        return self._own_notice(uow, ticket, request, policy, NotificationEvent.PROGRESS, _CUSTOMERS, now)

    def _own_notice(
        self,
        uow: UnitOfWork,
        ticket: Ticket,
        request: NotificationRequest,
        policy: NotificationPolicy,
        moment: NotificationEvent,
        audience: frozenset[Role],
        now: datetime,
    ) -> list[OutboxMessage]:
        """``request`` rendered for each role of ``audience`` that ``policy`` tells at ``moment``."""
        out: list[OutboxMessage] = []
        for role in self._decide(policy, moment, ticket.priority or Priority.NORMAL):
            if role in audience:
                out += self._render(uow, ticket, attrs.evolve(request, role=role), now)
        return out

    def tells_customer(
        self, policy: NotificationPolicy, event: TicketEvent, kind: TicketKind, priority: Priority
    ) -> bool:
        """Whether ``event`` of a ``kind`` record of ``priority`` sends its customer a notice under
        ``policy`` (the progress reminder's "the customer heard from us", seed 001 三(五)1)."""
        found = _KIND_OF_ACTION.get(event.action)
        if found is None or _unsent(event):
            return False
        told, moment = found
        if Role.CUSTOMER not in self._decide(policy, moment, priority):
            return False
        # A holder's notice (assigned) reaches the customer as its own ``ticket_assigned``.
        return told == "assigned" or Role.CUSTOMER in _audience(told_for(told, kind))

    @staticmethod
    def _followed(kind: str, role: Role, ticket: Ticket, event: TicketEvent, key: str) -> NotificationRequest:
        """What staff following a ticket read of a step the customer is told of: the staff's own notice
        (the step, the priority, the due times), not the customer's words ("我们将在…前与您联系")."""
        values = {
            "ticket_id": ticket.id,
            "priority": ticket.priority or NOT_SET,
            "step": Term(f"followed_step.{kind}"),
            "at": event.at,
            "response_due_at": ticket.response_due_at or NOT_SET,
            "resolution_due_at": ticket.resolution_due_at or NOT_SET,
        }
        # A complaint's followers read of a complaint (投诉); the key is the step's, as before.
        return NotificationRequest(notice_for(_FOLLOWED, ticket.kind), role, values, key)

    def _decide(
        self, policy: NotificationPolicy, moment: NotificationEvent, priority: Priority
    ) -> tuple[Role, ...]:
        # The facts object is built only for a policy's first answer.
        facts = functools.partial(NotificationFacts, moment, priority)
        return self._roles.decide_by(policy, (moment, priority), facts).outcome

    def forget_erased(self, customer_id: str, ticket_ids: Sequence[str], needles: Sequence[str]) -> int:
        """Drop the remembered addresses of contacts quoting one of ``needles`` (an erased person: their
        name and number must not stay in this process)."""
        gone = [
            key
            for key, (contact, _) in list(self._addresses.items())
            if any(
                isinstance(value, str) and quotes_any(value, needles)
                for value in (contact.name, contact.phone, contact.email, contact.address, contact.wechat,
                              contact.note)
            )
        ]  # fmt: skip
        return sum(self._addresses.pop(key, None) is not None for key in gone)

    def _address(self, contact: Contact) -> tuple[str, str, str] | None:
        """:func:`address_of` ``contact`` and the digest that names it in keys, remembered for this very
        (immutable) contact object: stores hand out the same parsed customer and dealer on every command,
        and finding a number's SMS reach is most of the answer."""
        kept = self._addresses.get(id(contact))
        if kept is not None and kept[0] is contact:
            return kept[1]
        reach = address_of(contact)
        found = None if reach is None else (*reach, _message_id(reach[0] + ":" + reach[1])[:16])
        if len(self._addresses) >= 4096:
            self._addresses.clear()
        self._addresses[id(contact)] = (contact, found)
        return found

    def _values(self, kind: str, ticket: Ticket, event: TicketEvent, uow: UnitOfWork) -> dict[str, object]:
        if kind in ("ticket_received", "complaint_registered"):
            return {
                "ticket_id": ticket.id,
                "received_at": ticket.received_at,
                "response_due_at": ticket.response_due_at or NOT_SET,
            }
        if kind == "assigned":
            return {
                "ticket_id": ticket.id,
                # Filled from the customer's record for the holder; "none" in words when it has none.
                "customer_name": NOT_SET,
                "address": NOT_SET,
                "category": ticket.category,
                "priority": ticket.priority or NOT_SET,
                "resolution_due_at": ticket.resolution_due_at or NOT_SET,
            }
        if kind == "visit_planned":
            visit = ticket.visits[-1]
            return {
                "ticket_id": ticket.id,
                "engineer_name": _engineer_name(uow, visit.engineer_id),
                "visit_at": visit.planned_at,
            }
        if kind == "parts_awaited":
            expected = event.payload.get("expected_at")
            return {
                "ticket_id": ticket.id,
                "expected_at": datetime.fromisoformat(expected) if expected else NOT_SET,
            }
        if kind in ("progress_note", "complaint_progress_note"):
            note = ticket.notes[int(event.payload["index"])]
            return {"ticket_id": ticket.id, "note": note.text, "noted_at": event.at}
        if kind == "resolved_please_confirm":
            return {"ticket_id": ticket.id, "resolved_at": event.at}
        if kind == "complaint_outcome":
            return {"ticket_id": ticket.id, "resolved_at": event.at, "outcome": event.reason or NOT_SET}
        if kind == "repair_point_designated":
            told = RepairPointNotice.from_payload(event.payload) or RepairPointNotice("", "", "")
            return {
                "ticket_id": ticket.id,
                "point_name": told.name or NOT_SET,
                "address": told.address or NOT_SET,
                "opening_hours": told.opening_hours or NOT_SET,
                "phone": told.phone or NOT_SET,
            }
        if kind in ("rework_requested", "job_cancelled", "complaint_rework_requested", "complaint_cancelled"):
            # A step the library took stores a code as its reason: worded in the reader's language.
            return {"ticket_id": ticket.id, "reason": worded_reason(event.reason) or NOT_SET}
        raise AssertionError(kind)

    def _render(
        self, uow: UnitOfWork, ticket: Ticket, request: NotificationRequest, now: datetime
    ) -> list[OutboxMessage]:
        out = []
        for contact, values in self._recipients(uow, ticket, request, now):
            kind, told = _unaddressed_words(request.kind, values)
            out += self.contact_messages(kind, request.role.value, contact, told, request.key, now)
        return out

    def _recipients(
        self, uow: UnitOfWork, ticket: Ticket, request: NotificationRequest, now: datetime
    ) -> list[tuple[Contact, Mapping[str, object]]]:
        values = request.values
        if request.role is Role.CUSTOMER:
            try:
                return [(uow.customers.get(ticket.customer_id).contact, values)]
            except NotFound:
                return []
        if request.role in (Role.ENGINEER, Role.DEALER_STAFF) and ticket.assignee is not None:
            contact, dealer = self._assignee_contact_and_dealer(uow, ticket)
            if contact is None:
                return []
            if "customer_name" in values:
                values = {**values, **self._customer_facts(uow, ticket)}
            told = [(contact, values)]
            if dealer is not None and request.kind in _FITTERS_DEALER_HEARS:
                told.append((dealer, values))
            return told
        return [(c, values) for c in self.role_contacts(request.role, uow, now)]

    def role_contacts(self, role: Role, uow: UnitOfWork | None, now: datetime) -> tuple[Contact, ...]:
        """Whom a notice to ``role`` reaches: the role's entry of the staff directory, except that the
        agents (seed 003: 客服专员实行轮班制) are told through the agents the desk's roster has on duty
        at ``now`` — their own entries — when ``uow`` can read the roster and some are listed. With
        nobody on duty, or none of them listed, the agents' shared entry is told: nothing is lost."""
        if role is Role.AGENT and uow is not None and self._agents_listed:
            on_duty = tuple(c for ref in agents_on_duty(uow, now) for c in self.people.get(str(ref), ()))
            if on_duty:
                return on_duty
        return self.staff.get(role, ())

    @staticmethod
    def _assignee_contact_and_dealer(
        uow: UnitOfWork, ticket: Ticket
    ) -> tuple[Contact | None, Contact | None]:
        """The holder's contact, and the contact of the dealer whose own engineer the holder is (``None``
        for a dealer holder or the maker's engineer): the job is that dealer's (seed 002 分工 1)."""
        assignee = ticket.assignee
        if assignee is None:
            return None, None
        try:
            if assignee.kind is AssigneeKind.ENGINEER:
                engineer = uow.engineers.get(assignee.id)
                if engineer.dealer_id is None:
                    return engineer.contact, None
                try:
                    return engineer.contact, uow.dealers.get(engineer.dealer_id).contact
                except NotFound:
                    return engineer.contact, None
            if assignee.kind is AssigneeKind.DEALER:
                return uow.dealers.get(assignee.id).contact, None
        except NotFound:
            return None, None
        return None, None

    @staticmethod
    def _customer_facts(uow: UnitOfWork, ticket: Ticket) -> dict[str, object]:
        try:
            customer = uow.customers.get(ticket.customer_id)
        except NotFound:
            return {}
        # A customer registered without an address: the holder reads "地址：无", not "地址：。".
        return {"customer_name": customer.name, "address": customer.contact.address or NOT_SET}

    def staff_messages(
        self,
        kind: str,
        roles: Iterable[Role],
        values: Mapping[str, object],
        key: str,
        now: datetime,
        uow: UnitOfWork | None = None,
    ) -> list[OutboxMessage]:
        """Render ``kind`` for the configured staff of ``roles`` (escalations, SLA alerts, callbacks due);
        with ``uow``, the agents on duty stand for the agents (:meth:`role_contacts`)."""
        out = []
        for role in roles:
            for contact in self.role_contacts(role, uow, now):
                out += self.contact_messages(kind, role.value, contact, values, key, now)
        return out

    def person_messages(
        self, kind: str, person: ActorRef, values: Mapping[str, object], key: str, now: datetime
    ) -> list[OutboxMessage]:
        """Render ``kind`` for one staff member (their ``"role:id"`` entry of the staff directory); none
        when the directory does not list them (the role's entry is not told instead: it is theirs)."""
        out = []
        for contact in self.people.get(str(person), ()):
            out += self.contact_messages(kind, person.role.value, contact, values, key, now)
        return out

    def contact_messages(
        self,
        kind: str,
        audience: str,
        contact: Contact,
        values: Mapping[str, object],
        key: str,
        now: datetime,
    ) -> list[OutboxMessage]:
        """``kind`` rendered in ``contact``'s locale and zone, as one outbox message (none if unreachable).

        The message id and idempotency key derive from ``key``, the audience and a digest of the
        address (no contact data in keys), so the same notification to the same person is one
        message however often it is produced.
        """
        reach = self._address(contact)
        if reach is None:
            return []
        channel, address, digest = reach
        locale = _writable_locale(contact)
        words = self.words
        subject, body = (
            self.renderer.render(kind, locale, contact.timezone, values)
            if words is None
            else self.renderer.render(kind, locale, contact.timezone, values, words)
        )
        # The key names the recipient by a digest: keys travel to receivers and logs, addresses must not.
        full_key = f"{key}:{audience}:{digest}"[:200]
        data = _rendered_payload(address, channel, subject, body, locale, full_key)
        message_id = outbox_id(full_key, now, self.outbox_ids)
        return [OutboxMessage(message_id, NOTIFICATION_TOPIC, data, full_key, now)]


def _rendered_payload(
    recipient: str, channel: str, subject: str, body: str, locale: str, key: str
) -> dict[str, Any]:
    """The outbox payload of ``RenderedMessage(recipient, channel, subject, body, locale, key)``: its
    fields unstructured (``attempt`` 1), checked as the message checks them (a value it refuses is refused
    by making it). Why not make the message and take it apart: every notification a command renders went
    through an object built only for that (issue 21: a sixth of a dispatch's notification cost)."""
    if plain_texts(recipient, channel, locale, key) and type(subject) is str and type(body) is str:
        return {
            "recipient": recipient,
            "channel": channel,
            "subject": subject,
            "body": body,
            "locale": locale,
            "idempotency_key": key,
            "attempt": 1,
        }
    return _RENDERED_DATA(RenderedMessage(recipient, channel, subject, body, locale, key))


def _writable_locale(contact: Contact) -> str:
    """The contact's locale, or the default one (English) for a contact stored before registration
    checked it (:func:`check_writable`): the message goes out in English rather than failing the
    command that sends it, for every later command on that person's tickets."""
    try:
        resolve_locale(contact.locale)
    except ValidationError:
        return DEFAULT_LOCALE
    return contact.locale


def _engineer_name(uow: UnitOfWork, engineer_id: str) -> str:
    # The visiting engineer, not the assignee: a dealer's ticket is visited by one of its engineers.
    try:
        return uow.engineers.get(engineer_id).name
    except NotFound:
        return engineer_id


_CUSTOMER_ASSIGNED = "ticket_assigned"
_FOLLOWED = "ticket_followed"
_HOLDERS = frozenset({Role.ENGINEER, Role.DEALER_STAFF})
_CUSTOMERS = frozenset({Role.CUSTOMER})
_FITTERS_DEALER_HEARS = frozenset({"job_cancelled", "sla_extended", "sla_extended_undated"})
"""The holder's notices the dealer of a holding fitter (a dealer's own engineer) hears too: the job is the
dealer's (seed 002 分工 1), so its end, and the special case granted to the dealer bound by the 24 hours
(分工 6), are the dealer's news — not the assignment it made itself, nor a fitter's rework."""
_TO_HOLDERS = frozenset(
    {"assigned", "rework_requested", "job_cancelled", "complaint_rework_requested", "complaint_cancelled"}
)
_FOLLOWERS = frozenset({Role.CUSTOMER, Role.MANAGER, Role.DEPARTMENT_HEAD, Role.GENERAL_MANAGER, Role.AGENT})


_RECEIVED_LATE: Mapping[str, str] = {
    "ticket_received": "ticket_received_late",
    "complaint_registered": "complaint_registered_late",
}


_ARRANGED = "visit_arranged"
"""The customer's registration notice of a visit the company planned itself (channel ``planned``)."""


def _received_words(
    kind: str, ticket: Ticket, values: Mapping[str, object], now: datetime
) -> tuple[str, Mapping[str, object]]:
    """The customer's words of a registration whose response fell due before it was entered (a letter
    received days before, seed 004 第八条 2(1) 来信; a request handed over as a complaint): no promise of
    a time already past ("我们将在 <27 February> 前与您联系" sent on 3 March), but that we respond as soon
    as possible. A visit the company planned itself (a maintenance plan's, a complaint remedy's) answers
    no request of the customer's and owes no response (:func:`owes_response`): the customer is told it
    was arranged (``visit_arranged``), not thanked for a request and promised a response "by none"
    (session 37). A registration with no response due (a host's SLA policy setting no response target)
    promises no time either: it read "我们将在 无 前与您联系" / "We will respond by none" (session 38), and
    is told we respond as soon as possible. Any other notice, or a due still ahead when it is sent
    (``now``), keeps its own."""
    if kind == "ticket_received" and not owes_response(ticket):
        return _ARRANGED, {"ticket_id": ticket.id, "received_at": ticket.received_at}
    late = _RECEIVED_LATE.get(kind)
    due = ticket.response_due_at
    if late is None or (due is not None and due > now):
        return kind, values
    return late, {"ticket_id": ticket.id, "received_at": ticket.received_at}


_CONTINUED = "complaint_continued"
"""The customer's registration notice of a complaint continuing a request handed over."""

_CONTINUED_DUE = "complaint_continued_due"
""":data:`_CONTINUED` promising the time of the response: nothing answered the call yet, its due ahead."""


def _continued_words(
    kind: str, ticket: Ticket, event: TicketEvent, values: Mapping[str, object], now: datetime
) -> tuple[str, Mapping[str, object]]:
    """The customer's words of a registration: for a complaint continuing a request handed over (seed
    004 第七条 3), that the request they hold the number of is now this complaint — not a second case
    beside it, nor a request they never cancelled. When they were called back on the request already (the
    contact is carried, :mod:`aftersales.domain.handover_contacts`) or the response fell due, no time is
    promised, only that we respond as soon as possible; before anyone answered, with the due ahead, the
    time we will contact them by (``complaint_continued_due``; session 37: they were told "尽快" where a
    registration promises a time, seed 004 第八条 2(2)).
    Else :func:`_received_words`."""
    request = event.payload.get(CONTINUES_KEY) if kind == "complaint_registered" else None
    if isinstance(request, str) and request:
        told = {"ticket_id": ticket.id, "request_id": request, "received_at": ticket.received_at}
        due = ticket.response_due_at
        if due is not None and due > now and first_response(ticket.events, response_steps(ticket)) is None:
            # Nobody called back on the request yet and the complaint's response is still ahead: the
            # time it falls due is promised, as on any registration (seed 004 第八条 2(2), session 37).
            return _CONTINUED_DUE, {**told, "response_due_at": due}
        return _CONTINUED, told
    return _received_words(kind, ticket, values, now)


_UNDATED = "assigned_undated"
""":data:`assigned` with no resolution due to name."""


def _undated_words(kind: str, values: Mapping[str, object]) -> tuple[str, Mapping[str, object]]:
    """The holder's dispatch notice of a ticket with no resolution due (a host's SLA policy setting no
    resolution target): the job without "请在 无 前处理完毕" / "Please resolve it by none" (session 38).
    Any other notice keeps its words."""
    if kind != "assigned" or values.get("resolution_due_at") != NOT_SET:
        return kind, values
    return _UNDATED, {k: v for k, v in values.items() if k != "resolution_due_at"}


_UNADDRESSED: Mapping[str, str] = MappingProxyType(
    {"assigned": "assigned_unaddressed", "assigned_undated": "assigned_undated_unaddressed"}
)
""":data:`assigned` (and its undated words) to a holder whose customer has no address on record."""


def _unaddressed_words(kind: str, values: Mapping[str, object]) -> tuple[str, Mapping[str, object]]:
    """The holder's dispatch notice of a customer registered without an address: the job and a word to ask
    the customer where to come, not "for Alice Smith, none, is assigned to you" (session 39; the customer's
    facts are filled per recipient, so the words are chosen here). Any other notice keeps its words."""
    other = _UNADDRESSED.get(kind)
    if other is None or values.get("address") != NOT_SET:
        return kind, values
    return other, {k: v for k, v in values.items() if k != "address"}


def _unsent(event: TicketEvent) -> bool:
    """Whether ``event`` sends nothing though its step may: a note kept internal, or a note carried into
    a complaint from the request handed over (session 37: the customer had it on the request; sent
    again it would reach them twice, :mod:`aftersales.domain.handover_contacts`)."""
    return event.payload.get("visible") is False or CARRIED_FROM_KEY in event.payload


def _audience(kind: str) -> frozenset[Role]:
    return _HOLDERS if kind in _TO_HOLDERS else _FOLLOWERS


def _message_id(key: str) -> str:
    # A short stable digest: the same text always yields the same one (an address's, in keys).
    return hashlib.blake2b(key.encode(), digest_size=16).hexdigest()


_ID_TIME_DIGITS = 13
"""Hex digits of an outbox id's instant (µs since the epoch, to the year 2112; wrapped past it)."""

_ID_ORDER_DIGITS = 8
"""Hex digits of an outbox id's place among the ids its desk made (wrapped past 4 billion)."""

_ID_MEMO_SIZE = 4096
"""How many ``(instant, key)`` ids :func:`outbox_id` remembers before it starts again."""


class _OrderedIds:
    """Outbox ids in the order they are made, the same one for a key made again at one instant.

    Why: messages of one instant (a host's tests on a frozen clock, a command that opens and dispatches at
    once) sorted by the digest of their keys, so a customer could be told "已派工" before "已受理"
    (session 37). A number counting the ids its desk made, after the instant, keeps the order they
    were made in; the ids made lately are remembered by ``(instant, key)`` so one request made twice at
    one instant (two staff contacts sharing one mailbox) is still one id, one message. Each desk remembers
    its own (its :class:`Notifications` holds one): remembered for the whole process, a key another desk
    (another store) had made at that instant took that desk's earlier place, so a second store sent a
    ticket's "assigned" before its "received" (session 39). Each desk numbers its own too: desks on
    several stores in one process doing the same commands (a host's tenants, the stores' lockstep tests)
    make the same ids, as desks in separate processes do; the digest keeps two desks' ids apart.
    """

    def __init__(self) -> None:
        self._count = itertools.count()
        self._made: dict[tuple[int, str], str] = {}
        self._lock = threading.Lock()
        renew_after_fork(self)

    def _renew_locks_after_fork(self) -> None:
        self._lock = threading.Lock()  # a thread of the parent may have held it at the fork

    def id(self, key: str, when: int) -> str:
        with self._lock:
            made = self._made.get((when, key))
            if made is None:
                if len(self._made) >= _ID_MEMO_SIZE:
                    self._made.clear()  # bounded: a long run at one frozen instant makes many keys
                order = next(self._count) % 16**_ID_ORDER_DIGITS
                made = self._made[when, key] = f"{when:013x}{order:08x}{_message_id(key)[:20]}"
            return made


_IDS = _OrderedIds()
"""The ids :func:`outbox_id` remembers when it is given none (a caller outside a desk)."""


def outbox_id(key: str, created_at: datetime, made: _OrderedIds | None = None) -> str:
    """The id of the outbox message with idempotency ``key`` made at ``created_at``: the instant in
    fixed-width hex, then the id's place among those its desk made, then a digest of the key
    (41 characters).

    Why time first: the outbox's id index is a B-tree; random ids scattered each command's inserts over
    its leaves (a page written to the WAL per message), time-ordered ones land on its last leaf (issue
    21). Stores deliver pending messages by due, then id, so the messages of one instant go out in the
    order they were made (session 37: they went out by the digest). The digest keeps ids of two
    processes apart; one request made twice at one instant by one desk (``made``, its ids made lately)
    is one id (:class:`_OrderedIds`). Ids of 33 characters (instant and digest) made before still read
    and go out.
    """
    return (_IDS if made is None else made).id(key, micros(created_at) % 16**_ID_TIME_DIGITS)
