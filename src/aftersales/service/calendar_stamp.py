"""The calendar the stored due times were computed on: a stamp in the store.

Each ticket stores its due times (the ledger, the SLA sweep and the reports read them) while
``desk.sla`` computes them from the desk's working calendar. A desk opened on another calendar than the
one the stored due times came from (a newer ``holidays`` package with a day off announced since, a
corrected holiday file) would disagree with its own store until each ticket's next command. The store
keeps the :attr:`~aftersales.domain.calendar.BusinessCalendar.fingerprint` of the calendar its due times
were last recomputed on; the ``sla_sweep`` job recomputes them first when the desk's differs, and
``desk.health()`` reports ``dues_stale`` until it has.

The same holds for the SLA policy the due times came from: a store opened again with another pack (or
the same pack with other ``[sla]`` figures, or a host's other SLA policy) kept the old pack's due times
beside the new pack's live status. The stamp also keeps the SLA policy's
:func:`~aftersales.policies.fingerprint.policy_fingerprint`; a stamp written before it did (``sla`` empty)
is taken as the desk's policy's, as its due times were computed on it until now.

Desks sharing a store must share a calendar and a pack. While several processes are moved to a new
calendar one after another, the stamp decides which calendar is the store's: a desk opened on the new
calendar writes on it and its ``sla_sweep`` moves the store (recomputes, stamps); from then on a desk
still on the calendar the store was stamped with when it opened — the store moved on past it — writes no
due time on its own calendar: a command that would change a ticket's due times, and its sweep's
recomputation, are refused with a ``ConfigurationError`` naming ``calendar`` and both calendars
(:func:`check_calendar_current`; nothing is written), until it is restarted on the store's calendar. A
ticket's opening is checked too (session 29; the stamp comes with its read-ahead, :data:`STAMP_READ`):
before, a ticket opened there kept that desk's due times under the new stamp until a current desk's
command re-derived them. So is a bulk import's batch (its closes are the desk's callback policy's).
Recomputing back would undo the move, and writing old-calendar dues onto single tickets would leave the
stamp saying otherwise.

The callback policy decides the pending callbacks' due times as the SLA policy decides the due times: a
pack swap of ``[callback]`` alone (``required``, ``not_needed_for``) left the callbacks the old pack planned
pending, and owed ones unplanned, while ``desk.sla()`` already followed the new pack, for ever — the SLA
fingerprint had not changed, so no sweep recomputed anything. The stamp keeps the callback policy's
fingerprint too (``callback``; empty in an older stamp: taken as the desk's, and signed by the next sweep);
another one makes the due times stale, and the recomputation plans the callbacks again with them
(:func:`~aftersales.service.callback_replan.replan_callback`), in the same page writes.

The same guard holds for the SLA policy (the pack, its ``[sla]`` figures, a host's policy): a desk still
on the policy the store was stamped with when it opened (an unsigned stamp, or none, counts as its own
policy's) writes no due time once another desk has moved the store to another policy — the command is
refused with a ``ConfigurationError`` naming ``sla`` and both fingerprints. The guard reads the stamp it
reads for the calendar: no extra round trip.

And for the callback policy (the pack's ``[callback]``, a host's policy): a desk still on the policy the store
was stamped with when it opened (a stamp without a callback fingerprint counts as its own policy's) plans
no callback once another desk has moved the store to another one — before session 28 it went on planning
(or leaving unplanned) callbacks by the old ``[callback]`` after the move, and no later sweep re-planned them
since the stamp already named the new policy. A write of due times, the sweep's recomputation, a ticket's
change of state (where the callback policy decides: resolution, acceptance, a complaint's handling) and a
callback planned are refused with a ``ConfigurationError`` naming ``callback`` and both fingerprints
(:func:`check_callback_current`; nothing is written).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

import attrs

from aftersales.domain.calendar import BusinessCalendar
from aftersales.errors import ConfigurationError, NotFound
from aftersales.policies.fingerprint import policy_fingerprint
from aftersales.ports.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from aftersales.service.context import DeskContext

__all__ = [
    "STAMP_READ",
    "CalendarStamp",
    "StampRead",
    "begin_move",
    "callback_of",
    "callback_seen",
    "check_calendar_current",
    "check_callback_current",
    "dues_stale",
    "sla_of",
    "sla_seen",
    "stamp_calendar",
    "stamp_first",
    "stamp_seen",
    "stamp_unsigned",
]

_ID = "calendar"


@attrs.define
class CalendarStamp:
    """The fingerprint and name of the calendar the stored due times were computed on, and when; ``sla`` is
    the fingerprint of the SLA policy they came from (empty in a stamp of an older release)."""

    DOCUMENT_KIND: ClassVar[str] = "calendar_stamp"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()
    id: str
    fingerprint: str
    source: str
    stamped_at: datetime
    version: int = 0
    sla: str = ""
    complete: bool = True
    """False while the open tickets are being recomputed onto this calendar and policy
    (:func:`begin_move`): the due times are stale until the recomputation's last write says so."""
    callback: str = ""
    """The fingerprint of the callback policy the pending callbacks were planned by (empty in a stamp of
    an older release: taken as the desk's own)."""


STAMP_READ: tuple[type[CalendarStamp], str] = (CalendarStamp, _ID)
"""The stamp's read, for a command that names its reads ahead (``ports.read_ahead``): an opening."""


def _stamp(uow: UnitOfWork) -> CalendarStamp | None:
    try:
        stamp: CalendarStamp = uow.documents.get(CalendarStamp, _ID)
    except NotFound:
        return None
    return stamp


class StampRead:
    """The store's stamp read at most once in a command's transaction, for the guards of its step.

    A command's guards may read it before the step (the callback policy's) and after (the due times'):
    read twice, the second read is a round trip more on PostgreSQL once the step wrote a document (the
    write drops the copy the ticket's locking read brought along). Read once, the answer is the one that
    copy gave before: the stamp is not locked either way."""

    __slots__ = ("_found", "_uow")

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._found: tuple[CalendarStamp | None] | None = None

    def get(self) -> CalendarStamp | None:
        """The stamp (``None``: the store has none), read on the first call."""
        if self._found is None:
            self._found = (_stamp(self._uow),)
        return self._found[0]

    def written(self, stamp: CalendarStamp) -> None:
        """Take ``stamp``, just written in this transaction, as the store's from now on."""
        self._found = (stamp,)


def sla_of(policy: object | None) -> str:
    """The fingerprint a stamp keeps for the desk's SLA ``policy`` (empty without one: no due times)."""
    return policy_fingerprint(policy) if policy is not None else ""


def callback_of(policy: object | None) -> str:
    """The fingerprint a stamp keeps for the desk's callback ``policy`` (empty without one)."""
    return policy_fingerprint(policy) if policy is not None else ""


def dues_stale(
    uow: UnitOfWork, calendar: BusinessCalendar | None, sla: str, callback: str = ""
) -> bool | None:
    """Whether the stored due times may come from another calendar than ``calendar``, or from another SLA
    policy than the one of fingerprint ``sla`` (:func:`sla_of`), or the pending callbacks from another
    callback policy than the one of fingerprint ``callback`` (:func:`callback_of`): ``None`` without a
    calendar (no due times to keep) or before any stamp (the next ``sla_sweep`` job writes it)."""
    if calendar is None:
        return None
    stamp = _stamp(uow)
    if stamp is None:
        return None
    moved = stamp.fingerprint != calendar.fingerprint or bool(stamp.sla and sla and stamp.sla != sla)
    moved = moved or bool(stamp.callback and callback and stamp.callback != callback)
    return moved or not stamp.complete


def stamp_unsigned(uow: UnitOfWork) -> bool:
    """Whether the store's stamp (if any) predates the SLA or the callback fingerprint: the sweep signs it."""
    stamp = _stamp(uow)
    return stamp is not None and not (stamp.sla and stamp.callback)


def stamp_calendar(
    uow: UnitOfWork,
    calendar: BusinessCalendar,
    at: datetime,
    sla: str,
    *,
    complete: bool = True,
    callback: str = "",
) -> None:
    """Record (in ``uow``'s transaction) that the stored due times are ``calendar``'s, and those of the SLA
    policy of fingerprint ``sla``, and the pending callbacks those of the callback policy of fingerprint
    ``callback``, from now on (``complete=False``: being recomputed onto them)."""
    stamp = _stamp(uow)
    if stamp is None:
        uow.documents.add(
            CalendarStamp(
                _ID, calendar.fingerprint, calendar.source_name, at, sla=sla, complete=complete,
                callback=callback,
            )
        )  # fmt: skip
    elif (stamp.fingerprint, stamp.sla, stamp.complete, stamp.callback) != (
        calendar.fingerprint, sla, complete, callback,
    ):  # fmt: skip
        uow.documents.save(
            attrs.evolve(
                stamp, fingerprint=calendar.fingerprint, source=calendar.source_name, stamped_at=at, sla=sla,
                complete=complete, callback=callback,
            )
        )  # fmt: skip


def begin_move(
    uow: UnitOfWork, calendar: BusinessCalendar, at: datetime, sla: str, callback: str = ""
) -> None:
    """Stamp the store with ``calendar`` and the SLA policy ``sla`` before its open tickets are recomputed
    onto them, marked incomplete (:func:`dues_stale` holds until the last write stamps it complete).

    Stamped only at the end, a desk still on the old calendar or policy passed the guard
    (:func:`check_calendar_current`) while the pages ran and wrote its old due times on a ticket whose
    page had been recomputed already; the last write then stamped the store with the new ones over it.
    Stamped first (in a write of its own, committed before any page locks a ticket), such a desk is
    refused from then on, and a command it committed before is on a page still to come. A store never
    stamped, or on this calendar and these policies already, is left as it is (an older stamp without
    a callback fingerprint counts as on the desk's callback policy)."""
    stamp = _stamp(uow)
    if stamp is None:
        return
    moved = stamp.fingerprint != calendar.fingerprint or stamp.sla != sla
    if moved or (stamp.callback and stamp.callback != callback):
        stamp_calendar(uow, calendar, at, sla, complete=False, callback=callback)


def stamp_first(
    uow: UnitOfWork, calendar: BusinessCalendar, at: datetime, sla: str, callback: str = ""
) -> bool:
    """Stamp a store the sweep found without a stamp (or with an unsigned one of ``calendar``) with
    ``calendar`` and the SLA policy ``sla``, in ``uow``'s transaction; whether it did.

    A stamp another desk wrote since the sweep read none stands (``False``): before session 27 this
    write overwrote it, so of two desks on different calendars sweeping a new store at once the second
    moved the store to its calendar without recomputing the first desk's due times, and both then read
    ``dues_stale`` as ``False``. Left alone, the other calendar's stamp makes this desk's next sweep find
    the due times stale and recompute them before it stamps (:func:`check_calendar_current` decides as
    for any stamp found after the desk opened)."""
    stamp = _stamp(uow)
    if stamp is not None and (
        stamp.fingerprint != calendar.fingerprint
        or (stamp.sla and stamp.sla != sla)
        or (stamp.callback and stamp.callback != callback)
        or not stamp.complete
    ):  # another desk's stamp, or a move under way (begin_move): its own last write completes it
        return False
    stamp_calendar(uow, calendar, at, sla, callback=callback)
    return True


def stamp_seen(uow: UnitOfWork, calendar: BusinessCalendar | None) -> str | None:
    """The calendar fingerprint of the store's stamp as a desk on ``calendar`` finds it when it opens;
    ``None`` without a calendar or a stamp (the first stamp the desk finds is then taken as the store's
    calendar as it knew it: :func:`check_calendar_current`)."""
    if calendar is None:
        return None
    stamp = _stamp(uow)
    return stamp.fingerprint if stamp is not None else None


def sla_seen(uow: UnitOfWork, calendar: BusinessCalendar | None, sla: str) -> str:
    """The SLA fingerprint of the store's stamp as a desk whose policy's fingerprint is ``sla`` finds it
    when it opens: the desk's own without a stamp, or with a stamp of an older release (its due times were
    taken as this policy's), or without a calendar (no due times to keep)."""
    if calendar is None:
        return sla
    stamp = _stamp(uow)
    return stamp.sla if stamp is not None and stamp.sla else sla


def callback_seen(uow: UnitOfWork, calendar: BusinessCalendar | None, callback: str) -> str:
    """The callback fingerprint of the store's stamp as a desk whose callback policy's fingerprint is
    ``callback`` finds it when it opens: the desk's own without a stamp, or with a stamp of an older release
    (its callbacks were taken as this policy's), or without a calendar (no stamp is kept)."""
    if calendar is None:
        return callback
    stamp = _stamp(uow)
    return stamp.callback if stamp is not None and stamp.callback else callback


def _stamp_own(
    uow: UnitOfWork, context: DeskContext, calendar: BusinessCalendar, stamps: StampRead, at: datetime
) -> CalendarStamp:
    """Stamp a store that has no stamp with the desk's calendar and policies, in ``uow``'s transaction
    (two desks racing both add it: the later add fails as a duplicate and the runner retries it)."""
    stamp = CalendarStamp(
        _ID, calendar.fingerprint, calendar.source_name, at,
        sla=sla_of(context.sla.policy), callback=callback_of(context.policies.callback),
    )  # fmt: skip
    uow.documents.add(stamp)
    stamps.written(stamp)
    return stamp


def check_calendar_current(
    uow: UnitOfWork, context: DeskContext, stamps: StampRead | None = None, at: datetime | None = None
) -> None:
    """Refuse (``ConfigurationError`` naming ``calendar``) a write of due times computed on the desk's
    calendar when another desk has moved the store to another calendar since this desk opened: the
    stamp is neither the desk's calendar's nor the one it found then (``context.calendar_seen``,
    :func:`stamp_seen`; on a store stamped since, the first stamp it finds). A desk opened on a calendar
    the store is not on yet writes: its sweep moves the store. Likewise for the SLA policy (naming
    ``sla``; ``context.sla_seen``, :func:`sla_seen`) and the callback policy (naming ``callback``;
    ``context.callback_seen``, :func:`callback_seen`), from the same stamp read.

    A store never stamped (new, or of a release before stamps) is stamped by the first write of due
    times (``at``: the write's instant) with the desk's calendar and policies (session 30). Before, it
    stayed unstamped until the first ``sla_sweep``: two desks opened on it with different packs both
    wrote due times from their own ``[sla]``/``[callback]`` with no refusal, and the first sweep then
    stamped its pack over the other desk's due times without recomputing them. Now the other desk's
    next write finds a stamp of another policy than the one it found when it opened (none: its own) and
    is refused, as on a moved store. (A desk on another *calendar* still writes, and its sweep moves the
    store: the rolling-restart rule.)"""
    calendar = context.calendar
    if calendar is None:
        return
    stamps = stamps or StampRead(uow)
    stamp = stamps.get()
    if stamp is None:
        if at is None:
            return
        stamp = _stamp_own(uow, context, calendar, stamps, at)
    if context.calendar_seen is None:  # opened before any stamp: the first one is the store's as it knew it
        context.calendar_seen = stamp.fingerprint
    if stamp.fingerprint in (calendar.fingerprint, context.calendar_seen):
        _check_sla_current(stamp, context)
        _check_callback_current(stamp, context)
        return
    raise ConfigurationError(
        f"the store's due times are on the working calendar {stamp.source!r} (fingerprint "
        f"{stamp.fingerprint}, stamped {stamp.stamped_at.isoformat()}) since this desk opened on "
        f"{calendar.source_name!r} (fingerprint {calendar.fingerprint}): no due time is written on this "
        f"desk's calendar; open the desk again with the store's calendar",
        key="calendar",
        rule="stamp_calendar",
    )


def _check_sla_current(stamp: CalendarStamp, context: DeskContext) -> None:
    """Refuse (``ConfigurationError`` naming ``sla``) a write of due times from the desk's SLA policy when
    another desk has moved the store to another policy since this desk opened (``context.sla_seen``)."""
    own = sla_of(context.sla.policy)
    if not stamp.sla or not own or stamp.sla in (own, context.sla_seen or own):
        return
    raise ConfigurationError(
        f"the store's due times come from the SLA policy of fingerprint {stamp.sla} (stamped "
        f"{stamp.stamped_at.isoformat()}) since this desk opened on the SLA policy of fingerprint {own}: "
        f"no due time is written from this desk's SLA policy; open the desk again with the store's pack "
        f"and [sla] settings",
        key="sla",
        rule="stamp_sla",
    )


def check_callback_current(uow: UnitOfWork, context: DeskContext, stamps: StampRead | None = None) -> None:
    """Refuse (``ConfigurationError`` naming ``callback``) a write where the desk's callback policy decides
    (a ticket's change of state, a callback planned) when another desk has moved the store to another
    callback policy since this desk opened (``context.callback_seen``, :func:`callback_seen`)."""
    if context.calendar is None:
        return
    stamp = (stamps or StampRead(uow)).get()
    if stamp is not None:
        _check_callback_current(stamp, context)


def _check_callback_current(stamp: CalendarStamp, context: DeskContext) -> None:
    own = callback_of(context.policies.callback)
    if not stamp.callback or not own or stamp.callback in (own, context.callback_seen or own):
        return
    raise ConfigurationError(
        f"the store's callbacks are planned by the callback policy of fingerprint {stamp.callback} (stamped "
        f"{stamp.stamped_at.isoformat()}) since this desk opened on the callback policy of fingerprint "
        f"{own}: no callback is planned by this desk's callback policy; open the desk again with the "
        f"store's pack and [callback] settings",
        key="callback",
        rule="stamp_callback",
    )
