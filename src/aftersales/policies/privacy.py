"""The privacy policy kind (``[privacy]``): how long personal data kept for other purposes may live.

PIPL (个人信息保护法 art. 19): personal data is kept no longer than its purpose needs. An idempotency
row holds a command's result so a retried request replays it; once no client can still be retrying,
the row has served its purpose. ``keep_idempotency_days`` (default 30: far beyond any client's retry
window) is that period; the jobs' ``purge_idempotency`` pass drops rows older than it. Sent outbox
messages have their own period, ``[notification] keep_sent_days`` (default 90, kept for audit).

The access log of personal data (who read whose data, when) is the evidence PIPL art. 54-55 audits ask
for: it is kept ``keep_access_log_days`` (default 1095, three years), then the jobs' ``purge_access_log``
pass drops it, oldest day first. It holds names of readers and customer ids, so it too may not live for ever.

A pack sets it, for example:

.. code-block:: toml

    [privacy]
    keep_idempotency_days = 14
    keep_access_log_days = 1825

A value that is not a whole number of days from 1 to 3650 is refused with a ``ConfigurationError``
naming ``privacy.keep_idempotency_days`` (``privacy.keep_access_log_days``) when the pack loads.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import attrs

from aftersales.domain.bounds import check_bounded
from aftersales.domain.call_shape import host_factories
from aftersales.domain.typed_init import refused_typed
from aftersales.policies.kinds import PolicyKind, extra_rules
from aftersales.policies.own_params import own_params

__all__ = ["KIND", "PrivacyParams", "PrivacyRules", "pack_privacy_rules", "retention_of"]

MAX_RETENTION_DAYS = 3650
"""The longest retention a pack may set (ten years)."""


def _days(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_bounded(value, attribute.name, MAX_RETENTION_DAYS)  # days


@refused_typed
@attrs.frozen
class PrivacyParams:
    """Parameters of the ``[privacy]`` section.

    - ``keep_idempotency_days``: how long a command's result is kept for replay before the retention
      job drops it (default 30).
    - ``keep_access_log_days``: how long a record of the access log of personal data is kept before the
      retention job drops it (default 1095: three years of audit evidence).
    - ``keep_staff_pay_records_days``: how long a departed staff member's appraisals and incentives or
      sanctions (pay records) are kept after the day they left before their erasure removes them
      (default 730: 工资支付暂行规定 第六条 keeps wage records at least two years).
    """

    keep_idempotency_days: int = attrs.field(default=30, validator=_days)
    keep_access_log_days: int = attrs.field(default=1095, validator=_days)
    keep_staff_pay_records_days: int = attrs.field(default=730, validator=_days)


@host_factories
class PrivacyRules:
    """The pack's privacy parameters, as the service reads them (``PolicySet.extra["privacy"]``)."""

    def __init__(self, params: PrivacyParams | None = None, *, name: str = "builtin.privacy") -> None:
        self.params = own_params(params, PrivacyParams, "privacy")
        self.name = name

    @property
    def idempotency_retention(self) -> timedelta:
        """How long idempotency rows are kept."""
        return timedelta(days=self.params.keep_idempotency_days)

    @property
    def access_log_retention(self) -> timedelta:
        """How long records of the access log of personal data are kept."""
        return timedelta(days=self.params.keep_access_log_days)


def pack_privacy_rules(extra: Any) -> PrivacyRules:
    """The privacy rules of a policy set's ``extra`` table (the defaults when it has none).

    Anything else there (an override given as ``PrivacyParams(...)``, a number of days, a table) is a
    ``ConfigurationError`` naming ``privacy``: it was replaced by the defaults without a word, so the
    ``purge_idempotency`` job kept replays (and the personal data in their keys) 30 days whatever the host
    had set. The desk asks at construction, so such a desk is refused before it opens."""
    return extra_rules(extra, "privacy", PrivacyRules, PrivacyParams)


def retention_of(extra: Any) -> timedelta:
    """The idempotency retention of a policy set's ``extra`` table (the default without a section)."""
    return pack_privacy_rules(extra).idempotency_retention


KIND = PolicyKind("privacy", PrivacyParams, PrivacyRules)
"""Makes the privacy parameters a pack section (``[privacy]``)."""
