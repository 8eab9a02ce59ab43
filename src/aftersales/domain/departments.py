"""Departments that work on a problem beside the after-sales line (工程部, 监理部门, …).

Seed 001: "对于复杂问题或涉及多个部门的问题,售后经理应组织相关部门进行协调处理" — the coordinator assigns the
departments a multi-department problem needs. Seed 004: "工程部和监理部门是危机事件处理的协助部门" —
engineering and quality supervision assist with a crisis. A department is master data (its name and
whom to notify); the assignment itself is an event in the ticket's history.

:class:`ComplaintLink` indexes which complaints are about a service ticket, so resolving that ticket
can tell the service centre (seed 004: 由客户服务中心转到维修网点的用户投诉,在处理完毕后…
应立即回复客户服务中心).
Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

import attrs

from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.contact import Contact
from aftersales.domain.text import bounded, required_text
from aftersales.errors import ValidationError

__all__ = ["ComplaintLink", "Department", "DepartmentKind", "department_ids"]


class DepartmentKind(CodedEnum):
    """What a department does for after-sales problems (the seeds' names)."""

    ENGINEERING = "engineering"
    """工程部: technical analysis, design or installation fixes."""
    QUALITY_SUPERVISION = "quality_supervision"
    """监理部门 / 质量监督: inspection, containment, root cause of quality problems."""
    PRODUCTION = "production"
    """生产: batches, corrective action in production."""
    LOGISTICS = "logistics"
    """物流 / 备件: parts and transport."""
    SALES = "sales"
    """销售: the customer relationship, contracts."""
    OTHER = "other"


@attrs.define
class Department:
    """A department that can be assigned to a problem, and whom it is notified through."""

    DOCUMENT_KIND: ClassVar[str] = "department"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("kind",)

    id: str = attrs.field(validator=required_text(64))
    name: str = attrs.field(validator=required_text(100))
    kind: DepartmentKind = attrs.field(default=DepartmentKind.OTHER, converter=DepartmentKind)
    contacts: tuple[Contact, ...] = attrs.field(default=(), converter=tuple)
    note: str = attrs.field(default="", validator=bounded(500))
    version: int = 0

    def __attrs_post_init__(self) -> None:
        if not all(isinstance(c, Contact) for c in self.contacts):
            raise ValidationError("a department's contacts are Contact values", field="contacts")


def department_ids(value: Iterable[str] | str) -> tuple[str, ...]:
    """The department ids asked for, in order, each once; at least one (``ValidationError`` otherwise)."""
    items = [value] if isinstance(value, str) else list(value)
    out: list[str] = []
    for item in items:
        if not isinstance(item, str) or not item.strip() or len(item) > 64:
            raise ValidationError("a department id is 1–64 characters of text", field="departments")
        if item not in out:
            out.append(item)
    if not out:
        raise ValidationError("name at least one department", field="departments")
    return tuple(out)


@attrs.define
class ComplaintLink:
    """A complaint is about a service ticket (one document per pair, found by the ticket's id)."""

    DOCUMENT_KIND: ClassVar[str] = "complaint_link"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("ticket_id",)

    id: str
    ticket_id: str
    complaint_id: str
    version: int = 0

    @classmethod
    def of(cls, ticket_id: str, complaint_id: str) -> ComplaintLink:
        """The link between ``ticket_id`` and ``complaint_id`` (its id is the pair)."""
        return cls(f"{ticket_id}|{complaint_id}", ticket_id, complaint_id)
