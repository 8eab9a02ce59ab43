"""The on-site finding that the fault the user called about is not there (故障不属实).

Seed 002's 叫修处理流程 checks on site whether the reported fault is real (现场检修 → 故障是否属实) before
asking whether the unit is in warranty and repairing or replacing it (是否在保修期内 → 修理或更换). A visit
that finds nothing wrong records it as the cause of its fault record (故障描述 → 故障原因 → 处理措施: the
symptom the user reported, :data:`NO_FAULT_FOUND`, what was done — typically 指导培训用户使用, guiding the
user), and the job closes without a repair: no part is fitted, the fault statistics and batch incidents do
not count it (no product fault), and the dealer's month does not count it as a repair.
"""

from __future__ import annotations

from collections.abc import Sequence

from aftersales.domain.instants import micros
from aftersales.domain.work import FaultRecord
from aftersales.errors import ValidationError

__all__ = ["NO_FAULT_FOUND", "check_no_fault_record", "found_no_fault"]

NO_FAULT_FOUND = "no_fault_found"
"""The cause code of a fault record whose visit found the reported fault not real (故障不属实)."""


def check_no_fault_record(record: FaultRecord) -> None:
    """Refuse a no-fault record that names a part or a component: nothing was found to replace or
    repair, so no part is issued against it (``ValidationError`` naming ``part`` or ``component``)."""
    if record.cause != NO_FAULT_FOUND:
        return
    if record.part is not None:
        raise ValidationError(
            "a visit that found no fault (故障不属实) replaces no part: record the part on a fault found",
            field="part",
        )
    if record.component is not None:
        raise ValidationError(
            "a visit that found no fault (故障不属实) names no faulty component", field="component"
        )


def found_no_fault(records: Sequence[FaultRecord], until_us: int | None = None) -> bool:
    """Whether the finding of the work done up to ``until_us`` (epoch µs; ``None``: all of it) was no
    fault: the last fault record recorded by then has the cause :data:`NO_FAULT_FOUND`. A fault found
    afterwards (the problem came back and was real) makes the later work a repair again."""
    last = None
    for record in records:
        if until_us is not None and micros(record.recorded_at) > until_us:
            break
        last = record
    return last is not None and last.cause == NO_FAULT_FOUND
