"""The catalogue of notification kinds, and the renderer that turns one into a subject and a body.

A kind is data: its name, who it is for, and the values its templates may use. Its words are the
catalog entries ``notification.<kind>.subject`` and ``notification.<kind>.body`` in every locale.
:class:`Renderer` keeps, per locale, the Babel ``Locale``, the catalog, the compiled formats and the
parsed templates (every template is parsed, and its placeholders checked against the kind's fields,
when a locale is first used), so rendering one notification is a few dictionary lookups and the
formatting of its values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, tzinfo
from types import MappingProxyType
from typing import Final, NamedTuple

import attrs

from aftersales.domain.call_shape import host_factories
from aftersales.domain.reasons import Reason
from aftersales.domain.shown_text import bidi_shown
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.i18n.catalog import MessageCatalog, load_catalogs
from aftersales.i18n.format import LocaleFormatter, timezone_of
from aftersales.i18n.locales import SUPPORTED_LOCALES, babel_locale, resolve_locale
from aftersales.i18n.pack_words import PackWords
from aftersales.i18n.reasons import ReasonRenderer
from aftersales.i18n.templates import Template
from aftersales.i18n.values import ValueFormatter

__all__ = ["NOTIFICATION_KINDS", "NotificationKind", "Rendered", "Renderer", "default_renderer", "render"]


def _field_names(names: Iterable[str]) -> frozenset[str]:
    return frozenset(names)


@attrs.frozen
class NotificationKind:
    """One kind of notification: ``audience`` names who receives it, ``fields`` the values it takes."""

    name: str
    audience: tuple[str, ...]
    fields: frozenset[str] = attrs.field(converter=_field_names)
    description: str = ""

    @property
    def subject_msgid(self) -> str:
        """The catalog entry of the subject line."""
        return f"notification.{self.name}.subject"

    @property
    def body_msgid(self) -> str:
        """The catalog entry of the body."""
        return f"notification.{self.name}.body"


def _kinds(*kinds: NotificationKind) -> Mapping[str, NotificationKind]:
    return MappingProxyType({kind.name: kind for kind in kinds})


K = NotificationKind
NOTIFICATION_KINDS: Final = _kinds(
    K(
        "ticket_received",
        ("customer",),
        {"ticket_id", "received_at", "response_due_at"},
        "The request is registered: its ticket number and when we will respond.",
    ),
    K(
        "complaint_registered",
        ("customer",),
        {"ticket_id", "received_at", "response_due_at"},
        "A complaint is registered: its number and when we will respond (a ticket_received in a "
        "complaint's words: the customer complained, they did not ask for a service).",
    ),
    K(
        "ticket_received_late",
        ("customer",),
        {"ticket_id", "received_at"},
        "A ticket_received entered after its response fell due (a letter entered days later), or with no "
        "response due (a host's SLA policy setting no response target): its number, and that we will "
        'respond as soon as possible, not by a time already past or "by none".',
    ),
    K(
        "visit_arranged",
        ("customer",),
        {"ticket_id", "received_at"},
        "A ticket_received of a visit the company planned itself (a maintenance plan's, a complaint "
        "remedy's): its number, and that the staff will agree a time — no request to thank them for, no "
        "response owed.",
    ),
    K(
        "complaint_registered_late",
        ("customer",),
        {"ticket_id", "received_at"},
        "A complaint_registered entered after its response fell due (a letter, a request handed over as a "
        "complaint), or with no response due: its number, and that we will respond as soon as possible.",
    ),
    K(
        "complaint_continued",
        ("customer",),
        {"ticket_id", "request_id", "received_at"},
        "A complaint_registered of a request handed over as a complaint (seed 004 第七条 3): the request "
        "number the customer holds is now this complaint, and that we will respond as soon as possible (no "
        "time promised; no notice says the request was cancelled).",
    ),
    K(
        "complaint_continued_due",
        ("customer",),
        {"ticket_id", "request_id", "received_at", "response_due_at"},
        "A complaint_continued sent before anyone answered the call, its response still ahead: the time "
        "we will contact the customer by, as any registration promises (seed 004 第八条 2(2)).",
    ),
    K(
        "assigned",
        ("engineer",),
        {"ticket_id", "customer_name", "address", "category", "priority", "resolution_due_at"},
        "A ticket was dispatched to the engineer (or dealer) who will handle it.",
    ),
    K(
        "assigned_undated",
        ("engineer",),
        {"ticket_id", "customer_name", "address", "category", "priority"},
        "An assigned with no resolution due (a host's SLA policy setting no resolution target): the job "
        'without a time to resolve it by, not "by none".',
    ),
    K(
        "assigned_unaddressed",
        ("engineer",),
        {"ticket_id", "customer_name", "category", "priority", "resolution_due_at"},
        "An assigned whose customer has no address on record: the holder is asked to get it from the "
        'customer, not told "for Alice Smith, none," (session 39).',
    ),
    K(
        "assigned_undated_unaddressed",
        ("engineer",),
        {"ticket_id", "customer_name", "category", "priority"},
        "An assigned_undated whose customer has no address on record (assigned_unaddressed, no due).",
    ),
    K(
        "ticket_assigned",
        ("customer",),
        {"ticket_id", "assignee_name"},
        "The customer's ticket was dispatched: who will handle it (seed 003: 派工; seed 000: 反馈处理进度).",
    ),
    K(
        "visit_planned",
        ("customer",),
        {"ticket_id", "engineer_name", "visit_at"},
        "An on-site visit is booked.",
    ),
    K(
        "parts_awaited",
        ("customer",),
        {"ticket_id", "expected_at"},
        "Work waits for spare parts; when they are expected.",
    ),
    K(
        "progress_note",
        ("customer",),
        {"ticket_id", "note", "noted_at"},
        "A progress note to the customer (seeds 000, 001: 及时向客户反馈处理进度).",
    ),
    K(
        "complaint_progress_note",
        ("customer",),
        {"ticket_id", "note", "noted_at"},
        "A progress note to a complaint's customer (a progress_note naming the complaint).",
    ),
    K(
        "resolved_please_confirm",
        ("customer",),
        {"ticket_id", "resolved_at"},
        "The work is done: please confirm, or tell us the problem is still there.",
    ),
    K(
        "rework_requested",
        ("engineer",),
        {"ticket_id", "reason"},
        "The customer sent the work back (not accepted, or the problem is back): it is to be redone.",
    ),
    K(
        "complaint_rework_requested",
        ("engineer",),
        {"ticket_id", "reason"},
        "The customer did not accept a complaint's outcome: the outlet it was referred to handles it again "
        "(rework_requested naming a complaint).",
    ),
    K(
        "job_cancelled",
        ("engineer",),
        {"ticket_id", "reason"},
        "The ticket its holder was sent to was cancelled: nobody is to go (the reason given).",
    ),
    K(
        "fitter_assigned",
        ("engineer",),
        {"ticket_id", "engineer_name", "category", "priority", "resolution_due_at"},
        "The office sent a dealer's own engineer to a ticket directly: the dealer is told the job, whom "
        "and the due (seed 002 分工 1, 6: the job and its 24 hours are the dealer's).",
    ),
    K(
        "fitter_assigned_undated",
        ("engineer",),
        {"ticket_id", "engineer_name", "category", "priority"},
        "A fitter_assigned with no resolution due (a host's SLA policy setting no resolution target).",
    ),
    K(
        "job_reassigned",
        ("engineer",),
        {"ticket_id", "reason"},
        "The ticket its holder was sent to went to someone else: this holder is not to go (the reason "
        "given; seed 003 二 4, the dispatch pushed to the engineer).",
    ),
    K(
        "sla_extended",
        ("engineer",),
        {"ticket_id", "target", "hours", "due_at", "reason"},
        "The maker approved a special case: the holder's time for a target is extended, due now at the new "
        "time (seed 002 分工 6: 特殊情况不得超过48小时).",
    ),
    K(
        "sla_extended_undated",
        ("engineer",),
        {"ticket_id", "target", "hours", "reason"},
        "An sla_extended whose new due cannot be computed (the working calendar's holiday data has run "
        'out): the new limit in hours and the reason, not "now due on none".',
    ),
    K(
        "sla_extended_customer",
        ("customer",),
        {"ticket_id", "target", "due_at"},
        "The customer is told a special case moved the time of their ticket: the target and its new due "
        "(seed 002 分工 6: 特殊情况不得超过48小时; the approval's reason stays with staff).",
    ),
    K(
        "sla_extended_customer_undated",
        ("customer",),
        {"ticket_id", "target", "hours"},
        "An sla_extended_customer whose new due cannot be computed: the customer hears the new limit in "
        "hours, as the holder does, not nothing (seed 002 分工 6: 给用户解决问题…特殊情况不得超过48小时).",
    ),
    K(
        "complaint_closed_customer",
        ("customer",),
        {"ticket_id", "reason"},
        "The customer is told the office cancelled their complaint (registered by mistake), with the reason "
        "(seed 003 二 5 事事有回音).",
    ),
    K(
        "complaint_closed_duplicate",
        ("customer",),
        {"ticket_id", "reason", "duplicate_of"},
        "The customer is told the office cancelled their complaint as a duplicate, with the reason and the "
        "complaint that carries it on (seed 003 二 5 事事有回音).",
    ),
    K(
        "complaint_cancelled",
        ("engineer", "general_manager"),
        {"ticket_id", "reason"},
        "A complaint referred to an outlet was cancelled or withdrawn by the customer: the outlet has "
        "nothing more to do (job_cancelled naming a complaint); also to those a referral still waiting "
        "for the general manager's answer reached (seed 004 第八条 2(4)).",
    ),
    K(
        "sla_warning",
        ("handler", "manager"),
        {"ticket_id", "target", "due_at", "remaining"},
        "An SLA target (a ``Term('sla_target.<x>')``) is about to be missed.",
    ),
    K(
        "sla_breach",
        ("handler", "manager"),
        {"ticket_id", "target", "due_at", "overdue"},
        "An SLA target was missed.",
    ),
    K(
        "complaint_sla_warning",
        ("handler", "manager"),
        {"ticket_id", "target", "due_at", "remaining"},
        "An SLA target of a complaint is about to be missed (sla_warning naming a complaint, not a ticket).",
    ),
    K(
        "complaint_sla_breach",
        ("handler", "manager"),
        {"ticket_id", "target", "due_at", "overdue"},
        "An SLA target of a complaint was missed (sla_breach naming a complaint, not a ticket).",
    ),
    K(
        "sla_breach_withdrawn",
        ("handler", "manager"),
        {"ticket_id", "target", "due_at", "met_at"},
        "An announced SLA breach is withdrawn: a contact entered after the fact met the response in time.",
    ),
    K(
        "complaint_sla_breach_withdrawn",
        ("handler", "manager"),
        {"ticket_id", "target", "due_at", "met_at"},
        "An announced SLA breach of a complaint is withdrawn (sla_breach_withdrawn naming a complaint).",
    ),
    K(
        "escalation",
        ("escalation_target",),
        {"ticket_id", "level", "reason"},
        "A ticket was escalated to a higher level (``level`` is a ``Role``), with the reason.",
    ),
    K(
        "complaint_escalation",
        ("escalation_target",),
        {"ticket_id", "level", "reason"},
        "An escalation about a complaint (escalation naming a complaint, not a ticket).",
    ),
    K(
        "callback_due",
        ("agent",),
        {"ticket_id", "customer_name", "due_at"},
        "A follow-up call (回访) to the customer is due.",
    ),
    K(
        "progress_update_due",
        ("agent",),
        {"ticket_id", "customer_name", "heard_at", "hours"},
        "An open ticket's customer has heard nothing for ``hours`` working hours since ``heard_at``: tell "
        "them how it stands (seed 001 三(五)1: 定期向客户反馈处理情况).",
    ),
    K(
        "complaint_progress_update_due",
        ("agent",),
        {"complaint_id", "customer_name", "heard_at", "hours"},
        "An open complaint's customer has heard nothing for ``hours`` working hours since ``heard_at``: "
        "progress_update_due naming a complaint (投诉; seed 001 三(五)1 reaches complaints, session 39).",
    ),
    K(
        "complaint_callback_due",
        ("agent",),
        {"ticket_id", "customer_name", "due_at"},
        "A complaint's callback is due (seed 004: 投诉处理后的七天内回访; callback_due naming a complaint).",
    ),
    K(
        "complaint_outcome",
        ("customer",),
        {"ticket_id", "resolved_at", "outcome"},
        "A complaint is handled: its outcome, and tell us if not satisfied (seeds 000, 001: 结果反馈).",
    ),
    K(
        "complaint_escalated",
        ("general_manager",),
        {"complaint_id", "customer_name", "reason", "escalated_at"},
        "A complaint reached the general manager, with the reason.",
    ),
    K(
        "escalation_overdue",
        ("escalation_target",),
        {"complaint_id", "customer_name", "reason", "escalated_at", "due_at"},
        "An escalation of a complaint was not taken up by its due: those it was addressed to and their "
        "superior are reminded, once (seed 004 第八条 2(5) 立即通知 … 向总经理报告).",
    ),
    K(
        "batch_incident_escalated",
        ("general_manager",),
        {"incident_id", "product", "batch", "affected", "batch_size", "reason", "escalated_at"},
        "A batch quality incident was detected and escalated (seed 004: 同一批次…5%以上): it names the "
        "product, the batch and how many of its units failed, not a customer.",
    ),
    K(
        "complaint_assigned",
        ("agent",),
        {"complaint_id", "customer_name", "assigned_by"},
        "A head made the reader the handler of a complaint (seed 003: 由指定人员负责跟进).",
    ),
    K(
        "complaint_back",
        ("agent", "manager"),
        {"complaint_id", "customer_name", "called_back_by"},
        "A callback found a complaint's problem back: its handler (else the managers) is told to handle it "
        "again (seed 004 第八条 2(6): 对于回访发现的问题应及时再处理).",
    ),
    K(
        "complaint_reopened",
        ("agent", "manager"),
        {"complaint_id", "customer_name", "reopened_by", "reason"},
        "A complaint was reopened by hand (the customer called again: the problem is back): its handler "
        "(else the managers) is told to handle it again (seed 004 第八条 2(6) 及时再处理; seed 003 二 5 "
        "由指定人员负责跟进).",
    ),
    K(
        "complaint_gm_decided",
        ("agent", "manager"),
        {"complaint_id", "customer_name"},
        "The general manager recorded his instruction on a complaint referred to him: whoever referred it "
        "and its handler (else the managers) are told to arrange the handling at once (seed 004 第八条 "
        "2(4) 得到明确的处理意见后应立即安排处理).",
    ),
    K(
        "message_left",
        ("agent",),
        {"ticket_id", "from", "text"},
        "A message taken for the reader while they were out (seed 002 第五条: 承办人不在时…留言).",
    ),
    K(
        "complaint_message_left",
        ("agent",),
        {"ticket_id", "from", "text"},
        "A message taken for the reader about a complaint (message_left naming a complaint).",
    ),
    K(
        "complaint_received",
        ("manager",),
        {"ticket_id", "received_at"},
        "A new complaint was registered (seed 001: 及时向售后经理汇报).",
    ),
    K(
        "complaint_crisis_stated",
        ("manager",),
        {"complaint_id", "received_at", "claim"},
        "A customer's complaint states crisis facts: the centre classifies it (seed 004 第八条).",
    ),
    K(
        "calendar_provisional",
        ("manager",),
        {"official_until", "days_left"},
        "Due times are now computed on a provisional holiday calendar beyond the official data.",
    ),
    K(
        "calendar_data_missing",
        ("manager",),
        {"known_until", "ticket_id"},
        "The holiday data ran out: a ticket (the first) got no due time, so no SLA clock runs for it.",
    ),
    K(
        "sla_recomputed",
        ("manager",),
        {"tickets", "official_until"},
        "Provisional due times were recomputed on newly added official holiday data.",
    ),
    K(
        "contract_expiring",
        ("manager", "dealer"),
        {"contract_id", "holder", "ends_on"},
        "A service contract ends soon: time to offer its renewal.",
    ),
    K(
        "part_charged_back",
        ("dealer", "engineer"),
        {"ticket_id", "part", "quantity", "amount", "due_at", "fee_slip"},
        "A part lent for a repair was not back by its deadline: charged to the party that kept it (002).",
    ),
    K(
        "kept_charge_refunded",
        ("dealer", "engineer"),
        {"ticket_id", "part", "quantity", "amount", "fee_slip", "credit_slip"},
        "A part charged as kept came back after the charge was paid: the office paid the charge back to "
        "the party that paid it (002 退料 5, 其他 3: 相关费用及时与用户协商解决).",
    ),
    K(
        "part_return_due",
        ("dealer", "engineer"),
        {"part", "quantity", "due_at"},
        "A lent part is still out and its return deadline is near: return it before it is charged (002).",
    ),
    K(
        "technical_support_answered",
        ("dealer",),
        {"support_id", "ticket_id", "topic", "answer"},
        "The maker answered a dealer's request for technical support on its job, free (002 分工 2, 5).",
    ),
    K(
        "survey_invitation",
        ("customer",),
        {"title", "link"},
        "A periodic satisfaction survey, with the link to the host's portal.",
    ),
    K(
        "survey_low_score",
        ("manager",),
        {"campaign_id", "task_id", "customer_name", "score", "attitude", "below", "comment"},
        "A survey campaign's answer scored below the complaint policy's threshold (its overall score or "
        "its service attitude rating), as a callback's low score would open a complaint: the manager is "
        "told (seed 001 三(七)3: 分析客户不满意的原因…反馈给售后经理).",
    ),
    K(
        "callback_unsatisfied",
        ("manager",),
        {"ticket_id", "customer_name", "score", "attitude", "below", "comment"},
        "A callback's score is below the satisfied mark yet opened no complaint: the manager is told, with "
        "the customer's words (seed 001 三(七)3: 分析客户不满意的原因…反馈给售后经理).",
    ),
    K(
        "maintenance_overdue",
        ("dealer", "engineer"),
        {"count", "oldest_due", "visits"},
        "Maintenance visits past their due day, once a day to whoever has them (issue 26).",
    ),
    K(
        "remedy_visit_overdue",
        ("dealer", "engineer"),
        {"count", "oldest_due", "visits"},
        "Extra maintenance visits granted on a complaint past their due day, once a day to whoever has them "
        "(seed 002 方案的落实).",
    ),
    K(
        "maintenance_visit_called_off",
        ("customer",),
        {"visit_id", "due_on"},
        "The owner's planned visit is off: the unit was sold on before the work began (000 服务回访).",
    ),
    K(
        "complaint_referred",
        ("engineer", "dealer"),
        {"complaint_id", "outlet", "note"},
        "The service centre passed a complaint to a repair outlet (seed 004: 转到维修网点).",
    ),
    K(
        "complaint_reply",
        ("manager",),
        {"complaint_id", "outlet", "reply"},
        "A repair outlet replied to the service centre about a complaint passed to it.",
    ),
    K(
        "linked_ticket_resolved",
        ("manager",),
        {"complaint_id", "ticket_id", "resolved_at"},
        "A service ticket a complaint is about was resolved: the centre follows the complaint up.",
    ),
    K(
        "ticket_followed",
        ("manager", "department_head", "general_manager", "agent"),
        {"ticket_id", "priority", "step", "at", "response_due_at", "resolution_due_at"},
        "A step of a ticket staff follow (a critical ticket's department head, a pack's follower roles): "
        "what happened (``step`` is a ``Term('followed_step.<kind>')``) and the ticket's due times — the "
        "staff's own words, not the customer's notice.",
    ),
    K(
        "complaint_followed",
        ("manager", "department_head", "general_manager", "agent"),
        {"ticket_id", "priority", "step", "at", "response_due_at", "resolution_due_at"},
        "A step of a complaint staff follow (ticket_followed naming a complaint, not a ticket).",
    ),
    K(
        "monthly_feedback",
        ("general_manager", "manager", "department_head"),
        {
            "month",
            "incidents",
            "problems",
            "complaints",
            "major_complaints",
            "callbacks",
            "low_scores",
            "grievances",
            "units_sold",
        },
        "The service centre's monthly feedback (seed 004 第五条 1(6): 每月反馈给总经理及相关部门): the "
        "month's quality incidents and problems found, complaints, callbacks with low scores or a grievance, "
        "units sold.",
    ),
    K(
        "department_assigned",
        ("department",),
        {"ticket_id", "department", "note"},
        "A department was brought in to work on a ticket or complaint (seeds 001, 004).",
    ),
    K(
        "assessment_requested",
        ("engineer",),
        {"ticket_id", "category", "note"},
        "A new problem was referred to the engineer for assessment (seed 001 三(三): 售后专员将客户反馈的"
        "问题及时分配给相关人员进行评估): its nature, severity and scope are theirs to record.",
    ),
    K(
        "repair_point_designated",
        ("customer",),
        {"ticket_id", "point_name", "address", "opening_hours", "phone"},
        "The customer is asked to bring the product to the designated repair point (seed 000 4.派工处理: "
        "要求客户将产品送至指定维修地点进行处理): where, when it is open, whom to call.",
    ),
)
"""Every notification kind, by name."""
del K


class Rendered(NamedTuple):
    """A rendered notification: ``subject, body = renderer.render(...)``."""

    subject: str
    body: str


def _template(catalog: MessageCatalog, msgid: str, fields: frozenset[str]) -> Template:
    return Template.parse(catalog.text(msgid), name=msgid, allowed=fields)


class _LocaleState:
    """Everything one locale needs, built once: catalog, formats, reason and notification templates."""

    __slots__ = ("catalog", "formatter", "name", "reasons", "templates", "values", "worded")

    def __init__(self, name: str, catalog: MessageCatalog, kinds: Mapping[str, NotificationKind]) -> None:
        self.name = name
        self.catalog = catalog
        self.formatter = LocaleFormatter(babel_locale(name), catalog)
        self.reasons = ReasonRenderer(self.formatter)
        self.templates = {
            kind.name: (
                Template.parse(
                    catalog.text(kind.subject_msgid), name=kind.subject_msgid, allowed=kind.fields
                ),
                Template.parse(catalog.text(kind.body_msgid), name=kind.body_msgid, allowed=kind.fields),
            )
            for kind in kinds.values()
        }
        self.values: dict[tzinfo, ValueFormatter] = {}
        # A desk whose pack words its own codes (PackWords) renders reasons with them: per (zone, words).
        self.worded: dict[tuple[tzinfo, PackWords], ValueFormatter] = {}

    def value_formatter(self, timezone: tzinfo, words: PackWords | None = None) -> ValueFormatter:
        if words is not None:
            return self._worded(timezone, words)
        found = self.values.get(timezone)
        if found is None:
            found = ValueFormatter(self.formatter, self.reasons, timezone)
            if len(self.values) < 1024:
                self.values[timezone] = found
        return found

    def reasons_in(self, words: PackWords | None) -> ReasonRenderer:
        """The reason renderer of this locale, with ``words``' labels of the pack's own codes."""
        if words is None:
            return self.reasons
        return self._worded(UTC, words).reasons

    def _worded(self, timezone: tzinfo, words: PackWords) -> ValueFormatter:
        found = self.worded.get((timezone, words))
        if found is None:
            reasons = ReasonRenderer(self.formatter, codes=words.codes(self.name))
            found = ValueFormatter(self.formatter, reasons, timezone)
            if len(self.worded) < 1024:
                self.worded[(timezone, words)] = found
        return found


@host_factories
class Renderer:
    """Renders notifications in the recipient's locale and time zone.

    ``catalogs`` maps supported locale names to catalogs (the shipped ones by default), so a host
    can pass its own wording; ``kinds`` is the catalogue of kinds. Per-locale state is built on
    first use and kept; call :meth:`check` at start-up to build (and so validate) every locale.
    """

    def __init__(
        self,
        catalogs: Mapping[str, MessageCatalog] | None = None,
        kinds: Mapping[str, NotificationKind] = NOTIFICATION_KINDS,
    ) -> None:
        if catalogs is not None and not (
            isinstance(catalogs, Mapping)
            and all(isinstance(k, str) and isinstance(v, MessageCatalog) for k, v in catalogs.items())
        ):
            raise ConfigurationError(
                "catalogs maps locale names to MessageCatalog (see load_catalogs)", key="catalogs"
            )
        self._catalogs = dict(catalogs) if catalogs is not None else load_catalogs()
        self.kinds = kinds
        self._states: dict[str, _LocaleState] = {}

    def _state(self, locale: str) -> _LocaleState:
        found = self._states.get(locale)
        if found is not None:
            return found
        name = resolve_locale(locale)
        found = self._states.get(name)
        if found is None:
            try:
                catalog = self._catalogs[name]
            except KeyError:
                raise ConfigurationError(f"no catalog for locale {name!r}", key="catalogs") from None
            found = self._states[name] = _LocaleState(name, catalog, self.kinds)
        if len(self._states) < 4096:
            self._states[locale] = found
        return found

    def check(self) -> None:
        """Build every supported locale now: a missing or malformed template raises here."""
        for name in SUPPORTED_LOCALES:
            self._state(name)

    def render(
        self,
        kind: str | NotificationKind,
        locale: str,
        timezone: str | tzinfo,
        values: Mapping[str, object],
        words: PackWords | None = None,
    ) -> Rendered:
        """Render ``kind`` for a reader in ``locale`` and ``timezone`` (an IANA name or a tzinfo).

        ``values`` must give exactly the kind's fields; each is formatted by its type (see
        :mod:`aftersales.i18n.values`). ``words`` (the desk's
        :class:`~aftersales.i18n.pack_words.PackWords`) words the pack's own codes a reason names (a
        fault cause) as the pack labels them. Raises :class:`ValidationError` for an unknown kind, a
        missing or unexpected value, an unknown locale or time zone, or a value of a refused type.
        """
        if not isinstance(kind, str | NotificationKind):
            raise ValidationError(
                f"kind is a notification kind's name, not {type(kind).__name__}", field="kind"
            )
        name = kind if isinstance(kind, str) else kind.name
        spec = self.kinds.get(name)
        if spec is None:
            raise ValidationError(f"unknown notification kind {name!r}", field="kind")
        # A dict first: an ABC's isinstance is a Python-level call, made for every notice rendered.
        if type(values) is not dict and not isinstance(values, Mapping):
            raise ValidationError(
                f"values is a mapping of the kind's fields, not {type(values).__name__}", field="values"
            )
        if values.keys() != spec.fields:
            missing = sorted(spec.fields - values.keys())
            extra = sorted(values.keys() - spec.fields)
            raise ValidationError(
                f"notification {name!r}: missing values {missing}, unexpected values {extra}", field="values"
            )
        if words is not None and not isinstance(words, PackWords):
            raise ValidationError(f"words is a PackWords, not {type(words).__name__}", field="words")
        state = self._state(locale)
        formatter = state.value_formatter(timezone_of(timezone), words)
        # A bidi control in a value (a customer's name typed with U+202E) would reorder the rest of the
        # message, the address and due time an engineer reads (session 39): written as its escape, as the
        # reports' pages and rendered refusals show it. The stored text keeps it (free text may need it).
        text = {key: bidi_shown(formatter.format(key, value)) for key, value in values.items()}
        subject, body = state.templates[name]
        return Rendered(subject.substitute(text), body.substitute(text))

    def reason(self, reason: Reason, locale: str, words: PackWords | None = None) -> str:
        """``reason`` in words in ``locale`` (never raises for an unknown code); the pack's own codes in
        ``words``' labels."""
        return self._state(locale).reasons_in(words).render(reason)

    def catalog(self, locale: str) -> MessageCatalog:
        """The catalog used for ``locale``."""
        return self._state(locale).catalog

    def formatter(self, locale: str) -> LocaleFormatter:
        """The value formatter used for ``locale``."""
        return self._state(locale).formatter


_default: Renderer | None = None


def default_renderer() -> Renderer:
    """The process-wide renderer over the shipped catalogs (built on first use)."""
    global _default
    if _default is None:
        _default = Renderer()
    return _default


def render(
    kind: str | NotificationKind, locale: str, timezone: str | tzinfo, values: Mapping[str, object]
) -> Rendered:
    """Render with the shipped catalogs; see :meth:`Renderer.render`."""
    return default_renderer().render(kind, locale, timezone, values)
