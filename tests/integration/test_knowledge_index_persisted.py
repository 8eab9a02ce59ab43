"""The knowledge base's article index lives in the store (SQLite FTS5 here), not in each process.

An article approved by one desk is in the store's index in the same transaction; another desk on the
same file searches it without building anything; an index missing from an older file is filled once.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aftersales.adapters.clock import ManualClock
from aftersales.domain.knowledge import ArticleContent, ArticleProblem
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.knowledge_desk import KnowledgeDesk
from aftersales.service.ngram_index import NgramIndex

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ENGINEER = Actor.engineer("eng-1")
MANAGER = Actor.manager("mgr-1")
AGENT = Actor.agent("agent-1")


def _approve(kb: KnowledgeDesk, title: str, symptom: str) -> str:
    article = kb.write_article(
        ENGINEER,
        problem=ArticleProblem((symptom,), product_id="wc-100", keywords=(title,)),
        contents=[ArticleContent("zh_Hans", title, f"{title}的处理", ("原因",), ("措施",))],
    )
    kb.approve(MANAGER, article.id, 1)
    return article.id


def test_an_approved_article_is_in_the_store_index_and_found_by_another_desk(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    with ServiceDesk.open(url, clock=ManualClock(T0)) as first:
        leak = _approve(first.knowledge, "转换开关漏水", "leak")
        _approve(first.knowledge, "下水堵", "blocked")
    with sqlite3.connect(tmp_path / "kb.db") as conn:
        assert conn.execute("SELECT count(*) FROM text_docs WHERE ns = 'kb'").fetchone()[0] == 2
    with ServiceDesk.open(url, clock=ManualClock(T0)) as second:
        assert [a.id for a in second.knowledge.search(AGENT, "漏水")] == [leak]
        with second.store() as uow:
            assert uow.texts.search("kb", "漏水") == [leak]
        second.knowledge.withdraw(MANAGER, leak)
        with second.store() as uow:
            assert uow.texts.search("kb", "漏水") == []
            assert uow.texts.count("kb") == 1


def test_an_older_file_without_the_index_is_filled_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    with ServiceDesk.open(url, clock=ManualClock(T0)) as first:
        found = _approve(first.knowledge, "水箱不出水", "no_water")
    with sqlite3.connect(tmp_path / "kb.db") as conn:  # as if written before the index existed
        conn.execute("DELETE FROM text_docs")
        conn.execute("INSERT INTO text_docs_tri (text_docs_tri) VALUES ('delete-all')")
        conn.execute("INSERT INTO text_docs_bi (text_docs_bi) VALUES ('delete-all')")
    with ServiceDesk.open(url, clock=ManualClock(T0)) as second:
        assert [a.id for a in second.knowledge.search(AGENT, "不出水")] == [found]
        with second.store() as uow:
            assert uow.texts.count("kb") == 1


def test_a_host_may_still_inject_an_in_process_index(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    with ServiceDesk.open(url, clock=ManualClock(T0), settings={"text_index": NgramIndex()}) as desk:
        found = _approve(desk.knowledge, "跳闸", "trip")
        assert [a.id for a in desk.knowledge.search(AGENT, "跳闸")] == [found]
        with desk.store() as uow:
            assert uow.texts.count("kb") == 1  # the store's index is kept current all the same
