"""One notifier per channel: ``ChannelNotifier`` hands each message to the notifier of its channel."""

from __future__ import annotations

from collections.abc import Mapping

from aftersales.domain.call_shape import host_factories
from aftersales.domain.contact import MessageChannel
from aftersales.errors import ConfigurationError, DeliveryError
from aftersales.ports.notifier import Notifier, RenderedMessage

__all__ = ["ChannelNotifier"]


@host_factories
class ChannelNotifier:
    """Routes by ``message.channel`` (``{"email": smtp, "sms": sms, "wechat": wecom}``).

    A message of a channel with no notifier goes to ``fallback`` if given (a webhook that takes
    everything), else it is a permanent :class:`DeliveryError`: a dead letter for a manager to see.
    """

    def __init__(self, routes: Mapping[str, Notifier], fallback: Notifier | None = None) -> None:
        if not isinstance(routes, Mapping):  # pairs or one notifier: a bare AttributeError before
            raise ConfigurationError("routes map channel names to notifiers", key="routes")
        known = {c.value for c in MessageChannel}
        for channel, notifier in routes.items():
            if channel not in known:  # a misspelt route would never be taken: refused, not ignored
                raise ConfigurationError(
                    f"no channel {channel!r}; the channels are {sorted(known)}", key=channel
                )
            if not isinstance(notifier, Notifier):
                raise ConfigurationError(f"the notifier for {channel!r} has no send(message)", key=channel)
            takes = getattr(notifier, "channels", None)
            if isinstance(takes, frozenset) and channel not in takes:  # every message would be refused
                raise ConfigurationError(
                    f"the notifier for {channel!r} takes only {sorted(takes)}", key=channel
                )
        if fallback is not None and not isinstance(fallback, Notifier):
            raise ConfigurationError("the fallback has no send(message)", key="fallback")
        if not routes and fallback is None:  # every message would be a dead letter
            raise ConfigurationError("give at least one route or a fallback", key="routes")
        self.routes = dict(routes)
        self.fallback = fallback

    def send(self, message: RenderedMessage) -> None:
        """Send through the channel's notifier (or the fallback)."""
        notifier = self.routes.get(message.channel, self.fallback)
        if notifier is None:
            raise DeliveryError(f"no notifier for channel {message.channel!r}", permanent=True)
        notifier.send(message)
