"""A host's renderer that cannot word every notification is refused when the desk opens (session 33 g).

Hostile round on configuration: ``ServiceDesk.open(..., renderer=Renderer(catalogs=...))`` accepted
catalogs missing a notification's words, a template with a placeholder its kind does not have, or no
catalog for a supported locale. A locale is built whole on its first use, so the first command that
worded anything in it — here the dispatch telling the engineer — was refused with a ConfigurationError, and
so was every one after it: the desk stopped taking work over its wording. Now the desk checks the renderer
as it opens (service/renderer_check): the same ConfigurationError, naming the message, at start-up, and
no store is made for the refused desk. A complete host renderer with its own words opens and is used.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Severity
from aftersales.errors import ConfigurationError
from aftersales.i18n.catalog import MessageCatalog, load_catalogs
from aftersales.i18n.notifications import Renderer
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, make_world, register, store_url

BACKENDS = ["memory", "sqlite", "postgres"]


def _without(locale: str, dropped: Callable[[str], bool], fallback: bool = True) -> dict[str, MessageCatalog]:
    catalogs = load_catalogs()
    own = catalogs[locale]
    kept = {k: v for k, v in own.messages.items() if not dropped(k)}
    catalogs[locale] = attrs.evolve(own, messages=kept, fallback=own.fallback if fallback else None)
    return catalogs


def _with(locale: str, msgid: str, text: str) -> dict[str, MessageCatalog]:
    catalogs = load_catalogs()
    own = catalogs[locale]
    catalogs[locale] = attrs.evolve(own, messages={**own.messages, msgid: text})
    return catalogs


BROKEN = {
    "english words missing": (
        lambda: _without("en", lambda k: k.startswith("notification.assigned.")),
        "notification.assigned.subject",
    ),
    "chinese words missing, no fallback": (
        lambda: _without("zh_Hans", lambda k: k.startswith("notification.sla_breach."), fallback=False),
        "notification.sla_breach.subject",
    ),
    "unknown placeholder": (
        lambda: _with("zh_Hant", "notification.assigned.body", "工單 {ticket_id} 派給 {engineer_phone}"),
        "notification.assigned.body",
    ),
    "a locale without a catalog": (
        lambda: {k: v for k, v in load_catalogs().items() if k != "zh_Hans"},
        "catalogs",
    ),
}


def _schema_exists(url: str) -> bool:
    import psycopg

    schema = url.rsplit("schema=", 1)[1]
    with psycopg.connect(os.environ["AFTERSALES_PG_DSN"], autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
    return found is not None


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("broken", sorted(BROKEN))
def test_a_renderer_that_cannot_word_a_notification_is_refused_at_open(
    backend: str, broken: str, tmp_path: Path
) -> None:
    catalogs, key = BROKEN[broken]
    renderer = Renderer(catalogs())
    with store_url(backend, tmp_path, fresh=True) as url:  # the refused open makes no schema
        with pytest.raises(ConfigurationError) as refused:
            ServiceDesk.open(url, pack="office_equipment", clock=ManualClock(START), renderer=renderer)
        assert refused.value.key == key
        if backend == "sqlite":
            assert not (tmp_path / "desk.db").exists()  # refused before the store was made
        if backend == "postgres":
            assert not _schema_exists(url)


def test_the_constructor_checks_the_renderer_too() -> None:
    from aftersales.adapters.memory import MemoryStore

    catalogs, key = BROKEN["english words missing"]
    store = MemoryStore()
    with pytest.raises(ConfigurationError) as refused:
        ServiceDesk(store, renderer=Renderer(catalogs()))
    assert refused.value.key == key


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_complete_host_renderer_opens_and_words_the_dispatch(backend: str, tmp_path: Path) -> None:
    words = "【维修派工】工单 {ticket_id} 已派给您"
    renderer = Renderer(_with("zh_Hans", "notification.assigned.subject", words))
    notifier, world = MemoryNotifier(), make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(
            url, pack="office_equipment", clock=ManualClock(START), staff=STAFF, notifier=notifier,
            renderer=renderer,
        ) as desk,
    ):  # fmt: skip
        register(desk, world)
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸").ticket.id
        desk.triage(world.agent, tid, nature="repair", severity=Severity.MEDIUM)
        desk.dispatch(world.manager, tid, engineer_id=world.eng_junior.id)  # 李工 reads Chinese
        desk.deliver(limit=100)
        subjects = [m.subject for m in notifier.sent if m.recipient == "13700000001"]
        assert f"【维修派工】工单 {tid} 已派给您" in subjects
