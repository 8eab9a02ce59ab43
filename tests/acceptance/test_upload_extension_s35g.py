"""An upload whose name's extension says another type than its bytes is refused (session 35, g).

The type check reads the bytes (:mod:`aftersales.domain.media_types`), the name was free: a JPEG named
``photo.exe`` was attached, listed and downloaded as ``photo.exe``, which the reader's system offers as a
program. It is now refused before a byte is stored (``ValidationError`` naming ``name``, rule
``extension_contradicts``, the extension to use), in every locale's words; names without an extension,
or with one the desk does not know, are taken as before. Storage plays no part: memory only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from aftersales.domain.upload_extensions import extension_of
from aftersales.errors import ValidationError
from aftersales.i18n import render_error
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.7\n" + b"0" * 200


@pytest.fixture
def desk_ticket(tmp_path: Path) -> Iterator[tuple[ServiceDesk, World, str]]:
    with world_desk("memory", tmp_path) as (desk, _, world):
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="漏水").ticket.id
        yield desk, world, str(tid)


@pytest.mark.parametrize(
    ("name", "content", "extension", "expected"),
    [
        ("photo.exe", JPEG, ".exe", ".jpg"),
        ("photo.EXE", JPEG, ".exe", ".jpg"),
        ("photo.exe.", JPEG, ".exe", ".jpg"),  # Windows drops the trailing dot: saved as photo.exe
        ("photo.exe  ", JPEG, ".exe", ".jpg"),
        ("ＰＨＯＴＯ．ＥＸＥ", JPEG, ".exe", ".jpg"),
        ("photo.jpg.bat", JPEG, ".bat", ".jpg"),
        ("发票.pdf", PNG, ".pdf", ".png"),
        ("现场.jpg", PDF, ".jpg", ".pdf"),
    ],
)
def test_a_name_saying_another_type_is_refused_and_nothing_is_stored(
    desk_ticket: tuple[ServiceDesk, World, str], name: str, content: bytes, extension: str, expected: str
) -> None:
    desk, world, tid = desk_ticket
    with pytest.raises(ValidationError) as refused:
        desk.attachments.attach(world.agent, tid, kind="photo", name=name, content=content)
    error = refused.value
    assert (error.field, error.rule) == ("name", "extension_contradicts")
    assert error.rule_params is not None
    assert (error.rule_params["extension"], error.rule_params["expected"]) == (extension, expected)
    assert desk.attachments.list(world.agent, tid) == ()
    assert "attach" not in [e.action for e in desk.ticket(world.agent, tid).events]
    assert not desk.attachments.store.exists(hashlib.sha256(content).hexdigest())


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", JPEG),
        ("Photo.JPEG", JPEG),
        ("IMG_0001.jfif", JPEG),
        ("scan", JPEG),  # no extension: the bytes decide, as before
        ("scan.dat", PNG),  # an extension the desk does not know
        ("报告.PDF", PDF),
    ],
)
def test_names_that_fit_or_say_nothing_are_attached_as_given(
    desk_ticket: tuple[ServiceDesk, World, str], name: str, content: bytes
) -> None:
    desk, world, tid = desk_ticket
    desk.attachments.attach(world.agent, tid, kind="photo", name=name, content=content)
    assert [a.name for a in desk.attachments.list(world.agent, tid)] == [name]


def test_the_refusal_is_worded_in_every_locale(desk_ticket: tuple[ServiceDesk, World, str]) -> None:
    desk, world, tid = desk_ticket
    with pytest.raises(ValidationError) as refused:
        desk.attachments.attach(world.agent, tid, kind="photo", name="photo.exe", content=JPEG)
    zh_hans = render_error(refused.value, "zh_Hans")
    zh_hant = render_error(refused.value, "zh_Hant")
    en = render_error(refused.value, "en")
    assert "扩展名 .exe" in zh_hans and ".jpg" in zh_hans
    assert "副檔名 .exe" in zh_hant and ".jpg" in zh_hant
    assert "extension .exe" in en and "rename it .jpg" in en


def test_the_extension_is_read_as_a_system_reads_it() -> None:
    assert extension_of("a.tar.GZ") == "gz"
    assert extension_of("photo.jpg. . ") == "jpg"
    assert extension_of("README") == extension_of("...") == ""
    assert extension_of(".EXE") == "exe"  # Windows opens a name that is only an extension by it (s35 m)
