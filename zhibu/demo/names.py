"""Plausible synthetic Chinese names: frequency-weighted surnames, given names by era.

The weights follow the national surname ranking with a north-eastern tilt (more 于, 姜,
曲, 隋, 丛; fewer of the southern 黄, 林, 梁, 邓 ...). Given names follow the fashions of
the decade of birth: 秀英 and 建国 for the 1950s, 海涛 and 红梅 for the 1970s, 浩宇 and
欣怡 for the late 1990s. Ethnic minorities get their common surnames (金, 朴 for 朝鲜族,
马 for 回族, 关, 佟 for 满族). Every draw goes through the caller's ``random.Random``.
"""

from __future__ import annotations

import random

# (surname, relative weight ≈ per-mille of the population)
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 72), ("李", 72), ("张", 70), ("刘", 60), ("陈", 38), ("杨", 30), ("赵", 26),
    ("孙", 22), ("于", 16), ("周", 17), ("吴", 15), ("徐", 14), ("马", 13), ("朱", 10),
    ("高", 12), ("郭", 10), ("姜", 10), ("胡", 9), ("黄", 8), ("林", 6), ("何", 6),
    ("宋", 8), ("韩", 8), ("董", 7), ("冯", 6), ("曹", 6), ("邢", 3), ("郑", 6),
    ("田", 6), ("付", 6), ("吕", 5), ("曲", 4), ("丁", 5), ("崔", 6), ("贾", 5),
    ("魏", 5), ("薛", 4), ("袁", 4), ("许", 5), ("程", 4), ("沈", 3), ("谢", 3),
    ("唐", 4), ("邓", 3), ("任", 4), ("范", 4), ("石", 4), ("姚", 3), ("方", 3),
    ("白", 4), ("苏", 4), ("侯", 4), ("孟", 4), ("蒋", 3), ("秦", 3), ("史", 3),
    ("段", 3), ("常", 3), ("武", 3), ("乔", 2), ("贺", 2), ("尹", 2), ("邵", 3),
    ("梁", 3), ("罗", 3), ("潘", 2), ("杜", 3), ("陆", 2), ("庞", 2), ("隋", 2),
    ("丛", 2), ("宫", 2), ("初", 1), ("鞠", 1), ("牟", 1), ("关", 2), ("佟", 2),
    ("葛", 2), ("耿", 2), ("纪", 2), ("谭", 2), ("夏", 2), ("钱", 2), ("汪", 1),
    ("毕", 1), ("齐", 2), ("闫", 2), ("祁", 1), ("岳", 2), ("单", 1),
)  # fmt: skip

ETHNIC_SURNAMES: dict[str, tuple[str, ...]] = {
    "朝鲜族": ("金", "朴", "崔", "李", "郑", "姜", "申", "全"),
    "回族": ("马", "白", "杨", "丁", "米", "哈", "沙"),
    "满族": ("关", "佟", "那", "赵", "金", "富", "索", "王"),
    "蒙古族": ("包", "白", "韩", "宝", "吴", "陈"),
}

# Given names of 朝鲜族 members (written in Chinese characters as on their ID cards).
KOREAN_GIVEN = {
    "M": ("成哲", "永哲", "光日", "哲浩", "东日", "成浩", "龙洙", "英男"),
    "F": ("美兰", "春花", "英子", "京淑", "顺玉", "美玉", "贞淑", "善姬"),
}

# Given names by era of birth (up to and including the year) and gender.
GIVEN_NAMES: tuple[tuple[int, dict[str, tuple[str, ...]]], ...] = (
    (1959, {
        "M": ("建国", "国庆", "国华", "德明", "志刚", "玉山", "长海", "宝山", "福林",
              "永昌", "世明", "树林", "春生", "卫东", "保国", "金山", "庆林", "广田",
              "忠良", "振东", "洪亮", "德胜", "凤山", "学文", "贵", "林", "俊", "山"),
        "F": ("秀英", "桂兰", "淑珍", "玉兰", "凤兰", "秀兰", "桂芝", "淑兰", "玉珍",
              "玉梅", "秀芳", "素珍", "淑芬", "桂琴", "凤芝", "丽华", "秀珍", "玉芬",
              "春梅", "淑贤", "桂英", "秀云", "英", "华"),
    }),
    (1979, {
        "M": ("建军", "志强", "海涛", "立军", "伟", "勇", "军", "刚", "强", "斌",
              "明", "东", "建华", "建平", "卫国", "国强", "永刚", "宏伟", "晓东",
              "海军", "志勇", "春雷", "铁军", "洪涛", "长春", "宏", "辉", "亮", "立国",
              "学军", "振宇", "永生", "金龙", "福生", "庆丰", "云龙"),
        "F": ("丽", "红", "艳", "敏", "静", "霞", "丽娟", "红梅", "艳华", "海燕",
              "春燕", "秀娟", "丽萍", "晓红", "玉红", "红霞", "艳丽", "雪梅", "冬梅",
              "立红", "玲", "梅", "颖", "凤霞", "淑梅", "艳玲", "晓梅", "桂香"),
    }),
    (1994, {
        "M": ("磊", "鹏", "超", "浩", "宇", "帅", "博", "健", "涛", "鑫", "阳",
              "晓明", "海洋", "天宇", "志远", "晨", "俊杰", "文博", "子健", "思远",
              "宏宇", "旭东", "立伟", "佳明", "一鸣", "明辉", "振华", "国栋", "凯",
              "龙", "松", "刚"),
        "F": ("婷婷", "静", "丹", "娜", "莹", "琳", "雪", "晶", "倩", "佳", "璐",
              "丽丽", "晓丹", "思琪", "雪莹", "佳慧", "欣", "宁", "悦", "楠", "爽",
              "丹丹", "媛媛", "婧", "蕾", "慧", "晓宇", "新宇"),
    }),
    (9999, {
        "M": ("子豪", "浩宇", "宇航", "嘉豪", "博文", "一帆", "子轩", "宇轩", "浩然",
              "泽宇", "梓豪", "铭", "昊", "俊宇", "天宇", "明哲", "思源", "家乐"),
        "F": ("欣怡", "梓涵", "雨萱", "诗涵", "可欣", "佳怡", "思雨", "子涵", "梦瑶",
              "雨桐", "一诺", "欣然", "晓雪", "佳琪", "雨欣", "梦琪", "艺", "萌"),
    }),
)  # fmt: skip

_SURNAME_CHOICES = [s for s, _ in SURNAMES]
_SURNAME_WEIGHTS = [w for _, w in SURNAMES]


def surname(rng: random.Random, ethnicity: str = "汉族") -> str:
    if ethnicity in ETHNIC_SURNAMES:
        return rng.choice(ETHNIC_SURNAMES[ethnicity])
    return rng.choices(_SURNAME_CHOICES, _SURNAME_WEIGHTS)[0]


def given_name(rng: random.Random, gender: str, birth_year: int, ethnicity: str = "汉族") -> str:
    if ethnicity == "朝鲜族":
        return rng.choice(KOREAN_GIVEN[gender])
    for last_year, pools in GIVEN_NAMES:
        if birth_year <= last_year:
            return rng.choice(pools[gender])
    raise AssertionError("unreachable: the last era is open-ended")


def person_name(
    rng: random.Random,
    *,
    gender: str,
    birth_year: int,
    ethnicity: str = "汉族",
    avoid: set[str] | frozenset[str] = frozenset(),
) -> str:
    """A full name (2 or 3 characters) not in ``avoid``."""
    for _attempt in range(50):
        name = surname(rng, ethnicity) + given_name(rng, gender, birth_year, ethnicity)
        if name not in avoid:
            return name
    raise RuntimeError("could not draw an unused name")  # pragma: no cover
