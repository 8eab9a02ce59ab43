"""The loan ledger (用户借料盘点表) of one party: parts out on loan, what came back, what was charged.

Seed 002 (退料): every free part a dealer or engineer receives is on loan until the replaced old part is
back at the receiving location; not back in time, the party is taken to keep it (视用户对该材料为事实占有)
and is charged. Gifts, office supplies, brochures and samples, items already charged and specially
approved items are never on the ledger (赠送品 / 办公用品 / 宣传资料 / 已收费的材料 不计入盘点表; 特批的项目按
特批的内容处理). A count of the party's stock is compared with the ledger: surplus (盘盈) and shortage (盘亏)
per part, settled by bookings.

Every booking has a deterministic key (``issue:<request>:<part>``, ``return:<return>``,
``chargeback:<issue key>``, ``reconcile:<reference>:…``); a key is booked once, so a job that runs twice
books nothing the second time. Each issue line tracks its outstanding quantity, so
``balance = issued − returned − charged`` per part, and the balance and the overdue list are read from
running totals rather than recomputed from the whole history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import ClassVar

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.materials import ItemKind, MaterialsLine, PartyRef
from aftersales.domain.money import Money
from aftersales.domain.part_numbers import PART_NUMBER_PATTERN, check_part_number
from aftersales.domain.reasons import Reason
from aftersales.domain.text import required_text
from aftersales.domain.work import aware, optional_aware
from aftersales.errors import DuplicateError, NotFound, PolicyError, ValidationError

__all__ = [
    "Chargeback",
    "EntryKind",
    "LedgerEntry",
    "LoanLedger",
    "OverdueItem",
    "Reconciliation",
    "ReconciliationLine",
    "exclusion_reason",
]


class EntryKind(StrEnum):
    """A ledger booking: parts out on loan, old parts back, or parts charged as kept."""

    ISSUED = "issued"
    RETURNED = "returned"
    CHARGED = "charged"


def _kind(value: str) -> EntryKind:
    try:
        return EntryKind(value)
    except ValueError:
        raise ValidationError(f"unknown ledger entry kind {value!r}", field="kind") from None


def _reasons(value: Iterable[Reason]) -> tuple[Reason, ...]:
    return tuple(value)


def _positive(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValidationError(f"{attribute.name} must be a positive whole number", field=attribute.name)


@attrs.frozen
class LedgerEntry:
    """One booking. ``issue_key`` names the issue line a return or charge settles (``None`` on issues).

    ``due_at`` is the return deadline of an issue line (``None``: no deadline, e.g. a counted surplus).
    ``source`` says what booked it: ``request``, ``return``, ``chargeback`` or ``reconciliation``.
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
class ReconciliationLine:
    """One part of a count: on loan by the ledger, counted, and the difference as surplus or shortage."""

    part: str
    on_loan: int
    counted: int

    @property
    def surplus(self) -> int:
        """盘盈: counted beyond the ledger."""
        return max(self.counted - self.on_loan, 0)

    @property
    def shortage(self) -> int:
        """盘亏: on the ledger but not counted."""
        return max(self.on_loan - self.counted, 0)


@attrs.frozen
class Reconciliation:
    """The comparison of a counted stock list with the ledger, and the bookings that settle it.

    A surplus is booked as an issue without a deadline (the party holds it, so it is on loan); a
    shortage is charged as kept, oldest issue lines first.
    """

    party: PartyRef
    reference: str
    at: datetime
    lines: tuple[ReconciliationLine, ...]
    bookings: tuple[LedgerEntry, ...]
    chargebacks: tuple[Chargeback, ...]

    @property
    def surplus(self) -> Mapping[str, int]:
        """Surplus per part (parts with none left out)."""
        return MappingProxyType({line.part: line.surplus for line in self.lines if line.surplus})

    @property
    def shortage(self) -> Mapping[str, int]:
        """Shortage per part (parts with none left out)."""
        return MappingProxyType({line.part: line.shortage for line in self.lines if line.shortage})


def exclusion_reason(line: MaterialsLine, chargeable: bool) -> str | None:
    """Why ``line`` never goes on the loan ledger (a reason code), or ``None`` when it does."""
    if line.kind is not ItemKind.PART:
        return f"excluded_{line.kind.value}"
    if chargeable:
        return "excluded_already_charged"
    if line.special_approval is not None:
        return "excluded_special_approval"
    return None


@attrs.define
class LoanLedger:
    """The ledger of one party, stored as one document (id ``dealer:D1``)."""

    DOCUMENT_KIND: ClassVar[str] = "loan_ledger"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("party_kind",)

    id: str
    party: PartyRef
    entries: list[LedgerEntry] = attrs.field(factory=list)
    chargebacks: list[Chargeback] = attrs.field(factory=list)
    party_kind: str = ""
    version: int = 0
    # Running figures, rebuilt from the entries on load, never stored.
    _keys: set[str] = attrs.field(init=False, factory=set, eq=False, repr=False)
    _balance: dict[str, int] = attrs.field(init=False, factory=dict, eq=False, repr=False)
    _totals: dict[EntryKind, int] = attrs.field(init=False, factory=dict, eq=False, repr=False)
    _issues: dict[str, LedgerEntry] = attrs.field(init=False, factory=dict, eq=False, repr=False)
    _outstanding: dict[str, int] = attrs.field(init=False, factory=dict, eq=False, repr=False)

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
        else:
            assert entry.issue_key is not None
            self._outstanding[entry.issue_key] -= entry.quantity
            self._balance[entry.part] -= entry.quantity

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
        if entry.quantity > left:
            raise PolicyError(
                f"{entry.quantity} × {entry.part} exceeds the {left} still out on {issue.key}",
                code="exceeds_outstanding",
            )

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

    def chargeback_overdue(
        self, at: datetime, by: ActorRef, price: Callable[[str], Money]
    ) -> tuple[Chargeback, ...]:
        """Charge every issue line past its deadline with parts still out, at ``price(part)`` each.

        Keyed ``chargeback:<issue key>``: a line is charged once, however often this runs. Prices are
        looked up first, so a part missing from the price list changes nothing.
        """
        overdue = self.overdue(at)
        prices = {item.part: price(item.part) for item in overdue}
        made: list[tuple[LedgerEntry, Chargeback]] = []
        for item in overdue:
            key = f"chargeback:{item.issue_key}"
            if key in self._keys:
                continue
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
        """Total quantity charged as kept."""
        return self._totals[EntryKind.CHARGED]

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

    def overdue(self, at: datetime) -> list[OverdueItem]:
        """Issue lines whose deadline is before ``at`` with parts still out, oldest deadline first."""
        aware(None, attrs.fields(LedgerEntry).at, at)
        items = [
            OverdueItem(key, issue.request_id, issue.part, left, issue.due_at)
            for key, left in self._outstanding.items()
            if left > 0 and (issue := self._issues[key]).due_at is not None and issue.due_at < at
        ]
        items.sort(key=lambda item: (item.due_at, item.issue_key))
        return items

    # -- reconciliation --------------------------------------------------------------------------------

    def reconcile(
        self,
        counted: Mapping[str, int],
        *,
        reference: str,
        at: datetime,
        by: ActorRef,
        price: Callable[[str], Money],
    ) -> Reconciliation:
        """Compare ``counted`` (part → quantity the party holds) with the ledger; nothing is booked yet.

        Apply the result with :meth:`settle`.
        """
        aware(None, attrs.fields(LedgerEntry).at, at)
        required_text(64)(self, attrs.fields(LedgerEntry).key, reference)
        for part, quantity in counted.items():
            if not isinstance(part, str) or not PART_NUMBER_PATTERN.fullmatch(part):
                raise ValidationError(f"not a part number: {part!r}", field="counted")
            if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
                raise ValidationError(f"count of {part!r} must be a whole number ≥ 0", field="counted")
        parts = sorted(set(self.balance()) | set(counted))
        lines = tuple(ReconciliationLine(p, self.balance_of(p), counted.get(p, 0)) for p in parts)
        bookings: list[LedgerEntry] = []
        chargebacks: list[Chargeback] = []
        by_part: dict[str, list[str]] = {}
        for key, issue in sorted(self._issues.items(), key=lambda kv: (kv[1].at, kv[0])):
            if self._outstanding[key] > 0:
                by_part.setdefault(issue.part, []).append(key)
        for line in lines:
            if line.surplus:
                bookings.append(
                    LedgerEntry(
                        f"reconcile:{reference}:surplus:{line.part}",
                        EntryKind.ISSUED,
                        line.part,
                        line.surplus,
                        at,
                        by,
                        "reconciliation",
                        reasons=(Reason("count_surplus", {"reference": reference}),),
                    )
                )
            short = line.shortage
            if not short:
                continue
            unit = price(line.part)
            for issue_key in by_part.get(line.part, ()):
                if not short:
                    break
                take = min(short, self._outstanding[issue_key])
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
        return Reconciliation(self.party, reference, at, lines, tuple(bookings), tuple(chargebacks))

    def settle(self, reconciliation: Reconciliation) -> None:
        """Book a reconciliation's entries (all or none); settling it twice raises :class:`DuplicateError`."""
        if reconciliation.party != self.party:
            raise ValidationError(f"reconciliation of {reconciliation.party.key} on {self.id}", field="party")
        for entry in reconciliation.bookings:
            self._check(entry)
        for entry in reconciliation.bookings:
            self.entries.append(entry)
            self._apply(entry)
        self.chargebacks.extend(reconciliation.chargebacks)
