"""Scope checks for objects other than tickets: a unit (asset) is visible where its tickets would be;
a record held for a customer or a dealer (a contract, a maintenance visit, a survey task, an archive, a
personal-data export, a revenue list) where that customer's or dealer's tickets would be.

Every out-of-scope lookup answers ``NotFound``, never "belongs to another customer": the caller must
not learn that someone else's ticket or unit exists. As for tickets (:func:`can_read`), an actor holding
several roles is judged role by role: a role grants what its own scope covers, so a dealer's staff
member who is also a customer reads their own records as the customer and their dealer's as its staff,
never another customer's because one of their roles is "customer".
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from aftersales.domain.actors import Role
from aftersales.domain.fee_slips import FeeSlip
from aftersales.domain.products import Asset
from aftersales.domain.service_contracts import ServiceContract
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import AssigneeKind
from aftersales.errors import NotFound, ValidationError
from aftersales.ports.queries import PageRequest, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.permissions import can_read, can_read_as, dealers_job, job_dealer

__all__ = [
    "any_ticket_of",
    "asset_visible",
    "check_chosen_id",
    "chosen_id_space",
    "contract_visible",
    "customer_slip_readable",
    "engineer_serves",
    "party_visible",
    "purchasing_dealer",
    "reads_dealer_side",
    "reads_whole",
    "require_asset_visible",
    "sees_every",
    "slip_as_seen_by",
    "ticket_id_readable",
    "ticket_readable",
]

_BY_CUSTOMER = frozenset({Role.CUSTOMER, Role.DEALER_STAFF})
"""The roles whose scope is made of customers (their own, their dealer's and regions')."""
_NOT_BY_CUSTOMER = frozenset(Role) - _BY_CUSTOMER
_SEE_ALL = frozenset(
    {Role.AGENT, Role.MANAGER, Role.DEPARTMENT_HEAD, Role.GENERAL_MANAGER, Role.AUDITOR, Role.SYSTEM}
)


def asset_visible(uow: UnitOfWork, actor: Actor, asset: Asset) -> bool:
    """May ``actor`` know ``asset``? Office roles always; a customer its own units; dealer staff its
    dealer's units and its regions' customers'; an engineer the units of tickets it may read."""
    if actor.has_role(*_SEE_ALL):
        return True
    if (
        actor.has_role(Role.CUSTOMER)
        and actor.customer_id is not None
        and asset.customer_id == actor.customer_id
    ):
        return True
    if actor.has_role(Role.DEALER_STAFF):
        if actor.dealer_id is not None and asset.dealer_id == actor.dealer_id:
            return True
        if asset.customer_id is not None and actor.regions:
            try:
                customer = uow.customers.get(asset.customer_id)
            except NotFound:
                return False
            if customer.region in actor.regions or (
                actor.dealer_id is not None and customer.dealer_id == actor.dealer_id
            ):
                return True
    if actor.has_role(Role.ENGINEER, Role.DEALER_STAFF) and asset.customer_id is not None:
        query = TicketFilter(customer_id=asset.customer_id)
        cursor: str | None = None
        while True:
            page = uow.tickets.query(query, PageRequest(limit=500, cursor=cursor))
            if any(t.asset_id == asset.id and ticket_readable(uow, actor, t) for t in page.items):
                return True
            cursor = page.next_cursor
            if cursor is None:
                return False
    return False


def require_asset_visible(uow: UnitOfWork, actor: Actor, asset_id: str) -> Asset:
    """The asset, or ``NotFound`` if it does not exist or ``actor`` may not know it."""
    asset = uow.assets.get(asset_id)
    if not asset_visible(uow, actor, asset):
        raise NotFound("asset", asset_id)
    return asset


def sees_every(actor: Actor, allowed: Collection[Role] = frozenset(Role)) -> bool:
    """Whether one of ``actor``'s roles that may run the read (``allowed``) reads every record: the
    office, auditors, the system. A customer who is also an agent sees all; a customer who is also a
    privacy officer does not, when the read is not the privacy officer's."""
    return any(role in _SEE_ALL and role in allowed for role in actor.roles)


def acts_as_dealer_staff(actor: Actor, allowed: Collection[Role] = frozenset(Role)) -> bool:
    """Whether ``actor`` acts as dealer staff: it holds that role and none of its roles that ``allowed``
    lets run the step is one that reads every record (an office role lifts the dealer's limits; a
    customer's role beside it lifts nothing)."""
    return actor.has_role(Role.DEALER_STAFF) and not sees_every(actor, allowed)


def party_visible(
    actor: Actor,
    *,
    customer_id: str | None = None,
    region: str | None = None,
    dealer_id: str | None = None,
    allowed: Collection[Role] = frozenset(Role),
) -> bool:
    """May ``actor`` know a record held for ``customer_id`` (of ``region``) or for ``dealer_id``?

    Each of its roles that may run the read (``allowed``) may grant it: the office, auditors and the
    system every record; a customer its own (``customer_id``); dealer staff their dealer's
    (``dealer_id``) and their regions' (``region``). Pass only what the record's scope is made of: a
    contract signed with a dealer names no region (another dealer of the region does not read it).
    """
    for role in actor.roles:
        if role not in allowed:
            continue
        if role in _SEE_ALL:
            return True
        if role is Role.CUSTOMER and customer_id is not None and actor.customer_id == customer_id:
            return True
        if role is Role.DEALER_STAFF and (
            (dealer_id is not None and dealer_id == actor.dealer_id)
            or (region is not None and region in actor.regions)
        ):
            return True
    return False


def contract_visible(
    actor: Actor,
    contract: ServiceContract,
    customer_region: str | None,
    allowed: Collection[Role] = frozenset(Role),
) -> bool:
    """May ``actor`` see ``contract``? Customers their own; dealer staff their dealer's or, for a contract
    signed with no dealer, their regions' (the holder customer's ``customer_region``). Any of the actor's
    roles that may run the read (``allowed``) may grant it."""
    region = customer_region if contract.dealer_id is None else None
    return party_visible(
        actor, customer_id=contract.customer_id, region=region, dealer_id=contract.dealer_id, allowed=allowed
    )


def reads_whole(actor: Actor, ticket: Ticket) -> bool:
    """Does ``actor`` read ``ticket`` whole, as staff (internal notes, the staff's words on their steps,
    the dealer's side of the charges, the office's deliberation on a complaint), rather than as its
    customer reads it?

    Only a role other than customer may grant it, and only for a ticket that role may read: a dealer's
    staff member who is also a customer reads their own ticket, handled by another dealer, as its
    customer. Dealer staff read whole their dealer's jobs only (its customers' and units' tickets, a
    call passed to it): a second dealer of the region reads the first dealer's ticket for the region's
    callbacks (seed 002: 乙方有义务配合甲方对本区域的用户进行回访和满意度调查工作), which is what the
    customer reads of it, not the first dealer's internals (乙方负责所售产品的全过程服务: the job is
    the first dealer's)."""
    roles = actor.roles
    if Role.DEALER_STAFF in roles and dealers_job(actor, ticket):
        return True
    others = roles - _BY_CUSTOMER
    if not others:
        return False
    if roles == others:
        return True  # the office, auditors, the system, engineers: whole, wherever they read
    return can_read_as(actor, ticket, others)


def reads_dealer_side(actor: Actor, ticket: Ticket) -> bool:
    """Does ``actor`` read what is between the maker and ``ticket``'s dealer: the maker's price to the
    dealer on the charge lines, the dealer's purchase quote and its slip? Staff who read the ticket whole
    do, except dealer staff of another dealer: a second dealer of the region reads the ticket (its
    region's customer) but not the first dealer's purchase. The purchase is the ticket's dealer's (the
    dealer doing the job, who owes its slip: :func:`purchasing_dealer`)."""
    if not reads_whole(actor, ticket):
        return False
    if Role.DEALER_STAFF not in actor.roles:
        return True
    if can_read_as(actor, ticket, _NOT_BY_CUSTOMER):
        return True  # an office role or an engineer's reads it whole
    return actor.dealer_id is not None and actor.dealer_id == purchasing_dealer(ticket)


def slip_as_seen_by(actor: Actor, slip: FeeSlip, ticket: Ticket) -> FeeSlip:
    """``slip`` as ``actor`` reads it: the maker's cost prices of its free parts (``cost_prices``, what the
    cost figures count them at) are between the maker and the dealer (:func:`reads_dealer_side`), so the
    customer, or another dealer of the region, reads the slip without them. The stored slip is unchanged."""
    return slip if reads_dealer_side(actor, ticket) else slip.without_cost_prices()


def customer_slip_readable(actor: Actor, slip: FeeSlip, ticket: Ticket) -> bool:
    """May ``actor`` read ``slip``, a fee slip the customer owes on ``ticket`` (a ticket it reads)? Staff
    who read the ticket whole, and the customer who owes it; a second dealer of the region, which reads
    the ticket as its customer does, does not read the first dealer's slips to its customer."""
    return reads_whole(actor, ticket) or (
        actor.has_role(Role.CUSTOMER)
        and actor.customer_id is not None
        and slip.owed_by_customer(actor.customer_id)
    )


def purchasing_dealer(ticket: Ticket) -> str | None:
    """The dealer whose business a ticket's money and parts are: the dealer doing the job.

    Seed 002: the dealer who repairs charges the user its local fees (11: 乙方…向用户收取维修费;
    各特约承销商可根据当地实际情况收费), buys the parts from the maker at cost
    (上海维娜斯仅按成本价向各特约承销商收取材料费) and returns the parts replaced
    (乙方需按时退回换下的配件). So it is the dealer holding the ticket — the dealer it is dispatched to,
    or whose own engineer it is assigned to (a call passed to another dealer than the customer's own,
    甲方的电话通知, is that dealer's business) — else the ticket's own dealer (the customer's or the
    unit's: its call handled by the maker's people, or not dispatched yet). ``None`` when neither.
    """
    return job_dealer(ticket)


def chosen_id_space(actor: Actor, allowed: Collection[Role]) -> str | None:
    """The id space in which ``actor`` names a new record of a create open to ``allowed``: ``None`` (any
    id) for a caller that reads every record (the office, auditors, the system); else its own — its
    dealer's for dealer staff, its own for a customer (:func:`check_chosen_id`)."""
    if sees_every(actor, allowed):
        return None
    if actor.has_role(Role.DEALER_STAFF) and actor.dealer_id is not None and Role.DEALER_STAFF in allowed:
        return actor.dealer_id
    if actor.has_role(Role.CUSTOMER) and actor.customer_id is not None and Role.CUSTOMER in allowed:
        return actor.customer_id
    return actor.id


def check_chosen_id(actor: Actor, allowed: Collection[Role], kind: str, new_id: str, field: str) -> None:
    """Refuse a new record's id that ``actor`` chose outside its own id space (``ValidationError``).

    The rule for every create that takes its id from the caller: an id names a record, and a caller
    whose reads are scoped may not learn through a create that a record it cannot read holds an id (a
    ``DuplicateError`` where a read of the same id answers ``NotFound``). So it names new records in
    its own space only — ``<dealer id>:<name>`` for dealer staff (``dealer-sh:HT-2026-01``; its name
    without a colon) — where only it, and the office, create. The refusal depends on the id alone,
    never on what is stored; a taken id in its space is its own record's (or one the office put
    there). A caller that reads every record names any id; a taken one is ``DuplicateError``.
    """
    space = chosen_id_space(actor, allowed)
    if space is None:
        return
    owner, colon, name = new_id.rpartition(":")
    if colon and owner == space and name:
        return
    raise ValidationError(
        f"a new {kind}'s id you choose is one of your own id space, '{space}:<name>' (no colon in "
        f"the name), not {new_id!r}",
        field=field,
    )


def ticket_readable(uow: UnitOfWork, actor: Actor, ticket: Ticket) -> bool:
    """:func:`can_read` with the assigned engineer's team read from ``uow`` when it may matter (the actor
    is an engineer of a team): a record of a ticket (its unit, its parts request, a resolution) is
    readable wherever the ticket is, a teammate's ticket included."""
    team: str | None = None
    assignee = ticket.assignee
    if (
        actor.team is not None
        and actor.has_role(Role.ENGINEER)
        and assignee is not None
        and assignee.kind is AssigneeKind.ENGINEER
    ):
        try:
            team = uow.engineers.get(assignee.id).team
        except NotFound:
            team = None
    return can_read(actor, ticket, team)


def engineer_serves(uow: UnitOfWork, actor: Actor, customer_id: str) -> bool:
    """Does ``actor``, as an engineer, serve ``customer_id``: may it read one of the customer's tickets
    (assigned to it or its team, a critical ticket's team it was added to, a complaint referred to it)?

    An engineer's scope is made of the tickets it works, not of customers: the customers it knows are
    those of its tickets. What it does for a customer outside them (open a complaint about them) it may
    not do, and it must not learn that such a customer exists.
    """
    if not actor.has_role(Role.ENGINEER):
        return False
    engineer = frozenset({Role.ENGINEER})
    return any_ticket_of(
        uow,
        customer_id,
        lambda ticket: can_read_as(actor, ticket, engineer, _assignee_team(uow, actor, ticket)),
    )


def any_ticket_of(uow: UnitOfWork, customer_id: str, test: Callable[[Ticket], bool]) -> bool:
    """Whether one of ``customer_id``'s tickets passes ``test``, read a page at a time and stopping at the
    first (an engineer's or a dealer's scope made of the jobs it holds: :func:`engineer_serves`,
    :func:`~aftersales.service.dealer_serves.dealer_serves`)."""
    query = TicketFilter(customer_id=customer_id)
    cursor: str | None = None
    while True:
        page = uow.tickets.query(query, PageRequest(limit=500, cursor=cursor))
        if any(test(ticket) for ticket in page.items):
            return True
        cursor = page.next_cursor
        if cursor is None:
            return False


def ticket_readable_as(uow: UnitOfWork, actor: Actor, ticket: Ticket, roles: frozenset[Role]) -> bool:
    """:func:`can_read_as` with the assigned engineer's team read from ``uow``: a record listed by one
    permission-table entry (an SLA alert) is readable by an engineer wherever its ticket is, a team-mate's
    ticket included (the ticket read's team rule)."""
    return can_read_as(actor, ticket, roles, _assignee_team(uow, actor, ticket))


def _assignee_team(uow: UnitOfWork, actor: Actor, ticket: Ticket) -> str | None:
    assignee = ticket.assignee
    if actor.team is None or assignee is None or assignee.kind is not AssigneeKind.ENGINEER:
        return None
    try:
        return uow.engineers.get(assignee.id).team
    except NotFound:
        return None


def ticket_id_readable(uow: UnitOfWork, actor: Actor, ticket_id: str) -> bool:
    """:func:`ticket_readable` of the ticket ``ticket_id`` (False when there is no such ticket): the read
    rule of a record that names its ticket (a slip, a parts request, a remote resolution)."""
    try:
        ticket = uow.tickets.get(ticket_id)
    except NotFound:
        return False
    return ticket_readable(uow, actor, ticket)
