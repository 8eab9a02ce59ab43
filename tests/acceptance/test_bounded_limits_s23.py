"""Every bounded whole number a caller passes is checked one way and refused in one shape (session 23, d).

A run's limit, a batch, a page size, a count of senders: each command checked its own bound and worded its
own refusal ("limit is a number of lines from 1 to 1,000,000", "batch is a whole number from 1 to 10000",
"limit is tickets per page, 1 to 1000", "senders must be an integer from 1 to 256"), and a person read only
"输入有误：batch" — not the bounds. Now each is an :class:`OutOfBounds` naming the field, the bounds and the
value ("batch is a whole number from 1 to 10,000, got 0"); :func:`render_error` words the bounds. Nothing
changes on a refusal. On memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from aftersales import OutOfBounds, render_error
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.policies.attachments import AttachmentParams
from aftersales.policies.complaints import MAX_MIN_UNITS, ComplaintParams
from aftersales.policies.maintenance import MaintenanceParams
from aftersales.policies.notification import NotificationParams
from aftersales.policies.privacy import MAX_RETENTION_DAYS, PrivacyParams
from aftersales.policies.survey_campaign import SurveyCampaignParams
from aftersales.ports.outbox_dispatch import MAX_SENDERS
from aftersales.ports.queries import MAX_PAGE, PageRequest
from aftersales.ports.ticket_search import SearchRequest
from aftersales.service.delivery import MOST_PURGED
from aftersales.service.desk import ServiceDesk
from aftersales.service.fee_desk import MOST_BATCH
from aftersales.service.jobs import JobSettings
from aftersales.service.materials_params import MaterialsParams
from conftest import World, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]

Call = Callable[[ServiceDesk, World, Any], object]

BOUNDED: dict[str, tuple[str, int, Call]] = {
    "chargebacks": (
        "limit",
        1_000_000,
        lambda d, w, v: d.materials.run_overdue_chargebacks(w.manager, limit=v),
    ),
    "reminders": ("limit", 1_000_000, lambda d, w, v: d.materials.run_return_reminders(w.manager, limit=v)),
    "money index": ("batch", MOST_BATCH, lambda d, w, v: d.fees.backfill_money_index(w.manager, batch=v)),
    "batch tallies": ("batch", MAX_PAGE, lambda d, w, v: d.batch_tallies.backfill(w.manager, batch=v)),
    "late afters": ("batch", MAX_PAGE, lambda d, w, v: d.late_afters.backfill(w.manager, batch=v)),
    "late afters page": ("batch", MAX_PAGE, lambda d, w, v: d.late_afters.next_page(w.manager, batch=v)),
    "purge": ("limit", MOST_PURGED, lambda d, w, v: d.outbox.purge_sent(w.manager, limit=v)),
    "sweep": ("limit", MAX_PAGE, lambda d, w, v: d.sla_watch.sweep(w.manager, limit=v)),
    "recompute": (
        "page_size",
        MAX_PAGE,
        lambda d, w, v: d.recompute_provisional_dues(w.manager, page_size=v),
    ),
    "senders": ("senders", MAX_SENDERS, lambda d, w, v: d.deliver(senders=v)),
    "jobs limit": ("limit", 1_000_000, lambda d, w, v: JobSettings(limit=v)),
    "page": ("limit", MAX_PAGE, lambda d, w, v: PageRequest(v)),
    "search page": ("limit", MAX_PAGE, lambda d, w, v: SearchRequest(limit=v)),
}


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_bound_is_refused_in_one_shape(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "sanitary_ware") as (desk, _, world, _):
        before = desk.count(world.manager)
        found = {}
        for name, (field, most, call) in BOUNDED.items():
            for value in (0, most + 1, True, "10", 2.5):
                with pytest.raises(OutOfBounds) as refused:
                    call(desk, world, value)
                error = refused.value
                assert error.field == field, name
                # Each names the bounds of the check that refused it: above the command's own bound, that
                # bound; what is no whole number (or 0) may be refused first by the check of the argument's
                # type, with the field's wider bounds (``INT_RANGES``) — the same shape either way.
                assert error.least == 1, name
                if value == most + 1:
                    assert error.most == most, name
                found[name, repr(value)] = str(error)
            call(desk, world, most)  # the bound itself is taken
        assert found["money index", "10001"] == "batch is a whole number from 1 to 10,000, got 10001"
        assert found["chargebacks", "True"] == "limit is a whole number from 1 to 1,000,000, got True"
        assert found["senders", "'10'"].endswith("got '10'")
        assert found["sweep", "1001"] == "limit is a whole number from 1 to 1,000, got 1001"
        assert desk.count(world.manager) == before


def test_a_bound_reads_in_the_readers_words() -> None:
    with pytest.raises(OutOfBounds) as refused:
        PageRequest(0)
    assert isinstance(refused.value, ValidationError)  # a host catching ValidationError still catches it
    assert render_error(refused.value, "zh_Hans") == "输入有误：limit 应为 1 至 1,000 之间的整数"
    assert render_error(refused.value, "zh_Hant") == "輸入有誤：limit 應為 1 至 1,000 之間的整數"
    assert render_error(refused.value, "en") == "Input refused: limit is a whole number from 1 to 1,000"


def test_a_huge_or_long_value_is_not_repeated_whole() -> None:
    with pytest.raises(OutOfBounds) as huge:
        PageRequest(10**5000)  # repr() of such an int raises in Python 3.11+
    assert "got a number of about" in str(huge.value) and len(str(huge.value)) < 120
    with pytest.raises(OutOfBounds) as long:
        PageRequest("9" * 100_000)  # type: ignore[arg-type]
    assert len(str(long.value)) < 120


PACK_BOUNDS: list[tuple[Callable[[object], object], str, int, int]] = [
    (lambda v: PrivacyParams(keep_idempotency_days=v), "keep_idempotency_days", 1, MAX_RETENTION_DAYS),
    (lambda v: AttachmentParams(max_size_mb=v), "max_size_mb", 1, 10_000),
    (lambda v: MaterialsParams(return_days=v), "return_days", 1, 3650),
    (lambda v: ComplaintParams(batch_min_units=v), "batch_min_units", 1, MAX_MIN_UNITS),
]


@pytest.mark.parametrize(("make", "field", "least", "most"), PACK_BOUNDS)
def test_a_pack_parameter_out_of_bounds_is_refused_in_the_same_shape(
    make: Callable[[object], object], field: str, least: int, most: int
) -> None:
    with pytest.raises(OutOfBounds) as refused:
        make(most + 1)
    assert str(refused.value) == f"{field} is a whole number from {least:,} to {most:,}, got {most + 1}"


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (
            lambda: MaintenanceParams(interval_months=0),
            "interval_months is a whole number from 1 to 120, got 0",
        ),
        (
            lambda: SurveyCampaignParams(sample_size=0),
            "sample_size is a whole number from 1 to 1,000,000, got 0",
        ),
        (
            lambda: NotificationParams(max_attempts=0),
            "max_attempts is a whole number from 1 to 1,000,000,000, got 0",
        ),
    ],
)
def test_a_pack_setting_out_of_bounds_is_a_configuration_error_in_the_same_words(
    make: Callable[[], object], words: str
) -> None:
    with pytest.raises(ConfigurationError) as refused:
        make()
    assert words in str(refused.value)
