"""One callback deadline for the task and the SLA target, whatever class the host's policies are.

Why: the seeds give one callback deadline (000: 服务结束后一定时间内…回访; 003: 录入系统…24小时内回访; 004:
投诉处理后的七天内). The callback policy dates the callback task and the SLA policy measures the callback
target; two figures make the task, the SLA status and the KPI disagree. Packs are checked when they load and
an override built on ``DefaultSla``/``DefaultCallback`` by its params (session 27,
``registry._check_callback_deadlines``); a policy of the host's own class has no params the library can read,
so the pair was never compared. The desk now asks both policies, when it is built, about two probe tickets —
a normal repair (service) and a normal complaint — and compares their answers: the SLA's ``callback`` target
and the callback plan (its ``within``, and for a service whether it runs from the work marked done).

What is not compared, and why: a callback the plan does not owe (nothing is planned); an SLA without a
callback target; a service callback counted in working hours (another unit: the task then falls due with the
SLA target, ``service.callback_working``); tickets other than the probes (a host's policy may answer other
facts otherwise — the probes are the common case, not a proof); and a probe a host's policy cannot answer
(it raises, or answers outside its contract): the check is skipped, and the command that meets that answer
reports it as it always did.
"""

from __future__ import annotations

from datetime import timedelta

from aftersales.domain.classification import Priority, TicketKind
from aftersales.domain.sla_targets import SlaTarget, SlaTargets
from aftersales.errors import ConfigurationError
from aftersales.policies.callback import CallbackFacts, CallbackPlan, DefaultCallback
from aftersales.policies.sla import DefaultSla, SlaFacts

__all__ = ["check_callback_pair"]

_PROBES = (TicketKind.SERVICE, TicketKind.COMPLAINT)


def _answer(policy: object, facts: object, kind: type) -> object | None:
    try:
        decision = policy.decide(facts)  # type: ignore[attr-defined]
        outcome = getattr(decision, "outcome", None)  # a host's decision whose property raises, too
    except Exception:  # the host's policy cannot answer the probe: no answer to compare (see the module)
        return None
    return outcome if isinstance(outcome, kind) else None


def _why(kind: TicketKind, targets: SlaTargets, plan: CallbackPlan) -> str | None:
    """The disagreement of one probe's answers, or ``None`` — also when an answer holds what its contract
    does not (a record's field set past its validators, session 29): an answer outside its contract is
    not compared (see the module), and the host's own exception escaped ``ServiceDesk.open`` untyped."""
    try:
        if not plan.required:
            return None
        target = _callback_target(targets)
        return None if target is None else _disagreement(kind, target, plan)
    except Exception:
        return None


def _callback_target(targets: SlaTargets) -> SlaTarget | None:
    return next((t for t in targets.targets if t.name == "callback"), None)


def _disagreement(kind: TicketKind, target: SlaTarget, plan: CallbackPlan) -> str | None:
    if kind is TicketKind.COMPLAINT:
        if target.basis != "calendar_days":
            return None  # not whole days: another unit
        days, within = target.duration // timedelta(days=1), plan.within // timedelta(days=1)
        if days != within or not plan.whole_days:
            counted = "whole days" if plan.whole_days else "hours from the handling"
            return f"a complaint's callback within {within} days ({counted}) but the SLA {days} whole days"
        return None
    if target.basis != "calendar":
        return None  # working hours: another unit, the task falls due with the SLA target
    hours, planned = target.duration / timedelta(hours=1), plan.within / timedelta(hours=1)
    if hours != planned:
        return f"a service callback within {planned:g} hours but the SLA {hours:g}"
    if (target.start == "work_done") != plan.from_work_done:
        starts = ("work_done", "acceptance") if plan.from_work_done else ("acceptance", "work_done")
        return f"a service callback runs from {starts[0]} but the SLA's from {starts[1]}"
    return None


def check_callback_pair(sla: object, callback: object) -> None:
    """Refuse an SLA and a callback policy of the host's own class whose answers give two callback
    deadlines for a probe ticket (``ConfigurationError`` naming ``policies.callback``). Policies built on
    ``DefaultSla`` and ``DefaultCallback`` are compared by their params when they are resolved."""
    if isinstance(sla, DefaultSla) and isinstance(callback, DefaultCallback):
        return
    for kind in _PROBES:
        targets = _answer(sla, SlaFacts(Priority.NORMAL, kind=kind), SlaTargets)
        plan = _answer(callback, CallbackFacts(kind, Priority.NORMAL, category="repair"), CallbackPlan)
        if not isinstance(targets, SlaTargets) or not isinstance(plan, CallbackPlan):
            continue
        why = _why(kind, targets, plan)
        if why is not None:
            raise ConfigurationError(
                f"{why}: they are the same callback deadline (the callback task and the SLA target, seeds "
                "000/003/004); make the host's SLA and callback policies answer one figure",
                key="policies.callback",
            )
