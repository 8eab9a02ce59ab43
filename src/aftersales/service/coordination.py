"""Coordination across departments (``desk.coordination``): seeds 001 and 004.

Seed 001: "对于复杂问题或涉及多个部门的问题,售后经理应组织相关部门进行协调处理" — the coordinator the routing
names (the after-sales manager for a multi-department problem, the department head for a critical one)
is notified when the ticket is dispatched, and assigns the departments it needs. Seed 004:
"工程部和监理部门是危机事件处理的协助部门" — engineering and quality supervision assist with a crisis.

Departments are master data (:class:`~aftersales.domain.departments.Department`: name, contacts);
assigning them is an ``assign_departments`` event in the ticket's (or complaint's) history, and each
department's contacts are notified in the same transaction. The hook :func:`tell_centre_on_resolve`
tells the service centre when a service ticket a complaint is about is resolved (seed 004: 处理完毕后…
应立即回复客户服务中心), and records it on the complaint.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import TicketKind
from aftersales.domain.departments import ComplaintLink, Department, department_ids
from aftersales.domain.events import TicketEvent
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound, ValidationError
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.clock_skew import stamp_for
from aftersales.service.context import DeskContext
from aftersales.service.hook_scope import reacting_to
from aftersales.service.permissions import PERMISSIONS, Workflow, check_role
from aftersales.service.runner import Applied, CommandRunner, TicketHook
from aftersales.service.views import CommandResult

__all__ = [
    "SERVICE_CENTRE",
    "CoordinationDesk",
    "assigned_departments",
    "department_notices",
    "departments_in",
    "tell_centre_on_resolve",
]

SERVICE_CENTRE: tuple[Role, ...] = (Role.MANAGER,)
"""Who "the service centre" (客户服务中心) is in the staff directory: its head, the after-sales manager."""

_CENTRE_ACTOR = ActorRef("service-centre", Role.SYSTEM)


def _roles(command: str) -> frozenset[Role]:
    return PERMISSIONS[Workflow.DOCUMENTS][command]


def departments_in(
    context: DeskContext,
    uow: UnitOfWork,
    actor: Actor,
    ticket: Ticket,
    wanted: Sequence[str],
    note: str,
    now: datetime,
    *,
    once: bool = False,
) -> list[OutboxMessage]:
    """Assign ``wanted`` departments to ``ticket`` (an event) and notify each one's contacts.

    ``once``: only the departments not assigned to it before are notified (``assign_departments``): a
    department already working on it was told when it was brought in, and a second assignment (a
    coordinator adding one department and naming the others again) told it twice. The event still
    records every department named, with the note, as the coordinator's step. Without it every one is
    told (a complaint's review sends its department the root cause and the improvement: news)."""
    found = [uow.documents.get(Department, d) for d in wanted]  # an unknown department is NotFound
    already = set(assigned_departments(ticket))
    ticket.step(
        "assign_departments",
        actor.ref,
        now,
        reason=note or None,
        payload={"departments": [d.id for d in found]},
    )
    key = f"{ticket.id}:{len(ticket.events)}:departments"
    brought_in = [d for d in found if d.id not in already] if once else found
    return department_notices(context, brought_in, ticket.id, note or "-", key, now)


def department_notices(
    context: DeskContext,
    departments: Sequence[Department],
    subject_id: str,
    note: str,
    key: str,
    now: datetime,
) -> list[OutboxMessage]:
    """``department_assigned`` to each contact of ``departments``, brought in on ``subject_id`` (a
    ticket, a complaint, a quality incident) with ``note``."""
    messages: list[OutboxMessage] = []
    for department in departments:
        values = {"ticket_id": subject_id, "department": department.name, "note": note}
        for contact in department.contacts:
            messages += context.notifications.contact_messages(
                "department_assigned", department.id, contact, values, key, now
            )
    return messages


def assigned_departments(ticket: Ticket) -> tuple[str, ...]:
    """The departments assigned to ``ticket`` so far, in the order they were first assigned."""
    out: list[str] = []
    for event in ticket.events:
        if event.action == "assign_departments":
            for d in event.payload.get("departments") or ():
                if isinstance(d, str) and d not in out:
                    out.append(d)
    return tuple(out)


@validated_commands
class CoordinationDesk:
    """Departments (master data) and bringing them into a ticket or complaint."""

    def __init__(self, context: DeskContext, runner: CommandRunner) -> None:
        self.context = context
        self.runner = runner

    def save_department(self, actor: Actor, department: Department) -> Department:
        """Create or replace a department (name, kind, the contacts notified when it is assigned)."""
        check_role(actor, "manage_departments", getattr(department, "id", None), _roles("manage_departments"))
        if not isinstance(department, Department):
            raise ValidationError("department must be a Department", field="department")

        def apply(uow: UnitOfWork, now: datetime) -> Department:
            try:
                department.version = uow.documents.get(Department, department.id).version
            except NotFound:
                uow.documents.add(department)
                return department
            uow.documents.save(department)
            return department

        return self.runner.write(actor, "manage_departments", None, [department.id], apply)

    def departments(self, actor: Actor) -> list[Department]:
        """Every registered department, by id (staff only)."""
        check_role(actor, "read_departments", None, _roles("read_departments"))
        with self.context.store() as uow:
            return sorted(uow.documents.query(Department), key=lambda d: d.id)

    def assign_departments(
        self,
        actor: Actor,
        ticket_id: str,
        departments: Iterable[str],
        *,
        note: str = "",
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Bring ``departments`` in on a service ticket or a complaint; each is notified once, when first
        brought in (one already assigned is recorded again, not told again).

        The coordinator's command (seed 001: the manager organises the departments concerned; seed
        004: engineering and quality supervision assist with a crisis). Unknown departments are
        ``NotFound`` and nothing changes.
        """
        wanted = department_ids(departments)
        if not isinstance(note, str) or len(note) > 2000:
            raise ValidationError(
                "a note is text of at most 2000 characters",
                field="note",
                rule="too_long" if isinstance(note, str) else "text",
                rule_params={"most": 2000},
            )

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied:
            told = departments_in(self.context, uow, actor, ticket, wanted, note, now, once=True)
            return Applied(messages=told)

        return self.runner.execute(
            actor, "assign_departments", ticket_id, apply, idempotency_key, request=[wanted, note]
        )

    def assigned(self, actor: Actor, ticket_id: str) -> tuple[str, ...]:
        """The departments assigned to a ticket or complaint ``actor`` may see."""
        with self.context.store() as uow:
            return assigned_departments(self.runner.visible(uow, actor, ticket_id))


def tell_centre_on_resolve(context: DeskContext) -> TicketHook:
    """The hook: a resolved service ticket that complaints are about is recorded on each complaint and
    the service centre is notified, in the same transaction."""

    def hook(
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        before: str,
        events: Sequence[TicketEvent],
        now: datetime,
    ) -> Sequence[OutboxMessage] | None:
        if ticket.kind is not TicketKind.SERVICE or not any(e.action == "resolve" for e in events):
            return None
        messages: list[OutboxMessage] = []
        for link in sorted(uow.documents.query(ComplaintLink, ticket_id=ticket.id), key=lambda x: x.id):
            complaint = uow.tickets.get_for_update(link.complaint_id)
            if not complaint.can("linked_ticket_resolved"):
                continue  # a closed or cancelled complaint needs no news
            at = stamp_for(complaint, now)
            complaint.step("linked_ticket_resolved", _CENTRE_ACTOR, at, payload={"ticket_id": ticket.id})
            uow.tickets.save(complaint)
            values = {"complaint_id": complaint.id, "ticket_id": ticket.id, "resolved_at": now}
            key = f"{complaint.id}:{len(complaint.events)}:linked_resolved"
            messages += context.notifications.staff_messages(
                "linked_ticket_resolved", SERVICE_CENTRE, values, key, now, uow
            )
        return messages

    return reacting_to(hook, actions=("resolve",))
