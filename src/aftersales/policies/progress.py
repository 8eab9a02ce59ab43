"""The progress-update policy kind (``[progress]``): how long an open ticket's customer may hear nothing.

Seed 001 三(五)1: 售后专员负责跟踪售后问题的处理进度,定期向客户反馈处理情况 — the specialist follows the
problem and tells the customer how it stands *regularly*. A visible progress note
(``note_to_customer(visible=True)``) is how the customer is told; this section says how often: an open
service ticket whose customer has heard nothing from the desk for ``update_every`` working hours (on the
desk's calendar; wall-clock hours on a desk without one) is announced to the specialists by the
``progress_updates`` job, once per such period (:mod:`aftersales.service.progress_updates`).

.. code-block:: toml

    [progress]
    update_every = 8   # working hours; 0 (the default) turns the reminder off

A value that is not a whole number from 0 to 2,000 is a ``ConfigurationError`` naming
``progress.update_every``.
"""

from __future__ import annotations

from typing import Any

import attrs

from aftersales.domain.typed_init import refused_typed
from aftersales.errors import ConfigurationError, OutOfBounds
from aftersales.policies.kinds import PolicyKind, extra_rules

__all__ = ["KIND", "MOST_HOURS", "ProgressParams", "ProgressRules", "pack_progress_rules"]

MOST_HOURS = 2000
"""The longest period a pack may set: a working year of 8-hour days (250 × 8)."""


def _hours(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if type(value) is not int or not 0 <= value <= MOST_HOURS:
        raise ConfigurationError(
            OutOfBounds.sentence(attribute.name, value, 0, MOST_HOURS),
            key=f"progress.{attribute.name}",
            rule="whole_number",
            rule_params={"least": 0, "most": MOST_HOURS},
        )


@refused_typed
@attrs.frozen
class ProgressParams:
    """Parameters of the ``[progress]`` section.

    - ``update_every``: working hours an open service ticket's customer may go without hearing from the
      desk before the specialists are reminded to tell them how it stands (seed 001 三(五)1: 定期向客户
      反馈处理情况); 0, the default, turns the reminder off (the other seeds set no such period).
    """

    update_every: int = attrs.field(default=0, validator=_hours)


@attrs.frozen
class ProgressRules:
    """The pack's progress-update rules, as the jobs read them (``PolicySet.extra["progress"]``)."""

    params: ProgressParams = ProgressParams()
    name: str = "builtin.progress"

    @property
    def update_every(self) -> int:
        """Working hours without news before a reminder; 0: no reminders."""
        return self.params.update_every


def pack_progress_rules(extra: Any) -> ProgressRules:
    """The progress rules of a policy set's ``extra`` table (the defaults when it has none).

    Anything else there is a ``ConfigurationError`` naming ``progress`` (it would otherwise be dropped for
    the defaults without a word); the desk asks at construction."""
    return extra_rules(extra, "progress", ProgressRules, ProgressParams)


KIND = PolicyKind("progress", ProgressParams, ProgressRules)
"""Pack section ``[progress]``."""
