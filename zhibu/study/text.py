"""Chinese text for the study library, with jieba: tokens, automatic keywords (TF-IDF with
jieba's IDF table) and 相关阅读 by TF-IDF cosine over the library's own tokens plus keyword
overlap. Computed when an article is saved, never on a page view."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import cache

import jieba
import jieba.analyse

# Party terms jieba would cut apart; kept whole so they come out as keywords.
TERMS = (
    "两学一做",
    "主题教育",
    "党史学习教育",
    "三会一课",
    "入党誓词",
    "政治生日",
    "初心使命",
    "全面从严治党",
    "民主集中制",
    "党员义务",
    "党员权利",
    "党的纪律",
    "群众路线",
    "红色基因",
    "理想信念",
    "自我革命",
    "组织生活",
    "党性修养",
    "为人民服务",
    "合格党员",
    "红色资源",
    "调查研究",
    "党章党规",
    "以学促干",
    "先锋作用",
)
# Words too common in this library to say what an article is about.
EXTRA_STOP = frozenset(
    {"我们", "他们", "一个", "一些", "这些", "这个", "以及", "通过", "进行", "就是", "没有"}
    | {
        "自己",
        "已经",
        "同时",
        "其中",
        "需要",
        "要求",
        "每名",
        "两学",
        "一做",
        "可以",
        "学习",
        "学了",
        "一名",
        "这样",
        "怎样",
        "不是",
        "做起",
        "顶得",
        "以学",
    }
)
# Keeps the 相关阅读 of each article.
RELATED_MAX = 5
RELATED_MIN_SCORE = 0.05
KEYWORD_SHARE = 0.3  # the weight of keyword overlap beside text similarity

_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$|^[A-Za-z]{3,}$")


@cache
def _ready() -> frozenset[str]:
    jieba.setLogLevel(60)
    for term in TERMS:
        jieba.add_word(term, freq=20000)
    return frozenset(jieba.analyse.default_tfidf.stop_words) | EXTRA_STOP


def tokens(text: str) -> list[str]:
    """Meaningful words of ``text``: two or more Han characters (or a Latin word), no stop words."""
    stop = _ready()
    return [w for w in jieba.lcut(text) if _WORD.match(w) and w not in stop]


def extract_keywords(title: str, body: str, k: int = 5) -> list[str]:
    """The ``k`` words that best say what the text is about (jieba TF-IDF; the title counts
    twice)."""
    stop = _ready()
    found = jieba.analyse.extract_tags(f"{title}\n{title}\n{body}", topK=k * 3)
    return [w for w in found if _WORD.match(w) and w not in stop][:k]


def split_keywords(raw: str) -> list[str]:
    """Keywords as an editor types them: separated by 、 , ， ; ； or spaces; unique."""
    parts = re.split(r"[、,，;；\s]+", raw or "")
    return list(dict.fromkeys(p.strip()[:20] for p in parts if p.strip()))[:10]


def term_counts(title: str, body: str, keywords: Iterable[str]) -> dict[str, int]:
    counts = Counter(tokens(f"{title} {title} {body}"))
    for word in keywords:
        counts[word] += 2
    return dict(counts)


def related(
    docs: Mapping[int, tuple[Mapping[str, int], Iterable[str]]],
) -> dict[int, list[tuple[int, float, list[str]]]]:
    """For each document ``{id: (term counts, keywords)}``: the ``RELATED_MAX`` most similar
    others as (id, score, shared keywords), best first. Score = (1 − KEYWORD_SHARE) × TF-IDF
    cosine + KEYWORD_SHARE × Jaccard overlap of keywords."""
    n = len(docs)
    df: Counter[str] = Counter()
    for counts, _kw in docs.values():
        df.update(counts.keys())
    idf = {t: math.log((1 + n) / (1 + d)) + 1 for t, d in df.items()}
    vectors: dict[int, dict[str, float]] = {}
    norms: dict[int, float] = {}
    for doc_id, (counts, _kw) in docs.items():
        vec = {t: (1 + math.log(c)) * idf[t] for t, c in counts.items() if c > 0}
        vectors[doc_id] = vec
        norms[doc_id] = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    keywords = {doc_id: set(kw) for doc_id, (_c, kw) in docs.items()}
    result: dict[int, list[tuple[int, float, list[str]]]] = {}
    for a, va in vectors.items():
        scored = []
        for b, vb in vectors.items():
            if a == b:
                continue
            small, big = (va, vb) if len(va) < len(vb) else (vb, va)
            dot = sum(w * big.get(t, 0.0) for t, w in small.items())
            cosine = dot / (norms[a] * norms[b])
            union = keywords[a] | keywords[b]
            shared = keywords[a] & keywords[b]
            jaccard = len(shared) / len(union) if union else 0.0
            score = (1 - KEYWORD_SHARE) * cosine + KEYWORD_SHARE * jaccard
            if score >= RELATED_MIN_SCORE:
                scored.append((b, round(score, 4), sorted(shared)))
        scored.sort(key=lambda s: (-s[1], s[0]))
        result[a] = scored[:RELATED_MAX]
    return result
