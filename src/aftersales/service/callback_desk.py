"""The callback desk (回访): schedule callbacks by policy, record them, find the overdue ones.

A callback is a task (:class:`CallbackTask`) due at the time the pack's callback policy gives —
24 h after resolution (seed 003), 7 days after a complaint is handled (seed 004), VIP customers
always — and the ticket's ``callback_due_at`` shows it in the ledger. Recording a callback stores the
checklist and the survey (:class:`CallbackRecord`), records the callback on the ticket the way
``ServiceDesk.record_callback`` does (a problem that is back reopens a closed ticket or rejects a
resolved one), and hands the overall score to the survey hook the composition root registered (by
default: the complaint desk opens a complaint when its policy finds the score too low, or sends a
complaint called back about back to investigating) — all in one command, so nothing is half recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from aftersales.domain.classification import Channel, conversation_channel
from aftersales.domain.contact import zone
from aftersales.domain.events import JsonValue
from aftersales.domain.ids import TicketId
from aftersales.domain.instants import require_aware
from aftersales.domain.surveys import (
    CallbackChecklist,
    CallbackRecord,
    CallbackTask,
    CallbackTaskState,
    SatisfactionSurvey,
)
from aftersales.domain.ticket import Ticket
from aftersales.errors import DuplicateError, ValidationError
from aftersales.i18n.callback_complaint_words import coded_description
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.read_ahead import known_absent
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.access_log import record_access
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.callback_plan import (
    callback_plan,
    check_callback_now,
    check_due,
    complete_tasks,
    major_complaint,
    schedule_in,
)
from aftersales.service.complaint_back_notice import complaint_back_messages
from aftersales.service.context import DeskContext
from aftersales.service.permissions import Workflow, can_read_as, permit, roles_for, sees_all
from aftersales.service.runner import Applied, CommandRunner
from aftersales.service.unsatisfied_callback import unsatisfied_notice
from aftersales.service.views import CommandResult

__all__ = ["CUSTOMER_ANSWER", "CallbackDesk", "SurveyHook", "check_survey_given"]

SurveyHook = Callable[
    [UnitOfWork, Actor, Ticket, int | None, tuple[str, ...], str, datetime], tuple[TicketId | None, Applied]
]
"""What the composition root connects to a recorded callback: given the score judged (``None``: no
score given), the grievances the customer voiced (:attr:`CallbackChecklist.grievances`) and what the
customer said, maybe open a complaint (its id) and the messages and decisions that came with it."""


def check_survey_given(
    uow: UnitOfWork, ticket: Ticket, score: int | None = None, attitude: int | None = None
) -> None:
    """Refuse a callback that leaves out the satisfaction survey its pending task asks for, or part of it.

    Seed 001 三(七)1: 对于重大售后问题或重要客户, 售后团队应在问题处理完毕后进行客户满意度调查 — the callback
    plan marks such a task ``survey`` (an important or VIP customer, a major problem or complaint); a
    callback recorded without any score would mark it done and the survey would never be made. 三(七)2:
    调查内容包括客户对问题处理结果的满意度、对售后团队服务态度的评价等 — the survey holds both: the ``score``
    (the result) and the ``attitude`` evaluation; a score alone is half the survey. A callback finding the
    problem back is not that survey (the next acceptance schedules a new one).
    ``ValidationError`` naming ``survey`` (nothing given) or ``attitude``; nothing changes.
    """
    if score is not None and attitude is not None:
        return
    pending = uow.documents.query(CallbackTask, ticket_id=ticket.id, state=CallbackTaskState.PENDING)
    if not any(task.survey for task in pending):
        return
    if score is None:
        raise ValidationError(
            "this callback owes a satisfaction survey (an important customer or a major problem): "
            "give the survey or the satisfaction score, and the evaluation of the service attitude",
            field="survey",
        )
    raise ValidationError(
        "this callback owes a satisfaction survey, which asks the customer to evaluate the service "
        "team's attitude (seed 001: 对售后团队服务态度的评价) beside the result: give attitude (1-5)",
        field="attitude",
    )


CUSTOMER_ANSWER = "answer_ticket_survey"
"""The command (and permission-table entry) of a customer answering their own ticket's survey online."""

_ONLINE = (Channel.PORTAL, Channel.WECHAT, Channel.EMAIL)
"""The ways a customer answers a survey online (seed 001 三(七)2 在线问卷)."""


def _check_first_answer(uow: UnitOfWork, actor: Actor, ticket: Ticket) -> None:
    """Refuse a customer's second answer to the same ticket's survey: ``DuplicateError``."""
    for record in uow.documents.query(CallbackRecord, ticket_id=ticket.id):
        if record.by == actor.ref:
            raise DuplicateError(
                f"the survey of ticket {ticket.id} was answered by this customer already "
                f"({record.at.isoformat()}): a customer answers their ticket's survey once"
            )


def _lowest(score: int | None, attitude: int | None) -> int | None:
    """The score the complaint policy judges a callback by: the lower of the result's satisfaction and the
    attitude evaluation (either may be missing; ``None`` when both are).

    Seed 004 第七条 3-4: a customer dissatisfied with the service quality has complained, and 本公司服务
    人员态度不好, 造成客户抱怨 is a general complaint: a customer pleased with the repair who scores the
    team's attitude 1 has complained about it, as one scoring the result 1 has about the result."""
    given = [value for value in (score, attitude) if value is not None]
    return min(given) if given else None


@validated_commands
class CallbackDesk:
    """Callback commands and queries (``desk.callbacks``); a low score opens a complaint."""

    def __init__(
        self, context: DeskContext, runner: CommandRunner, on_survey: SurveyHook | None = None
    ) -> None:
        self.context = context
        self.runner = runner
        self.on_survey = on_survey

    def _now(self) -> datetime:
        return self.context.now()

    def _check_score_given(self, uow: UnitOfWork, ticket: Ticket) -> None:
        """Refuse a callback without a satisfaction score when the pack's plan asks one at every callback
        (``[callback] score_required``, seed 003: 收集客户满意度评价): ``ValidationError`` naming
        ``satisfaction``; nothing changes."""
        tier = self.runner.tier(uow, ticket)
        plan = callback_plan(self.context.policies.callback, ticket, tier, major_complaint(uow, ticket))
        if plan.outcome.score_required:
            raise ValidationError(
                "this pack collects the customer's satisfaction at every callback ([callback] "
                "score_required): give satisfaction (1-5) or the survey",
                field="satisfaction",
            )

    def schedule(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        due_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Schedule the callback of a resolved ticket (or a handled complaint) by the pack's policy.

        ``due_at`` overrides the policy's deadline (not before now: ``ValidationError``). The result's
        decisions hold the callback plan and its reasons (e.g. ``service_callback``,
        ``complaint_callback``, ``callback_vip``); when the policy requires no callback nothing is
        scheduled.
        """
        if due_at is not None:
            require_aware(due_at, "due_at")

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied:
            check_due(due_at, now)
            if not ticket.can("schedule_callback"):
                ticket.workflow.target(ticket.state, "schedule_callback")  # raises InvalidTransition
            _, decision = schedule_in(
                uow, self.context.policies.callback, actor, ticket, now, due_at,
                zone=zone(self.context.timezone), sla=self.context.sla,
            )  # fmt: skip
            return Applied(decisions=(decision,))

        return self.runner.execute(
            actor, "schedule_callback", ticket_id, apply, idempotency_key, request=[due_at]
        )

    def record(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        checklist: CallbackChecklist,
        problem_back: bool,
        survey: SatisfactionSurvey | None = None,
        comment: str = "",
        satisfaction: int | None = None,
        answers: Mapping[str, bool] | None = None,
        idempotency_key: str | None = None,
        channel: Channel = Channel.PHONE,
        attitude: int | None = None,
    ) -> CommandResult:
        """Record a callback: the checklist, the survey if asked, and whether the problem is back.

        On an accepted (or closed) ticket; on a resolved one too where the pack counts the callback from
        the result's entry (``[callback] service_from = "work_done"``, seed 003 二 5: the agent calls within
        24 hours of the entry, the slip signed on site perhaps not yet recorded) — the callback is then met
        in ``desk.sla()`` and the KPI, and the acceptance recorded later keeps it. Elsewhere a resolved
        ticket's callback is ``InvalidTransition`` (it follows the acceptance), as before.

        ``channel`` is how the customer was reached (phone by default; an online questionnaire by
        ``portal``, ``wechat`` or ``email``): seed 001 records every communication with its method
        (沟通方式), on the ticket's event and on the :class:`CallbackRecord`.

        ``satisfaction`` is an overall score (1–5) asked without the full survey; ``attitude`` the
        customer's evaluation (1–5) of the team's service attitude, beside it or as the survey's
        ``attitude``. A callback whose task owes a survey (seed 001 三(七): important customers, major
        problems) needs both — the result's satisfaction and the attitude (调查内容包括…处理结果的满意度、
        对售后团队服务态度的评价) — else ``ValidationError`` naming ``survey`` or ``attitude``. ``answers``
        are questions of the host's own beyond the checklist (kept on the event as ``answer.<question>``).

        A problem that is back reopens a closed ticket (or rejects a resolved one): rework. A survey
        whose overall score, or attitude evaluation, is below the complaint policy's threshold opens a
        complaint about the ticket in the same command (seed 004 第七条 4: 服务人员态度不好 is a
        complaint; its id is on the :class:`CallbackRecord`); at a complaint's own callback it sends
        that complaint back to investigating instead (seed 001: 直至客户满意为止). So does a customer who,
        whatever their score, says the repairer was not polite (``polite`` no), charged outside the rules
        (``charged_by_rules`` no) or writes a grievance in ``other_complaints`` (seed 004 第七条 3-4:
        投诉 is dissatisfaction said by any means; 服务人员态度不好 is a general complaint) — reason
        ``callback_grievance``.
        """
        return self._record(
            "record_callback", actor, ticket_id, checklist=checklist, problem_back=problem_back,
            survey=survey, comment=comment, satisfaction=satisfaction, answers=answers,
            idempotency_key=idempotency_key, channel=channel, attitude=attitude,
        )  # fmt: skip

    def _record(
        self,
        command: str,
        actor: Actor,
        ticket_id: str,
        *,
        checklist: CallbackChecklist,
        problem_back: bool,
        survey: SatisfactionSurvey | None = None,
        comment: str = "",
        satisfaction: int | None = None,
        answers: Mapping[str, bool] | None = None,
        idempotency_key: str | None = None,
        channel: Channel = Channel.PHONE,
        attitude: int | None = None,
    ) -> CommandResult:
        """:meth:`record`, run as ``command`` (``record_callback``, or the customer's own
        ``answer_ticket_survey``)."""
        if not isinstance(checklist, CallbackChecklist):
            raise ValidationError("checklist must be a CallbackChecklist", field="checklist")
        if survey is not None and not isinstance(survey, SatisfactionSurvey):
            raise ValidationError("survey must be a SatisfactionSurvey", field="survey")
        if not isinstance(problem_back, bool):
            raise ValidationError("problem_back is yes or no", field="problem_back")
        if not isinstance(comment, str) or len(comment) > 2000:
            raise ValidationError("comment is at most 2000 characters of text", field="comment")
        if satisfaction is not None and (
            not isinstance(satisfaction, int) or isinstance(satisfaction, bool) or not 1 <= satisfaction <= 5
        ):
            raise ValidationError(
                "satisfaction is a score from 1 to 5",
                field="satisfaction",
                rule="whole_number",
                rule_params={"least": 1, "most": 5},
            )
        if survey is not None and satisfaction is not None and satisfaction != survey.overall:
            raise ValidationError("satisfaction is the survey's overall score", field="satisfaction")
        if attitude is not None and (
            not isinstance(attitude, int) or isinstance(attitude, bool) or not 1 <= attitude <= 5
        ):
            raise ValidationError(
                "attitude is a score from 1 to 5",
                field="attitude",
                rule="whole_number",
                rule_params={"least": 1, "most": 5},
            )
        if survey is not None and survey.attitude is not None and attitude not in (None, survey.attitude):
            raise ValidationError("attitude is the survey's attitude score", field="attitude")
        score = survey.overall if survey is not None else satisfaction
        if attitude is None and survey is not None:
            attitude = survey.attitude
        channel = conversation_channel(channel, "a callback")
        facts: dict[str, JsonValue] = {"satisfaction": score, "comment": comment, "channel": channel.value}
        for question, answer in (answers or {}).items():
            if not isinstance(question, str) or not question.strip():
                raise ValidationError("a question answered is named (not blank)", field="answers")
            if not isinstance(answer, bool):
                raise ValidationError(f"answer to {question!r} must be yes or no", field="answers")
            facts[f"answer.{question}"] = answer
        for question, answer in checklist.answers().items():
            facts[f"answer.{question}"] = answer
        if attitude is not None:
            facts["attitude"] = attitude
        if checklist.other_complaints.strip():  # the customer's words, kept in the log (seed 003 二 5 归档)
            facts["other_complaints"] = checklist.other_complaints
        if survey is not None:
            facts.update({f"score.{k}": v for k, v in survey.dimensions().items()})
        return self._recorded(
            actor, ticket_id, command, checklist, problem_back, survey, comment, (satisfaction, score),
            attitude, facts, channel, idempotency_key,
        )  # fmt: skip

    def answer_survey(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        satisfaction: int,
        attitude: int | None = None,
        comment: str = "",
        channel: Channel = Channel.PORTAL,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """The customer's own answer to their ticket's satisfaction survey, online.

        Seed 001 三(七)2: 客户满意度调查可通过电话回访、在线问卷等方式进行 — the survey may be a call or an
        online questionnaire the customer fills in. Only staff could record a ticket's survey (a customer
        could answer a survey campaign's task, not their own ticket's). The permission table lets a
        customer (``answer_ticket_survey``) answer their own ticket's survey, once: staff are
        ``PermissionDenied`` (they record it as a callback), another customer's ticket is ``NotFound``, a
        complaint a ``ValidationError`` naming ``ticket_id`` (its callback is the centre's), a second
        answer a ``DuplicateError``; nothing changes.

        ``satisfaction`` (1–5) is the result's score and ``attitude`` (1–5) the evaluation of the team's
        service attitude (三(七)2 调查内容; a survey the callback plan owes needs both, as a callback's
        does); ``channel`` is the online way it came (``portal``, ``wechat`` or ``email``: a
        ``ValidationError`` naming ``channel`` otherwise). It is recorded as the callback is — the
        ticket's ``record_callback`` step by the customer, a :class:`CallbackRecord`, the pending
        callback task done, a low score or attitude opening a complaint (seed 004 第七条 4) — and never
        finds the problem back: a customer whose problem is back calls it in, as staff reopen a ticket.
        """
        if channel not in _ONLINE:
            raise ValidationError(
                f"a customer answers the survey online ({', '.join(c.value for c in _ONLINE)}), "
                f"not by {getattr(channel, 'value', channel)!r}",
                field="channel",
            )
        if satisfaction is None:
            raise ValidationError("the survey's answer gives satisfaction (1-5)", field="satisfaction")
        return self._record(
            CUSTOMER_ANSWER, actor, ticket_id, checklist=CallbackChecklist(), problem_back=False,
            comment=comment, satisfaction=satisfaction, idempotency_key=idempotency_key, channel=channel,
            attitude=attitude,
        )  # fmt: skip

    def _recorded(
        self,
        actor: Actor,
        ticket_id: str,
        command: str,
        checklist: CallbackChecklist,
        problem_back: bool,
        survey: SatisfactionSurvey | None,
        comment: str,
        scores: tuple[int | None, int | None],
        attitude: int | None,
        facts: dict[str, JsonValue],
        channel: Channel,
        idempotency_key: str | None,
    ) -> CommandResult:
        """Record the callback (``command``: ``record_callback``, or the customer's own
        ``answer_ticket_survey``, which each customer runs once per ticket); ``scores`` are the
        satisfaction given and the score judged (the survey's overall when one was given)."""
        satisfaction, score = scores

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied:
            check_callback_now(self.context.policies.callback, uow, ticket, "record_callback")
            if command == CUSTOMER_ANSWER:
                _check_first_answer(uow, actor, ticket)
            if not problem_back:
                check_survey_given(uow, ticket, score, attitude)
                if score is None and ticket.can("record_callback"):  # else refused as a callback
                    self._check_score_given(uow, ticket)
            why = comment or checklist.other_complaints or None
            ticket.record_callback(actor.ref, now, problem_back=problem_back, facts=facts, why=why)
            complete_tasks(uow, ticket, now)
            decisions: list[object] = []
            messages: list[OutboxMessage] = []
            if problem_back:  # seed 004 第八条 2(6): whoever follows the complaint up hears it is back
                messages += complaint_back_messages(self.context, uow, ticket, actor, now)
            complaint_id: TicketId | None = None
            judged = _lowest(score, attitude)
            # Seed 004 第七条 3-4: a customer saying the repairer was rude (or charged outside the rules,
            # or naming another grievance) has complained, whatever score they gave.
            grievances = checklist.grievances
            if (judged is not None or grievances) and self.on_survey is not None:
                # Kept as codes, worded in each reader's locale (i18n.callback_complaint_words).
                description = (
                    checklist.other_complaints
                    or comment
                    or coded_description(ticket.id, grievances, score, attitude, judged)
                )
                complaint_id, reacted = self.on_survey(
                    uow, actor, ticket, judged, grievances, description, now
                )
                messages += reacted.messages
                decisions += reacted.decisions
            if complaint_id is None and not problem_back:  # seed 001 三(七)3: not satisfied, no complaint
                said = checklist.other_complaints or comment
                messages += unsatisfied_notice(self.context, uow, ticket, judged, score, attitude, said, now)
            existing = uow.documents.query(CallbackRecord, ticket_id=ticket.id)
            record_id = f"{ticket.id}:callback_record:{len(existing) + 1}"
            known_absent(uow, CallbackRecord, record_id)  # numbered from the records of the ticket held
            uow.documents.add(
                CallbackRecord(
                    id=record_id,
                    ticket_id=ticket.id,
                    customer_id=ticket.customer_id,
                    at=now,
                    by=actor.ref,
                    checklist=checklist,
                    problem_back=problem_back,
                    survey=survey,
                    comment=comment,
                    complaint_id=complaint_id,
                    attitude=attitude,
                    channel=channel,
                    satisfaction=score,
                )
            )
            return Applied(messages=messages, decisions=decisions)

        return self.runner.execute(
            actor,
            command,
            ticket_id,
            apply,
            idempotency_key,
            request=[checklist, problem_back, survey, comment, satisfaction, facts],
            customer_first=self._may_open_complaint(_lowest(score, attitude), checklist.grievances),
        )

    def _may_open_complaint(self, judged: int | None, grievances: tuple[str, ...]) -> bool:
        """Whether this callback may open a complaint for the customer (a low score or a grievance): then
        its customer is held before its ticket, as an erasure takes them. A host's hook that cannot say
        beforehand (no ``may_open``) is asked for every callback with a score or a grievance."""
        if self.on_survey is None or (judged is None and not grievances):
            return False
        may_open = getattr(self.on_survey, "may_open", None)
        return True if may_open is None else bool(may_open(judged, grievances))

    # -- queries ------------------------------------------------------------------------------------

    def pending(self, actor: Actor, *, due_before: datetime | None = None) -> list[CallbackTask]:
        """Callbacks still to make (due before ``due_before`` if given), soonest first.

        The office sees every one; dealer staff (seed 002: the dealer makes its region's callbacks) see
        those of the tickets they may read, like every other read. The list says whom to call about
        which ticket and why (a VIP, a complaint): a logged read of those customers' personal data
        (``desk.privacy.access_log``, what ``callbacks_pending``)."""
        permit(actor, Workflow.DOCUMENTS, "callbacks")
        roles = roles_for(Workflow.DOCUMENTS, "callbacks")
        limit = require_aware(due_before, "due_before") if due_before is not None else None
        with self.context.reader(snapshot=False) as uow:
            tasks = uow.documents.query(CallbackTask, state=CallbackTaskState.PENDING)
            found = [t for t in tasks if limit is None or t.due_at < limit]
            if not sees_all(actor):  # in a role that may list callbacks: not one's own as a customer
                found = [t for t in found if can_read_as(actor, uow.tickets.get(t.ticket_id), roles)]
        record_access(self.runner, actor, "callbacks_pending", [t.customer_id for t in found])
        return sorted(found, key=lambda t: (t.due_at, t.id))

    def overdue(self, actor: Actor, at: datetime | None = None) -> list[CallbackTask]:
        """Callbacks not made by their due time (at ``at``, default now), most overdue first."""
        now = require_aware(at, "at") if at is not None else self._now()
        return [t for t in self.pending(actor) if t.overdue(now)]

    def records(self, actor: Actor, ticket_id: str) -> list[CallbackRecord]:
        """The callbacks made on ``ticket_id`` (if ``actor`` may see it), oldest first.

        The customer's answers and words (the survey, the comment): logged as a read of their personal
        data (``desk.privacy.access_log``, what ``callback_records``)."""
        with self.context.reader(snapshot=False) as uow:
            self.runner.visible(uow, actor, ticket_id)
            found = uow.documents.query(CallbackRecord, ticket_id=ticket_id)
        record_access(self.runner, actor, "callback_records", [r.customer_id for r in found])
        return sorted(found, key=lambda r: (r.at, r.id))
