"""The channel a request came in by when the caller does not say (seed 003 二 1: 400服务热线和在线服务平台).

A call on the hotline is taken by staff, who log it; a customer acting on its own account submits on the
online platform. Before session 35 both defaulted to ``phone``, so a customer's own submission stood in
the ledger's 渠道 column and the channel figures as a hotline call nobody took.
"""

from __future__ import annotations

from aftersales.domain.actors import Role
from aftersales.domain.classification import Channel
from aftersales.service.actors import Actor
from aftersales.service.intake import check_channel


def intake_channel(actor: Actor, channel: Channel | str | None) -> Channel:
    """``channel`` checked as :func:`~aftersales.service.intake.check_channel` does; not given, ``portal``
    for a customer acting alone (its own submission) and ``phone`` for staff (a call they take)."""
    if channel is None:
        own = bool(actor.roles) and all(role is Role.CUSTOMER for role in actor.roles)
        channel = Channel.PORTAL if own else Channel.PHONE
    return check_channel(actor, Channel(channel))
