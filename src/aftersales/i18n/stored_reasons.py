"""The catalog entries of the reasons the library itself stores on a step (its codes, not a person's words).

Why: a step's reason is usually what a person wrote ("重复登记") and is shown as written. Some steps are taken
by the library, which stores a fixed code as their reason — the rework a callback opens when the customer
said nothing more (``Ticket.record_callback``), remedy work called off with its complaint
(``service.remedy_calloff``), a planned visit cancelled because the unit was sold (``domain.sold_visit``),
the open tickets of an erased customer (``service.privacy``), a critical ticket sent to the emergency team
(``service.teams``, seed 003 二 3 特急问题则启动应急小组). The domain keeps the code (the erasure and the
reports read it); whatever shows the step to a person — a notice, the history a customer reads
(:func:`aftersales.i18n.reasons.render_reasons`) — words it from the catalog entry named here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from aftersales.domain.sold_visit import UNIT_SOLD
from aftersales.domain.ticket import CALLBACK_REWORK_REASON

__all__ = ["EMERGENCY_TEAM", "STORED_REASON_MSGIDS"]

EMERGENCY_TEAM: Final = "critical: emergency team"
"""The reason stored on the assignment of a critical ticket to the emergency team (``dispatch_critical``)."""

STORED_REASON_MSGIDS: Final[Mapping[str, str]] = MappingProxyType(
    {
        CALLBACK_REWORK_REASON: "stored_reason.callback_problem_back",
        # service.remedy_calloff.WITHDRAWN / CANCELLED and service.privacy.CANCELLED_BY_ERASURE: written
        # out here, below the service layer (a unit test holds them equal).
        "complaint_withdrawn": "stored_reason.complaint_withdrawn",
        "complaint_cancelled": "stored_reason.complaint_cancelled",
        "customer_erased": "stored_reason.customer_erased",
        UNIT_SOLD: "stored_reason.unit_sold",
        EMERGENCY_TEAM: "stored_reason.emergency_team",
    }
)
"""The reasons the library stores on a step it takes, and their catalog entries."""
