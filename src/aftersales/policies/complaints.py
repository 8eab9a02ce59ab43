"""Complaint classification (投诉分类, seed 004 第七条) and batch-incident detection.

- **Crisis event** (危机事件, 第七条 5(1)): a quality problem (property loss, personal injury) or a service
  problem (unsafe repair, deceiving the customer, a rude attitude) cost the customer money, **and** the
  customer demands compensation or takes it to the consumer association, the quality-supervision bureau
  or the press. All three parts are needed; the reasons say which part is missing.
- **Batch quality incident** (批量质量事故, 第七条 5(2)): the same quality problem, from design or
  production, on "5%以上" of one batch. In Chinese rules 以上 includes the number, so 5 of 100 is an
  incident and 4 of 100 is not; the threshold and its inclusiveness are parameters. The count is of
  distinct units (a unit repaired twice for the same cause counts once), and at least
  ``batch_min_units`` of them (2 by default: 批量 is more than one unit, so one faulty unit of a batch of
  10 is that unit's problem, not a batch's) — a parameter too.
  A batch incident recorded on a complaint is judged by the same rule when the complaint is classified.
- **Handler's judgement** (有重要影响的投诉, 第八条 2(4)): a handler may mark a complaint major, with a
  reason.

Major = crisis event, or batch incident, or judged major; otherwise general (一般投诉). Every decision
carries its reasons.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from aftersales.domain.actors import HEADS, Role
from aftersales.domain.bounds import check_bounded
from aftersales.domain.call_shape import host_factories
from aftersales.domain.complaints import (
    BatchIncident,
    ComplaintSeverity,
    CrisisFacts,
    HandlerJudgement,
    RemedyKind,
)
from aftersales.domain.ids import ProductId
from aftersales.domain.money import Money
from aftersales.domain.no_fault import NO_FAULT_FOUND
from aftersales.domain.number_text import NUMBER_TEXT
from aftersales.domain.reasons import Reason
from aftersales.domain.text import CODE_PATTERN
from aftersales.domain.typed_init import refused_typed
from aftersales.errors import ValidationError, shown_repr
from aftersales.policies.chargeability import BUILTIN_CHARGEABLE_CAUSES
from aftersales.policies.decision import Decision
from aftersales.policies.kinds import PolicyKind
from aftersales.policies.params import in_range

__all__ = [
    "KIND",
    "MAX_MIN_UNITS",
    "MIN_UNITS",
    "REMEDY_GRANTERS",
    "ComplaintClass",
    "ComplaintFacts",
    "ComplaintParams",
    "DefaultComplaintPolicy",
    "UnitFault",
    "batch_threshold_reached",
    "crisis_event",
    "detect_batch_incidents",
    "judge_batch",
]


def _percent(value: object) -> Decimal:
    if isinstance(value, float | bool) or not isinstance(value, int | str | Decimal):
        raise ValidationError(
            "batch_threshold_percent is a Decimal, an int or a decimal string",
            field="batch_threshold_percent",
        )
    if isinstance(value, str) and not NUMBER_TEXT.fullmatch(value):
        # Written as a pack's amounts are (ASCII digits, a point): Decimal alone took "1e1", " 5 ", "5_0",
        # "+5" and other scripts' digits, which a pack's fees refuse.
        raise ValidationError(
            f"batch_threshold_percent is written in ASCII digits (5 or 2.5), got {shown_repr(value)}",
            field="batch_threshold_percent",
            rule="number",
        )
    try:
        result = Decimal(value)
    except ArithmeticError:
        raise ValidationError(f"not a percentage: {value!r}", field="batch_threshold_percent") from None
    if not result.is_finite() or not Decimal(0) < result <= Decimal(100):
        raise ValidationError(
            f"batch_threshold_percent is above 0 and at most 100, got {value!r}",
            field="batch_threshold_percent",
        )
    return result


MIN_UNITS = 2
"""The default of :attr:`ComplaintParams.batch_min_units`: a batch incident is the same problem on several
units (批量), so a single faulty unit never raises one, whatever share of a small batch it is."""

MAX_MIN_UNITS = 1_000_000
"""The largest ``batch_min_units`` a pack may set (far above any production batch)."""


def _min_units(_: object, attribute: attrs.Attribute[int], value: object) -> None:
    check_bounded(value, attribute.name, MAX_MIN_UNITS)


def _inclusive(_: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        raise ValidationError(
            f"{attribute.name} is true or false, got {shown_repr(value)}",
            field=attribute.name,
            rule="true_or_false",
        )


NOT_QUALITY_CAUSES: tuple[str, ...] = tuple(sorted(BUILTIN_CHARGEABLE_CAUSES))
"""The default of :attr:`ComplaintParams.batch_excluded_causes`: seed 002's five causes the user or the
outside world brings about (use against the manual, moving or self-installation, unauthorised repair,
an unstable power supply, force majeure) — never a design or production fault."""


def _cause_list(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValidationError(
            f"batch_excluded_causes is a list of cause codes, got {value!r}", field="batch_excluded_causes"
        )
    return tuple(value)


def _cause_codes(_: object, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[object, ...]) -> None:
    for item in value:
        if not isinstance(item, str) or not CODE_PATTERN.fullmatch(item):
            raise ValidationError(
                f"{attribute.name} lists cause codes (snake_case), got {item!r}", field=attribute.name
            )


def _dimension(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if value not in ("cause", "symptom"):
        raise ValidationError(
            f'{attribute.name} is "cause" or "symptom", got {value!r}', field=attribute.name
        )


REMEDY_GRANTERS: frozenset[Role] = frozenset({Role.AGENT, *HEADS})
"""The roles that grant complaint remedies (the complaint workflow's handlers): the only roles
:attr:`ComplaintParams.remedy_limits` may name."""

EXTENSION_MONTHS_KEY = "warranty_extension_months"
"""The key of a role's ``remedy_limits`` table capping the months of warranty extension it may grant."""


@host_factories
class RoleLimits(Mapping[RemedyKind, Money]):
    """One role's authority: the remedy kinds it may grant alone and the most each may cost on one
    complaint (the mapping), and the most months of warranty extension it may add on one complaint
    (``extension_months``; ``None``: no cap beyond the cost)."""

    __slots__ = ("_costs", "extension_months")

    def __init__(self, costs: Mapping[RemedyKind, Money], extension_months: int | None = None) -> None:
        self._costs: Mapping[RemedyKind, Money] = MappingProxyType(dict(costs))
        self.extension_months = extension_months

    def __getitem__(self, kind: RemedyKind) -> Money:
        return self._costs[kind]

    def __iter__(self) -> Iterator[RemedyKind]:
        return iter(self._costs)

    def __len__(self) -> int:
        return len(self._costs)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RoleLimits):
            return self._costs == other._costs and self.extension_months == other.extension_months
        return isinstance(other, Mapping) and dict(self._costs) == dict(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RoleLimits({dict(self._costs)!r}, extension_months={self.extension_months!r})"


RemedyLimits = Mapping[Role, RoleLimits]
"""Per role, what it may grant alone (:class:`RoleLimits`)."""


def _role_limits(where: str, kinds: Mapping[Any, Any]) -> RoleLimits:
    """One role's table: remedy kinds with their most cost, and the optional months cap."""
    table: dict[RemedyKind, Money] = {}
    months: int | None = None
    for kind_code, limit in kinds.items():
        at = f"{where}.{kind_code}"
        if kind_code == EXTENSION_MONTHS_KEY:
            months = check_bounded(limit, at, 1200)  # the most months of extension on one complaint
            continue
        try:
            kind = RemedyKind(kind_code)
        except ValueError:
            raise ValidationError(f"{at}: unknown remedy kind {kind_code!r}", field=at) from None
        if not isinstance(limit, Money) or limit.amount < 0:
            raise ValidationError(f"{at} is the most it may cost (Money, not below 0)", field=at)
        table[kind] = limit
    if months is not None and RemedyKind.WARRANTY_EXTENSION not in table:
        # A cap on a kind the role may not grant at all would be read and never used.
        at = f"{where}.{EXTENSION_MONTHS_KEY}"
        raise ValidationError(
            f"{at}: the role may not grant a warranty_extension (list it with its cost): it caps nothing",
            field=at,
        )
    return RoleLimits(table, months)


def _remedy_limits(value: object) -> RemedyLimits:
    """A read-only copy of ``value`` with its codes as enum members, each name checked (the field named
    down to the role and the remedy, as a pack author wrote them)."""
    if not isinstance(value, Mapping):
        raise ValidationError("remedy_limits is a table of roles", field="remedy_limits")
    out: dict[Role, RoleLimits] = {}
    for role_code, kinds in value.items():
        where = f"remedy_limits.{role_code}"
        try:
            role = Role(role_code)
        except ValueError:
            raise ValidationError(f"{where}: unknown role {role_code!r}", field=where) from None
        if role not in REMEDY_GRANTERS:
            granters = ", ".join(sorted(r.value for r in REMEDY_GRANTERS))
            raise ValidationError(
                f"{where}: {role.value} grants no complaint remedies (the handlers do: {granters})",
                field=where,
            )
        if not isinstance(kinds, Mapping):
            raise ValidationError(f"{where} is a table of remedy kinds", field=where)
        out[role] = kinds if isinstance(kinds, RoleLimits) else _role_limits(where, kinds)
    return MappingProxyType(out)


@refused_typed
@attrs.frozen
class ComplaintParams:
    """Parameters of the complaint policy (pack section ``[complaint]``)."""

    RAW_SHAPES: ClassVar[Mapping[str, Any]] = MappingProxyType(
        {"remedy_limits": Mapping[Role, Mapping[str, Money | int]]}
    )
    """How the pack writes ``remedy_limits`` (per role: kinds with their cost, and a months count)."""

    batch_threshold_percent: Decimal = attrs.field(default=Decimal(5), converter=_percent)
    """Share of one batch with the same quality problem that makes a batch incident (seed 004: 5%)."""
    batch_threshold_inclusive: bool = attrs.field(default=True, validator=_inclusive)
    """``True``: the threshold itself counts (以上 includes the number: 5 of 100 is an incident)."""
    batch_min_units: int = attrs.field(default=MIN_UNITS, validator=_min_units)
    """The fewest distinct units with the same problem that can make a batch incident, whatever their
    share (default :data:`MIN_UNITS`, 2: one unit is that unit's problem; 1 lets a single unit of a small
    batch raise one). Seed 004 names only the share; 批量 (a batch's worth) implies more than one."""
    batch_dimension: str = attrs.field(default="cause", validator=_dimension)
    """What makes two fault records "the same quality problem": their ``cause`` (default) or ``symptom``."""
    batch_excluded_causes: tuple[str, ...] = attrs.field(
        default=NOT_QUALITY_CAUSES, converter=_cause_list, validator=_cause_codes
    )
    """Fault causes that are no quality problem of the batch (seed 004 第七条 5(2): 由于设计、生产不当 — only
    design or production faults make a batch incident): a fault record with one of them never counts,
    whatever the dimension. Default :data:`NOT_QUALITY_CAUSES`; ``[]`` counts every cause."""

    def counts_cause(self, cause: str) -> bool:
        """Does a fault record with ``cause`` count towards a batch incident? Never a visit's finding that
        the fault is not real (故障不属实, :data:`~aftersales.domain.no_fault.NO_FAULT_FOUND`): no fault."""
        return cause not in self.batch_excluded_causes and cause != NO_FAULT_FOUND

    escalation_ack_hours: int = attrs.field(default=2, validator=in_range(1, 24 * 7))
    """Hours within which an escalated complaint must be taken up (seed 004 says 立即: a parameter)."""
    complaint_below_score: int = attrs.field(default=3, validator=in_range(0, 6))
    """A satisfaction score (1–5) below this opens a complaint; 0 never does."""
    unsatisfied_below: int = attrs.field(default=4, validator=in_range(0, 6))
    """A callback's score (1–5, the lower of the result's and the attitude's) below this that opens no
    complaint is still reported to the manager (notice ``callback_unsatisfied``, with the customer's
    words); 0 never. Seed 001 三(七)3: 售后专员负责整理客户满意度调查结果,分析客户不满意的原因…反馈给
    售后经理 — the KPI counts a 3 of 5 as not satisfied (``KpiTargets.satisfied_at = 4``), but only a
    score below ``complaint_below_score`` (3) opened a complaint: a 3 reached nobody who analyses it.
    Keep it equal to the ``satisfied_at`` the KPI is read with."""
    remedy_limits: RemedyLimits = attrs.field(factory=dict, converter=_remedy_limits)
    """The remedies each role may grant alone (seed 002 第七条: 不做自己权限之外的约定; 谈判 (二)1: 表明你有
    足够的权力): per role (``agent``, ``manager``, ``department_head``, ``general_manager``), the remedy
    kinds it may grant and the most each kind may cost on one complaint, in its currency — the remedies of
    that kind already granted on the complaint count. A kind a role's table does not list, it may not
    grant alone; a role the setting does not name is not limited by it; empty (the default): no limits.
    A role that may grant a warranty extension (延长免费售后服务期) may also be capped in the months it adds
    on one complaint, ``warranty_extension_months`` (1 to 1200; the complaint's earlier extensions count,
    an extension in days counting a started month of 30 days whole); without it only the cost caps it."""
    major_needs_gm_instruction: bool = attrs.field(default=False, validator=_inclusive)
    """``True``: a major complaint's handling waits for the general manager's instruction (seed 004 第八条
    2(4): 客户服务中心向总经理报告及请示处理方法, 得到明确的处理意见后应立即安排处理) — no solution proposed,
    revised or agreed and no remedy granted on it before the instruction is recorded
    (``refer_to_general_manager`` then ``record_gm_decision``), unless by the general manager. ``False``
    (the default): the handler settles it."""

    def remedy_refusal(
        self, roles: Iterable[Role], kind: RemedyKind, total: Money
    ) -> tuple[str, Money | None] | None:
        """Why ``roles`` may not grant a ``kind`` remedy bringing the complaint's ``kind`` remedies to
        ``total``: ``("kind", None)`` when none of them may grant the kind alone, ``("cost", limit)`` when
        ``total`` is above the highest limit they have for it (a limit in another currency: the first),
        ``None`` when one of them may (or is not limited)."""
        granting = [r for r in roles if r in REMEDY_GRANTERS]
        if not self.remedy_limits or any(r not in self.remedy_limits for r in granting):
            return None
        limits = [self.remedy_limits[r][kind] for r in granting if kind in self.remedy_limits[r]]
        if not limits:
            return ("kind", None)
        same = [limit for limit in limits if limit.currency == total.currency]
        if not same:
            return ("cost", limits[0])
        highest = max(same, key=lambda m: m.amount)
        return None if total.amount <= highest.amount else ("cost", highest)

    def extension_months_refusal(self, roles: Iterable[Role], months: int) -> int | None:
        """The months cap ``roles`` would pass granting warranty extensions that bring the complaint's to
        ``months`` (the highest cap among the roles that may grant one: one of them may), ``None`` when
        within it — or when a granting role has no cap, or the setting does not limit these roles. Which
        roles may grant the kind at all is :meth:`remedy_refusal`'s question."""
        granting = [r for r in roles if r in REMEDY_GRANTERS]
        if not self.remedy_limits or any(r not in self.remedy_limits for r in granting):
            return None
        caps = [
            self.remedy_limits[r].extension_months
            for r in granting
            if RemedyKind.WARRANTY_EXTENSION in self.remedy_limits[r]
        ]
        if not caps or any(cap is None for cap in caps):
            return None
        highest = max(cap for cap in caps if cap is not None)
        return None if months <= highest else highest


@attrs.frozen
class ComplaintFacts:
    """What classification looks at: crisis facts, the batch incident found, the handler's judgement."""

    crisis: CrisisFacts | None = None
    batch_incident: BatchIncident | None = None
    judgement: HandlerJudgement | None = None


@attrs.frozen
class ComplaintClass:
    """The class decided: severity, and which rules made it so."""

    severity: ComplaintSeverity
    crisis_event: bool = False
    batch_incident: bool = False
    judged_major: bool = False


def crisis_event(facts: CrisisFacts) -> Decision[bool]:
    """Is this a crisis event (seed 004 第七条 5(1))? The reasons name each part met or missing."""
    problems = sorted(p.value for p in facts.problems)
    recourse = sorted(r.value for r in facts.recourse)
    missing: list[Reason] = []
    if not problems:
        missing.append(Reason("crisis_no_problem"))
    if not facts.economic_loss:
        missing.append(Reason("crisis_no_economic_loss"))
    if not recourse:
        missing.append(Reason("crisis_no_recourse"))
    if missing:
        return Decision(False, missing, "default.complaint")
    # Every problem and recourse (in code order) is labelled in the text: the centre and the general
    # manager told at once (第八条 2(5)) read the press beside the consumer association, not the first
    # in code order alone (before session 37). "problems"/"recourses" keep the lists for auditors.
    reason = Reason(
        "crisis_event",
        {
            "crisis_problem": ",".join(problems),
            "recourse": ",".join(recourse),
            "problems": ",".join(problems),
            "recourses": ",".join(recourse),
            "groups": ",".join(sorted({p.group for p in facts.problems})),
        },
    )
    return Decision(True, [reason], "default.complaint")


@attrs.frozen
class UnitFault:
    """One unit's fault of one cause, as read from a fault record (故障原因) of a ticket about it."""

    unit_id: str
    batch: str
    cause: str
    product_id: ProductId | None = None


def _reaches(affected: int, size: int, params: ComplaintParams) -> bool:
    # Exact: affected / size ≥ p / 100  ⇔  100 · affected ≥ p · size (no rounding on the way).
    left = Decimal(100) * affected
    right = params.batch_threshold_percent * size
    return left >= right if params.batch_threshold_inclusive else left > right


def detect_batch_incidents(
    faults: Iterable[UnitFault],
    batch_sizes: Mapping[str, int],
    params: ComplaintParams = ComplaintParams(),
    quality_causes: Iterable[str] | None = None,
) -> list[Decision[BatchIncident | None]]:
    """One decision per (batch, cause) seen: a :class:`BatchIncident` when it reaches the threshold.

    ``batch_sizes`` gives each batch's production quantity (a batch without a size is reported as
    undecidable, with a reason). ``quality_causes``, when given, keeps only causes from design or
    production (misuse, transport or installation faults are not batch quality problems); ``None``
    takes the caller's word that every fault given is one. Distinct units are counted.
    """
    wanted = None if quality_causes is None else frozenset(quality_causes)
    units: dict[tuple[str, str], set[str]] = {}
    products: dict[tuple[str, str], ProductId | None] = {}
    for fault in faults:
        if wanted is not None and fault.cause not in wanted:
            continue
        key = (fault.batch, fault.cause)
        units.setdefault(key, set()).add(fault.unit_id)
        products.setdefault(key, fault.product_id)
    out: list[Decision[BatchIncident | None]] = []
    for (batch, cause), found in sorted(units.items()):
        size = batch_sizes.get(batch)
        if size is None:
            out.append(
                Decision(
                    None,
                    [Reason("batch_size_unknown", {"batch": batch, "cause": cause})],
                    "default.complaint",
                )
            )
            continue
        out.append(judge_batch(batch, cause, len(found), size, params, products[(batch, cause)]))
    return out


def batch_incident(
    batch: str,
    cause: str,
    affected: int,
    batch_size: int,
    params: ComplaintParams = ComplaintParams(),
    product_id: ProductId | None = None,
) -> Decision[BatchIncident | None]:
    """Do ``affected`` units of ``batch_size`` with the same ``cause`` make a batch incident?"""
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValidationError("a batch size is a positive integer", field="batch_size", rule="positive")
    if not isinstance(affected, int) or isinstance(affected, bool) or not 0 <= affected <= batch_size:
        raise ValidationError("affected units are 0 up to the batch size", field="affected")
    values: dict[str, Any] = {
        "batch": batch,
        "cause": cause,
        "affected": affected,
        "batch_size": batch_size,
        "threshold": f"{params.batch_threshold_percent.normalize():f}%",
        "inclusive": params.batch_threshold_inclusive,
    }
    if _reaches(affected, batch_size, params):
        incident = BatchIncident(product_id, batch, cause, affected, batch_size)
        return Decision(incident, [Reason("batch_incident", values)], "default.complaint")
    return Decision(None, [Reason("batch_below_threshold", values)], "default.complaint")


def batch_threshold_reached(affected: int, batch_size: int, params: ComplaintParams) -> bool:
    """:func:`judge_batch`'s verdict alone, without building the decision (the detector's hot path)."""
    return (
        affected >= params.batch_min_units
        and batch_size >= affected
        and _reaches(affected, batch_size, params)
    )


def judge_batch(
    batch: str,
    value: str,
    affected: int,
    batch_size: int,
    params: ComplaintParams = ComplaintParams(),
    product_id: ProductId | None = None,
) -> Decision[BatchIncident | None]:
    """The one batch-incident rule the desk's detector and the fault reports both apply.

    At least the pack's ``batch_min_units`` distinct units, and its threshold (:func:`batch_incident`) of
    ``batch_size``; ``value`` is the problem in the pack's ``batch_dimension`` (cause by default).
    """
    if affected < params.batch_min_units and 0 <= affected <= batch_size:
        values: dict[str, Any] = {
            "batch": batch,
            "cause": value,
            "affected": affected,
            "batch_size": batch_size,
            "threshold": f"{params.batch_threshold_percent.normalize():f}%",
            "inclusive": params.batch_threshold_inclusive,
            "min_units": params.batch_min_units,
        }
        return Decision(None, [Reason("batch_below_min_units", values)], "default.complaint")
    return batch_incident(batch, value, affected, batch_size, params, product_id)


@attrs.frozen
class DefaultComplaintPolicy:
    """Classifies complaints as general or major by seed 004's rules, with the handler's judgement."""

    params: ComplaintParams = ComplaintParams()
    name: str = "default.complaint"

    def classify(self, facts: ComplaintFacts) -> Decision[ComplaintClass]:
        """General or major, and why."""
        reasons: list[Reason] = []
        crisis = False
        if facts.crisis is not None:
            decided = crisis_event(facts.crisis)
            crisis = decided.outcome
            reasons.extend(decided.reasons)
        batch = False
        if facts.batch_incident is not None:
            # The figures recorded are judged by the one rule (5%以上 of the batch, at least
            # batch_min_units units): a handler's "incident" of 1 unit in 100 is not one (seed 004
            # 第七条 5(2)), and the reasons say which part falls short.
            incident = facts.batch_incident
            found = judge_batch(
                incident.batch,
                incident.cause,
                incident.affected,
                incident.batch_size,
                self.params,
                incident.product_id,
            )
            batch = found.outcome is not None
            reasons.extend(found.reasons)
        judged = facts.judgement is not None
        if judged:
            reasons.append(Reason("judged_major", {"by": str(facts.judgement.by)}))  # type: ignore[union-attr]
        major = crisis or batch or judged
        if not major:
            reasons.append(Reason("general_complaint"))
        severity = ComplaintSeverity.MAJOR if major else ComplaintSeverity.GENERAL
        return Decision(ComplaintClass(severity, crisis, batch, judged), reasons, self.name)

    def opens_complaint(self, overall: int) -> Decision[bool]:
        """Does a satisfaction score of ``overall`` open a complaint?"""
        below = self.params.complaint_below_score
        if below and overall < below:
            return Decision(True, [Reason("low_satisfaction", {"score": overall, "below": below})], self.name)
        return Decision(False, [Reason("satisfaction_ok", {"score": overall, "below": below})], self.name)


KIND = PolicyKind("complaint", ComplaintParams, DefaultComplaintPolicy)
"""Makes this kind pluggable (pack section ``[complaint]``) once listed in ``kinds.BUILTIN_KINDS``."""
