"""The demo library's articles get sensible keywords (given or extracted with jieba) and
相关阅读 by keyword overlap and TF-IDF similarity, stored when an article is saved."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhibu.demo.study import ARTICLES
from zhibu.study import services, text
from zhibu.study.models import Article, Related
from zhibu.study.selectors.study import article_search, related_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(cast):
    for i, (title, topic, source, keywords, body) in enumerate(ARTICLES):
        services.article_save(
            org=cast.committee,
            data={
                "title": title,
                "topic": topic,
                "source": source,
                "keywords": keywords,
                "body": body,
                "published_on": date(2026, 1, 1 + i),
            },
            by=None,
        )
    return {a.title: a for a in Article.objects.all()}


def titles(user, article):
    return [other.title for other, _shared in related_of(user, article)]


def test_extracted_keywords_say_what_the_article_is_about(library):
    auto = {t: a.keywords for t, a in library.items() if a.keywords_auto}
    assert len(auto) == 4
    assert "红色资源" in auto["党史学习教育：用好身边的红色资源"] or "党史" in "".join(
        auto["党史学习教育：用好身边的红色资源"]
    )
    assert "入党誓词" in auto["入党誓词里的每一句话"]
    assert "合格党员" in auto["做合格党员，先从岗位做起"]
    assert "主题教育" in auto["主题教育：以学促干，把成果落到实处"]
    for keywords in auto.values():
        assert 3 <= len(keywords) <= 5 and all(len(k) >= 2 for k in keywords)


def test_related_reading_pairs_articles_of_the_same_topic(cast, library):
    user = cast.party_secretary
    pairs = [
        ("两学一做：学党章党规，学系列讲话，做合格党员", "做合格党员，先从岗位做起"),
        ("主题教育中如何开展调查研究", "主题教育：以学促干，把成果落到实处"),
        ("从“一大”会址看初心的起点", "党史学习教育：用好身边的红色资源"),
        ("逐章学党章：党员的义务和权利", "两学一做：学党章党规，学系列讲话，做合格党员"),
    ]
    for a, b in pairs:
        assert b in titles(user, library[a])[:2], (a, titles(user, library[a]))
    # Stored, not computed per view: a detail's related list is one query.
    with CaptureQueriesContext(connection) as queries:
        related_of(user, library[pairs[0][0]])
    assert len(queries) <= 3
    assert Related.objects.count() >= len(library)


def test_search_finds_title_keywords_and_body(cast, library):
    user = cast.ordinary
    assert [a.title for a in article_search(user, q="调查研究")][-1] == "主题教育中如何开展调查研究"
    assert {a.title for a in article_search(user, q="党员义务")} >= {"逐章学党章：党员的义务和权利"}
    assert not article_search(user, q="不存在的词语").exists()
    assert article_search(user, topic="theme").count() == 2


def test_keywords_typed_by_an_editor_are_kept(library):
    article = library["逐章学党章：党员的义务和权利"]
    assert article.keywords == ["党章", "党员义务", "党员权利"] and not article.keywords_auto
    assert text.split_keywords("党章、 党规,党章；纪律") == ["党章", "党规", "纪律"]
