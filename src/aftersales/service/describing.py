"""Describing tickets: tags and custom fields, through the desk's one command path.

Tags are free (normalised, see :mod:`aftersales.domain.tags`); custom fields are those the pack and
the host declared (:class:`~aftersales.domain.custom_fields.CustomFieldSet`), typed and required per
category. Both are stored with the ticket, recorded as ticket events (``tag``, ``set_fields``),
searchable, and filterable with ``TicketFilter(tags=..., fields=...)`` in the ledger and in search.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from aftersales.domain.classification import Category
from aftersales.domain.custom_fields import CustomFieldSet
from aftersales.domain.tags import MAX_TAGS, normalize_tags
from aftersales.domain.ticket import Ticket
from aftersales.errors import ValidationError
from aftersales.policies.registry import PolicySet
from aftersales.ports.attachments import AttachmentStore
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.views import CommandResult

if TYPE_CHECKING:
    from aftersales.service.desk import ServiceDesk

__all__ = ["Describing", "default_attachments", "pack_custom_fields"]


def pack_custom_fields(policies: PolicySet) -> CustomFieldSet:
    """The custom fields the desk's pack declares (none when it declares none)."""
    found = policies.extra.get("custom_fields")
    return found if isinstance(found, CustomFieldSet) else CustomFieldSet()


def default_attachments(store: object) -> AttachmentStore | None:
    """The store's own attachment store (a folder beside a SQLite file, memory for memory), if it has one."""
    make = getattr(store, "default_attachments", None)
    found = make() if callable(make) else None
    return found if isinstance(found, AttachmentStore) else None


def _bounded(tags: tuple[str, ...]) -> tuple[str, ...]:
    if len(tags) > MAX_TAGS:
        raise ValidationError(f"a ticket carries at most {MAX_TAGS} tags", field="tags")
    return tags


class Describing:
    """Tag and custom-field commands of a desk."""

    def __init__(self, desk: ServiceDesk, fields: CustomFieldSet) -> None:
        if not isinstance(fields, CustomFieldSet):
            raise ValidationError("custom_fields is a CustomFieldSet", field="custom_fields")
        self._desk = desk
        self.fields = fields

    def at_intake(
        self, category: Category, tags: Sequence[str], values: Mapping[str, object] | None
    ) -> tuple[tuple[str, ...], dict[str, str]]:
        """Tags and field values of a new ticket of ``category``, checked (required fields included)."""
        code = category.code if isinstance(category, Category) else str(category)
        return _bounded(normalize_tags(tags)), self.fields.validate(values or {}, code)

    def tag(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Add ``add`` and remove ``remove`` (normalised); a tag not on the ticket is ignored on removal."""
        adding = normalize_tags(add)
        removing = set(normalize_tags(remove))
        if not adding and not removing:
            raise ValidationError("give tags to add or to remove", field="tags")

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            tags = _bounded(tuple(sorted((set(ticket.tags) | set(adding)) - removing)))
            ticket.retag(actor.ref, now, tags)

        return self._desk.execute(actor, "tag", ticket_id, apply, idempotency_key)

    def set_fields(
        self,
        actor: Actor,
        ticket_id: str,
        values: Mapping[str, object],
        *,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Set custom field values (``None`` clears one); a required field cannot be cleared."""
        if not isinstance(values, Mapping) or not values:
            raise ValidationError("give a mapping of custom field names to values", field="fields")

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            merged = self.fields.validate(values, ticket.category.code, ticket.custom_fields)
            ticket.set_custom_fields(actor.ref, now, merged)

        return self._desk.execute(actor, "set_fields", ticket_id, apply, idempotency_key)
