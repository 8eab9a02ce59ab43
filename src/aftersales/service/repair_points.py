"""Repair points and the one designated for a depot repair (seed 000 4.派工处理: 送至指定维修地点).

``desk.repair_points`` registers the points of each region (reference data: the heads who keep it),
lists them, and designates one on a ticket assessed as a depot repair (``Plan.DEPOT``). Triage designates
the point itself when the customer's region has exactly one (:func:`designate_on_triage`); with none or
several the office (or the dealer whose job it is) names it with :meth:`RepairPointDesk.designate`. The
``designate_repair_point`` step tells the customer where to bring the product (notification
``repair_point_designated``, by the pack's ``[notification]`` progress rule) and their progress view
shows it (``Progress.repair_point``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from aftersales.domain.classification import Plan
from aftersales.domain.repair_points import RepairPoint, RepairPointNotice
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound, ValidationError
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.context import DeskContext
from aftersales.service.master_data import record_change
from aftersales.service.permissions import Workflow, permit
from aftersales.service.runner import CommandRunner
from aftersales.service.views import CommandResult

__all__ = ["RepairPoint", "RepairPointDesk", "RepairPointNotice", "designate_on_triage"]

_DOCS = Workflow.DOCUMENTS


def _serving(uow: UnitOfWork, region: str | None) -> list[RepairPoint]:
    """The active repair points of ``region``, by id (none for a ticket without a region)."""
    if region is None:
        return []
    return sorted(
        (p for p in uow.documents.query(RepairPoint, region=region) if p.active), key=lambda p: p.id
    )


def designate_on_triage(uow: UnitOfWork, ticket: Ticket, actor: Actor, now: datetime) -> None:
    """Inside triage: a repair assessed as a depot repair is told the one active repair point of the
    customer's region, when there is exactly one. With none or several nothing is designated here (the
    office names it: :meth:`RepairPointDesk.designate`)."""
    if ticket.assessment is None or ticket.assessment.plan is not Plan.DEPOT:
        return
    points = _serving(uow, ticket.region)
    if len(points) == 1:
        ticket.designate_repair_point(actor.ref, now, points[0].notice())


@validated_commands
class RepairPointDesk:
    """``desk.repair_points``: the repair points by region, and the one a depot repair is brought to."""

    def __init__(self, context: DeskContext, runner: CommandRunner) -> None:
        self.context = context
        self.runner = runner

    def register(
        self, actor: Actor, point: RepairPoint, *, idempotency_key: str | None = None
    ) -> RepairPoint:
        """Register ``point``, or replace the stored point of its id (its address, hours, ``active``).

        The heads who keep the reference data (``register_repair_point``). A ticket already told of a
        point keeps what it was told; the change applies to the designations that follow. Audited like
        the other reference data: each change leaves a ``MasterDataChange`` (who, when, before → after),
        read with ``desk.master_data_history(actor, "repair_point", point_id)``; registering the point as
        stored changes nothing and records nothing.
        """
        permit(actor, _DOCS, "register_repair_point", getattr(point, "id", None))
        if not isinstance(point, RepairPoint):
            raise ValidationError("point is a RepairPoint", field="point")

        def apply(uow: UnitOfWork, now: datetime) -> RepairPoint:
            try:
                stored = uow.documents.get(RepairPoint, point.id)
            except NotFound:
                uow.documents.add(point)
                added = uow.documents.get(RepairPoint, point.id)
                record_change(uow, actor, "register_repair_point", now, None, added)
                return added
            wanted = attrs.evolve(point, version=stored.version)
            if wanted == stored:
                return stored  # nothing changes, nothing to audit
            saved = uow.documents.save(wanted)
            record_change(uow, actor, "register_repair_point", now, stored, saved)
            return saved

        return self.runner.write(
            actor,
            "register_repair_point",
            idempotency_key,
            [attrs.evolve(point, version=0)],
            apply,
            remember=lambda p: p.id,
            reload=lambda uow, id: uow.documents.get(RepairPoint, id),
        )

    def points(self, actor: Actor, region: str | None = None) -> Sequence[RepairPoint]:
        """The active repair points (of ``region``, or all), by id: where customers bring products, which
        anyone served may know."""
        permit(actor, _DOCS, "read_repair_points", region)
        if region is not None and (not isinstance(region, str) or not region.strip()):
            raise ValidationError("region names a region (not blank)", field="region")
        with self.context.store() as uow:
            if region is not None:
                return _serving(uow, region)
            return sorted((p for p in uow.documents.query(RepairPoint) if p.active), key=lambda p: p.id)

    def designate(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        point_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Designate the repair point ``ticket_id``'s customer is to bring the product to, and tell them.

        Only for a ticket assessed as a depot repair (``ValidationError`` naming ``ticket_id``), from its
        assessment until the work is done (``InvalidTransition`` otherwise). ``point_id`` names an
        active point of the ticket's region (``NotFound`` for an unknown one, ``ValidationError`` naming
        ``point_id`` for an inactive one or another region's); without it the region's only active point
        is designated (none, or several: ``ValidationError`` naming ``point_id``). Nothing changes on a
        refusal.
        """
        if point_id is not None and (not isinstance(point_id, str) or not point_id.strip()):
            raise ValidationError("point_id names a repair point", field="point_id")

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            ticket.check_repair_point_designation()  # the state and the plan, before the point
            point = self._chosen(uow, ticket, point_id)
            ticket.designate_repair_point(actor.ref, now, point.notice())

        return self.runner.execute(
            actor, "designate_repair_point", ticket_id, apply, idempotency_key, request={"point_id": point_id}
        )

    @staticmethod
    def _chosen(uow: UnitOfWork, ticket: Ticket, point_id: str | None) -> RepairPoint:
        if point_id is not None:
            point = uow.documents.get(RepairPoint, point_id)
            if not point.active or point.region != ticket.region:
                raise ValidationError(
                    f"repair point {point_id} does not take repairs of region {ticket.region}",
                    field="point_id",
                )
            return point
        points = _serving(uow, ticket.region)
        if len(points) != 1:
            found = "no repair point serves" if not points else "several repair points serve"
            raise ValidationError(f"{found} region {ticket.region}: name point_id", field="point_id")
        return points[0]
