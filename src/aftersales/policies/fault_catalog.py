"""The fault catalog (故障描述 → 故障原因 → 处理措施 codes) of a pack, with Chinese and English labels.

Seed 002 (售后服务质量反馈系统): every quality problem is recorded as symptom → cause → action, so they can be
counted and analysed (分类统计和分析). A pack lists its codes with labels in ``[faults]``:

.. code-block:: toml

    [faults.causes]
    flush_valve_worn = { zh_Hans = "进水阀磨损", en = "worn flush valve" }

When a pack lists codes of a kind (symptoms, causes or actions), a fault record must use one of them
(:meth:`FaultCatalog.check`, a ``ValidationError`` naming the field); a kind the pack leaves empty takes
any snake_case code. Labels are looked up per locale, falling back to English, then to the code. The
five chargeable causes of seed 002 and ``design_hazard`` always have labels, so a reason that names one
reads as words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from aftersales.domain.call_shape import host_factories
from aftersales.domain.no_fault import NO_FAULT_FOUND, check_no_fault_record
from aftersales.domain.text import CODE_PATTERN
from aftersales.domain.typed_init import refused_typed
from aftersales.domain.work import FaultRecord
from aftersales.errors import ConfigurationError, ValidationError, carried_rule
from aftersales.policies.kinds import PolicyKind
from aftersales.policies.own_params import own_params

__all__ = [
    "BUILTIN_CAUSE_LABELS",
    "KIND",
    "FaultCatalog",
    "FaultCatalogParams",
    "check_cause_code",
    "check_fault_records",
    "pack_cause_codes",
    "pack_fault_catalog",
]

Labels = Mapping[str, Mapping[str, str]]

BUILTIN_CAUSE_LABELS: Labels = MappingProxyType(
    {
        "misuse_against_manual": MappingProxyType(
            {
                "zh_Hans": "未按使用说明书操作，使用不当",
                "zh_Hant": "未按使用說明書操作，使用不當",
                "en": "use against the manual",
            }
        ),
        "moved_or_self_installed": MappingProxyType(
            {
                "zh_Hans": "用户自行搬运、移动、安装",
                "zh_Hant": "用戶自行搬運、移動、安裝",
                "en": "moved or installed by the user",
            }
        ),
        "unauthorised_repair": MappingProxyType(
            {
                "zh_Hans": "私自维修或非专业人员维修",
                "zh_Hant": "私自維修或非專業人員維修",
                "en": "repaired by someone unauthorised",
            }
        ),
        "unstable_power_supply": MappingProxyType(
            {
                "zh_Hans": "电源、电压、频率不稳定",
                "zh_Hant": "電源、電壓、頻率不穩定",
                "en": "unstable power, voltage or frequency",
            }
        ),
        "force_majeure": MappingProxyType(
            {
                "zh_Hans": "天灾、火灾、地震等不可抗力",
                "zh_Hant": "天災、火災、地震等不可抗力",
                "en": "fire, flood, earthquake or other force majeure",
            }
        ),
        "design_hazard": MappingProxyType(
            {"zh_Hans": "设计隐患", "zh_Hant": "設計隱患", "en": "design hazard"}
        ),
        NO_FAULT_FOUND: MappingProxyType(
            {"zh_Hans": "故障不属实", "zh_Hant": "故障不屬實", "en": "no fault found"}
        ),
    }
)
"""Labels of the causes the library itself decides on (seed 002 材料收费 1 b ①–⑤, 设计隐患, and the
叫修处理流程's 故障不属实: a visit finding the reported fault not real)."""


_LOCALES = ("zh_Hans", "zh_Hant", "en")
"""The locales a label may be given in (the message catalogs'): a label under another key is never shown."""


def _labels(kind: str, value: Any) -> Labels:
    """One list (``symptoms``, ``causes`` or ``actions``) checked: each refusal names the list, the code
    and the locale (``causes.rope_worn.fr``), so the pack's error names its dotted key."""
    if not isinstance(value, Mapping):
        raise ValidationError("a fault catalog maps codes to labels", field=kind)
    result: dict[str, Mapping[str, str]] = {}
    for code, labels in value.items():
        where = f"{kind}.{code}"
        if not isinstance(code, str) or not CODE_PATTERN.fullmatch(code):
            raise ValidationError(f"fault codes are snake_case, got {code!r}", field=where)
        if not isinstance(labels, Mapping):
            raise ValidationError(f"fault code {code!r} maps locales to labels", field=where)
        for locale, text in labels.items():
            if locale not in _LOCALES:
                raise ValidationError(
                    f"unknown locale {locale!r} for fault code {code!r}; known: {', '.join(_LOCALES)}",
                    field=f"{where}.{locale}",
                )
            if not isinstance(text, str) or not text.strip():
                raise ValidationError(f"labels of {code!r} are text", field=f"{where}.{locale}")
        if not labels.get("en") or not (labels.get("zh_Hans") or labels.get("zh_Hant")):
            raise ValidationError(f"fault code {code!r} needs a Chinese and an English label", field=where)
        result[code] = MappingProxyType(dict(labels))
    return MappingProxyType(result)


def _symptoms(value: Any) -> Labels:
    return _labels("symptoms", value)


def _causes(value: Any) -> Labels:
    return _labels("causes", value)


def _actions(value: Any) -> Labels:
    return _labels("actions", value)


@refused_typed
@attrs.frozen
class FaultCatalogParams:
    """The pack's ``[faults]`` section: ``symptoms``, ``causes`` and ``actions``, code → labels per locale."""

    symptoms: Labels = attrs.field(factory=dict, converter=_symptoms)
    causes: Labels = attrs.field(factory=dict, converter=_causes)
    actions: Labels = attrs.field(factory=dict, converter=_actions)


@host_factories
class FaultCatalog:
    """Checks fault records against the pack's codes and labels codes for reports and notifications."""

    def __init__(self, params: FaultCatalogParams | None = None, *, name: str = "builtin.faults") -> None:
        self.params = own_params(params, FaultCatalogParams, "fault_catalog")
        self.name = name
        self._lists: dict[str, Labels] = {
            "symptom": self.params.symptoms,
            "cause": self.params.causes,
            "action": self.params.actions,
        }

    def check(self, symptom: str, cause: str, action: str, own: frozenset[str] = frozenset()) -> None:
        """Refuse a code the pack does not list (when it lists that kind); the error names the field and
        the rule (``one_of``, the codes allowed). A pack listing no causes takes any cause code but one
        standing for a built-in cause under another name (:func:`check_cause_code`; ``own``: the cause
        codes the pack's other settings name, :func:`pack_cause_codes`)."""
        for field, value in (("symptom", symptom), ("cause", cause), ("action", action)):
            known = self._lists[field]
            if not known:
                continue
            if value not in known and not (field == "cause" and value in BUILTIN_CAUSE_LABELS):
                allowed = sorted({*known, *BUILTIN_CAUSE_LABELS} if field == "cause" else known)
                raise ValidationError(
                    f"{field} {value!r} is not in the pack's fault catalog ({', '.join(allowed[:8])}…)",
                    field=field,
                    rule="one_of",
                    rule_params={"allowed": ", ".join(allowed)},
                )
        if not self._lists["cause"]:
            check_cause_code(cause, own)

    def label(self, field: str, code: str, locale: str = "en") -> str:
        """The label of ``code`` (a symptom, cause or action) in ``locale``; else English, else the code."""
        found = self.find(field, code, locale)
        return found if found is not None else code

    def find(self, field: str, code: str, locale: str = "en") -> str | None:
        """The pack's label of ``code`` in ``locale`` (``zh_Hans``, ``zh_Hant``, ``en``), else its
        English label, or ``None`` when the pack has none — then the message catalogs
        (``fault.<field>.<code>``) or the code itself are shown."""
        labels = self._lists.get(field, {}).get(code)
        if labels is None and field == "cause":
            labels = BUILTIN_CAUSE_LABELS.get(code)
        if labels is None:
            return None
        return labels.get(locale) or labels.get("en") or None


_READ_OTHERWISE: Mapping[str, str] = MappingProxyType({"force": "external_force"})
"""Short causes refused as a built-in cause that a host may mean otherwise, with a code of its own for
that other reading: ``force`` is 不可抗力 (``force_majeure``) or 外力, a blow (``external_force``). Their
refusal names both (rule ``cause_code_ambiguous``), so the engineer who meant the blow is not told to
record a force majeure (session 37)."""


def check_cause_code(cause: str, own: frozenset[str] = frozenset()) -> None:
    """Refuse a cause code that stands for a built-in cause under a shorter name (``misuse`` for
    ``misuse_against_manual``, ``moved`` for ``moved_or_self_installed``): a ``ValidationError`` naming
    ``cause``, rule ``cause_code_of_pack`` with the code meant (``expected``).

    Seed 002 材料收费 b lists the five causes that make a repair in warranty chargeable (①未按使用说明书内
    操作事项,使用不当 … ⑤天(火)灾、地震等) and its 质量反馈 lets the technical causes be subdivided freely
    (这些原因其实还可以往下再细分): a pack listing no causes takes any snake_case cause. But a user's misuse
    typed ``misuse`` is none of the five to the charge rules (the repair went free) and a design or
    production fault to the batch-incident detector (由于设计、生产不当): the code the pack decides on is
    ``misuse_against_manual``. A cause whose words are the first words of a built-in cause's code, and not
    that code, is refused — unless it is in ``own``, the codes the pack itself gives a rule (session 36:
    ``design`` named in ``[chargeability] design_hazard_causes`` is the pack's design hazard, yet no fault
    record could carry it, and the setting was silently dead). A short cause with another common
    reading (:data:`_READ_OTHERWISE`) is refused naming both codes (rule ``cause_code_ambiguous``)."""
    if cause in own:
        return
    meant = next((m for m in BUILTIN_CAUSE_LABELS if cause != m and m.startswith(f"{cause}_")), None)
    if meant is None:
        return
    other = _READ_OTHERWISE.get(cause)
    if other is not None:
        raise ValidationError(
            f"cause {cause!r} may mean {meant!r} or another cause: record {meant!r}, or a code of the "
            f"pack's own such as {other!r}", field="cause", rule="cause_code_ambiguous",
            rule_params={"expected": meant, "other": other},
        )  # fmt: skip
    raise ValidationError(
        f"cause {cause!r} stands for {meant!r}: record the pack's code", field="cause",
        rule="cause_code_of_pack", rule_params={"expected": meant},
    )  # fmt: skip


def pack_fault_catalog(extra: Mapping[str, object]) -> FaultCatalog | None:
    """The pack's fault catalog from a policy set's ``extra`` table (``None`` when it has none).

    Anything else there (an override given as a mapping of codes) is a ``ConfigurationError`` naming
    ``faults``: kept, it checked no fault record and labelled none — the catalog silently ignored. The
    desk asks at construction, so such a desk is refused before it opens."""
    found = extra.get("faults")
    if found is None or isinstance(found, FaultCatalog):
        return found
    raise ConfigurationError(
        f"the faults policy is a FaultCatalog (FaultCatalog(FaultCatalogParams(...)) or the pack's "
        f"[faults] section), got {type(found).__name__}",
        key="faults",
    )


_NAMED_CAUSES = (
    ("chargeability", "extra_chargeable_causes"),
    ("chargeability", "design_hazard_causes"),
    ("complaint", "batch_excluded_causes"),
)
"""Where a pack's settings name cause codes, each one a fault record may carry (:func:`pack_cause_codes`)."""


def pack_cause_codes(policies: object) -> frozenset[str]:
    """The cause codes ``policies`` (a ``PolicySet``) name in their settings — chargeable in warranty,
    design hazards, left out of batch incidents: the pack's own codes, which :func:`check_cause_code`
    takes even where they read as a built-in cause's shortened name (a setting naming a code no record
    could carry would be ignored)."""
    found: set[str] = set()
    for kind, name in _NAMED_CAUSES:
        params = getattr(getattr(policies, kind, None), "params", None)
        codes = getattr(params, name, ())
        if isinstance(codes, tuple | list | frozenset | set):
            found.update(code for code in codes if isinstance(code, str))
    return frozenset(found)


def check_fault_records(extra: object, records: Iterable[FaultRecord], where: str = "") -> None:
    """Refuse any of ``records`` whose codes the pack's catalog (``extra["faults"]``) does not list.

    ``extra`` is the desk's ``PolicySet`` (its ``extra`` table holds the catalog, its settings the cause
    codes the pack names, :func:`pack_cause_codes`), or that ``extra`` table alone (no named codes).

    The one check of every way a fault record enters the store: the live command
    (``add_fault_record``) and a bulk import (a migrated history is held to the same catalog, else
    its codes would be counted in the Pareto under names the pack does not know, seed 002 分类统计).
    ``where`` (a ticket id) prefixes the message; the error names the field (``symptom``, ``cause``
    or ``action``). A no-fault record (故障不属实) naming a part or component is refused whatever the
    catalog (``part`` / ``component``): the live command refuses it in the ticket, but a migrated history
    built its list without that step (session 32 i: an import stored a no-fault visit that fitted a part)."""
    table = extra if isinstance(extra, Mapping) else getattr(extra, "extra", {})
    own = frozenset() if isinstance(extra, Mapping) else pack_cause_codes(extra)
    catalog = pack_fault_catalog(table)
    for record in records:
        try:
            check_no_fault_record(record)
            if catalog is not None:
                catalog.check(record.symptom, record.cause, record.action, own)
            else:  # no catalog: any snake_case code (the record checks that), a built-in cause by its code
                check_cause_code(record.cause, own)
        except ValidationError as exc:
            if not where:
                raise
            raise ValidationError(f"ticket {where}: {exc}", field=exc.field, **carried_rule(exc)) from None


KIND = PolicyKind("faults", FaultCatalogParams, FaultCatalog)
"""Makes the fault catalog a pack section (``[faults]``); hosts find it in ``PolicySet.extra["faults"]``."""
