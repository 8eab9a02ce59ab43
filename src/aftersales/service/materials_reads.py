"""The materials desk's reads: a request, a return, a party's loan ledger and what is overdue on it,
the month's outbound summary — each scoped by the permission table."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import attrs

from aftersales.domain.instants import require_aware
from aftersales.domain.loan_ledger import Chargeback, OverdueItem, SurplusItem
from aftersales.domain.materials import (
    MaterialsRequest,
    OutboundSummary,
    PartReturn,
    PartyRef,
    outbound_summary,
)
from aftersales.errors import NotFound, PermissionDenied
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.materials_base import MaterialsBase
from aftersales.service.materials_rules import check_actor
from aftersales.service.permissions import MATERIALS_ROLES, check_role

__all__ = ["LedgerSummary", "MaterialsReads"]


@attrs.frozen
class LedgerSummary:
    """A party's loan ledger as read: quantities out per part, totals, its chargebacks, and the surplus
    under review."""

    party: PartyRef
    balance: Mapping[str, int]
    issued: int
    returned: int
    charged: int
    lines: int
    chargebacks: tuple[Chargeback, ...]
    surplus: tuple[SurplusItem, ...] = ()
    """盘盈 awaiting the office's decision, oldest first: parts sent back or counted that were never lent
    (seed 002 退料 4–5: 盘盈盘亏分析, 与用户沟通); each closes by its ``key`` with
    :meth:`MaterialsDesk.close_surplus`."""

    @property
    def outstanding(self) -> int:
        """issued − returned − charged."""
        return self.issued - self.returned - self.charged


@validated_commands
class MaterialsReads(MaterialsBase):
    """Materials queries (``desk.materials``)."""

    # -- queries ---------------------------------------------------------------------------------------------

    def materials_request(self, actor: Actor, request_id: str) -> MaterialsRequest:
        """A request, if ``actor`` may see its ticket."""
        check_actor(actor)
        with self.context.store() as uow:
            return self._request_seen(uow, actor, request_id)

    def part_return(self, actor: Actor, return_id: str) -> PartReturn:
        """A return, if ``actor`` may see its party's ledger; otherwise ``NotFound``, as an unknown id is
        (the refusal would say that the return exists, and whose ledger it is on)."""
        check_actor(actor)
        with self.context.store() as uow:
            item = uow.documents.get(PartReturn, return_id)
            try:
                self._check_party_scope(uow, actor, item.party)
            except PermissionDenied:
                raise NotFound(PartReturn.DOCUMENT_KIND, return_id) from None
        return item

    def ledger(self, actor: Actor, party: PartyRef) -> LedgerSummary:
        """The party's loan ledger: what is out per part, issued/returned/charged totals, chargebacks and
        the surplus under review (the office reads it to settle each with :meth:`close_surplus`)."""
        check_actor(actor)
        with self.context.store() as uow:
            self._check_party_scope(uow, actor, party)
            ledger, _new = self._ledger(uow, party)
        return LedgerSummary(
            party, dict(sorted(ledger.balance().items())), ledger.issued, ledger.returned, ledger.charged,
            len(ledger.entries), tuple(ledger.chargebacks), tuple(ledger.surplus),
        )  # fmt: skip

    def overdue(self, actor: Actor, party: PartyRef, at: datetime | None = None) -> list[OverdueItem]:
        """The party's issue lines past their deadline with parts still out, oldest first."""
        check_actor(actor)
        when = self._now() if at is None else require_aware(at, "at")
        with self.context.store() as uow:
            self._check_party_scope(uow, actor, party)
            ledger, _new = self._ledger(uow, party)
            due = ledger.overdue(when)
            if not due:
                # Parts arrived or in transit only take lines off what is past due: with none past due
                # there is nothing to read (three indexed queries, one a relay's, on every such read).
                return due
            arrived = self._arrived(uow, party).get(party.key, ())
        return ledger.overdue(when, arrived)

    def outbound_summary(self, actor: Actor, month: str) -> OutboundSummary:
        """The month's outbound (``"2026-03"``) per receiving party and per part (office and auditors)."""
        check_actor(actor)
        check_role(actor, "outbound_summary", month, MATERIALS_ROLES["outbound_summary"])
        with self.context.store() as uow:
            shipped = uow.documents.query(MaterialsRequest, shipped_month=month)
        return outbound_summary(shipped, month)
