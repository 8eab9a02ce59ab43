"""The words of the reasons the library itself stores on a step, for the notices that quote a step's reason.

Why: a step's reason is usually what a person wrote (a cancellation's "重复登记"), and a notice quotes it as
written. Some steps are taken by the library, which stores a fixed code as their reason — the rework a
callback opens when the customer said nothing more (``Ticket.record_callback``), remedy work called off
with its complaint (``service.remedy_calloff``), a planned visit cancelled because the unit was sold
(``domain.sold_visit``), the open tickets of an erased customer (``service.privacy``). The notice to the
engineer or dealer holding the job quoted that code as it was ("原因：complaint_withdrawn"): here each is a
catalog term, worded in the reader's language. The codes stay as stored (the erasure and the tests read
them).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from aftersales.domain.sold_visit import UNIT_SOLD
from aftersales.domain.ticket import CALLBACK_REWORK_REASON
from aftersales.i18n.values import Term

__all__ = ["STORED_REASONS", "worded_reason"]

STORED_REASONS: Final[Mapping[str, Term]] = MappingProxyType(
    {
        CALLBACK_REWORK_REASON: Term("stored_reason.callback_problem_back"),
        # service.remedy_calloff.WITHDRAWN / CANCELLED and service.privacy.CANCELLED_BY_ERASURE: written
        # out here, since those modules reach the runner, which reaches the notices (a unit test holds
        # them equal).
        "complaint_withdrawn": Term("stored_reason.complaint_withdrawn"),
        "complaint_cancelled": Term("stored_reason.complaint_cancelled"),
        "customer_erased": Term("stored_reason.customer_erased"),
        UNIT_SOLD: Term("stored_reason.unit_sold"),
    }
)
"""The reasons the library stores on a step it takes, and their catalog terms."""


def worded_reason(reason: str | None) -> str | Term | None:
    """``reason`` as a notice quotes it: the library's own codes worded (:data:`STORED_REASONS`), what a
    person wrote as written."""
    if reason is None:
        return None
    return STORED_REASONS.get(reason, reason)
