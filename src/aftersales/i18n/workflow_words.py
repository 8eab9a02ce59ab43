"""Which catalog prefixes label a workflow's states and steps: one table for refusals, reports and the demo.

The four workflows (ticket, complaint, materials, part_return) share trigger and state names that do not
always mean the same thing (a materials request ``received`` is signed for, 已签收; a complaint ``received``
is registered, 已登记). Whatever shows a state or a step — a refusal (:func:`~aftersales.i18n.render_error`),
a report's column, ``aftersales demo one`` — reads it from its own workflow's labels first, through
:func:`workflow_label`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from aftersales.i18n.catalog import MessageCatalog

__all__ = ["ERROR_PARAM_LABELS", "RECORD_KINDS", "WORKFLOW_PARAM_LABELS", "param_labels", "workflow_label"]

ERROR_PARAM_LABELS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "state": ("state", "complaint_state", "materials_state"),
        "command": ("ticket_action",),
        "action": ("permission_action", "ticket_action"),
        "target": ("sla_target",),
        "kind": ("attachment_kind",),
        "remedy": ("remedy_kind",),
        "what": ("record_kind",),
        "payer": ("payer",),
    }
)
"""The catalog prefixes that label an error's code parameters (a state reads "已关闭", not "closed").

``action`` is a :class:`~aftersales.errors.PermissionDenied`'s: the permission table's action, worded by
``permission_action.<action>`` (what the actor may not do: "删除客户个人信息"), then by the ticket's step
of that name. Before session 24 only the ticket's steps had words, and most refusals read the table's
code ("无权执行此操作（erase_customer）", "You may not do this (register_customer)")."""


RECORD_KINDS = (
    "maintenance_visit",
    "maintenance_plan",
    "quality_incident",
    "survey_campaign",
    "survey_task",
    "knowledge_article",
    "fee_slip",
    "invoice",
    "quote",
    "budget_draft",
)
"""Records with steps of their own that are no ticket: a refusal names the kind (``record_kind.<kind>``)
and the record (``InvalidTransition.record_id``), and labels its states and steps by
``<kind>_state.<state>`` and ``<kind>_action.<step>`` (then ``ticket_action.<step>``). A quote (报价单,
session 24) is one: its refusals showed its raw states and called it the ticket, and its ``accept`` read
as the ticket's acceptance at inspection."""


def _workflow_labels(own: str, states: tuple[str, ...]) -> Mapping[str, tuple[str, ...]]:
    steps = (f"{own}_action", "ticket_action")
    return MappingProxyType({**ERROR_PARAM_LABELS, "state": states, "command": steps, "action": steps})


WORKFLOW_PARAM_LABELS: Mapping[str, Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "ticket": ERROR_PARAM_LABELS,
        "complaint": _workflow_labels("complaint", ("complaint_state", "state")),
        "materials": _workflow_labels("materials", ("materials_state", "state")),
        "part_return": _workflow_labels("part_return", ("part_return_state",)),
        **{kind: _workflow_labels(kind, (f"{kind}_state",)) for kind in RECORD_KINDS},
    }
)
"""The prefixes that label a refused step of each of the four workflows (``InvalidTransition.workflow``).

The four workflows share trigger names (``reject``, ``resolve``, ``cancel``…) and state names
(``received``, ``accepted``…) that do not always mean the same thing: the ticket's ``reject`` is the
customer not accepting the repair (客户不认可), the returns' ``reject`` is an old part refused at
inspection; a materials request ``received`` is signed for (已签收), a complaint ``received`` is
registered (已登记). A refusal is worded by its own workflow's ``<workflow>_action.<step>`` and
``<workflow>_state.<state>`` first; a step whose meaning is the same everywhere keeps the one
``ticket_action.<step>`` label (the catalog keys hosts already read are unchanged). Other refusals
(fee slips, knowledge articles…) are labelled by :data:`ERROR_PARAM_LABELS`.
"""


def param_labels(workflow: str | None) -> Mapping[str, tuple[str, ...]]:
    """The prefixes labelling ``workflow``'s parameters; the common ones (:data:`ERROR_PARAM_LABELS`) for
    ``None`` or a record of no workflow of its own (a fee slip, a knowledge article)."""
    found = WORKFLOW_PARAM_LABELS.get(workflow or "")
    return ERROR_PARAM_LABELS if found is None else found


def workflow_label(catalog: MessageCatalog, workflow: str | None, param: str, code: str) -> str | None:
    """The words of ``code`` as ``workflow``'s ``param`` (``"state"``; ``"command"``, a step as the
    ledger reads it; ``"action"``, a permission refused, worded first as what was refused): the first
    catalog entry ``<prefix>.<code>`` of :func:`param_labels`, or ``None`` when no catalog names it."""
    for prefix in param_labels(workflow).get(param, (param,)):
        found = catalog.get(f"{prefix}.{code}")
        if found is not None:
            return found
    return None
