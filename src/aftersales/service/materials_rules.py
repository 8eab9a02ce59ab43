"""Rules the materials flows share: who answers for a party's parts, whose request a dealer may touch,
what a cancelled ticket stops, and the small checks every materials command makes (session 32: split
out of :mod:`aftersales.service.materials_desk`)."""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.bounds import check_bounded
from aftersales.domain.charges import QuoteState
from aftersales.domain.classification import TicketKind
from aftersales.domain.contact import Contact
from aftersales.domain.loan_ledger import LedgerEntry, LoanLedger
from aftersales.domain.materials import MaterialsRequest, PartyKind, PartyRef
from aftersales.domain.materials_workflow import MATERIALS_WORKFLOW
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import NotFound, PermissionDenied, PolicyError, ValidationError
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.permissions import MATERIALS_ROLES
from aftersales.service.scope import acts_as_dealer_staff, purchasing_dealer, sees_every

__all__ = [
    "DESK_ACTOR",
    "FORWARD_STEPS",
    "OFFICE",
    "USERS_ANSWER",
    "R",
    "answering_dealer",
    "charge_on_accepted_quotes",
    "check_actor",
    "check_dealer_side",
    "check_party",
    "check_run_limit",
    "contact_of",
    "engineer_dealer",
    "party_exists",
    "refuse_cancelled",
]


DESK_ACTOR = ActorRef("materials_desk", Role.SYSTEM)
"""Who a step the desk takes by itself is recorded as (the work resumed once a quote is accepted)."""

R = Role
OFFICE = frozenset({R.AGENT, R.MANAGER, R.DEPARTMENT_HEAD, R.GENERAL_MANAGER})
FORWARD_STEPS = frozenset({"check", "quote", "approve", "record_payment", "confirm_date", "pick", "ship"})
"""The steps that take a request towards shipping: none of them is taken for a job called off (a
cancelled ticket). Cancelling or declining the request, receiving what already shipped and paying back
a paid quote stay open."""
USERS_ANSWER = frozenset({"approve", "decline", "record_payment"})
"""The steps by which staff record the user's answer to (or payment of) the user's quote."""


def check_actor(actor: object) -> Actor:
    if not isinstance(actor, Actor):
        raise ValidationError("the first argument of every command is an Actor", field="actor")
    return actor


def check_run_limit(limit: object) -> None:
    """A batch's ``limit``: ``None`` (every line) or a whole number of lines from 1 to 1,000,000 (0 did
    nothing and said nothing, as a limit the job could never use)."""
    if limit is not None:
        check_bounded(limit, "limit", 1_000_000)


def contact_of(uow: UnitOfWork, party: PartyRef) -> Contact | None:
    """The contact of the dealer or engineer a ledger is kept for (``None``: unknown, or none given)."""
    try:
        holder = uow.dealers.get(party.id) if party.kind is PartyKind.DEALER else uow.engineers.get(party.id)
    except NotFound:
        return None
    return holder.contact


def charge_on_accepted_quotes(
    ticket: Ticket,
    ledger: LoanLedger,
    request_id: str,
    actor: Actor,
    now: datetime,
    voided: frozenset[str] = frozenset(),
) -> list[LedgerEntry]:
    """Settle as charged what ``request_id`` just put on loan and the ticket's accepted quotes charge
    beyond what they already took off loan on this ledger (已收费的材料不计入盘点表); not the ``voided``
    quotes, whose slips were cancelled unpaid (nothing is charged on them). Returns the entries booked."""
    made: list[LedgerEntry] = []
    if ticket.charges is None:
        return made
    for quote in ticket.charges.quotes:
        if quote.state is not QuoteState.ACCEPTED or quote.id in voided:
            continue
        left = quote.charged_parts
        for entry in ledger.entries:
            if entry.key.startswith(f"quote:{quote.id}:") and entry.part in left:
                left[entry.part] -= entry.quantity
        wanted = {part: n for part, n in left.items() if n > 0}
        if wanted:
            made.extend(ledger.charge_on_quote(request_id, wanted, quote.id, at=now, by=actor.ref))
    return made


def answering_dealer(uow: UnitOfWork, party: PartyRef) -> str | None:
    """The dealer that answers to the maker for ``party``'s parts: the dealer itself, or the dealer an
    engineer works for (乙方需按时退回换下的配件; 上海维娜斯仅按成本价向各特约承销商收取材料费: the dealer
    buys them at cost, owes the old ones back and keeps them on its books); ``None`` for the maker's own
    engineer."""
    return party.id if party.kind is PartyKind.DEALER else engineer_dealer(uow, party.id)


def party_exists(uow: UnitOfWork, party: PartyRef) -> str | None:
    """The dealer a party answers to (itself, or an engineer's employer; ``None``: the maker's own
    engineer); ``NotFound`` for a dealer or engineer that is not registered."""
    if party.kind is PartyKind.DEALER:
        return uow.dealers.get(party.id).id
    return uow.engineers.get(party.id).dealer_id


def check_dealer_side(uow: UnitOfWork, actor: Actor, request: MaterialsRequest, trigger: str) -> None:
    """A dealer's request is that dealer's business: its staff or the office price, answer and pay its
    purchase (保修期外甲方按成本价向乙方提供维修材料,款到发货: between the maker and that dealer), agree its
    shipping date, receive its parts (which starts the return deadline it answers for: 乙方需按时退回换下
    的配件) or call it off. Another dealer's staff who read the ticket — the customer's own dealer, when
    the call went to another — may not (``PermissionDenied``), as they may not file parts on its ledger
    (:func:`check_party`); the user's answer to the user's quote they may still record."""
    if not acts_as_dealer_staff(actor, MATERIALS_WORKFLOW.spec(trigger).roles):
        return
    dealer = answering_dealer(uow, request.party)
    if dealer is None or dealer == actor.dealer_id:
        return
    sheet, quote_id = request.charges, request.quote_id
    users_quote = sheet is not None and quote_id is not None and sheet.quote(quote_id).payer != "dealer"
    if trigger in USERS_ANSWER and users_quote:
        return  # the user's quote: staff record the user's answer
    raise PermissionDenied(
        str(actor), f"materials_{trigger}", request.id, rule="other_dealers_request", facts={"dealer": dealer}
    )


def refuse_cancelled(ticket: Ticket, what: str) -> None:
    """A cancelled ticket's job was called off: no parts are requested, checked, quoted, approved, paid,
    dated, picked or shipped for it (``PolicyError`` ``ticket_cancelled``; a paid quote is paid back)."""
    if ticket.state == TicketState.CANCELLED:
        if ticket.kind is TicketKind.COMPLAINT:  # a remedy's part: its complaint, named as such
            raise PolicyError(f"complaint {ticket.id} was cancelled: {what}", code="complaint_cancelled")
        raise PolicyError(f"ticket {ticket.id} was cancelled: {what}", code="ticket_cancelled")


def engineer_dealer(uow: UnitOfWork, engineer_id: str) -> str | None:
    """The dealer an engineer works for (``None``: the maker's own, or unknown)."""
    try:
        return uow.engineers.get(engineer_id).dealer_id
    except NotFound:
        return None


def check_party(uow: UnitOfWork, actor: Actor, party: PartyRef, ticket: Ticket) -> None:
    """The party a request names owes the old parts back and is charged for what it keeps (退料), so it
    must exist (``NotFound``), and dealer staff file only for their own dealer or its engineers: they
    cannot put parts on another dealer's loan ledger (``PermissionDenied``). An engineer files for
    itself, its own dealer and that dealer's engineers (a dealer's fitter), or the dealer whose job the
    ticket is (:func:`~aftersales.service.scope.purchasing_dealer`): not on another dealer's or a
    colleague's ledger either."""
    owner = party_exists(uow, party)
    if sees_every(actor, MATERIALS_ROLES["materials_request"]):
        return  # the office files for anyone
    # Dealer staff who also work in the office file for anyone; a further role of another kind (a
    # customer, an engineer) does not lift the rule.
    if actor.has_role(R.DEALER_STAFF):
        if owner != actor.dealer_id:
            raise PermissionDenied(str(actor), "materials_request", party.key, rule="beyond_own_dealer")
        return
    me = actor.engineer_id or actor.id
    mine = engineer_dealer(uow, me)
    if not (
        (party.kind is PartyKind.ENGINEER and party.id == me)
        or (mine is not None and owner == mine)
        or (party.kind is PartyKind.DEALER and party.id == purchasing_dealer(ticket))
    ):
        raise PermissionDenied(str(actor), "materials_request", party.key, rule="other_party_materials")
