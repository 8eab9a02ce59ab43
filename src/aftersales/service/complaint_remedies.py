"""Remedies a complaint handler grants (seed 002 四、谈判 (一)2 可用的牌: 延长免费售后服务期、无偿更换或补偿
某些…附件、增加维护保养), recorded with their cost and granter; a warranty extension is recorded on the unit
and counts in later warranty decisions."""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.complaints import (
    ComplaintFile,
    GrantedExtension,
    Remedy,
    RemedyKind,
)
from aftersales.domain.ids import AssetId
from aftersales.domain.money import Money
from aftersales.domain.products import Product
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket
from aftersales.domain.warranty_records import ExtensionSource, ExtensionUnit, WarrantyExtension
from aftersales.errors import NotFound, ValidationError
from aftersales.policies.decision import Decision
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.complaint_base import ComplaintBase
from aftersales.service.permissions import COMPLAINT_ROLES, check_role
from aftersales.service.runner import Applied
from aftersales.service.scope import require_asset_visible
from aftersales.service.views import CommandResult

__all__ = ["ComplaintRemedies"]


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
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Grant a remedy with its cost (延长免费售后服务期, 无偿更换附件, 增加维护保养, …).

        A warranty extension (``extend_by`` ``extend_unit``, optionally on one ``component``) is recorded
        as a :class:`WarrantyExtension` of source ``complaint_remedy`` on the complaint's unit (or
        ``asset_id``, a unit of the complaint's customer: another's is ``NotFound``), findable with
        :meth:`warranty_extensions` for warranty decisions.
        """
        kind = RemedyKind(kind)
        if not isinstance(cost, Money):
            raise ValidationError("cost must be Money", field="cost")
        if (kind is RemedyKind.WARRANTY_EXTENSION) != (extend_by is not None):
            raise ValidationError(
                "extend_by is given for a warranty extension, and only then", field="extend_by"
            )

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> Applied:
            extension = None
            if kind is RemedyKind.WARRANTY_EXTENSION:
                unit = asset_id or ticket.asset_id
                if unit is None:
                    raise ValidationError("a warranty extension needs the unit (asset_id)", field="asset_id")
                asset = uow.assets.get(unit)
                if asset.customer_id is not None and asset.customer_id != ticket.customer_id:
                    # Another customer's unit is not the complaint's to extend (nor to reveal).
                    raise NotFound("asset", unit)
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
                        str(error), field=fields.get(error.field or "", error.field)
                    ) from None
            remedy = Remedy(kind, cost, actor.ref, now, quantity, item, note, extension)
            ticket.step(
                "grant_remedy",
                actor.ref,
                now,
                payload={
                    "kind": kind.value,
                    "cost": str(cost.amount),
                    "currency": cost.currency,
                    "quantity": quantity,
                    "item": item,
                },
            )
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

        return self._run(actor, "grant_remedy", complaint_id, body, idempotency_key)

    def warranty_extensions(self, actor: Actor, asset_id: str) -> tuple[WarrantyExtension, ...]:
        """The warranty extensions granted to ``asset_id`` as complaint remedies, oldest first."""
        check_role(actor, "warranty_extensions", roles=COMPLAINT_ROLES["warranty_extensions"])
        with self.context.store() as uow:
            require_asset_visible(uow, actor, asset_id)
            found = uow.documents.query(GrantedExtension, asset_id=asset_id)
        return tuple(sorted((g.extension for g in found), key=lambda e: e.granted_at))
