"""Errors in words: a typed error of :mod:`aftersales.errors` rendered for the person who met it.

The errors speak English to developers (``str(error)`` names the field, the rule and the ids) and
carry their facts as attributes. A host shows the agent, the engineer or the customer a sentence in
their language instead: :func:`render_error` reads those attributes into the catalog entry
``error.<code>`` of the error's kind (``error.invalid_transition``: "SR-2026-000001：工单处于“已关闭”
状态，不能执行“取消”"), labelling the codes it carries (states, steps, SLA targets, attachment kinds)
as the ledger does. A policy refusal is worded by its ``code`` (``error.policy_ticket_closed``), or
generically when the catalog has no words for it; any other error falls back to its kind's sentence.
Rendering never fails on a known error: without usable words it returns ``str(error)``. The rule a
``ValidationError`` or ``ConfigurationError`` broke is in the reader's words when the error carries its
code (``error.rule``, worded by ``error_rule.<code>`` with ``error.rule_params``:
:mod:`aftersales.i18n.rule_words`), else shown as the code that refused wrote it.

Keep ``str(error)`` for the logs: the words are for people, the message (with every id) for whoever
investigates.
"""

from __future__ import annotations

import re

from aftersales.domain.reasons import Reason
from aftersales.domain.shown_text import controls_shown
from aftersales.errors import (
    AftersalesError,
    AlreadyErased,
    AttachmentRequired,
    CalendarDataMissing,
    ConcurrencyConflict,
    ConfigurationError,
    CurrencyMismatch,
    CustomerErased,
    DeliveryError,
    DuplicateError,
    ErasedIdReused,
    FaultRecordRequired,
    IdempotencyKeyReused,
    InvalidMoney,
    InvalidStoreOption,
    InvalidTransition,
    LegalHold,
    NaiveDatetimeError,
    NotFound,
    OpenTicketsBlockErasure,
    OutOfBounds,
    PermissionDenied,
    PluginError,
    PolicyError,
    ReadOnlyError,
    RemedyBeyondAuthority,
    SlaExtensionRefused,
    StorageError,
    StoreBusy,
    StoreDamaged,
    UnknownCurrency,
    ValidationError,
)
from aftersales.i18n.allowed_words import allowed_in_words
from aftersales.i18n.format import LocaleFormatter, formatter_for
from aftersales.i18n.reasons import ReasonRenderer
from aftersales.i18n.rule_words import RULE_PARAM_LIMIT
from aftersales.i18n.workflow_words import ERROR_PARAM_LABELS, RECORD_KINDS, WORKFLOW_PARAM_LABELS

__all__ = ["ERROR_PARAM_LABELS", "WORKFLOW_PARAM_LABELS", "error_reason", "render_error"]

_PREFIX = "error."


def _text(value: object) -> str:
    return "" if value is None else str(value)


RULE_LIMIT = 200
"""Characters of an error's rule shown to a person (the whole message stays in ``str(error)``)."""


def _rule(error: AftersalesError) -> str:
    """The rule ``error`` states, on one line, without the location a configuration error starts with.

    Why: a refusal rendered as "输入有误：score" or "配置错误：sla.callback_hours" named the field but not
    what is wrong with it (session 28). The rules are worded in English by the code that refuses; the
    sentence around them, the field and the key are the locale's."""
    text = str(error)
    if isinstance(error, ConfigurationError):
        where = ":".join(part for part in (error.file, error.key) if part)
        text = text.removeprefix(f"{where}: ") if where else text
    text = controls_shown(" ".join(text.split()))
    return text if len(text) <= RULE_LIMIT else text[: RULE_LIMIT - 1] + "…"


def error_reason(error: AftersalesError) -> Reason:
    """The error as a coded message: ``Reason(code, params)`` whose words are ``error.<code>``.

    The most specific kind decides (a ``FaultRecordRequired`` is not worded as any refused step).
    """
    field = getattr(error, "field", None)
    if isinstance(error, LegalHold):
        return Reason(f"legal_hold_{error.hold}", {"target": error.target})
    if isinstance(error, OpenTicketsBlockErasure):
        tickets = ", ".join(error.ticket_ids)[:200]
        return Reason("open_tickets_block_erasure", {"customer": error.customer_id, "tickets": tickets})
    if isinstance(error, AlreadyErased):
        return Reason("already_erased", {"customer": error.customer_id})
    if isinstance(error, ErasedIdReused):
        return Reason("erased_id_reused", {"customer": error.customer_id})
    if isinstance(error, CustomerErased):
        return Reason("customer_erased", {"customer": error.customer_id})
    if isinstance(error, FaultRecordRequired):
        return Reason("fault_record_required", {"ticket": _text(error.ticket_id)})
    if isinstance(error, InvalidTransition):
        params = {"command": error.command, "state": error.state}
        record = error.record_id or error.ticket_id
        if record and error.workflow in RECORD_KINDS:
            # A maintenance visit, a fee slip… refused is named as what it is, not as a ticket.
            return Reason("invalid_record_transition", {**params, "what": error.workflow, "record": record})
        if error.ticket_id and error.workflow == "complaint":
            # A complaint refused is named a complaint (投诉), not a ticket (工单).
            return Reason("invalid_complaint_transition", {**params, "complaint": error.ticket_id})
        if error.ticket_id:
            return Reason("invalid_transition", {**params, "ticket": error.ticket_id})
        return Reason("invalid_step", params)
    if isinstance(error, SlaExtensionRefused):
        return Reason("sla_extension_refused", {"ticket": error.ticket_id, "target": error.target})
    if isinstance(error, AttachmentRequired):
        return Reason("attachment_required", {"kind": error.kind})
    if isinstance(error, NaiveDatetimeError):
        return Reason("naive_datetime", {"field": _text(field)})
    if isinstance(error, UnknownCurrency):
        return Reason("unknown_currency", {"currency": _text(error.code)[:40]})
    if isinstance(error, CurrencyMismatch):
        return Reason("currency_mismatch", {"left": error.left, "right": error.right})
    if isinstance(error, OutOfBounds):
        return Reason("out_of_bounds", {"field": _text(field), "least": error.least, "most": error.most})
    if isinstance(error, InvalidMoney) and not getattr(error, "rule", None):  # a ruled one states its rule
        return Reason("invalid_money", {"field": field or "amount"})
    if isinstance(error, InvalidStoreOption):
        return Reason("invalid_store_option", {"option": error.option})
    if isinstance(error, ValidationError):
        rule = _rule(error)
        if field and rule and rule != field:  # the field and its rule (session 28: the field alone)
            return Reason("validation_rule", {"field": controls_shown(_text(field)), "rule": rule})
        return (
            Reason("validation", {"field": controls_shown(_text(field))})
            if field
            else Reason("validation_no_field")
        )
    if isinstance(error, NotFound):
        return Reason("not_found", {"id": _text(error.id)[:80]})
    if isinstance(error, DuplicateError):
        return Reason("duplicate")
    if isinstance(error, RemedyBeyondAuthority):
        if error.limit is None:
            return Reason("remedy_kind_beyond_authority", {"remedy": error.kind})
        if error.field == "months":
            return Reason("remedy_months_beyond_authority", {"limit": _text(error.limit)})
        return Reason("remedy_cost_beyond_authority", {"remedy": error.kind, "limit": _text(error.limit)})
    if isinstance(error, PermissionDenied):
        if error.rule is not None:  # a refusal finer than the table: worded by its rule
            return Reason(f"permission_{error.rule}", {"action": error.action, **error.facts})
        return Reason("permission_denied", {"action": error.action})
    if isinstance(error, ConcurrencyConflict):
        return Reason("concurrency_conflict", {"id": _text(error.id)[:80]})
    if isinstance(error, CalendarDataMissing):
        return Reason(
            "calendar_data_missing",
            {"known_until": error.known_until.isoformat(), "asked": error.asked.isoformat()},
        )
    if isinstance(error, ConfigurationError):
        rule = _rule(error)
        key = controls_shown(error.key or error.file or "-")
        return (
            Reason("configuration_rule", {"key": key, "rule": rule})
            if rule
            else Reason("configuration", {"key": key})
        )
    if isinstance(error, PolicyError):
        return Reason(f"policy_{error.code}")
    if isinstance(error, ReadOnlyError):
        return Reason("read_only")
    if isinstance(error, StoreBusy):
        return Reason("store_busy")
    if isinstance(error, StoreDamaged):  # a retry will not help: not worded as "try again later"
        return Reason("store_damaged")
    if isinstance(error, StorageError):
        return Reason("storage")
    if isinstance(error, IdempotencyKeyReused):
        return Reason("idempotency_key_reused", {"key": error.key[:80]})
    if isinstance(error, DeliveryError):
        return Reason("delivery")
    if isinstance(error, PluginError):
        return Reason("plugin_answer", {"component": error.component, "method": error.method})
    return Reason("generic")


# The sentence of a kind, for a code of it the catalog has no words for.
_KIND_FALLBACK = (("legal_hold_", "legal_hold"), ("policy_", "policy"), ("permission_", "permission_denied"))

_renderers: dict[tuple[str, str], ReasonRenderer] = {}
_RULE_PREFIX = "error_rule."
_RULED = frozenset({"validation_rule", "configuration_rule"})
_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}", re.ASCII)


def _worded_rule(
    reason: Reason, error: AftersalesError, renderer: ReasonRenderer, formatter: LocaleFormatter
) -> Reason:
    """``reason`` with its English rule in ``renderer``'s words when ``error`` carries a rule code the
    catalog words (``error_rule.<code>``); as it was otherwise (the rule shown as the code wrote it).

    The code is read, never the English: a message reworded keeps its words, and a host's own
    refusal is worded when it names a code (``ValidationError(..., rule="empty")``)."""
    code = getattr(error, "rule", None)
    if reason.code not in _RULED or not isinstance(code, str) or not _CODE.fullmatch(code):
        return reason
    figures: dict[str, str | int] = {}
    for name, value in dict(getattr(error, "rule_params", None) or {}).items():
        if isinstance(value, bool) or not isinstance(name, str) or not _CODE.fullmatch(name):
            continue  # a host's figure of no use to the words: they fall back to the English
        if isinstance(value, int):
            figures[name] = value
        elif isinstance(value, str):
            if code == "one_of" and name == "allowed":  # the reader's words for labelled values
                value = allowed_in_words(value, getattr(error, "field", None), formatter)
            shown = controls_shown(" ".join(value.split()))
            figures[name] = shown if len(shown) <= RULE_PARAM_LIMIT else shown[: RULE_PARAM_LIMIT - 1] + "…"
    words = renderer.words(Reason(code, figures))
    return reason if words is None else Reason(reason.code, {**reason.params, "rule": words})


def render_error(error: AftersalesError, locale: str) -> str:
    """``error`` in the words of ``locale`` (any identifier; it is resolved): see the module docstring.

    ``error`` must be an :class:`~aftersales.errors.AftersalesError` (anything else is a
    ``ValidationError`` naming ``error``): only the library's errors carry facts to render.
    """
    if not isinstance(error, AftersalesError):
        raise ValidationError(f"error is an AftersalesError, not {type(error).__name__}", field="error")
    formatter = formatter_for(locale)
    workflow = error.workflow if isinstance(error, InvalidTransition) else ""
    labels = WORKFLOW_PARAM_LABELS.get(workflow)
    if labels is None:
        workflow, labels = "", ERROR_PARAM_LABELS
    key = (formatter.catalog.locale, workflow)
    renderer = _renderers.get(key)
    if renderer is None:
        renderer = _renderers[key] = ReasonRenderer(formatter, prefix=_PREFIX, labels=labels)
    rules = _renderers.get((formatter.catalog.locale, _RULE_PREFIX))
    if rules is None:
        rules = _renderers[(formatter.catalog.locale, _RULE_PREFIX)] = ReasonRenderer(
            formatter, prefix=_RULE_PREFIX, labels={}
        )
    reason = _shown_facts(_worded_rule(error_reason(error), error, rules, formatter))
    found = renderer.words(reason)
    kind = next((k for p, k in _KIND_FALLBACK if reason.code.startswith(p)), None)
    if found is None and kind is not None:  # the kind's sentence, with the same facts
        found = renderer.words(Reason(kind, dict(reason.params)))
    return controls_shown(str(error)) if found is None else found


def _shown_facts(reason: Reason) -> Reason:
    """``reason`` with every text fact as a person may be shown it (:func:`controls_shown`).

    Why: an id, a key or a code a refusal quotes is the caller's text when a host raises the error itself
    (the FastAPI example's ``NotFound("step", step)`` quotes the URL's step); a NUL, an escape sequence or a
    bidi override in it reached the screen as is ("未找到：\\u202e…" reordered the line). Only the field, the
    key and the rule were escaped before session 33."""
    params = reason.params
    if all(not isinstance(v, str) or v.isprintable() for v in params.values()):
        return reason
    shown = {k: controls_shown(v) if isinstance(v, str) else v for k, v in params.items()}
    return Reason(reason.code, shown)
