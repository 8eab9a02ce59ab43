"""The loan ledger (用户借料盘点表) of one party: parts out on loan, what came back, what was charged.

Seed 002 (退料): every free part a dealer or engineer receives is on loan until the replaced old part is
back at the receiving location; not back in time, the party is taken to keep it (视用户对该材料为事实占有)
and is charged. Gifts, office supplies, brochures and samples, items already charged and specially
approved items are never on the ledger (赠送品 / 办公用品 / 宣传资料 / 已收费的材料 不计入盘点表; 特批的项目按
特批的内容处理). A count of the party's stock is compared with the ledger: surplus (盘盈) and shortage (盘亏)
per part. A shortage is charged as kept only on issue lines past their deadline (before it, the part may
still come back; it is reported as pending). A surplus — counted or received but never lent — charges
no one and lends nothing: it is recorded as a :class:`SurplusItem` for review.

``due_at`` is the first instant a part is late: with "within 30 days" counted in whole local days, the
end of the 30th day, i.e. local midnight starting the 31st. A line is overdue from that instant on.

Every booking has a deterministic key (``issue:<request>:<part>``, ``return:<return>``,
``chargeback:<issue key>``, ``reconcile:<reference>:…``); a key is booked once, so a job that runs twice
books nothing the second time. Each issue line tracks its outstanding quantity, so
``balance = issued − returned − charged`` per part, and the balance and the overdue list are read from
running totals rather than recomputed from the whole history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import ClassVar

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.call_shape import host_factories
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.materials import ItemKind, MaterialsLine, PartyRef
from aftersales.domain.money import Money
from aftersales.domain.part_numbers import PART_NUMBER_PATTERN, check_part_number
from aftersales.domain.reasons import Reason
from aftersales.domain.surplus_review import SurplusClosure, SurplusOutcome
from aftersales.domain.text import required_text
from aftersales.domain.work import aware, optional_aware
from aftersales.errors import DuplicateError, NotFound, PolicyError, ValidationError

__all__ = [
    "ArrivedReturn",
    "Chargeback",
    "EntryKind",
    "LedgerEntry",
    "LoanLedger",
    "OverdueItem",
    "Reconciliation",
    "ReconciliationLine",
    "SurplusItem",
    "exclusion_reason",
]


class EntryKind(CodedEnum):
    """A ledger booking: parts out on loan, old parts back, parts charged as kept, or such a charge
    waived (its fee slip cancelled: the line is out again, not charged)."""

    ISSUED = "issued"
    RETURNED = "returned"
    CHARGED = "charged"
    WAIVED = "waived"


def _kind(value: str) -> EntryKind:
    try:
        return EntryKind(value)
    except ValueError:
        raise ValidationError(f"unknown ledger entry kind {value!r}", field="kind") from None


def _reasons(value: Iterable[Reason]) -> tuple[Reason, ...]:
    return tuple(value)


def _positive(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValidationError(
            f"{attribute.name} must be a positive whole number", field=attribute.name, rule="positive"
        )


@attrs.frozen
class LedgerEntry:
    """One booking. ``issue_key`` names the issue line a return or charge settles (``None`` on issues).

    ``due_at`` is the return deadline of an issue line (``None``: no deadline, e.g. a counted surplus).
    ``source`` says what booked it: ``request``, ``return``, ``chargeback``, ``reconciliation``,
    ``quote`` (an accepted quote charged the part: it is off loan) or ``waiver`` (a chargeback's slip
    cancelled: the charge is taken back and the part is out again).
    """

    key: str = attrs.field(validator=required_text(200))
    kind: EntryKind = attrs.field(converter=_kind)
    part: str
    quantity: int = attrs.field(validator=_positive)
    at: datetime = attrs.field(validator=aware)
    by: ActorRef
    source: str
    issue_key: str | None = None
    due_at: datetime | None = attrs.field(default=None, validator=optional_aware)
    request_id: str | None = None
    reasons: tuple[Reason, ...] = attrs.field(default=(), converter=_reasons)

    def __attrs_post_init__(self) -> None:
        check_part_number(self.part)
        if (self.kind is EntryKind.ISSUED) != (self.issue_key is None):
            raise ValidationError(
                "returns and charges settle an issue line; issues settle none", field="issue_key"
            )


@attrs.frozen
class Chargeback:
    """A part kept by the party and charged at the price list: the event and its charge line."""

    key: str
    party: PartyRef
    issue_key: str
    request_id: str | None
    part: str
    quantity: int
    line: ChargeLine
    at: datetime = attrs.field(validator=aware)
    by: ActorRef
    reasons: tuple[Reason, ...] = attrs.field(converter=_reasons)


@attrs.frozen
class OverdueItem:
    """An issue line past its deadline with parts still out."""

    issue_key: str
    request_id: str | None
    part: str
    outstanding: int
    due_at: datetime


@attrs.frozen
class ArrivedReturn:
    """An old part registered at the receiving location and not yet booked (awaiting inspection).

    Returning is the part's arrival at the receiving location (台州为退料的唯一接收地): one that arrived
    before its line's deadline was returned in time, however long the inspection takes.
    """

    request_id: str
    part: str
    quantity: int
    arrived_at: datetime = attrs.field(validator=aware)


@attrs.frozen
class SurplusItem:
    """Parts the party holds or sent back that were never lent (盘盈): recorded for review, charged to no one.

    ``source`` is ``reconciliation`` (a count found more) or ``return`` (a return beyond what is out);
    ``reference`` the count sheet or the return.
    """

    key: str = attrs.field(validator=required_text(200))
    part: str
    quantity: int = attrs.field(validator=_positive)
    at: datetime = attrs.field(validator=aware)
    by: ActorRef
    source: str
    reference: str
    reasons: tuple[Reason, ...] = attrs.field(default=(), converter=_reasons)

    def __attrs_post_init__(self) -> None:
        check_part_number(self.part)


@attrs.frozen
class ReconciliationLine:
    """One part of a count: on loan by the ledger, surplus already under review, counted, and the difference.

    ``pending`` is the part of the shortage on lines not yet due: reported, not charged. ``waived`` is
    the part of it whose charge the office waived (退料 1 with 其他 3 相关费用及时与用户协商解决): excused,
    neither charged again nor pending — no deadline is left to charge it at.
    """

    part: str
    on_loan: int
    counted: int
    in_review: int = 0
    pending: int = 0
    waived: int = 0

    @property
    def surplus(self) -> int:
        """盘盈: counted beyond the ledger and the surplus already recorded for review."""
        return max(self.counted - self.on_loan - self.in_review, 0)

    @property
    def shortage(self) -> int:
        """盘亏: on the ledger but not counted."""
        return max(self.on_loan - self.counted, 0)


@attrs.frozen
class Reconciliation:
    """The comparison of a counted stock list with the ledger, and the bookings that settle it.

    A surplus is recorded for review (``surplus_items``: nothing booked, nobody charged); a shortage is
    charged as kept on overdue issue lines, oldest first; what is short on lines not yet due is
    ``pending`` (charged by the overdue job if still missing at the deadline); what is short of parts
    whose charge was waived is ``waived`` (excused: not charged, not pending).
    """

    party: PartyRef
    reference: str
    at: datetime
    lines: tuple[ReconciliationLine, ...]
    bookings: tuple[LedgerEntry, ...]
    chargebacks: tuple[Chargeback, ...]
    surplus_items: tuple[SurplusItem, ...] = ()

    @property
    def pending(self) -> Mapping[str, int]:
        """Shortage per part on lines not yet due (not charged yet)."""
        return MappingProxyType({line.part: line.pending for line in self.lines if line.pending})

    @property
    def waived(self) -> Mapping[str, int]:
        """Shortage per part excused by a waived charge (neither charged nor pending)."""
        return MappingProxyType({line.part: line.waived for line in self.lines if line.waived})

    @property
    def surplus(self) -> Mapping[str, int]:
        """Surplus per part (parts with none left out)."""
        return MappingProxyType({line.part: line.surplus for line in self.lines if line.surplus})

    @property
    def shortage(self) -> Mapping[str, int]:
        """Shortage per part (parts with none left out)."""
        return MappingProxyType({line.part: line.shortage for line in self.lines if line.shortage})


_WAIVED_BACK = "waived_part_back"

_CHARGEBACK_SOURCES = frozenset({"chargeback", "reconciliation"})
"""The sources of a charge for a part kept (the overdue job's, a count's): the charges one may waive."""


def _back_reasons(part: str, back: int) -> tuple[Reason, ...]:
    """The reason a return carries when it brings back ``back`` waived parts (none when 0)."""
    return (Reason(_WAIVED_BACK, {"part": part, "quantity": back}),) if back > 0 else ()


def _waived_back(entry: LedgerEntry) -> int:
    """How many waived parts a return brought back (its ``waived_part_back`` reason)."""
    return sum(int(str(r.params["quantity"])) for r in entry.reasons if r.code == _WAIVED_BACK)


def exclusion_reason(line: MaterialsLine, chargeable: bool) -> str | None:
    """Why ``line`` never goes on the loan ledger (a reason code), or ``None`` when it does."""
    if line.kind is not ItemKind.PART:
        return f"excluded_{line.kind.value}"
    if line.charged(chargeable):
        return "excluded_already_charged"
    if line.special_approval is not None:
        return "excluded_special_approval"
    return None


@host_factories
@attrs.define
class LoanLedger:
    """The ledger of one party, stored as one document (id ``dealer:D1``)."""

    DOCUMENT_KIND: ClassVar[str] = "loan_ledger"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("party_kind",)

    id: str
    party: PartyRef
    entries: list[LedgerEntry] = attrs.field(factory=list)
    chargebacks: list[Chargeback] = attrs.field(factory=list)
    surplus: list[SurplusItem] = attrs.field(factory=list)
    """Surplus recorded for review (盘盈): never lent, charged to no one."""
    surplus_closed: list[SurplusClosure] = attrs.field(factory=list)
    """Surplus reviews the office closed (:meth:`close_surplus`), oldest first."""
    reminded: list[str] = attrs.field(factory=list)
    """Issue lines whose party was reminded to return the part before its deadline (once each)."""
    party_kind: str = ""
    version: int = 0
    # Running figures, rebuilt from the entries on load, never stored.
    _keys: set[str] = attrs.field(init=False, factory=set, eq=False, repr=False)
    _balance: dict[str, int] = attrs.field(init=False, factory=dict, eq=False, repr=False)
    _totals: dict[EntryKind, int] = attrs.field(init=False, factory=dict, eq=False, repr=False)
    _issues: dict[str, LedgerEntry] = attrs.field(init=False, factory=dict, eq=False, repr=False)
    _outstanding: dict[str, int] = attrs.field(init=False, factory=dict, eq=False, repr=False)
    _waived: dict[str, int] = attrs.field(init=False, factory=dict, eq=False, repr=False)
    """Per issue line, the waived parts still out: waived, less those booked back as waived parts."""

    def __attrs_post_init__(self) -> None:
        if self.id != self.party.key:
            raise ValidationError(f"the ledger of {self.party.key} has id {self.party.key}", field="id")
        self.party_kind = self.party.kind.value
        self._totals = dict.fromkeys(EntryKind, 0)
        for entry in self.entries:
            self._apply(entry)

    @classmethod
    def for_party(cls, party: PartyRef) -> LoanLedger:
        """An empty ledger for ``party``."""
        return cls(party.key, party)

    # -- bookings ------------------------------------------------------------------------------------

    def _apply(self, entry: LedgerEntry) -> None:
        self._keys.add(entry.key)
        self._totals[entry.kind] += entry.quantity
        if entry.kind is EntryKind.ISSUED:
            self._issues[entry.key] = entry
            self._outstanding[entry.key] = entry.quantity
            self._balance[entry.part] = self._balance.get(entry.part, 0) + entry.quantity
        elif entry.kind is EntryKind.WAIVED:  # a charge taken back: the part is out again
            assert entry.issue_key is not None
            self._outstanding[entry.issue_key] += entry.quantity
            self._waived[entry.issue_key] = self._waived.get(entry.issue_key, 0) + entry.quantity
            self._balance[entry.part] += entry.quantity
        else:
            assert entry.issue_key is not None
            self._outstanding[entry.issue_key] -= entry.quantity
            self._balance[entry.part] -= entry.quantity
            back = _waived_back(entry)
            if back:  # a waived part came back: it no longer stands excused on the line
                self._waived[entry.issue_key] = self._waived.get(entry.issue_key, 0) - back

    def _check(self, entry: LedgerEntry) -> None:
        if entry.key in self._keys:
            raise DuplicateError(f"booking {entry.key!r} is already on the ledger of {self.id}")
        if entry.kind is EntryKind.ISSUED:
            return
        issue = self._issues.get(entry.issue_key or "")
        if issue is None:
            raise NotFound("issue line", entry.issue_key)
        if issue.part != entry.part:
            raise ValidationError(f"issue line {issue.key} is for part {issue.part}", field="part")
        left = self._outstanding[issue.key]
        if entry.kind is not EntryKind.WAIVED and entry.quantity > left:
            raise PolicyError(
                f"{entry.quantity} × {entry.part} exceeds the {left} still out on {issue.key}",
                code="exceeds_outstanding",
            )

    def waived_out(self, issue_key: str) -> int:
        """Parts of one issue line whose charge the office waived and that are still out: never charged
        again (each part at most once), and not counted short by a stock count."""
        return min(self._waived.get(issue_key, 0), max(self._outstanding.get(issue_key, 0), 0))

    def _chargeable(self, issue_key: str, waiting: Mapping[str, int]) -> int:
        """What of an issue line may be charged: out, not arrived in time, not waived."""
        return self._outstanding[issue_key] - waiting.get(issue_key, 0) - self.waived_out(issue_key)

    def book(self, entry: LedgerEntry) -> LedgerEntry:
        """Book one entry; a key already booked raises :class:`DuplicateError`, nothing changes."""
        self._check(entry)
        self.entries.append(entry)
        self._apply(entry)
        return entry

    def has(self, key: str) -> bool:
        """Whether ``key`` is already booked."""
        return key in self._keys

    def issue(
        self,
        request_id: str,
        lines: Iterable[MaterialsLine],
        *,
        chargeable: bool,
        at: datetime,
        by: ActorRef,
        due_at: datetime,
    ) -> tuple[tuple[LedgerEntry, ...], tuple[Reason, ...]]:
        """Put the request's loanable lines on the ledger, due back at ``due_at``.

        Returns the entries booked (one per part) and, for every line left off, a reason
        (``excluded_gift``, ``excluded_already_charged``, …). Booking the same request twice raises.
        """
        aware(None, attrs.fields(LedgerEntry).due_at, due_at)
        wanted: dict[str, int] = {}
        skipped: list[Reason] = []
        for line in lines:
            why = exclusion_reason(line, chargeable)
            if why is None:
                wanted[line.part] = wanted.get(line.part, 0) + line.quantity
            else:
                skipped.append(Reason(why, {"part": line.part, "quantity": line.quantity}))
        entries = tuple(
            LedgerEntry(
                f"issue:{request_id}:{part}",
                EntryKind.ISSUED,
                part,
                quantity,
                at,
                by,
                "request",
                due_at=due_at,
                request_id=request_id,
            )
            for part, quantity in wanted.items()
        )
        for entry in entries:
            self._check(entry)
        for entry in entries:
            self.entries.append(entry)
            self._apply(entry)
        return entries, tuple(skipped)

    def charge_on_quote(
        self, request_id: str, parts: Mapping[str, int], quote_id: str, *, at: datetime, by: ActorRef
    ) -> tuple[LedgerEntry, ...]:
        """Settle what ``request_id`` still has out of ``parts`` (part → quantity an accepted quote
        charges) as charged: material charged is not on loan (已收费的材料不计入盘点表), so it is neither
        owed back nor charged back. Keyed ``quote:<quote>:<issue key>``, once; no chargeback is made."""
        made: list[LedgerEntry] = []
        for part, wanted in parts.items():
            issue_key = f"issue:{request_id}:{part}"
            key = f"quote:{quote_id}:{issue_key}"
            take = min(wanted, self._outstanding.get(issue_key, 0))
            if take <= 0 or key in self._keys:
                continue
            reason = Reason("charged_on_quote", {"quote_id": quote_id, "part": part, "quantity": take})
            entry = LedgerEntry(
                key, EntryKind.CHARGED, part, take, at, by, "quote",
                issue_key=issue_key, request_id=request_id, reasons=(reason,),
            )  # fmt: skip
            made.append(self.book(entry))
        return tuple(made)

    def redate(self, request_id: str, due_at: datetime) -> tuple[str, ...]:
        """Move the deadline of ``request_id``'s issue lines still out to ``due_at`` where that is later
        (the repair that took the old part out came after the receipt the deadline first ran from); a
        line re-dated may be reminded of again before its new deadline. Returns the issue keys moved."""
        aware(None, attrs.fields(LedgerEntry).due_at, due_at)
        moved: list[str] = []
        for index, entry in enumerate(self.entries):
            if (
                entry.kind is EntryKind.ISSUED
                and entry.request_id == request_id
                and self._outstanding.get(entry.key, 0) > 0
                and entry.due_at is not None
                and entry.due_at < due_at
            ):
                later = attrs.evolve(entry, due_at=due_at)
                self.entries[index] = self._issues[entry.key] = later
                moved.append(entry.key)
        if moved:
            self.reminded = [key for key in self.reminded if key not in moved]
        return tuple(moved)

    def open_issue(self, request_id: str, part: str) -> LedgerEntry:
        """The issue line of ``part`` on ``request_id`` (:class:`NotFound` if it was never on loan)."""
        issue = self._issues.get(f"issue:{request_id}:{part}")
        if issue is None:
            raise NotFound("loan of part", f"{part} on {request_id}")
        return issue

    def record_return(
        self, return_id: str, request_id: str, part: str, quantity: int, at: datetime, by: ActorRef
    ) -> LedgerEntry:
        """Book an accepted old-part return against its issue line (once per return)."""
        issue = self.open_issue(request_id, part)
        entry = LedgerEntry(
            f"return:{return_id}", EntryKind.RETURNED, part, quantity, at, by, "return",
            issue_key=issue.key, request_id=request_id,
        )  # fmt: skip
        return self.book(entry)

    def receive_return(
        self,
        return_id: str,
        request_id: str,
        part: str,
        quantity: int,
        at: datetime,
        by: ActorRef,
        arrived_at: datetime | None = None,
    ) -> tuple[LedgerEntry | None, SurplusItem | None]:
        """Take in a return: what is still out on its issue line is booked as returned, the rest (a part
        never lent, or already charged as kept) is recorded as surplus for review. Once per return.

        ``arrived_at`` (default ``at``): when the parts left the party. One that arrived at or after the
        line's deadline brings back a waived part first (every part not waived was due then, and is
        charged or awaited); one in time settles the parts not waived first. The choice is kept on the
        entry (reason ``waived_part_back``), so a later shortfall on the line is charged in full."""
        optional_aware(None, attrs.fields(LedgerEntry).at, arrived_at)
        key = f"return:{return_id}"
        if key in self._keys or any(s.key == key for s in self.surplus):
            raise DuplicateError(f"return {return_id!r} is already on the ledger of {self.id}")
        issue = self._issues.get(f"issue:{request_id}:{part}")
        left = self._outstanding.get(issue.key, 0) if issue is not None else 0
        take = min(left, quantity)
        entry = None
        if take and issue is not None:
            waived = self.waived_out(issue.key)
            late = issue.due_at is not None and (at if arrived_at is None else arrived_at) >= issue.due_at
            back = min(take, waived) if late else max(take - (left - waived), 0)
            entry = self.book(
                LedgerEntry(key, EntryKind.RETURNED, part, take, at, by, "return",
                            issue_key=issue.key, request_id=request_id, reasons=_back_reasons(part, back))
            )  # fmt: skip
        extra = None
        if quantity > take:
            why = "return_never_lent" if issue is None else "return_beyond_outstanding"
            extra = SurplusItem(
                key, part, quantity - take, at, by, "return", return_id,
                (Reason(why, {"part": part, "quantity": quantity - take, "request_id": request_id}),),
            )  # fmt: skip
            self.surplus.append(extra)
        return entry, extra

    def close_surplus(
        self, key: str, outcome: SurplusOutcome, at: datetime, by: ActorRef, note: str
    ) -> SurplusClosure:
        """Close the review of the surplus ``key`` (盘盈盘亏分析 settled): it leaves :attr:`surplus` for
        :attr:`surplus_closed` with ``outcome``. A surplus not under review is :class:`NotFound`; one
        closed already is refused (``PolicyError`` ``surplus_closed``), nothing changes."""
        item = next((s for s in self.surplus if s.key == key), None)
        if item is None:
            if any(c.key == key for c in self.surplus_closed):
                raise PolicyError(f"the review of surplus {key!r} is closed already", code="surplus_closed")
            raise NotFound("surplus for review", key)
        closure = SurplusClosure(
            item.key, item.part, item.quantity, item.source, item.reference, outcome, at, by, note
        )
        self.surplus.remove(item)
        self.surplus_closed.append(closure)
        return closure

    def in_review(self, part: str) -> int:
        """Surplus of ``part`` recorded for review."""
        return sum(s.quantity for s in self.surplus if s.part == part)

    def chargeback_overdue(
        self,
        at: datetime,
        by: ActorRef,
        price: Callable[[str], Money],
        arrived: Iterable[ArrivedReturn] = (),
        limit: int | None = None,
    ) -> tuple[Chargeback, ...]:
        """Charge every issue line past its deadline with parts still out, at ``price(part)`` each.

        Keyed ``chargeback:<issue key>``: however often this runs, a part is charged once. Prices are
        looked up first, so a part missing from the price list changes nothing. The parts of a line that
        arrived before its deadline and await inspection or a relay's count (``arrived``) wait for it:
        booked, they are back in time; rejected or counted short, the next run charges them (keyed
        ``chargeback:<issue key>:2``, ``:3``…). Only those wait: the rest of the line, never handed in,
        is charged at the deadline (退料 1: 若在规定时间内未退料…需收取相关费用). A charge the office
        waived is not charged again. ``limit``: charge at most that many lines, the oldest deadlines
        first (a bounded job's batch; the next run charges the rest).
        """
        waiting = self._in_time(arrived)
        keys = self._keys
        overdue = [
            attrs.evolve(item, outstanding=left)
            for item in self.overdue(at)
            if (left := self._chargeable(item.issue_key, waiting)) > 0
        ]
        if limit is not None:
            overdue = overdue[: max(limit, 0)]
        prices = {item.part: price(item.part) for item in overdue}
        made: list[tuple[LedgerEntry, Chargeback]] = []
        for item in overdue:
            key, n = f"chargeback:{item.issue_key}", 1
            while key in keys:  # a later charge of the line: parts that waited and did not come back
                n += 1
                key = f"chargeback:{item.issue_key}:{n}"
            reason = Reason(
                "part_not_returned",
                {"part": item.part, "quantity": item.outstanding, "due_at": item.due_at.isoformat()},
            )
            entry = LedgerEntry(
                key, EntryKind.CHARGED, item.part, item.outstanding, at, by, "chargeback",
                issue_key=item.issue_key, request_id=item.request_id, reasons=(reason,),
            )  # fmt: skip
            line = ChargeLine(ChargeKind.MATERIALS, item.part, prices[item.part], item.outstanding)
            made.append((entry, Chargeback(
                key, self.party, item.issue_key, item.request_id, item.part, item.outstanding, line, at, by,
                (reason,),
            )))  # fmt: skip
        for entry, chargeback in made:
            self.entries.append(entry)
            self._apply(entry)
            self.chargebacks.append(chargeback)
        return tuple(c for _, c in made)

    def waive_chargeback(
        self, charge_key: str, at: datetime, by: ActorRef
    ) -> tuple[LedgerEntry, LedgerEntry | None]:
        """Take back the charge ``charge_key`` (a chargeback's key: the overdue job's
        ``chargeback:<issue key>`` or a count's ``reconcile:<reference>:<issue key>``): its fee slip was
        cancelled (the office waived it, 其他 3 相关费用及时与用户协商解决), so the ledger no longer shows
        the part charged.

        The line is out again; a part sent back for it after the charge (surplus for review,
        ``return_beyond_outstanding``) settles it as returned and leaves the review, so the ledger, the
        books and the dealer's statement agree. Returns the waiver and that return (``None``: the part is
        not back, the line stays out). Once per charge (:class:`DuplicateError`); a charge not on the
        ledger is :class:`NotFound`; a material charged on an accepted quote (``quote:…``, not a
        chargeback: the customer bought it, no one kept a loan) is a ``ValidationError`` naming
        ``charge_key``, and nothing changes."""
        charge = next((e for e in self.entries if e.key == charge_key and e.kind is EntryKind.CHARGED), None)
        if charge is None or charge.issue_key is None:
            raise NotFound("chargeback", charge_key)
        if charge.source not in _CHARGEBACK_SOURCES:
            raise ValidationError(
                f"{charge_key!r} is a material charged on a quote, not a chargeback: there is no kept part's "
                "charge to waive",
                field="charge_key",
            )
        issue_key = charge.issue_key
        reason = Reason("chargeback_waived", {"part": charge.part, "quantity": charge.quantity})
        waiver = self.book(
            LedgerEntry(f"waiver:{charge_key}", EntryKind.WAIVED, charge.part, charge.quantity, at, by,
                        "waiver", issue_key=issue_key, request_id=charge.request_id, reasons=(reason,))
        )  # fmt: skip
        self.chargebacks = [c for c in self.chargebacks if c.key != charge_key]
        backs = [
            s for s in self.surplus if s.source == "return" and s.part == charge.part
            and any(r.code == "return_beyond_outstanding"
                    and r.params.get("request_id") == charge.request_id for r in s.reasons)
        ]  # fmt: skip
        if not backs:
            return waiver, None
        # Every part sent back after the charge settles the line, in one booking (keyed by the first).
        take = min(sum(b.quantity for b in backs), self._outstanding[issue_key])
        returned = self.book(
            LedgerEntry(f"{backs[0].key}:after_waiver", EntryKind.RETURNED, charge.part, take, at, by,
                        "return", issue_key=issue_key, request_id=charge.request_id,
                        reasons=_back_reasons(charge.part, min(take, self.waived_out(issue_key))))
        )  # fmt: skip
        left = take
        for back in backs:
            used = min(back.quantity, left)
            left -= used
            self.surplus.remove(back)
            if back.quantity > used:
                self.surplus.append(attrs.evolve(back, quantity=back.quantity - used))
        return waiver, returned

    # -- figures ---------------------------------------------------------------------------------------

    def balance(self) -> Mapping[str, int]:
        """Parts still out per part (zero balances left out)."""
        return {part: n for part, n in self._balance.items() if n}

    def balance_of(self, part: str) -> int:
        """Parts of ``part`` still out."""
        return self._balance.get(part, 0)

    @property
    def issued(self) -> int:
        """Total quantity ever issued on loan."""
        return self._totals[EntryKind.ISSUED]

    @property
    def returned(self) -> int:
        """Total quantity returned."""
        return self._totals[EntryKind.RETURNED]

    @property
    def charged(self) -> int:
        """Total quantity charged as kept, less the charges waived."""
        return self._totals[EntryKind.CHARGED] - self._totals[EntryKind.WAIVED]

    @property
    def outstanding(self) -> int:
        """Total quantity still out: issued − returned − charged."""
        return self.issued - self.returned - self.charged

    def outstanding_on(self, issue_key: str) -> int:
        """What is still out on one issue line."""
        try:
            return self._outstanding[issue_key]
        except KeyError:
            raise NotFound("issue line", issue_key) from None

    def _in_time(self, arrived: Iterable[ArrivedReturn]) -> dict[str, int]:
        """Per issue line, the quantity of ``arrived`` returns registered before its deadline."""
        waiting: dict[str, int] = {}
        for item in arrived:
            issue = self._issues.get(f"issue:{item.request_id}:{item.part}")
            if issue is not None and (issue.due_at is None or item.arrived_at < issue.due_at):
                waiting[issue.key] = waiting.get(issue.key, 0) + item.quantity
        return waiting

    def overdue(self, at: datetime, arrived: Iterable[ArrivedReturn] = ()) -> list[OverdueItem]:
        """Issue lines whose deadline has come (``due_at <= at``) with parts still out, oldest first.

        ``arrived``: returns registered and not yet booked; what arrived in time is not out.
        """
        aware(None, attrs.fields(LedgerEntry).at, at)
        waiting = self._in_time(arrived) if arrived else None
        if waiting:
            items = [
                OverdueItem(key, issue.request_id, issue.part, left - waiting.get(key, 0), issue.due_at)
                for key, left in self._outstanding.items()
                if left > waiting.get(key, 0)
                and (issue := self._issues[key]).due_at is not None
                and issue.due_at <= at
            ]
        else:  # the common case, as fast as before: nothing waits for inspection
            items = [
                OverdueItem(key, issue.request_id, issue.part, left, issue.due_at)
                for key, left in self._outstanding.items()
                if left > 0 and (issue := self._issues[key]).due_at is not None and issue.due_at <= at
            ]
        items.sort(key=lambda item: (item.due_at, item.issue_key))
        return items

    def due_soon(
        self, at: datetime, within: timedelta, arrived: Iterable[ArrivedReturn] = ()
    ) -> list[OverdueItem]:
        """Issue lines due after ``at`` and by ``at + within`` with parts still out and no reminder yet,
        soonest first: the parts to urge back before they are charged (督促用户在规定时间内退料).

        ``arrived``: returns registered and not yet booked; what already arrived is not out.
        """
        aware(None, attrs.fields(LedgerEntry).at, at)
        waiting = self._in_time(arrived) if arrived else {}
        done = set(self.reminded)
        items = [
            OverdueItem(key, issue.request_id, issue.part, left - waiting.get(key, 0), issue.due_at)
            for key, left in self._outstanding.items()
            if key not in done
            and left > waiting.get(key, 0)
            and (issue := self._issues[key]).due_at is not None
            and at < issue.due_at <= at + within
        ]
        items.sort(key=lambda item: (item.due_at, item.issue_key))
        return items

    def mark_reminded(self, issue_keys: Iterable[str]) -> None:
        """Record that the party was reminded of ``issue_keys`` (each once)."""
        done = set(self.reminded)
        for key in issue_keys:
            if key not in done and key in self._issues:
                done.add(key)
                self.reminded.append(key)

    # -- reconciliation --------------------------------------------------------------------------------

    def reconcile(
        self,
        counted: Mapping[str, int],
        *,
        reference: str,
        at: datetime,
        by: ActorRef,
        price: Callable[[str], Money],
        arrived: Iterable[ArrivedReturn] = (),
    ) -> Reconciliation:
        """Compare ``counted`` (part → quantity the party holds) with the ledger; nothing is booked yet.

        A line with a return that arrived before its deadline and awaits inspection (``arrived``) is not
        charged: its shortage is pending. Apply the result with :meth:`settle`.
        """
        waiting = self._in_time(arrived)
        aware(None, attrs.fields(LedgerEntry).at, at)
        required_text(64)(self, attrs.fields(LedgerEntry).key, reference)
        for part, quantity in counted.items():
            if not isinstance(part, str) or not PART_NUMBER_PATTERN.fullmatch(part):
                raise ValidationError(f"not a part number: {part!r}", field="counted")
            if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
                raise ValidationError(f"count of {part!r} must be a whole number ≥ 0", field="counted")
        if any(s.source == "reconciliation" and s.reference == reference for s in self.surplus) or any(
            k.startswith(f"reconcile:{reference}:") for k in self._keys
        ):
            raise DuplicateError(f"count sheet {reference!r} is already settled on the ledger of {self.id}")
        parts = sorted(set(self.balance()) | set(counted))
        bookings: list[LedgerEntry] = []
        chargebacks: list[Chargeback] = []
        surplus: list[SurplusItem] = []
        by_part: dict[str, list[str]] = {}
        # Per line past its deadline, what may be charged: the parts out less those that arrived in time
        # and await inspection or a relay's count (pending, as parts of lines not yet due are).
        chargeable: dict[str, int] = {}
        excused: dict[str, int] = {}  # per part, the waived parts still out: short, but owed by nobody
        for key, issue in sorted(self._issues.items(), key=lambda kv: (kv[1].at, kv[0])):
            excused[issue.part] = excused.get(issue.part, 0) + self.waived_out(key)
            # Only lines past their deadline are charged; before it the part may still come back.
            left = self._chargeable(key, waiting)  # a waived part is not counted short (退料 4)
            if left > 0 and issue.due_at is not None and issue.due_at <= at:
                by_part.setdefault(issue.part, []).append(key)
                chargeable[key] = left
        lines: list[ReconciliationLine] = []
        for part in parts:
            line = ReconciliationLine(part, self.balance_of(part), counted.get(part, 0), self.in_review(part))
            if line.surplus:
                surplus.append(
                    SurplusItem(
                        f"reconcile:{reference}:surplus:{part}", part, line.surplus, at, by,
                        "reconciliation", reference,
                        (Reason("count_surplus", {"reference": reference, "part": part,
                                                  "quantity": line.surplus}),),
                    )
                )  # fmt: skip
            short = line.shortage
            overdue = sum(chargeable[k] for k in by_part.get(part, ()))
            # The shortage is charged on the lines past their deadline, then excused by waived charges;
            # only what is left is pending (short on lines not yet due).
            waived = min(max(short - overdue, 0), excused.get(part, 0))
            lines.append(attrs.evolve(line, pending=max(short - overdue - waived, 0), waived=waived))
            if not short or not overdue:
                continue
            unit = price(line.part)
            for issue_key in by_part.get(line.part, ()):
                if not short:
                    break
                take = min(short, chargeable[issue_key])
                short -= take
                reason = Reason(
                    "count_shortage", {"reference": reference, "part": line.part, "quantity": take}
                )
                key = f"reconcile:{reference}:{issue_key}"
                entry = LedgerEntry(
                    key, EntryKind.CHARGED, line.part, take, at, by, "reconciliation",
                    issue_key=issue_key, request_id=self._issues[issue_key].request_id, reasons=(reason,),
                )  # fmt: skip
                bookings.append(entry)
                chargebacks.append(
                    Chargeback(
                        key,
                        self.party,
                        issue_key,
                        entry.request_id,
                        line.part,
                        take,
                        ChargeLine(ChargeKind.MATERIALS, line.part, unit, take),
                        at,
                        by,
                        (reason,),
                    )
                )
        return Reconciliation(
            self.party, reference, at, tuple(lines), tuple(bookings), tuple(chargebacks), tuple(surplus)
        )

    def settle(self, reconciliation: Reconciliation) -> None:
        """Book a reconciliation's entries (all or none); settling it twice raises :class:`DuplicateError`."""
        if reconciliation.party != self.party:
            raise ValidationError(f"reconciliation of {reconciliation.party.key} on {self.id}", field="party")
        for entry in reconciliation.bookings:
            self._check(entry)
        keys = {s.key for s in self.surplus}
        if any(item.key in keys for item in reconciliation.surplus_items):
            raise DuplicateError(f"count sheet {reconciliation.reference!r} is already settled")
        for entry in reconciliation.bookings:
            self.entries.append(entry)
            self._apply(entry)
        self.chargebacks.extend(reconciliation.chargebacks)
        self.surplus.extend(reconciliation.surplus_items)
