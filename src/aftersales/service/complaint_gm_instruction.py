"""A major complaint waits for the general manager's instruction (seed 004 第八条 2(4)).

"对于技术难度较大的质量事故或有重要影响的投诉 … 客户服务中心向总经理报告及请示处理方法,得到明确的处理意见后应
立即安排处理". With ``[complaint] major_needs_gm_instruction`` (the ``service_centre`` pack) the
centre does not settle a major complaint alone: until the general manager's instruction is recorded (the
centre refers the case, ``refer_to_general_manager``, which reports it to the general manager; the
instruction, ``record_gm_decision``, becomes the proposed solution) no solution is proposed, revised or
agreed, no remedy is granted on it and no outcome is given (a complaint found major while its agreed
solution is carried out is referred from there; the decision is proposed and agreed again). The
general manager acting on the complaint gives the instruction himself (a solution he proposes or revises
is his instruction).
"""

from __future__ import annotations

from aftersales.domain.actors import Role
from aftersales.domain.complaints import ComplaintFile, ComplaintSeverity
from aftersales.domain.ticket import Ticket
from aftersales.errors import PermissionDenied
from aftersales.policies.complaints import ComplaintParams
from aftersales.service.actors import Actor

__all__ = ["AWAITING_GM_RULE", "GM_INSTRUCTED_STEPS", "check_gm_instruction"]

GM_INSTRUCTED_STEPS = frozenset(
    {"propose_solution", "revise_solution", "agree_solution", "grant_remedy", "give_feedback"}
)
"""The complaint commands that arrange the handling (安排处理): the solution and the remedies, and the
outcome given (a complaint found major only after its solution was agreed is handled on the instruction,
not on the centre's agreement: the centre refers it from implementing)."""

_SOLUTION_STEPS = frozenset({"propose_solution", "revise_solution", "decide"})
"""The steps that write the complaint's solution: one by the general manager is his instruction."""

AWAITING_GM_RULE = "major_awaits_gm_instruction"
"""The refusal's rule code (``PermissionDenied.rule``; catalog ``error.permission_<rule>``)."""


def check_gm_instruction(
    params: ComplaintParams, actor: Actor, ticket: Ticket, file: ComplaintFile, command: str
) -> None:
    """Refuse ``command`` arranging the handling of a major complaint whose general manager's instruction
    is not recorded, when the pack asks for it (``[complaint] major_needs_gm_instruction``).

    ``PermissionDenied`` naming ``command``, the complaint and the rule ``major_awaits_gm_instruction``;
    nothing changes. A general complaint, the general manager himself, a complaint whose referral was
    decided and one whose solution the general manager wrote are not concerned."""
    if not params.major_needs_gm_instruction or command not in GM_INSTRUCTED_STEPS:
        return
    if file.severity is not ComplaintSeverity.MAJOR or Role.GENERAL_MANAGER in actor.roles:
        return
    referral = file.referral
    if referral is not None and referral.decision is not None:
        return
    if any(e.action in _SOLUTION_STEPS and e.actor.role is Role.GENERAL_MANAGER for e in ticket.events):
        return  # the general manager wrote the solution himself: his instruction
    asked = "referred" if referral is not None else "not_referred"
    raise PermissionDenied(str(actor), command, ticket.id, rule=AWAITING_GM_RULE, facts={"referral": asked})
