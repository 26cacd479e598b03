"""学习教育 in the demo: courses with attendance, self-study (one waiting for the branch's
approval), a small library of short articles written for the demo (no outside text) whose
keywords are partly given and partly extracted, with 相关阅读 computed as on any save.

Last year the 党委 held one 集中培训 for the holders of committee posts, so EDU-02's
training requirement is met where the hours are (members short of last year's 32 学时 are
not among the trainees: the seeded EDU-01 gaps stay as they are). This year 热源厂党支部
has a 党课 and a 专题辅导 with attendance, 网络学习 for the whole tree's secretaries, and
self-study by the demo member 周晓明 (one approved, one pending).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, Sum

from zhibu.accounts.models import User
from zhibu.core.scope import subtree_q
from zhibu.demo.state import Demo
from zhibu.meetings.models import Attendance
from zhibu.members.models import Member
from zhibu.orgs.models import CommitteePost, Org
from zhibu.study import services
from zhibu.study.models import Article, Course

BRANCH = "RLJT-RY"  # 热源厂党支部, the demo member's branch
MEMBER_LOGIN = "dangyuan"

# (title, topic, source, keywords as an editor typed them or "" for automatic, body)
ARTICLES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "从“一大”会址看初心的起点",
        "history",
        "党委宣传部",
        "党史、初心使命、建党精神",
        "一百多年前，十几位代表在一艘游船和一间小楼里完成了建党的议程。条件简陋，目标却十分清楚："
        "为中国人民谋幸福，为中华民族谋复兴。\n"
        "重温这段党史，不是为了记住几个日期，而是为了弄清楚我们从哪里来。"
        "建党精神中坚持真理、坚守理想的内容，对今天每一名党员同样适用。\n"
        "支部在党史学习教育中可以组织党员实地参观红色场馆，"
        "结合本单位的发展历程讲一讲身边的党史故事，让初心使命落到岗位上。",
    ),
    (
        "党史学习教育：用好身边的红色资源",
        "history",
        "热源厂党支部",
        "",
        "党史学习教育要防止只读材料、不进现场。城市里的老厂房、老管网和老职工，本身就是党史的一部分。"
        "热力行业从烧煤的小锅炉房走到今天的集中供热，每一步都有党员突击队的身影。\n"
        "支部可以请老党员讲述当年抢修管网、保障供热的经历，"
        "把红色资源和企业史结合起来，让年轻党员在党史学习中感受红色基因的传承。"
        "讲述要真实具体，少讲空话，多讲事情是怎样做成的。",
    ),
    (
        "两学一做：学党章党规，学系列讲话，做合格党员",
        "two_studies",
        "党委组织部",
        "两学一做、党章、党规、合格党员",
        "两学一做学习教育的基础在学，关键在做。学党章党规，是要明白党员的标准和规矩；"
        "学系列讲话，是要掌握党的理论和方针政策；做合格党员，是要在工作和生活中体现党员的样子。\n"
        "两学一做已经成为常态化制度化的安排，支部应当把它融入三会一课，"
        "结合主题党日开展专题学习，让党员对照党章党规查找差距。",
    ),
    (
        "做合格党员，先从岗位做起",
        "two_studies",
        "运行一值党小组",
        "",
        "合格党员不是一句口号。对一名锅炉运行工来说，合格就是把每一次巡检做到位，"
        "把每一个参数记清楚，在寒潮来临时顶得上去。\n"
        "两学一做强调学做结合。学了党章中的党员义务，就要想一想自己在岗位上是否履行了这些义务；"
        "学了党规中的纪律要求，就要在日常工作中守住底线。党员的先锋作用，往往体现在平凡的岗位上。",
    ),
    (
        "主题教育中如何开展调查研究",
        "theme",
        "党委办公室",
        "主题教育、调查研究、为民办实事",
        "主题教育要求把调查研究作为基本功。调查研究不是走马观花，而是带着问题深入一线，"
        "听取职工和用户的真实意见。\n"
        "支部可以围绕供热质量、用户投诉、班组安全等具体问题开展调研，形成问题清单，"
        "再把问题清单转化为为民办实事的项目清单，明确责任人和完成时限，做到件件有着落。",
    ),
    (
        "主题教育：以学促干，把成果落到实处",
        "theme",
        "党委宣传部",
        "",
        "主题教育的成效最终要体现在工作上。以学铸魂、以学增智、以学正风、以学促干，"
        "是对学习成果的检验。\n"
        "在主题教育中，党员干部要把理论学习和解决实际问题结合起来，"
        "对调查研究中发现的问题抓好整改，整改情况要向党员和群众通报，接受监督。"
        "这样的主题教育才不流于形式。",
    ),
    (
        "逐章学党章：党员的义务和权利",
        "constitution",
        "党委组织部",
        "党章、党员义务、党员权利",
        "党章第一章规定了党员的条件、义务和权利。党员义务共有八项，"
        "包括认真学习、贯彻执行党的路线方针政策、自觉遵守党的纪律、密切联系群众等。"
        "党员权利同样有八项，包括参加党的有关会议、参加党内讨论、行使表决权和选举权等。\n"
        "学习党章要逐章逐条地学，把义务和权利对照起来理解：履行义务是本分，"
        "正确行使权利也是对组织负责。支部可以用知识问答的方式帮助党员熟悉党章条文。",
    ),
    (
        "入党誓词里的每一句话",
        "constitution",
        "热源厂党支部",
        "",
        "入党誓词只有八十个字，却概括了党员的基本要求。拥护党的纲领，遵守党的章程，"
        "履行党员义务，执行党的决定，严守党的纪律，保守党的秘密，对党忠诚，积极工作。\n"
        "在政治生日这一天重温入党誓词，是提醒自己当初为什么入党。"
        "支部可以在当月的主题党日上，请过政治生日的党员领誓，其他党员一同重温入党誓词，"
        "再请他们谈一谈一年来践行誓言的体会。",
    ),
)


def _members_short_last_year(root: Org, year: int) -> set[int]:
    """Members whose meetings gave them fewer than 32 学时 last year (kept short)."""
    rows = (
        Attendance.objects.filter(
            meeting__on__year=year,
            status=Attendance.Status.PRESENT,
        )
        .filter(subtree_q([root.path], "meeting__org__path"))
        .values("member")
        .annotate(h=Sum("study_hours"))
    )
    enough = {r["member"] for r in rows if (r["h"] or 0) >= 32}
    everyone = set(
        Member.objects.filter(subtree_q([root.path], "org__path")).values_list("pk", flat=True)
    )
    return everyone - enough


def _cadres(root: Org, on: date) -> list[int]:
    return list(
        CommitteePost.objects.filter(subtree_q([root.path], "org__path"), start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gt=on))
        .values_list("holder", flat=True)
        .distinct()
    )


def build(demo: Demo, root: Org) -> None:
    if Course.objects.filter(subtree_q([root.path], "org__path")).exists():
        return
    today = demo.today
    staff = User.objects.filter(username="zuzhibu").first()
    branch = Org.objects.filter(code=BRANCH).first() or root
    last_year = today.year - 1

    # Last year's 集中培训 for the holders of committee posts (EDU-02).
    training_day = date(last_year, 11, 12)
    short = _members_short_last_year(root, last_year)
    training = services.course_save(
        org=root,
        data={
            "kind": Course.Kind.CENTRAL,
            "title": f"{last_year}年基层党组织书记和支委集中轮训",
            "on": training_day,
            "hours": Decimal("8"),
            "place": "集团党校",
            "lecturer": "党委组织部",
            "note": "党章党规、支部工作条例和三会一课制度专题培训。",
        },
        by=staff,
    )
    # Those still on the roll (the service accepts only members on the org's roll).
    on_roll = set(services.eligible_members(training).values_list("pk", flat=True))
    trainees = [m for m in _cadres(root, training_day) if m not in short and m in on_roll]
    services.attendance_set(course=training, member_ids=trainees, today=today)

    # This year: a 党课 and a 专题辅导 in the demo member's branch, and 网络学习.
    roll = list(
        services.eligible_members(training)
        .filter(org=branch)
        .order_by("name", "id")
        .values_list("pk", flat=True)
    )
    rng = demo.rng("study")
    plan = [
        (Course.Kind.LECTURE, "书记讲党课：党员的先锋作用在岗位上", 75, "3", 1.0),
        (Course.Kind.SEMINAR, "专题辅导：学习党章中的党员义务和权利", 40, "4", 0.8),
        (Course.Kind.ONLINE, "网络学习：党史学习教育专题课程", 20, "2", 0.6),
    ]
    for kind, title, days_ago, hours, share in plan:
        on = today - timedelta(days=days_ago)
        if on.year != today.year:
            on = date(today.year, 1, 1)
        course = services.course_save(
            org=branch,
            data={"kind": kind, "title": title, "on": on, "hours": Decimal(hours)},
            by=staff,
        )
        attendees = [m for m in roll if rng.random() < share]
        services.attendance_set(course=course, member_ids=attendees, today=today)
        demo.counts["courses"] += 1
    demo.counts["courses"] += 1  # the training

    # The demo member's self-study: one approved, one waiting.
    member = Member.objects.filter(user__username=MEMBER_LOGIN).first()
    secretary = User.objects.filter(username="zhibu").first()
    if member is not None:
        approved = services.self_study_submit(
            member=member,
            on=max(date(today.year, 1, 1), today - timedelta(days=30)),
            title="自学《中国共产党章程》第一章",
            hours=Decimal("2"),
            note="逐条学习党员的义务和权利，对照岗位查找差距。",
            today=today,
        )
        services.self_study_decide(record=approved, approve=True, reason="", by=secretary)
        services.self_study_submit(
            member=member,
            on=max(date(today.year, 1, 1), today - timedelta(days=2)),
            title="阅读党史学习教育专题资料",
            hours=Decimal("1.5"),
            today=today,
        )
        demo.counts["self_study"] += 2

    # The library: the 党委's articles (related reading is recomputed on each save).
    for i, (title, topic, source, keywords, body) in enumerate(ARTICLES):
        services.article_save(
            org=root,
            data={
                "title": title,
                "topic": topic,
                "source": source,
                "keywords": keywords,
                "body": body,
                "published_on": today - timedelta(days=90 - 10 * i),
            },
            by=staff,
        )
    demo.counts["articles"] = Article.objects.filter(org=root).count()
