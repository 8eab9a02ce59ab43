"""The complaint a callback opens is indexed in the desk's words, a host's own catalogs included
(session 32 g). Memory, SQLite and PostgreSQL alike.

Seed 004 第七条 3-4: a low score or a grievance at the callback opens a complaint the desk describes, kept
as codes and worded where it is read (session 31 f) — by the desk's renderer, so a host passing its own
``Renderer(catalogs=...)`` shows its own wording. The search index worded it with the shipped catalogs
(session 31 k): the host's readers read "客户打分偏低" and found nothing by it. The index now words it by
the desk's renderer, as the views do; what is stored is unchanged, and a rebuilt index holds the same.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import attrs
import pytest
from test_callback_complaint_search_words_s31k import _accepted

from aftersales.i18n.catalog import load_catalogs
from aftersales.i18n.notifications import Renderer
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _host_renderer() -> Renderer:
    catalogs = load_catalogs()
    words = {
        "zh_Hans": {
            "callback_complaint.satisfaction": "客户打分偏低 {score}/5",
            "grievances.polite": "接待人员失礼",
        },
        # The grievance in both scripts: since session 35 search folds traditional to simplified, so the
        # shipped zh_Hant 服務人員態度不好 (indexed for zh_Hant readers) is found by 服务人员态度不好.
        "zh_Hant": {"grievances.polite": "接待人員失禮"},
    }
    for locale, own_words in words.items():
        own = catalogs[locale]
        catalogs[locale] = attrs.evolve(own, messages={**own.messages, **own_words})
    return Renderer(catalogs=catalogs)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_hosts_own_words_find_the_callback_complaint(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, renderer=_host_renderer()) as (desk, clock, world):  # a zh_Hans desk
        tid = _accepted(desk, world, "复印机卡纸")
        clock.advance(timedelta(hours=2))
        desk.record_callback(world.agent, tid, problem_back=False, satisfaction=1, answers={"polite": False})
        (record,) = desk.callbacks.records(world.manager, tid)
        complaint = record.complaint_id
        assert complaint is not None
        shown = desk.ticket(world.manager, complaint).description
        assert "客户打分偏低" in shown and "接待人员失礼" in shown  # the views word it the host's way
        for _ in range(2):  # as written by the command, then rebuilt
            for query in ("客户打分偏低", "接待人员失礼", "satisfaction", "滿意度"):
                found = [v.id for v in desk.search(world.manager, query).items]
                assert complaint in found, query
                assert tid not in found
            # the shipped zh_Hans wording the host replaced is read by nobody
            assert complaint not in [v.id for v in desk.search(world.manager, "服务人员态度不好").items]
            desk.finder.rebuild(desk.runner, world.manager)
