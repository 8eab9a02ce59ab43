"""The service desk's shifts (客服专员实行轮班制, 保证服务的连续性: seed 003), through the one command path.

The heads plan the agents' shifts window by window (a week, a corrected day); staff read who is at the
desk and where the plan leaves working time uncovered. While a shift covers the moment, what the desk
tells the agents (a callback falling due, an SLA alert, an escalation) goes to the agents on duty — their
own entries of the staff directory — instead of every agent
(:func:`~aftersales.service.on_duty.agents_on_duty`); with nobody on
duty, or none of them listed, it goes to the agents' shared entry as before, so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from aftersales.domain.agent_shifts import AgentShift, DeskRoster, RosterGap
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.context import DeskContext
from aftersales.service.departed_staff import check_shifts_before_departure
from aftersales.service.master_data import record_change
from aftersales.service.on_duty import ROSTER_ID, agents_on_duty, stored_roster
from aftersales.service.permissions import PERMISSIONS, Workflow, check_role
from aftersales.service.runner import CommandRunner

__all__ = ["AgentShiftDesk"]


@validated_commands
class AgentShiftDesk:
    """Plan the agents' shifts; read who is on duty and the working time nobody covers."""

    def __init__(self, context: DeskContext, runner: CommandRunner) -> None:
        self.context = context
        self.runner = runner

    def plan(
        self,
        actor: Actor,
        start: datetime,
        end: datetime,
        shifts: Iterable[AgentShift],
        *,
        idempotency_key: str | None = None,
    ) -> DeskRoster:
        """Replace the shifts of ``[start, end)`` with ``shifts`` (heads only). Each shift lies inside the
        window; a stored shift crossing the window's edge is refused naming that edge.

        The roster is reference data the heads keep (seed 003: 客服专员实行轮班制, 保证服务的连续性; who is
        on duty is who the desk's alerts reach), so a plan is audited as a team's roster is: a
        ``MasterDataChange`` of record kind ``agent_shifts``, record ``desk`` (``desk.master_data_history``),
        whose before and after are the window's shifts (:class:`RosterWindow`). A plan leaving the
        window's shifts as they were records nothing.

        Replayable by key: a host retrying a plan whose answer it lost gets the roster back without
        planning the window again (a head who corrected the window meanwhile keeps the correction); the
        same key with other shifts or another window is ``IdempotencyKeyReused``."""
        check_role(actor, "plan_agent_shifts", None, PERMISSIONS[Workflow.DOCUMENTS]["plan_agent_shifts"])
        wanted = list(shifts)
        if not all(isinstance(s, AgentShift) for s in wanted):
            raise ValidationError("shifts are AgentShift values", field="shifts")

        def apply(uow: UnitOfWork, now: datetime) -> DeskRoster:
            check_shifts_before_departure(uow, wanted, self.context.today)
            roster = stored_roster(uow)
            if roster is None:
                roster = DeskRoster(ROSTER_ID)
                before = roster.window(start, end)
                roster.plan(start, end, wanted)
                uow.documents.add(roster)
            else:
                before = roster.window(start, end)
                roster.plan(start, end, wanted)
                roster = uow.documents.save(roster)
            after = roster.window(start, end)
            if after != before:  # a plan that changes nothing records nothing
                record_change(uow, actor, "plan_agent_shifts", now, before, after)
            return roster

        return self.runner.write(
            actor,
            "plan_agent_shifts",
            idempotency_key,
            [start.isoformat(), end.isoformat(), wanted] if idempotency_key is not None else None,
            apply,
            remember=lambda roster: roster.id,
            reload=lambda uow, _: stored_roster(uow) or DeskRoster(ROSTER_ID),
        )

    def on_duty(self, actor: Actor, at: datetime) -> tuple[str, ...]:
        """The ids of the agents at the desk at ``at`` (staff only)."""
        self._check_read(actor)
        with self.context.store() as uow:
            return tuple(ref.id for ref in agents_on_duty(uow, at))

    def shifts(self, actor: Actor, start: datetime, end: datetime) -> tuple[AgentShift, ...]:
        """The planned shifts overlapping ``[start, end)``, in start order (staff only)."""
        self._check_read(actor)
        if end <= start:
            raise ValidationError("the span ends after it starts", field="end")
        with self.context.store() as uow:
            roster = stored_roster(uow)
        if roster is None:
            return ()
        return tuple(s for s in roster.shifts if s.starts_at < end and s.ends_at > start)

    def gaps(self, actor: Actor, start: datetime, end: datetime) -> list[RosterGap]:
        """The spans of ``[start, end)`` whose working time (the desk's calendar) no shift covers: where
        the plan breaks the desk's continuity. Without a calendar there is no working time to cover."""
        self._check_read(actor)
        calendar = self.context.calendar
        if calendar is None:
            raise ConfigurationError(
                "the desk has no working calendar to check the roster against", key="calendar"
            )
        with self.context.store() as uow:
            roster = stored_roster(uow) or DeskRoster(ROSTER_ID)
        return roster.gaps(calendar, start, end)

    @staticmethod
    def _check_read(actor: Actor) -> None:
        check_role(actor, "read_agent_shifts", None, PERMISSIONS[Workflow.DOCUMENTS]["read_agent_shifts"])
