"""The service-ticket workflow (报修 → 评估 → 派工 → 处理 → 验收 → 回访 → 关闭) as data.

new → triaged → assigned → in_progress ⇄ awaiting_parts / awaiting_customer → resolved →
closed (customer confirms, or staff close) or rework (customer rejects) → in_progress again.
Remote guidance resolves straight from triaged. Any open state may be cancelled with a reason;
a closed ticket is reopened into rework when a callback finds the problem back.
Steps that record work without moving the ticket (fault records, visits, notes, callbacks,
reassignment) are transitions to the same state, so one table answers "may this happen now?".
"""

from __future__ import annotations

from enum import StrEnum

from aftersales.domain.actors import Role
from aftersales.domain.workflow import STAY, TransitionSpec, Workflow

__all__ = ["TICKET_WORKFLOW", "TicketState"]


class TicketState(StrEnum):
    """States of a service ticket."""

    NEW = "new"
    TRIAGED = "triaged"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    AWAITING_PARTS = "awaiting_parts"
    AWAITING_CUSTOMER = "awaiting_customer"
    RESOLVED = "resolved"
    REWORK = "rework"
    CLOSED = "closed"
    CANCELLED = "cancelled"


S = TicketState
R = Role
_OPEN = (S.NEW, S.TRIAGED, S.ASSIGNED, S.IN_PROGRESS, S.AWAITING_PARTS, S.AWAITING_CUSTOMER, S.REWORK)
_WORKING = (S.ASSIGNED, S.IN_PROGRESS, S.AWAITING_PARTS, S.AWAITING_CUSTOMER, S.REWORK)
_STAFF = frozenset({R.AGENT, R.ENGINEER, R.DEALER_STAFF, R.MANAGER, R.DEPARTMENT_HEAD, R.GENERAL_MANAGER})
_COORDINATORS = frozenset(
    {R.AGENT, R.DEALER_STAFF, R.MANAGER, R.DEPARTMENT_HEAD, R.GENERAL_MANAGER, R.SYSTEM}
)
_HANDS = frozenset({R.ENGINEER, R.DEALER_STAFF, R.MANAGER, R.DEPARTMENT_HEAD})
_FRONT = frozenset({R.AGENT, R.MANAGER, R.DEPARTMENT_HEAD, R.GENERAL_MANAGER})


def _t(
    trigger: str, sources: tuple[str, ...], dest: str, roles: frozenset[Role], reason: bool = False
) -> TransitionSpec:
    return TransitionSpec(trigger, sources, dest, roles, needs_reason=reason)


TICKET_WORKFLOW = Workflow(
    "ticket",
    TicketState,
    S.NEW,
    [
        # Engineers work assigned tickets; assessment happens before anything is assigned.
        _t("triage", (S.NEW,), S.TRIAGED, _STAFF - {R.ENGINEER}),
        _t("assign", (S.TRIAGED,), S.ASSIGNED, _COORDINATORS),
        _t("reassign", _WORKING, STAY, _COORDINATORS, reason=True),
        _t("start_work", (S.ASSIGNED, S.REWORK), S.IN_PROGRESS, _HANDS),
        _t("await_parts", (S.IN_PROGRESS,), S.AWAITING_PARTS, _HANDS),
        _t("await_customer", (S.ASSIGNED, S.IN_PROGRESS), S.AWAITING_CUSTOMER, _HANDS | _FRONT, reason=True),
        _t("resume", (S.AWAITING_PARTS, S.AWAITING_CUSTOMER), S.IN_PROGRESS, _HANDS | _FRONT | {R.SYSTEM}),
        _t(
            "resolve",
            (S.TRIAGED, S.IN_PROGRESS, S.AWAITING_PARTS, S.AWAITING_CUSTOMER),
            S.RESOLVED,
            _HANDS | _FRONT,
        ),
        _t("confirm", (S.RESOLVED,), S.CLOSED, frozenset({R.CUSTOMER}) | _FRONT | _HANDS),
        _t("reject", (S.RESOLVED,), S.REWORK, frozenset({R.CUSTOMER}) | _FRONT, reason=True),
        _t("close", (S.RESOLVED,), S.CLOSED, _FRONT | {R.DEALER_STAFF, R.SYSTEM}, reason=True),
        _t("cancel", _OPEN, S.CANCELLED, frozenset({R.CUSTOMER}) | _FRONT | {R.DEALER_STAFF}, reason=True),
        _t("reopen", (S.CLOSED,), S.REWORK, _FRONT | {R.DEALER_STAFF, R.SYSTEM}, reason=True),
        _t("record_fault", (S.IN_PROGRESS, S.AWAITING_PARTS, S.AWAITING_CUSTOMER, S.RESOLVED), STAY, _HANDS),
        _t("add_visit", _WORKING, STAY, _HANDS | _FRONT),
        _t("note_to_customer", (*_OPEN, S.RESOLVED), STAY, _STAFF),
        _t("schedule_callback", (S.RESOLVED, S.CLOSED), STAY, _FRONT | {R.DEALER_STAFF, R.SYSTEM}),
        _t("record_callback", (S.RESOLVED, S.CLOSED), STAY, _FRONT | {R.DEALER_STAFF}),
        # Issue 20: a dispatch that found nobody is part of the ticket's history (reasons, addressees).
        _t("dispatch_failed", _OPEN, STAY, _COORDINATORS),
    ],
    final=(S.CLOSED, S.CANCELLED),
)
"""The one definition of the service-ticket workflow. ``python -m aftersales diagram ticket`` draws it."""
