"""The one check of a notifier's ``timeout`` (webhook, WeCom robot, SMTP): seconds, positive, at most an hour.

Why a bound: a timeout of 10**30 seconds was taken and then every send failed inside the socket or
timer with Python's ``OverflowError`` (no C time value holds it), and any timeout past the delivery
lease (minutes) lets a second deliverer send the same message while the first still waits.
"""

from __future__ import annotations

import math

from aftersales.errors import ConfigurationError

__all__ = ["MOST_SECONDS", "check_timeout"]

MOST_SECONDS = 3600
"""The longest send a notifier waits for."""


def check_timeout(value: object) -> float:
    """``value`` as seconds if it is an int or float from just above 0 to :data:`MOST_SECONDS`, else a
    :class:`ConfigurationError` naming ``timeout``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise ConfigurationError(
            "the timeout must be a positive number of seconds", key="timeout", rule="positive"
        )
    if value > MOST_SECONDS:
        raise ConfigurationError(
            f"the timeout is at most {MOST_SECONDS} seconds (an hour), got {value!r:.40}", key="timeout"
        )
    return float(value)
