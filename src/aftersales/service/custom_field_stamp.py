"""The custom fields' types a store was written with: a stamp in the store, checked when a desk opens.

A ticket keeps its custom field values as text (``"12.5"``, ``"2026-03-02"``); the declaration in the
desk (the pack's ``custom_fields`` and the host's ``custom_fields=``) says how to read it. Two desks on
one store that declared one field with two types (a host's web workers on ``number``, its import job on
``text``) each read the same stored value their own way: ``"12.5"`` was a number in one process and a
text in the other, and a value one desk wrote was refused as unreadable by the other.

The store keeps the first declaration of each field (as :mod:`aftersales.service.zone_stamp` keeps the
books' zone): the desk's first write stamps the types of the fields it declares that the stamp does not
name yet, and a desk opened later declaring a stamped field with another type is refused with a
``ConfigurationError`` naming the field (``custom_fields.<name>``) and both types. A desk opened before
another stamped the field has its first write refused the same way. Fields the desk does not declare are
no concern of it; declaring a new field adds it at the next first write.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

import attrs

from aftersales.domain.custom_fields import CustomFieldSet
from aftersales.errors import ConfigurationError, DuplicateError, NotFound
from aftersales.ports.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from aftersales.service.context import DeskContext
    from aftersales.service.runner import CommandRunner

__all__ = [
    "CustomFieldTypes",
    "check_field_types",
    "keep_field_types",
    "stamp_field_types",
    "stored_field_types",
]

_ID = "custom_fields"


@attrs.define
class CustomFieldTypes:
    """The type each custom field was first declared with on this store, by field name."""

    DOCUMENT_KIND: ClassVar[str] = "custom_field_types"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()
    id: str
    types: dict[str, str] = attrs.field(factory=dict)
    stamped_at: datetime | None = None
    """When a field was last added."""
    version: int = 0


def stored_field_types(uow: UnitOfWork) -> CustomFieldTypes | None:
    """The store's stamp, ``None`` before any desk declaring a field has written (or on an older store)."""
    try:
        stamp: CustomFieldTypes = uow.documents.get(CustomFieldTypes, _ID)
    except NotFound:
        return None
    return stamp


def _declared(fields: CustomFieldSet) -> dict[str, str]:
    return {name: field.type.value for name, field in fields.fields.items()}


def check_field_types(stamp: CustomFieldTypes | None, fields: CustomFieldSet) -> None:
    """Refuse ``fields`` when one of them is stamped on the store with another type (the first such
    field in name order is named)."""
    if stamp is None:
        return
    for name, declared in sorted(_declared(fields).items()):
        stored = stamp.types.get(name)
        if stored is not None and stored != declared:
            raise ConfigurationError(
                f"custom field {name!r} is declared {declared!r} here, but the store's values of it were "
                f"written as {stored!r} (its first declaration on this store): every desk on one store "
                f"declares a field with one type; declare it {stored!r} or give the new type a new name",
                key=f"custom_fields.{name}",
            )


def keep_field_types(context: DeskContext, runner: CommandRunner) -> None:
    """At a desk's opening: refuse it when it declares a field the store knows with another type
    (``ConfigurationError`` naming ``custom_fields.<name>``). Fields the store does not know yet are
    stamped by the desk's first write, in its transaction."""
    fields = context.custom_fields
    if not fields.fields:
        return
    with context.reader(snapshot=False) as uow:
        stamp = stored_field_types(uow)
    check_field_types(stamp, fields)
    if stamp is not None and set(_declared(fields)) <= set(stamp.types):
        return
    before = runner.until_first_commit  # the books zone's stamp, when the store has none yet

    def stamp_ours(uow: UnitOfWork, at: datetime) -> None:
        stamp_field_types(uow, fields, at)

    runner.until_first_commit = _chained(before, stamp_ours)


def _chained(
    first: Callable[[UnitOfWork, datetime], None] | None, then: Callable[[UnitOfWork, datetime], None]
) -> Callable[[UnitOfWork, datetime], None]:
    if first is None:
        return then

    def both(uow: UnitOfWork, at: datetime) -> None:
        first(uow, at)
        then(uow, at)

    return both


def stamp_field_types(uow: UnitOfWork, fields: CustomFieldSet, at: datetime) -> CustomFieldTypes:
    """Add the types of ``fields`` the store does not know yet to its stamp (in ``uow``'s transaction);
    refused (``ConfigurationError``) when another desk stamped one of them with another type meanwhile."""
    declared = _declared(fields)
    stamp = stored_field_types(uow)
    if stamp is None:
        stamp = CustomFieldTypes(_ID, dict(sorted(declared.items())), at)
        try:
            uow.documents.add(stamp)
            return stamp
        except DuplicateError:  # another desk stamped first: its types must agree with ours
            stamp = _must_exist(stored_field_types(uow))
    check_field_types(stamp, fields)
    added = {name: kind for name, kind in declared.items() if name not in stamp.types}
    if not added:
        return stamp
    types = dict(sorted({**stamp.types, **added}.items()))
    # A save of a stale version is a conflict: the runner retries the write, which reads the stamp anew.
    return uow.documents.save(attrs.evolve(stamp, types=types, stamped_at=at))


def _must_exist(stamp: CustomFieldTypes | None) -> CustomFieldTypes:
    if stamp is None:  # pragma: no cover - a duplicate add means it is there
        raise NotFound("custom_field_types", _ID)
    return stamp
