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

Two readings (session 34 f). The instruction answers the handling it was asked about: a complaint reopened
because the problem is back (第八条 2(6) 回访发现的问题应及时再处理) is handled again in a new cycle, and the
earlier cycle's instruction no longer counts — the centre reports and asks again (only an instruction
recorded after the last ``reopen`` counts; the customer's own rejection when told is not a new cycle). And
the instruction is the general manager's (向总经理…请示): on such a complaint the referral's decision is his
to record even where the pack names another hard-case addressee (seed 001's after-sales manager), who is
refused (``record_gm_decision``, same rule); the referral then tells the general manager too
(:func:`gm_addressed`).
"""

from __future__ import annotations

from collections.abc import Sequence

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.complaints import ComplaintFile, ComplaintSeverity
from aftersales.domain.events import TicketEvent
from aftersales.domain.ticket import Ticket
from aftersales.errors import PermissionDenied
from aftersales.policies.complaints import ComplaintParams
from aftersales.service.actors import Actor

__all__ = [
    "AWAITING_GM_RULE",
    "GM_INSTRUCTED_STEPS",
    "check_gm_instruction",
    "gm_addressed",
    "instruction_ref",
]

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


def _gated(params: ComplaintParams, file: ComplaintFile) -> bool:
    """Whether the pack makes this complaint wait for the general manager's instruction."""
    return params.major_needs_gm_instruction and file.severity is ComplaintSeverity.MAJOR


def _cycle(ticket: Ticket) -> Sequence[TicketEvent]:
    """The events of the complaint's current handling cycle: those after its last ``reopen``."""
    events = ticket.events
    for index in range(len(events) - 1, -1, -1):
        if events[index].action == "reopen":
            return events[index + 1 :]
    return events


def gm_addressed(params: ComplaintParams, file: ComplaintFile, roles: tuple[Role, ...]) -> tuple[Role, ...]:
    """Whom a referral of the complaint goes to: the hard-case addressees the escalation policy names
    (``roles``), and the general manager where the complaint waits for his instruction (the centre
    reports to him: 向总经理报告)."""
    if _gated(params, file) and Role.GENERAL_MANAGER not in roles:
        return (*roles, Role.GENERAL_MANAGER)
    return roles


def instruction_ref(params: ComplaintParams, actor: Actor, file: ComplaintFile) -> ActorRef:
    """Whom a solution step or the referral's decision records: ``actor``, in the general manager's role
    when the complaint waits for his instruction and he holds it. Why: a person holding several roles is
    recorded in the first the command allows (the manager, for the general manager who is also the
    after-sales manager), and the gate reads the instruction from the role recorded: his decision did not
    count and the centre could not go on (session 34 j)."""
    if (
        _gated(params, file)
        and actor.role is not Role.GENERAL_MANAGER
        and Role.GENERAL_MANAGER in actor.roles
    ):
        return ActorRef(actor.id, Role.GENERAL_MANAGER)  # not acting_as: the command's acting role wins there
    return actor.ref


def check_gm_instruction(
    params: ComplaintParams, actor: Actor, ticket: Ticket, file: ComplaintFile, command: str
) -> None:
    """Refuse ``command`` arranging the handling of a major complaint whose general manager's instruction
    is not recorded in its current cycle, when the pack asks for it (``[complaint]
    major_needs_gm_instruction``); and refuse recording the referral's decision (``record_gm_decision``)
    on such a complaint to anyone but the general manager.

    ``PermissionDenied`` naming ``command``, the complaint and the rule ``major_awaits_gm_instruction``;
    nothing changes. A general complaint, the general manager himself, and a complaint whose referral he
    decided or whose solution he wrote since its last reopen are not concerned."""
    if not _gated(params, file) or Role.GENERAL_MANAGER in actor.roles:
        return
    if command == "record_gm_decision":  # the instruction is the general manager's to give
        facts = {"referral": "referred"}
        raise PermissionDenied(str(actor), command, ticket.id, rule=AWAITING_GM_RULE, facts=facts)
    if command not in GM_INSTRUCTED_STEPS:
        return
    cycle = _cycle(ticket)
    if any(e.action in _SOLUTION_STEPS and e.actor.role is Role.GENERAL_MANAGER for e in cycle):
        return  # the general manager decided the referral, or wrote the solution himself: his instruction
    asked = "referred" if any(e.action == "refer" for e in cycle) else "not_referred"
    raise PermissionDenied(str(actor), command, ticket.id, rule=AWAITING_GM_RULE, facts={"referral": asked})
