"""Every code the library renders has words in all three catalogs (zh_Hans, zh_Hant, en).

Reason codes are found by reading ``src/aftersales`` with :mod:`ast` (nothing is imported or run).
The scan covers:

1. ``Reason("code", …)`` or ``Reason.checked("code", …)`` (or ``Reason(code="code")``) with a string
   literal, or with a name bound to a module-level string constant;
2. helpers that build a reason from one of their own parameters (``def _reason(code, target):
   return Reason(code, …)``): every call of a function of that name (``_reason(…)``,
   ``self._reason(…)``) passing a string literal in that position, or as that keyword;
3. helpers that *return* a code (``def exclusion_reason(…) -> str | None: return "excluded_…"``)
   fed into ``Reason(why, …)``: their string-literal returns, and ``f"prefix_{x.kind.value}"`` returns
   expanded over the members of the enum in :data:`FSTRING_ENUMS`.

Codes that arrive from outside at run time (``Reason(value["code"])`` when deserializing, a code an
integrator passes to ``inspect_return``) are not the library's words and are not scanned.

Where a creation site's parameter names are statically known (a dict literal with constant keys,
possibly bound to a local name first, plus a helper's ``**params`` filled by the call's keywords),
each catalog text may only use placeholders among them, otherwise the reason renders as its
fallback ``code(key=value)``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from string import Formatter

import attrs
import pytest
from babel.messages.pofile import read_po

from aftersales.domain.actors import Role
from aftersales.domain.attachments import AttachmentKind
from aftersales.domain.charges import ChargeKind
from aftersales.domain.classification import Category, Channel, ImpactScope, Plan, Priority, Severity
from aftersales.domain.complaint_workflow import ComplaintState
from aftersales.domain.complaints import ComplaintSeverity, RemedyKind
from aftersales.domain.custom_fields import FieldType
from aftersales.domain.materials import ItemKind
from aftersales.domain.materials_workflow import MaterialsState
from aftersales.domain.parties import CustomerTier
from aftersales.domain.ticket_workflow import TicketState
from aftersales.domain.warranty_records import ExtensionSource, ExtensionUnit
from aftersales.i18n import LOCALE_DIR, SUPPORTED_LOCALES, load_catalog
from aftersales.i18n.catalog import MessageCatalog
from aftersales.i18n.reasons import reason_msgid
from aftersales.i18n.values import label_msgid
from aftersales.policies.notification import NotificationEvent
from aftersales.policies.warranty import WarrantyPhase

SRC = Path(__file__).resolve().parents[2] / "src" / "aftersales"

LABELLED: tuple[type[Enum], ...] = (
    TicketState,
    ComplaintState,
    MaterialsState,
    Priority,
    Severity,
    Plan,
    Channel,
    Role,
    ImpactScope,
    CustomerTier,
    WarrantyPhase,
    ChargeKind,
    ComplaintSeverity,
    RemedyKind,
    AttachmentKind,
    FieldType,
    ExtensionUnit,
    ExtensionSource,
    NotificationEvent,  # reason notify_event's {event} (session 18)
)
"""Enums whose values are rendered as labels (``label_msgid``); Category's built-ins are added below."""

FSTRING_ENUMS: dict[str, type[Enum]] = {"kind": ItemKind}
"""Attribute name in ``f"…{x.<name>.value}"`` code returns → the enum whose values fill it."""

_UNKNOWN = None  # parameter names not statically known


@attrs.frozen
class Site:
    """One place a reason code is created: the code, its parameter names (or None), where."""

    code: str
    params: frozenset[str] | None
    where: str


def _is_reason_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "checked":  # Reason.checked(code, params)
        func = func.value
    return (isinstance(func, ast.Name) and func.id == "Reason") or (
        isinstance(func, ast.Attribute) and func.attr == "Reason"
    )


def _arg(call: ast.Call, index: int, name: str) -> ast.expr | None:
    if len(call.args) > index and not any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == name), None)


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


class _Module:
    """One parsed source file, with its module-level string constants and enclosing functions."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        self.constants: dict[str, str] = {}
        for stmt in self.tree.body:
            target, value = None, None
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target, value = stmt.targets[0], stmt.value
            elif isinstance(stmt, ast.AnnAssign):
                target, value = stmt.target, stmt.value
            if (
                isinstance(target, ast.Name)
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
            ):
                self.constants[target.id] = value.value
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node

    def where(self, node: ast.AST) -> str:
        return f"{self.path.relative_to(SRC.parent)}:{getattr(node, 'lineno', 0)}"

    def function_of(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        current = self.parents.get(node)
        while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
            current = self.parents.get(current)
        return current

    def string(self, node: ast.expr | None) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return self.constants.get(node.id)
        return None

    def param_names(self, node: ast.expr | None, call: ast.Call) -> tuple[frozenset[str] | None, str | None]:
        """The keys of a params argument, if static, and the name of a ``**kwargs`` spread into it."""
        if node is None:
            return frozenset(), None
        if isinstance(node, ast.Name):
            found = self._local_dict(node, call)
            if found is None:
                return _UNKNOWN, None
            node = found
        if not isinstance(node, ast.Dict):
            return _UNKNOWN, None
        keys: set[str] = set()
        spread: str | None = None
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                if isinstance(value, ast.Name) and spread is None:
                    spread = value.id
                    continue
                return _UNKNOWN, None
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                return _UNKNOWN, None
            keys.add(key.value)
        return frozenset(keys), spread

    def _local_dict(self, name: ast.Name, call: ast.Call) -> ast.Dict | None:
        # A params dict bound to a local name once (``values = {...}; Reason(code, values)``).
        function = self.function_of(call)
        if function is None:
            return None
        bound: list[ast.expr] = []
        for node in ast.walk(function):
            if isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
                names = [node.target.id]
            else:
                continue
            if name.id in names and node.value is not None:
                bound.append(node.value)
        return bound[0] if len(bound) == 1 and isinstance(bound[0], ast.Dict) else None


@attrs.frozen
class _Helper:
    """A function that passes its parameter ``name`` (position ``index``) as a reason code."""

    name: str
    index: int
    param: str
    params: frozenset[str] | None
    spread: str | None  # the helper's ``**kwargs`` name spread into the reason's params


# The errors' coded messages are ``error.<code>``, not reasons: test_error_words_s19 covers them.
_NOT_REASONS = frozenset({SRC / "i18n" / "errors.py"})


def _modules() -> list[_Module]:
    return [_Module(path) for path in sorted(SRC.rglob("*.py")) if path not in _NOT_REASONS]


def _returned_codes(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[str]:
    for node in ast.walk(function):
        if not isinstance(node, ast.Return) or node.value is None:
            continue
        value = node.value
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            yield value.value
        elif isinstance(value, ast.JoinedStr):
            parts = value.values
            if (
                len(parts) == 2
                and isinstance(parts[0], ast.Constant)
                and isinstance(parts[0].value, str)
                and isinstance(parts[1], ast.FormattedValue)
                and isinstance(parts[1].value, ast.Attribute)
                and parts[1].value.attr == "value"
                and isinstance(parts[1].value.value, ast.Attribute)
            ):
                enum = FSTRING_ENUMS.get(parts[1].value.value.attr)
                assert enum is not None, f"add the enum behind {ast.unparse(value)} to FSTRING_ENUMS"
                yield from (f"{parts[0].value}{member.value}" for member in enum)
            else:
                raise AssertionError(f"cannot read the codes returned as {ast.unparse(value)}")


def scan() -> list[Site]:
    """Every statically known reason creation site in ``src/aftersales``."""
    modules = _modules()
    functions: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
    for module in modules:
        for node in ast.walk(module.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                functions.setdefault(node.name, []).append(node)
    sites: list[Site] = []
    helpers: list[_Helper] = []
    for module in modules:
        for node in ast.walk(module.tree):
            if not _is_reason_call(node):
                continue
            assert isinstance(node, ast.Call)
            first = _arg(node, 0, "code")
            keys, spread = module.param_names(_arg(node, 1, "params"), node)
            literal = module.string(first)
            if literal is not None:
                sites.append(Site(literal, keys if spread is None else _UNKNOWN, module.where(node)))
                continue
            if not isinstance(first, ast.Name):
                continue  # e.g. value["code"]: a code read from storage, not created here
            function = module.function_of(node)
            if function is None:
                continue
            params = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
            if first.id in params:
                skip = 1 if params and params[0] in {"self", "cls"} else 0
                kwarg = function.args.kwarg.arg if function.args.kwarg else None
                helpers.append(
                    _Helper(
                        function.name,
                        params.index(first.id) - skip,
                        first.id,
                        keys,
                        spread if spread == kwarg else None,
                    )
                )
                continue
            # A local bound from a code-returning function: ``why = exclusion_reason(...)``.
            for assign in ast.walk(function):
                if (
                    isinstance(assign, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == first.id for t in assign.targets)
                    and isinstance(assign.value, ast.Call)
                ):
                    for source in functions.get(_called_name(assign.value) or "", []):
                        for code in _returned_codes(source):
                            sites.append(Site(code, keys, module.where(node)))
    for module in modules:
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            name = _called_name(node)
            for helper in helpers:
                if helper.name != name:
                    continue
                literal = module.string(_arg(node, helper.index, helper.param))
                if literal is None:
                    continue
                keys = helper.params
                if keys is not None and helper.spread is not None:
                    if any(k.arg is None for k in node.keywords):
                        keys = _UNKNOWN
                    else:
                        keys = keys | {k.arg for k in node.keywords if k.arg is not None}
                sites.append(Site(literal, keys, module.where(node)))
    return sites


SITES = scan()
CODES = sorted({site.code for site in SITES})


@pytest.fixture(scope="module")
def catalogs() -> dict[str, MessageCatalog]:
    return {name: load_catalog(name) for name in SUPPORTED_LOCALES}  # no fallback: each stands alone


def _pot_ids() -> set[str]:
    with (LOCALE_DIR / "aftersales.pot").open("rb") as fp:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fp) if m.id}


def test_scan_finds_the_known_patterns() -> None:
    # One code per pattern the scan claims to cover, so a broken scan fails loudly instead of passing.
    assert {
        "in_warranty_free",  # module-level constant Reason("…")
        "dispatch_manual",  # Reason("…", {...}) in a method
        "sla_category",  # helper _reason("sla_category", target, category=…)
        "in_warranty",  # helper self._phase_reason("in_warranty", …)
        "chargeable_cause",  # staticmethod helper with the code as its second parameter
        "excluded_already_charged",  # returned by exclusion_reason(), fed to Reason(why, …)
        "excluded_gift",  # f"excluded_{line.kind.value}" expanded over ItemKind
        "batch_incident",  # params bound to a local dict first
    } <= set(CODES)
    assert len(CODES) > 60


def test_every_reason_code_has_words_in_every_catalog(catalogs: dict[str, MessageCatalog]) -> None:
    pot = _pot_ids()
    missing_pot = [reason_msgid(code) for code in CODES if reason_msgid(code) not in pot]
    assert missing_pot == [], f"the .pot lacks {missing_pot}"
    for name, catalog in catalogs.items():
        missing = [reason_msgid(code) for code in CODES if reason_msgid(code) not in catalog]
        assert missing == [], f"{name} lacks {missing}"


def test_every_rendered_label_has_words_in_every_catalog(catalogs: dict[str, MessageCatalog]) -> None:
    values: list[Enum | Category] = [member for enum in LABELLED for member in enum]
    values.extend(Category.builtin())
    wanted = sorted({label_msgid(value) for value in values})
    pot = _pot_ids()
    assert [m for m in wanted if m not in pot] == []
    for name, catalog in catalogs.items():
        missing = [msgid for msgid in wanted if msgid not in catalog]
        assert missing == [], f"{name} lacks {missing}"


def _placeholders(text: str) -> set[str]:
    return {field.split(".")[0].split("[")[0] for _, field, _, _ in Formatter().parse(text) if field}


def test_reason_texts_only_use_the_params_they_are_created_with(
    catalogs: dict[str, MessageCatalog],
) -> None:
    problems: list[str] = []
    for site in SITES:
        if site.params is None:
            continue
        for name, catalog in catalogs.items():
            text = catalog.get(reason_msgid(site.code))
            if text is None:
                continue
            extra = _placeholders(text) - site.params
            if extra:
                problems.append(f"{name} reason.{site.code} uses {sorted(extra)} not set at {site.where}")
    assert problems == []
