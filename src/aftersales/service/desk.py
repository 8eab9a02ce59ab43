"""The ServiceDesk: what a host application calls, and the composition root of the service layer.

``ServiceDesk.open(url, ...)`` (or the constructor) builds, eagerly and once: the
:class:`~aftersales.service.context.DeskContext` (store factory, clock, ids, calendar, time zone,
policies, notifications, staff, settings), the :class:`~aftersales.service.runner.CommandRunner` every
write goes through, every capability (each taking the context and the runner, never the desk), and
the hooks that connect capabilities (learning from a closed ticket). The ticket commands are the
desk's own (it is a :class:`~aftersales.service.tickets.Tickets`); the other capabilities are its
attributes: ``desk.complaints``, ``desk.callbacks``, ``desk.materials``, ``desk.fees``,
``desk.knowledge``, ``desk.archives``, ``desk.sla_watch``, ``desk.master_data``, ``desk.reports``,
``desk.contracts``, ``desk.maintenance``, ``desk.surveys``, ``desk.assessments`` (who assesses a new
problem), ``desk.repair_points`` (where a depot repair is brought), ``desk.guidance`` (函授: guidance
sent to customers by correspondence), ``desk.dealer_support`` (the maker's free technical support to a
dealer on its job).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, tzinfo
from typing import Annotated, Any

from aftersales.domain.bounds import POSITIVE
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.classification import Channel
from aftersales.domain.contact import zone
from aftersales.domain.custom_fields import CustomFieldSet
from aftersales.domain.parties import Customer, Dealer, Engineer
from aftersales.domain.products import Asset, Product
from aftersales.domain.surveys import CHECKLIST_ITEMS, CallbackChecklist
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.i18n.notifications import Renderer, default_renderer
from aftersales.i18n.pack_words import pack_words
from aftersales.policies.deadline_pair import check_callback_pair
from aftersales.policies.dealer_reports import pack_dealer_report_rules
from aftersales.policies.fault_catalog import pack_fault_catalog
from aftersales.policies.fees_currency import fees_currency
from aftersales.policies.privacy import pack_privacy_rules
from aftersales.policies.progress import pack_progress_rules
from aftersales.policies.registry import PolicySet, resolve_policies
from aftersales.policies.staff import pack_staff_rules
from aftersales.ports.attachments import AttachmentStore
from aftersales.ports.calendars import open_calendar
from aftersales.ports.clock import Clock
from aftersales.ports.documents import document_spec
from aftersales.ports.ids import IdGenerator
from aftersales.ports.invoicing import InvoiceIssuer
from aftersales.ports.notifier import Notifier
from aftersales.ports.outbox_dispatch import DispatchReport, dispatch_outbox
from aftersales.ports.queries import Page, PageRequest, TicketFilter
from aftersales.ports.storage_registry import open_storage
from aftersales.ports.ticket_search import SearchRequest
from aftersales.ports.unit_of_work import StoreFactory
from aftersales.service.actors import Actor
from aftersales.service.agent_shifts import AgentShiftDesk
from aftersales.service.archives import ArchiveDesk
from aftersales.service.arguments import entry_point, validated, validated_commands
from aftersales.service.assessment_referral import AssessmentReferrals
from aftersales.service.attachment_desk import AttachmentDesk
from aftersales.service.batch_tally_backfill import BatchTallies
from aftersales.service.books_redating import PAGE, REDATED, ids_of, moving_stamp, redating
from aftersales.service.calendar_stamp import callback_of, callback_seen, sla_of, sla_seen, stamp_seen
from aftersales.service.callback_desk import CallbackDesk
from aftersales.service.cancelled_faults import withdraw_cancelled_units
from aftersales.service.cancelled_materials import call_off_materials
from aftersales.service.cancelled_money import cancel_unpaid_slips
from aftersales.service.cancelled_recurrences import withdraw_cancelled_recurrences
from aftersales.service.charges_desk import ChargesDesk
from aftersales.service.clock import ZoneClock
from aftersales.service.complaint_desk import ComplaintDesk
from aftersales.service.complaint_reopen_notice import tell_reopened_complaint
from aftersales.service.context import DeskContext, DeskSettings, UtcClock
from aftersales.service.contracts import ServiceContracts
from aftersales.service.coordination import CoordinationDesk, tell_centre_on_resolve
from aftersales.service.custom_field_stamp import keep_field_types
from aftersales.service.dealer_support import DealerSupportDesk, blank_support_of
from aftersales.service.delivery import OutboxDesk, delivery_rules
from aftersales.service.describing import Describing, default_attachments, desk_custom_fields
from aftersales.service.dispatching import Dispatching
from aftersales.service.engineer_loads import EngineerLoad, engineer_loads_in
from aftersales.service.escalation_rekey import rekey_reopened_complaint
from aftersales.service.fee_desk import FeeDesk
from aftersales.service.field_filter import checked_field_filter
from aftersales.service.guidance_desk import GuidanceDesk
from aftersales.service.hooks import complaint_on_low_score, install_hooks
from aftersales.service.ids_store_check import refuse_ids_waiting_on_the_desk
from aftersales.service.jobs import Jobs, JobsReport
from aftersales.service.knowledge_desk import KnowledgeDesk
from aftersales.service.late_after_backfill import LateAfters
from aftersales.service.lifecycle import lifecycle_params
from aftersales.service.maintenance import MaintenanceDesk
from aftersales.service.master_data import MasterData, MasterDataChange
from aftersales.service.materials_desk import MaterialsDesk
from aftersales.service.monthly_feedback import MonthlyFeedbackDesk
from aftersales.service.notify import Notifications, StaffDirectory
from aftersales.service.permissions import Workflow, permit
from aftersales.service.privacy import PrivacyDesk
from aftersales.service.quality_incidents import QualityIncidentDesk, detect_on_fault
from aftersales.service.remedy_calloff import call_off_remedy_work
from aftersales.service.renderer_check import check_renderer
from aftersales.service.repair_deadline import date_returns_from_repair
from aftersales.service.repair_points import RepairPointDesk
from aftersales.service.report_commands import ReportCommands
from aftersales.service.runner import CommandRunner, check_actor
from aftersales.service.search_hooks import install_search_hooks
from aftersales.service.sla import SlaService
from aftersales.service.sla_horizon import sweep_horizon
from aftersales.service.sla_watch import SlaWatch
from aftersales.service.staff_desk import StaffDesk
from aftersales.service.survey_campaigns import SurveyCampaigns
from aftersales.service.teams import TeamDesk
from aftersales.service.ticket_import import (
    DEFAULT_IMPORT_BATCH,
    ImportReport,
    TicketStream,
    import_tickets,
)
from aftersales.service.ticket_search import TicketSearch
from aftersales.service.tickets import Tickets, scoped_filter, with_parts_pause
from aftersales.service.views import CommandResult, TicketView
from aftersales.service.zone_stamp import (
    BooksZone,
    books_moved,
    books_zone,
    keep_books_zone,
    moving_books,
)

__all__ = ["ServiceDesk", "UtcClock"]


def _refuse_unusable_extras(policies: PolicySet) -> None:
    """Refuse an override of a kind the desk reads from ``policies.extra`` that it could not use (a faults
    override that is no catalog, a privacy one that is no ``PrivacyRules``, a lifecycle one that is no
    ``DefaultLifecycle``): each was once replaced by the defaults without a word. ``ConfigurationError``
    naming the kind."""
    pack_fault_catalog(policies.extra)
    pack_privacy_rules(policies.extra)
    pack_staff_rules(policies.extra)
    pack_dealer_report_rules(policies.extra)
    pack_progress_rules(policies.extra)
    lifecycle_params(policies)
    check_callback_pair(policies.sla, policies.callback)  # a host's own classes too (session 28)
    fees_currency(policies.fees)  # a host's fees policy names its currency (session 38: CNY was assumed)


@validated_commands
class ServiceDesk(Tickets):
    """The after-sales service desk over one store, one policy set, one clock.

    Build it with :meth:`open` from a URL (``"sqlite:///service.db"``, ``"memory://"``,
    ``"postgresql://…"``) or with the constructor from an explicit store factory.
    ``staff`` maps roles to the people notified for them (managers, department heads, the
    general manager, the callback agents), and staff members (``"agent:agent-li"``) to their own
    addresses, for what is theirs (a complaint they are made the handler of); ``invoice_issuer`` is
    the host's finance system;
    ``settings`` (a :class:`DeskSettings` or a mapping) sets the desk's time zone, the materials
    parameters and the knowledge base's text index.

    Thread and process safety: open one desk per process (after a pre-forking server forks) and
    share it between threads; several processes may share one SQLite file or one PostgreSQL
    database, their clocks a little apart (a ticket's next event is never stamped before its last:
    :mod:`aftersales.service.clock_skew`). The host runs :meth:`run_due_jobs` periodically (see
    docs/embedding.md).
    """

    def __init__(
        self,
        store: StoreFactory,
        *,
        policies: PolicySet | None = None,
        clock: Clock | None = None,
        notifier: Notifier | None = None,
        ids: IdGenerator | None = None,
        calendar: BusinessCalendar | None = None,
        renderer: Renderer | None = None,
        staff: StaffDirectory | None = None,
        invoice_issuer: InvoiceIssuer | None = None,
        settings: DeskSettings | Mapping[str, object] | None = None,
        custom_fields: CustomFieldSet | None = None,
        attachments: AttachmentStore | None = None,
    ) -> None:
        if isinstance(store, str):  # a URL given to the constructor failed at the first command
            raise ConfigurationError(
                "the constructor takes a store factory; open a URL with ServiceDesk.open", key="store"
            )
        if not callable(store) or not callable(getattr(store, "close", None)):
            raise ConfigurationError(
                "store is a store factory (a unit of work per call, and close())", key="store"
            )
        # Only None means "the default": a falsy value (an empty list, 0, a host's object whose __len__ is
        # 0) was replaced by it without a word.
        policies = policies if policies is not None else resolve_policies()
        if not isinstance(policies, PolicySet):
            raise ConfigurationError("policies must be a PolicySet (see resolve_policies)", key="policies")
        if calendar is not None and not isinstance(calendar, BusinessCalendar):
            raise ConfigurationError("calendar must be a BusinessCalendar", key="calendar")
        for key, given, kind in (
            ("clock", clock, Clock), ("notifier", notifier, Notifier), ("ids", ids, IdGenerator),
            ("invoice_issuer", invoice_issuer, InvoiceIssuer), ("renderer", renderer, Renderer),
        ):  # fmt: skip
            if given is not None and not isinstance(given, kind):  # else it fails at its first use
                raise ConfigurationError(f"{key} must implement {kind.__name__}", key=key)
        check_renderer(renderer)  # its catalogs word every notification, else refused here
        refuse_ids_waiting_on_the_desk(store, ids)  # else every intake waits for its own lock
        if calendar is not None and (
            settings is None or (isinstance(settings, Mapping) and "timezone" not in settings)
        ):
            # The desk's zone is its calendar's unless the settings name one (issue 22).
            settings = {**(settings or {}), "timezone": calendar.timezone}
        desk_settings = DeskSettings.of(settings)
        _refuse_unusable_extras(policies)
        notifications = Notifications(
            renderer if renderer is not None else default_renderer(), staff, pack_words(policies)
        )
        context = DeskContext(
            store=store,
            clock=clock if clock is not None else ZoneClock(zone(desk_settings.timezone)),
            policies=policies,
            notifications=notifications,
            sla=SlaService(policies.sla, calendar, zone(desk_settings.timezone), policies.callback),
            settings=desk_settings,
            ids=ids,
            calendar=calendar,
            notifier=notifier,
            invoice_issuer=invoice_issuer,
            staff=notifications.staff,  # the directory as checked, one copy
            custom_fields=desk_custom_fields(policies, custom_fields),
        )
        runner = CommandRunner(context)
        # One store, one books zone: a desk in another zone than the store's is refused (zone_stamp).
        keep_books_zone(context, runner)
        # One store, one type per custom field: a field declared with another type is refused here.
        keep_field_types(context, runner)
        # The calendar the store's due times were on when this desk opened (service/calendar_stamp): a
        # desk left on it after another moved the store to a new one writes no due time on it.
        with context.reader(snapshot=False) as uow:
            context.calendar_seen = stamp_seen(uow, context.calendar)
            context.sla_seen = sla_seen(uow, context.calendar, sla_of(context.sla.policy))
            context.callback_seen = callback_seen(
                uow, context.calendar, callback_of(context.policies.callback)
            )
        dispatching = Dispatching(context)
        super().__init__(context, runner, dispatching)
        # Issue 23: search (index upkeep is a hook; registering a customer again re-indexes its tickets),
        # tags and custom fields, attachments (the written-report rule is a hook too).
        staff_fields = context.custom_fields.hidden_from_customers
        self.finder = TicketSearch(
            context.store,
            lambda actor, filters: with_parts_pause(
                checked_field_filter(scoped_filter(actor, filters, staff_fields), context.custom_fields),
                context.policies.sla,
            ),
            check_actor,
            runner.seen_by,
            context.notifications.renderer.catalog,  # coded text indexed in the words the views show
            context.ids,  # a host's own ticket ids typed without their dashes (session 35)
            context.notifications.words,
        )
        self.describing = Describing(context, runner)
        self.attachments = AttachmentDesk(
            context, runner, attachments if attachments is not None else default_attachments(store)
        )
        self.master_data = MasterData(
            context, runner, on_change=dispatching.forget_if_roster, on_saved=self.finder.reindex_record
        )
        self.complaints = ComplaintDesk(context, runner)
        self.master_data.on_incident = self.complaints.on_incident  # a corrected completion date counts
        self._complaint_intake = self.complaints  # a request reclassified as a complaint becomes one
        self.callbacks = CallbackDesk(context, runner, complaint_on_low_score(self.complaints))
        self.knowledge = KnowledgeDesk(context, runner, context.settings.text_index)
        self.materials = MaterialsDesk(context, runner, params=context.settings.materials_params)
        self.fees = FeeDesk(context, runner)
        self.charges = ChargesDesk(context, runner, self.fees)
        self.archives = ArchiveDesk(context, runner)
        self.sla_watch = SlaWatch(context, runner, sweep_horizon(policies.sla, calendar))
        self.reports = ReportCommands(context, runner, self.complaints.on_incident)
        self.contracts = ServiceContracts(context, runner)
        self.maintenance = MaintenanceDesk(context, runner, self, self.contracts)
        self.surveys = SurveyCampaigns(context, runner)
        self.privacy = PrivacyDesk(context, runner, self.attachments)
        install_hooks(runner, knowledge=self.knowledge)
        # Issue 20: the one batch-incident detector, in the fault record's transaction.
        self.quality_incidents = QualityIncidentDesk(context, runner)
        self.quality_incidents.on_incident = self.complaints.on_incident  # a dismissal classifies again
        runner.on_ticket_change(detect_on_fault(context, self.complaints.on_incident))
        # An older store's recorded faults, counted once (the ``batch_tallies`` job, or by hand).
        self.batch_tallies = BatchTallies(context, runner, self.complaints.on_incident)
        # Tickets an older release stored (or closed) without their late-after instants (``late_afters``).
        self.late_afters = LateAfters(context, runner)
        # A cancelled call is no fault evidence: the units it counted are withdrawn (or counted on another),
        # its recurrences on closed incidents too.
        runner.on_ticket_change(withdraw_cancelled_units(context))
        runner.on_ticket_change(withdraw_cancelled_recurrences(context))
        self.teams = TeamDesk(context, runner)
        self.agent_shifts = AgentShiftDesk(context, runner)
        self.coordination = CoordinationDesk(context, runner)
        self.staff_records = StaffDesk(context, runner)
        # Seeds 000/001 (问题评估, 指定维修地点, 函授): who assesses, where a depot repair is brought, what
        # guidance was sent to a customer by correspondence.
        self.assessments = AssessmentReferrals(context, runner)
        self.repair_points = RepairPointDesk(context, runner)
        self.guidance = GuidanceDesk(context, runner)
        # Seed 002 分工 2, 5: the maker's free technical support to a dealer on its job.
        self.dealer_support = DealerSupportDesk(context, runner)
        self.privacy.erasure_hooks.append(blank_support_of)
        runner.on_ticket_change(tell_centre_on_resolve(context))
        runner.on_ticket_change(cancel_unpaid_slips())
        runner.on_ticket_change(call_off_remedy_work(runner))
        # A complaint reopened by any command: its escalations not taken up are the sweep's again.
        runner.on_ticket_change(rekey_reopened_complaint())
        # …and whoever follows it up hears it is theirs again (a callback's reopen tells its own notice).
        runner.on_ticket_change(tell_reopened_complaint(context))
        # After the remedy call-off (its free accessories keep the complaint's reason): whatever of the
        # cancelled ticket's parts has not shipped is called off.
        runner.on_ticket_change(call_off_materials())
        # Seed 002 分工 3: the old part is owed back from the repair that took it out (the resolve).
        runner.on_ticket_change(date_returns_from_repair(self.materials.params, context.calendar))
        install_search_hooks(runner, self.attachments)
        # Issue 23: erasing a customer removes their attachments (bytes deleted after the commit).
        self.outbox = OutboxDesk(context, runner)
        # Seed 004 第五条 1(6): the service centre's monthly feedback, read from the capabilities above.
        self.feedback = MonthlyFeedbackDesk(
            context, complaints=self.complaints, quality_incidents=self.quality_incidents,
            archives=self.archives,
        )  # fmt: skip
        self.jobs = Jobs(
            context, runner, sla_watch=self.sla_watch, materials=self.materials, outbox=self.outbox,
            deliver=self.deliver, privacy=self.privacy, fees=self.fees, feedback=self.feedback,
            tallies=self.batch_tallies, late_afters=self.late_afters, maintenance=self.maintenance,
            contracts=self.contracts,
        )  # fmt: skip

    @classmethod
    @entry_point
    def open(
        cls,
        url: str,
        *,
        pack: str = "general_maintenance",
        overrides: Mapping[str, object] | None = None,
        clock: Clock | None = None,
        notifier: Notifier | None = None,
        ids: IdGenerator | None = None,
        calendar: BusinessCalendar | str | None = "china_mainland",
        staff: StaffDirectory | None = None,
        invoice_issuer: InvoiceIssuer | None = None,
        renderer: Renderer | None = None,
        settings: DeskSettings | Mapping[str, object] | None = None,
        custom_fields: CustomFieldSet | None = None,
        attachments: AttachmentStore | None = None,
    ) -> ServiceDesk:
        """Open a desk on the store at ``url`` with the policies of ``pack`` (and ``overrides``).

        ``calendar`` is a :class:`BusinessCalendar` or the name of a registered one (entry-point
        group ``aftersales.calendars``; ours is ``"china_mainland"``); ``None`` means no working
        calendar (SLA targets in working time cannot be computed then). ``settings`` sets the desk's
        time zone, materials parameters and text index (unknown keys are a ``ConfigurationError``).
        """
        policies = resolve_policies(pack, overrides)
        if isinstance(calendar, str):
            calendar = open_calendar(calendar)
        DeskSettings.of(settings)  # refused here, before the store is opened
        _refuse_unusable_extras(policies)  # before the store is opened
        check_renderer(renderer)  # a file is not made for a desk refused for its wording
        store = open_storage(url)
        try:
            return cls(
                store,
                policies=policies,
                clock=clock,
                notifier=notifier,
                ids=ids,
                calendar=calendar,
                renderer=renderer,
                staff=staff,
                invoice_issuer=invoice_issuer,
                settings=settings,
                custom_fields=custom_fields,
                attachments=attachments,
            )
        except BaseException:
            store.close()  # a desk refused (another books zone than the store's) holds no connection
            raise

    @classmethod
    @entry_point
    def move_books_zone(
        cls, url: str, actor: Actor, timezone: str, *, clock: Clock | None = None
    ) -> BooksZone:
        """Move the books of the store at ``url`` to ``timezone``: the deliberate way to change the zone
        a store's desks keep their books in (a desk opened in another zone than the store's is refused).

        Stop the store's desks first and open them again with ``settings={"timezone": timezone}`` after
        (a manager's or the general manager's write, audited as ``move_books_zone``: who, when, the zone
        before and after, in ``master_data_history(actor, "books_zone", "books")``). Instants stay as
        they are; the months stored from them in the books' zone (a fee slip's, a materials movement's,
        a shipped materials request's unless the materials settings named their own zone) are dated
        again in ``timezone``, :data:`~aftersales.service.books_redating.PAGE` records per
        transaction (:mod:`aftersales.service.books_redating`). Until the last page has committed the
        stamp says the move is under way and every desk is refused; a move that stopped (a crash, a
        busy store) is finished by calling this again with the same zone. A store without a stamp gets
        ``timezone``. Returns the new stamp. See docs/operations.md, "Moving the books' time zone".
        """
        permit(actor, Workflow.DOCUMENTS, "move_books_zone")
        DeskSettings.of({"timezone": timezone})  # an unknown zone: ConfigurationError naming timezone
        store = open_storage(url)
        try:
            with store() as uow:
                stamp = books_zone(uow)
            current = stamp.timezone if stamp is not None else timezone
            with moving_books():  # the move's own desk opens on a move left unfinished
                desk = cls(store, calendar=None, clock=clock, settings={"timezone": current})
        except BaseException:
            store.close()  # the desk, once built, closes it itself
            raise
        with desk:
            return desk._move_books(actor, current, timezone)

    def _move_books(self, actor: Actor, current: str, timezone: str) -> BooksZone:
        """The move's writes: the new stamp (marked under way), the months page by page, the stamp done."""
        runner = self.runner
        stamp = runner.write(
            actor,
            "move_books_zone",
            None,
            [current, timezone],
            moving_stamp(actor, timezone),
        )
        if not stamp.redating:
            return stamp  # the same zone as before: no month changes
        target, was = zone(timezone), tuple(zone(name) for name in stamp.moved_from)
        for kind in REDATED:
            with self.context.reader(snapshot=False) as uow:
                ids = ids_of(uow, kind)
            for start in range(0, len(ids), PAGE):
                page = ids[start : start + PAGE]
                runner.write(
                    actor,
                    "move_books_zone",
                    None,
                    [timezone, document_spec(kind.cls).kind, page[0]],
                    redating(kind, page, target, was),
                )
        return runner.write(
            actor, "move_books_zone", None, [timezone], lambda uow, at: books_moved(uow, timezone)
        )

    # -- the context, for hosts that read it ----------------------------------------------------------

    @property
    def store(self) -> StoreFactory:
        """The store factory (units of work)."""
        return self.context.store

    @property
    def policies(self) -> PolicySet:
        """The resolved policies of this desk."""
        return self.context.policies

    @property
    def clock(self) -> Clock:
        """The desk's clock."""
        return self.context.clock

    @property
    def calendar(self) -> BusinessCalendar | None:
        """The working calendar (``None``: no working-time targets)."""
        return self.context.calendar

    @property
    def ids(self) -> IdGenerator | None:
        """The host's id generator, if any (else tickets are numbered in the store)."""
        return self.context.ids

    @property
    def notifier(self) -> Notifier | None:
        """The notifier :meth:`deliver` sends through."""
        return self.context.notifier

    @notifier.setter
    def notifier(self, notifier: Notifier | None) -> None:
        self.context.notifier = notifier

    @property
    def zone(self) -> tzinfo:
        """The desk's local zone (its calendar's unless ``settings`` names one): stamps, numbers, months."""
        return zone(self.context.timezone)

    @property
    def notifications(self) -> Notifications:
        """Turns events into outbox messages."""
        return self.context.notifications

    @property
    def sla_service(self) -> SlaService:
        """Derives due times and SLA status."""
        return self.context.sla

    @property
    def invoice_issuer(self) -> InvoiceIssuer | None:
        """The host's finance system, if any."""
        return self.context.invoice_issuer

    def shutdown(self) -> None:
        """Release the store's connections (``close`` is the ticket command)."""
        self.context.shut_down = True
        self.context.store.close()

    def __enter__(self) -> ServiceDesk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    # -- callbacks (one API: desk.callbacks) ------------------------------------------------------------

    def record_callback(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        problem_back: bool,
        satisfaction: int | None = None,
        answers: Mapping[str, bool] | None = None,
        comment: str = "",
        idempotency_key: str | None = None,
        channel: Channel = Channel.PHONE,
        attitude: int | None = None,
    ) -> CommandResult:
        """Record the callback: satisfaction (1–5), the checklist answers, and whether the problem is back.

        The same command as ``desk.callbacks.record``: answers named like the checklist's items
        (``product_works``, ``polite`` …) fill the :class:`CallbackRecord`'s checklist, others stay on
        the event; the pending callback task is done; a problem that is back reopens a closed ticket
        (or rejects a resolved one); a satisfaction the complaint policy finds too low opens a complaint.
        ``channel`` is how the customer was reached (phone by default; seed 001: 沟通方式 is recorded).
        ``attitude`` (1–5) is the customer's evaluation of the team's service attitude: a callback owing
        a satisfaction survey needs it beside ``satisfaction`` (seed 001 三(七)2).
        """
        given: dict[str, Any] = dict(answers or {})
        checklist = CallbackChecklist(**{k: given.pop(k) for k in list(given) if k in CHECKLIST_ITEMS})
        return self.callbacks.record(
            actor,
            ticket_id,
            checklist=checklist,
            problem_back=problem_back,
            comment=comment,
            satisfaction=satisfaction,
            answers=given,
            idempotency_key=idempotency_key,
            channel=channel,
            attitude=attitude,
        )

    # -- master data (shortcuts to desk.master_data) ----------------------------------------------------

    def register_customer(
        self, actor: Actor, customer: Customer, *, idempotency_key: str | None = None
    ) -> None:
        """Add or update a customer (用户档案). Dealer staff: their regions only, region and dealer kept."""
        self.master_data.register_customer(actor, customer, idempotency_key=idempotency_key)

    def register_asset(self, actor: Actor, asset: Asset, *, idempotency_key: str | None = None) -> None:
        """Add or update an installed unit; owner and warranty start change only by manager commands."""
        self.master_data.register_asset(actor, asset, idempotency_key=idempotency_key)

    def register_product(self, actor: Actor, product: Product, *, idempotency_key: str | None = None) -> None:
        """Add or update a product model and its warranty terms."""
        self.master_data.register_product(actor, product, idempotency_key=idempotency_key)

    def register_dealer(self, actor: Actor, dealer: Dealer, *, idempotency_key: str | None = None) -> None:
        """Add or update an authorised dealer and its territory."""
        self.master_data.register_dealer(actor, dealer, idempotency_key=idempotency_key)

    def register_engineer(
        self, actor: Actor, engineer: Engineer, *, idempotency_key: str | None = None
    ) -> None:
        """Add or update an engineer (skills, level, region, load limit, emergency team)."""
        self.master_data.register_engineer(actor, engineer, idempotency_key=idempotency_key)

    def transfer_asset(
        self,
        actor: Actor,
        asset_id: str,
        *,
        customer_id: str,
        reason: str,
        idempotency_key: str | None = None,
    ) -> Asset:
        """Give a unit a new owner (managers, with a reason; an audit event records it)."""
        return self.master_data.transfer_asset(
            actor, asset_id, customer_id=customer_id, reason=reason, idempotency_key=idempotency_key
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
        """Correct a unit's warranty-start dates or its product (managers, with a reason; an audit event
        records it)."""
        return self.master_data.change_warranty_start(
            actor,
            asset_id,
            reason=reason,
            purchase_date=purchase_date,
            shipment_date=shipment_date,
            installation_accepted_on=installation_accepted_on,
            product_id=product_id,
            idempotency_key=idempotency_key,
        )

    def master_data_history(self, actor: Actor, record_kind: str, record_id: str) -> list[MasterDataChange]:
        """Every change of one master-data record (who, when, before → after, why), oldest first."""
        return self.master_data.history(actor, record_kind, record_id)

    # -- search, tags and custom fields (issue 23; see service/ticket_search.py, service/describing.py) ---

    def search(
        self,
        actor: Actor,
        query: str,
        filters: TicketFilter | None = None,
        page: SearchRequest | PageRequest | None = None,
    ) -> Page[TicketView]:
        """Find tickets by number, serial, customer, phone, dealer or text, within the actor's scope."""
        return self.finder.search(actor, query, filters, page)

    def tag(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Add and remove tags (normalised; searchable and a ledger filter)."""
        return self.describing.tag(actor, ticket_id, add=add, remove=remove, idempotency_key=idempotency_key)

    def set_custom_fields(
        self,
        actor: Actor,
        ticket_id: str,
        values: Mapping[str, object],
        *,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Set (or, with ``None``, clear) custom field values, checked against the declared fields."""
        return self.describing.set_fields(actor, ticket_id, values, idempotency_key=idempotency_key)

    def export_ledger(
        self, actor: Actor, filters: TicketFilter | None = None, *, limit: int = 100_000
    ) -> str:
        """The ledger within ``actor``'s scope as CSV, with tags and one column per custom field."""
        views: list[TicketView] = []
        page = PageRequest(limit=1000)
        while len(views) < limit:
            found = self.ledger(actor, filters, page)
            views += found.items
            if found.next_cursor is None:
                break
            page = PageRequest(limit=1000, cursor=found.next_cursor)
        return self.describing.export(views[:limit])

    def import_tickets(
        self,
        actor: Actor,
        tickets: TicketStream,
        *,
        batch_size: Annotated[int, POSITIVE] = DEFAULT_IMPORT_BATCH,
    ) -> ImportReport:
        """Bulk import of complete tickets (any iterable of ``Ticket``, however long), a transaction per
        batch (issue 21; see service/ticket_import). ``tickets`` is a :data:`TicketStream`: the boundary's
        generic check would copy and field-check every ticket and cap the count at 10,000, so the import
        checks each ticket itself, as it streams (an item that is not a ``Ticket``: ``ValidationError``)."""
        return import_tickets(self.runner, actor, tickets, batch_size=batch_size)

    @property
    def custom_fields(self) -> CustomFieldSet:
        """The custom fields this desk knows (declared by its pack and its host)."""
        return self.context.custom_fields

    # -- delivery ------------------------------------------------------------------------------------------

    @validated
    def deliver(self, limit: int = 100, *, senders: int = 1) -> DispatchReport:
        """Send due notifications through the notifier (at least once) and mark them sent.

        Retries, dead letters and leases follow the pack's ``[notification]`` delivery rules
        (:func:`aftersales.service.delivery.delivery_rules`); safe to call from several threads and
        processes at once.
        """
        notifier = self.context.notifier
        if notifier is None:
            raise ValidationError("this desk has no notifier; pass notifier= to ServiceDesk.open")
        rules = delivery_rules(self.context.policies)
        return dispatch_outbox(
            self.context.store, notifier, self.context.clock, limit, rules=rules, senders=senders
        )

    @validated
    def run_due_jobs(self, now: datetime | None = None) -> JobsReport:
        """Run the periodic jobs that are due (SLA sweep, callbacks due, chargebacks, due times,
        delivery, retention): bounded, idempotent, leased in the store. See :mod:`aftersales.service.jobs`."""
        return self.jobs.run_due(now)

    # -- engineer loads (issue 20) -------------------------------------------------------------------------

    def engineer_loads(self, actor: Actor, team: str | None = None) -> list[EngineerLoad]:
        """Open tickets per engineer (of ``team`` if given), by state, read from the store now."""
        with self.context.store() as uow:
            return engineer_loads_in(uow, actor, team, self.context.now())
