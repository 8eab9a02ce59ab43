"""Which tickets answer a customer's feedback, and so owe a response: the one rule for the clock and the KPI.

Seed 001 六(二)3 measures 对客户反馈问题的响应及时率, the response to problems customers report (seed 003
响应: 与客户取得联系, 告知预计上门或解决时间). A planned maintenance visit (seed 000 保养服务 定期, channel
``planned``) is work the company schedules itself, generated days before it falls due, and so is a visit
granted as a complaint's remedy: nobody reported anything, so there is nothing to answer. Such a ticket has
no response target (the live SLA, its alerts and escalations, the breach report, the ticket's stored due)
and is not in the response figures; its arrival, resolution, callback and satisfaction are judged as any
other ticket's.
"""

from __future__ import annotations

from aftersales.domain.classification import Channel
from aftersales.domain.ticket import Ticket

__all__ = ["UNANSWERED_CHANNELS", "owes_response"]

UNANSWERED_CHANNELS: frozenset[Channel] = frozenset({Channel.PLANNED})
"""Channels whose tickets no customer reported: their response is neither timed nor measured."""


def owes_response(ticket: Ticket) -> bool:
    """Whether ``ticket`` is a customer's feedback whose first response is timed and measured."""
    return ticket.channel not in UNANSWERED_CHANNELS
