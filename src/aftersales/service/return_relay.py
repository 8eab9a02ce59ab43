"""Old parts relayed to the receiving location (退料中转, seed 002 退料 2 b and 3), inside the command path.

``desk.materials.relay_return`` records parts a party handed in at a relay office (上海可参与中转);
``desk.materials.count_relayed_return`` is the receiving location taking them in and counting them
(台州…收到用户的退料后进行实物盘点): it registers the return for the quantity counted, which is then
inspected and booked as any return. Until the count the parts are in transit: the loan ledger still
shows them out (借料, not 退料), and a line whose parts were handed in before its deadline is neither
charged as kept nor as a count's shortage (the parts left the party's hands in time); after it the
ledger follows the count, and what did not arrive is charged once due.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aftersales.domain.loan_ledger import ArrivedReturn
from aftersales.domain.materials import MaterialsRequest, PartReturn, PartyRef
from aftersales.domain.return_relay import RelayedReturn, RelayState
from aftersales.errors import PolicyError
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.materials_params import MaterialsParams

__all__ = ["count_relayed", "hand_in", "relays_in_transit"]

Numbering = Callable[[UnitOfWork, str, datetime], str]


def relays_in_transit(uow: UnitOfWork, party: PartyRef | None = None) -> dict[str, list[ArrivedReturn]]:
    """Parts handed in at a relay office and not yet counted at the receiving location, per party key,
    as returns sent back at the hand-in (what was declared: the count has not said otherwise yet)."""
    where: dict[str, str] = {"state": RelayState.IN_TRANSIT.value}
    if party is not None:
        where["party_key"] = party.key
    found: dict[str, list[ArrivedReturn]] = {}
    for relay in uow.documents.query(RelayedReturn, **where):
        found.setdefault(relay.party_key, []).append(
            ArrivedReturn(relay.request_id, relay.part, relay.quantity, relay.handed_at)
        )
    return found


def check_relay_location(params: MaterialsParams, via: str) -> None:
    """``via`` is one of the relay offices (``PolicyError`` ``not_a_relay_location``; the receiving
    location itself takes returns in with ``register_return``)."""
    if via not in params.relay_locations:
        offices = ", ".join(params.relay_locations) or "none"
        raise PolicyError(
            f"{via!r} relays no returns (relay offices: {offices}; returns are registered at "
            f"{params.receiving_location})",
            code="not_a_relay_location",
        )


def hand_in(
    uow: UnitOfWork, number: Numbering, actor: Actor, now: datetime, *,
    request_id: str, part: str, quantity: int, via: str,
) -> RelayedReturn:  # fmt: skip
    """Inside ``relay_return``: record the parts handed in at ``via`` for ``request_id``, in transit."""
    request = uow.documents.get(MaterialsRequest, request_id)
    relay = RelayedReturn(
        number(uow, "relayed_return", now), request.id, request.ticket_id, request.party, part, quantity,
        via, now, actor.ref,
    )  # fmt: skip
    uow.documents.add(relay)
    return relay


def count_relayed(
    uow: UnitOfWork, number: Numbering, actor: Actor, now: datetime, params: MaterialsParams, *,
    relay_id: str, counted: int,
) -> RelayedReturn:  # fmt: skip
    """Inside ``count_relayed_return``: the receiving location counted ``counted`` of the relay's parts;
    the return is registered there for that quantity (none when it counted none), sent back at the
    hand-in, and the relay ends."""
    relay = uow.documents.get(RelayedReturn, relay_id)
    if relay.state is not RelayState.IN_TRANSIT:
        raise PolicyError(f"relay {relay.id} was counted already ({relay.counted})", code="relay_counted")
    item = None
    if counted:
        item = PartReturn(
            number(uow, "part_return", now), relay.request_id, relay.ticket_id, relay.party, relay.part,
            counted, params.receiving_location, now, actor.ref,
            relay_id=relay.id, handed_in_at=relay.handed_at,
        )  # fmt: skip
    relay.count(actor.ref, now, counted, params.receiving_location, item.id if item else None)
    if item is not None:
        uow.documents.add(item)
    uow.documents.save(relay)
    return relay
