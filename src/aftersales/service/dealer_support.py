"""``desk.dealer_support``: a dealer asks the maker for technical support on its job; the maker answers.

Seed 002 售后服务分工与合作: 乙方负责所售产品的全过程服务 (1); 甲方免费向乙方提供技术支持服务 (2); 对于乙方
在安装调试过程中碰到的问题，甲方免费提供技术支持服务 (5). A dealer's staff (or the office taking its call)
ask on one of the dealer's installation or repair jobs — the dealer doing the job
(:func:`~aftersales.service.scope.purchasing_dealer`) — and the maker's own staff answer: the office or
one of the maker's engineers, never a dealer's. Nothing is charged: a request has no price, and its
answer records ``technical_support_free``. The dealer is told of the answer (``technical_support_answered``
to the dealer's contact), and its archive lists the requests and counts them by topic
(用户档案建立与管理: 该地区需加强某方面的支持). On a customer's erasure the question and the answer about
the person's jobs are blanked (the dealer's record stays, its texts written from the person's visit).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.erasure import ERASED
from aftersales.domain.technical_support import (
    SupportMedium,
    SupportState,
    TechnicalSupportRequest,
)
from aftersales.domain.ticket_workflow import TicketState
from aftersales.domain.validation import enum_code
from aftersales.errors import NotFound, PermissionDenied, PolicyError, ValidationError
from aftersales.i18n.values import CodeWords
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.context import DeskContext
from aftersales.service.numbering import next_number
from aftersales.service.permissions import PERMISSIONS, Workflow, authorize, check_role
from aftersales.service.runner import CommandRunner
from aftersales.service.scope import acts_as_dealer_staff, party_visible, purchasing_dealer, sees_every

__all__ = ["DealerSupportDesk", "blank_support_of", "support_of_dealer"]

_DOCS = PERMISSIONS[Workflow.DOCUMENTS]

SUPPORT_TOPIC_WORDS = "support_topic"
"""The catalog prefix of a support topic's words (``support_topic.flush_valve_fitting``)."""


def support_of_dealer(uow: UnitOfWork, dealer_id: str) -> list[TechnicalSupportRequest]:
    """The support requests of ``dealer_id``'s jobs, oldest first."""
    found = uow.documents.query(TechnicalSupportRequest, dealer_id=dealer_id)
    return sorted(found, key=lambda r: (r.asked_at, r.id))


def blank_support_of(uow: UnitOfWork, customer_id: str, ticket_ids: Sequence[str]) -> int:
    """The erasure hook: blank the question and the answer of the support asked on the person's jobs
    (written from their visit); the request, its topic and times stay in the dealer's record. Returns
    how many changed."""
    changed = 0
    for ticket_id in ticket_ids:
        for request in uow.documents.query(TechnicalSupportRequest, ticket_id=ticket_id):
            if request.question == ERASED and request.answer in ("", ERASED):
                continue
            request.question = ERASED
            request.answer = ERASED if request.answer else ""
            uow.documents.save(request)
            changed += 1
    return changed


def _check_makers_engineer(
    uow: UnitOfWork, actor: Actor, command: str, target: object, now: datetime
) -> None:
    """An engineer reads and answers the maker's support only as the maker's own at ``now`` (a dealer's
    engineer, or one who left or was deactivated: ``PermissionDenied`` ``not_the_makers_staff``: the
    dealer does not support itself, and an answer signed by someone gone — their data perhaps erased —
    would put a new record under their id)."""
    try:
        engineer = uow.engineers.get(actor.engineer_id or actor.id)
    except NotFound:
        raise PermissionDenied(str(actor), command, target, rule="not_the_makers_staff") from None
    if engineer.dealer_id is not None or engineer.gone_at(now):
        raise PermissionDenied(str(actor), command, target, rule="not_the_makers_staff")


@validated_commands
class DealerSupportDesk:
    """The maker's free technical support to its dealers (分工 2, 5)."""

    def __init__(self, context: DeskContext, runner: CommandRunner) -> None:
        self.context = context
        self.runner = runner

    def ask(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        topic: str,
        question: str,
        idempotency_key: str | None = None,
    ) -> TechnicalSupportRequest:
        """The dealer doing the job ``ticket_id`` (an installation or a repair) asks the maker for
        technical support on ``topic`` (a snake_case code, e.g. ``flush_valve_fitting``): ``question``.

        Dealer staff ask on their own dealer's jobs (another dealer's job: ``PermissionDenied``; a ticket
        they may not read: ``NotFound``); the office records a dealer's call for it. A job no dealer does
        (the maker's own) is ``PolicyError`` ``not_a_dealers_job``; another kind of job is a
        ``ValidationError`` naming ``ticket_id``; a cancelled job ``PolicyError`` ``ticket_cancelled``.
        Replayable by ``idempotency_key``."""
        roles = _DOCS["ask_technical_support"]
        check_role(actor, "ask_technical_support", ticket_id, roles)
        draft = TechnicalSupportRequest(
            "draft", "draft", "draft", "repair", topic, question, self.context.now(), actor.ref
        )  # the values checked (field and rule named) before anything runs

        def apply(uow: UnitOfWork, now: datetime) -> TechnicalSupportRequest:
            ticket = self.runner.load(uow, ticket_id)
            team = self.runner.team_of_assignee(uow, ticket)
            authorize(actor, "ask_technical_support", ticket, team, roles)
            dealer_id = purchasing_dealer(ticket)
            if dealer_id is None:
                raise PolicyError(f"{ticket.id} is the maker's own job", code="not_a_dealers_job")
            if acts_as_dealer_staff(actor, roles) and dealer_id != actor.dealer_id:
                raise PermissionDenied(
                    str(actor), "ask_technical_support", ticket.id, rule="other_dealers_job"
                )
            if ticket.state == TicketState.CANCELLED:
                raise PolicyError(f"{ticket.id} was cancelled: no job to support", code="ticket_cancelled")
            record = attrs.evolve(
                draft, id=next_number(uow, "technical_support", now), dealer_id=dealer_id,
                ticket_id=ticket.id, job=ticket.category.code, asked_at=now,
            )  # fmt: skip
            uow.documents.add(record)
            return record

        return self.runner.write(
            actor,
            "ask_technical_support",
            idempotency_key,
            [ticket_id, topic, question],
            apply,
            remember=lambda r: r.id,
            reload=lambda uow, id: uow.documents.get(TechnicalSupportRequest, id),
        )

    def answer(
        self, actor: Actor, support_id: str, *, answer: str, medium: SupportMedium | str
    ) -> TechnicalSupportRequest:
        """The maker's staff answer request ``support_id`` by ``medium`` (phone, online, on site,
        written), free of charge: the office, or one of the maker's own engineers (a dealer's engineer,
        or one who has left, is ``PermissionDenied``: the dealer does not support itself). Answered
        once (``PolicyError`` ``support_answered``). The dealer's contact is told
        (``technical_support_answered``)."""
        roles = _DOCS["answer_technical_support"]
        check_role(actor, "answer_technical_support", support_id, roles)
        probe = TechnicalSupportRequest(
            "draft", "draft", "draft", "repair", "draft", "draft", self.context.now(), actor.ref
        )
        probe.reply(actor.ref, self.context.now(), answer, medium)  # the values checked first
        how = probe.medium

        def apply(uow: UnitOfWork, now: datetime) -> TechnicalSupportRequest:
            request = uow.documents.get(TechnicalSupportRequest, support_id)
            if not sees_every(actor, roles):
                _check_makers_engineer(uow, actor, "answer_technical_support", support_id, now)
            assert how is not None
            request.reply(actor.ref, now, answer, how)
            uow.documents.save(request)
            try:
                contact = uow.dealers.get(request.dealer_id).contact
            except NotFound:
                contact = None
            if contact is not None:
                values: dict[str, object] = {
                    "support_id": request.id,
                    "ticket_id": request.ticket_id,
                    # The topic's words where the catalog has them (a code inside Chinese text reads as
                    # a fault), else the dealer's code (session 37).
                    "topic": CodeWords(SUPPORT_TOPIC_WORDS, request.topic),
                    "answer": answer,
                }
                uow.outbox.put(
                    self.context.notifications.contact_messages(
                        "technical_support_answered", "dealer", contact, values,
                        f"technical_support_answered:{request.id}", now,
                    )
                )  # fmt: skip
            return request

        return self.runner.write(actor, "answer_technical_support", None, [support_id, answer, how], apply)

    def requests(
        self, actor: Actor, *, dealer_id: str | None = None, state: SupportState | str | None = None
    ) -> list[TechnicalSupportRequest]:
        """The support requests ``actor`` may read, oldest first: of ``dealer_id`` (``None``: every
        dealer's, for the maker's staff), in ``state`` (``asked``: those waiting for an answer). Dealer
        staff read their own dealer's only (``PermissionDenied`` for another's, or for all)."""
        roles = _DOCS["read_technical_support"]
        check_role(actor, "read_technical_support", dealer_id, roles)
        wanted: SupportState | None = None if state is None else enum_code(SupportState, state, "state")
        if dealer_id is not None and not isinstance(dealer_id, str):
            raise ValidationError("dealer_id is a dealer's id", field="dealer_id")
        dealers_side = not sees_every(actor, roles) and not actor.has_role(Role.ENGINEER)
        own = dealer_id is not None and party_visible(actor, dealer_id=dealer_id, allowed=roles)
        if dealers_side and not own:
            raise PermissionDenied(str(actor), "read_technical_support", dealer_id)
        with self.context.store() as uow:
            if not dealers_side and not sees_every(actor, roles):
                _check_makers_engineer(uow, actor, "read_technical_support", dealer_id, self.context.now())
            if dealer_id is not None:
                uow.dealers.get(dealer_id)
                found = support_of_dealer(uow, dealer_id)
            else:
                found = sorted(uow.documents.query(TechnicalSupportRequest), key=lambda r: (r.asked_at, r.id))
        return [r for r in found if wanted is None or r.state is wanted]
