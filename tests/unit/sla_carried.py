"""What the carried-SLA properties compare: a timeline carried on command by command against one
measured from scratch, target by target, at the last event and later (test_sla_advance_s34c and
test_sla_dispatch_s35l)."""

from __future__ import annotations

from datetime import timedelta

from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.events import TicketEvent
from aftersales.domain.sla_clock import SlaTargets, SlaTimeline, TargetStatus, sla_timeline


def seen(status: TargetStatus) -> tuple[object, ...]:
    """Every field of a target's status a desk shows or stores."""
    return (
        status.target.name,
        status.phase,
        status.due_at,
        status.elapsed,
        status.paused_time,
        status.met_at,
        status.warning_at,
        status.started_at,
        status.warning,
        status.extended,
        status.provisional,
        status.breach,
    )


def assert_same_as_fresh(
    carried: SlaTimeline,
    events: list[TicketEvent],
    targets: SlaTargets,
    calendar: BusinessCalendar,
    later: int,
) -> None:
    """``carried`` answers as the log measured again would, at its last event and ``later`` minutes on."""
    fresh = sla_timeline(events, targets, calendar)
    for at in (events[-1].at, events[-1].at + timedelta(minutes=later)):
        assert carried.due_instants(at) == fresh.due_instants(at)
        one, other = carried.status(at), fresh.status(at)
        assert [seen(s) for s in one.targets] == [seen(s) for s in other.targets]
        assert one.closed == other.closed
