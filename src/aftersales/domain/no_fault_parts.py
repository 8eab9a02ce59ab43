"""No part for a fault that is not there (故障不属实, seed 002 叫修处理流程).

The flowchart asks on site whether the reported fault is real (现场检修 → 故障是否属实) before it asks
about the warranty and orders parts (是否在保修期内 → 下单备料 → 修理或更换). A ticket whose current finding
is no fault therefore has no part requested, quoted, approved or shipped for it; a part already received
before the finding was not fitted and goes back as an unused return (退料) like any part lent. A fault
found afterwards (the problem came back and was real) makes parts wanted again.
"""

from __future__ import annotations

from collections.abc import Sequence

from aftersales.domain.no_fault import found_no_fault
from aftersales.domain.work import FaultRecord
from aftersales.errors import ValidationError

__all__ = ["NO_FAULT_NO_PARTS", "refuse_parts_for_no_fault"]

NO_FAULT_NO_PARTS = "no_fault_no_parts"
"""The rule code of a materials step refused on a ticket whose finding is no fault."""


def refuse_parts_for_no_fault(ticket_id: str, records: Sequence[FaultRecord], step: str) -> None:
    """Refuse ``step`` of a materials request on ticket ``ticket_id`` when its last fault record found
    no fault: ``ValidationError`` naming ``ticket_id`` with rule :data:`NO_FAULT_NO_PARTS`."""
    if found_no_fault(records):
        raise ValidationError(
            f"ticket {ticket_id} found the reported fault not real (故障不属实): no part is {step} for it;"
            " record the fault found first",
            field="ticket_id",
            rule="no_fault_no_parts",  # NO_FAULT_NO_PARTS, literal for the walk over raise sites
        )
