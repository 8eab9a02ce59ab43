"""The SLA in the service layer: targets from the pack's SLA policy, status from the event log.

Placeholder wiring until the SLA policy lands: without an SLA policy no due times are set.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.parties import CustomerTier
from aftersales.domain.ticket import Ticket

__all__ = ["SlaService"]


class SlaService:
    """Derives a ticket's due times (stored for the ledger) and its full SLA status."""

    def __init__(self, policy: Any, calendar: BusinessCalendar | None) -> None:
        self.policy = policy
        self.calendar = calendar

    def derive(self, ticket: Ticket, tier: CustomerTier, now: datetime) -> None:
        """Set ``ticket``'s ``*_due_at`` from its event log and the policy."""

    def status(self, ticket: Ticket, tier: CustomerTier, now: datetime) -> Any:
        """The SLA status of ``ticket`` at ``now``."""
        return None

    def callback_due(self, ticket: Ticket, tier: CustomerTier, now: datetime) -> datetime:
        """When the callback is due by policy."""
        return (ticket.resolved_at or now) + timedelta(hours=24)
