"""A complaint's flow after intake (seed 000: 调查核实 → 制定解决方案, 与客户沟通协商 → 实施 → 结果反馈
→ 总结改进; seed 004: callback within 7 days), and its ends: closed, cancelled, withdrawn, reopened.

An outcome that no longer stands (rejected, reopened, the customer still not satisfied at the callback)
is cleared from the file and its pending callback dropped; the next feedback schedules a new one.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.actors import Role
from aftersales.domain.complaints import (
    ComplaintFile,
    Review,
)
from aftersales.domain.contact import zone
from aftersales.domain.departments import Department
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound, PermissionDenied
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.callback_plan import drop_pending, schedule_in
from aftersales.service.complaint_base import ComplaintBase, checked_text, require_complaint
from aftersales.service.complaint_callback_owed import check_left_to_host
from aftersales.service.complaint_closed_notice import DUPLICATE_OF_KEY, check_duplicate_of, closed_messages
from aftersales.service.complaint_follow_up import designated_handler
from aftersales.service.complaint_gm_instruction import instruction_ref
from aftersales.service.coordination import departments_in
from aftersales.service.lifecycle import resolve_in
from aftersales.service.referral_calloff import referral_called_off
from aftersales.service.runner import Applied
from aftersales.service.views import CommandResult

__all__ = ["ComplaintFlow"]

_SOLUTION_STEPS = frozenset({"propose_solution", "revise_solution", "decide"})
"""The steps that write the complaint's solution (the last one's author is who proposed it)."""


def _outcome_sent_back(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile) -> None:
    """The outcome given no longer stands (rejected, reopened, the customer still not satisfied at the
    callback): cleared from the file (the event log keeps it) and the callback scheduled for it dropped;
    the next feedback gives a new one and schedules its callback."""
    file.outcome = ""
    file.rekey()  # a reopened complaint's escalations not taken up are the sweep's again
    drop_pending(uow, ticket)


def _registered(uow: UnitOfWork, department_id: str) -> bool:
    try:
        uow.documents.get(Department, department_id)
    except NotFound:
        return False
    return True


@validated_commands
class ComplaintFlow(ComplaintBase):
    """Mixed into :class:`~aftersales.service.complaint_desk.ComplaintDesk`: the steps of handling."""

    def dissatisfied_in(
        self, uow: UnitOfWork, actor: Actor, ticket: Ticket, now: datetime, reason: str
    ) -> bool:
        """Inside a running command (a callback's low score): a handled complaint the customer is still
        not satisfied with goes back to investigating — reopened, a new handling whose first one stays as
        judged (seed 004 第八条 2(6) 回访发现的问题应及时再处理) — its outcome cleared from the file and a
        callback still pending dropped, as :meth:`reject_outcome` does.
        ``False`` (nothing changes) when it is not handled (e.g. the callback already sent it back)."""
        require_complaint(ticket)
        if ticket.can("reopen"):
            ticket.reopen(actor.ref, now, reason)
        elif ticket.can("reject"):
            ticket.reject(actor.ref, now, reason)
        else:
            return False
        file = self._file(uow, ticket)
        _outcome_sent_back(uow, ticket, file)
        uow.documents.save(file)
        return True

    def investigate(
        self, actor: Actor, complaint_id: str, *, idempotency_key: str | None = None
    ) -> CommandResult:
        """Start investigating (调查核实); the actor becomes the complaint's handler, unless one was
        designated (``assign_handler``, seed 003: 由指定人员负责跟进): a head stepping in does not take it
        over, and another agent may not start it."""

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> None:
            ticket.step("investigate", actor.ref, now)
            if designated_handler(ticket) is None:
                file.handler = actor.ref

        return self._run(actor, "investigate", complaint_id, body, idempotency_key)

    def propose_solution(
        self, actor: Actor, complaint_id: str, *, solution: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """Propose a solution to negotiate with the customer (制定解决方案, 与客户沟通协商).

        The solution is required text (at most 2000 characters, the step's reason): a proposal with
        nothing in it would leave the customer nothing to agree to.
        """
        checked_text(solution, "solution", required=True)

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> None:
            file.solution = solution
            ticket.step(
                "propose_solution", instruction_ref(self.policy.params, actor, file), now, reason=solution
            )

        return self._run(actor, "propose_solution", complaint_id, body, idempotency_key)

    def revise_solution(
        self,
        actor: Actor,
        complaint_id: str,
        *,
        solution: str,
        reason: str,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """The customer did not agree: a revised solution, with why (one negotiation round).

        Both are required text: the revised solution (at most 4000 characters) and the reason.
        """
        checked_text(solution, "solution", required=True, limit=4000)

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> None:
            file.solution = solution
            by = instruction_ref(self.policy.params, actor, file)  # the general manager's: his instruction
            ticket.step("revise_solution", by, now, reason=reason, payload={"solution": solution})

        return self._run(actor, "revise_solution", complaint_id, body, idempotency_key)

    def agree_solution(
        self, actor: Actor, complaint_id: str, *, note: str | None = None, idempotency_key: str | None = None
    ) -> CommandResult:
        """The customer agrees to the solution (争取客户的认可): implementation starts.

        A solution the customer revised (a counter-proposal) is the customer's demand, not yet the
        company's solution: the customer agreeing to it is ``PermissionDenied``; the handler agrees to it
        (or proposes another) — seed 000: 根据调查结果制定合理的解决方案, 与客户进行沟通协商.
        """

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> None:
            writer = next((e.actor for e in reversed(ticket.events) if e.action in _SOLUTION_STEPS), None)
            if writer is not None and writer.role is Role.CUSTOMER and actor.ref.role is Role.CUSTOMER:
                raise PermissionDenied(str(actor), "agree_solution", ticket.id)
            ticket.step("agree_solution", actor.ref, now, reason=note)

        return self._run(actor, "agree_solution", complaint_id, body, idempotency_key)

    def give_feedback(
        self,
        actor: Actor,
        complaint_id: str,
        *,
        outcome: str,
        schedule_callback: bool = True,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Report the outcome to the customer (结果反馈): the complaint is handled.

        Its callback (seed 004: within 7 days after handling) is scheduled in the same command. The
        outcome is required text (at most 2000 characters): seed 000's 结果反馈 tells the customer the
        result, and the ledger's 处理结果 is read from it. ``schedule_callback=False`` leaves the
        callback to the host only where the pack's callback policy owes none: where it owes one (the
        default policy owes every complaint its callback — seed 004 第八条 2(6): 要求在投诉处理后的七天内
        进行回访) or a satisfaction survey (seed 001: 对于重大售后问题或重要客户…应在问题处理完毕后进行
        客户满意度调查 — a major complaint, an important or VIP customer), it is a ``ValidationError``
        naming ``schedule_callback`` and nothing changes: the switch cannot take away what the pack owes.
        """
        checked_text(outcome, "outcome", required=True)

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> Applied:
            if not schedule_callback:
                check_left_to_host(self.context.policies.callback, uow, ticket, file)
            resolve_in(self.context, actor, ticket, now, summary=outcome, command="give_feedback")
            file.outcome = outcome
            if not schedule_callback:
                return Applied()
            _, plan = schedule_in(
                uow, self.context.policies.callback, actor, ticket, now, zone=zone(self.context.timezone)
            )
            return Applied(decisions=(plan,))

        return self._run(actor, "give_feedback", complaint_id, body, idempotency_key)

    def reject_outcome(
        self, actor: Actor, complaint_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """The customer is not satisfied with the outcome: the complaint is investigated again.

        Seed 001 (如客户仍不满意, 应进一步沟通协商, 直至客户满意为止): the outcome given is cleared from the
        file (the event log keeps it) and the callback scheduled for it is dropped; the next feedback
        schedules a new one.
        """

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> None:
            ticket.reject(actor.ref, now, reason)
            _outcome_sent_back(uow, ticket, file)

        return self._run(actor, "reject_outcome", complaint_id, body, idempotency_key)

    def review(
        self,
        actor: Actor,
        complaint_id: str,
        *,
        root_cause: str,
        improvement: str,
        feedback_to: str | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Record the root cause (a code) and the improvement (总结改进, 找出问题产生的根源).

        ``feedback_to`` names the department the improvement goes to. When it is a registered
        department (``desk.coordination``: R&D, production…), it is assigned to the complaint and its
        contacts are told the root cause and the improvement in this same command — seed 000: the
        after-sales department feeds customers' problems back to R&D and production (为公司产品研发、
        生产…提供决策支持), who improve the product. Another code is recorded as given.
        """

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> Applied:
            review = Review(root_cause, improvement, actor.ref, now, feedback_to)
            ticket.step(
                "review", actor.ref, now, payload={"root_cause": root_cause, "feedback_to": feedback_to}
            )
            file.review = review
            if feedback_to is None or not _registered(uow, feedback_to):
                return Applied()
            told = f"{root_cause}: {improvement}"
            told = told if len(told) <= 2000 else told[:1999] + "…"  # the note is an event's reason
            return Applied(
                messages=departments_in(self.context, uow, actor, ticket, [feedback_to], told, now)
            )

        return self._run(actor, "review", complaint_id, body, idempotency_key)

    def close(
        self, actor: Actor, complaint_id: str, *, note: str = "", idempotency_key: str | None = None
    ) -> CommandResult:
        """Close a reviewed complaint."""

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> None:
            ticket.close(actor.ref, now, note)

        return self._run(actor, "close_complaint", complaint_id, body, idempotency_key)

    def cancel(
        self,
        actor: Actor,
        complaint_id: str,
        *,
        reason: str,
        duplicate_of: str | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Cancel an open complaint (registered by mistake, a duplicate), with a reason; ``duplicate_of``
        names the open complaint of the same customer that carries a duplicate on.

        The customer is told it was closed, with the reason and the number carrying it on (seed 003 二 5
        事事有回音; :mod:`aftersales.service.complaint_closed_notice`).

        Cancelled after its feedback, it is no longer a complaint handled (``resolved_at`` is cleared, as
        the KPI's complaint resolution rate counts) and its pending callback is dropped. The remedy work not
        yet carried out (visits not begun, free pick slips not shipped) is called off in the same command
        (:mod:`aftersales.service.remedy_calloff`).
        """

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> Applied:
            check_duplicate_of(uow, ticket, duplicate_of)
            return self._cancelled(uow, actor, ticket, file, now, reason, duplicate_of)

        return self._run(actor, "cancel_complaint", complaint_id, body, idempotency_key)

    def cancelled_in(
        self, uow: UnitOfWork, actor: Actor, ticket: Ticket, now: datetime, reason: str
    ) -> Applied:
        """Inside a running command (the ticket desk's ``cancel`` of a complaint): cancel it as
        :meth:`cancel` does — the customer told (seed 003 二 5 事事有回音), a referral called off, a pending
        callback dropped — so the ticket desk's step is no quieter way to end a complaint."""
        require_complaint(ticket)
        return self._cancelled(uow, actor, ticket, self._file(uow, ticket), now, reason, None)

    def _cancelled(
        self,
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        file: ComplaintFile,
        now: datetime,
        reason: str,
        duplicate_of: str | None,
    ) -> Applied:
        facts = None if duplicate_of is None else {DUPLICATE_OF_KEY: duplicate_of}
        event = ticket.cancel(actor.ref, now, reason, facts)
        drop_pending(uow, ticket)
        # 第八条 2(4): the general manager asked how to handle it has nothing left to decide
        told = referral_called_off(self.context.notifications, uow, ticket, file, now)
        return Applied(messages=told + closed_messages(self.context, uow, ticket, event, now))

    def withdraw(
        self, actor: Actor, complaint_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """The customer withdraws the complaint (撤诉), with a reason (after its feedback too: it is then
        no longer a complaint handled, and its pending callback is dropped, as on :meth:`cancel`). What was
        agreed and not yet carried out is no longer owed: its remedy work not begun is called off in the
        same command (:mod:`aftersales.service.remedy_calloff`); what was done or shipped stays."""

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> Applied:
            ticket.withdraw(actor.ref, now, reason)
            drop_pending(uow, ticket)
            return Applied(messages=referral_called_off(self.context.notifications, uow, ticket, file, now))

        return self._run(actor, "withdraw", complaint_id, body, idempotency_key)

    def reopen(
        self, actor: Actor, complaint_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """Reopen a handled (or closed) complaint whose problem is back: it is investigated again in a new
        cycle, the handling already given judged as it was (seed 004 第八条 2(6)); the outcome is cleared
        from the file and a callback still pending is dropped, as on a rejected outcome."""

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> None:
            ticket.reopen(actor.ref, now, reason)
            _outcome_sent_back(uow, ticket, file)

        return self._run(actor, "reopen_complaint", complaint_id, body, idempotency_key)
