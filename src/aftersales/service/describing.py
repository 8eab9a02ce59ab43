"""Describing tickets: tags and custom fields, through the desk's one command path.

Tags are free (normalised, see :mod:`aftersales.domain.tags`); custom fields are those the pack and
the host declared (:class:`~aftersales.domain.custom_fields.CustomFieldSet`, in the desk's context),
typed and required per category. Both are stored with the ticket, recorded as ticket events (``tag``,
``set_fields``), searchable, and filterable with ``TicketFilter(tags=..., custom_fields=...)`` in the ledger
and in search. New tickets get theirs at intake
(:func:`~aftersales.service.ticket_search.describe_at_intake`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from aftersales.domain.call_shape import host_factories
from aftersales.domain.custom_fields import CustomFieldSet
from aftersales.domain.tags import MAX_TAGS, normalize_tags
from aftersales.domain.ticket import Ticket
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.i18n.cell_safety import spreadsheet_column
from aftersales.policies.registry import PolicySet
from aftersales.ports.attachments import AttachmentStore
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.context import DeskContext
from aftersales.service.runner import CommandRunner
from aftersales.service.views import CommandResult, TicketView

__all__ = ["EXPORT_COLUMNS", "Describing", "default_attachments", "desk_custom_fields"]

EXPORT_COLUMNS = ("id", "kind", "state", "category", "priority", "customer_id", "dealer_id", "region",
                  "received_at", "description", "tags", "urgent_claimed")  # fmt: skip
"""The fixed columns of :meth:`Describing.export`; one ``field.<name>`` column per declared field follows.
``urgent_claimed`` (``true``/``false``) is the customer's own "urgent" (seed 001 三(二)2), as
:attr:`~aftersales.service.views.TicketView.urgent_claimed` and the ledger's rows give it."""


def desk_custom_fields(policies: PolicySet, host: CustomFieldSet | None) -> CustomFieldSet:
    """The pack's custom fields and the host's; a name declared by both is a ``ConfigurationError``."""
    if host is not None and not isinstance(host, CustomFieldSet):
        raise ConfigurationError("custom_fields is a CustomFieldSet", key="custom_fields")
    found = policies.extra.get("custom_fields")
    if found is not None and not isinstance(found, CustomFieldSet):
        # An override the desk cannot use is refused: it used to leave the desk without the pack's fields.
        raise ConfigurationError(
            f"the custom_fields policy is a CustomFieldSet, got {type(found).__name__}", key="custom_fields"
        )
    pack = found if found is not None else CustomFieldSet()
    return pack.merged(host) if host is not None else pack


def default_attachments(store: object) -> AttachmentStore | None:
    """The store's own attachment store (a folder beside a SQLite file, memory for memory), if any."""
    make = getattr(store, "default_attachments", None)
    found = make() if callable(make) else None
    return found if isinstance(found, AttachmentStore) else None


def _shown(name: str, value: object) -> str:
    """A value's ``repr`` for the command's request (its idempotency fingerprint, whole: two long values
    must not read alike). A host's object whose ``repr`` raises escaped untyped before any check (session
    29); it is no custom field value, so it is refused naming its field."""
    try:
        return repr(value)
    except Exception:
        raise ValidationError(
            f"custom field {name!r}: a {type(value).__name__} is no value (it cannot even be shown)",
            field=f"fields.{name}",
        ) from None


def _bounded(tags: tuple[str, ...]) -> tuple[str, ...]:
    if len(tags) > MAX_TAGS:
        raise ValidationError(f"a ticket carries at most {MAX_TAGS} tags", field="tags")
    return tags


@host_factories
class Describing:
    """Tag and custom-field commands of a desk."""

    def __init__(self, context: DeskContext, runner: CommandRunner) -> None:
        self.context = context
        self.runner = runner

    @property
    def fields(self) -> CustomFieldSet:
        """The declared custom fields."""
        return self.context.custom_fields

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

        request = {"add": list(adding), "remove": sorted(removing)}
        return self.runner.execute(actor, "tag", ticket_id, apply, idempotency_key, request=request)

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
        fields = self.fields

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            merged = fields.validate(values, ticket.category.code, ticket.custom_fields)
            ticket.set_custom_fields(actor.ref, now, merged)

        request = {str(k): _shown(str(k), v) for k, v in values.items()}
        return self.runner.execute(actor, "set_fields", ticket_id, apply, idempotency_key, request=request)

    def export(self, tickets: Iterable[TicketView]) -> str:
        """The tickets as CSV: :data:`EXPORT_COLUMNS`, then one ``field.<name>`` column per declared
        custom field (its stored canonical text; empty when unset). Tags are joined with ``;``."""
        names = sorted(self.fields.fields)
        out = io.StringIO()
        # CRLF as RFC 4180: a CR or LF inside a description is then quoted (with "\n" a lone CR was not).
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([*EXPORT_COLUMNS, *(f"field.{n}" for n in names)])
        for t in tickets:
            writer.writerow(
                spreadsheet_column([
                    t.id, t.kind.value, t.state, t.category.code, t.priority.value if t.priority else "",
                    t.customer_id, t.dealer_id or "", t.region or "", t.received_at.isoformat(),
                    t.description, ";".join(t.tags), "true" if t.urgent_claimed else "false",
                    *(t.custom_fields.get(n, "") for n in names),
                ])
            )  # fmt: skip
        return out.getvalue()
