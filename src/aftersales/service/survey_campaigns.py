"""Periodic satisfaction survey campaigns (定期開展客戶滿意度調查, seed 000).

:meth:`SurveyCampaigns.start` samples customers by the campaign's rules — product, region, tier,
served within N days, not surveyed (by a campaign or at a callback) within N days — and creates one
survey task per sampled customer (never an erased or unreachable one): for an agent to call, or, for
the ``link`` channel, a message with a link to the host's portal. Answers are the RATER scores of seed
002.
:meth:`SurveyCampaigns.results` gives the scores per region beside the per-ticket callback scores of
the same period.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar
from zoneinfo import ZoneInfo

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.erasure import ERASED
from aftersales.domain.parties import CustomerTier
from aftersales.domain.survey_campaigns import (
    CampaignChannel,
    CampaignState,
    Candidate,
    SamplingRules,
    SurveyCampaign,
    SurveyTask,
    SurveyTaskState,
    checked_period,
    notice_key_head,
    sample,
)
from aftersales.domain.surveys import RATER_DIMENSIONS, CallbackRecord, SatisfactionSurvey
from aftersales.errors import InvalidTransition, NotFound, ValidationError
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.queries import PageRequest, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.access_log import record_access
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.context import DeskContext
from aftersales.service.customer_name import customer_name
from aftersales.service.notify import NOT_SET, address_of
from aftersales.service.permissions import MAINTENANCE_ROLES, Workflow, can_write_party, permit
from aftersales.service.runner import CommandRunner, check_actor
from aftersales.service.scope import party_visible, sees_every
from aftersales.service.survey_served import served_on

__all__ = ["CampaignResults", "RegionScores", "SamplingTurn", "SurveyCampaigns"]

_PAGE = 1000
_REASON_MAX = 2000
"""A decline's reason is kept as the task's comment (at most 2,000 characters)."""


@attrs.define
class SamplingTurn:
    """The one record every campaign start rewrites first, so that starts sample one after the other.

    A campaign passes over customers surveyed within ``exclude_surveyed_days``: it reads the surveys
    made so far, then writes its own. Read with a lock where the store has one (PostgreSQL: ``FOR
    UPDATE``), a second start waits here until the first has committed and then reads its tasks; at
    read committed it otherwise sampled the same customers, asked twice in one week. SQLite and the
    memory store run writers one at a time anyway; the version raised on each start still refuses a
    concurrent one on a store without locks (the runner runs it again).
    """

    DOCUMENT_KIND: ClassVar[str] = "survey_sampling_turn"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()
    DOCUMENT_LOCK_ON_READ: ClassVar[bool] = True
    ID: ClassVar[str] = "campaigns"

    id: str = "campaigns"
    version: int = 0


def _take_turn(uow: UnitOfWork) -> None:
    """Wait for any campaign start in flight (see :class:`SamplingTurn`), then hold the turn."""
    try:
        turn = uow.documents.get(SamplingTurn, SamplingTurn.ID)
    except NotFound:
        uow.documents.add(SamplingTurn(SamplingTurn.ID))  # the first ever: a concurrent one is re-run
    else:
        uow.documents.save(turn)


@attrs.frozen
class RegionScores:
    """One region's campaign figures, and the callback scores of the same period for comparison."""

    region: str
    sampled: int
    answered: int
    declined: int
    overall: Decimal | None
    dimensions: tuple[tuple[str, Decimal], ...]
    callback_surveys: int
    callback_overall: Decimal | None
    attitude: Decimal | None = None
    """The mean evaluation of the team's service attitude the answers gave (seed 001 三(七)2), beside
    ``overall``; ``None`` when no answer gave one."""
    callback_attitude: Decimal | None = None
    """The same of the callbacks made in the period (those that asked it), beside ``callback_overall``."""
    callback_attitudes: int = 0
    """The tickets whose callbacks of the period evaluated the attitude: ``callback_attitude``'s count."""

    @property
    def response_rate(self) -> Decimal | None:
        """Answered over sampled, to four decimals."""
        if not self.sampled:
            return None
        return (Decimal(self.answered) / self.sampled).quantize(Decimal("0.0001"), ROUND_HALF_UP)


@attrs.frozen
class CampaignResults:
    """A campaign's results per region (``""`` for customers with no region) and in total."""

    campaign: SurveyCampaign
    regions: tuple[RegionScores, ...]
    total: RegionScores


def _mean(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@validated_commands
class SurveyCampaigns:
    """Survey campaigns of one desk (``desk.surveys``)."""

    def __init__(self, context: DeskContext, runner: CommandRunner) -> None:
        self.context = context
        self.runner = runner

    # -- commands -----------------------------------------------------------------------------------

    def start(
        self,
        actor: Actor,
        *,
        campaign_id: str,
        period: str,
        rules: SamplingRules | None = None,
        channel: CampaignChannel = CampaignChannel.CALL,
        title: str = "",
        link: str | None = None,
        idempotency_key: str | None = None,
    ) -> SurveyCampaign:
        """Start a campaign: sample customers by ``rules`` (the pack's defaults if ``None``), create tasks.

        A field of ``rules`` left unset (:data:`~aftersales.domain.survey_campaigns.FROM_PACK`, the
        default) takes the pack's ``[survey_campaign]`` value, a field set wins; the campaign keeps the
        rules as filled, so it records what was applied.

        ``link`` (for the ``link`` channel) is the host's portal address (``https://`` or ``http://``)
        with ``{task_id}`` where the task's id goes; each sampled customer gets it by their preferred
        channel.
        """
        permit(check_actor(actor), Workflow.MAINTENANCE, "start_campaign")
        channel = CampaignChannel(channel)
        period = checked_period(period)
        if rules is None:
            rules = SamplingRules()
        if not isinstance(rules, SamplingRules):
            raise ValidationError("rules are SamplingRules", field="rules")
        _known_tiers(rules)
        params = self.context.policies.survey_campaign
        rules = rules.filled(
            sample_size=params.sample_size,
            exclude_surveyed_days=params.exclude_surveyed_days,
            served_within_days=params.served_within_days,
        )
        if channel is CampaignChannel.LINK and (not isinstance(link, str) or "{task_id}" not in link):
            raise ValidationError("a link campaign needs a link with {task_id} in it", field="link")
        if link is not None and not link.lower().startswith(("https://", "http://")):
            # Sent to every sampled customer: a javascript: or file: address is not the host's portal.
            raise ValidationError("link is the portal's web address (https:// or http://)", field="link")

        def apply(uow: UnitOfWork, now: datetime) -> SurveyCampaign:
            _take_turn(uow)  # before the surveys made so far are read
            try:
                uow.documents.get(SurveyCampaign, campaign_id)
            except NotFound:
                pass
            else:
                raise ValidationError(f"campaign {campaign_id} already exists", field="campaign_id")
            today = self.context.today(now)
            picked = sample(campaign_id, rules, self._candidates(uow, rules, today), today)
            campaign = SurveyCampaign(
                id=campaign_id, period=period, rules=rules, channel=channel, started_at=now,
                started_by=actor.ref, title=title, sampled=len(picked),
            )  # fmt: skip
            uow.documents.add(campaign)
            messages: list[OutboxMessage] = []
            for candidate in picked:
                task = SurveyTask(
                    id=f"{campaign_id}:{candidate.customer_id}",
                    campaign_id=campaign_id,
                    customer_id=candidate.customer_id,  # type: ignore[arg-type]
                    region=candidate.region,
                    created_at=now,
                )
                uow.documents.add(task)
                if channel is CampaignChannel.LINK:
                    assert link is not None
                    messages += self._invitation(uow, task, title or period, link, now)
            uow.outbox.put(messages)
            return campaign

        request = (campaign_id, period, rules, channel, title, link)
        return self.runner.write(
            actor, "start_campaign", idempotency_key, request, apply,
            remember=lambda c: c.id, reload=lambda uow, cid: uow.documents.get(SurveyCampaign, cid),
        )  # fmt: skip

    def _invitation(
        self, uow: UnitOfWork, task: SurveyTask, title: str, link: str, now: datetime
    ) -> list[OutboxMessage]:
        customer = uow.customers.get(task.customer_id)
        values = {"title": title, "link": link.replace("{task_id}", task.id)}
        return self.context.notifications.contact_messages(
            "survey_invitation", "customer", customer.contact, values, f"survey:{task.id}", now
        )

    def _candidates(self, uow: UnitOfWork, rules: SamplingRules, today: date) -> Iterable[Candidate]:
        served = self._last_served(uow, rules, today)
        regions = sorted(rules.regions) if rules.regions else [None]
        for region in regions:
            customers = uow.customers.list(region=region) if region is not None else uow.customers.list()
            for customer in customers:
                if customer.name == ERASED or address_of(customer.contact) is None:
                    # Erased (PIPL: the person asked to be forgotten) or registered without a phone,
                    # WeChat or e-mail: no channel can ask them (seed 000: 問卷調查、電話回訪), and their
                    # task would sit on the call list and count in the sample, never answered.
                    continue
                if rules.tiers and customer.tier.value not in rules.tiers:
                    continue
                if rules.served_window is not None and customer.id not in served:
                    continue
                products: frozenset[str] = frozenset()
                if rules.products:
                    products = frozenset(a.product_id for a in uow.assets.list(customer_id=customer.id))
                yield Candidate(
                    customer.id,
                    customer.region,
                    customer.tier.value,
                    products,
                    served.get(customer.id),
                    self._last_surveyed(uow, customer.id),
                )

    def _last_served(self, uow: UnitOfWork, rules: SamplingRules, today: date) -> dict[str, date]:
        window = rules.served_window
        if window is None:
            return {}
        tz = ZoneInfo(self.context.timezone)
        # From the first hour of the window's first day: eligibility counts calendar days (domain
        # ``eligible``), so a service on day ``window`` is in whatever the hour the campaign starts.
        since = datetime.combine(today - timedelta(days=window), time.min, tzinfo=tz)
        last: dict[str, date] = {}
        cursor: str | None = None
        while True:
            page = uow.tickets.query(
                TicketFilter(received_from=since), PageRequest(limit=_PAGE, cursor=cursor)
            )
            for ticket in page.items:
                # Only a service given serves (survey_served): a call still open, cancelled or reopened
                # put its customer in the sample though nothing was done for them yet.
                day = served_on(ticket, tz)
                if day is not None and last.get(ticket.customer_id, date.min) < day:
                    last[ticket.customer_id] = day
            cursor = page.next_cursor
            if cursor is None:
                return last

    def _last_surveyed(self, uow: UnitOfWork, customer_id: str) -> date | None:
        tz = ZoneInfo(self.context.timezone)
        days = [
            t.created_at.astimezone(tz).date()
            for t in uow.documents.query(SurveyTask, customer_id=customer_id)
        ]
        days += [
            r.at.astimezone(tz).date()
            for r in uow.documents.query(CallbackRecord, customer_id=customer_id)
            if r.surveyed  # the two scores without the RATER form are the survey too
        ]
        return max(days) if days else None

    def close(
        self,
        actor: Actor,
        campaign_id: str,
        *,
        reason: str = "campaign closed",
        idempotency_key: str | None = None,
    ) -> SurveyCampaign:
        """Close a campaign (its period is over): its results are final. The tasks still pending are
        declined with ``reason``, so they leave the agents' call lists; answering or declining a task of
        a closed campaign is an ``InvalidTransition``. Who may start a campaign closes it. Replayable by
        key: a retry gets the campaign back, not the ``InvalidTransition`` of closing it twice."""
        permit(check_actor(actor), Workflow.MAINTENANCE, "start_campaign")
        if not isinstance(reason, str) or not reason.strip() or len(reason) > _REASON_MAX:
            raise ValidationError(f"a reason is 1 to {_REASON_MAX} characters", field="reason")

        def apply(uow: UnitOfWork, now: datetime) -> SurveyCampaign:
            campaign = uow.documents.get(SurveyCampaign, campaign_id)
            campaign.close(now, actor.ref)
            pending = SurveyTaskState.PENDING.value
            for task in uow.documents.query(SurveyTask, campaign_id=campaign_id, state=pending):
                task.decline(now, actor.ref, reason)
                uow.documents.save(task)
            return uow.documents.save(campaign)

        return self.runner.write(
            actor, "close_campaign", idempotency_key, (campaign_id, reason), apply,
            remember=lambda c: c.id, reload=lambda uow, cid: uow.documents.get(SurveyCampaign, cid),
        )  # fmt: skip

    def answer(
        self,
        actor: Actor,
        task_id: str,
        *,
        survey: SatisfactionSurvey,
        comment: str = "",
        idempotency_key: str | None = None,
    ) -> SurveyTask:
        """Record the customer's scores; the customer may answer their own task (the portal link).

        The survey carries the evaluation of the team's service attitude beside the result (seed 001
        三(七)2: 调查内容包括…处理结果的满意度、对售后团队服务态度的评价): without ``survey.attitude``
        the answer is a ``ValidationError`` naming ``attitude``, and nothing changes. :meth:`results`
        averages it.

        An overall score or attitude rating the complaint policy finds too low (``[complaint]
        complaint_below_score``, the threshold at which a callback's score opens a complaint) is
        reported to the manager in the same command — the staff the directory lists for
        ``Role.MANAGER``, who hear of the complaint a low callback score opens — with the customer's
        words (seed 001 三(七)3: 售后专员负责整理客户满意度调查结果, 分析客户不满意的原因…反馈给售后经理).
        A campaign answer is about no one ticket, so no complaint is opened: a problem the customer
        names is a request of its own (proactive callback).
        """
        permit(check_actor(actor), Workflow.MAINTENANCE, "answer_survey")

        def apply(uow: UnitOfWork, now: datetime) -> SurveyTask:
            task = self._task(uow, actor, task_id)
            task.answer(survey, comment, now, actor.ref)
            uow.outbox.put(self._low_score_notice(uow, task, now))
            return uow.documents.save(task)

        return self.runner.write(
            actor, "answer_survey", idempotency_key, (task_id, survey, comment), apply,
            remember=lambda t: t.id, reload=lambda uow, tid: uow.documents.get(SurveyTask, tid),
        )  # fmt: skip

    def _low_score_notice(self, uow: UnitOfWork, task: SurveyTask, now: datetime) -> list[OutboxMessage]:
        """The manager's notice of an answer scored below the complaint policy's threshold (none else)."""
        assert task.answers is not None
        attitude = task.answers.attitude
        # The lower of the result's score and the attitude rating, as a callback's complaint judges them
        # (seed 004 第七条 4: 服务人员态度不好 is a complaint).
        lowest = min(task.answers.overall, attitude) if attitude is not None else task.answers.overall
        verdict = self.context.policies.complaint.opens_complaint(lowest)
        if not verdict.outcome:
            return []
        name = customer_name(uow, task.customer_id)  # a task outliving its customer's record still tells
        values = {
            "campaign_id": task.campaign_id,
            "task_id": task.id,
            "customer_name": name,
            "score": task.answers.overall,
            "attitude": attitude if attitude is not None else NOT_SET,
            # The threshold the verdict names (a host's policy may keep no ``params`` to read it from).
            "below": next((r.params["below"] for r in verdict.reasons if "below" in r.params), NOT_SET),
            "comment": task.comment or NOT_SET,
        }
        key = f"{notice_key_head(task.id)}:survey_low_score"
        return self.context.notifications.staff_messages(
            "survey_low_score", (Role.MANAGER,), values, key, now
        )

    def decline(
        self, actor: Actor, task_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> SurveyTask:
        """The customer could not be reached or would not answer. Replayable by key, as :meth:`answer`: a
        retry gets the task back, not the ``InvalidTransition`` of declining it twice."""
        permit(check_actor(actor), Workflow.MAINTENANCE, "answer_survey")
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationError("declining a survey needs a reason", field="reason")
        if len(reason) > _REASON_MAX:
            # Kept as the task's comment: refused there, the error named ``comment``, not the argument.
            raise ValidationError(
                f"a reason has at most {_REASON_MAX} characters ({len(reason)} given)", field="reason"
            )

        def apply(uow: UnitOfWork, now: datetime) -> SurveyTask:
            task = self._task(uow, actor, task_id)
            task.decline(now, actor.ref, reason)
            return uow.documents.save(task)

        return self.runner.write(
            actor, "decline_survey", idempotency_key, (task_id, reason), apply,
            remember=lambda t: t.id, reload=lambda uow, tid: uow.documents.get(SurveyTask, tid),
        )  # fmt: skip

    def _task(self, uow: UnitOfWork, actor: Actor, task_id: str) -> SurveyTask:
        if not isinstance(task_id, str) or not task_id:
            raise ValidationError("a task id is a non-empty string", field="task_id")
        task = uow.documents.get(SurveyTask, task_id)
        # Seed 002 (乙方有义务配合甲方对本区域的用户进行回访和满意度调查工作): a region write.
        writes = can_write_party(
            actor, "answer_survey", MAINTENANCE_ROLES["answer_survey"],
            customer_id=task.customer_id, region=task.region,
        )  # fmt: skip
        if not writes:
            raise NotFound("survey_task", task_id)
        campaign = uow.documents.get(SurveyCampaign, task.campaign_id)
        if campaign.state is CampaignState.CLOSED:  # its results are final
            # Named as the record it is: its words are survey_campaign_state.*, not a ticket's "已关闭".
            raise InvalidTransition(
                "survey_campaign", campaign.state.value, "answer_survey", record_id=campaign.id
            )
        return task

    # -- queries ------------------------------------------------------------------------------------

    def tasks(
        self, actor: Actor, campaign_id: str, *, state: SurveyTaskState = SurveyTaskState.PENDING
    ) -> list[SurveyTask]:
        """A campaign's tasks in ``state`` within ``actor``'s scope (the agents' call list); an unknown
        campaign is ``NotFound``. Whom it lists (and their answers and comments) is logged as a read of
        their personal data (``desk.privacy.access_log``, what ``survey_tasks``)."""
        permit(check_actor(actor), Workflow.MAINTENANCE, "read_campaigns")
        with self.context.store() as uow:
            uow.documents.get(SurveyCampaign, campaign_id)  # an unknown campaign is NotFound, not "no tasks"
            found = uow.documents.query(
                SurveyTask, campaign_id=campaign_id, state=SurveyTaskState(state).value
            )
        tasks = [t for t in found if _sees(actor, t, "read_campaigns")]
        record_access(self.runner, actor, "survey_tasks", [t.customer_id for t in tasks])
        return tasks

    def results(
        self, actor: Actor, campaign_id: str, *, callbacks_from: datetime | None = None
    ) -> CampaignResults:
        """Scores per region, beside the callback surveys made since ``callbacks_from``.

        ``callbacks_from`` defaults to the campaign's sampling window (the pack's "served within"). A
        reader who sees part of the tasks (a dealer's staff) reads the campaign with its part's count.
        """
        permit(check_actor(actor), Workflow.MAINTENANCE, "read_campaigns")
        with self.context.store() as uow:
            campaign = uow.documents.get(SurveyCampaign, campaign_id)
            found = uow.documents.query(SurveyTask, campaign_id=campaign_id)
            tasks = [t for t in found if _sees(actor, t, "read_campaigns")]
            since = callbacks_from or campaign.started_at - timedelta(days=_window_of(campaign.rules))
            callbacks = self._callback_scores(uow, {t.customer_id: t.region for t in tasks}, since)
        by_region: dict[str, list[SurveyTask]] = defaultdict(list)
        for task in tasks:
            by_region[task.region or ""].append(task)
        regions = tuple(
            _scores(region, by_region[region], callbacks.get(region, [])) for region in sorted(by_region)
        )
        everything = [s for records in callbacks.values() for s in records]
        if not sees_every(actor, MAINTENANCE_ROLES["read_campaigns"]):
            campaign = attrs.evolve(campaign, sampled=len(tasks))  # their scope's count, not the market's
        return CampaignResults(campaign, regions, _scores("total", tasks, everything))

    @staticmethod
    def _callback_scores(
        uow: UnitOfWork, regions: dict[str, str | None], since: datetime
    ) -> dict[str, list[_Judged]]:
        """The callbacks of the period, one per ticket, by region: the satisfaction and the attitude the
        ticket's callbacks of the period last recorded (see :func:`_per_ticket`)."""
        out: dict[str, list[_Judged]] = defaultdict(list)
        for customer_id, region in regions.items():
            records = uow.documents.query(CallbackRecord, customer_id=customer_id)
            out[region or ""] += _per_ticket(r for r in records if r.at >= since)
        return out


_Judged = tuple[int | None, int | None]
"""One ticket's callback figures: its satisfaction with the result and its evaluation of the attitude."""


def _per_ticket(records: Iterable[CallbackRecord]) -> list[_Judged]:
    """The satisfaction score and the attitude evaluation each ticket's ``records`` last gave, for the
    tickets that gave either: a ticket's survey (seed 001 三(七)1: 在问题处理完毕后进行客户满意度调查) is
    its latest, as the KPI report counts it (one rating per ticket; a callback that found the problem back
    is followed by the rework's). A score asked without the full survey is a score (三(七)2: 对问题处理
    结果的满意度): the results counted only full surveys, while the KPI report counted both, and averaged
    the attitude of callbacks whose score they did not count."""
    last: dict[str, _Judged] = {}
    for record in sorted(records, key=lambda r: r.at):
        score, attitude = last.get(record.ticket_id, (None, None))
        given = record.score
        last[record.ticket_id] = (
            given if given is not None else score,
            record.attitude if record.attitude is not None else attitude,
        )
    return [judged for judged in last.values() if judged != (None, None)]


def _scores(region: str, tasks: list[SurveyTask], callbacks: list[_Judged]) -> RegionScores:
    answered = [t.answers for t in tasks if t.state is SurveyTaskState.ANSWERED and t.answers is not None]
    callback_overall = [score for score, _ in callbacks if score is not None]
    callback_attitude = [attitude for _, attitude in callbacks if attitude is not None]
    dimensions = tuple(
        (name, mean)
        for name in RATER_DIMENSIONS
        if (mean := _mean([getattr(a, name) for a in answered])) is not None
    )
    return RegionScores(
        region=region,
        sampled=len(tasks),
        answered=len(answered),
        declined=sum(t.state is SurveyTaskState.DECLINED for t in tasks),
        overall=_mean([a.overall for a in answered]),
        dimensions=dimensions,
        callback_surveys=len(callback_overall),
        callback_overall=_mean(callback_overall),
        attitude=_mean([a.attitude for a in answered if a.attitude is not None]),
        callback_attitude=_mean(callback_attitude),
        callback_attitudes=len(callback_attitude),
    )


def _sees(actor: Actor, task: SurveyTask, command: str) -> bool:
    """The task's customer or region is in the scope of one of ``actor``'s roles that may run
    ``command`` (an auditor's see-all scope answers no survey; a customer's lists no call list)."""
    allowed = MAINTENANCE_ROLES[command]
    return party_visible(actor, customer_id=task.customer_id, region=task.region, allowed=allowed)


def _window_of(rules: SamplingRules) -> int:
    """The sampling window of a stored campaign, for the callbacks it is compared with (90 days if none)."""
    window = rules.served_within_days
    return window if isinstance(window, int) else 90


def _known_tiers(rules: SamplingRules) -> None:
    """Refuse a tier that is no customer tier's code: it matches no customer, so the campaign would
    sample nobody of it and say nothing (session 36: ``tiers={"VIP"}`` started a campaign of no VIP)."""
    tiers = {tier.value for tier in CustomerTier}
    unknown = sorted(rules.tiers - tiers)
    if unknown:
        allowed = ", ".join(sorted(tiers))
        raise ValidationError(
            f"rules.tiers names no customer tier: {', '.join(map(repr, unknown))} (tiers: {allowed})",
            field="rules.tiers",
            rule="one_of",
            rule_params={"allowed": allowed},
        )
