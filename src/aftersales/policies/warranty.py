"""Warranty (三包 / 保修期): which phase a unit is in at an instant, and until when each term runs.

Rules (seed 002 §售后服务分工与合作 3 and §开箱期/保修期内/保修期外; design ``domain.md``):

- **Terms** come from the product itself (its ``warranty_terms``), else from
  :attr:`WarrantyParams.terms_by_model`, else :attr:`WarrantyParams.default_terms_by_category`; none at
  all is a :class:`PolicyError` (``no_warranty_terms``). A term covers the whole product
  (``component=None``) or one component (5 years on the ceramic body, 1 on the fittings); a component
  without a term of its own follows the whole-product term.
- **Start** per term: purchase date (default, "保修期限自用户购买之日起计算"), shipment date, or the
  installation-acceptance date. A start date that is not recorded is a :class:`PolicyError`
  (``warranty_start_missing``), never a guess — except during the out-of-box phase, when a term whose
  start has not happened yet (unit still in stock, not yet installed) is simply *not started*.
- **Last day**: a term of N months from day S ends on the same day-of-month N months later, clamped to
  that month's end (31 Jan + 1 month → 28 Feb, or 29 Feb in a leap year). That day is still in
  warranty; the next is not. This is the PRC Civil Code's period rule (arts. 201–203: the start day is
  not counted; the period ends on the corresponding day of the last month, or that month's last day
  when there is none). Days are the asset's local days in its ``market_timezone``.
- **Out of box (开箱期)**: seed 002 — "在产品出厂后至安装调试合格期间,均属于开箱期"; "在产品安装调试完毕至
  保修期限均属于保修期内". Precisely: on local day D a unit is out of box when it has left the factory
  (its shipment date, or when none is recorded its purchase date, is on or before D), its installation
  acceptance is not recorded or is after D, and — only when a pack sets
  :attr:`WarrantyParams.out_of_box_days` and documents why — fewer than that many days have passed since
  it left. The acceptance day itself is in warranty. By default there is no cut-off by days: the seed
  ends the phase at installation acceptance (安装调试合格). But a unit whose term (counted from a recorded
  start, e.g. the purchase date) has ended is out of warranty, acceptance recorded or not: "保修期外 —
  产品已过保修期均属于此阶段" (every product past its warranty period is in that phase).
- **Extensions** (:class:`~aftersales.domain.warranty_records.WarrantyExtension`) add months or days to a
  component's term, or to every term when granted on the whole product. They count from the instant
  they were granted; one granted after the term ended runs from the day it was granted. ``known_at``
  says which extensions are known: by default those granted by ``at``; a ticket assessed later passes the
  assessment instant, so a complaint remedy granted after the call still covers the repair it was
  granted for. Every ``warranty_extended`` reason names the complaint that granted it.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from itertools import repeat
from operator import attrgetter
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol, TypeVar, runtime_checkable

import attrs

from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.contact import zone
from aftersales.domain.instants import require_aware
from aftersales.domain.products import START_DATE_OF, Asset, Product, WarrantyStart, WarrantyTerm
from aftersales.domain.reasons import Reason
from aftersales.domain.typed_init import refused_typed
from aftersales.domain.warranty_records import ExtensionUnit, WarrantyExtension
from aftersales.errors import PolicyError, ValidationError
from aftersales.policies.decision import Decision
from aftersales.policies.kinds import PolicyKind
from aftersales.policies.own_params import own_params
from aftersales.policies.params import check_category_code, true_or_false

__all__ = [
    "DefaultWarrantyPolicy",
    "PhaseJudgement",
    "TermStatus",
    "WarrantyDecision",
    "WarrantyParams",
    "WarrantyPhase",
    "WarrantyPolicy",
    "WarrantyStatus",
    "add_months",
]


class WarrantyPhase(CodedEnum):
    """Product phase (产品阶段): out of box (开箱期), in warranty (保修期内), out of warranty (保修期外)."""

    OUT_OF_BOX = "out_of_box"
    IN_WARRANTY = "in_warranty"
    OUT_OF_WARRANTY = "out_of_warranty"


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the end of the target month.

    ``add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)``; ``date(2023, 1, 31)`` gives 28 Feb.
    """
    years, month0 = divmod(day.month - 1 + months, 12)
    year = day.year + years
    month = month0 + 1
    if not 1 <= year <= 9999:  # beyond the calendar: a term that never ends (or ended before it)
        return date.max if year > 9999 else date.min
    if day.day <= 28:
        return date(year, month, day.day)  # every month has the day: no month length needed
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def _terms_map(value: Mapping[str, Iterable[WarrantyTerm]]) -> Mapping[str, tuple[WarrantyTerm, ...]]:
    return MappingProxyType({key: tuple(terms) for key, terms in value.items()})


def _some_terms(
    instance: object, attribute: attrs.Attribute[Any], value: Mapping[str, tuple[WarrantyTerm, ...]]
) -> None:
    for key, terms in value.items():
        if attribute.name == "default_terms_by_category":  # a product's category is a code: else never met
            check_category_code(key, f"{attribute.name}.{key}")
        if not terms:  # read as "no terms here": the product falls through to no_warranty_terms
            raise ValidationError(
                f"{attribute.name}.{key} lists no term; leave it out, or give at least one",
                field=f"{attribute.name}.{key}",
            )


def _positive_days(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
        raise ValidationError(f"{attribute.name} must be a positive number of days", field=attribute.name)


@refused_typed
@attrs.frozen
class WarrantyParams:
    """Parameters of :class:`DefaultWarrantyPolicy` (a pack loads them from TOML).

    - ``default_terms_by_category``: category code → terms, for products that carry none (default: none).
    - ``terms_by_model``: product model → terms; wins over the category (default: none).
    - ``out_of_box``: whether the out-of-box phase exists at all (default ``True``, seed 002).
    - ``out_of_box_days``: the longest out-of-box phase, counted from shipment (or purchase). After it a
      unit whose installation acceptance was never recorded is judged by its terms. Seed 002 gives no
      number: the phase lasts "出厂后至安装调试合格", so the default, ``None``, bounds it by installation
      acceptance only. A pack that sets a number must say why (e.g. a contract clause).
    """

    default_terms_by_category: Mapping[str, tuple[WarrantyTerm, ...]] = attrs.field(
        factory=dict, converter=_terms_map, validator=_some_terms
    )
    terms_by_model: Mapping[str, tuple[WarrantyTerm, ...]] = attrs.field(
        factory=dict, converter=_terms_map, validator=_some_terms
    )
    out_of_box: bool = attrs.field(default=True, validator=true_or_false)
    out_of_box_days: int | None = attrs.field(default=None, validator=_positive_days)

    def __attrs_post_init__(self) -> None:
        # A cut-off of a phase that does not exist would be read and never used.
        if not self.out_of_box and self.out_of_box_days is not None:
            raise ValidationError(
                "out_of_box_days bounds the out-of-box phase, which out_of_box = false turns off: "
                "leave one of them out",
                field="out_of_box_days",
            )


@attrs.frozen
class TermStatus:
    """One term as it stands: where it starts, its last day in warranty (extensions included).

    ``start`` and ``ends_on`` are ``None`` for a term that has not started (out of box only).
    """

    component: str | None
    months: int
    starts_from: WarrantyStart
    start: date | None
    ends_on: date | None
    extended_months: int = 0
    extended_days: int = 0


@attrs.frozen
class WarrantyStatus:
    """The outcome of a warranty decision.

    ``phase`` and ``ends_on`` are for ``component`` (``None``: the whole product), judged on the asset's
    ``local_date``; ``terms`` lists every term, so a component with a longer term than the product shows.
    """

    phase: WarrantyPhase
    component: str | None
    local_date: date
    ends_on: date | None
    terms: tuple[TermStatus, ...]

    def ends_for(self, component: str | None) -> date | None:
        """The last day in warranty of ``component`` (its own term, else the whole-product term)."""
        term = _governing(self.terms, component)
        return term.ends_on if term else None


WarrantyDecision = Decision[WarrantyStatus]
"""A warranty decision: :class:`WarrantyStatus` with its reasons and the deciding policy's name."""


@runtime_checkable
class WarrantyPolicy(Protocol):
    """Decides a unit's warranty phase and term ends. Implementations must not read the clock."""

    name: str

    def decide(
        self,
        asset: Asset,
        product: Product,
        at: datetime,
        *,
        component: str | None = None,
        extensions: Sequence[WarrantyExtension] = (),
        known_at: datetime | None = None,
    ) -> Decision[WarrantyStatus]:
        """The phase of ``asset`` (or of its ``component``) at the instant ``at``, with reasons.

        ``extensions`` granted by ``known_at`` (default ``at``) count.
        """
        ...


class _Term(NamedTuple):
    """A term while one decision is worked out: the fields of :class:`TermStatus`, made in one call.

    Why: a charge assessment reads each term's dates and keeps none of them; the :class:`TermStatus`
    objects (seven slots filled one by one) are made only for a :class:`WarrantyStatus` handed out.
    """

    component: str | None
    months: int
    starts_from: WarrantyStart
    start: date | None
    ends_on: date | None
    extended_months: int = 0
    extended_days: int = 0


class PhaseJudgement(NamedTuple):
    """A component's warranty phase and reasons, without the status (see
    :meth:`DefaultWarrantyPolicy.judge_many`).

    ``component`` is the one the reasons name (``None``: the whole product, whose term it follows);
    ``ends_on`` the last day of its governing term (``None`` when it has none or it has not started).
    """

    component: str | None
    phase: WarrantyPhase
    reasons: tuple[Reason, ...]
    ends_on: date | None


_AnyTerm = TypeVar("_AnyTerm", TermStatus, _Term)


def _governing(terms: Sequence[_AnyTerm], component: str | None) -> _AnyTerm | None:
    product_term = None
    for term in terms:
        if term.component == component:
            return term
        if term.component is None:
            product_term = term
    if component is not None or product_term is not None:
        return product_term
    # No whole-product term: the product is covered while any of its terms is.
    started = [t for t in terms if t.ends_on is not None]
    return max(started, key=lambda t: t.ends_on or date.min) if started else (terms[0] if terms else None)


class _Facts(NamedTuple):
    """What every component's decision in one :meth:`DefaultWarrantyPolicy.decide_many` shares."""

    local: date
    local_iso: str
    source: str
    left: date | None
    terms: tuple[_Term, ...]


# Built without a Python frame (one decision per term on every charge sheet): what _Facts(...), _Term(...)
# and a set comprehension over the terms would do.
_new_facts = _new_tuple = tuple.__new__
_component = attrgetter("component")

_ISO: dict[date, str] = {}
"""ISO forms of the days reasons name (purchase, term ends, call days): a few thousand distinct days
recur on every desk, and formatting one cost as much as deciding a term."""


def _day(day: date) -> str:
    text = _ISO.get(day)
    if text is None:
        text = day.isoformat()
        if len(_ISO) < 65_536:
            _ISO[day] = text
    return text


def _iso(day: date | None) -> str | None:
    return None if day is None else _day(day)


def _status_term(worked: _Term) -> TermStatus:
    # A term worked out from a product's validated term and recorded dates: filled through the slots.
    component, months, starts_from, start, ends_on, extended_months, extended_days = worked
    term: TermStatus = _NEW(TermStatus)
    _T_COMPONENT(term, component)
    _T_MONTHS(term, months)
    _T_STARTS_FROM(term, starts_from)
    _T_START(term, start)
    _T_ENDS_ON(term, ends_on)
    _T_EXT_MONTHS(term, extended_months)
    _T_EXT_DAYS(term, extended_days)
    return term


def _new_status(
    phase: WarrantyPhase,
    component: str | None,
    local: date,
    ends_on: date | None,
    terms: tuple[TermStatus, ...],
) -> WarrantyStatus:
    status: WarrantyStatus = _NEW(WarrantyStatus)
    _S_PHASE(status, phase)
    _S_COMPONENT(status, component)
    _S_LOCAL(status, local)
    _S_ENDS_ON(status, ends_on)
    _S_TERMS(status, terms)
    return status


_NEW = object.__new__
_T_COMPONENT, _T_MONTHS, _T_STARTS_FROM, _T_START, _T_ENDS_ON, _T_EXT_MONTHS, _T_EXT_DAYS = (
    TermStatus.__dict__[name].__set__
    for name in (
        "component", "months", "starts_from", "start", "ends_on", "extended_months", "extended_days"
    )
)  # fmt: skip
_S_PHASE, _S_COMPONENT, _S_LOCAL, _S_ENDS_ON, _S_TERMS = (
    WarrantyStatus.__dict__[name].__set__ for name in ("phase", "component", "local_date", "ends_on", "terms")
)


class DefaultWarrantyPolicy:
    """The built-in :class:`WarrantyPolicy` (module docstring: the rules and the seed passages)."""

    def __init__(self, params: WarrantyParams | None = None, *, name: str = "builtin.warranty") -> None:
        self.params = own_params(params, WarrantyParams, "warranty")
        self.name = name
        kind = type(self)
        self.judges_alone: bool = (
            kind.decide_many is DefaultWarrantyPolicy.decide_many
            and kind.decide is DefaultWarrantyPolicy.decide
            and kind._judge is DefaultWarrantyPolicy._judge
        )
        """True when :meth:`judge_many` gives what :meth:`decide_many` decides: this class's own rules,
        not a subclass's that decides its own way (then ask :meth:`decide_many`)."""

    def terms_for(self, product: Product) -> tuple[tuple[WarrantyTerm, ...], str]:
        """The terms that apply to ``product`` and where they came from (product, model or category)."""
        if product.warranty_terms:
            return product.warranty_terms, "product"
        by_model = self.params.terms_by_model.get(product.model)
        if by_model:
            return by_model, "model"
        by_category = self.params.default_terms_by_category.get(product.category)
        if by_category:
            return by_category, "category"
        raise PolicyError(
            f"product {product.id} (model {product.model}, category {product.category}) has no warranty "
            "terms: give the product terms, or the pack terms for its model or category",
            code="no_warranty_terms",
        )

    def _out_of_box(self, asset: Asset, local: date) -> date | None:
        """The day the unit left the factory if it is out of box on ``local``, else ``None``."""
        if not self.params.out_of_box:
            return None
        left = asset.shipment_date or asset.purchase_date
        if left is None or left > local:
            return None
        accepted = asset.installation_accepted_on
        if accepted is not None and accepted <= local:
            return None
        limit = self.params.out_of_box_days
        if limit is not None and (local - left).days >= limit:
            return None
        return left

    def decide(
        self,
        asset: Asset,
        product: Product,
        at: datetime,
        *,
        component: str | None = None,
        extensions: Sequence[WarrantyExtension] = (),
        known_at: datetime | None = None,
    ) -> Decision[WarrantyStatus]:
        """The phase of ``asset`` (or of its ``component``) at ``at``, with every term's last day.

        Extensions granted by ``known_at`` (default: ``at``) count.
        """
        facts, judged = self._judge(asset, product, at, (component,), extensions, known_at, False)
        return self._decision(judged[component], facts, tuple(map(_status_term, facts.terms)))

    def decide_many(
        self,
        asset: Asset,
        product: Product,
        at: datetime,
        components: Sequence[str | None],
        *,
        extensions: Sequence[WarrantyExtension] = (),
        known_at: datetime | None = None,
        share_whole: bool = False,
    ) -> dict[str | None, Decision[WarrantyStatus]]:
        """:meth:`decide` for several components of one unit at once: the terms and extensions are
        worked out once (a charge sheet judges each part by its component).

        ``share_whole``: a component with no term (and no extension) of its own follows the
        whole-product term, so it gets the whole product's decision itself (its reasons name the term,
        ``component=None``) instead of a copy that differs only in the component named — a charge sheet
        keeps one decision per term, not one per part.
        """
        facts, judged = self._judge(asset, product, at, components, extensions, known_at, share_whole)
        terms = tuple(map(_status_term, facts.terms))  # one tuple, shared by every component's status
        made: dict[int, Decision[WarrantyStatus]] = {}
        decided: dict[str | None, Decision[WarrantyStatus]] = {}
        for component, judgement in judged.items():
            decision = made.get(id(judgement))
            if decision is None:
                decision = made[id(judgement)] = self._decision(judgement, facts, terms)
            decided[component] = decision
        return decided

    def _decision(
        self, judgement: PhaseJudgement, facts: _Facts, terms: tuple[TermStatus, ...]
    ) -> Decision[WarrantyStatus]:
        status = _new_status(judgement.phase, judgement.component, facts.local, judgement.ends_on, terms)
        return Decision.checked(status, judgement.reasons, self.name)

    def judge_many(
        self,
        asset: Asset,
        product: Product,
        at: datetime,
        components: Sequence[str | None],
        *,
        extensions: Sequence[WarrantyExtension] = (),
        known_at: datetime | None = None,
    ) -> dict[str | None, PhaseJudgement]:
        """The phases and reasons of :meth:`decide_many` with ``share_whole``, without the decisions.

        Why: a chargeability decision reads a warranty decision's phase and reasons only; a charge
        assessment asks this instead and builds no :class:`WarrantyStatus` nor :class:`TermStatus` it
        would throw away. Components that follow the whole-product term share its judgement (the same
        object). Same checks and errors as :meth:`decide`.
        """
        return self._judge(asset, product, at, components, extensions, known_at, True)[1]

    def _judge(
        self,
        asset: Asset,
        product: Product,
        at: datetime,
        components: Sequence[str | None],
        extensions: Sequence[WarrantyExtension],
        known_at: datetime | None,
        share_whole: bool,
    ) -> tuple[_Facts, dict[str | None, PhaseJudgement]]:
        require_aware(at, "at")
        known = at if known_at is None else require_aware(known_at, "known_at")
        if not isinstance(asset, Asset):
            raise ValidationError(f"asset must be an Asset, got {type(asset).__name__}", field="asset")
        if not isinstance(product, Product):
            raise ValidationError(f"product must be a Product, got {type(product).__name__}", field="product")
        if isinstance(components, str) or not isinstance(components, Sequence):
            raise ValidationError(
                "components is a list of component names (None: the product)", field="components"
            )
        if asset.product_id != product.id:
            raise ValidationError(
                f"asset {asset.id} is a {asset.product_id}, not a {product.id}", field="product"
            )
        for component in components:
            if not product.has_component(component):
                raise ValidationError(
                    f"product {product.id} has no component {component!r}", field="component"
                )
        tz = zone(asset.market_timezone)
        local = at.astimezone(tz).date()
        terms, source = self.terms_for(product)
        left = self._out_of_box(asset, local)
        # Shared by every component's judgement: the terms as a tuple, the dates already in ISO form.
        shared = tuple(map(self._term, repeat(asset), terms, repeat(left is not None)))
        tagged: list[tuple[str | None, Reason]] = []
        if extensions:
            shared = tuple(self._extend(asset, list(shared), extensions, known, tz, tagged))
        facts = _new_facts(_Facts, (local, _day(local), source, left, shared))
        # The term governing each component that has one: the first that names it (None: the whole product).
        governs = (
            dict(zip(map(_component, reversed(shared)), reversed(shared), strict=True)) if share_whole else {}
        )
        # Shared only when the whole-product term exists and no extension names a component (the
        # whole product's reasons would then carry another component's extension).
        if not share_whole or None not in governs or (tagged and any(tag is not None for tag, _ in tagged)):
            return facts, {
                component: self._conclude(asset, component, facts, tagged, _governing(shared, component))
                for component in components
            }
        decided: dict[str | None, PhaseJudgement] = {}
        whole: PhaseJudgement | None = None
        for component in components:
            if component is None or component not in governs:
                if whole is None:
                    whole = self._conclude(asset, None, facts, tagged, governs[None])
                decided[component] = whole
            else:
                decided[component] = self._conclude(asset, component, facts, tagged, governs[component])
        return facts, decided

    def _conclude(
        self,
        asset: Asset,
        component: str | None,
        facts: _Facts,
        tagged: list[tuple[str | None, Reason]],
        governing: _Term | None,
    ) -> PhaseJudgement:
        # ``governing``: the term that governs ``component`` (see _governing), found by the caller.
        local, left = facts.local, facts.left
        first: Reason
        if left is not None and governing is not None and governing.ends_on is not None:
            # Seed 002: 保修期外 — 产品已过保修期均属于此阶段. A term that started (the purchase date is
            # recorded) and has ended ends the out-of-box phase too, installation accepted or not.
            left = None if local > governing.ends_on else left
        if left is not None:
            phase = WarrantyPhase.OUT_OF_BOX
            first = Reason.checked(
                "out_of_box",
                {
                    "installation_accepted_on": _iso(asset.installation_accepted_on),
                    "left_factory_on": _day(left),
                },
            )
        elif governing is None or governing.ends_on is None or governing.start is None:
            phase = WarrantyPhase.OUT_OF_WARRANTY
            first = Reason.checked("no_warranty_term", {"component": component})
        elif local < governing.start:
            phase = WarrantyPhase.OUT_OF_WARRANTY
            first = Reason.checked(
                "warranty_not_started", {"component": component, "starts": _day(governing.start)}
            )
        elif local <= governing.ends_on:
            phase = WarrantyPhase.IN_WARRANTY
            first = self._phase_reason("in_warranty", governing, component, facts)
        else:
            phase = WarrantyPhase.OUT_OF_WARRANTY
            first = self._phase_reason("out_of_warranty", governing, component, facts)
        # The phase's reason first, then the extensions that apply to this component (if any).
        reasons = (
            (first, *(r for tag, r in tagged if tag is None or component is None or tag == component))
            if tagged
            else (first,)
        )
        judged: PhaseJudgement = _new_tuple(
            PhaseJudgement, (component, phase, reasons, governing.ends_on if governing else None)
        )
        return judged

    @staticmethod
    def _phase_reason(code: str, term: _Term, component: str | None, facts: _Facts) -> Reason:
        # Built from the product's validated terms and dates: Reason.checked skips re-validation.
        start, ends_on = term.start, term.ends_on  # both set: the caller found the term started
        start_iso = _ISO.get(start) or _day(start)  # type: ignore[arg-type]
        ends_iso = _ISO.get(ends_on) or _day(ends_on)  # type: ignore[arg-type]
        return Reason.checked(
            code,
            {  # keys in sorted order, as Reason.checked asks
                "component": component,
                "ends_on": ends_iso,
                "local_date": facts.local_iso,
                "months": term.months,
                "start": start_iso,
                "starts_from": term.starts_from._value_,
                "term_component": term.component,
                "terms_from": facts.source,
            },
        )

    @staticmethod
    def _term(asset: Asset, term: WarrantyTerm, out_of_box: bool) -> _Term:
        start = START_DATE_OF[term.starts_from](asset)  # Asset.start_date without a call per term
        if start is None:
            if out_of_box:
                return _new_tuple(_Term, (term.component, term.months, term.starts_from, None, None, 0, 0))
            raise PolicyError(
                f"asset {asset.id}: the warranty term of {term.months} months"
                f"{' on ' + term.component if term.component else ''} starts from the "
                f"{term.starts_from.value} date, which is not recorded",
                code="warranty_start_missing",
            )
        ends_on = add_months(start, term.months)
        return _new_tuple(_Term, (term.component, term.months, term.starts_from, start, ends_on, 0, 0))

    @staticmethod
    def _extend(
        asset: Asset,
        statuses: list[_Term],
        extensions: Sequence[WarrantyExtension],
        at: datetime,
        tz: Any,
        tagged: list[tuple[str | None, Reason]],
    ) -> list[_Term]:
        result = list(statuses)
        given = tuple(extensions) if isinstance(extensions, Iterable) else None  # read once (a generator)
        if (
            given is None
            or isinstance(extensions, str)
            or not all(isinstance(e, WarrantyExtension) for e in given)
        ):
            raise ValidationError("extensions is a list of WarrantyExtension records", field="extensions")
        for ext in sorted(given, key=lambda e: e.granted_at):
            if ext.asset_id != asset.id:
                raise ValidationError(
                    f"extension for asset {ext.asset_id} given for asset {asset.id}", field="extensions"
                )
            if ext.granted_at > at:
                continue  # not yet granted at the instant asked about
            granted_on = ext.granted_at.astimezone(tz).date()
            if ext.component is not None and not any(t.component == ext.component for t in result):
                base = next((t for t in result if t.component is None), None)
                if base is None:
                    raise PolicyError(
                        f"asset {asset.id}: no term to extend for component {ext.component!r}",
                        code="no_term_to_extend",
                    )
                result.append(base._replace(component=ext.component))
            for index, term in enumerate(result):
                if ext.component is not None and term.component != ext.component:
                    continue
                result[index] = _lengthen(term, ext, granted_on)
            # Every extension's reasons, tagged with its component: each decision keeps its own.
            extended = Reason(
                "warranty_extended",
                {
                    "component": ext.component,
                    "amount": ext.amount,
                    "unit": ext.unit.value,
                    "source": ext.source.value,
                    "reason": ext.reason,
                    "granted_by": str(ext.granted_by),
                    "granted_on": granted_on.isoformat(),
                    "complaint_id": ext.complaint_id,
                },
            )
            tagged.append((ext.component, extended))
            if ext.complaint_id is not None:
                # Said in words too: the customer and the auditor see which complaint made it free.
                named = Reason(
                    "extension_granted_by_complaint",
                    {
                        "complaint_id": ext.complaint_id,
                        "granted_by": str(ext.granted_by),
                        "granted_on": granted_on.isoformat(),
                    },
                )
                tagged.append((ext.component, named))
            if ext.incident_id is not None:
                # A quality incident's remedy on its batch (seed 004 第七条 5(2)): the incident named.
                by_incident = Reason(
                    "extension_granted_by_incident",
                    {
                        "incident_id": ext.incident_id,
                        "granted_by": str(ext.granted_by),
                        "granted_on": granted_on.isoformat(),
                    },
                )
                tagged.append((ext.component, by_incident))
        return result


def _lengthen(term: _Term, ext: WarrantyExtension, granted_on: date) -> _Term:
    if ext.unit is ExtensionUnit.MONTHS:
        months, days = ext.amount, 0
    else:
        months, days = 0, ext.amount
    extended = term._replace(
        extended_months=term.extended_months + months, extended_days=term.extended_days + days
    )
    if term.ends_on is None:
        return extended  # not started yet: the extension counts once it starts
    base = max(term.ends_on, granted_on)
    if months:
        end = add_months(base, months)
    else:
        end = base + timedelta(days=days) if (date.max - base).days > days else date.max
    return extended._replace(ends_on=end)


KIND = PolicyKind("warranty", WarrantyParams, DefaultWarrantyPolicy)
"""Makes the warranty policy pluggable: a pack's ``[warranty]`` section configures it."""
