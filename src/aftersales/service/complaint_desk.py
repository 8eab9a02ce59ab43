"""The complaint desk (投诉处理): a sub-desk of :class:`~aftersales.service.desk.ServiceDesk`.

A complaint is a ticket of kind complaint following :data:`COMPLAINT_WORKFLOW`; its own facts live in a
:class:`ComplaintFile` document under the same id, written in the same unit of work as the ticket.
Every command goes through the command runner (one transaction: permission, the step, the file, the
outbox). Classification that finds a crisis event or a batch incident escalates **in the same
command**: an escalation record with its own due time, a ticket event, and ``complaint_escalated``
notifications to the roles the pack's escalation policy names — by default the service-centre head
(``Role.MANAGER``, the after-sales / customer-service-centre manager, as the ``service_centre`` pack
has it) and ``Role.GENERAL_MANAGER`` (seed 004 第八条 2(5): 立即通知客户服务中心 … 向总经理报告).

The desk is put together from modules with one job each: the plumbing
(:mod:`~aftersales.service.complaint_base`), intake (:mod:`~aftersales.service.complaint_intake`),
classification (:mod:`~aftersales.service.complaint_classification`), escalation and referral to the
general manager (:mod:`~aftersales.service.complaint_escalation`), the handling flow
(:mod:`~aftersales.service.complaint_flow`), remedies (:mod:`~aftersales.service.complaint_remedies`),
the file and the log (:mod:`~aftersales.service.complaint_log`), repair outlets and crisis reports
(:mod:`~aftersales.service.complaint_outlets`), the designated handler
(:mod:`~aftersales.service.complaint_handlers`; who may follow up:
:mod:`~aftersales.service.complaint_follow_up`) and batch incidents
(:mod:`~aftersales.service.complaint_incidents`; what an incident is to a complaint:
:mod:`~aftersales.service.complaint_incident_facts`), the staff's urgent mark
(:mod:`~aftersales.service.complaint_urgency`) and the general manager's instruction a major complaint
waits for (:mod:`~aftersales.service.complaint_gm_instruction`).
"""

from __future__ import annotations

from aftersales.service.complaint_dealer_stamps import ComplaintDealerStamps
from aftersales.service.complaint_escalation import OverdueEscalation, UnreachedEscalation
from aftersales.service.complaint_flow import ComplaintFlow
from aftersales.service.complaint_handlers import ComplaintHandlers
from aftersales.service.complaint_incidents import ComplaintIncidents
from aftersales.service.complaint_intake import ComplaintIntake
from aftersales.service.complaint_log import ComplaintLog, ComplaintLogEntry, ComplaintLogFilter
from aftersales.service.complaint_outlets import ComplaintOutlets
from aftersales.service.complaint_remedies import ComplaintRemedies
from aftersales.service.complaint_urgency import ComplaintUrgency
from aftersales.service.permissions import COMPLAINT_ROLES

__all__ = [
    "COMPLAINT_ROLES",
    "ComplaintDesk",
    "ComplaintLogEntry",
    "ComplaintLogFilter",
    "OverdueEscalation",
    "UnreachedEscalation",
]


class ComplaintDesk(
    ComplaintOutlets,
    ComplaintIntake,
    ComplaintFlow,
    ComplaintRemedies,
    ComplaintLog,
    ComplaintHandlers,
    ComplaintIncidents,
    ComplaintUrgency,
    ComplaintDealerStamps,
):
    """Complaint commands and queries over one :class:`ServiceDesk` (``desk.complaints``)."""
