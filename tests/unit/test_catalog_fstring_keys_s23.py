"""Catalog keys built by f-strings have words in all three catalogs (session 23, task d).

``test_catalog_coverage`` reads the codes the library renders from string literals; a key built at run
time (``f"followed_step.{kind}"``, ``f"report.dimension.{report.dimension.value}"``) was seen by no test
until a reader met the missing entry (a ``ConfigurationError`` in the middle of a report). Every f-string in
``src/aftersales`` that starts with a catalog prefix is listed here with the values it takes, and each
expansion is looked up in every catalog; a new such f-string fails the scan until it is listed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

import aftersales
from aftersales.cli.argv_words import SHAPES as ARGV_SHAPES
from aftersales.cli.desk_file_words import REASONS as DESK_FILE_REASONS
from aftersales.cli.report_usage import USAGE_KEYS
from aftersales.domain.actors import Role
from aftersales.domain.budget_drafts import DraftState
from aftersales.domain.charges import ChargeKind
from aftersales.domain.complaints import ComplaintSeverity
from aftersales.domain.surveys import GRIEVANCE_ITEMS
from aftersales.i18n import SUPPORTED_LOCALES, load_catalog
from aftersales.i18n.notifications import NOTIFICATION_KINDS
from aftersales.policies.warranty import WarrantyPhase
from aftersales.ports.reporting import FaultDimension, GroupBy
from aftersales.reports.dealer_monthly import ReportStatus
from aftersales.reports.feedback_page import HEADLINE
from aftersales.service import notify
from aftersales.service.record_words import COMPLAINT_TOLD

SRC = Path(aftersales.__file__).resolve().parent


def _values(enum: Iterable[object]) -> tuple[str, ...]:
    return tuple(str(getattr(member, "value", member)) for member in enum)


def _followed_kinds() -> tuple[str, ...]:
    """The notices staff following a ticket read a step of (``Notifications._followed``)."""
    kinds = {kind for kind, _ in notify._KIND_OF_ACTION.values()} | set(COMPLAINT_TOLD.values())
    return tuple(sorted(k for k in kinds if notify._audience(k) is not notify._HOLDERS))


def _said(path: Path) -> tuple[str, ...]:
    """The literal keys a module passes to its ``_say(labels, key)``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_say" and len(node.args) >= 2:
            key = node.args[1]
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                found.append(key.value)
    return tuple(found)


def _demo_month_keys() -> tuple[str, ...]:
    from aftersales.cli.demo_month import STEPS

    return (
        *_said(SRC / "cli" / "demo_month.py"),
        *(f"step.{s}" for s in STEPS),
        "state",
        "category",
        "priority",
    )


EXPANDED: dict[str, tuple[str, tuple[str, ...]]] = {
    "f'report.dimension.{report.dimension.value}'": ("report.dimension", _values(FaultDimension)),
    "f'report.dimension.{faults.dimension.value}'": ("report.dimension", _values(FaultDimension)),
    "f'report.group_by.{report.group.value}'": ("report.group_by", _values(GroupBy)),
    "f'report_status.{r.status.value}'": ("report_status", _values(ReportStatus)),
    "f'role.{e.actor.role.value}'": ("role", _values(Role)),
    "f'role.{r.value}'": ("role", _values(Role)),
    "f'followed_step.{kind}'": ("followed_step", _followed_kinds()),
    "f'complaint_severity.{c.severity.value}'": ("complaint_severity", _values(ComplaintSeverity)),
    "f'warranty_phase.{code}'": ("warranty_phase", _values(WarrantyPhase)),
    "f'report.feedback.figure.{name}'": ("report.feedback.figure", HEADLINE),
    "f'grievances.{g}'": ("grievances", (*GRIEVANCE_ITEMS, "other_complaints")),
    "f'report.feedback.{code}'": (
        "report.feedback",
        ("headline", "incidents", "phases", "complaints", "opinions", "sold"),
    ),
    "f'sla_target.{target.name}'": (
        "sla_target",
        ("response", "arrival", "resolution", "callback", "dealer_resolution"),
    ),
    "f'sla_target.{target}'": (  # an extend_sla event's target, told to the holder
        "sla_target",
        ("response", "arrival", "resolution", "callback", "dealer_resolution"),
    ),
    "f'demo.month.{key}'": ("demo.month", _demo_month_keys()),
    "f'notification.{self.name}.subject'": (
        "notification",
        tuple(f"{k}.subject" for k in NOTIFICATION_KINDS),
    ),
    "f'notification.{self.name}.body'": ("notification", tuple(f"{k}.body" for k in NOTIFICATION_KINDS)),
    "f'budget_draft_state.{draft.state.value}'": ("budget_draft_state", _values(DraftState)),  # budget CLI
    "f'charge_kind.{code}'": ("charge_kind", _values(ChargeKind)),  # the budget CLI's categories
    "f'cli.usage.{shape}'": ("cli.usage", tuple(shape for shape, _ in ARGV_SHAPES)),  # argparse's refusals
    "f'cli.db.{shape}'": ("cli.db", tuple(shape for shape, _ in DESK_FILE_REASONS)),  # a --db refused
}
"""Each f-string key of the library → (its prefix, the values it takes)."""

BUILT_FROM_A_PASSED_PREFIX: dict[str, tuple[str, ...]] = {"cli.report.usage": USAGE_KEYS}
"""Keys built as ``f"{prefix}{key}"`` from a prefix the caller passes (``cli/report_usage.usage_line``,
session 30): the scan sees no literal head, so their values are listed here and checked for words."""

ELSEWHERE = {
    "f'report.column.{code}'": "ReportLabels.column: the pages' columns, rendered by tests/reports",
    "f'report.title.{kind}'": "ReportLabels.title: each report's title, rendered by tests/reports",
    "f'fault.{field}'": "ReportLabels.fault: a prefix (fault.symptom…); codes fall back to the pack's words",
    "f'notification.{attribute.name}'": "a pack setting's key in a ConfigurationError, not a message",
    "f'notification.{kind.setting}'": "a pack setting's key in a ConfigurationError, not a message",
}
"""F-strings that look like catalog keys but are checked elsewhere or are no catalog key (with why)."""

PREFIXES = frozenset(m.split(".", 1)[0] for m in load_catalog("en").msgids)


def _fstring_keys() -> set[str]:
    found = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.JoinedStr) or not node.values:
                continue
            head = node.values[0]
            if isinstance(head, ast.Constant) and isinstance(head.value, str):
                prefix, dot, _ = head.value.partition(".")
                if dot and prefix in PREFIXES and " " not in head.value:
                    found.add(ast.unparse(node))
    return found


def test_every_fstring_key_is_listed() -> None:
    found = _fstring_keys()
    assert found - EXPANDED.keys() - ELSEWHERE.keys() == set()
    assert EXPANDED.keys() - found == set(), "listed but gone: drop it"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_expansion_has_words(locale: str) -> None:
    catalog = load_catalog(locale)  # no fallback: each catalog stands alone
    missing = sorted(
        f"{prefix}.{value}"
        for prefix, values in (*EXPANDED.values(), *BUILT_FROM_A_PASSED_PREFIX.items())
        for value in values
        if f"{prefix}.{value}" not in catalog
    )
    assert missing == []
