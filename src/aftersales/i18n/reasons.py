"""Reasons in words: ``Reason(code, params)`` rendered from the catalog entry ``reason.<code>``.

The entry is a template over the reason's parameter names ("VIP 客户，优先级提高到{priority}").
Rendering never fails: an unknown code, or an entry that needs a parameter the reason lacks,
falls back to a readable ``code(key=value, …)``, because a reason is an explanation shown to an
auditor, and an explanation in codes beats an error in the middle of a ledger.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType

from babel.lists import format_list

from aftersales.domain.money import Money
from aftersales.domain.reasons import Param, Reason
from aftersales.errors import AftersalesError, ValidationError
from aftersales.i18n.catalog import MessageCatalog
from aftersales.i18n.format import LocaleFormatter, formatter_for
from aftersales.i18n.pack_words import PackWords
from aftersales.i18n.stored_reasons import STORED_REASON_MSGIDS
from aftersales.i18n.templates import Template

__all__ = [
    "PARAM_LABELS",
    "ReasonRenderer",
    "reason_fallback",
    "reason_msgid",
    "reasons_of",
    "render_reason",
    "render_reasons",
]

_PREFIX = "reason."
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)", re.ASCII)
_AMOUNT = re.compile(r"(-?\d+(?:\.\d+)?) ([A-Z]{3})", re.ASCII)

PARAM_LABELS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "scope": ("impact_scope",),
        "tier": ("customer_tier",),
        "coordinator": ("role",),
        # A routing reason's target is a route (route_by_priority); an SLA reason's is one of the
        # ticket's SLA targets (sla_service_contract, sla_maintenance_visit): the two never share a code.
        "target": ("route_target", "sla_target"),
        "to": ("role",),
        # Who acted, by role (crisis_reported: "经销商 报告了危机事件", not the code "dealer_staff").
        "by": ("role",),
        "required_level": ("engineer_level",),
        "unit": ("extension_unit",),
        "source": ("extension_source",),
        "event": ("notification_event",),
        "remedy": ("remedy_kind",),
        # A chargeable cause (cause.<code>), else a batch incident's shared problem in the fault words.
        "cause": ("cause", "fault.cause", "fault.symptom"),
    }
)
"""Parameters whose (code) value is labelled from other catalog prefixes than their own name.

A ``str`` parameter ``key=value`` reads as the first catalog entry ``<prefix>.<value>`` that exists,
for the prefixes ``PARAM_LABELS.get(key, (key,))``: ``severity="high"`` reads "严重", not "high".
A comma-separated list of codes (``to="department_head,general_manager"``, as escalations record who
they reached) reads as the list of their labels in the locale's words ("部门负责人和总经理") when
every code has a label; anything else is shown as it was given (what a person typed is never
translated).
"""


def reason_msgid(code: str) -> str:
    """The catalog msgid of a reason code: ``reason.<code>``."""
    return _PREFIX + code


def reason_fallback(reason: Reason) -> str:
    """The readable fallback for a reason without (usable) words: ``code(key=value, …)``."""
    if not reason.params:
        return reason.code
    inner = ", ".join(f"{key}={value}" for key, value in sorted(reason.params.items()))
    return f"{reason.code}({inner})"


class ReasonRenderer:
    """Renders reasons in one locale; parsed templates are cached per code."""

    __slots__ = ("_formatter", "_labels", "_prefix", "_templates", "catalog", "codes")

    def __init__(
        self,
        formatter: LocaleFormatter,
        catalog: MessageCatalog | None = None,
        codes: Callable[[str, str], str | None] | None = None,
        *,
        prefix: str = _PREFIX,
        labels: Mapping[str, tuple[str, ...]] = PARAM_LABELS,
    ) -> None:
        self._formatter = formatter
        self.catalog = catalog if catalog is not None else formatter.catalog
        self._templates: dict[str, Template | None] = {}
        # Another family of coded messages (the errors' ``error.<code>``) renders the same way.
        self._prefix = prefix
        self._labels = labels
        self.codes = codes
        """``codes(key, value)``: a pack's own label of a code parameter (a fault cause from the pack's
        catalog), or ``None``; asked before the message catalogs."""

    def template(self, code: str) -> Template | None:
        """The parsed ``reason.<code>`` template, or None when the catalog lacks (or garbles) it."""
        try:
            return self._templates[code]
        except KeyError:
            pass
        msgid = self._prefix + code
        text = self.catalog.get(msgid)
        found: Template | None = None
        if text is not None:
            try:
                found = Template.parse(text, name=msgid)
            except AftersalesError:
                found = None
        if len(self._templates) < 4096:
            self._templates[code] = found
        return found

    def param(self, key: str, value: Param) -> str:
        """A parameter in words: codes labelled, numbers localized, booleans and None from the catalog."""
        if value is None:
            return self.catalog.get("value.none") or "-"
        if isinstance(value, bool):
            return self.catalog.get("value.yes" if value else "value.no") or str(value)
        if isinstance(value, int):
            return self._formatter.number(value)
        if self.codes is not None:
            own = self.codes(key, value)
            if own is not None:
                return own
        prefixes = self._labels.get(key, (key,))
        label = self._label(prefixes, value)
        if label is not None:
            return label
        if "," in value:
            labels = [self._label(prefixes, code) for code in value.split(",")]
            if all(labels):
                return format_list([text for text in labels if text], locale=self._formatter.locale)
        return self._shaped(value)

    def _shaped(self, value: str) -> str:
        """A date, an instant or an amount a reason carries as text (ISO 8601, ``"1200.00 CNY"``), in
        this locale's format; any other text as it was given.

        Why: a reason's parameters are atoms, so the code recording it wrote its date, start time or cost
        as text, and the reader got "约定发货日期 2026-03-05", "待下一个工作时段（2026-03-02T09:00+08:00）",
        "成本 1200.00 CNY" in a Chinese ledger (session 29). An instant is shown at its own offset (the
        desk's zone when it was recorded)."""
        if len(value) > 40 or (not value[:1].isdigit() and value[:1] != "-"):
            return value
        try:
            if _ISO_DATE.fullmatch(value):
                return self._formatter.date(date.fromisoformat(value))
            if _ISO_INSTANT.fullmatch(value):
                instant = datetime.fromisoformat(value)
                assert instant.tzinfo is not None  # the pattern asks for an offset
                return self._formatter.datetime(instant, instant.tzinfo)
            found = _AMOUNT.fullmatch(value)
            if found is not None:
                return self._formatter.money(Money(Decimal(found.group(1)), found.group(2)))
        except (ValueError, AftersalesError):  # not a real day, an unknown currency: as given
            return value
        return value

    def _label(self, prefixes: tuple[str, ...], code: str) -> str | None:
        """The first catalog label ``<prefix>.<code>`` of ``prefixes``, or None."""
        for prefix in prefixes:
            found = self.catalog.get(f"{prefix}.{code}")
            if found is not None:
                return found
        return None

    def words(self, reason: Reason) -> str | None:
        """``reason`` in words, or ``None`` when the catalog cannot say it (no entry, or one needing a
        parameter the reason lacks)."""
        template = self.template(reason.code)
        params = reason.params
        if template is None or not template.fields <= params.keys():
            return None
        return template.substitute({key: self.param(key, params[key]) for key in template.fields})

    def render(self, reason: Reason) -> str:
        """``reason`` in words, or :func:`reason_fallback` when the catalog cannot say it."""
        found = self.words(reason)
        return reason_fallback(reason) if found is None else found


_renderers: dict[tuple[str, PackWords | None], ReasonRenderer] = {}


def _checked_words(words: object) -> PackWords | None:
    if words is not None and not isinstance(words, PackWords):
        raise ValidationError(
            f"words is the desk's PackWords (pack_words(desk.policies)) or None, not {type(words).__name__}",
            field="words",
        )
    return words


def render_reason(reason: Reason, locale: str, words: PackWords | None = None) -> str:
    """``reason`` in the shipped catalog of ``locale`` (any identifier; it is resolved); a code of the
    pack's own (a fault cause) in the pack's words when ``words`` (the desk's :class:`PackWords`) label it."""
    if not isinstance(reason, Reason):
        raise ValidationError(f"reason is a Reason, not {type(reason).__name__}", field="reason")
    formatter = formatter_for(locale)
    name = formatter.catalog.locale
    key = (name, _checked_words(words))
    found = _renderers.get(key)
    if found is None:
        found = ReasonRenderer(formatter, codes=None if words is None else words.codes(name))
        if len(_renderers) < 4096:
            _renderers[key] = found
    return found.render(reason)


def _reason(value: object) -> Reason:
    if isinstance(value, Reason):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("code"), str):
        try:
            return Reason(value["code"], dict(value.get("params") or {}))
        except (TypeError, ValueError, AftersalesError) as exc:
            raise ValidationError(f"not a reason: {value!r} ({exc})", field="reasons") from None
    raise ValidationError(f"not a reason: {value!r}", field="reasons")


def _stored_reason(value: object) -> Reason:
    """A reason of a stored step: ``{"code", "params"}``, or a bare code as the ``materials_checked`` and
    ``part_charged_back`` steps stored them before session 39 (their parameters were not kept; rendered
    with none). A bare code refused a ticket's whole history (``to_dict`` of the view, the FastAPI
    example's ``GET /tickets/{id}``)."""
    if isinstance(value, str):
        try:
            return Reason(value)
        except (TypeError, ValueError, AftersalesError) as exc:
            raise ValidationError(f"not a reason: {value!r} ({exc})", field="reasons") from None
    return _reason(value)


def reasons_of(source: object) -> tuple[Reason, ...]:
    """The structured reasons ``source`` carries, in order.

    ``source`` is a policy ``Decision`` (its ``reasons``), a ticket event (the ``reasons`` of its
    payload, as triage, escalation and complaint steps record them), a command result (the reasons
    of each of its decisions, then of its events), a ``Reason``, or an iterable of reasons (or of
    ``{"code", "params"}`` dicts, as payloads store them).
    """
    if isinstance(source, Reason):
        return (source,)
    decisions = getattr(source, "decisions", None)
    if decisions is not None and hasattr(source, "events"):
        # The events record their decisions' reasons again: each reason once, in order.
        found = [r for d in decisions for r in reasons_of(d)]
        found += [r for e in source.events for r in reasons_of(e)]
        return tuple(dict.fromkeys(found))
    reasons = getattr(source, "reasons", None)
    if reasons is not None and not isinstance(source, Mapping):
        return tuple(_reason(r) for r in reasons)
    payload = getattr(source, "payload", None)
    if isinstance(payload, Mapping):
        return tuple(_stored_reason(r) for r in payload.get("reasons") or ())
    if isinstance(source, Iterable) and not isinstance(source, str | bytes | Mapping):
        return tuple(_reason(r) for r in source)
    raise ValidationError(
        f"cannot find reasons in a {type(source).__name__}: pass a Decision, a TicketEvent, a "
        "CommandResult, a Reason or reasons",
        field="decision_or_event",
    )


def render_reasons(decision_or_event: object, locale: str, words: PackWords | None = None) -> tuple[str, ...]:
    """The reasons of a decision, an event or a command result, as sentences in ``locale``.

    ``locale`` is any identifier the shipped catalogs resolve (``zh_Hans``, ``zh-TW``, ``en``…).
    A ticket event's free-text ``reason`` (what a person typed, e.g. a cancellation's "customer
    withdrew") is kept as typed, after the policy reasons: text people wrote is never translated. A code
    the library stored as a step's reason (:data:`~aftersales.i18n.stored_reasons.STORED_REASON_MSGIDS`)
    is worded in ``locale``. ``words`` (the desk's :class:`~aftersales.i18n.pack_words.PackWords`,
    ``pack_words(desk.policies)``) words the pack's own codes (its fault causes) as the pack labels them;
    ``TicketView.reasons`` and ``to_dict`` of a view pass their desk's.
    """
    if not isinstance(locale, str) or not locale.strip():
        raise ValidationError("locale is a non-empty locale identifier such as 'zh_Hans'", field="locale")
    sentences = [render_reason(r, locale, words) for r in reasons_of(decision_or_event)]
    typed = getattr(decision_or_event, "reason", None)
    if isinstance(typed, str) and typed and hasattr(decision_or_event, "payload"):
        # A code the library stored on its own step ("callback: the problem is back") is no one's words:
        # it is worded for the reader, as the notices word it (the customer reads their history so).
        msgid = STORED_REASON_MSGIDS.get(typed)
        sentences.append(typed if msgid is None else formatter_for(locale).catalog.text(msgid))
    return tuple(sentences)
