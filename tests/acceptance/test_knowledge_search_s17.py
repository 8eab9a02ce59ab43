# mypy: disable-error-code="arg-type"
"""Knowledge search for one product finds its approved article however many others match, on memory,
SQLite and PostgreSQL.

Seed 001 (知识管理) and seed 003 (经验分享): what solved a problem on a product should be found for the
next call about it. ``knowledge.search(query, product_id=...)`` asked the text index for ``limit * 4``
hits and kept those about the product: when the best hits were other products' articles, the
product's own was lost (``limit=1`` found nothing). Drafts and withdrawn versions stay out all along.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from aftersales.domain.ids import ProductId
from aftersales.domain.knowledge import ArticleContent, ArticleProblem
from aftersales.domain.products import Product, WarrantyTerm
from aftersales.errors import ValidationError
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk


@attrs.frozen
class Desk:
    desk: ServiceDesk
    world: World


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    with world_desk(request.param, tmp_path, pack="sanitary_ware") as (desk, _clock, world):
        desk.register_product(
            world.manager, Product(ProductId("basin-1"), "B-1", "面盆", "basin", (WarrantyTerm(12),))
        )
        yield Desk(desk, world)


def _article(shop: Desk, product: str, title: str, *, approve: bool = True) -> str:
    world, kb = shop.world, shop.desk.knowledge
    problem = ArticleProblem(("leak",), product_id=product, keywords=("漏水",))
    content = ArticleContent("zh_Hans", title, "漏水问题", ("密封圈老化",), ("更换密封圈",), "")
    article = kb.write_article(world.agent, problem=problem, contents=[content])
    if approve:
        kb.approve(world.manager, article.id, 1)
    return article.id


def test_a_products_article_is_found_behind_other_products_articles(shop: Desk) -> None:
    kb, world = shop.desk.knowledge, shop.world
    for n in range(6):
        _article(shop, "basin-1", f"面盆漏水{n}")
    _article(shop, "wc-100", "马桶漏水草稿", approve=False)
    mine = _article(shop, "wc-100", "马桶漏水")
    assert len(kb.search(world.agent, "漏水", limit=20)) == 7
    for limit in (1, 2, 5):
        found = [view.id for view in kb.search(world.customer_zh, "漏水", product_id="wc-100", limit=limit)]
        assert found == [mine], limit  # before, limit=1: []
    shop.desk.knowledge.withdraw(world.manager, mine)
    assert kb.search(world.customer_zh, "漏水", product_id="wc-100", limit=1) == []


def test_a_malformed_reader_locale_is_refused_not_read_as_another(tmp_path: Path) -> None:
    # Session 36: view, search and suggest read "EN" or "" as the actor's locale or the first variant,
    # silently; a well-formed locale the article lacks still reads the nearest variant.
    with world_desk("memory", tmp_path, pack="sanitary_ware") as (desk, _clock, world):
        article = _article(Desk(desk, world), "wc-100", "马桶漏水")
        kb = desk.knowledge
        for locale in ("EN", "", "zh_hans!"):
            for read in (
                lambda locale=locale: kb.view(world.agent, article, locale),
                lambda locale=locale: kb.search(world.agent, "漏水", locale=locale),
                lambda locale=locale: kb.suggest(world.agent, "wc-100", symptom="leak", locale=locale),
            ):
                with pytest.raises(ValidationError) as refused:
                    read()
                assert refused.value.field == "locale"
        assert kb.view(world.agent, article, "en").locale == "zh_Hans"  # the nearest variant
