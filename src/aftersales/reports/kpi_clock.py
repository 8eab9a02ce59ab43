"""Which clock the KPI's first-response figures read: the one the pack's response dues count on.

Seed 001 五(一)1 (售后专员应在[X]小时内做出响应) counts plain hours where 五(二) counts 工作日, so the
exhibition-services pack counts the response due on the wall clock (``[sla] response_clock = "wall"``,
session 34) and its breach with it. A KPI measuring the same responses in working time read a call at
17:00 answered at 20:00 as "0 hours" and met, while its due (21:00) and breach read three hours of the
clock: the mean response time and the 响应及时率 (seed 001 六(二)3) disagreed with the due the staff work to.
The KPI (the desk's, the agents' and the engineers', which are the same measuring) reads the due's clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aftersales.errors import ValidationError

__all__ = ["response_clock"]


def response_clock(sla: Any) -> str:
    """How the KPI counts the time to first response under the pack's SLA policy (``desk.policies.sla``;
    ``None``: the default, working time): ``"wall"`` when the pack counts its response hours on the clock
    (``response_clock = "wall"``, or no ``response_clock`` and every priority's ``clock`` is ``wall``),
    else ``"working"``. A category override's own ``clock`` is per ticket, which a report row does not
    carry: the pack's clock is read."""
    if sla is None:
        return "working"
    params = getattr(sla, "params", None)
    own = getattr(params, "response_clock", False)
    clocks = getattr(params, "clock", None)
    if own not in (None, "wall", "working") or not isinstance(clocks, Mapping):
        raise ValidationError("sla must be the pack's SLA policy (desk.policies.sla)", field="sla")
    if own is not None:
        return str(own)
    return "wall" if all(value == "wall" for value in clocks.values()) else "working"
