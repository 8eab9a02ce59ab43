"""A failure's text as a store can keep it: the outbox's ``last_error``, a job lease's ``last_error``.

Why: that text is whatever a host's notifier, transport or job raised (``str(exc)``), and the three
stores do not all take every ``str``: PostgreSQL refuses NUL in text and JSON, and no store can write a
lone surrogate as UTF-8. A failure quoting one (a server's answer, a path decoded with
``surrogateescape``) made recording the failure fail: ``desk.deliver()`` raised, the outcomes of the whole
batch were lost (messages already sent were sent again when their lease ran out) and every later run met
the same text again (session 34). Each control, format or surrogate character is kept as its escape.
"""

from __future__ import annotations

from aftersales.domain.shown_text import controls_shown

__all__ = ["FAILURE_TEXT_MOST", "failure_text"]

FAILURE_TEXT_MOST = 2000
"""Characters of a failure's text kept (the rest says nothing a log would not)."""


def failure_text(text: str) -> str:
    """``text`` cut to :data:`FAILURE_TEXT_MOST` characters, each control character, format character
    or lone surrogate written as its escape (``\\x00``, ``\\ud800``): storable on every store, the
    same on all three."""
    return controls_shown(text[:FAILURE_TEXT_MOST])[:FAILURE_TEXT_MOST]
