"""Session 21: the job settings and ``run_due`` refuse what they would not use, as typed errors.

``JobSettings`` named an unknown job in its refusal by joining the names given: a number among them
(``every={1: …}``, ``disabled={1}``) or a name beside a number failed as a bare ``TypeError`` while the
message was written, and a list among the disabled names as ``unhashable type``. ``run_due(only=...)``
naming a job the settings disable ran nothing and reported nothing (not even "skipped"): the host
asking for ``deliver`` by name on a desk whose delivery runs elsewhere was told nothing at all. Now each
is a ``ValidationError`` naming its field, on every store alike.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.errors import ValidationError
from aftersales.service.jobs import JobSettings
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"every": {1: timedelta(hours=1)}}, "every"),
        ({"every": {1: timedelta(hours=1), "nightly": timedelta(hours=1)}}, "every"),
        ({"disabled": {1}}, "disabled"),
        ({"disabled": {1, "nightly"}}, "disabled"),
        ({"disabled": [["deliver"]]}, "disabled"),
    ],
)
def test_job_names_that_are_not_text_are_a_validation_error(given: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        JobSettings(**given)  # type: ignore[arg-type]
    assert refused.value.field == field and "unknown job" in str(refused.value)


@pytest.mark.parametrize("backend", BACKENDS)
def test_asking_by_name_for_a_disabled_job_is_refused(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, _world):
        desk.jobs.configure(JobSettings(disabled={"deliver", "purge_sent"}))
        with pytest.raises(ValidationError) as refused:
            desk.jobs.run_due(only=("deliver", "purge_dead"))
        assert refused.value.field == "only" and "deliver" in str(refused.value)
        assert desk.jobs.leases() == []  # refused before anything ran
        report = desk.jobs.run_due(only=("purge_dead",))  # an enabled job by name still runs
        assert report.ran == ("purge_dead",)
