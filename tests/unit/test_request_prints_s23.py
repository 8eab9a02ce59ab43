"""A keyed ticket command names itself for its idempotency print (session 23, task d).

``service.tickets._args`` found the command whose parameters make up the print by reading its caller's
frame (``sys._getframe(1).f_code``): CPython's, not the language's. Each command now passes itself —
``_args(Tickets.triage, locals())`` in ``triage`` — whose code object is the one the frame held, so every
print is what it was (the replays across releases in ``test_keyed_retry_across_upgrade_s22`` and
``test_idempotency_replays_s17`` still hold). A command naming another command would print another
request: each call is checked to name the method it is in.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import aftersales
from aftersales.service.request_prints import command_arguments
from aftersales.service.tickets import _NOT_REQUEST, Tickets, _args

SRC = Path(aftersales.__file__).resolve().parent  # the tree under test, wherever it is
TICKETS = SRC / "service" / "tickets.py"


def _calls() -> list[tuple[str, ast.Call]]:
    """Every ``_args(...)`` call in ``Tickets``, with the name of the method it is in."""
    (cls,) = [
        n for n in ast.parse(TICKETS.read_text(encoding="utf-8")).body if getattr(n, "name", "") == "Tickets"
    ]
    assert isinstance(cls, ast.ClassDef)
    found = []
    for method in cls.body:
        if isinstance(method, ast.FunctionDef):
            for node in ast.walk(method):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_args":
                    found.append((method.name, node))
    return found


def test_no_command_reads_its_callers_frame() -> None:
    used = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr == "_getframe"
    ]
    assert used == []


def test_every_keyed_command_names_itself() -> None:
    calls = _calls()
    assert len(calls) >= 17  # open_ticket, triage, dispatch … extend_sla
    wrong = [
        (method, ast.unparse(call))
        for method, call in calls
        if ast.unparse(call.args[0]) != f"Tickets.{method}" or ast.unparse(call.args[1]) != "locals()"
    ]
    assert wrong == []


def test_the_print_covers_the_commands_parameters_only() -> None:
    command = inspect.unwrap(Tickets.triage)
    scope = {
        "self": object(),
        "actor": object(),
        "ticket_id": "SR-1",
        "nature": "flush_valve_leak",
        "idempotency_key": "k-1",
        "code": "a local of the body",
        "apply": print,
    }
    printed = _args(Tickets.triage, scope)
    assert printed == command_arguments(scope, command.__code__, _NOT_REQUEST)
    assert "code" not in printed and "actor" not in printed and printed["nature"] == "flush_valve_leak"
    assert _args(Tickets.triage, {**scope, "idempotency_key": None}) == {}
