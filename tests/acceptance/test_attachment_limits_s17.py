# mypy: disable-error-code="arg-type"
"""The attachment limits a desk is given are used or refused, on memory, SQLite and PostgreSQL.

Seed 002 asks for the written report and photos of the fault (书面报告, 现场实物图片); what a desk accepts
as such (``[attachments] max_size_mb``, ``media_types``) is configuration, and configuration is used
or refused, never silently ignored. An ``attachments`` override the desk cannot use (a table of params
given where a policy belongs) used to be replaced by the defaults without a word: a 1 MB, PDF-only
desk took a 2 MB photo. The same for a ``custom_fields`` override that is not a field set: the desk
opened without the pack's fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.policies.attachments import AttachmentParams, AttachmentRules
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, make_world, register, store_url

PDF = b"%PDF-1.4\n"
JPEG = b"\xff\xd8\xff\xe0"


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with store_url(request.param, tmp_path, "limits.db") as found:
        yield found


def _open(url: str, overrides: dict[str, object]) -> ServiceDesk:
    return ServiceDesk.open(
        url, pack="sanitary_ware", clock=ManualClock(START), staff=STAFF, overrides=overrides
    )


def test_an_attachments_override_the_desk_cannot_use_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        _open(url, {"attachments": {"max_size_mb": 1, "media_types": ["application/pdf"]}})
    assert refused.value.key == "attachments"


def test_a_custom_fields_override_that_is_no_field_set_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        _open(url, {"custom_fields": {"colour": {"type": "text"}}})
    assert refused.value.key == "custom_fields"


def test_the_limits_of_an_attachments_policy_are_used(url: str) -> None:
    rules = AttachmentRules(AttachmentParams(max_size_mb=1, media_types=("application/pdf",)))
    with _open(url, {"attachments": rules}) as desk:
        world = make_world()
        register(desk, world)
        customer = world.customer_zh
        tid = desk.open_ticket(customer, customer_id="cust-zh", description="马桶漏水").ticket.id
        with pytest.raises(ValidationError) as too_large:
            desk.attachments.attach(customer, tid, kind="photo", name="big.pdf", content=PDF + b"0" * 2**21)
        assert too_large.value.field == "content"
        with pytest.raises(ValidationError) as wrong_type:
            desk.attachments.attach(customer, tid, kind="photo", name="leak.jpg", content=JPEG + b"0" * 100)
        assert wrong_type.value.field == "media_type"
        assert desk.attachments.list(customer, tid) == ()
        done = desk.attachments.attach(customer, tid, kind="photo", name="leak.pdf", content=PDF + b"1" * 100)
        assert [a.name for a in done.ticket.attachments] == ["leak.pdf"]
