"""Hostile round, session 34 h: attachments with odd names and odd content, on memory, SQLite and
PostgreSQL (each with its default attachment store: memory, files beside the database, the database).

Broken before: a name holding a bidi control was attached as typed — ``"\\u202egpj.exe"`` is shown as
``exe.jpg`` by a list or a download dialog, a name saying another file than the one stored
(``domain/upload_names.py``: refused on upload, rule ``control``, nothing stored). The rest passed and is
kept so it stays passing: empty content, a reader of the host's raising halfway, content that is text
or numbers, an oversized stream, path-like and over-long names, each refused and nothing kept; and every
read scoped (another dealer and another customer see nothing of a ticket's attachments).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from aftersales.errors import NotFound, ValidationError
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200


@pytest.fixture(params=BACKENDS)
def desk_ticket(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, World, str]]:
    with world_desk(request.param, tmp_path) as (desk, _, world):
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="漏水").ticket.id
        yield desk, world, str(tid)


def _nothing_kept(desk: ServiceDesk, world: World, tid: str, content: bytes = JPEG) -> None:
    assert desk.attachments.list(world.agent, tid) == ()
    assert [e.action for e in desk.ticket(world.agent, tid).events].count("attach") == 0
    assert not desk.attachments.store.exists(hashlib.sha256(content).hexdigest())


@pytest.mark.parametrize("name", ["\u202egpj.exe", "photo\u202e.jpg", "a\u2066b.jpg", "报告\u202b.pdf"])
def test_a_name_holding_a_bidi_control_is_refused_and_nothing_is_stored(
    desk_ticket: tuple[ServiceDesk, World, str], name: str
) -> None:
    desk, world, tid = desk_ticket
    with pytest.raises(ValidationError) as refused:
        desk.attachments.attach(world.agent, tid, kind="photo", name=name, content=JPEG)
    assert (refused.value.field, refused.value.rule) == ("name", "control")
    _nothing_kept(desk, world, tid)


@pytest.mark.parametrize(
    "name",
    ["", " ", "../../etc/passwd.jpg", "a/b.jpg", "a\\b.jpg", "a\x00b.jpg", "x" * 300 + ".jpg", "a\ud800.jpg"],
)
def test_path_like_empty_control_or_long_names_are_refused_by_name(
    desk_ticket: tuple[ServiceDesk, World, str], name: str
) -> None:
    desk, world, tid = desk_ticket
    with pytest.raises(ValidationError) as refused:
        desk.attachments.attach(world.agent, tid, kind="photo", name=name, content=JPEG)
    assert refused.value.field == "name"
    _nothing_kept(desk, world, tid)


def test_chinese_full_width_and_dotted_names_are_kept_as_typed(
    desk_ticket: tuple[ServiceDesk, World, str],
) -> None:
    desk, world, tid = desk_ticket
    for name in ("现场照片（1）.JPG", ".jpg", "CON.jpg", "a..b.jpeg"):
        desk.attachments.attach(world.agent, tid, kind="photo", name=name, content=JPEG)
    names = [a.name for a in desk.attachments.list(world.agent, tid)]
    assert names == ["现场照片（1）.JPG", ".jpg", "CON.jpg", "a..b.jpeg"]


def _raising_reader() -> Iterator[bytes]:
    yield JPEG
    raise RuntimeError("the host's upload stream broke")


def test_a_host_stream_raising_halfway_reaches_the_caller_and_nothing_is_kept(
    desk_ticket: tuple[ServiceDesk, World, str],
) -> None:
    desk, world, tid = desk_ticket
    with pytest.raises(RuntimeError, match="upload stream broke"):
        desk.attachments.attach(world.agent, tid, kind="photo", name="p.jpg", content=_raising_reader())
    _nothing_kept(desk, world, tid)


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (lambda: b"", "media_type"),
        (lambda: "text", "content"),
        (lambda: iter([1, 2]), "content"),
        (lambda: iter(["a"]), "content"),
    ],
)
def test_empty_text_or_number_content_is_refused_by_name(
    desk_ticket: tuple[ServiceDesk, World, str], content: Callable[[], object], field: str
) -> None:
    desk, world, tid = desk_ticket
    with pytest.raises(ValidationError) as refused:
        desk.attachments.attach(world.agent, tid, kind="photo", name="p.jpg", content=content())  # type: ignore[arg-type]
    assert refused.value.field == field
    assert desk.attachments.list(world.agent, tid) == ()


def test_an_oversized_stream_is_refused_while_streaming_and_nothing_is_kept(
    desk_ticket: tuple[ServiceDesk, World, str],
) -> None:
    desk, world, tid = desk_ticket
    chunk = b"\x00" * (1 << 20)
    with pytest.raises(ValidationError) as refused:
        desk.attachments.attach(
            world.agent, tid, kind="photo", name="big.jpg", content=iter([JPEG] + [chunk] * 60)
        )
    assert refused.value.field == "content"
    assert desk.attachments.list(world.agent, tid) == ()


def test_another_dealer_and_another_customer_read_nothing_of_the_attachments(
    desk_ticket: tuple[ServiceDesk, World, str],
) -> None:
    desk, world, tid = desk_ticket
    done = desk.attachments.attach(world.agent, tid, kind="photo", name="p.jpg", content=JPEG)
    (attachment,) = done.ticket.attachments
    for outsider in (world.dealer_bj_staff, world.customer_en):
        with pytest.raises(NotFound):
            desk.attachments.list(outsider, tid)
        with pytest.raises(NotFound):
            desk.attachments.open(outsider, tid, attachment.id)
    _, handle = desk.attachments.open(world.customer_zh, tid, attachment.id)
    with handle:
        assert handle.read() == JPEG
