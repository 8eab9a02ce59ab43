"""Preventive maintenance (保养): plans, the daily generation of visits, and their completion.

A plan belongs to one unit (and, optionally, to the service contract that pays for it). Each day the
job :meth:`MaintenanceDesk.generate_due` reads only the plans whose generation day has come (an
indexed date), opens a maintenance ticket for each (category ``maintenance``, channel ``planned``)
through the same intake as any ticket, and dispatches it through the same dispatch command — region,
skill and dealer territory decide, as for a repair. The visit is completed on its ticket with the
checklist results, the parts used and, where the host reports one, the meter reading; the next due
date follows from the day it was done. A postponed or missed visit is recorded with its reason.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.classification import Category, Channel, Plan, Severity, TicketKind
from aftersales.domain.erasure import ERASED, WITHHELD
from aftersales.domain.ids import EngineerId
from aftersales.domain.maintenance import (
    INTERVAL_MONTHS,
    LEAD_DAYS,
    ChecklistResult,
    MaintenancePlan,
    MaintenanceVisit,
    PlanState,
    UsageInterval,
    VisitChange,
    VisitState,
    add_months,
    contract_visits,
    lead_refusal,
)
from aftersales.domain.products import Asset
from aftersales.domain.remedy_visit import UnitVisit
from aftersales.domain.service_contracts import ServiceContract
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assessment, AssigneeKind, CustomerNote, Visit, VisitKind
from aftersales.errors import CalendarDataMissing, InvalidTransition, NotFound, ValidationError
from aftersales.policies.decision import Decision
from aftersales.policies.dispatch import Roster
from aftersales.policies.protocols import MaintenancePolicy
from aftersales.policies.sla_terms import SlaTerms, terms_in
from aftersales.policies.triage import Triage, TriageFacts
from aftersales.ports.maintenance_due import ensure_due_index
from aftersales.ports.maintenance_due import overdue_on as overdue_visits
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.access_log import record_access
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.calendar_stamp import StampRead
from aftersales.service.context import DeskContext
from aftersales.service.contracts import ServiceContracts, contract_scope, contract_writable
from aftersales.service.daily_cursor import DailyCursor, due_documents, mark_run
from aftersales.service.dispatching import Choice, engineer_dealer
from aftersales.service.intake import open_ticket_in, write_opened
from aftersales.service.numbering import next_numbers
from aftersales.service.overdue_notices import overdue_messages
from aftersales.service.permissions import (
    READERS,
    Workflow,
    authorize,
    can_write_party,
    permit,
    roles_for,
)
from aftersales.service.plan_owner import follow_owner
from aftersales.service.remedy_overdue import chase as chase_remedies
from aftersales.service.row_locks import for_update, hold_all
from aftersales.service.runner import Applied, CommandRunner, check_actor
from aftersales.service.scope import asset_visible, check_chosen_id, party_visible
from aftersales.service.sold_visit_sweep import call_off_sold_overdue
from aftersales.service.tickets import Tickets
from aftersales.service.unit_visits import read_unit_visits
from aftersales.service.views import CommandResult
from aftersales.service.visit_terms import visit_terms

__all__ = ["GenerationReport", "MaintenanceDesk"]

R = Role
_BATCH = 500
"""Plans opened per transaction by the daily job (one commit per batch, not per visit)."""
"""How far a postponement may move a visit's SLA beyond its first due day."""


@attrs.frozen
class GenerationReport:
    """What one run of the daily job did: visits opened, and those its dispatch could not place."""

    generated: tuple[MaintenanceVisit, ...]
    undispatched: tuple[str, ...]
    days: int
    """How many generation days the run covered (more than one after missed runs)."""


@validated_commands
class MaintenanceDesk:
    """Maintenance plans and visits of one desk (``desk.maintenance``)."""

    def __init__(
        self, context: DeskContext, runner: CommandRunner, tickets: Tickets, contracts: ServiceContracts
    ) -> None:
        self.context = context
        self.runner = runner
        self.tickets = tickets
        self.contracts = contracts

    @property
    def params(self) -> MaintenancePolicy:
        """The pack's maintenance defaults (interval, lead time, checklists per product category)."""
        return self.context.policies.maintenance

    # -- plans --------------------------------------------------------------------------------------

    def create_plan(
        self,
        actor: Actor,
        *,
        asset_id: str,
        interval_months: Annotated[int, INTERVAL_MONTHS] | None = None,
        checklist: Sequence[str] | None = None,
        first_due: date | None = None,
        lead_days: Annotated[int, LEAD_DAYS] | None = None,
        usage: UsageInterval | None = None,
        contract_id: str | None = None,
        plan_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> MaintenancePlan:
        """Put a unit on a maintenance plan; missing settings come from the pack.

        Refused, storing nothing: an unknown unit, a unit with no owner or outside the actor's scope,
        a unit that already has an active plan, a contract that does not cover the unit on the first
        due date, an interval or lead time out of range, an empty checklist, a ``plan_id`` dealer staff
        chose outside their dealer's id space (``<dealer id>:<name>``,
        :func:`~aftersales.service.scope.check_chosen_id`; without one the desk names it ``MP-<unit>``).
        """
        permit(check_actor(actor), Workflow.MAINTENANCE, "create_plan")
        if usage is not None and not isinstance(usage, UsageInterval):
            raise ValidationError("usage is a UsageInterval", field="usage")
        if first_due is not None and type(first_due) is not date:
            raise ValidationError("first_due is a date", field="first_due", rule="date")

        def apply(uow: UnitOfWork, now: datetime) -> MaintenancePlan:
            asset = uow.assets.get(asset_id)
            contract = self._named_contract(uow, actor, contract_id) if contract_id is not None else None
            settings = _Settings(interval_months, checklist, first_due, lead_days, usage)
            plan = self._plan_unit(uow, actor, asset, self.context.today(now), settings, contract, plan_id)
            if plan is None:
                raise NotFound("asset", asset_id)
            return plan

        request = (asset_id, interval_months, checklist, first_due, lead_days, usage, contract_id, plan_id)
        return self.runner.write(
            actor, "create_plan", idempotency_key, request, apply,
            remember=lambda p: p.id, reload=lambda uow, pid: uow.documents.get(MaintenancePlan, pid),
        )  # fmt: skip

    def plan_contract(
        self,
        actor: Actor,
        contract_id: str,
        *,
        interval_months: Annotated[int, INTERVAL_MONTHS] | None = None,
        checklist: Sequence[str] | None = None,
        first_due: date | None = None,
        lead_days: Annotated[int, LEAD_DAYS] | None = None,
        idempotency_key: str | None = None,
    ) -> list[MaintenancePlan]:
        """Put every unit a contract covers on a maintenance plan under it, in one transaction.

        The contract's named units, or its holder's units of its product line. Units already on an
        active plan keep theirs (a renewal re-plans nothing twice); the new plans are returned. The
        interval defaults to the contract's visits per year (2 a year: every 6 months).
        """
        permit(check_actor(actor), Workflow.MAINTENANCE, "create_plan")
        if first_due is not None and type(first_due) is not date:
            raise ValidationError("first_due is a date", field="first_due", rule="date")
        if not isinstance(contract_id, str) or not contract_id:
            raise ValidationError("a contract id is a non-empty string", field="contract_id")

        def apply(uow: UnitOfWork, now: datetime) -> list[MaintenancePlan]:
            contract = uow.documents.get(ServiceContract, contract_id)
            holder = uow.customers.get(contract.customer_id) if contract.customer_id else None
            region, dealer = (holder.region, holder.dealer_id) if holder is not None else (None, None)
            if not (
                contract_scope(actor, contract, region)
                and contract_writable(actor, contract, dealer, "create_plan")
            ):
                raise NotFound("service_contract", contract_id)
            if contract.customer_id is not None and contract.product_line is not None:
                units = list(uow.assets.list(customer_id=contract.customer_id))
                units += uow.assets.find(
                    a for a in contract.assets if a not in {u.id for u in units}
                ).values()
            else:
                units = list(uow.assets.find(contract.assets).values())
            settings = _Settings(interval_months, checklist, first_due, lead_days, None)
            today = self.context.today(now)
            made: list[MaintenancePlan] = []
            for asset in sorted(units, key=lambda a: a.id):
                product = uow.products.get(asset.product_id)
                due = first_due or add_months(today, self._months(settings, contract))
                if not contract.covers(asset, product, due):
                    continue  # another line of the holder's, or the contract is over by then
                for_update(uow.assets, asset.id)  # the unit's plans as last committed (see _plan_unit)
                if uow.documents.query(MaintenancePlan, asset_id=asset.id, state=PlanState.ACTIVE.value):
                    continue
                plan = self._plan_unit(uow, actor, asset, today, settings, contract, None)
                if plan is None:
                    raise NotFound("service_contract", contract_id)
                made.append(plan)
            return made

        request = (contract_id, interval_months, checklist, first_due, lead_days)
        return self.runner.write(
            actor, "plan_contract", idempotency_key, request, apply,
            remember=lambda plans: [p.id for p in plans],
            reload=lambda uow, ids: [uow.documents.get(MaintenancePlan, i) for i in ids],
        )  # fmt: skip

    @staticmethod
    def _named_contract(uow: UnitOfWork, actor: Actor, contract_id: str) -> ServiceContract:
        """The contract a new plan names, if ``actor`` may read it: another dealer's contract is
        ``NotFound`` as an unknown one (it told the caller it exists: "does not cover unit …")."""
        contract = uow.documents.get(ServiceContract, contract_id)
        holder = uow.customers.get(contract.customer_id) if contract.customer_id else None
        if not contract_scope(actor, contract, holder.region if holder is not None else None):
            raise NotFound(ServiceContract.DOCUMENT_KIND, contract_id)
        return contract

    def _months(self, settings: _Settings, contract: ServiceContract | None) -> int:
        """The interval: given, else the contract's visits per year, else the pack's."""
        if settings.interval_months is not None:
            return settings.interval_months
        visits = contract.coverage.visits_per_year if contract is not None else 0
        return max(1, round(12 / visits)) if visits else self.params.interval_months

    def _plan_unit(
        self,
        uow: UnitOfWork,
        actor: Actor,
        asset: Asset,
        today: date,
        settings: _Settings,
        contract: ServiceContract | None,
        plan_id: str | None,
    ) -> MaintenancePlan | None:
        """A new plan for ``asset`` (added to ``uow``); ``None`` if the unit is outside the actor's scope."""
        # The unit's lock, and the unit as last committed: another desk planning it (or moving it to a
        # new owner) commits first or waits for this one, which then finds its plan (PostgreSQL found
        # none for both before: two active plans on one unit, every visit made twice).
        asset = for_update(uow.assets, asset.id)
        if asset.customer_id is None and not asset_visible(uow, actor, asset):
            return None  # another dealer's stock: as unknown as a unit that does not exist
        if asset.customer_id is None:
            raise ValidationError(f"unit {asset.id} has no owner to maintain it for", field="asset_id")
        customer = uow.customers.get(asset.customer_id)
        dealer = customer.dealer_id or asset.dealer_id
        if not _writable(actor, "create_plan", customer.id, customer.region, dealer):
            return None
        if plan_id is not None:
            check_chosen_id(actor, roles_for(Workflow.MAINTENANCE, "create_plan"), "plan", plan_id, "plan_id")
        for existing in uow.documents.query(MaintenancePlan, asset_id=asset.id, state=PlanState.ACTIVE.value):
            raise ValidationError(
                f"unit {asset.id} already has maintenance plan {existing.id}", field="asset_id"
            )
        if contract is not None and not contract.coverage.visits_per_year:
            # It pays for no visit: a plan under it made visits charged as without it, in its name.
            raise ValidationError(
                f"contract {contract.id} pays for no maintenance visits (visits_per_year is 0)",
                field="contract_id",
            )
        product = uow.products.get(asset.product_id)
        params = self.params
        months = self._months(settings, contract)
        due = settings.first_due or add_months(today, months)
        if contract is not None and not contract.covers(asset, product, due):
            raise ValidationError(
                f"contract {contract.id} does not cover unit {asset.id} on {due}", field="contract_id"
            )
        lead = params.lead_days if settings.lead_days is None else settings.lead_days
        in_range = type(lead) is int and type(months) is int and 0 <= lead <= 180 and 1 <= months <= 120
        refusal = lead_refusal(months, lead) if in_range else None  # else the plan's own check names it
        if refusal is not None:  # a lead time as long as the interval opens visits back to back
            raise ValidationError(refusal, field="lead_days")
        checklist = settings.checklist
        plan = MaintenancePlan(
            id=plan_id or _free_plan_id(uow, asset.id),
            asset_id=asset.id,
            customer_id=customer.id,
            product_id=asset.product_id,
            interval_months=months,
            checklist=tuple(checklist) if checklist is not None else params.checklist_for(product.category),
            next_due=due,
            lead_days=lead,
            usage=settings.usage,
            contract_id=contract.id if contract is not None else None,
            region=customer.region,
            dealer_id=customer.dealer_id or asset.dealer_id,
        )
        if plan.generate_on is not None and plan.generate_on < today.isoformat():
            plan.generate_on = today.isoformat()  # overdue already: the next run picks it up
        try:
            uow.documents.get(MaintenancePlan, plan.id)
        except NotFound:
            uow.documents.add(plan)
            return plan
        raise ValidationError(f"plan {plan.id} already exists", field="plan_id")

    def record_reading(
        self, actor: Actor, plan_id: str, reading: int, *, idempotency_key: str | None = None
    ) -> MaintenancePlan:
        """A meter reading from the host (cycles, hours); enough use makes the plan due at once."""
        permit(check_actor(actor), Workflow.MAINTENANCE, "record_reading")

        def apply(uow: UnitOfWork, now: datetime) -> MaintenancePlan:
            plan = self._plan(uow, actor, plan_id, "record_reading")
            plan.reading(reading, self.context.today(now))
            return uow.documents.save(plan)

        return self.runner.write(
            actor, "record_reading", idempotency_key, (plan_id, reading), apply,
            remember=lambda p: p.id, reload=lambda uow, pid: uow.documents.get(MaintenancePlan, pid),
        )  # fmt: skip

    def end_plan(self, actor: Actor, plan_id: str, *, reason: str) -> MaintenancePlan:
        """Stop a plan (unit scrapped, customer declined); an open visit stays to be done or missed."""
        permit(check_actor(actor), Workflow.MAINTENANCE, "create_plan")
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationError("ending a plan needs a reason", field="reason")

        def apply(uow: UnitOfWork, now: datetime) -> MaintenancePlan:
            plan = self._plan(uow, actor, plan_id, "create_plan")
            if plan.state is PlanState.ENDED:  # ended already: who ended it and why stay as they are
                raise InvalidTransition("maintenance_plan", plan.state.value, "end_plan", record_id=plan.id)
            plan.end(VisitChange("ended", now, actor.ref, reason))
            return uow.documents.save(plan)

        return self.runner.write(actor, "end_plan", None, (plan_id, reason), apply)

    def _plan(self, uow: UnitOfWork, actor: Actor, plan_id: str, command: str) -> MaintenancePlan:
        if not isinstance(plan_id, str) or not plan_id:
            raise ValidationError("a plan id is a non-empty string", field="plan_id")
        plan = uow.documents.get(MaintenancePlan, plan_id)
        if not _in_scope(actor, plan.customer_id, plan.region, plan.dealer_id) or not _writable(
            actor, command, plan.customer_id, plan.region, plan.dealer_id
        ):
            raise NotFound("maintenance_plan", plan_id)  # as an unknown id, also to a reader
        return plan

    # -- the daily job ------------------------------------------------------------------------------

    def generate_due(self, actor: Actor, today: date | None = None) -> GenerationReport:
        """Open, triage and dispatch a maintenance visit for every plan whose generation day has come.

        Reads only the plans due by today (one range of the generation-day index), a batch at a time:
        each batch opens its visits' tickets, triages them (planned work: low severity, on site) and
        dispatches them by the pack's routing in one transaction, so a crash leaves no visit half made.
        Running it twice opens nothing twice.
        """
        permit(check_actor(actor), Workflow.MAINTENANCE, "run_maintenance_jobs")
        generated: list[MaintenanceVisit] = []
        undispatched: list[str] = []
        days: list[int] = []

        def batch(uow: UnitOfWork, now: datetime) -> tuple[int, list[MaintenanceVisit], list[str]]:
            # Returns what it made rather than adding to the lists: a retried transaction runs it again.
            day = today or self.context.today(now)
            if not days:
                days.append(_days_covered(uow, day))
                ensure_due_index(uow, day)  # once per store: nothing to do on a new one
            plans = _due_plans(uow, day, _BATCH)
            # The units held (PostgreSQL), in id order, before they are read, as the owners are below: a
            # unit sold in flight (transfer_asset locks it) commits first and is read with its new owner,
            # whom the plan follows and who is held with the others, or waits for the batch. Read
            # plainly, a sale committed between this read and the visit's opening left the plan naming
            # the old owner while the intake read the new one: NotFound, the whole batch refused.
            hold_all(uow.assets, {p.asset_id for p in plans})
            units = uow.assets.find(p.asset_id for p in plans)
            people = {p.customer_id for p in plans} | {u.customer_id for u in units.values() if u.customer_id}
            # Held (PostgreSQL), in id order, before they are read: an erasure in flight commits first and
            # its customer reads erased here (the plan ends), or waits for the batch and then cancels the
            # visit. Read plainly, a customer erased meanwhile was found erased only at the visit's
            # opening, which refused the whole batch (CustomerErased).
            hold_all(uow.customers, people)
            owners = uow.customers.find(people)
            run = _Batch(self, uow, actor, now)
            made: list[MaintenanceVisit] = []
            unplaced: list[str] = []
            opening: list[MaintenancePlan] = []
            for plan in plans:
                if plan.state is not PlanState.ACTIVE or plan.open_visit_id is not None:
                    # A record that breaks the domain's rule (written by hand or by an old version):
                    # nothing to generate; it leaves the range instead of being read every day.
                    plan.generate_on = None
                    uow.documents.save(plan)
                    continue
                unit = units.get(plan.asset_id)
                if unit is None or unit.customer_id != plan.customer_id:
                    # Sold on before this plan followed it: the owner's now.
                    follow_owner(uow, plan, unit, now, actor.ref)
                owner = owners.get(plan.customer_id)
                if plan.state is PlanState.ACTIVE and owner is not None and owner.name == ERASED:
                    # Erased before erasure ended the person's plans: no visit to someone forgotten.
                    plan.end(VisitChange("ended", now, actor.ref, "customer_erased"))
                if plan.state is not PlanState.ACTIVE:
                    uow.documents.save(plan)
                elif run.still_covered(plan):
                    opening.append(plan)
                else:
                    # Its contract ends before the visit: nothing more to generate.
                    plan.end(VisitChange("ended", now, actor.ref, "contract_over"))
                    uow.documents.save(plan)
            run.prepare(opening)
            for plan in opening:
                visit, assigned = run.open_visit(plan)
                made.append(visit)
                if not assigned:
                    assert visit.ticket_id is not None
                    unplaced.append(visit.ticket_id)
            write_opened(uow, run.opened, self.context.notifications.renderer.catalog)
            uow.outbox.put(run.messages)
            if len(plans) < _BATCH:
                mark_run(uow, "generate_maintenance", day)
            return len(plans), made, unplaced

        # A store that can leave its WAL to one checkpoint after the run (SQLite) does: the batches
        # commit one after another, and a checkpoint each was a sync each (issue 26).
        bulk = getattr(self.context.store, "checkpoint_after", None)
        with bulk() if bulk is not None else contextlib.nullcontext():
            while True:
                read, made, unplaced = self.runner.write(actor, "generate_maintenance", None, today, batch)
                generated += made
                undispatched += unplaced
                if read < _BATCH:
                    break
        return GenerationReport(tuple(generated), tuple(undispatched), days[0] if days else 1)

    def _description(self) -> str:
        return self.context.notifications.renderer.catalog(self.params.locale).text(
            "maintenance.ticket_description"
        )

    def remind_overdue(self, actor: Actor, today: date | None = None) -> tuple[MaintenanceVisit, ...]:
        """The daily reminder: whoever has scheduled visits past their due day is told, once a day.

        The visit's assignee (the dealer, or the engineer) gets one message listing how many, the oldest
        due day and the visits; a visit nobody was assigned goes to the plan's dealer. Returns the overdue
        visits. Running it twice a day sends nothing new.

        Overdue remedy visits (extra maintenance visits granted on a complaint) are chased in the same run,
        to the same people, with their own message (:mod:`aftersales.service.remedy_overdue`); they are not
        in the returned tuple, which stays the plans' visits.
        """
        permit(check_actor(actor), Workflow.MAINTENANCE, "run_maintenance_jobs")

        def apply(uow: UnitOfWork, now: datetime) -> tuple[MaintenanceVisit, ...]:
            day = today or self.context.today(now)
            try:
                reminded = uow.documents.get(DailyCursor, "remind_overdue_visits").last_day >= day
            except NotFound:
                reminded = False
            ensure_due_index(uow, day)
            overdue = tuple(overdue_visits(uow, day))  # one range of the due-day index, not every open visit
            # A visit of a unit sold before sales called visits off is called off now, not chased.
            overdue, called_off = call_off_sold_overdue(self.runner, uow, overdue, now, day)
            groups: dict[tuple[str, str], list[MaintenanceVisit]] = {}
            for visit in overdue:
                holder = _holder(uow, visit)
                if holder is not None:
                    groups.setdefault(holder, []).append(visit)
            render = self.context.notifications.contact_messages
            messages = (
                []
                if reminded
                else overdue_messages(uow, "maintenance_overdue", groups, lambda v: v.id, day, now, render)
            )
            # A complaint's remedy visits not made on time are chased beside them (seed 002 方案的落实).
            chased = chase_remedies(uow, day, now, render, reminded=reminded)
            uow.outbox.put(called_off + messages + chased)
            mark_run(uow, "remind_overdue_visits", day)
            return overdue

        return self.runner.write(actor, "remind_overdue_visits", None, today, apply)

    # -- visits ---------------------------------------------------------------------------------------

    def _visit_command(
        self,
        actor: Actor,
        command: str,
        visit_id: str,
        change: object,
        key: str | None,
        request: object,
    ) -> CommandResult:
        if not isinstance(visit_id, str) or not visit_id:
            raise ValidationError("a visit id is a non-empty string", field="visit_id")
        check_actor(actor)
        with self.context.store() as uow:
            visit = uow.documents.get(MaintenanceVisit, visit_id)
        if visit.ticket_id is None:
            raise ValidationError(f"visit {visit_id} has no ticket", field="visit_id")

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied:
            fresh = uow.documents.get(MaintenanceVisit, visit_id)
            plan = uow.documents.get(MaintenancePlan, fresh.plan_id)
            change(uow, ticket, fresh, plan, now)  # type: ignore[operator]
            uow.documents.save(fresh)
            if plan.open_visit_id == fresh.id or fresh.state is not VisitState.SCHEDULED:
                uow.documents.save(plan)
            return Applied()

        try:
            return self.runner.execute(
                actor, command, visit.ticket_id, apply, key,
                request=request, roles=roles_for(Workflow.MAINTENANCE, command),
            )  # fmt: skip
        except NotFound as missing:
            if (missing.kind, missing.id) != ("ticket", visit.ticket_id):
                raise
            # The visit's ticket is out of the actor's scope: the visit is as unknown as any other id (the
            # refusal named the ticket, telling the caller the visit exists and which ticket it is on).
            raise NotFound(MaintenanceVisit.DOCUMENT_KIND, visit_id) from None

    def complete_visit(
        self,
        actor: Actor,
        visit_id: str,
        *,
        results: Iterable[ChecklistResult],
        parts: Iterable[tuple[str, int]] = (),
        reading: int | None = None,
        note: str = "",
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """The visit was done: every checklist task's result, the parts used, the reading; next due set.

        Recorded on the visit's ticket as a maintenance visit (who came, when), so the ledger shows
        it; resolving and confirming the ticket follow as for any ticket.
        """
        done = tuple(results)
        used = tuple((p, q) for p, q in parts)
        for item in done:
            if not isinstance(item, ChecklistResult):
                raise ValidationError("each result is a ChecklistResult", field="results")

        def change(
            uow: UnitOfWork, ticket: Ticket, visit: MaintenanceVisit, plan: MaintenancePlan, now: datetime
        ) -> None:
            day = self.context.today(now)
            visit.complete(day, done, used, reading)
            engineer = actor.engineer_id or (ticket.assignee.id if ticket.assignee else actor.id)
            summary = ", ".join(f"{r.task}:{'ok' if r.done else 'not_done'}" for r in done)
            ticket.add_visit(
                actor.ref,
                now,
                Visit(now, engineer, VisitKind.MAINTENANCE, now, now, (note or summary)[:2000]),
            )
            if plan.open_visit_id == visit.id:
                plan.done(day, reading)

        return self._visit_command(
            actor, "complete_visit", visit_id, change, idempotency_key, (visit_id, done, used, reading, note)
        )

    def postpone_visit(
        self, actor: Actor, visit_id: str, *, to: date, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """Move the visit to a later date, with the reason (kept on the visit and as an internal note)."""

        def change(
            uow: UnitOfWork, ticket: Ticket, visit: MaintenanceVisit, plan: MaintenancePlan, now: datetime
        ) -> None:
            visit.postpone(to, now, actor.ref, reason)
            ticket.note_to_customer(
                actor.ref, now, CustomerNote(f"postponed to {to.isoformat()}: {reason}", False)
            )
            self._extend_visit_sla(ticket, to, now, actor, reason)

        return self._visit_command(
            actor, "postpone_visit", visit_id, change, idempotency_key, (visit_id, to, reason)
        )

    def _extend_visit_sla(self, ticket: Ticket, to: date, now: datetime, actor: Actor, reason: str) -> None:
        """The visit's own SLA follows it to its new day (recorded as an extension with the reason)."""
        terms = terms_in(ticket.events[0].payload)
        if terms is None or terms.source != "maintenance_visit" or not ticket.can("extend_sla"):
            return
        span = _end_of_day(to, self.context.timezone) - ticket.received_at
        limit = math.ceil(span / timedelta(seconds=1))  # whole seconds, to the end of the day
        for term in terms.terms:
            if term.extend_minutes is not None and term.minutes * 60 < limit <= term.extend_minutes * 60:
                ticket.extend_sla(actor.ref, now, target=term.name, new_limit_seconds=limit, reason=reason)

    def miss_visit(
        self, actor: Actor, visit_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """The visit did not happen: recorded with its reason, its ticket cancelled, the plan due again."""

        def change(
            uow: UnitOfWork, ticket: Ticket, visit: MaintenanceVisit, plan: MaintenancePlan, now: datetime
        ) -> None:
            visit.miss(now, actor.ref, reason)
            if ticket.can("cancel"):
                ticket.cancel(actor.ref, now, reason)
            if plan.open_visit_id == visit.id:
                plan.closed_without_visit(self.context.today(now))

        return self._visit_command(actor, "miss_visit", visit_id, change, idempotency_key, (visit_id, reason))

    # -- queries --------------------------------------------------------------------------------------

    def plans(
        self, actor: Actor, *, customer_id: str | None = None, asset_id: str | None = None
    ) -> list[MaintenancePlan]:
        """Plans of a customer or a unit within ``actor``'s scope."""
        permit(check_actor(actor), Workflow.MAINTENANCE, "read_maintenance")
        equals = {k: v for k, v in (("customer_id", customer_id), ("asset_id", asset_id)) if v is not None}
        if not equals:
            raise ValidationError("name a customer_id or an asset_id", field="customer_id")
        with self.context.store() as uow:
            found = uow.documents.query(MaintenancePlan, **equals)
            plans = [
                _open_visit_as_seen(uow, actor, p)
                for p in found
                if _in_scope(actor, p.customer_id, p.region, p.dealer_id)
            ]
        record_access(self.runner, actor, "maintenance_plans", [p.customer_id for p in plans])
        return plans

    def visits(
        self,
        actor: Actor,
        *,
        state: VisitState = VisitState.SCHEDULED,
        dealer_id: str | None = None,
        overdue_on: date | None = None,
    ) -> list[MaintenanceVisit]:
        """Visits in ``state`` within ``actor``'s scope (a dealer's, or overdue on a day), soonest first.

        With ``overdue_on``: scheduled visits whose due date is before that day (the reminder list).
        Engineers see the visits of the tickets assigned to them (and read each by id: :meth:`visit`).
        """
        permit(check_actor(actor), Workflow.MAINTENANCE, "read_maintenance")
        with self.context.store() as uow:
            if overdue_on is not None and VisitState(state) is VisitState.SCHEDULED:
                found = overdue_visits(uow, overdue_on)  # the due-day range, not every open visit
            else:
                found = list(uow.documents.query(MaintenanceVisit, state=VisitState(state).value))
            out = [v for v in found if _visit_visible(uow, actor, v)]
        if dealer_id is not None:
            out = [v for v in out if v.dealer_id == dealer_id]
        if overdue_on is not None:
            out = [v for v in out if v.state is VisitState.SCHEDULED and v.due_on < overdue_on]
        # Whose units and visit notes were read: logged (``desk.privacy.access_log``).
        record_access(self.runner, actor, "maintenance_visits", [v.customer_id for v in out])
        return sorted(out, key=lambda v: (v.due_on, v.id))

    def unit_visits(self, actor: Actor, asset_id: str) -> tuple[UnitVisit, ...]:
        """The unit's visits ``actor`` may see — its plans' and the extra visits its complaints' remedies
        granted, together, soonest due first (seed 004 第五条 1(6); seed 002 方案的落实:
        :mod:`aftersales.service.unit_visits`). A remedy visit is due on the day agreed with the customer,
        or, granted without one, on the day the pack's standard maintenance term from the grant ends
        (``by_term``). An ``asset_id`` that is not an id is a ``ValidationError`` naming it."""
        permit(check_actor(actor), Workflow.MAINTENANCE, "read_maintenance")
        if not isinstance(asset_id, str) or not asset_id.strip() or len(asset_id) > 64:
            raise ValidationError("asset_id is a unit's id", field="asset_id")
        with self.context.store() as uow:
            found, customers = read_unit_visits(
                uow, asset_id, lambda v: _visit_visible(uow, actor, v), lambda t: _ticket_visible(actor, t)
            )
        record_access(self.runner, actor, "maintenance_visits", customers)
        return found

    def visit(self, actor: Actor, visit_id: str) -> MaintenanceVisit:
        """One visit, if ``actor`` may see it."""
        permit(check_actor(actor), Workflow.MAINTENANCE, "read_maintenance")
        with self.context.store() as uow:
            visit = uow.documents.get(MaintenanceVisit, visit_id)
            if not _visit_visible(uow, actor, visit):
                raise NotFound("maintenance_visit", visit_id)
        record_access(self.runner, actor, "maintenance_visit", [visit.customer_id])
        return visit


def _in_scope(
    actor: Actor,
    customer_id: str,
    region: str | None,
    dealer_id: str | None,
    allowed: frozenset[Role] = READERS,
) -> bool:
    """Is the customer's, region's or dealer's record in the scope of one of ``actor``'s roles that may
    run the command (``allowed``: a write counts only the roles that may write, never an auditor's)?"""
    return party_visible(actor, customer_id=customer_id, region=region, dealer_id=dealer_id, allowed=allowed)


def _writable(
    actor: Actor, command: str, customer_id: str, region: str | None, dealer_id: str | None
) -> bool:
    """May ``actor`` run ``command`` on a plan of ``customer_id`` served by ``dealer_id``? The dealer's
    staff and the office (a second dealer of the region reads the plan, it does not change it:
    :func:`aftersales.service.permissions.can_write_party`)."""
    allowed = roles_for(Workflow.MAINTENANCE, command)
    return can_write_party(
        actor, command, allowed, customer_id=customer_id, dealer_id=dealer_id, region=region
    )


def _open_visit_as_seen(uow: UnitOfWork, actor: Actor, plan: MaintenancePlan) -> MaintenancePlan:
    """``plan`` as ``actor`` reads it: the visit it waits for named only to a reader who may read that
    visit. A plan that followed a unit sold on waits for the visit opened for the seller; the buyer
    reading their plan was given the id of the seller's visit (``[withheld]`` now), which is the
    seller's, as their visits are (docs/concepts/maintenance.md, "A unit sold on")."""
    if plan.open_visit_id is None:
        return plan
    try:
        visit = uow.documents.get(MaintenanceVisit, plan.open_visit_id)
    except NotFound:
        return plan
    if _visit_visible(uow, actor, visit):
        return plan
    return attrs.evolve(plan, open_visit_id=WITHHELD)


def _visit_visible(uow: UnitOfWork, actor: Actor, visit: MaintenanceVisit) -> bool:
    """The visit's customer, dealer or region is in ``actor``'s scope, or (an engineer) its ticket is
    assigned to them: the one rule of :meth:`MaintenanceDesk.visits` and :meth:`MaintenanceDesk.visit`."""
    if _in_scope(actor, visit.customer_id, visit.region, visit.dealer_id):
        return True
    if not actor.has_role(R.ENGINEER) or visit.ticket_id is None:
        return False
    return _assigned(uow, visit.ticket_id, actor.engineer_id or actor.id)


def _ticket_visible(actor: Actor, ticket: Ticket) -> bool:
    """A remedy visit's ticket under the rule of :func:`_visit_visible`: its customer, dealer or region in
    ``actor``'s scope, or (an engineer) assigned to them."""
    if _in_scope(actor, ticket.customer_id, ticket.region, ticket.dealer_id):
        return True
    engineer = actor.engineer_id or actor.id
    return actor.has_role(R.ENGINEER) and ticket.assignee is not None and ticket.assignee.id == engineer


def _assigned(uow: UnitOfWork, ticket_id: str, engineer_id: str) -> bool:
    try:
        assignee = uow.tickets.get(ticket_id).assignee
    except NotFound:
        return False
    return assignee is not None and assignee.id == engineer_id


def _end_of_day(day: date, timezone: str) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), ZoneInfo(timezone)) - timedelta(
        microseconds=1
    )


def _due_plans(uow: UnitOfWork, day: date, limit: int) -> Sequence[MaintenancePlan]:
    """The next ``limit`` plans whose generation day is ``day`` or earlier, oldest first.

    No second condition on the state: the domain sets a generation day only on an active plan with
    no open visit (the job checks each plan read). Asking the store for ``state = active`` as well
    probed the state index once per due plan on every batch — some 33,000 probes a day for 5,500
    due plans at 1 M units, most of them page-cache misses that grew as the file grew (issue 26).
    """
    return due_documents(uow, MaintenancePlan, "generate_on", "generate_maintenance", day, limit)


def _days_covered(uow: UnitOfWork, day: date) -> int:
    """Days since the job last ran (1 when it ran yesterday or never: there is nothing to walk)."""
    try:
        last = uow.documents.get(DailyCursor, "generate_maintenance").last_day
    except NotFound:
        return 1
    return max((day - last).days, 1)


class _Batch:
    """One transaction of the daily job: the roster counted once, contracts read once, visits opened."""

    def __init__(self, desk: MaintenanceDesk, uow: UnitOfWork, actor: Actor, now: datetime) -> None:
        self.desk = desk
        self.uow = uow
        self.actor = actor
        self.now = now
        self.description = desk._description()
        self.contracts: dict[str, ServiceContract] = {}
        self._roster: Roster | None = None
        self._triaged: dict[TriageFacts, Decision[Triage]] = {}
        self._visit_terms: dict[date, SlaTerms] = {}
        self._numbers: list[str] = []
        self._chosen: dict[tuple[object, ...], Choice] = {}
        self.messages: list[OutboxMessage] = []
        """The batch's outbox messages, written at once when its visits are open."""
        self.opened: list[Ticket] = []
        """The batch's new tickets, stored at once (``write_opened``) when its visits are open."""
        self.stamps = StampRead(uow)
        """The store's calendar stamp, read once for the batch's openings (their due times' guard)."""

    def prepare(self, plans: Sequence[MaintenancePlan]) -> None:
        """Read the batch's customers and units at once (one query each, not one per visit), and take
        its ticket numbers in one counter write when the desk numbers tickets itself."""
        uow = self.uow
        uow.customers.find(p.customer_id for p in plans)
        uow.assets.find(p.asset_id for p in plans)
        if self.desk.context.ids is None:
            self._numbers = next_numbers(uow, "ticket", self.now, len(plans))[::-1]

    def still_covered(self, plan: MaintenancePlan) -> bool:
        """Whether the plan's contract pays for its next visit. A contract renewed before then hands
        the plan on to its renewal (same holder, units and coverage, from the next day): the plan names
        the renewal from now on, so its visits do too. Ended unrenewed or cancelled: not covered."""
        if plan.contract_id is None:
            return True
        contract = self._contract(plan.contract_id)
        seen = {contract.id}
        while not contract.active_on(plan.next_due) and contract.renewed_as is not None:
            if contract.renewed_as in seen:  # a loop written by hand: nothing pays
                return False
            contract = self._contract(contract.renewed_as)
            seen.add(contract.id)
        if contract.active_on(plan.next_due) and contract.id != plan.contract_id:
            plan.contract_id = contract.id  # saved with the visit it opens
        return contract.active_on(plan.next_due)

    def _contract(self, contract_id: str) -> ServiceContract:
        contract = self.contracts.get(contract_id)
        if contract is None:
            contract = self.contracts[contract_id] = self.uow.documents.get(ServiceContract, contract_id)
        return contract

    def open_visit(self, plan: MaintenancePlan) -> tuple[MaintenanceVisit, bool]:
        """The plan's visit and its ticket, triaged and dispatched; whether someone was assigned."""
        context, uow, actor, now = self.desk.context, self.uow, self.actor, self.now
        visit_id = _free_visit_id(uow, plan)
        expected = _end_of_day(plan.next_due, context.timezone)
        assigned: list[bool] = []

        def triage_and_dispatch(ticket: Ticket) -> Applied:
            return self._triage_and_dispatch(ticket, assigned)

        ticket, _ = open_ticket_in(
            context, uow, actor, now,
            customer_id=plan.customer_id, description=self.description, category=Category.MAINTENANCE,
            channel=Channel.PLANNED, asset_id=plan.asset_id, received_at=now, kind=TicketKind.SERVICE,
            expected_by=expected if expected >= now else None, attach=triage_and_dispatch,
            sla_terms=self._terms(plan.next_due, expected),
            ticket_id=self._numbers.pop() if self._numbers else None, outbox=self.messages,
            opened=self.opened, stamps=self.stamps,
        )  # fmt: skip
        paid_by, beyond = self._paying(plan)
        visit = MaintenanceVisit(
            id=visit_id,
            plan_id=plan.id,
            asset_id=plan.asset_id,
            customer_id=plan.customer_id,
            due_on=plan.next_due,
            generated_at=now,
            checklist=plan.checklist,
            ticket_id=ticket.id,
            contract_id=paid_by,
            beyond_contract=beyond,
            region=plan.region,
            dealer_id=plan.dealer_id,
        )
        uow.documents.add(visit)
        plan.opened(visit.id)
        uow.documents.save(plan)
        return visit, bool(assigned and assigned[0])

    def _paying(self, plan: MaintenancePlan) -> tuple[str | None, str | None]:
        """Whether the plan's contract pays for its next visit: ``(contract, None)`` while the unit's
        visits it paid for in the contract year are fewer than its ``visits_per_year``, else ``(None,
        contract)`` — the visit is made and charged as one without a contract (the plan goes on). A
        contract's visits a year are what it sells; before, it paid for as many as the interval made."""
        if plan.contract_id is None:
            return None, None
        contract = self._contract(plan.contract_id)
        start, end = contract.year_of(plan.next_due)
        visits = [
            visit
            for unit_plan in self.uow.documents.query(MaintenancePlan, asset_id=plan.asset_id)
            for visit in self.uow.documents.query(MaintenanceVisit, plan_id=unit_plan.id)
        ]
        if contract_visits(visits, contract.id, start, end) < contract.coverage.visits_per_year:
            return contract.id, None
        return None, contract.id

    def _terms(self, due_on: date, due_end: datetime) -> SlaTerms:
        # The visits of a batch fall on a few due days: their terms are made once per day.
        terms = self._visit_terms.get(due_on)
        if terms is None:
            terms = self._visit_terms[due_on] = visit_terms(due_on, self.now, due_end)
        return terms

    def _triage_and_dispatch(self, ticket: Ticket, assigned: list[bool]) -> Applied:
        # The same checks and decisions as the triage and dispatch commands, in the generating transaction.
        uow, actor, now = self.uow, self.actor, self.now
        policies = self.desk.context.policies
        authorize(actor, "triage", ticket)
        assessment = Assessment("planned_maintenance", Severity.LOW, plan=Plan.ON_SITE)
        tier = self.desk.runner.tier(uow, ticket)
        facts = TriageFacts.from_assessment(
            assessment, category=ticket.category, tier=tier, urgent=ticket.urgent
        )
        decision = self._triaged.get(facts)
        if decision is None:  # a pure function of its facts, and planned visits share a few fact sets
            decision = self._triaged[facts] = policies.priority.decide(facts)
        ticket.triage(actor.ref, now, assessment, decision.outcome.priority, tuple(decision.reasons))
        authorize(actor, "dispatch", ticket)
        dispatching = self.desk.tickets.dispatching
        if self._roster is None:
            self._roster = dispatching.roster(uow)
        # The visits of a batch share their dispatch facts (priority, region, dealer, skill, the batch's
        # time) and, while no engineer's load changes, the roster: a dealer chosen without any notice
        # to send is the choice for every visit with the same facts (the policy is a pure function).
        key = (ticket.priority, ticket.region, ticket.dealer_id, assessment.skill, assessment.departments)
        choice = self._chosen.get(key)
        if choice is None:
            try:
                choice = dispatching.choose(uow, actor, ticket, now, None, None, self._roster)
            except CalendarDataMissing:
                # Past all the calendar's data automatic dispatch cannot tell working hours: the visit is
                # opened unplaced (the report's undispatched) for a person to send, as a call taken then
                # is taken without a due. Raised, it refused the whole batch every day: no visit at all.
                assigned.append(False)
                return Applied(decisions=(decision,))
            if (
                choice.assignee is not None
                and choice.assignee.kind is AssigneeKind.DEALER
                and not choice.messages
            ):
                self._chosen[key] = choice
        if choice.assignee is not None:
            dealer = engineer_dealer(uow, choice.assignee, self._roster)  # seed 002, as the command
            ticket.assign(actor.ref, now, choice.assignee, reasons=choice.reasons, dealer=dealer)
            if choice.assignee.kind is AssigneeKind.ENGINEER:
                self._roster.engineers.adjust_load(EngineerId(choice.assignee.id), 1)
                self._chosen.clear()  # the roster changed: later choices are made afresh
        assigned.append(choice.assignee is not None)
        return Applied(messages=choice.messages, decisions=(decision, *choice.decisions))


@attrs.frozen
class _Settings:
    """What the caller set for new plans (``None``: the contract's or the pack's default)."""

    interval_months: int | None
    checklist: Sequence[str] | None
    first_due: date | None
    lead_days: int | None
    usage: UsageInterval | None


def _free_plan_id(uow: UnitOfWork, asset_id: str) -> str:
    """``MP-<unit>``, or ``MP-<unit>-2``… when the unit had plans before (ended ones keep their id)."""
    return _first_free(uow, MaintenancePlan, _within_ids("MP-", asset_id), "-")


def _first_free(uow: UnitOfWork, kind: type[Any], base: str, sep: str) -> str:
    """``base``, or ``base<sep>2``, ``base<sep>3``… : the first id no stored document of ``kind`` has."""
    candidate, n = base, 1
    while True:
        try:
            uow.documents.get(kind, candidate)
        except NotFound:
            return candidate
        n += 1
        candidate = f"{base}{sep}{n}"


_ID_ROOM = 60
"""The longest id the desk makes before a ``:2``/``-2`` suffix: ids have 64 characters at most."""


def _within_ids(prefix: str, name: str, suffix: str = "") -> str:
    """``<prefix><name><suffix>``, or, when that leaves no room for a suffix within an id's 64
    characters (a plan or unit id near the limit), ``<prefix><digest of name><suffix>`` (``MV-`` when
    there is no prefix: an id starts with a letter or digit)."""
    whole = f"{prefix}{name}{suffix}"
    if len(whole) <= _ID_ROOM:
        return whole
    digest = hashlib.blake2b(name.encode(), digest_size=8).hexdigest()
    return f"{prefix or 'MV-'}{digest}{suffix}"


def _free_visit_id(uow: UnitOfWork, plan: MaintenancePlan) -> str:
    """``<plan>:<due date>``, or ``<plan>:<due date>:2``… when a visit of that due date was made before
    (missed: the plan is due again at once, on the same date). Before, the visit generated again took
    the missed one's id and the store refused it, failing every visit of the daily job's batch; and a
    plan id of 54 or more characters made a visit id longer than an id may be, with the same effect
    (a plan id near the limit is shortened to a digest here; visits are found by their plan)."""
    return _first_free(uow, MaintenanceVisit, _within_ids("", plan.id, f":{plan.next_due.isoformat()}"), ":")


def _holder(uow: UnitOfWork, visit: MaintenanceVisit) -> tuple[str, str] | None:
    """Who has the visit: its ticket's assignee, else the plan's dealer."""
    if visit.ticket_id is not None:
        try:
            assignee = uow.tickets.get(visit.ticket_id).assignee
        except NotFound:
            assignee = None
        if assignee is not None:
            return assignee.kind.value, assignee.id
    return ("dealer", visit.dealer_id) if visit.dealer_id is not None else None
