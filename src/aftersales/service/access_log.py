"""The access log of personal data: who read whose data, through what, and when (PIPL).

Why a module of its own: every capability that shows personal data (archives, complaint logs,
master-data history, exports) logs its reads here, and none of them should depend on the privacy
capability for it. The log names who, what, when and whose data — never the data itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import ClassVar

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.parties import Customer
from aftersales.domain.work import aware
from aftersales.errors import ValidationError
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.call_ids import host_id
from aftersales.service.runner import CommandRunner
from aftersales.service.scope import party_visible

__all__ = ["AccessRecord", "customer_reads", "record_access", "record_staff_access", "staff_reads", "utc_day"]


def utc_day(at: datetime) -> str:
    """The UTC date of ``at`` as ISO text: fixed width, so index values sort as the days do."""
    return at.astimezone(UTC).date().isoformat()


@attrs.frozen
class AccessRecord:
    """One read of a person's data: who read whose data through what, and when (the access log).

    Whose: a customer's (``customer_id``) or, for a staff member's own records read through their export,
    the staff member's (``staff_id``, ``subject="staff"``): exactly one of the two is set.

    ``role`` is the capacity the data was read in: of an actor holding several roles, the one whose
    scope covers the customer (a dealer's staff member who is also a customer reads their own data as
    the customer, their dealer's customers' as staff), not merely the actor's first role.
    """

    DOCUMENT_KIND: ClassVar[str] = "personal_data_access"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("customer_id", "actor", "day", "staff_id")

    id: str
    customer_id: str | None
    actor: str
    role: Role
    what: str
    at: datetime = attrs.field(validator=aware)
    version: int = 0
    day: str = attrs.field(default=attrs.Factory(lambda self: utc_day(self.at), takes_self=True))
    """The UTC date of ``at`` (ISO), indexed: the retention purge takes the oldest days first
    (:meth:`aftersales.service.privacy.PrivacyDesk.purge_access_log`). Derived, never given."""
    subject: str = attrs.field(default="customer", validator=attrs.validators.in_(("customer", "staff")))
    """Whose data was read: a customer's, or a staff member's own records (``"staff"``: the export of
    their records, session 29 f). Records written before it read as a customer's."""
    staff_id: str | None = None
    """The staff member whose records were read (``subject="staff"``). Session 29 wrote their id in
    ``customer_id``, a field every reader of the log takes for a customer's: such a record reads with it
    moved here (:meth:`__attrs_post_init__`), and is found by the index it was written with
    (:func:`staff_reads`)."""

    def __attrs_post_init__(self) -> None:
        if self.subject == "staff" and self.staff_id is None:  # written by session 29: the id in customer_id
            object.__setattr__(self, "staff_id", self.customer_id)
            object.__setattr__(self, "customer_id", None)
        whose = self.staff_id if self.subject == "staff" else self.customer_id
        other = self.customer_id if self.subject == "staff" else self.staff_id
        if not whose or other is not None:
            field = "staff_id" if self.subject == "staff" else "customer_id"
            raise ValidationError(
                f"an access record of a {self.subject} names that {self.subject} ({field}), and only them",
                field=field,
            )


def customer_reads(uow: UnitOfWork, customer_id: str) -> list[AccessRecord]:
    """The logged reads of ``customer_id``'s data (not a staff member's under the same id)."""
    return [
        r for r in uow.documents.query(AccessRecord, customer_id=customer_id) if r.customer_id == customer_id
    ]


def staff_reads(uow: UnitOfWork, staff_id: str, **equals: object) -> list[AccessRecord]:
    """The logged reads of the staff member ``staff_id``'s records: indexed by ``staff_id``, and those
    session 29 wrote under ``customer_id`` (its index rows say so), each once."""
    found = {r.id: r for r in uow.documents.query(AccessRecord, staff_id=staff_id, **equals)}
    for r in uow.documents.query(AccessRecord, customer_id=staff_id, **equals):
        if r.staff_id == staff_id:
            found.setdefault(r.id, r)
    return list(found.values())


def record_access(runner: CommandRunner, actor: Actor, what: str, customer_ids: Iterable[str]) -> None:
    """Log that ``actor`` read the personal data of ``customer_ids`` through ``what`` (through the runner).

    Archives, complaint logs and exports call this after a read; the log names who, what, when and
    whose data — never the data itself.
    """
    unique = sorted(set(customer_ids))
    if not unique:
        return

    ids = runner.context.ids

    def apply(uow: UnitOfWork, now: datetime) -> None:
        known = uow.customers.find(unique) if actor.extra_roles else {}
        for customer_id in unique:
            role = _reading_role(actor, customer_id, known.get(customer_id))
            # The desk's id generator when the host gave one (its ids are the host's, and sort in
            # order): two reads in one instant then list alike from every store.
            record_id = host_id(ids, "access_record") if ids is not None else uuid.uuid4().hex
            entry = AccessRecord(record_id, customer_id, str(actor.ref), role, what, now)
            uow.documents.add(entry)

    runner.write(actor, "record_access", None, [what, unique], apply)


def record_staff_access(runner: CommandRunner, actor: Actor, what: str, staff_id: str) -> None:
    """Log that ``actor`` read the records of the staff member ``staff_id`` through ``what`` (their export):
    the same log as a customer's, its entry marked ``subject="staff"``; it names who, what and when."""
    ids = runner.context.ids

    def apply(uow: UnitOfWork, now: datetime) -> None:
        record_id = host_id(ids, "access_record") if ids is not None else uuid.uuid4().hex
        uow.documents.add(
            AccessRecord(
                record_id, None, str(actor.ref), actor.role, what, now, subject="staff", staff_id=staff_id
            )
        )

    runner.write(actor, "record_access", None, [what, "staff", staff_id], apply)


def _reading_role(actor: Actor, customer_id: str, customer: Customer | None) -> Role:
    """The role ``actor`` read ``customer_id``'s data in: their own as the customer, else the first role
    whose scope covers the customer (the actor's primary role when none does, or the record is gone)."""
    if not actor.extra_roles:
        return actor.role
    if Role.CUSTOMER in actor.roles and actor.customer_id == customer_id:
        return Role.CUSTOMER
    if customer is not None:
        for role in actor.roles:
            if party_visible(
                actor, customer_id=customer_id, region=customer.region, dealer_id=customer.dealer_id,
                allowed=(role,),
            ):  # fmt: skip
                return role
    return actor.role
