"""Which tickets answer a customer's feedback: the population of the response-on-time rate.

Seed 001 六(二)3 measures 对客户反馈问题的响应及时率, the response to problems customers report. A planned
maintenance visit (seed 000 保养服务 定期, channel ``planned``) is work the company schedules itself,
generated days before it falls due: nobody reported anything, so there is nothing to answer, and counting
its visit as a "response" made the month's response times a week long. It stays a ticket of the month:
its resolution, rework, callback and satisfaction are judged as any other's.
"""

from __future__ import annotations

from aftersales.domain.classification import Channel
from aftersales.domain.ticket import Ticket

__all__ = ["UNANSWERED_CHANNELS", "owes_response", "owes_response_sql"]

UNANSWERED_CHANNELS: frozenset[Channel] = frozenset({Channel.PLANNED})
"""Channels whose tickets no customer reported: their response is not measured."""


def owes_response(ticket: Ticket) -> bool:
    """Whether ``ticket`` is a customer's feedback the response-on-time rate judges the answer to."""
    return ticket.channel not in UNANSWERED_CHANNELS


def owes_response_sql(column: str = "channel") -> str:
    """The SQL condition of :func:`owes_response` on a row's channel code (a row written before the
    channel was kept has none: it is judged, as it was)."""
    codes = ", ".join(f"'{c.value}'" for c in sorted(UNANSWERED_CHANNELS, key=lambda c: c.value))
    return f"coalesce({column} NOT IN ({codes}), 1)"
