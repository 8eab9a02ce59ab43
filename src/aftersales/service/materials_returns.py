"""The return flow (退料, seed 002 二、退料): old parts registered at the receiving location, relayed
through a relay office and counted there, inspected and booked into the loan ledger."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from aftersales.domain.charges import ChargeLine
from aftersales.domain.fee_slips import MaterialsMovement, MovementKind
from aftersales.domain.materials import MaterialsRequest, PartReturn, PartyRef
from aftersales.domain.reasons import Reason
from aftersales.domain.return_relay import RelayedReturn, counted_quantity
from aftersales.errors import ConcurrencyConflict, NotFound, PermissionDenied, PolicyError, ValidationError
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.fee_desk import FeeDesk
from aftersales.service.materials_base import MaterialsBase
from aftersales.service.materials_rules import check_actor
from aftersales.service.permissions import MATERIALS_ROLES, check_role
from aftersales.service.return_relay import check_relay_location, count_relayed, hand_in

__all__ = ["ReturnFlow"]


@validated_commands
class ReturnFlow(MaterialsBase):
    """Old-part returns (``desk.materials``)."""

    # -- returns (退料) ------------------------------------------------------------------------------------

    def record_free_issue(
        self, actor: Actor, ticket_id: str, lines: Iterable[ChargeLine], *, idempotency_key: str | None = None
    ) -> MaterialsMovement:
        """Record materials issued free of charge for a job (in warranty), priced at cost.

        The same command as ``desk.fees.record_free_issue`` (it feeds the monthly free-materials list):
        one record, one idempotency key scope, whichever desk the host calls it through.
        """
        return FeeDesk(self.context, self.runner).record_free_issue(
            actor, ticket_id, lines, idempotency_key=idempotency_key
        )

    def register_return(
        self,
        actor: Actor,
        *,
        request_id: str,
        part: str,
        quantity: int = 1,
        location: str | None = None,
        idempotency_key: str | None = None,
    ) -> PartReturn:
        """Register an old part arrived at the receiving location (the only place returns are taken in).

        With ``idempotency_key`` a retried call returns the first registration instead of a second one.
        """
        check_actor(actor)
        check_role(actor, "register_return", request_id, MATERIALS_ROLES["register_return"])
        place = self.params.receiving_location if location is None else location
        if place != self.params.receiving_location:
            raise PolicyError(
                f"returns are registered at {self.params.receiving_location} only, not {place!r}",
                code="not_the_receiving_location",
            )

        def apply(uow: UnitOfWork, now: datetime) -> PartReturn:
            request = uow.documents.get(MaterialsRequest, request_id)
            # A part never lent on this request is still taken in: booking records it as surplus for review.
            item = PartReturn(
                self._number(uow, "part_return", now), request.id, request.ticket_id, request.party, part,
                quantity, place, now, actor.ref,
            )  # fmt: skip
            uow.documents.add(item)
            return item

        return self.runner.write(
            actor,
            "register_return",
            idempotency_key,
            [request_id, part, quantity, place],
            apply,
            remember=lambda r: r.id,
            reload=lambda uow, id: uow.documents.get(PartReturn, id),
        )

    def relay_return(
        self,
        actor: Actor,
        *,
        request_id: str,
        part: str,
        quantity: int = 1,
        via: str = "shanghai",
        idempotency_key: str | None = None,
    ) -> RelayedReturn:
        """Record old parts a party handed in at a relay office (seed 002 退料 2 b: 若由于运输的需要，上海
        可参与中转), declared ``quantity`` of ``part`` for ``request_id``. They are in transit, not
        returned: the receiving location counts them (:meth:`count_relayed_return`), and only what it
        counts is returned (所有退料信息以台州为唯一窗口). Handed in before the line's deadline, they are
        not charged as kept meanwhile. ``via`` not a relay office: ``PolicyError``
        ``not_a_relay_location``. Replayable by ``idempotency_key``."""
        check_actor(actor)
        check_role(actor, "relay_return", request_id, MATERIALS_ROLES["relay_return"])
        draft = RelayedReturn(
            "draft", "draft", "draft", PartyRef.dealer("draft"), part, quantity, via, self._now(), actor.ref
        )  # the values checked (field and rule named) before anything runs
        check_relay_location(self.params, draft.via)

        def apply(uow: UnitOfWork, now: datetime) -> RelayedReturn:
            return hand_in(
                uow, self._number, actor, now, request_id=request_id, part=part, quantity=quantity, via=via
            )

        return self.runner.write(
            actor,
            "relay_return",
            idempotency_key,
            [request_id, part, quantity, via],
            apply,
            remember=lambda r: r.id,
            reload=lambda uow, id: uow.documents.get(RelayedReturn, id),
        )

    def count_relayed_return(self, actor: Actor, relay_id: str, *, counted: int) -> RelayedReturn:
        """The receiving location took a relay's parts in and counted ``counted`` (seed 002 退料 3: 台州
        售后服务处收到用户的退料后进行实物盘点): the return is registered there for that quantity (its
        ``PartReturn``, named by ``return_id``, is inspected and booked as any return), sent back when the
        parts were handed in; fewer than declared (``relay_count_short``) leaves the rest out on the
        loan, charged as kept once due; more than declared (``relay_count_over``) is registered as counted
        — the physical count stands — and its booking makes what is beyond the loan surplus for review
        (盘盈, 退料 4). Counted once (``PolicyError`` ``relay_counted``)."""
        check_actor(actor)
        check_role(actor, "count_relayed_return", relay_id, MATERIALS_ROLES["count_relayed_return"])
        counted_quantity(counted)

        def apply(uow: UnitOfWork, now: datetime) -> RelayedReturn:
            return count_relayed(
                uow, self._number, actor, now, self.params, relay_id=relay_id, counted=counted
            )

        return self.runner.write(actor, "count_relayed_return", None, [relay_id, counted], apply)

    def relayed_return(self, actor: Actor, relay_id: str) -> RelayedReturn:
        """A relay, if ``actor`` may see its party's ledger; otherwise ``NotFound``, as an unknown id."""
        check_actor(actor)
        with self.context.store() as uow:
            relay = uow.documents.get(RelayedReturn, relay_id)
            try:
                self._check_party_scope(uow, actor, relay.party)
            except PermissionDenied:
                raise NotFound(RelayedReturn.DOCUMENT_KIND, relay_id) from None
        return relay

    def inspect_return(
        self, actor: Actor, return_id: str, *, accepted: bool, reason: Reason | str | None = None
    ) -> PartReturn:
        """Inspection: accepted, or rejected with a reason code (e.g. ``not_the_replaced_part``)."""
        check_actor(actor)
        check_role(actor, "inspect_return", return_id, MATERIALS_ROLES["inspect_return"])
        try:
            why = Reason(reason) if isinstance(reason, str) else reason
        except ValidationError as exc:  # the code's own rule, named as the argument it came in
            raise ValidationError(f"reason: {exc}", field="reason") from None

        def apply(uow: UnitOfWork, now: datetime) -> PartReturn:
            item = uow.documents.get(PartReturn, return_id)
            item.inspect(actor.ref, now, accepted=accepted, reason=why)
            uow.documents.save(item)
            return item

        return self.runner.write(actor, "inspect_return", None, [return_id, accepted, why], apply)

    def book_return(self, actor: Actor, return_id: str, *, expected_version: int | None = None) -> PartReturn:
        """Book an accepted return into the party's loan ledger, once.

        ``expected_version`` is the version the clerk saw; a return changed since (another clerk booked
        it) raises ``ConcurrencyConflict``. Two simultaneous bookings meet the store's version check.
        """
        check_actor(actor)
        check_role(actor, "book_return", return_id, MATERIALS_ROLES["book_return"])

        def apply(uow: UnitOfWork, now: datetime) -> PartReturn:
            item = uow.documents.get(PartReturn, return_id)
            if expected_version is not None and item.version != expected_version:
                raise ConcurrencyConflict(PartReturn.DOCUMENT_KIND, return_id, expected_version, item.version)
            ledger, new = self._ledger(uow, item.party)
            entry, _surplus = ledger.receive_return(  # its arrival says whether it was in time
                item.id, item.request_id, item.part, item.quantity, now, actor.ref, item.sent_back_at
            )
            item.book(actor.ref, now, f"return:{item.id}")
            uow.documents.save(item)
            self._store_ledger(uow, ledger, new)
            if entry is not None:
                self._movement(uow, MovementKind.RETURNED, item.ticket_id, item.party,
                               [(entry.part, entry.quantity)], actor, now)  # fmt: skip
            return item

        return self.runner.write(actor, "book_return", None, [return_id, expected_version], apply)
