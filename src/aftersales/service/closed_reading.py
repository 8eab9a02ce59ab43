"""A closed ticket's SLA read as it was judged: its resolution met where its stored steps say.

Seed 003 二 5 (并在规定时限内给出解决方案, session 35) and seed 001 五(二)1 (处理完毕, session 36) let a
pack meet the resolution at a step of its own (``[sla] complaint_resolved_by``, ``service_resolved_by``);
the SLA service records the steps on the ticket at each command (``Ticket.resolution_steps``), and the KPI,
the breach report and the ledger read them there. A ticket closed before its pack named such steps (an
older release's store, or a pack changed since) records none: it was judged, announced and appraised to
its feedback or acceptance (seed 003 三 2 考核结果与薪酬、晋升挂钩; a closed ticket's dues are never derived
again), and the reports still read it so. ``desk.sla()`` decided its targets from the pack of today and met
it at the solution: the same closed complaint was on time there and breached in the KPI and the breach
report. The live reading of a closed ticket now takes the steps it stored, as the reports do.
"""

from __future__ import annotations

import attrs

from aftersales.domain.sla_targets import SlaTargets
from aftersales.domain.ticket import Ticket

__all__ = ["as_judged"]


def as_judged(ticket: Ticket, targets: SlaTargets) -> SlaTargets:
    """``targets`` with the resolution steps ``ticket`` stored when it is closed (or cancelled) and they
    differ; else ``targets`` itself (an open ticket follows its pack: its next command stores them)."""
    if ticket.is_open or tuple(sorted(targets.resolution_actions)) == ticket.resolution_steps:
        return targets
    return attrs.evolve(targets, resolution_actions=ticket.resolution_steps)
