# mypy: disable-error-code="arg-type"
"""A departed engineer's erasure racing a training record with their test score (session 31, n).

PIPL art. 47: an erasure blanks the person's test scores (``staff_erasure``), and a record filed for them
after it is refused (rule ``staff_erased``, session 31 f). Raced on one store (:func:`two_desk_races.race`,
both transactions read before either commits), the outcome must be one of the two run one after the
other: the training first (its score then blanked by the erasure) or the erasure first (the training
refused). On PostgreSQL neither locked anything of the person: the training read no erasure record yet,
the erasure read the trainings without the new one, both committed, and the score survived the erasure.
Both now lock the person's departure (the erasure before it reads the trainings): one waits for the other.
"""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path

import pytest
from test_staff_erasure_s30h import DPO, MANAGER, NOW, _kept
from two_desk_races import race

from aftersales.adapters.clock import ManualClock
from aftersales.domain.staff_records import StaffKind, StaffTraining, Trainee
from aftersales.domain.training import TrainingTopic
from aftersales.errors import ValidationError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import store_url


@pytest.mark.parametrize("training_first", [False, True])
@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_score_recorded_while_its_engineer_is_erased_is_refused_or_erased(
    backend: str, tmp_path: Path, training_first: bool
) -> None:
    with contextlib.ExitStack() as stack:
        clock = ManualClock(NOW)
        url = stack.enter_context(store_url(backend, tmp_path, "staff-race.db"))
        first = stack.enter_context(ServiceDesk.open(url, pack="exhibition_services", clock=clock))
        second = (
            first
            if backend == "memory"
            else stack.enter_context(ServiceDesk.open(url, pack="exhibition_services", clock=clock))
        )
        tid = _kept(first)
        first.dispatch(Actor.agent("a1"), tid, engineer_id="e2", reason="赵工离职")
        first.staff_records.record_departure(MANAGER, "e1", date(2026, 3, 30))
        first.master_data.deactivate_engineer(MANAGER, "e1", reason="离职")

        def erase(desk: ServiceDesk) -> object:
            return desk.staff_records.erase_staff(DPO, "e1", "left the company")

        def train(desk: ServiceDesk) -> object:
            return desk.staff_records.record_staff_training(
                MANAGER, held_on=date(2026, 3, 20), trainer="培训部", topics=[TrainingTopic.REPAIR_SKILLS],
                trainees=[Trainee("e2", StaffKind.ENGINEER, 90), Trainee("e1", StaffKind.ENGINEER, 77)],
            )  # fmt: skip

        told = race(first, second, *((train, erase) if training_first else (erase, train)))
        trained, erased = told if training_first else told[::-1]
        assert erased.ok, erased.error
        if not trained.ok:  # the erasure went first: nothing more under their id
            assert isinstance(trained.error, ValidationError), trained.error
            assert (trained.error.field, trained.error.rule) == ("trainees", "staff_erased")
        with first.store() as uow:
            scores = [
                line.score
                for training in uow.documents.query(StaffTraining)
                for line in training.trainees
                if line.staff_id == "e1"
            ]
            lines = {t.id: len(t.trainees) for t in uow.documents.query(StaffTraining)}
        assert scores and all(s is None for s in scores), scores  # no score of theirs survived
        assert len(lines) == (2 if trained.ok else 1)
