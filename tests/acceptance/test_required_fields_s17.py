# mypy: disable-error-code="arg-type"
"""A field required "for every category" does not stop the tickets a desk opens without field values.

A complaint is opened by ``open_complaint``, by a crisis report (seed 004 第八条: 接到危机事件…要立即通知,
it must go in at once) and by a low callback score; none of them takes custom field values, so a field
required for ``"*"`` refused every complaint with a ``ValidationError`` the caller could not answer.
``"*"`` means every category of service call; naming ``complaint`` or ``maintenance`` (opened by the
daily job) in ``required_for`` is refused when the field is declared, not at the first complaint.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aftersales.domain.custom_fields import CustomField, CustomFieldSet, FieldType
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

FIELDS = CustomFieldSet.of(CustomField("site_note", FieldType.TEXT, required_for=frozenset({"*"})))


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, World]]:
    with world_desk(request.param, tmp_path, pack="sanitary_ware", custom_fields=FIELDS) as opened:
        desk, _clock, world = opened
        yield desk, world


def test_a_field_required_for_every_category_is_asked_of_service_calls_not_of_complaints(
    shop: tuple[ServiceDesk, World],
) -> None:
    desk, world = shop
    with pytest.raises(ValidationError) as missing:
        desk.open_ticket(world.agent, customer_id="cust-zh", description="水箱漏水")
    assert "site_note" in str(missing.value)
    call = desk.open_ticket(
        world.agent, customer_id="cust-zh", description="水箱漏水", custom_fields={"site_note": "二楼"}
    )
    assert call.ticket.custom_fields["site_note"] == "二楼"
    complaint = desk.complaints.open_complaint(world.agent, "cust-zh", "上门迟到两小时")
    crisis = desk.complaints.report_crisis(world.agent, "cust-zh", "漏水泡坏地板", note="客户要找媒体")
    for opened in (complaint, crisis):
        assert desk.ticket(world.manager, opened.ticket.id).kind.value == "complaint"
    # The complaint's own fields are still checked by type and name.
    with pytest.raises(ValidationError):
        desk.set_custom_fields(world.agent, complaint.ticket.id, {"no_such_field": "x"})
    desk.set_custom_fields(world.agent, complaint.ticket.id, {"site_note": "客户家中"})
    assert desk.ticket(world.manager, complaint.ticket.id).custom_fields["site_note"] == "客户家中"


@pytest.mark.parametrize("category", ["complaint", "maintenance"])
def test_requiring_a_field_of_tickets_opened_without_values_is_refused_when_declared(category: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        CustomField("site_note", FieldType.TEXT, required_for=frozenset({category}))
    assert refused.value.key == "custom_fields" and category in str(refused.value)
