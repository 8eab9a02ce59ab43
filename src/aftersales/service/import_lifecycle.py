"""The live lifecycle rules applied to an imported ticket's history (issue 21 with issue 18).

An import writes a ticket's whole history at once, so no command ran its steps: without this, a ticket
resolved without a fault record, accepted by staff without the channel of the customer's confirmation,
or closed before its callback came in through ``desk.import_tickets`` while the live desk refuses each of
them. Each ``resolve``, ``confirm`` and ``close`` in the history is checked here by the very functions the
live commands call (:mod:`aftersales.service.lifecycle`), on the ticket as it was just before that step:
the events before it, the fault records recorded by then. The refusal is the live one (the same class,
field and reason), naming the command ``import_tickets`` and the event's number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from aftersales.domain.parties import CustomerTier
from aftersales.domain.sla_reading import last_grade
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import CLOSE_UNACCEPTED
from aftersales.errors import InvalidTransition, ValidationError
from aftersales.policies.callback import CallbackFacts, CallbackPlan
from aftersales.policies.decision import Decision
from aftersales.policies.lifecycle import LifecycleParams
from aftersales.policies.protocols import CallbackPolicy
from aftersales.service.callback_plan import callback_plan
from aftersales.service.lifecycle import check_acceptance, check_close, check_resolve

__all__ = ["GUARDED_STEPS", "BatchCallback", "check_history", "check_instants", "needs_customers"]

COMMAND = "import_tickets"

GUARDED_STEPS = frozenset({"resolve", "confirm", "close"})
"""The steps whose live commands check facts the workflow table does not hold."""


def needs_customers(tickets: Sequence[Ticket]) -> set[str]:
    """The customers whose tier the close check of ``tickets`` reads (VIPs are always called back)."""
    return {
        t.customer_id for t in tickets if t.needs_acceptance and any(e.action == "close" for e in t.events)
    }


class BatchCallback:
    """The pack's callback policy for one import batch, each distinct set of facts decided once.

    A batch of 10,000 tickets has a handful of distinct (kind, priority, tier, category) facts; a
    policy is pure (the same facts, the same plan), so its decision, reasons included, is kept for the
    batch instead of being made again per ticket (about half of the close check's time)."""

    def __init__(self, policy: CallbackPolicy) -> None:
        self._policy = policy
        self._decided: dict[CallbackFacts, Decision[CallbackPlan]] = {}

    @property
    def name(self) -> str:
        """The wrapped policy's name (decisions name it)."""
        return self._policy.name

    def decide(self, facts: CallbackFacts) -> Decision[CallbackPlan]:
        """The wrapped policy's decision on ``facts``, made once per batch."""
        found = self._decided.get(facts)
        if found is None:
            found = self._decided[facts] = self._policy.decide(facts)
        return found


def _as_before(ticket: Ticket, index: int) -> Ticket:
    """``ticket`` as it stood just before its event ``index``: the earlier events, the state they led to,
    the fault records recorded by then."""
    event = ticket.events[index]
    earlier = ticket.copy()
    earlier.events = ticket.events[:index]
    earlier.state = event.from_state or earlier.state
    earlier.fault_records = tuple(r for r in ticket.fault_records if r.recorded_at <= event.at)
    return earlier


def _named(refused: InvalidTransition, ticket: Ticket, seq: int) -> InvalidTransition:
    why = f"event {seq}: {refused.why}" if refused.why else f"event {seq}"
    return refused.renamed(ticket_id=ticket.id, command=COMMAND, why=why)


def check_history(
    ticket: Ticket,
    params: LifecycleParams,
    callback: CallbackPolicy,
    tiers: Mapping[str, CustomerTier],
) -> None:
    """Refuse ``ticket`` when a step of its history breaks a lifecycle rule the live command enforces.

    ``resolve`` without a complete fault record where the pack requires one: :class:`FaultRecordRequired`
    (field ``fault_records``); ``confirm`` recorded by staff without one of the pack's acceptance channels
    (or a customer naming an unknown one): ``ValidationError`` naming ``channel``; ``close`` of an accepted
    ticket before its callback (unless the pack needs none, or its failed attempts were recorded):
    ``InvalidTransition``. ``tiers`` holds the tier of the ticket's customer when stored (a customer not
    given counts as regular, as on the live desk).
    """
    for index, event in enumerate(ticket.events):
        if event.action not in GUARDED_STEPS:
            continue
        try:
            if event.action == "resolve":
                if ticket.category.code in params.fault_record_for:  # else no record is asked for
                    check_resolve(_as_before(ticket, index), params, COMMAND)
            elif event.action == "confirm":
                channel = event.payload.get("channel")
                if channel is not None and not isinstance(channel, str):
                    raise ValidationError("channel is text", field="channel")
                check_acceptance(ticket, event.actor.role, channel, params)  # reads the role and channel
            else:
                before = _as_before(ticket, index)
                tier = tiers.get(ticket.customer_id, CustomerTier.REGULAR)
                check_close(before, callback_plan(callback, before, tier).outcome)
        except InvalidTransition as refused:
            raise _named(refused, ticket, event.seq) from None
        except ValidationError as refused:
            raise ValidationError(
                f"ticket {ticket.id}, event {event.seq} ({event.action}): {refused}", field=refused.field
            ) from None


def _instants(ticket: Ticket) -> tuple[datetime | None, datetime | None]:
    """When the history says the ticket was resolved and closed, as the live steps set them: a service
    ticket is resolved when the customer accepts (``confirm``), a complaint when handled (``resolve``);
    ``close``, ``close_unaccepted`` (the acceptance never given), ``cancel`` and ``withdraw`` close it
    (the last two unresolve it); ``reject`` unresolves it; ``reopen`` undoes both."""
    resolved: datetime | None = None
    closed: datetime | None = None
    needs_acceptance = ticket.needs_acceptance
    for event in ticket.events:
        action = event.action
        if action == "confirm" or (action == "resolve" and not needs_acceptance):
            resolved = event.at
        elif action == "close" or action == CLOSE_UNACCEPTED:
            closed = event.at
        elif action in ("cancel", "withdraw"):
            closed, resolved = event.at, None
        elif action == "reject":
            resolved = None
        elif action == "reopen":
            resolved = closed = None
    return resolved, closed


def check_instants(ticket: Ticket) -> None:
    """Refuse ``ticket`` when its ``resolved_at``, ``closed_at`` or ``priority`` is not the one its history
    gives.

    The ledger, the KPIs and the SLA read them; a live step always sets them from its own event (the SLA
    even reads the grade from the events), so an imported ticket closed without ``closed_at``, accepted at
    another instant than its ``confirm``, or graded otherwise than its triage would be counted as no live
    ticket can be. ``ValidationError`` naming the field."""
    resolved, closed = _instants(ticket)
    priority = ticket.priority.value if ticket.priority is not None else None
    for field, given, expected in (
        ("resolved_at", ticket.resolved_at, resolved),
        ("closed_at", ticket.closed_at, closed),
        ("priority", priority, last_grade(ticket.events)),
    ):
        if given != expected:
            shown = expected.isoformat() if isinstance(expected, datetime) else expected or "none"
            raise ValidationError(
                f"ticket {ticket.id}: {field} is {given!r}, its events give {shown}", field=field
            )
