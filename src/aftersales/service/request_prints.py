"""What a keyed ticket command's idempotency print covers, and the request earlier releases printed.

A command run with an idempotency key stores a digest of its request beside its result
(:func:`aftersales.service.runner.fingerprint`); the same key sent with another request is refused
(``IdempotencyKeyReused``), the same request is answered with the first result. Ticket commands
collected their request from their ``locals()``, so the print covered, beside the arguments, every
local variable the command's body had assigned by then (``open_ticket``'s ``code``, since the
complaint-category check). A release that changed such a body changed the print of every request: a
client retrying an intake form across an upgrade (a retry after a timeout, a form sent twice) was refused
as "a different request" on a store the older release had written.

The print now covers the command's parameters only (:func:`command_arguments`), so the body may change;
the print of all its locals, as releases up to session 21 kept it, is accepted beside it
(:func:`earlier_request`), so a request stored by any earlier release replays.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from types import CodeType
from typing import Any

__all__ = ["Request", "command_arguments", "earlier_request"]


class Request(dict[str, Any]):
    """A command's arguments (what is printed), carrying the locals earlier releases printed."""

    __slots__ = ("earlier",)

    def __init__(self, arguments: Mapping[str, Any], earlier: Mapping[str, Any]) -> None:
        super().__init__(arguments)
        self.earlier = dict(earlier)


def command_arguments(scope: Mapping[str, Any], code: CodeType, left_out: Collection[str]) -> Request:
    """The arguments of the command whose ``locals()`` is ``scope`` and whose code is ``code`` (its
    parameters but ``left_out``), with all its locals but ``left_out`` and callables as printed before."""
    parameters = frozenset(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    kept = {name: value for name, value in scope.items() if name not in left_out and not callable(value)}
    return Request({name: value for name, value in kept.items() if name in parameters}, kept)


def earlier_request(request: object) -> object | None:
    """``request`` as releases before session 22 printed it (each :class:`Request` in it, or it itself,
    replaced by its locals), or ``None`` when they printed it alike (no :class:`Request` with more)."""
    if isinstance(request, Request):
        return request.earlier if request.earlier != request else None
    if isinstance(request, list | tuple):
        parts = [earlier_request(part) for part in request]
        if all(part is None for part in parts):
            return None
        return [part if part is not None else original for part, original in zip(parts, request, strict=True)]
    return None
