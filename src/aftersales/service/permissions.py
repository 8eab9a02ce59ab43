"""Who may run which command, on which tickets.

The role table for workflow steps comes from the workflow definition itself (each transition names
the roles that may fire it), so the rules cannot drift apart; commands outside the workflow are listed
here. Scopes narrow it further: customers their own tickets, dealers their territory, engineers the
tickets assigned to them. Reading a ticket outside one's scope is indistinguishable from an unknown
id (``NotFound``); acting on a visible ticket one may not touch is ``PermissionDenied``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from aftersales.domain.actors import Role
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TICKET_WORKFLOW
from aftersales.domain.work import AssigneeKind
from aftersales.errors import NotFound, PermissionDenied
from aftersales.service.actors import Actor

__all__ = ["COMMAND_ROLES", "READERS", "authorize", "can_read", "can_write", "check_role"]

R = Role
READERS = frozenset(Role)
_OFFICE = frozenset({R.AGENT, R.MANAGER, R.DEPARTMENT_HEAD, R.GENERAL_MANAGER, R.SYSTEM})


def _workflow_roles() -> dict[str, frozenset[Role]]:
    table = {trigger: TICKET_WORKFLOW.spec(trigger).roles for trigger in TICKET_WORKFLOW.triggers}
    table["dispatch"] = table["assign"] | table["reassign"]
    table["add_fault_record"] = table.pop("record_fault")
    return table


COMMAND_ROLES: Mapping[str, frozenset[Role]] = MappingProxyType(
    {
        **_workflow_roles(),
        "open_ticket": frozenset({R.CUSTOMER, R.DEALER_STAFF}) | _OFFICE,
        "register_customer": frozenset({R.DEALER_STAFF}) | _OFFICE,
        "register_asset": frozenset({R.DEALER_STAFF}) | _OFFICE,
        "register_reference": _OFFICE - {R.AGENT},
    }
)
"""The roles allowed to run each command (before scopes)."""

_SEE_ALL = frozenset({R.AGENT, R.MANAGER, R.DEPARTMENT_HEAD, R.GENERAL_MANAGER, R.AUDITOR, R.SYSTEM})


def _dealer_scope(actor: Actor, ticket: Ticket) -> bool:
    if actor.dealer_id is not None and ticket.dealer_id == actor.dealer_id:
        return True
    assignee = ticket.assignee
    if assignee is not None and assignee.kind is AssigneeKind.DEALER and assignee.id == actor.dealer_id:
        return True
    return ticket.region is not None and ticket.region in actor.regions


def _assigned_to(actor: Actor, ticket: Ticket) -> bool:
    assignee = ticket.assignee
    if assignee is None:
        return False
    if assignee.kind is AssigneeKind.ENGINEER:
        return assignee.id == (actor.engineer_id or actor.id)
    return assignee.kind is AssigneeKind.TEAM and actor.team is not None and assignee.id == actor.team


def can_read(actor: Actor, ticket: Ticket, team_of_assignee: str | None = None) -> bool:
    """May ``actor`` see ``ticket`` at all? ``team_of_assignee`` is the assigned engineer's team."""
    role = actor.role
    if role in _SEE_ALL:
        return True
    if role is R.CUSTOMER:
        return actor.customer_id is not None and ticket.customer_id == actor.customer_id
    if role is R.DEALER_STAFF:
        return _dealer_scope(actor, ticket)
    if role is R.ENGINEER:
        return _assigned_to(actor, ticket) or (actor.team is not None and team_of_assignee == actor.team)
    return False


def can_write(actor: Actor, ticket: Ticket) -> bool:
    """May ``actor`` change ``ticket`` (role permitting)? Auditors never; engineers only their own."""
    role = actor.role
    if role is R.AUDITOR:
        return False
    if role is R.ENGINEER:
        return _assigned_to(actor, ticket)
    return can_read(actor, ticket)


def check_role(
    actor: Actor, command: str, target: object = None, roles: frozenset[Role] | None = None
) -> None:
    """Raise ``PermissionDenied`` unless ``actor``'s role may run ``command`` at all.

    ``roles`` replaces the table's entry: extensions (complaints, materials…) bring their own.
    """
    allowed = roles if roles is not None else COMMAND_ROLES.get(command, frozenset())
    if actor.role not in allowed:
        raise PermissionDenied(str(actor), command, target)


def authorize(
    actor: Actor,
    command: str,
    ticket: Ticket,
    team_of_assignee: str | None = None,
    roles: frozenset[Role] | None = None,
) -> None:
    """The full check before a command touches ``ticket``: visible, role allowed, in scope.

    Order matters: an invisible ticket is ``NotFound`` whatever the command, so nobody learns that
    another customer's ticket exists.
    """
    if not can_read(actor, ticket, team_of_assignee):
        raise NotFound("ticket", ticket.id)
    check_role(actor, command, ticket.id, roles)
    if not can_write(actor, ticket):
        raise PermissionDenied(str(actor), command, ticket.id)
