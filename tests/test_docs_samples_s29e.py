"""The interpreter sessions the docs show (```text blocks of ``>>>`` lines and what they print) print that
(session 29, e).

Why: docs/concepts/calendars-and-sla.md showed ``desk.health()`` ending ``dues_stale=False`` where a fresh
store answers ``dues_stale=None`` (no ``sla_sweep`` has stamped it yet; the sentence under the sample said
so): nothing ran the sample. Each session now runs on a fresh desk (memory, sanitary_ware) at the day the
docs are dated, a month before the official holiday data ends; an ellipsis ``…`` in the shown output stands
for text that changes with the installed packages (the ``holidays`` version).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.service.desk import ServiceDesk

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 12, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])


def _sessions() -> list[tuple[str, str, str]]:
    """``(where, expression, shown)`` of each ``>>>`` line of a ```text block and the lines after it."""
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for body in re.findall(r"^( *)```text\n(.*?)^\1```", text, re.S | re.M):
            lines = body[1].splitlines()
            for i, line in enumerate(lines):
                if line.strip().startswith(">>> "):
                    shown = []
                    for after in lines[i + 1 :]:
                        if after.strip().startswith(">>> "):
                            break
                        shown.append(after.strip())
                    found.append((f"{page.name}: {line.strip()}", line.strip()[4:], " ".join(shown)))
    return found


SESSIONS = _sessions()


def _matches(shown: str, printed: str) -> bool:
    pattern = ".*?".join(re.escape(part) for part in " ".join(shown.split()).split("…"))
    return re.fullmatch(pattern, " ".join(printed.split())) is not None


def test_the_docs_show_sessions() -> None:
    assert any("desk.health()" in where for where, _, _ in SESSIONS)


@pytest.mark.parametrize(("where", "expression", "shown"), SESSIONS, ids=[s[0] for s in SESSIONS])
def test_a_session_shown_in_the_docs_prints_what_it_shows(where: str, expression: str, shown: str) -> None:
    desk = ServiceDesk.open("memory://", pack="sanitary_ware", clock=ManualClock(START))
    try:
        printed = repr(eval(expression, {"desk": desk}))
    finally:
        desk.shutdown()
    assert _matches(shown, printed), (where, printed)


def _sketches() -> list[tuple[str, str]]:
    """The ```text blocks written in Python (not run here: they need a ticket the page built before)."""
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for indent, body in re.findall(r"^( *)```text\n(.*?)^\1```", text, re.S | re.M):
            code = "\n".join(line.removeprefix(indent) for line in body.splitlines())
            if ">>> " in code:
                continue
            try:
                found.append((page.name, code, ast.parse(code)))
            except SyntaxError:
                continue  # a diagram in words (materials.md's steps), not Python
    return [(where, code) for where, code, _ in found]


def _called(code: str) -> list[tuple[str, ast.Call]]:
    """The functions imported from ``aftersales`` the sketch calls, with each call."""
    tree = ast.parse(code)
    imported = {
        alias.asname or alias.name: f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("aftersales")
        for alias in node.names
    }
    return [
        (imported[node.func.id], node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in imported
    ]


def _desk_path(node: ast.expr) -> list[str] | None:
    """``["charges", "assess"]`` for ``desk.charges.assess``; ``None`` for a call not on the desk."""
    names: list[str] = []
    while isinstance(node, ast.Attribute):
        names.insert(0, node.attr)
        node = node.value
    return names if isinstance(node, ast.Name) and node.id == "desk" and names else None


def _bound(function: object, call: ast.Call) -> None:
    """Bind ``call``'s arguments to ``function``'s signature (a ``TypeError``: the docs lie)."""
    keywords = {k.arg: None for k in call.keywords if k.arg is not None}
    inspect.signature(function).bind(*([None] * len(call.args)), **keywords)  # type: ignore[arg-type]


@pytest.mark.parametrize(("where", "code"), _sketches(), ids=[w for w, _ in _sketches()])
def test_a_python_sketch_calls_what_there_is_as_it_is_called(where: str, code: str) -> None:
    for dotted, call in _called(code):
        module, _, name = dotted.rpartition(".")
        _bound(getattr(importlib.import_module(module), name), call)
    desk = ServiceDesk.open("memory://", pack="sanitary_ware", clock=ManualClock(START))
    try:
        for call in [n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Call)]:
            path = _desk_path(call.func)
            if path is not None:
                target: object = desk
                for name in path:
                    target = getattr(target, name)
                _bound(target, call)
    finally:
        desk.shutdown()
