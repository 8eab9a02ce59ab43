"""The access log of personal data: who read whose data, through what, and when (PIPL).

Why a module of its own: every capability that shows personal data (archives, complaint logs,
master-data history, exports) logs its reads here, and none of them should depend on the privacy
capability for it. The log names who, what, when and whose data — never the data itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import ClassVar

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.work import aware
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.runner import CommandRunner

__all__ = ["AccessRecord", "record_access"]


@attrs.frozen
class AccessRecord:
    """One read of a customer's personal data: who read what, and when (the access log)."""

    DOCUMENT_KIND: ClassVar[str] = "personal_data_access"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("customer_id", "actor")

    id: str
    customer_id: str
    actor: str
    role: Role
    what: str
    at: datetime = attrs.field(validator=aware)
    version: int = 0


def record_access(runner: CommandRunner, actor: Actor, what: str, customer_ids: Iterable[str]) -> None:
    """Log that ``actor`` read the personal data of ``customer_ids`` through ``what`` (through the runner).

    Archives, complaint logs and exports call this after a read; the log names who, what, when and
    whose data — never the data itself.
    """
    unique = sorted(set(customer_ids))
    if not unique:
        return

    def apply(uow: UnitOfWork, now: datetime) -> None:
        for customer_id in unique:
            entry = AccessRecord(uuid.uuid4().hex, customer_id, str(actor.ref), actor.role, what, now)
            uow.documents.add(entry)

    runner.write(actor, "record_access", None, [what, unique], apply)
