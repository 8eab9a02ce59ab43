"""Template values pre-formatted by type, so a template only ever sees finished strings.

datetime → local date and time in the recipient's zone, ``Money`` → currency format, timedelta →
words, ``Reason`` → its rendered text, a code enum (``Priority.CRITICAL``, ``TicketState.RESOLVED``)
or ``Category`` → its catalog label, :class:`Term` → a catalog message, ``str`` → verbatim (what a
person typed is never translated). Any other type is refused rather than ``str()``-ed, so a
template cannot reach an object's attributes or its ``__str__``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from enum import Enum
from typing import Final

import attrs

from aftersales.domain.budget_drafts import DraftState
from aftersales.domain.classification import Category
from aftersales.domain.fee_slips import InvoiceState, SlipState
from aftersales.domain.knowledge import ArticleState
from aftersales.domain.maintenance import PlanState, VisitState
from aftersales.domain.materials_workflow import ReturnState
from aftersales.domain.money import Money
from aftersales.domain.quality_incidents import IncidentState
from aftersales.domain.reasons import Reason
from aftersales.domain.survey_campaigns import CampaignState, SurveyTaskState
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import ValidationError
from aftersales.i18n.format import LocaleFormatter
from aftersales.i18n.reasons import ReasonRenderer

__all__ = ["LABEL_PREFIXES", "CodeWords", "Term", "Value", "ValueFormatter", "label_msgid"]


@attrs.frozen
class Term:
    """A value that is itself a catalog message, e.g. ``Term("sla_target.response")``."""

    msgid: str = attrs.field(validator=attrs.validators.instance_of(str))


@attrs.frozen
class CodeWords:
    """A code someone chose (a dealer's support topic ``flush_valve_fitting``) in the catalog's words
    ``<prefix>.<code>`` where the catalog has them, else as the code itself: a snake_case code inside
    Chinese text reads as a fault, while a code nobody worded must still say which it was."""

    prefix: str = attrs.field(validator=attrs.validators.instance_of(str))
    code: str = attrs.field(validator=attrs.validators.instance_of(str))


Value = (
    str
    | int
    | Decimal
    | bool
    | datetime
    | date
    | timedelta
    | Money
    | Reason
    | Enum
    | Category
    | Term
    | CodeWords
)
"""What a template value may be."""

LABEL_PREFIXES: Final[Mapping[type, str]] = {
    TicketState: "state",
    Category: "category",
    # The states of the records whose refusals are worded by kind (i18n.workflow_words): one label each.
    ReturnState: "part_return_state",
    VisitState: "maintenance_visit_state",
    PlanState: "maintenance_plan_state",
    IncidentState: "quality_incident_state",
    CampaignState: "survey_campaign_state",
    SurveyTaskState: "survey_task_state",
    ArticleState: "knowledge_article_state",
    SlipState: "fee_slip_state",
    InvoiceState: "invoice_state",
    DraftState: "budget_draft_state",
}
"""Catalog prefixes that differ from the snake_case class name (``Priority`` → ``priority.<v>``)."""

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
_prefixes: dict[type, str] = dict(LABEL_PREFIXES)


def _prefix(kind: type) -> str:
    found = _prefixes.get(kind)
    if found is None:
        found = _prefixes[kind] = _CAMEL.sub("_", kind.__name__).lower()
    return found


def label_msgid(value: Enum | Category) -> str:
    """The msgid labelling a code value: ``priority.critical``, ``state.in_progress``, ``category.repair``."""
    raw = value.code if isinstance(value, Category) else str(value.value)
    return f"{_prefix(type(value))}.{raw}"


_KEPT_LABELS = 1024
"""Most code-value labels and Term messages one formatter keeps (a desk meets a few dozen)."""


class ValueFormatter:
    """Formats template values for one locale and one time zone."""

    __slots__ = ("formatter", "labels", "reasons", "timezone")

    def __init__(self, formatter: LocaleFormatter, reasons: ReasonRenderer, timezone: tzinfo) -> None:
        self.formatter = formatter
        self.reasons = reasons
        self.timezone = timezone
        # The text of each code value and Term met (immutable, hashable; the catalog never changes):
        # a notification labels its category and priority, or "not set", every time it is rendered.
        self.labels: dict[tuple[type, object], str] = {}

    def label(self, value: Enum | Category) -> str:
        """The catalog label of a code value; an integrator's own code without a label reads as itself."""
        found = self.formatter.catalog.get(label_msgid(value))
        if found is not None:
            return found
        return value.code if isinstance(value, Category) else str(value.value)

    def _kept_text(self, value: Enum | Category | Term) -> str:
        """A code value's label or a Term's message, kept per (type, value) up to ``_KEPT_LABELS``."""
        key = (type(value), value)
        found = self.labels.get(key)
        if found is None:
            found = self.formatter.catalog.text(value.msgid) if isinstance(value, Term) else self.label(value)
            if len(self.labels) < _KEPT_LABELS:
                self.labels[key] = found
        return found

    def format(self, name: str, value: object) -> str:
        """``value`` (the template slot ``name``) as text in this locale and zone."""
        kind = type(value)
        if kind is str:
            text: str = value  # type: ignore[assignment]  # (typing.cast is a call: 3-5 per notice)
            return text if text.isascii() else _whole_text(name, text)
        if isinstance(value, datetime):
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValidationError(
                    f"{name} must be a timezone-aware datetime (got a naive one)", field=name
                )
            if name == "due_at" or name.endswith("_due_at"):  # a deadline: its day's end reads so
                return self.formatter.deadline(value, self.timezone)
            return self.formatter.datetime(value, self.timezone)
        if isinstance(value, Money):
            return self.formatter.money(value)
        if isinstance(value, timedelta):
            return self.formatter.duration(value)
        if isinstance(value, Reason):
            return self.reasons.render(value)
        if isinstance(value, Enum | Category):
            return self._kept_text(value)
        if isinstance(value, bool):
            return self.formatter.catalog.text("value.yes" if value else "value.no")
        if isinstance(value, int | Decimal):
            return self.formatter.number(value)
        if isinstance(value, date):
            return self.formatter.date(value)
        if isinstance(value, Term):
            return self._kept_text(value)
        if isinstance(value, CodeWords):
            words = self.formatter.catalog.get(f"{value.prefix}.{value.code}")
            return value.code if words is None else words
        if isinstance(value, str):
            return _whole_text(name, str.__str__(value))
        raise ValidationError(
            f"{name}: cannot put a {kind.__name__} in a message; pass str, a number, datetime, date, "
            "timedelta, Money, Reason, a code enum, Category or Term",
            field=name,
        )


_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _whole_text(name: str, value: str) -> str:
    """``value`` unless it holds a lone surrogate: no UTF-8 message, mail or export can carry one, and
    every command refuses one in text (domain/validation.py), so a message refuses it the same way."""
    bad = _LONE_SURROGATE.search(value)
    if bad is not None:
        raise ValidationError(
            f"{name} contains character U+{ord(bad.group()):04X}: lone surrogates are refused",
            field=name,
            rule="control",
        )
    return value
