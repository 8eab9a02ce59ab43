"""A complaint an older release stamped ``taken_by_dealer`` and later referred to that dealer (seed
004 第八条 2(3) 由客户服务中心转到维修网点的用户投诉) starts no dealer's contract clock from the stamp
(session 35, task n: read and decided, pinned).

``read_cycle`` keeps the stamp as the 叫修 the dealer took itself and uses it at one place only: an
assignment (``assign``/``reassign``) to that same dealer starts its clock at the call. A complaint has no
assignment in its workflow: the centre passes it on with ``refer_to_outlet``, which is no clock step, so the
stamp never reaches a clock. Nor does any pack give a complaint a clock from a dealer's dispatch (seed 002
分工 6's 24 hours bind a 叫修; the complaint policy gives the complaint its own times from the call). Even
a host's policy giving a complaint such a target would see it not started rather than started at the call.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel, TicketKind
from aftersales.domain.complaint_workflow import COMPLAINT_WORKFLOW
from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.sla_reading import STEP_CODES, TAKEN_BY_DEALER_KEY, read_cycle
from aftersales.domain.sla_targets import SlaTarget, SlaTargets
from aftersales.domain.ticket import Ticket

SH = ZoneInfo("Asia/Shanghai")
AGENT = ActorRef("agent-1", Role.AGENT)
H = timedelta(hours=1)


def test_a_stamped_complaint_referred_to_its_dealer_starts_no_clock_from_the_stamp() -> None:
    complaint = Ticket.open(
        id=TicketId("C-1"),
        customer_id=CustomerId("c-1"),
        channel=Channel.PHONE,
        category=Category.REPAIR,
        description="维修后仍漏水",
        received_at=datetime(2026, 3, 6, 9, tzinfo=SH),
        taken_by=AGENT,
        kind=TicketKind.COMPLAINT,
        opened_facts={TAKEN_BY_DEALER_KEY: "D1"},
    )
    complaint.step(
        "refer_to_outlet",
        AGENT,
        datetime(2026, 3, 6, 15, tzinfo=SH),
        payload={"outlet": {"kind": "dealer", "id": "D1", "name": "上海经销商"}},
    )
    assert complaint.events[0].payload[TAKEN_BY_DEALER_KEY] == "D1"
    contract = SlaTarget("resolution", 24 * H, "calendar", extended_to=48 * H, start="dealer_dispatch")
    cycle = read_cycle(complaint.events, SlaTargets((contract,)), len(complaint.events))
    assert cycle.start == 0 and cycle.dealer_at is None
    # Why: the stamp acts at an assignment only, and a complaint is never assigned - it is referred.
    assert "refer_to_outlet" not in STEP_CODES
    assert not {"assign", "reassign"} & set(COMPLAINT_WORKFLOW.triggers)
