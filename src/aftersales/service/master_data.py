"""Master data (用户档案, 产品档案, reference data): customers, units, products, dealers, engineers.

Every change is a command through the runner and leaves a :class:`MasterDataChange` audit record in
the same transaction: who, when, which record, the command, the record before and after, and the
reason when one is required. Scopes:

- dealer staff register their dealer's customers and units only, inside their regions (a unit is its
  dealer's or its owner's), and may not change a stored record's region, dealer or owner; a record
  they name that they do not read is a new one, with an id of their dealer's own space
  (``<dealer id>:<name>``, :func:`~aftersales.service.scope.check_chosen_id`), so naming another's
  answers as naming an unused id does, and a unit's owner they do not read is ``NotFound``;
- a unit's owner, warranty-start dates (purchase, shipment, installation acceptance) or product (whose
  terms its warranty runs on) change only through the manager commands
  :meth:`MasterData.transfer_asset` and :meth:`MasterData.change_warranty_start`, with a reason — a
  fresh warranty start, or a longer term, is money;
- products, dealers and engineers are reference data for the service heads.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, ClassVar, TypeVar, cast

import attrs

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.agent_shifts import RosterWindow
from aftersales.domain.availability import Absence
from aftersales.domain.canonical import canonical
from aftersales.domain.contact import zone
from aftersales.domain.erasure import ERASED
from aftersales.domain.ids import CustomerId
from aftersales.domain.instants import require_aware
from aftersales.domain.parties import Customer, Dealer, Engineer
from aftersales.domain.products import Asset, Product
from aftersales.domain.repair_points import RepairPoint
from aftersales.domain.teams import Team
from aftersales.errors import (
    CustomerErased,
    DuplicateError,
    ErasedIdReused,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from aftersales.policies.complaints import ComplaintParams
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.serialization import unstructure
from aftersales.service.access_log import record_access
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.callback_tier import follow_tier
from aftersales.service.callback_tier_owed import plan_owed_callbacks
from aftersales.service.complaint_incident_facts import IncidentComplaints
from aftersales.service.completion_recount import count_since_completion, take_back_before_completion
from aftersales.service.context import DeskContext
from aftersales.service.customer_contact import check_reachable, check_reachable_against
from aftersales.service.departed_staff import check_not_departed
from aftersales.service.engineer_status import EngineerStatusChange, absent, cancelled_absence, open_work
from aftersales.service.notify import check_writable
from aftersales.service.permissions import MASTER_DATA_ROLES, Workflow, can_write_party, permit
from aftersales.service.plan_owner import follow_unit
from aftersales.service.references import check_references
from aftersales.service.roster_stamp import touch_roster
from aftersales.service.row_locks import for_update
from aftersales.service.runner import CommandRunner, check_actor
from aftersales.service.scope import (
    acts_as_dealer_staff,
    asset_visible,
    check_chosen_id,
    party_visible,
)
from aftersales.service.sold_unit_visits import call_off_seller_visits
from aftersales.service.unit_month import stamp_sale_month
from aftersales.service.zone_stamp import BooksZone

__all__ = [
    "MasterData",
    "MasterDataChange",
    "accept_installation",
    "for_update",
    "owners_named",
    "record_change",
]

R = Role
_DEALER = frozenset({R.DEALER_STAFF})
_WARRANTY_DATES = ("purchase_date", "shipment_date", "installation_accepted_on")
_DONE_DATES = ("purchase_date", "installation_accepted_on")
"""The dates of what has happened once a unit is registered: bought, its installation accepted (a
shipment may be planned ahead)."""


def _not_ahead(asset: Asset, today: date, prefix: str = "") -> None:
    """Refuse a unit bought or installed after ``today`` (seed 000 客户信息收集: 购买时间): its warranty
    would start in the future and every repair before it would fall outside it."""
    for name in _DONE_DATES:
        value = getattr(asset, name)
        if value is not None and value > today:
            raise ValidationError(
                f"{name} {value.isoformat()} is after today ({today.isoformat()}): a unit is registered "
                "once it is bought and installed",
                field=prefix + name,
            )


_REPOS = {
    Customer: "customers",
    Asset: "assets",
    Product: "products",
    Dealer: "dealers",
    Engineer: "engineers",
}
_KINDS: dict[type, str] = {
    Customer: "customer",
    Asset: "asset",
    Product: "product",
    Dealer: "dealer",
    Engineer: "engineer",
    RepairPoint: "repair_point",  # reference data the heads keep (desk.repair_points)
    BooksZone: "books_zone",  # the zone the store's books are kept in (ServiceDesk.move_books_zone)
    Team: "team",  # who is called for a critical ticket, and the on-call roster (desk.teams)
    RosterWindow: "agent_shifts",  # the front desk's shifts, a window at a time (desk.agent_shifts)
}

E = TypeVar("E", Customer, Asset, Product, Dealer, Engineer)


def _snapshot(value: dict[str, Any]) -> dict[str, Any]:
    # Keys in sorted order, so a snapshot read back from PostgreSQL's jsonb exports as from the others.
    return cast(dict[str, Any], canonical(value))


def _snapshot_before(value: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if value is None else _snapshot(value)


@attrs.define
class MasterDataChange:
    """One change of a master-data record: who, when, what it was before and after, and why."""

    DOCUMENT_KIND: ClassVar[str] = "master_data_change"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("record_kind", "record_id")

    id: str
    record_kind: str
    record_id: str
    command: str
    at: datetime
    by: ActorRef
    before: dict[str, Any] | None = attrs.field(converter=_snapshot_before)
    after: dict[str, Any] = attrs.field(converter=_snapshot)
    reason: str | None = None
    version: int = 0

    @property
    def changed(self) -> tuple[str, ...]:
        """The fields whose value changed (every field of a new record)."""
        before = self.before or {}
        return tuple(sorted(k for k in self.after if before.get(k) != self.after[k]))


def owners_named(change: MasterDataChange) -> set[str]:
    """The customers a unit's change names as its owner, before or after it."""
    found: set[str] = set()
    for snapshot in (change.before or {}, change.after):
        owner = snapshot.get("customer_id")
        if isinstance(owner, str) and owner:
            found.add(owner)
    return found


def record_change(
    uow: UnitOfWork,
    actor: Actor,
    command: str,
    now: datetime,
    before: object | None,
    after: object,
    reason: str | None = None,
) -> None:
    """Write the :class:`MasterDataChange` audit record of one change, in the caller's transaction."""
    kind = _KINDS[type(after)]
    record_id = str(after.id)  # type: ignore[attr-defined]
    existing = uow.documents.query(MasterDataChange, record_kind=kind, record_id=record_id)
    uow.documents.add(
        MasterDataChange(
            id=f"{kind}:{record_id}:{len(existing) + 1}",
            record_kind=kind,
            record_id=record_id,
            command=command,
            at=now,
            by=actor.ref,
            before=_data(before) if before is not None else None,
            after=_data(after),
            reason=reason,
        )
    )


def _data(record: object) -> dict[str, Any]:
    """The record's fields as the audit keeps them: without the store's ``version`` of a record kept as a
    document (a repair point), which counts saves and is no data of the record."""
    data = cast(dict[str, Any], unstructure(record))
    data.pop("version", None)
    return data


def accept_installation(
    uow: UnitOfWork,
    actor: Actor,
    asset_id: str,
    ticket_id: str,
    now: datetime,
    params: ComplaintParams | None = None,
) -> None:
    """The customer accepted the installation (安装调试合格) at ``now``: a unit with no installation
    acceptance recorded gets this local day (in its market's zone), which ends its out-of-box phase
    (seed 002: 出厂后至安装调试合格 is 开箱期; 安装调试完毕至保修期限 is 保修期内). A date already recorded
    stays: it is corrected only by ``change_warranty_start``. Audited like every master-data change. With the
    pack's complaint ``params``, the unit's faults reported before the day leave its batch's tally."""
    if uow.assets.get(asset_id).installation_accepted_on is not None:
        return  # the common case (installed long ago): read as the ticket's read brought it, no lock
    before = for_update(uow.assets, asset_id)  # about to be rewritten: as last committed, locked
    if before.installation_accepted_on is not None:
        return
    on = now.astimezone(zone(before.market_timezone)).date()
    after = attrs.evolve(before, installation_accepted_on=on)
    uow.assets.save(after)
    record_change(uow, actor, "installation_accepted", now, before, after, f"ticket {ticket_id} accepted")
    if params is not None:  # faults reported before it leave the batch's tally (第七条 5(2))
        take_back_before_completion(params, uow, after, now)


@validated_commands
class MasterData:
    """Registering and changing master data (``desk.register_customer`` … are shortcuts to it).

    Its commands check their arguments at the boundary like the desk's shortcuts do: a host may call
    ``desk.master_data`` directly, and a record broken past its validators must not be stored.
    """

    def __init__(
        self,
        context: DeskContext,
        runner: CommandRunner,
        on_change: Callable[[str], None] | None = None,
        on_saved: Callable[[UnitOfWork, object, object], object] | None = None,
    ) -> None:
        self.context = context
        self.runner = runner
        self._on_change = on_change
        # In the transaction, after a record is saved, with the record as it was (search re-indexes).
        self._on_saved = on_saved
        self.on_incident: IncidentComplaints | None = None
        """Hears of the tickets of an incident a completion date moved earlier raises (set by the desk,
        which composes the complaint desk after this one)."""

    # -- plumbing -----------------------------------------------------------------------------------

    @staticmethod
    def _stored(uow: UnitOfWork, cls: type[E], id: str) -> E | None:
        try:
            found: E = for_update(getattr(uow, _REPOS[cls]), id)
        except NotFound:
            return None
        return found

    def _register(
        self,
        actor: Actor,
        command: str,
        obj: E,
        check: Callable[[UnitOfWork, E | None], None],
        key: str | None,
        keep: Callable[[E | None, E], E] | None = None,
        stamp: Callable[[UnitOfWork, datetime, E | None, E], E] | None = None,
    ) -> None:
        """Add or update ``obj``; ``keep(stored, given)`` is the record to write, for fields only their
        own commands change (the given record is checked, then written); ``stamp(uow, now, stored,
        record)``, after the checks, the record with what only the desk sets (a unit's sale month)."""
        check_actor(actor)
        if not isinstance(obj, tuple(_REPOS)) or type(obj) is not _cls(command, obj):
            raise ValidationError(f"{command} takes a {_cls(command, obj).__name__}", field="record")
        permit(
            actor, Workflow.MASTER_DATA, "register_reference" if command in _REFERENCE else command, obj.id
        )
        cls = type(obj)
        contact = getattr(obj, "contact", None)
        if contact is not None:  # its messages must be writable (the customer's, dealer's, engineer's)
            check_writable(contact, f"{_KINDS[cls]}.contact")

        def apply(uow: UnitOfWork, now: datetime) -> None:
            before = self._stored(uow, cls, obj.id)
            record = keep(before, obj) if keep is not None else obj
            check(uow, before)
            if stamp is not None:
                record = stamp(uow, now, before, record)
            check_references(uow, _REPOS[cls], record, _KINDS[cls])
            if before == record:
                return  # nothing changes, nothing to audit
            getattr(uow, _REPOS[cls]).save(record)
            if _KINDS[cls] in ("engineer", "dealer"):
                touch_roster(uow)  # dispatch re-reads its roster (issue 20)
            record_change(uow, actor, command, now, before, record)
            if isinstance(record, Customer):  # seed 001 三(七)1: the pending callbacks follow the grade
                follow_tier(self.context, uow, before, record)
                plan_owed_callbacks(self.context, uow, actor, before, record, now)  # made VIP: owed one now
            if self._on_saved is not None:
                self._on_saved(uow, record, before)

        self.runner.write(
            actor, command, key, obj, apply, remember=lambda _: obj.id, reload=lambda uow, _: None
        )
        if self._on_change is not None:
            self._on_change(_KINDS[cls])

    # -- customers and units ----------------------------------------------------------------------------

    def register_customer(
        self, actor: Actor, customer: Customer, *, idempotency_key: str | None = None
    ) -> None:
        """Add or update a customer (用户档案).

        Dealer staff register their own dealer's customers of their regions only, and may not move a
        stored customer to another region or dealer (the customer's notifications and tickets follow
        them). A second dealer of the region does not change the first dealer's customer (seed 002:
        乙方负责所售产品的全过程服务; the region's callbacks and surveys are all it does for them).

        The id of a customer whose personal data was erased is not registered again
        (:class:`~aftersales.errors.ErasedIdReused`, nothing written): a contact under it would link the
        person to the erased history kept under that id. A person who comes back gets a new id.
        """
        check_reachable(customer)  # a phone, WeChat, e-mail or address, before the store is read

        def check(uow: UnitOfWork, before: Customer | None) -> None:
            if _as_dealer(actor, "register_customer"):
                dealer_check(before)
            if before is not None and before.name == ERASED and customer != before:
                # After the dealer's scope: one that may not read the record learns nothing of it. The
                # erased record given back as it is changes nothing and is no new registration.
                raise ErasedIdReused(customer.id)
            check_reachable_against(customer, before)  # a live record merely named as erased

        def dealer_check(before: Customer | None) -> None:
            if not _dealers_customer(actor, customer):  # what it registers: judged before the store is read
                raise PermissionDenied(str(actor), "register_customer", customer.id)
            if before is None or not _reads_customer(actor, before):
                _new_id(actor, "register_customer", "customer", customer.id, before is not None)
                return
            if not _dealers_customer(actor, before):
                raise PermissionDenied(str(actor), "register_customer", customer.id)
            for field in ("region", "dealer_id"):
                if getattr(before, field) != getattr(customer, field):
                    raise PermissionDenied(
                        str(actor), f"change the {field} of customer", customer.id, rule="customer_moves"
                    )

        self._register(actor, "register_customer", customer, check, idempotency_key)

    def register_asset(self, actor: Actor, asset: Asset, *, idempotency_key: str | None = None) -> None:
        """Add or update an installed unit (serial, batch, purchase and installation dates).

        A stored unit's owner, warranty-start dates and product change only with :meth:`transfer_asset`
        and :meth:`change_warranty_start` (manager commands with a reason); dealer staff register units
        of their regions' customers only and may not change a unit's dealer. A unit is not registered
        for a customer whose personal data was erased (:class:`~aftersales.errors.CustomerErased`,
        naming ``asset.customer_id``; nothing written).
        """

        def check(uow: UnitOfWork, before: Asset | None) -> None:
            _not_ahead(asset, self.context.today(self.context.now()), "asset.")
            if _as_dealer(actor, "register_asset"):
                _owner_known(uow, actor, asset)
                self._dealer_may_touch_asset(uow, actor, asset)
                if before is None or not asset_visible(uow, actor, before):
                    _new_id(actor, "register_asset", "asset", asset.id, before is not None)
                else:
                    self._dealer_may_touch_asset(uow, actor, before)
                    if before.dealer_id != asset.dealer_id:
                        raise PermissionDenied(
                            str(actor), "change the dealer of unit", asset.id, rule="unit_dealer_fixed"
                        )
            if asset.customer_id is not None and (before is None or before.customer_id is None):
                # After the dealer's scope: one that may not read the owner learns nothing of it.
                # An unknown owner is check_references' (NotFound), as before.
                _owner_not_erased(
                    uow.customers.find([asset.customer_id]).get(asset.customer_id), "asset.customer_id"
                )
            if before is None:
                return
            if before.customer_id is not None and before.customer_id != asset.customer_id:
                raise PermissionDenied(
                    str(actor),
                    "change the owner of unit (use transfer_asset)",
                    asset.id,
                    rule="owner_by_transfer",
                )
            for field in _WARRANTY_DATES:
                if getattr(before, field) is not None and getattr(before, field) != getattr(asset, field):
                    raise PermissionDenied(
                        str(actor),
                        f"change the {field} of unit (use change_warranty_start)",
                        asset.id,
                        rule="warranty_start_by_correction",
                    )
            if before.product_id != asset.product_id:
                # The product carries the warranty terms (seed 002: 产品保修期按产品样本规定执行): another
                # model is another term, as a new start date is.
                raise PermissionDenied(
                    str(actor),
                    "change the product_id of unit (use change_warranty_start)",
                    asset.id,
                    rule="warranty_start_by_correction",
                )

        def stamp(uow: UnitOfWork, now: datetime, before: Asset | None, record: Asset) -> Asset:
            # The month its sale counts in (seed 004 第五条 1(6)): the desk's, kept on updates.
            return stamp_sale_month(uow, self.context.timezone, before, record)

        self._register(actor, "register_asset", asset, check, idempotency_key, stamp=stamp)

    @staticmethod
    def _dealer_may_touch_asset(uow: UnitOfWork, actor: Actor, asset: Asset) -> None:
        """A unit its dealer sold, or a unit of one of its dealer's customers (of its regions); not a
        unit of another dealer's customer of the same region (seed 002: 乙方负责所售产品的全过程服务)."""
        if asset.dealer_id is not None and asset.dealer_id == actor.dealer_id:
            return
        if asset.customer_id is not None:
            try:
                owner = uow.customers.get(asset.customer_id)
            except NotFound:
                owner = None
            if owner is not None and _dealers_customer(actor, owner):
                return
        raise PermissionDenied(str(actor), "register_asset", asset.id)

    def transfer_asset(
        self,
        actor: Actor,
        asset_id: str,
        *,
        customer_id: str,
        reason: str,
        idempotency_key: str | None = None,
    ) -> Asset:
        """Give a unit a new owner (a manager's command, with a reason; recorded as an audit event).

        Not to a customer whose personal data was erased (:class:`~aftersales.errors.CustomerErased`,
        nothing written): the unit's work and history would attach to a record nobody can be reached by.
        """
        check_actor(actor)
        permit(actor, Workflow.MASTER_DATA, "transfer_asset", asset_id)
        why = _reason(reason)

        def apply(uow: UnitOfWork, now: datetime) -> Asset:
            before = for_update(uow.assets, asset_id)
            _owner_not_erased(uow.customers.get(customer_id), "customer_id")
            after = attrs.evolve(before, customer_id=CustomerId(customer_id))
            uow.assets.save(after)
            follow_unit(
                uow, after, now, actor.ref
            )  # its maintenance plan is the new owner's (or ends: service/plan_owner)
            # The seller's visit not begun is called off; the buyer's comes (service/sold_unit_visits).
            uow.outbox.put(call_off_seller_visits(self.runner, uow, after, now, self.context.today(now)))
            record_change(uow, actor, "transfer_asset", now, before, after, why)
            return after

        return self.runner.write(
            actor,
            "transfer_asset",
            idempotency_key,
            [asset_id, customer_id, why],
            apply,
            remember=lambda a: a.id,
            reload=lambda uow, id: uow.assets.get(id),
        )

    def change_warranty_start(
        self,
        actor: Actor,
        asset_id: str,
        *,
        reason: str,
        purchase_date: date | None = None,
        shipment_date: date | None = None,
        installation_accepted_on: date | None = None,
        product_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Asset:
        """Correct the dates a unit's warranty may start from, or the product (model) whose warranty
        terms it carries (a manager's command, with a reason). An unknown product is ``NotFound``."""
        check_actor(actor)
        permit(actor, Workflow.MASTER_DATA, "change_warranty_start", asset_id)
        why = _reason(reason)
        changes: dict[str, Any] = {
            k: v
            for k, v in zip(
                _WARRANTY_DATES, (purchase_date, shipment_date, installation_accepted_on), strict=True
            )
            if v is not None
        }
        for name, value in changes.items():
            if not isinstance(value, date) or isinstance(value, datetime):
                raise ValidationError(f"{name} is a date", field=name, rule="date")
        if product_id is not None:
            if not isinstance(product_id, str) or not product_id or len(product_id) > 64:
                raise ValidationError("product_id is a product's id", field="product_id")
            changes["product_id"] = product_id
        if not changes:
            raise ValidationError(
                "give at least one warranty-start date, or the product, to change", field="purchase_date"
            )

        def apply(uow: UnitOfWork, now: datetime) -> Asset:
            before = for_update(uow.assets, asset_id)
            if product_id is not None:
                uow.products.get(product_id)  # NotFound: no such product
            after = attrs.evolve(before, **changes)
            _not_ahead(after, self.context.today(now))
            # A purchase date recorded for the first time registers the sale (seed 004 第五条 1(6)).
            after = stamp_sale_month(uow, self.context.timezone, before, after)
            uow.assets.save(after)
            record_change(uow, actor, "change_warranty_start", now, before, after, why)
            if after.installation_accepted_on != before.installation_accepted_on:
                # Faults reported before the completion leave the batch's tally (第七条 5(2)).
                take_back_before_completion(self.context.policies.complaint.params, uow, after, now)
                # and those reported since an earlier date count now, not at the unit's next fault
                uow.outbox.put(count_since_completion(self.context, uow, after, now, self.on_incident))
            return after

        return self.runner.write(
            actor,
            "change_warranty_start",
            idempotency_key,
            [asset_id, why, {k: v if isinstance(v, str) else v.isoformat() for k, v in changes.items()}],
            apply,
            remember=lambda a: a.id,
            reload=lambda uow, id: uow.assets.get(id),
        )

    # -- reference data -----------------------------------------------------------------------------

    def register_product(self, actor: Actor, product: Product, *, idempotency_key: str | None = None) -> None:
        """Add or update a product model and its warranty terms."""
        self._register(actor, "register_product", product, _no_scope, idempotency_key)

    def register_dealer(self, actor: Actor, dealer: Dealer, *, idempotency_key: str | None = None) -> None:
        """Add or update an authorised dealer and its territory."""
        self._register(actor, "register_dealer", dealer, _no_scope, idempotency_key)

    def register_engineer(
        self, actor: Actor, engineer: Engineer, *, idempotency_key: str | None = None
    ) -> None:
        """Add or update an engineer (skills, level, region, load limit, emergency team).

        A stored engineer's ``active`` flag and ``absences`` change only through
        :meth:`deactivate_engineer`, :meth:`reactivate_engineer`, :meth:`record_absence` and
        :meth:`cancel_absence`, which record why, and ``departs_at`` through
        ``desk.staff_records.record_departure`` (an update without it keeps the recorded one). An
        update given with their defaults (active, no absence: a profile built afresh by the host) keeps
        what is recorded, so it neither fails nor brings a departed engineer back to dispatch; one that
        sets them otherwise than recorded is a ``ValidationError`` naming the field.
        """

        def keep(before: Engineer | None, given: Engineer) -> Engineer:
            if before is None:
                return given
            if given.departs_at is None:  # set by the departure alone, as active by its commands
                given = attrs.evolve(given, departs_at=before.departs_at)
            if not (given.active and not given.absences):
                return given
            return attrs.evolve(given, active=before.active, absences=before.absences)

        def check(uow: UnitOfWork, before: Engineer | None) -> None:
            if before is None:
                if engineer.departs_at is not None:
                    raise ValidationError(
                        f"departs_at of engineer {engineer.id} is set by record_departure",
                        field="engineer.departs_at",
                    )
                return
            kept = keep(before, engineer)
            if before.departs_at != kept.departs_at:
                raise ValidationError(
                    f"departs_at of engineer {engineer.id} changes with record_departure",
                    field="engineer.departs_at",
                )
            for field in ("active", "absences"):
                if getattr(before, field) != getattr(kept, field):
                    raise ValidationError(
                        f"{field} of engineer {engineer.id} changes with deactivate_engineer, "
                        "reactivate_engineer, record_absence or cancel_absence (with a reason)",
                        field=f"engineer.{field}",
                    )

        self._register(actor, "register_engineer", engineer, check, idempotency_key, keep)

    # -- engineers leaving, coming back, away (seed 003 派工: only who can go is dispatched) ----------

    def deactivate_engineer(
        self, actor: Actor, engineer_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> EngineerStatusChange:
        """The engineer left the company or the dealer (离职/停用): no dispatch path gives it work again.

        Its open tickets stay where they are and are listed in the answer, for the office to dispatch
        again (see :mod:`aftersales.service.engineer_status`). Already inactive: ``ValidationError``.
        """

        def change(engineer: Engineer, now: datetime) -> Engineer:
            if not engineer.active:
                raise ValidationError(f"engineer {engineer_id} is already inactive", field="engineer_id")
            return attrs.evolve(engineer, active=False)

        return self._engineer_status(
            actor, "deactivate_engineer", engineer_id, reason, change, idempotency_key, []
        )

    def reactivate_engineer(
        self, actor: Actor, engineer_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> EngineerStatusChange:
        """The engineer works here again: dispatch may choose it. Already active: ``ValidationError``."""

        def change(engineer: Engineer, now: datetime) -> Engineer:
            if engineer.active:
                raise ValidationError(f"engineer {engineer_id} is active", field="engineer_id")
            return attrs.evolve(engineer, active=True)

        return self._engineer_status(
            actor, "reactivate_engineer", engineer_id, reason, change, idempotency_key, [],
            guard=lambda uow: check_not_departed(uow, engineer_id, "engineer_id"),
        )  # fmt: skip

    def record_absence(
        self,
        actor: Actor,
        engineer_id: str,
        *,
        starts_at: datetime,
        ends_at: datetime,
        reason: str,
        idempotency_key: str | None = None,
    ) -> EngineerStatusChange:
        """The engineer is away from ``starts_at`` to ``ends_at`` (请假): no dispatch path gives it work
        then, and no on-call shift may fall in it. Overlapping a recorded absence, or over already:
        ``ValidationError``. The answer lists its open tickets, as for :meth:`deactivate_engineer`.
        """
        check_actor(actor)
        permit(actor, Workflow.MASTER_DATA, "engineer_availability", engineer_id)  # before the dates
        absence = Absence(starts_at, ends_at, _reason(reason))

        def change(engineer: Engineer, now: datetime) -> Engineer:
            return absent(engineer, absence, now)

        request = [starts_at.isoformat(), ends_at.isoformat()]
        return self._engineer_status(
            actor, "record_absence", engineer_id, reason, change, idempotency_key, request
        )

    def cancel_absence(
        self,
        actor: Actor,
        engineer_id: str,
        *,
        starts_at: datetime,
        reason: str,
        idempotency_key: str | None = None,
    ) -> EngineerStatusChange:
        """Call off the absence starting at ``starts_at`` (one under way ends now): the engineer can be
        given work again. No such absence, or one over already: ``ValidationError`` naming ``starts_at``."""
        start = require_aware(starts_at, "starts_at")

        def change(engineer: Engineer, now: datetime) -> Engineer:
            return cancelled_absence(engineer, start, now)

        return self._engineer_status(
            actor, "cancel_absence", engineer_id, reason, change, idempotency_key, [start.isoformat()]
        )

    def _engineer_status(
        self,
        actor: Actor,
        command: str,
        engineer_id: str,
        reason: str,
        change: Callable[[Engineer, datetime], Engineer],
        key: str | None,
        request: list[Any],
        guard: Callable[[UnitOfWork], None] | None = None,
    ) -> EngineerStatusChange:
        """One availability change: checked (``guard`` in the transaction), applied, audited with its
        reason, the roster stamp raised."""
        check_actor(actor)
        permit(actor, Workflow.MASTER_DATA, "engineer_availability", engineer_id)
        if not isinstance(engineer_id, str) or not engineer_id:
            raise ValidationError("engineer_id is an engineer's id", field="engineer_id")
        why = _reason(reason)

        def apply(uow: UnitOfWork, now: datetime) -> EngineerStatusChange:
            before = for_update(uow.engineers, engineer_id)  # rewritten: locked until the end
            if guard is not None:
                guard(uow)
            after = change(before, now)
            uow.engineers.save(after)
            touch_roster(uow)  # every desk's dispatch reads the engineer again
            record_change(uow, actor, command, now, before, after, why)
            return EngineerStatusChange(after, open_work(uow, engineer_id))

        result = self.runner.write(
            actor,
            command,
            key,
            [engineer_id, why, *request],
            apply,
            remember=lambda r: r.engineer.id,
            reload=lambda uow, id: EngineerStatusChange(uow.engineers.get(id), open_work(uow, id)),
        )
        if self._on_change is not None:
            self._on_change("engineer")
        return result

    # -- audit --------------------------------------------------------------------------------------

    def history(self, actor: Actor, record_kind: str, record_id: str) -> list[MasterDataChange]:
        """Every change of one record, oldest first (service heads and auditors)."""
        check_actor(actor)
        permit(actor, Workflow.MASTER_DATA, "master_data_history", record_id)
        if record_kind not in _KINDS.values():
            known = ", ".join(sorted(_KINDS.values()))
            raise ValidationError(f"record_kind is one of {known}", field="record_kind")
        with self.context.store() as uow:
            found = uow.documents.query(MasterDataChange, record_kind=record_kind, record_id=record_id)
        if record_kind == "customer" and found:
            record_access(self.runner, actor, "master_data_history", [record_id])
        elif record_kind == "asset":
            # A unit's history names its owners (a transfer's reason names the one who sold it on).
            named = {owner for change in found for owner in owners_named(change)}
            record_access(self.runner, actor, "master_data_history", named)
        return sorted(found, key=lambda c: (c.at, int(c.id.rsplit(":", 1)[1])))


_REFERENCE = frozenset({"register_product", "register_dealer", "register_engineer"})
_COMMAND_CLASS: dict[str, type] = {
    "register_customer": Customer,
    "register_asset": Asset,
    "register_product": Product,
    "register_dealer": Dealer,
    "register_engineer": Engineer,
}


def _cls(command: str, obj: object) -> type:
    return _COMMAND_CLASS[command]


def _no_scope(uow: UnitOfWork, before: object) -> None:
    return None


def _reason(reason: object) -> str:
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
        raise ValidationError("a reason (1–500 characters) is required", field="reason")
    return reason


def _dealers_customer(actor: Actor, customer: Customer) -> bool:
    """Is ``customer`` the acting dealer staff's to write: its dealer's (the one rule of
    :func:`~aftersales.service.permissions.can_write_party`), in one of its regions?"""
    mine = can_write_party(actor, "register_customer", _DEALER, dealer_id=customer.dealer_id)
    return mine and customer.region in actor.regions


def _reads_customer(actor: Actor, customer: Customer) -> bool:
    """May the acting dealer staff read ``customer`` (its dealer's, or of one of its regions)?"""
    scope = {"region": customer.region, "dealer_id": customer.dealer_id}
    return party_visible(actor, customer_id=customer.id, allowed=_DEALER, **scope)


def _owner_known(uow: UnitOfWork, actor: Actor, asset: Asset) -> None:
    """The owner a dealer's staff names for a unit is a customer it reads: another's is ``NotFound``,
    as an unknown one (a unit its dealer sold must not tell it who else is a customer)."""
    if asset.customer_id is None:
        return
    try:
        owner = uow.customers.get(asset.customer_id)
    except NotFound:
        owner = None
    if owner is None or not _reads_customer(actor, owner):
        raise NotFound("customer", asset.customer_id)


def _owner_not_erased(owner: Customer | None, field: str) -> None:
    """A unit is not given to a customer whose personal data was erased (:class:`CustomerErased`):
    its tickets, visits and plan would attach to a record nobody can be reached by, and link the
    erased history to a unit again."""
    if owner is not None and owner.name == ERASED:
        raise CustomerErased(owner.id, field=field)


def _new_id(actor: Actor, command: str, kind: str, record_id: str, taken: bool) -> None:
    """A record the acting dealer staff names that it does not read is a new one: its id must be of the
    dealer's own id space (:func:`~aftersales.service.scope.check_chosen_id`), and, taken there (by
    the office), a ``DuplicateError``. Stored records of others answer as ids never used do."""
    check_chosen_id(actor, MASTER_DATA_ROLES[command], kind, record_id, f"{kind}.id")
    if taken:
        raise DuplicateError(f"{kind} {record_id} already exists")


def _as_dealer(actor: Actor, command: str) -> bool:
    """Does ``actor`` run ``command`` as dealer staff, inside its regions only? Yes unless one of its
    roles is an office role the command allows (a further role of another kind, a customer's, lifts
    nothing)."""
    return acts_as_dealer_staff(actor, MASTER_DATA_ROLES[command])
