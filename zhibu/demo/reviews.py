"""述职评议 (RESP-03) and 三诺一评 (EDU-04) in the demo, before the rulebook runs.

- Last year's reviews of every secretary below the 党委, each organised by the committee
  directly above, held in January, graded, commented and graded (评定) — except one seeded
  gap: the secretary of ``MISSING`` (RESP-03 finds it at the 生产运行党总支 once the
  deadline has passed, a DUE before);
- the 热源厂党支部 secretary's review (``SHOWCASE``) has five evaluators with varied
  grades, the 总支 secretary's 点评 and a rectification list of two items in the duties
  loop (one 销号 with evidence, one still open);
- promises: members of the 热源厂党支部 and the 调度中心党支部 made last year's promises
  with 践诺 notes and a 评诺 at the branch's 民主评议, and this year's with a first note;
  the other branches have none (the promises page shows them at 0, no ranking).

Every entry runs at the moment it would have been made (``clock.at``).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q

from zhibu.accounts.models import User
from zhibu.core.scope import parent_path, subtree_q
from zhibu.demo.clock import at, moment
from zhibu.demo.state import Demo
from zhibu.duties.services.rectification import rectification_close
from zhibu.members.models import Member
from zhibu.orgs.models import Org
from zhibu.reviews import services
from zhibu.reviews.models import Grade, SecretaryReview
from zhibu.reviews.rules import REVIEWED_KINDS

SHOWCASE = "RLJT-RY"  # 热源厂党支部 (demo login "zhibu")
MISSING = "RLJT-FG3"  # its secretary's review is the seeded RESP-03 gap
PROMISE_BRANCHES = ("RLJT-RY", "RLJT-DD")
SHOWCASE_GRADES = (Grade.GOOD, Grade.GOOD, Grade.FAIRLY_GOOD, Grade.GOOD, Grade.AVERAGE)
OTHER_GRADES = (Grade.GOOD, Grade.FAIRLY_GOOD, Grade.GOOD)
REPORT = (
    "{year}年，{org}坚持把党的政治建设摆在首位，落实“三会一课”、主题党日和谈心谈话制度，"
    "按期开展组织生活会和民主评议党员；围绕安全生产和供热保障设立党员责任区，"
    "发展党员工作按计划推进。存在的不足：理论学习的深度不够，党员作用发挥不够均衡。"
)
REMARKS = "思路清晰、措施扎实，党建与生产经营结合较好；发展党员和青年党员教育仍需加强。"
RECTIFICATIONS = (
    ("青年党员理论学习深度不够", "制定青年党员学习计划，每季度开展一次专题学习并交流", 45),
    ("党员责任区作用发挥不均衡", "细化责任区目标，年底前逐一讲评", 300),
)
PROMISES = (
    "带头落实安全操作规程，全年无违章；帮带一名新员工",
    "参加志愿服务不少于 4 次，按时参加组织生活",
    "完成一项技术革新，带头节能降耗",
    "联系两户困难职工家庭，每季度走访一次",
)
NOTES = ("完成一次志愿服务，走访困难职工一户", "带领班组完成技改项目并通过验收")


def _meeting_day(today: date) -> date:
    """Last year's reviews are held in January (earlier in the year: yesterday)."""
    return min(date(today.year, 1, 18), today - timedelta(days=1))


def _evaluators(organiser: Org, exclude: Member, n: int) -> list[Member]:
    return list(
        Member.objects.filter(
            subtree_q([organiser.path], field="org__path"),
            status=Member.Status.FULL,
        )
        .exclude(pk=exclude.pk)
        .order_by("org__path", "id")[: n * 7 : 7]
    )


def build(demo: Demo, root: Org) -> None:
    today = demo.today
    if SecretaryReview.objects.filter(subtree_q([root.path], field="org__path")).exists():
        return
    year = today.year - 1
    held = _meeting_day(today)
    committees = {
        o.path: o for o in Org.objects.filter(subtree_q([root.path]), kind__in=Org.COMMITTEE_KINDS)
    }
    subordinates = (
        Org.objects.filter(subtree_q([root.path]), kind__in=REVIEWED_KINDS)
        .exclude(pk=root.pk)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=held))
        .order_by("path")
    )
    leads = {u.username: u for u in User.objects.filter(username__in=["dangwei", "zongzhi"])}
    for org in subordinates:
        organiser = committees.get(parent_path(org.path))
        if organiser is None or org.code == MISSING:
            continue
        with at(moment(held, 15)):
            secretary = services.secretary_of(org, held)
            if secretary is None:
                continue
            showcase = org.code == SHOWCASE
            grades = SHOWCASE_GRADES if showcase else OTHER_GRADES
            evaluators = _evaluators(organiser, secretary, len(grades))
            by = leads.get("zongzhi" if organiser.code == "RLJT-SC" else "dangwei")
            review = services.review_open(
                organiser=organiser,
                org=org,
                year=year,
                report=REPORT.format(year=year, org=org.name),
                evaluators=evaluators,
                meeting_on=held,
                meeting_place=f"{organiser.short_name or organiser.name}会议室",
                by=by,
            )
            for member, grade in zip(evaluators, grades, strict=False):
                services.grade_record(
                    review=review,
                    member=member,
                    grade=grade,
                    comment="述职实事求是，问题查摆到位" if showcase else "",
                )
            services.review_remark(review=review, remarks=REMARKS, on=held, by=by)
            services.review_finish(review=review, on=held, by=by)
        demo.counts["secretary_reviews"] += 1
        if showcase:
            _rectifications(review, held, by, today)
    _promises(demo, root)


def _rectifications(review: SecretaryReview, held: date, by, today: date) -> None:
    items = []
    with at(moment(held, 17)):
        for problem, measure, days in RECTIFICATIONS:
            items.append(
                services.review_rectification_add(
                    review=review,
                    problem=problem,
                    measure=measure,
                    deadline=held + timedelta(days=days),
                    by=by,
                )
            )
    closed_on = held + timedelta(days=40)
    if closed_on <= today:
        with at(moment(closed_on, 16)):
            rectification_close(
                item=items[0],
                evidence="已制定青年党员学习计划，一季度专题学习已开展，附签到表和学习记录。",
                on=closed_on,
                by=by,
            )


def _promises(demo: Demo, root: Org) -> None:
    today = demo.today
    secretary = User.objects.filter(username="zhibu").first()
    for code in PROMISE_BRANCHES:
        branch = Org.objects.filter(code=code, path__startswith=root.path).first()
        if branch is None:
            continue
        members = list(
            Member.objects.filter(org=branch, status=Member.Status.FULL).order_by("id")[:4]
        )
        if code == SHOWCASE:  # the demo login "dangyuan" keeps a promise too
            own = Member.objects.filter(org=branch, user__username="dangyuan").first()
            if own is not None and own not in members:
                members[-1:] = [own]
        for year in (today.year - 1, today.year):
            made_on = date(year, 2, 20)
            if made_on > today:
                continue
            for i, member in enumerate(members):
                with at(moment(made_on, 10)):
                    promise = services.promise_make(
                        member=member, year=year, text=PROMISES[i % len(PROMISES)]
                    )
                demo.counts["promises"] += 1
                for k, text in enumerate(NOTES):
                    on = date(year, 5 + 4 * k, 10)
                    if on > today:
                        continue
                    with at(moment(on, 19)):
                        services.promise_note_add(promise=promise, on=on, text=text)
                if year < today.year:
                    on = _meeting_day(today)
                    with at(moment(on, 16)):
                        services.promise_evaluate(
                            promise=promise,
                            evaluation=Grade.GOOD if i % 3 else Grade.FAIRLY_GOOD,
                            note="承诺事项基本兑现" if i % 3 == 0 else "践诺到位，群众认可",
                            on=on,
                            by=secretary,
                        )
