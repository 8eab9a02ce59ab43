"""Service contracts (服务合同 / 保养合同): signing, renewal, cancellation, expiry reminders, coverage.

Every write goes through the runner and leaves an entry in the contract's own history. A unit is
covered by at most one contract on any day: signing a contract that shares a unit with another one
in force on a common day is refused, naming the unit and the other contract. The contract a unit is
covered by on a day (:func:`contract_covering`) is what chargeability and the SLA consult.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.ids import CustomerId
from aftersales.domain.money import Money
from aftersales.domain.products import Asset
from aftersales.domain.service_contracts import ContractState, ServiceContract
from aftersales.errors import DuplicateError, NotFound, ValidationError
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.access_log import record_access
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.context import DeskContext
from aftersales.service.daily_cursor import due_documents, mark_run
from aftersales.service.permissions import MAINTENANCE_ROLES, Workflow, can_write_party, permit
from aftersales.service.row_locks import for_update
from aftersales.service.runner import CommandRunner, check_actor
from aftersales.service.scope import asset_visible, check_chosen_id, contract_visible

__all__ = ["ServiceContracts", "contract_covering", "contract_scope", "contract_writable"]

R = Role


def contract_scope(
    actor: Actor, contract: ServiceContract, customer_region: str | None, command: str = "read_contracts"
) -> bool:
    """May ``actor`` see ``contract``? Customers their own; dealer staff their dealer's or, for a contract
    signed with no dealer, their regions'. Any of the actor's roles that may run ``command`` may grant it
    (signing for a customer is a dealer's, not the customer's own role's)."""
    return contract_visible(actor, contract, customer_region, MAINTENANCE_ROLES[command])


def contract_writable(
    actor: Actor, contract: ServiceContract, customer_dealer: str | None, command: str
) -> bool:
    """May ``actor`` run ``command`` (sign, renew, plan) on ``contract``? Its dealer's staff may — the
    dealer holding it, or the holder customer's own dealer (``customer_dealer``) — and the office; a
    second dealer of the customer's region reads a contract signed with no dealer, it does not change it
    (seed 002: 乙方负责所售产品的全过程服务; see :func:`aftersales.service.permissions.can_write_party`)."""
    return can_write_party(
        actor,
        command,
        MAINTENANCE_ROLES[command],
        customer_id=contract.customer_id,
        dealer_id=contract.dealer_id or customer_dealer,
    )


_SIGNERS = MAINTENANCE_ROLES["sign_contract"]


def _new_contract_id(uow: UnitOfWork, contract_id: str) -> None:
    """``DuplicateError`` when ``contract_id`` is taken (checked after :func:`check_chosen_id`: a scoped
    caller's id is of its own space, so the answer tells it of no record it may not read)."""
    try:
        uow.documents.get(ServiceContract, contract_id)
    except NotFound:
        return
    raise DuplicateError(f"contract {contract_id} already exists")


def _dealer_of(uow: UnitOfWork, customer_id: str | None) -> str | None:
    """The dealer of the holder customer (``None``: no holder customer, unknown, or no dealer)."""
    if customer_id is None:
        return None
    try:
        return uow.customers.get(customer_id).dealer_id
    except NotFound:
        return None


def _same_days(one: ServiceContract, other: ServiceContract) -> bool:
    """Whether both contracts may cover something on a common day (neither cancelled)."""
    if ContractState.CANCELLED in (one.state, other.state):
        return False
    return not (one.ends_on < other.starts_on or other.ends_on < one.starts_on)


def _units_of(
    uow: UnitOfWork, contract: ServiceContract, categories: dict[str, str | None]
) -> frozenset[str]:
    """The units ``contract`` covers now: its named units and, for a product line, the holder customer's
    units of that category (``categories`` caches each product's category)."""
    units = set(contract.assets)
    if contract.product_line is not None and contract.customer_id is not None:
        for asset in uow.assets.list(customer_id=contract.customer_id):
            if asset.product_id not in categories:
                try:
                    categories[asset.product_id] = uow.products.get(asset.product_id).category
                except NotFound:
                    categories[asset.product_id] = None
            if categories[asset.product_id] == contract.product_line:
                units.add(asset.id)
    return frozenset(units)


@validated_commands
class ServiceContracts:
    """Service contracts of one desk (``desk.contracts``)."""

    def __init__(self, context: DeskContext, runner: CommandRunner) -> None:
        self.context = context
        self.runner = runner

    def _region(self, uow: UnitOfWork, contract: ServiceContract) -> str | None:
        if contract.customer_id is None:
            return None
        try:
            return uow.customers.get(contract.customer_id).region
        except NotFound:
            return None

    def _readable(self, uow: UnitOfWork, actor: Actor, contract: ServiceContract) -> bool:
        return contract_scope(actor, contract, self._region(uow, contract))

    def _visible(self, uow: UnitOfWork, actor: Actor, contract_id: str) -> ServiceContract:
        if not isinstance(contract_id, str) or not contract_id:
            raise ValidationError("a contract id is a non-empty string", field="contract_id")
        contract = uow.documents.get(ServiceContract, contract_id)
        if not contract_scope(actor, contract, self._region(uow, contract)):
            raise NotFound("service_contract", contract_id)
        return contract

    def _writable(self, uow: UnitOfWork, actor: Actor, contract_id: str, command: str) -> ServiceContract:
        """The contract if ``actor`` may run ``command`` on it; otherwise ``NotFound``, as an unknown id
        (a reader who may not change it learns nothing more than one who cannot see it)."""
        contract = self._visible(uow, actor, contract_id)
        if not contract_writable(actor, contract, _dealer_of(uow, contract.customer_id), command):
            raise NotFound("service_contract", contract_id)
        return contract

    # -- commands -----------------------------------------------------------------------------------

    def sign(
        self, actor: Actor, contract: ServiceContract, *, idempotency_key: str | None = None
    ) -> ServiceContract:
        """Record a signed contract: its holder and units must exist, its units be the holder's.

        Refused with a typed error, storing nothing: an unknown customer, dealer or unit; a unit of
        another customer (or, for a dealer's contract, of another dealer); a unit already covered by
        another contract on a common day (named to whom may read it); an id taken (``DuplicateError``),
        or, chosen by dealer staff, not of their dealer's own space (``<dealer id>:<name>``,
        :func:`~aftersales.service.scope.check_chosen_id`).
        """
        permit(check_actor(actor), Workflow.MAINTENANCE, "sign_contract")
        if not isinstance(contract, ServiceContract):
            raise ValidationError("contract must be a ServiceContract", field="contract")

        def apply(uow: UnitOfWork, now: datetime) -> ServiceContract:
            self._check_parties(uow, actor, contract)
            check_chosen_id(actor, _SIGNERS, "contract", contract.id, "contract.id")
            _new_contract_id(uow, contract.id)
            self._check_no_overlap(uow, actor, contract)
            signed = attrs.evolve(contract, history=(), version=0)
            signed.record("signed", now, actor.ref)
            today = self.context.today(now)
            if signed.remind_on is not None and signed.remind_on < today.isoformat():
                signed.remind_on = today.isoformat()
            uow.documents.add(signed)
            return signed

        return self.runner.write(
            actor, "sign_contract", idempotency_key, contract, apply,
            remember=lambda c: c.id, reload=lambda uow, cid: uow.documents.get(ServiceContract, cid),
        )  # fmt: skip

    def renew(
        self,
        actor: Actor,
        contract_id: str,
        *,
        new_id: str,
        ends_on: date,
        price: Money,
        idempotency_key: str | None = None,
    ) -> ServiceContract:
        """Renew: a new contract with the same holder, units and coverage from the day after the old one.

        ``new_id`` follows the rule of :meth:`sign`'s id (dealer staff: ``<dealer id>:<name>``). Refused
        as :meth:`sign` refuses: a unit no longer the holder's (sold on since), or covered by another
        contract on a day of the new period."""
        permit(check_actor(actor), Workflow.MAINTENANCE, "sign_contract")

        def apply(uow: UnitOfWork, now: datetime) -> ServiceContract:
            old = self._writable(uow, actor, contract_id, "sign_contract")
            if old.state is not ContractState.ACTIVE or old.renewed_as is not None:
                raise ValidationError(
                    f"contract {old.id} is cancelled or already renewed", field="contract_id"
                )
            starts = date.fromordinal(old.ends_on.toordinal() + 1)
            new = ServiceContract(
                id=new_id, starts_on=starts, ends_on=ends_on, price=price, customer_id=old.customer_id,
                dealer_id=old.dealer_id, assets=old.assets, product_line=old.product_line,
                coverage=old.coverage, sla=old.sla, remind_days=old.remind_days,
            )  # fmt: skip
            check_chosen_id(actor, _SIGNERS, "contract", new.id, "new_id")
            _new_contract_id(uow, new.id)
            # The renewal is a contract signed for its own period: its units must still be the holder's,
            # and no other contract may cover one of them on a day of it (as sign checks).
            self._check_parties(uow, actor, new)
            self._check_no_overlap(uow, actor, new)
            new.record("signed", now, actor.ref, f"renewal of {old.id}")
            old.renewed_as = new.id
            old.remind_on = None
            old.record("renewed", now, actor.ref, f"renewed as {new.id}")
            uow.documents.save(old)
            uow.documents.add(new)
            return new

        request = (contract_id, new_id, ends_on, price)
        return self.runner.write(
            actor, "renew_contract", idempotency_key, request, apply,
            remember=lambda c: c.id, reload=lambda uow, cid: uow.documents.get(ServiceContract, cid),
        )  # fmt: skip

    def cancel(
        self, actor: Actor, contract_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> ServiceContract:
        """Cancel a contract with a reason; it covers nothing after today (the desk's local date) and its
        plans stop. A call received while it was in force keeps its cover when assessed again."""
        permit(check_actor(actor), Workflow.MAINTENANCE, "cancel_contract")

        def apply(uow: UnitOfWork, now: datetime) -> ServiceContract:
            contract = self._writable(uow, actor, contract_id, "cancel_contract")
            contract.cancel(now, actor.ref, reason, self.context.today(now))
            from aftersales.domain.maintenance import MaintenancePlan, VisitChange

            for plan in uow.documents.query(MaintenancePlan, contract_id=contract.id, state="active"):
                plan.end(VisitChange("ended", now, actor.ref, "contract_cancelled"))
                uow.documents.save(plan)
            return uow.documents.save(contract)

        return self.runner.write(
            actor, "cancel_contract", idempotency_key, (contract_id, reason), apply,
            remember=lambda c: c.id, reload=lambda uow, cid: uow.documents.get(ServiceContract, cid),
        )  # fmt: skip

    def remind_expiring(self, actor: Actor, today: date | None = None) -> list[ServiceContract]:
        """The daily job: contracts whose renewal reminder falls on or before today, reminded once each.

        The holder's dealer (or the holder dealer) and the managers are told; each contract is
        reminded once (its ``remind_on`` is cleared), so running the job twice a day sends nothing new.
        """
        permit(check_actor(actor), Workflow.MAINTENANCE, "run_maintenance_jobs")

        def apply(uow: UnitOfWork, now: datetime) -> list[ServiceContract]:
            day = today or self.context.today(now)
            due = list(due_documents(uow, ServiceContract, "remind_on", "remind_expiring_contracts", day))
            messages: list[OutboxMessage] = []
            for contract in due:
                contract.reminded(day, now, actor.ref)
                uow.documents.save(contract)
                messages += self._reminder_messages(uow, contract, now)
            uow.outbox.put(messages)
            mark_run(uow, "remind_expiring_contracts", day)
            return due

        return self.runner.write(actor, "remind_expiring_contracts", None, today, apply)

    def _reminder_messages(
        self, uow: UnitOfWork, contract: ServiceContract, now: datetime
    ) -> list[OutboxMessage]:
        values = {
            "contract_id": contract.id,
            "holder": self._holder_name(uow, contract),
            "ends_on": contract.ends_on,
        }
        key = f"contract_expiring:{contract.id}:{contract.ends_on.isoformat()}"
        notes = self.context.notifications
        out = notes.staff_messages("contract_expiring", (R.MANAGER,), values, key, now)
        dealer_id = contract.dealer_id or self._customer_dealer(uow, contract)
        if dealer_id is not None:
            try:
                dealer = uow.dealers.get(dealer_id)
            except NotFound:
                dealer = None
            if dealer is not None and dealer.contact is not None:
                out += notes.contact_messages("contract_expiring", "dealer", dealer.contact, values, key, now)
        return out

    @staticmethod
    def _customer_dealer(uow: UnitOfWork, contract: ServiceContract) -> str | None:
        if contract.customer_id is None:
            return None
        try:
            return uow.customers.get(contract.customer_id).dealer_id
        except NotFound:
            return None

    @staticmethod
    def _holder_name(uow: UnitOfWork, contract: ServiceContract) -> str:
        try:
            if contract.customer_id is not None:
                return uow.customers.get(contract.customer_id).name
            if contract.dealer_id is not None:
                return uow.dealers.get(contract.dealer_id).name
        except NotFound:
            pass
        return contract.customer_id or contract.dealer_id or ""

    # -- checks -------------------------------------------------------------------------------------

    def _check_parties(self, uow: UnitOfWork, actor: Actor, contract: ServiceContract) -> None:
        region: str | None = None
        dealer: str | None = None
        if contract.customer_id is not None:
            holder = uow.customers.get(contract.customer_id)
            region, dealer = holder.region, holder.dealer_id
        else:
            assert contract.dealer_id is not None
            uow.dealers.get(contract.dealer_id)
        in_scope = contract_scope(actor, contract, region, "sign_contract")
        if not (in_scope and contract_writable(actor, contract, dealer, "sign_contract")):
            raise NotFound(
                "customer" if contract.customer_id else "dealer", contract.customer_id or contract.dealer_id
            )
        found = uow.assets.find(contract.assets)
        for asset_id in contract.assets:
            asset = found.get(asset_id)
            if asset is None or not asset_visible(uow, actor, asset):
                raise NotFound("asset", asset_id)  # another's unit, as an unknown one (not "not a unit of")
            if contract.customer_id is not None and asset.customer_id != contract.customer_id:
                raise ValidationError(
                    f"unit {asset_id} is not a unit of customer {contract.customer_id}", field="assets"
                )
            if contract.dealer_id is not None and asset.dealer_id != contract.dealer_id:
                raise ValidationError(
                    f"unit {asset_id} is not looked after by dealer {contract.dealer_id}", field="assets"
                )

    def _check_no_overlap(self, uow: UnitOfWork, actor: Actor, contract: ServiceContract) -> None:
        """``ValidationError`` naming the first unit of ``contract`` that another contract covers on a day
        of its period (a unit is covered by at most one contract on any day). A product-line contract
        covers the holder's units of that category (:meth:`ServiceContract.covers`): they count as named."""
        categories: dict[str, str | None] = {}
        mine = _units_of(uow, contract, categories)
        for unit in sorted(mine):
            # Each unit's lock (in one order: no deadlock): another desk signing a contract on one of
            # them commits first or waits for this one, and is then checked against it (PostgreSQL read
            # both as uncovered before: two contracts paying for one unit's visits).
            for_update(uow.assets, unit)
        for other in self._contracts_of_units(uow, contract, mine):
            if other.id == contract.id or not _same_days(contract, other):
                continue
            shared = mine & _units_of(uow, other, categories)
            if shared:
                # Another's contract on the unit is named only to whom may read it.
                named = f"contract {other.id}" if self._readable(uow, actor, other) else "another contract"
                raise ValidationError(
                    f"unit {sorted(shared)[0]} is already covered by {named} "
                    f"from {other.starts_on} to {other.ends_on}",
                    field="product_line" if contract.product_line is not None else "assets",
                )

    def _contracts_of_units(
        self, uow: UnitOfWork, contract: ServiceContract, units: frozenset[str]
    ) -> Iterable[ServiceContract]:
        holders: set[tuple[str, str]] = set()
        if contract.customer_id is not None:
            holders.add(("customer_id", contract.customer_id))
        for asset in uow.assets.find(units).values():
            if asset.customer_id is not None:
                holders.add(("customer_id", asset.customer_id))
            if asset.dealer_id is not None:
                holders.add(("dealer_id", asset.dealer_id))
        seen: set[str] = set()
        for field, value in sorted(holders):
            for other in uow.documents.query(ServiceContract, **{field: value}):
                if other.id not in seen:
                    seen.add(other.id)
                    yield other

    # -- queries ------------------------------------------------------------------------------------

    def get(self, actor: Actor, contract_id: str) -> ServiceContract:
        """The contract, if ``actor`` may see it (otherwise ``NotFound``).

        A customer's contract (what they bought, for which of their units, at what price) is their
        personal data: its read is logged (``desk.privacy.access_log``, what ``service_contract``); a
        dealer's contract names no customer and is not."""
        permit(check_actor(actor), Workflow.MAINTENANCE, "read_contracts")
        with self.context.store() as uow:
            contract = self._visible(uow, actor, contract_id)
        record_access(self.runner, actor, "service_contract", _holders([contract]))
        return contract

    def of_customer(self, actor: Actor, customer_id: str) -> list[ServiceContract]:
        """The customer's contracts within ``actor``'s scope, by start date (a logged read of the
        customer's personal data when any is shown: ``desk.privacy.access_log``, what
        ``service_contracts``)."""
        permit(check_actor(actor), Workflow.MAINTENANCE, "read_contracts")
        with self.context.store() as uow:
            try:
                region = uow.customers.get(customer_id).region
            except NotFound:
                return []
            found = uow.documents.query(ServiceContract, customer_id=customer_id)
            shown = sorted(
                (c for c in found if contract_scope(actor, c, region)), key=lambda c: (c.starts_on, c.id)
            )
        record_access(self.runner, actor, "service_contracts", _holders(shown))
        return shown

    def covering(self, actor: Actor, asset_id: str, day: date) -> ServiceContract | None:
        """The contract covering the unit ``asset_id`` on ``day``, if any and ``actor`` may read it.

        The unit must be one ``actor`` may know (otherwise ``NotFound``, as an unknown unit). A covering
        contract ``actor`` may not read (another holder's) is answered as none. Showing a customer's
        contract is a logged read of their personal data (``service_contract``), as :meth:`get` is.
        Charging and the SLA ask :func:`contract_covering` inside their own unit of work."""
        permit(actor, Workflow.MAINTENANCE, "read_contracts")
        with self.context.store() as uow:
            asset = uow.assets.get(asset_id)
            if not asset_visible(uow, actor, asset):
                raise NotFound("asset", asset_id)
            contract = contract_covering(uow, asset, day)
            if contract is not None and not self._readable(uow, actor, contract):
                contract = None
        if contract is not None:
            record_access(self.runner, actor, "service_contract", _holders([contract]))
        return contract


def contract_covering(
    uow: UnitOfWork, asset: Asset, day: date, owner: str | None = None
) -> ServiceContract | None:
    """The contract covering ``asset`` on ``day``, if any (named units first, then product lines).

    Unscoped, inside the caller's unit of work (charging, the SLA terms at intake); a host asks
    :meth:`ServiceContracts.covering` with an actor. ``owner``: the customer the unit was theirs on
    ``day`` (a ticket's customer: the intake opens a call only for the unit's owner) when it has changed
    hands since; by default its owner now. A call received under the seller's contract kept no cover once
    the unit was sold: assessed again, the repair became chargeable (as one under a contract cancelled
    since did)."""
    product = None
    try:
        product = uow.products.get(asset.product_id)
    except NotFound:
        product = None
    if owner is not None and owner != asset.customer_id:
        asset = attrs.evolve(asset, customer_id=CustomerId(owner))
    candidates: list[ServiceContract] = []
    if asset.customer_id is not None:
        candidates += uow.documents.query(ServiceContract, customer_id=asset.customer_id)
    if asset.dealer_id is not None:
        candidates += uow.documents.query(ServiceContract, dealer_id=asset.dealer_id)
    covering = [c for c in candidates if c.covers(asset, product, day)]
    covering.sort(key=lambda c: (asset.id not in c.assets, c.starts_on, c.id))
    return covering[0] if covering else None


def _holders(contracts: Iterable[ServiceContract]) -> list[str]:
    """The customers whose contracts these are (a dealer's contract names none)."""
    return [c.customer_id for c in contracts if c.customer_id is not None]
