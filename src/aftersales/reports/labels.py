"""Report words and numbers in the reader's locale: headers, codes, group names, rates, durations.

Every header and code a report shows goes through the message catalogs (``report.column.*``,
``state.*``, ``category.*``, ``priority.*``, ``fault.symptom.*``…); numbers, percentages, money and
durations through Babel (:mod:`aftersales.i18n.format`). A code the catalogs do not know (an
integrator's own fault code) reads as itself, as :class:`~aftersales.i18n.values.ValueFormatter` does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Final

from babel.dates import format_skeleton
from babel.numbers import format_decimal, format_percent

from aftersales.domain.call_shape import host_factories
from aftersales.domain.money import Money
from aftersales.errors import ValidationError
from aftersales.i18n.format import LocaleFormatter, formatter_for, timezone_of
from aftersales.i18n.workflow_words import workflow_label
from aftersales.policies.fault_catalog import FaultCatalog
from aftersales.ports.queries import UNSET
from aftersales.ports.reporting import ALL, FaultDimension, GroupBy
from aftersales.reports.rounding import shown_fraction

__all__ = ["FAULT_FIELDS", "ReportLabels", "report_labels"]

FAULT_FIELDS: Final = ("symptom", "cause", "action")
"""The coded parts of a fault record; each has catalog labels ``fault.<field>.<code>``."""

_PERCENT: Final = "#,##0.0%"
_MONTH: Final = re.compile(r"(\d{4})-(\d{2})")
_NO_DEALER: Final = {GroupBy.DEALER: "report.group.direct", GroupBy.SERVING_DEALER: "report.group.maker"}
"""The words of a dealer grouping's "" row: by the customer's dealer, the customers who have none (直营);
by the dealer doing the job, the maker's own work — its engineers', its office's by phone, and the calls
not yet passed on to anyone (session 30: both read "the maker's own engineers")."""


@host_factories
class ReportLabels:
    """The catalog words and Babel formats of one locale, plus the names of dealers, engineers, products.

    ``names`` maps ids (dealer, engineer, product…) to what people call them; a report groups by id
    and shows the name. The "" group of a dealer grouping is named for what it holds (customers with
    no dealer, or the maker's own work) instead of a blank group.
    """

    __slots__ = ("catalog", "faults", "formatter", "locale", "names", "timezone")

    def __init__(
        self,
        locale: str,
        names: Mapping[str, str] | None = None,
        timezone: str | tzinfo = "Asia/Shanghai",
        faults: FaultCatalog | None = None,
    ) -> None:
        self.formatter: LocaleFormatter = formatter_for(locale)
        self.locale = str(self.formatter.locale)
        self.catalog = self.formatter.catalog
        self.names: Mapping[str, str] = dict(names or {})
        self.timezone: tzinfo = timezone_of(timezone)
        self.faults = faults
        """The pack's fault catalog: its labels of symptoms, causes and actions win over the catalogs'."""

    # -- words ------------------------------------------------------------------------------------------

    def text(self, msgid: str, **params: str) -> str:
        """The catalog text of ``msgid`` with its ``{name}`` slots filled (a missing one is an error)."""
        found = self.catalog.text(msgid)
        for key, value in params.items():
            found = found.replace("{" + key + "}", value)
        return found

    def _code(self, prefix: str, code: str) -> str:
        found = self.catalog.get(f"{prefix}.{code}")
        return found if found is not None else code

    def column(self, code: str) -> str:
        """A column header (``report.column.<code>``)."""
        return self.text(f"report.column.{code}")

    def title(self, kind: str) -> str:
        """A report's title (``report.title.<kind>``)."""
        return self.text(f"report.title.{kind}")

    def state(self, code: str, workflow: str | None = None) -> str:
        """A state's label in ``workflow``'s words (``"complaint"``, ``"materials"``…: a materials request
        ``received`` is signed for, a complaint's registered); without one, a ticket's, a complaint's or a
        materials request's, as a refusal labels it (one table: :mod:`aftersales.i18n.workflow_words`)."""
        found = workflow_label(self.catalog, workflow, "state", code)
        return code if found is None else found

    def step(self, code: str, workflow: str | None = None) -> str:
        """A step's (an event's action's) label in ``workflow``'s words: the returns' ``reject`` is an old
        part refused at inspection, the ticket's the customer not accepting the repair. Labelled as a
        refused step is (``command``), not as a refused permission (``action``: the imperative "dispatch
        a ticket" where the ledger reads "dispatched")."""
        found = workflow_label(self.catalog, workflow, "command", code)
        return code if found is None else found

    def payer(self, kind: str, key: str | None) -> str:
        """Who owes a slip, in words: the kind of party (customer, dealer, engineer) and its name."""
        return f"{self._code('payer', kind)} {self.name(key)}"

    def category(self, code: str) -> str:
        """A category's label."""
        return self._code("category", code)

    def priority(self, code: str | None) -> str:
        """A priority's label; no priority yet reads as "not set"."""
        if not code:
            return self.text("report.group.unset")
        return self._code("priority", code)

    def channel(self, code: str) -> str:
        """A contact channel's label (phone, WeChat…)."""
        return self._code("channel", code)

    def kind(self, code: str) -> str:
        """A ticket kind's label (service request, complaint)."""
        return self._code("ticket_kind", code)

    def fault(self, field: str, code: str) -> str:
        """A fault symptom, cause or action code's label (``fault.<field>.<code>``)."""
        if field not in FAULT_FIELDS:
            raise ValidationError(f"a fault field is one of {', '.join(FAULT_FIELDS)}", field="field")
        if self.faults is not None:
            found = self.faults.find(field, code, self.catalog.locale)
            if found is not None:
                return found  # the pack's own words for its own codes
        return self._code(f"fault.{field}", code)

    def name(self, key: str | None) -> str:
        """What ``key`` (an id) is called, or the key itself."""
        if not key:
            return self.text("report.group.unset")
        return self.names.get(key, key)

    def maker_completions(self) -> str:
        """The label of the dealer report's row of the month's jobs no dealer did: those the maker's
        engineers completed and the calls its office solved by phone (seed 002 分工 9/10)."""
        return self.text("report.group.maker_completions")

    def group(self, group: GroupBy, key: str) -> str:
        """The label of a report group: a dealer's or engineer's name, a category's label, the total."""
        if key == ALL and group is GroupBy.ALL:
            return self.text("report.group.all")
        if key == UNSET:
            return self.text(_NO_DEALER.get(group, "report.group.unset"))
        if group is GroupBy.CATEGORY:
            return self.category(key)
        return self.name(key)

    def dimension_value(self, dimension: FaultDimension, key: str) -> str:
        """A Pareto item's label: a symptom or cause label, a product name, a batch code."""
        if dimension is FaultDimension.SYMPTOM:
            return self.fault("symptom", key)
        if dimension is FaultDimension.CAUSE:
            return self.fault("cause", key)
        if dimension is FaultDimension.PRODUCT:
            return self.name(key)
        return key or self.text("report.group.unset")

    # -- numbers ----------------------------------------------------------------------------------------

    def number(self, value: int | Decimal) -> str:
        """A count or a plain number with the locale's grouping."""
        return self.formatter.number(value)

    def decimal(self, value: Decimal | int) -> str:
        """A measured value with two decimals ("3.50", "4.00")."""
        return str(format_decimal(value, "#,##0.00", locale=self.formatter.locale))

    def percent(self, value: Decimal) -> str:
        """A fraction as a percentage with one decimal ("85.3%")."""
        # rounded by the reports' one rule first (half up): Babel would round half to even
        return str(format_percent(shown_fraction(value), _PERCENT, locale=self.formatter.locale))

    def duration(self, value: timedelta) -> str:
        """A duration in words ("6 小时 16 分钟")."""
        return self.formatter.duration(value)

    def working_hours(self, value: timedelta) -> str:
        """A target in hours however long ("24 小时", never "1 天": a working day is not 24 hours)."""
        hours = Decimal(value.total_seconds()) / 3600
        count = int(hours) if hours == int(hours) else hours.quantize(Decimal("0.1"))
        form = self.catalog.plural("duration.hour", int(hours))
        return form.replace("{count}", self.number(count))

    def work_duration(self, value: timedelta) -> str:
        """Working time in hours and minutes ("26 小时 5 分钟"): never days, a working day is not 24 hours."""
        if value < timedelta(0):
            raise ValidationError(f"a duration must not be negative, got {value}", field="duration")
        minutes = int(value.total_seconds() // 60)
        hours, rest = divmod(minutes, 60)
        if hours == 0:
            return self._unit("duration.minute", rest)
        larger = self._unit("duration.hour", hours)
        if rest == 0:
            return larger
        pair = self.catalog.text("duration.pair")
        return pair.replace("{larger}", larger).replace("{smaller}", self._unit("duration.minute", rest))

    def _unit(self, msgid: str, count: int) -> str:
        return self.catalog.plural(msgid, count).replace("{count}", self.number(count))

    def money(self, value: Money) -> str:
        """An amount in its currency's local format."""
        return self.formatter.money(value)

    def datetime(self, value: datetime) -> str:
        """An instant in the report's time zone."""
        return self.formatter.datetime(value, self.timezone)

    def date(self, value: date) -> str:
        """A calendar date."""
        return self.formatter.date(value)

    def month(self, month: str) -> str:
        """A month written ``YYYY-MM`` in the locale's words ("2026年3月", "Mar 2026")."""
        found = _MONTH.fullmatch(month) if isinstance(month, str) else None
        if found is None or not 1 <= int(found.group(2)) <= 12:
            raise ValidationError(f"a month is written YYYY-MM, got {month!r}", field="month")
        day = date(int(found.group(1)), int(found.group(2)), 1)
        return str(format_skeleton("yMMM", day, locale=self.formatter.locale))

    def yes_no(self, value: bool) -> str:
        """Yes or no in words."""
        return self.text("value.yes" if value else "value.no")


def report_labels(
    locale: str = "zh_Hans",
    names: Mapping[str, str] | None = None,
    timezone: str | tzinfo = "Asia/Shanghai",
    faults: FaultCatalog | None = None,
) -> ReportLabels:
    """:class:`ReportLabels` for ``locale`` (an unknown locale is a ValidationError naming it); with
    ``faults`` (the pack's catalog) fault codes read as the pack labels them."""
    if not isinstance(locale, str) or not locale:
        raise ValidationError("locale is a locale name such as zh_Hans, zh_Hant or en", field="locale")
    # Checked apart, so each refusal names its own argument (a bad zone or names read as a bad locale,
    # and a zone that is not a tzinfo or a name that is not text failed as a TypeError mid-report).
    tz = timezone_of(timezone)
    checked = _names(names)
    try:
        formatter_for(locale)
    except (ValueError, LookupError) as exc:
        raise ValidationError(f"unknown locale {locale!r} ({exc})", field="locale") from None
    return ReportLabels(locale, checked, tz, faults)


def _names(value: object) -> Mapping[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValidationError(
            "names maps ids to names: text to text, e.g. {'dealer-a': '浦东特约网点'}", field="names"
        )
    for text in (*value.keys(), *value.values()):
        # a NUL or a lone surrogate no file can hold: the export's CSV failed to encode it
        if "\x00" in text or (not text.isprintable() and _unencodable(text)):
            raise ValidationError(f"names holds text no file can hold: {text!r:.40}", field="names")
    return value


def _unencodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
