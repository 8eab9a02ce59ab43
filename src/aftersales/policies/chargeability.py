"""Chargeability (收费 or 免费): which lines of a repair the customer pays for, and why.

Seed 002, 材料收费 1 (材料收费的原则):

- a) 保修期外的服务实行收费制度 — out of warranty, everything is chargeable;
- b) 属于保修期内,但需收费的情形 — in warranty but chargeable when the failure was caused by
  ① use against the manual (``misuse_against_manual``), ② the user moving or installing it
  (``moved_or_self_installed``), ③ repair by someone unauthorised (``unauthorised_repair``),
  ④ unstable power supply, voltage or frequency (``unstable_power_supply``), ⑤ fire, flood, earthquake
  or other force majeure (``force_majeure``);
- c) 属于保修期内,除上述问题外均属于免费维修范围 — otherwise free;
- d) 回访服务时,保修期内材料免费,保修期外材料实行收费,不收取服务费 — on a callback visit the materials
  follow the phase and there is no service fee. We read "服务费" as the dealer's charge for coming and
  working (labour, travel, service fee: 收费的标准 d) has dealers set it locally), so by default a
  callback visit charges materials only; :attr:`ChargeabilityParams.callback_labour_and_travel` changes that.

**Out of box (开箱期).** Seed 002 (对于出厂后的产品,分为三个阶段): "开箱期…产品的质量问题主要表现在产品的
外观是否完好无损、随机配件和资料是否齐全、产品的功能是否能实现" — the problems of that phase are damage
in transit, missing accessories and functions that do not work: the maker's and the installing dealer's
responsibility (分工与合作 5: the dealer installs at delivery, the maker supports free of charge), and
they must be reported in writing at once ("需立即提供书面报告"). So an out-of-box repair is free, with the
reasons ``out_of_box_maker_responsibility`` and ``out_of_box_report_required``; an established chargeable
cause (the user moved or installed it himself, a flood) still makes it chargeable, as in warranty,
unless :attr:`ChargeabilityParams.out_of_box_causes_apply` is ``False``.

**Design hazards (设计隐患).** Seed 002: "对于一些设计隐患问题,按第一阶段的方式处理" — a design hazard
found in or out of warranty is handled as out of box: free, reported in writing (reasons
``design_hazard_as_out_of_box`` and ``out_of_box_report_required``). The cause codes that mean a design
hazard are :attr:`ChargeabilityParams.design_hazard_causes` (default ``design_hazard``).

Integrators add chargeable causes through :attr:`ChargeabilityParams.extra_chargeable_causes`, waive
built-in ones through ``waived_causes``, or wrap a :class:`ChargeabilityPolicy` of their own.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

import attrs

from aftersales.domain.charges import ChargeKind
from aftersales.domain.products import Asset, Product
from aftersales.domain.reasons import Reason
from aftersales.domain.text import CODE_PATTERN
from aftersales.domain.typed_init import refused_typed
from aftersales.domain.warranty_records import WarrantyExtension
from aftersales.domain.work import VisitKind
from aftersales.errors import ValidationError
from aftersales.policies.decision import Decision
from aftersales.policies.kinds import PolicyKind
from aftersales.policies.own_params import own_params
from aftersales.policies.params import true_or_false
from aftersales.policies.warranty import (
    DefaultWarrantyPolicy,
    PhaseJudgement,
    WarrantyPhase,
    WarrantyPolicy,
    WarrantyStatus,
)

__all__ = [
    "BUILTIN_CHARGEABLE_CAUSES",
    "ChargeDecision",
    "ChargeOutcome",
    "ChargeabilityParams",
    "ChargeabilityPolicy",
    "ChargeableWork",
    "DefaultChargeabilityPolicy",
    "design_hazard_causes",
]

BUILTIN_CHARGEABLE_CAUSES: frozenset[str] = frozenset(
    {
        "misuse_against_manual",
        "moved_or_self_installed",
        "unauthorised_repair",
        "unstable_power_supply",
        "force_majeure",
    }
)
"""The five in-warranty chargeable causes of seed 002 (材料收费 1 b ①–⑤)."""


def _codes(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _cause_codes(instance: object, attribute: attrs.Attribute[Any], value: tuple[object, ...]) -> None:
    for item in value:
        if not isinstance(item, str) or not CODE_PATTERN.fullmatch(item):
            raise ValidationError(
                f"{attribute.name}: cause codes are snake_case, got {item!r}", field=attribute.name
            )


@refused_typed
@attrs.frozen
class ChargeabilityParams:
    """Parameters of :class:`DefaultChargeabilityPolicy` (a pack loads them from TOML).

    - ``extra_chargeable_causes``: cause codes the integrator adds to the five built-in ones (default none).
    - ``waived_causes``: built-in causes this integrator does not charge for (default none).
    - ``callback_labour_and_travel``: charge labour and travel on a callback visit out of warranty
      (default ``False``: seed 002 charges no service fee on callbacks; see the module docstring).
    - ``out_of_box_causes_apply``: an established chargeable cause makes an out-of-box repair chargeable
      (default ``True``); ``False`` makes every out-of-box repair free.
    - ``remote_labour_and_travel``: charge labour, travel and the service fee on a call handled by phone
      guidance alone (planned remote, never dispatched, no visit; default ``True``). Seed 002's call flow
      (叫修处理流程) computes repair fees only on the on-site branch (是否需派人现场服务 → 现场检修 →
      计算维修费用): its pack sets ``False``, and such a call charges parts only, by the phase.
    """

    extra_chargeable_causes: tuple[str, ...] = attrs.field(
        default=(), converter=_codes, validator=_cause_codes
    )
    waived_causes: tuple[str, ...] = attrs.field(default=(), converter=_codes, validator=_cause_codes)
    callback_labour_and_travel: bool = attrs.field(default=False, validator=true_or_false)
    out_of_box_causes_apply: bool = attrs.field(default=True, validator=true_or_false)
    remote_labour_and_travel: bool = attrs.field(default=True, validator=true_or_false)
    design_hazard_causes: tuple[str, ...] = attrs.field(
        default=("design_hazard",), converter=_codes, validator=_cause_codes
    )
    """Cause codes that mean a design hazard (设计隐患), handled as out of box (seed 002)."""

    def __attrs_post_init__(self) -> None:
        # A waived cause that is no built-in one waives nothing (a typo, "misuse"); one the pack also adds
        # as chargeable says two things at once.
        for cause in self.waived_causes:
            if cause in self.extra_chargeable_causes:
                raise ValidationError(
                    f"waived_causes: {cause!r} is also in extra_chargeable_causes", field="waived_causes"
                )
            if cause not in BUILTIN_CHARGEABLE_CAUSES:
                raise ValidationError(
                    f"waived_causes: {cause!r} is not a built-in chargeable cause, so waiving it changes "
                    f"nothing; the built-in ones: {', '.join(sorted(BUILTIN_CHARGEABLE_CAUSES))}",
                    field="waived_causes",
                )
        # A design hazard is handled as out of box, free (seed 002: 设计隐患问题,按第一阶段的方式处理),
        # so a cause that is both chargeable and a design hazard would be charged by one setting and made
        # free by the other: the chargeable one silently lost (a built-in ① – ⑤ turned free).
        chargeable = (BUILTIN_CHARGEABLE_CAUSES - frozenset(self.waived_causes)) | frozenset(
            self.extra_chargeable_causes
        )
        for cause in self.design_hazard_causes:
            if cause in chargeable:
                where = (
                    "extra_chargeable_causes"
                    if cause in self.extra_chargeable_causes
                    else "the built-in chargeable causes (waive it first)"
                )
                raise ValidationError(
                    f"design_hazard_causes: {cause!r} is also chargeable ({where}); a design hazard is "
                    "handled as out of box, free, so one of the two settings would be ignored",
                    field="design_hazard_causes",
                )


def _visit(value: str) -> VisitKind:
    try:
        return VisitKind(value)
    except ValueError:
        raise ValidationError(f"unknown visit kind {value!r}", field="visit") from None


def _extensions(value: Iterable[WarrantyExtension]) -> tuple[WarrantyExtension, ...]:
    try:
        found = tuple(value)
    except TypeError:
        found = (value,)  # type: ignore[assignment]  # refused below, naming the field
    if isinstance(value, str) or not all(isinstance(e, WarrantyExtension) for e in found):
        raise ValidationError("extensions is a list of WarrantyExtension records", field="extensions")
    return found


@attrs.frozen
class ChargeableWork:
    """The work a charge decision is about: which product, which kind of visit, which component.

    ``extensions`` are the unit's warranty extensions (they may keep it in warranty).
    """

    product: Product
    visit: VisitKind = attrs.field(default=VisitKind.SERVICE, converter=_visit)
    component: str | None = None
    extensions: tuple[WarrantyExtension, ...] = attrs.field(default=(), converter=_extensions)


@attrs.frozen
class ChargeOutcome:
    """Per line, whether the customer pays: materials (parts), labour, travel, service fee."""

    materials: bool
    labour: bool
    travel: bool
    service_fee: bool
    phase: WarrantyPhase

    def chargeable(self, kind: ChargeKind) -> bool:
        """Whether lines of ``kind`` are charged."""
        return bool(getattr(self, kind.value))

    @property
    def anything(self) -> bool:
        """True when at least one kind of line is charged (then a quote is needed)."""
        return self.materials or self.labour or self.travel or self.service_fee


ChargeDecision = Decision[ChargeOutcome]
"""A chargeability decision: :class:`ChargeOutcome`, its reasons (codes + params) and the policy name."""


@runtime_checkable
class ChargeabilityPolicy(Protocol):
    """Decides which lines of a repair are chargeable. Implementations must not read the clock."""

    name: str

    def decide(
        self, work: ChargeableWork, asset: Asset, at: datetime, causes: Iterable[str] = ()
    ) -> Decision[ChargeOutcome]:
        """The chargeability of ``work`` on ``asset`` at ``at``, given the established ``causes``."""
        ...


# Every outcome there can be (frozen values): a decision picks one instead of building it.
_OUTCOMES: dict[tuple[bool, bool, bool, bool, WarrantyPhase], ChargeOutcome] = {
    (m, lab, t, f, phase): ChargeOutcome(m, lab, t, f, phase)
    for m in (False, True)
    for lab in (False, True)
    for t in (False, True)
    for f in (False, True)
    for phase in WarrantyPhase
}
_CALLBACK_NO_FEE = Reason("callback_no_service_fee")
_OUT_OF_BOX = Reason("out_of_box_maker_responsibility")
_OUT_OF_BOX_REPORT = Reason("out_of_box_report_required")
_OUT_OF_WARRANTY = Reason("out_of_warranty_chargeable")
_FREE = Reason("in_warranty_free")
_OOB_CAUSES_WAIVED = Reason("out_of_box_causes_waived")
# The reasons that follow the warranty's and the causes' (immutable, shared by every decision).
_TAIL_OUT_OF_WARRANTY = (_OUT_OF_WARRANTY,)
_TAIL_OUT_OF_BOX = (_OUT_OF_BOX, _OUT_OF_BOX_REPORT)
_TAIL_OUT_OF_BOX_WAIVED = (_OUT_OF_BOX, _OUT_OF_BOX_REPORT, _OOB_CAUSES_WAIVED)
_TAIL_FREE = (_FREE,)
_TAIL_CALLBACK = (_CALLBACK_NO_FEE,)


class DefaultChargeabilityPolicy:
    """The built-in :class:`ChargeabilityPolicy` (seed 002, 材料收费; rules in the module docstring).

    Asks ``warranty`` (default: :class:`~aftersales.policies.warranty.DefaultWarrantyPolicy`) for the
    phase; :meth:`decide_for_phase` decides from a warranty decision already made.
    """

    def __init__(
        self,
        params: ChargeabilityParams | None = None,
        *,
        warranty: WarrantyPolicy | None = None,
        name: str = "builtin.chargeability",
    ) -> None:
        self.params = own_params(params, ChargeabilityParams, "chargeability")
        self.warranty: WarrantyPolicy = warranty or DefaultWarrantyPolicy()
        self.name = name
        self.chargeable_causes: frozenset[str] = (
            BUILTIN_CHARGEABLE_CAUSES | frozenset(self.params.extra_chargeable_causes)
        ) - frozenset(self.params.waived_causes)
        self._hazards = frozenset(self.params.design_hazard_causes)
        self._cause_reasons: dict[str, Reason] = {}
        self._other_reasons: dict[str, Reason] = {}
        # Each combination of causes judged once (see _causes); the causes and params are fixed for the
        # policy's life. A subclass judging causes its own way is asked every time.
        self._judged: dict[tuple[str, ...], tuple[tuple[Reason, ...], bool, str | None]] = {}
        kind = type(self)
        self.takes_judgements: bool = (
            kind.decide_for_phase is DefaultChargeabilityPolicy.decide_for_phase
            and kind.decide_for_phases is DefaultChargeabilityPolicy.decide_for_phases
        )
        """True when :meth:`decide_for_judgements` decides as :meth:`decide_for_phase` would: this
        class's rules, not a subclass's that decides per phase its own way (it needs the decisions)."""
        self._memo_causes = (
            type(self)._chargeable_causes is DefaultChargeabilityPolicy._chargeable_causes
            and type(self)._reason is DefaultChargeabilityPolicy._reason
        )

    def decide(
        self, work: ChargeableWork, asset: Asset, at: datetime, causes: Iterable[str] = ()
    ) -> Decision[ChargeOutcome]:
        """Chargeability of ``work`` on ``asset`` at ``at``: the warranty phase, then the causes."""
        warranty = self.warranty.decide(
            asset, work.product, at, component=work.component, extensions=work.extensions
        )
        return self.decide_for_phase(warranty, work.visit, causes)

    def decide_for_phase(
        self, warranty: Decision[WarrantyStatus], visit: VisitKind, causes: Iterable[str] = ()
    ) -> Decision[ChargeOutcome]:
        """Chargeability from a warranty decision already made (its reasons come first in the result)."""
        return self._conclude(warranty.outcome.phase, warranty.reasons, visit, self._causes(causes))

    def decide_for_phases(
        self,
        warranties: Mapping[str | None, Decision[WarrantyStatus]],
        visit: VisitKind,
        causes: Iterable[str] = (),
    ) -> dict[str | None, Decision[ChargeOutcome]]:
        """:meth:`decide_for_phase` for every component's warranty decision of one repair.

        The causes are judged once for all of them, and components that share a warranty decision
        (:meth:`~aftersales.policies.warranty.DefaultWarrantyPolicy.decide_many`'s ``share_whole``)
        share the chargeability decision too.
        """
        if type(self).decide_for_phase is not DefaultChargeabilityPolicy.decide_for_phase:
            # A subclass decides per phase its own way: ask it for each component.
            given = causes if isinstance(causes, str) else tuple(causes)  # read once, asked many times
            return {c: self.decide_for_phase(w, visit, given) for c, w in warranties.items()}
        judged = self._causes(causes)
        decided: dict[int, Decision[ChargeOutcome]] = {}
        result: dict[str | None, Decision[ChargeOutcome]] = {}
        for component, warranty in warranties.items():
            found = decided.get(id(warranty))
            if found is None:
                found = decided[id(warranty)] = self._conclude(
                    warranty.outcome.phase, warranty.reasons, visit, judged
                )
            result[component] = found
        return result

    def decide_for_judgements(
        self,
        judgements: Mapping[str | None, PhaseJudgement],
        visit: VisitKind,
        causes: Iterable[str] = (),
    ) -> dict[str | None, Decision[ChargeOutcome]]:
        """:meth:`decide_for_phases` from warranty judgements
        (:meth:`~aftersales.policies.warranty.DefaultWarrantyPolicy.judge_many`): the phase and the
        reasons are all a chargeability decision reads of a warranty decision, so a charge assessment
        does not build the warranty decisions. Components sharing a judgement share the decision.
        Only when :attr:`takes_judgements` (a subclass's own ``decide_for_phase`` needs the decisions).
        """
        judged = self._causes(causes)
        decided: dict[int, Decision[ChargeOutcome]] = {}
        result: dict[str | None, Decision[ChargeOutcome]] = {}
        for component, judgement in judgements.items():
            found = decided.get(id(judgement))
            if found is None:
                found = decided[id(judgement)] = self._conclude(
                    judgement.phase, judgement.reasons, visit, judged
                )
            result[component] = found
        return result

    def _causes(self, causes: Iterable[str]) -> tuple[tuple[Reason, ...], bool, str | None]:
        """The causes' reasons (sorted), whether one is chargeable, and the first design hazard.

        Judged once per combination of causes: tickets name a few codes of the pack's catalog, so the
        same combinations recur, and the judgement (immutable) is looked up instead of redone.
        """
        if type(causes) is tuple:
            try:
                found = self._judged.get(causes)
            except TypeError:  # an unhashable item: refused below
                found = None
            if found is not None:
                return found
        if isinstance(causes, str):
            raise ValidationError("causes is a collection of cause codes, not one string", field="causes")
        try:
            given: Collection[str] = (
                causes if isinstance(causes, tuple | list | frozenset | set) else tuple(causes)
            )
        except TypeError:  # not a collection at all
            raise ValidationError("causes is a collection of cause codes", field="causes") from None
        for cause in given:
            if not isinstance(cause, str):  # before sorting: codes of other types do not compare
                raise ValidationError(f"cause codes are snake_case, got {cause!r}", field="causes")
        reasons: list[Reason] = []
        chargeable = self._chargeable_causes(given, reasons)
        hazards = sorted(c for c in given if c in self._hazards) if given else ()
        judged = tuple(reasons), chargeable, (hazards[0] if hazards else None)
        if self._memo_causes and type(causes) is tuple and len(self._judged) < 4096:
            self._judged[causes] = judged  # every code was checked by _chargeable_causes
        return judged

    def _conclude(
        self,
        phase: WarrantyPhase,
        warranty_reasons: tuple[Reason, ...],
        visit: VisitKind,
        judged: tuple[tuple[Reason, ...], bool, str | None],
    ) -> Decision[ChargeOutcome]:
        cause_reasons, chargeable, hazard = judged
        tail: tuple[Reason, ...]
        if hazard is not None and phase is not WarrantyPhase.OUT_OF_BOX:
            tail = (Reason("design_hazard_as_out_of_box", {"cause": hazard}), _OUT_OF_BOX_REPORT)
            charge = False
        elif phase is WarrantyPhase.OUT_OF_WARRANTY:
            tail, charge = _TAIL_OUT_OF_WARRANTY, True
        elif phase is WarrantyPhase.OUT_OF_BOX:
            if chargeable and not self.params.out_of_box_causes_apply:
                tail, charge = _TAIL_OUT_OF_BOX_WAIVED, False
            else:
                tail, charge = _TAIL_OUT_OF_BOX, chargeable
        else:
            charge = chargeable
            tail = () if chargeable else _TAIL_FREE
        if visit is VisitKind.CALLBACK:
            tail += _TAIL_CALLBACK
            labour = charge and self.params.callback_labour_and_travel
            outcome = _OUTCOMES[charge, labour, labour, False, phase]
        else:
            outcome = _OUTCOMES[charge, charge, charge, charge, phase]
        reasons = warranty_reasons + cause_reasons + tail if cause_reasons else warranty_reasons + tail
        return Decision.checked(outcome, reasons, self.name)

    def _chargeable_causes(self, causes: Collection[str], reasons: list[Reason]) -> bool:
        found = False
        for cause in sorted(causes) if len(causes) > 1 else causes:
            if cause in self.chargeable_causes:
                found = True
                reasons.append(self._reason(self._cause_reasons, "chargeable_cause", cause))
            else:
                reasons.append(self._reason(self._other_reasons, "cause_not_chargeable", cause))
        return found

    @staticmethod
    def _reason(cache: dict[str, Reason], code: str, cause: str) -> Reason:
        # Reasons are immutable values: build each (code, cause) once, validating the cause code then.
        reason = cache.get(cause)
        if reason is None:
            if not isinstance(cause, str) or not CODE_PATTERN.fullmatch(cause):
                raise ValidationError(f"cause codes are snake_case, got {cause!r}", field="causes")
            reason = Reason(code, {"cause": cause})
            if len(cache) < 4096:
                cache[cause] = reason
        return reason


def design_hazard_causes(policy: object) -> frozenset[str]:
    """The cause codes that mean a design hazard (设计隐患) to ``policy``: its params', else none.

    Other rules (the written report of seed 002) treat a ticket naming one as out of box, as the
    policy does; a policy of the host's own without :class:`ChargeabilityParams` names none.
    """
    params = getattr(policy, "params", None)
    if isinstance(params, ChargeabilityParams):
        return frozenset(params.design_hazard_causes)
    return frozenset()


KIND = PolicyKind("chargeability", ChargeabilityParams, DefaultChargeabilityPolicy)
"""Makes the chargeability policy pluggable: a pack's ``[chargeability]`` section configures it."""
