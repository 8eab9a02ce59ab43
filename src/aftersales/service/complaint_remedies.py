"""Remedies a complaint handler grants (seed 002 四、谈判 (一)2 可用的牌: 延长免费售后服务期、无偿更换或补偿
某些…附件、增加维护保养), recorded with their cost and granter; a warranty extension is recorded on the unit
and counts in later warranty decisions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import attrs

from aftersales.domain.complaints import (
    ComplaintFile,
    GrantedExtension,
    Remedy,
    RemedyKind,
)
from aftersales.domain.events import JsonValue
from aftersales.domain.ids import AssetId
from aftersales.domain.materials import PartyRef
from aftersales.domain.money import Money
from aftersales.domain.products import Product
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket
from aftersales.domain.warranty_records import ExtensionSource, ExtensionUnit, WarrantyExtension
from aftersales.errors import NotFound, RemedyBeyondAuthority, ValidationError, carried_rule
from aftersales.policies.complaints import ComplaintParams
from aftersales.policies.decision import Decision
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.complaint_base import ComplaintBase
from aftersales.service.permissions import COMPLAINT_ROLES, check_role
from aftersales.service.remedy_visit_dates import check_visit_dates
from aftersales.service.remedy_work import extra_visits, free_accessory, recipient
from aftersales.service.runner import Applied
from aftersales.service.scope import require_asset_visible
from aftersales.service.views import CommandResult

__all__ = ["MAX_VISITS", "ComplaintRemedies"]

MAX_VISITS = 12
"""The most extra maintenance visits one grant promises (a visit a month for a year): each opens a
maintenance ticket at once, and a slip of the pen (``quantity=1000``) must not open a thousand."""


def _check_component(product: Product, component: str | None) -> None:
    """An extension on a component the unit's product does not have would extend nothing (no warranty
    decision ever asks for it): refused, as the warranty policy refuses deciding on it. A product that
    lists no components takes any (its terms name them)."""
    if not product.has_component(component):
        raise ValidationError(
            f"product {product.id} has no component {component!r} "
            f"(it has {', '.join(sorted(product.components))})",
            field="component",
        )


def _within_authority(
    params: ComplaintParams, actor: Actor, complaint: ComplaintFile, kind: RemedyKind, cost: Money
) -> None:
    """Refuse a remedy beyond what ``actor`` may grant alone (the pack's ``remedy_limits``; seed 002:
    不做自己权限之外的约定): what the complaint's remedies of ``kind`` would then cost counts, so a
    handler does not reach past the limit in several grants."""
    earlier = [r.cost for r in complaint.remedies if r.kind is kind and r.cost.currency == cost.currency]
    total = Money.total([*earlier, cost], cost.currency)
    refusal = params.remedy_refusal(actor.roles, kind, total)
    if refusal is not None:
        field, limit = refusal
        raise RemedyBeyondAuthority(
            str(actor), complaint.id, field=field, kind=kind.value, asked=total, limit=limit
        )


def _months(extension: WarrantyExtension) -> int:
    """An extension's length against a months cap: its months, or its days as months of 30 days, a
    started month counting whole (so days never reach past a cap that months may not)."""
    if extension.unit is ExtensionUnit.MONTHS:
        return extension.amount
    return -(-extension.amount // 30)


def _within_months(
    params: ComplaintParams, actor: Actor, complaint: ComplaintFile, extension: WarrantyExtension
) -> None:
    """Refuse a warranty extension taking the complaint's extensions past the months ``actor`` may add
    alone (``remedy_limits.<role>.warranty_extension_months``; seed 002: 延长免费售后服务期 is a card
    played within one's authority): the complaint's earlier extensions count, as for the cost."""
    earlier = [r.extension for r in complaint.remedies if r.extension is not None]
    total = sum(_months(e) for e in [*earlier, extension])
    limit = params.extension_months_refusal(actor.roles, total)
    if limit is not None:
        raise RemedyBeyondAuthority(
            str(actor), complaint.id, field="months", kind=RemedyKind.WARRANTY_EXTENSION.value,
            asked=total, limit=limit,
        )  # fmt: skip


def _unit(uow: UnitOfWork, complaint: Ticket, asset_id: str | None, what: str) -> str:
    """The unit a remedy is for: ``asset_id``, else the complaint's; one of another customer's is
    ``NotFound`` (not the complaint's to extend or maintain, nor to reveal)."""
    unit = asset_id or complaint.asset_id
    if unit is None:
        raise ValidationError(f"{what} needs the unit (asset_id)", field="asset_id")
    asset = uow.assets.get(unit)
    if asset.customer_id is not None and asset.customer_id != complaint.customer_id:
        raise NotFound("asset", unit)
    return unit


@validated_commands
class ComplaintRemedies(ComplaintBase):
    """Mixed into :class:`~aftersales.service.complaint_desk.ComplaintDesk`: remedies granted."""

    def grant_remedy(
        self,
        actor: Actor,
        complaint_id: str,
        *,
        kind: RemedyKind,
        cost: Money,
        quantity: int = 1,
        item: str | None = None,
        note: str = "",
        extend_by: int | None = None,
        extend_unit: ExtensionUnit = ExtensionUnit.MONTHS,
        component: str | None = None,
        asset_id: str | None = None,
        party: PartyRef | None = None,
        visit_on: Sequence[date] = (),
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Grant a remedy with its cost (延长免费售后服务期, 无偿更换附件, 增加维护保养, …).

        Within the actor's authority only (the pack's ``[complaint] remedy_limits``; seed 002: 不做自己
        权限之外的约定): beyond it, :class:`~aftersales.errors.RemedyBeyondAuthority` naming ``kind``,
        ``cost`` or ``months`` (a warranty extension past the role's ``warranty_extension_months`` on the
        complaint) and the limit, and nothing is stored — someone whose authority covers it grants it.

        A warranty extension (``extend_by`` ``extend_unit``, optionally on one ``component``) is recorded
        as a :class:`WarrantyExtension` of source ``complaint_remedy`` on the complaint's unit (or
        ``asset_id``, a unit of the complaint's customer: another's is ``NotFound``), findable with
        :meth:`warranty_extensions` for warranty decisions.

        The work a remedy promises is set going in the same command (:mod:`aftersales.service.remedy_work`):
        an extra maintenance visit opens ``quantity`` maintenance tickets for that unit (at most
        :data:`MAX_VISITS`); a free accessory files a materials request for ``quantity`` of ``item`` with
        its free pick slip, to ``party`` (a dealer or an engineer; by default the dealer serving the
        customer or unit). Their ids are the remedy's ``work``.

        ``visit_on`` are the days agreed with the customer for the extra visits, one per visit, today or
        later: each visit's ticket expects the engineer that day and is due by its end (its clocks run to
        that day, as a plan's visit due then), and the ``grant_remedy`` event keeps them. Without them a
        visit is due by the pack's maintenance targets from the grant, as before. Dates for another remedy,
        a count other than ``quantity`` or a past day are a ``ValidationError`` naming ``visit_on``.
        """
        kind = RemedyKind(kind)
        if not isinstance(cost, Money):
            raise ValidationError("cost must be Money", field="cost", rule="money")
        if (kind is RemedyKind.WARRANTY_EXTENSION) != (extend_by is not None):
            raise ValidationError(
                "extend_by is given for a warranty extension, and only then", field="extend_by"
            )
        if party is not None and kind is not RemedyKind.FREE_ACCESSORY:
            raise ValidationError("party receives a free accessory, and only that", field="party")
        if kind is RemedyKind.EXTRA_MAINTENANCE_VISIT and quantity > MAX_VISITS:
            raise ValidationError(
                f"one grant promises at most {MAX_VISITS} extra maintenance visits", field="quantity"
            )

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> Applied:
            check_visit_dates(kind, quantity, visit_on, self.context.today(now))
            _within_authority(self.policy.params, actor, file, kind, cost)
            extension = None
            if kind is RemedyKind.WARRANTY_EXTENSION:
                unit = _unit(uow, ticket, asset_id, "a warranty extension")
                asset = uow.assets.get(unit)
                _check_component(uow.products.get(asset.product_id), component)
                try:
                    extension = WarrantyExtension(
                        asset_id=AssetId(unit),
                        amount=extend_by,  # type: ignore[arg-type]
                        unit=extend_unit,
                        granted_by=actor.ref,
                        granted_at=now,
                        reason="complaint_remedy",
                        source=ExtensionSource.COMPLAINT_REMEDY,
                        component=component,
                        note=note,
                        complaint_id=ticket.id,
                    )
                except ValidationError as error:  # named as the caller wrote it
                    fields = {"amount": "extend_by", "unit": "extend_unit"}
                    raise ValidationError(
                        str(error), field=fields.get(error.field or "", error.field), **carried_rule(error)
                    ) from None
                _within_months(self.policy.params, actor, file, extension)
            remedy = Remedy(kind, cost, actor.ref, now, quantity, item, note, extension)
            work: tuple[str, ...] = ()
            if ticket.can("grant_remedy"):  # else the step below refuses it, with no work opened
                work = self._work(uow, actor, ticket, remedy, asset_id, party, now, visit_on)
            payload: dict[str, JsonValue] = {
                "kind": kind.value,
                "cost": str(cost.amount),
                "currency": cost.currency,
                "quantity": quantity,
                "item": item,
            }
            if work:
                payload["work"] = list(work)
            if visit_on:
                payload["visit_on"] = [day.isoformat() for day in visit_on]
            ticket.step("grant_remedy", actor.ref, now, payload=payload)
            remedy = attrs.evolve(remedy, work=work)
            file.remedies.append(remedy)
            if extension is not None:
                uow.documents.add(
                    GrantedExtension(
                        f"{ticket.id}:{len(file.remedies)}", extension.asset_id, ticket.id, extension
                    )
                )
            reason = Reason(
                "remedy_granted", {"remedy": kind.value, "cost": f"{cost.amount} {cost.currency}"}
            )
            return Applied(decisions=(Decision(remedy, [reason], "handler"),))

        # Extra visits are tickets opened for the complaint's customer: held first, as an erasure takes it.
        opens = kind is RemedyKind.EXTRA_MAINTENANCE_VISIT
        return self._run(actor, "grant_remedy", complaint_id, body, idempotency_key, customer_first=opens)

    def _work(
        self,
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        remedy: Remedy,
        asset_id: str | None,
        party: PartyRef | None,
        now: datetime,
        visit_on: Sequence[date] = (),
    ) -> tuple[str, ...]:
        """Open the work ``remedy`` promises (see :mod:`aftersales.service.remedy_work`): its ids."""
        if remedy.kind is RemedyKind.EXTRA_MAINTENANCE_VISIT:
            unit = _unit(uow, ticket, asset_id, "an extra maintenance visit")
            return extra_visits(self.context, uow, actor, ticket, unit, remedy.quantity, now, visit_on)
        if remedy.kind is RemedyKind.FREE_ACCESSORY:
            assert remedy.item is not None  # the remedy requires it
            to = recipient(uow, ticket, party)
            return (free_accessory(self.context, uow, actor, ticket, to, remedy.item, remedy.quantity, now),)
        return ()

    def warranty_extensions(self, actor: Actor, asset_id: str) -> tuple[WarrantyExtension, ...]:
        """The warranty extensions granted to ``asset_id`` as complaint remedies or quality incidents'
        remedies (each naming its incident), oldest first."""
        check_role(actor, "warranty_extensions", roles=COMPLAINT_ROLES["warranty_extensions"])
        with self.context.store() as uow:
            require_asset_visible(uow, actor, asset_id)
            found = uow.documents.query(GrantedExtension, asset_id=asset_id)
        return tuple(sorted((g.granted() for g in found), key=lambda e: e.granted_at))
