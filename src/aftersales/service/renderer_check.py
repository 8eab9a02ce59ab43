"""A host's renderer is checked when the desk opens, not at the first command it cannot word (session 33 g).

Why: ``ServiceDesk.open(..., renderer=Renderer(catalogs=...))`` took catalogs that lacked a notification's
words (``notification.assigned.subject``), wrote one with a placeholder the kind does not have, or had no
catalog for a supported locale, and said nothing. A locale's words are built whole on first use, so the
first command that worded anything in it — a dispatch, the intake's search words, the SLA sweep — was
refused with a ``ConfigurationError``, and so was every later one: the desk took no more work because of
its wording. :meth:`Renderer.check` builds every supported locale; the desk runs it when it is given a
renderer, so the refusal comes at start-up, naming the missing or malformed message, before the store is
written. The shipped catalogs (no renderer given) are checked by the test suite instead.
"""

from __future__ import annotations

from aftersales.errors import ConfigurationError
from aftersales.i18n.notifications import Renderer

__all__ = ["check_renderer"]


def check_renderer(renderer: Renderer | None) -> None:
    """Build every locale of ``renderer`` now: a ``ConfigurationError`` naming the message (its msgid as
    ``key``) that is missing or malformed, or the locale that has no catalog. Anything but a
    :class:`Renderer` is refused naming ``renderer``, as the desk's constructor refuses it."""
    if renderer is None:
        return
    if not isinstance(renderer, Renderer):
        raise ConfigurationError("renderer must implement Renderer", key="renderer")
    renderer.check()
