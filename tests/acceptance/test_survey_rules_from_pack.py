"""A campaign's sampling rules take the pack's ``[survey_campaign]`` values for each field left unset.

Seed 000 asks for regular satisfaction surveys (定期開展客戶滿意度調查); the pack says how many customers a
campaign samples, how recently they must have been served, and how long a surveyed customer is left
alone. A host that passed any ``SamplingRules`` (to pick a region, say) used to lose all three: the
class's own defaults (100 customers, anyone served or not) applied instead of the pack's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.domain.survey_campaigns import FROM_PACK, SamplingRules
from aftersales.errors import ValidationError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import START, store_url

MANAGER = Actor.manager("mgr-1")


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceDesk]:
    with ExitStack() as stack:
        url = stack.enter_context(store_url(request.param, tmp_path))
        service_desk = ServiceDesk.open(url, pack="general_maintenance", clock=ManualClock(START))
        stack.callback(service_desk.shutdown)
        yield service_desk


def _people(desk: ServiceDesk, count: int, region: str = "SH") -> None:
    for i in range(count):
        customer_id = CustomerId(f"{region.lower()}-{i:03d}")
        desk.register_customer(
            MANAGER,
            Customer(
                customer_id, f"客户{i}", Contact(f"客户{i}", email=f"{customer_id}@example.cn"), region=region
            ),
        )


def test_a_host_setting_only_the_region_samples_the_packs_number(desk: ServiceDesk) -> None:
    pack = desk.context.policies.survey_campaign
    _people(desk, pack.sample_size + 30)
    rules = SamplingRules(regions={"SH"}, served_within_days=None)  # anyone, but as many as the pack says
    campaign = desk.surveys.start(MANAGER, campaign_id="Q1", period="2026-Q1", rules=rules)
    assert campaign.sampled == pack.sample_size
    assert campaign.rules.sample_size == pack.sample_size
    assert campaign.rules.exclude_surveyed_days == pack.exclude_surveyed_days


def test_fields_left_unset_take_the_packs_values_and_the_campaign_records_them(desk: ServiceDesk) -> None:
    pack = desk.context.policies.survey_campaign
    _people(desk, 12)  # registered, never served
    campaign = desk.surveys.start(
        MANAGER, campaign_id="Q2", period="2026-Q2", rules=SamplingRules(sample_size=5)
    )
    assert campaign.rules.sample_size == 5  # set: it wins
    assert campaign.rules.served_within_days == pack.served_within_days  # unset: the pack's
    assert campaign.rules.exclude_surveyed_days == pack.exclude_surveyed_days
    assert campaign.sampled == 0  # the pack asks for a service in its window; nobody had one


def test_explicit_values_win_over_the_pack(desk: ServiceDesk) -> None:
    _people(desk, 12)
    rules = SamplingRules(sample_size=7, served_within_days=None, exclude_surveyed_days=0)
    campaign = desk.surveys.start(MANAGER, campaign_id="Q3", period="2026-Q3", rules=rules)
    assert campaign.rules == rules
    assert campaign.sampled == 7


def test_no_rules_at_all_are_the_packs_rules(desk: ServiceDesk) -> None:
    pack = desk.context.policies.survey_campaign
    campaign = desk.surveys.start(MANAGER, campaign_id="Q4", period="2026-Q4")
    assert (
        campaign.rules.sample_size,
        campaign.rules.exclude_surveyed_days,
        campaign.rules.served_within_days,
    ) == (
        pack.sample_size,
        pack.exclude_surveyed_days,
        pack.served_within_days,
    )
    assert FROM_PACK not in (campaign.rules.sample_size, campaign.rules.served_within_days)


@pytest.mark.parametrize("field", ["sample_size", "exclude_surveyed_days"])
def test_none_is_not_a_number_of_customers_or_days(field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        SamplingRules(**{field: None})  # type: ignore[arg-type]
    assert caught.value.field == field
