"""The demo enterprise's organisation tree: 市热力集团有限公司党委 and the units it serves.

    市热力集团有限公司党委 (RLJT)
    ├ 机关党总支: 机关第一党支部, 机关第二党支部, 客服中心党支部
    ├ 生产运行党总支: 调度中心, 热源厂 (3 党小组), 一分公司 (4 党小组), 二分公司, 三分公司
    ├ 工程建设党总支: 管网工程, 安装公司, 设计检测物业联合党支部 (3 units)
    └ 离退休党支部 (2 党小组), directly under the 党委

The ``committee`` of each spec names its scenario (see ``committees.py``); the gaps the
rulebook should find are seeded here on purpose and listed in ``SEEDED_GAPS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from zhibu.demo.logins import ROOT_CODE
from zhibu.demo.state import Demo
from zhibu.orgs import services
from zhibu.orgs.models import Org, Sector, Unit

SECTOR = Sector.STATE_ENTERPRISE

UNITS: dict[str, str] = {
    "hq": "市热力集团有限公司",
    "retired": "市热力集团离退休职工管理中心",
    "service": "市热力集团客户服务中心",
    "dispatch": "市热力集团生产调度中心",
    "plant": "市热力集团热源厂",
    "d1": "市热力集团第一供热分公司",
    "d2": "市热力集团第二供热分公司",
    "d3": "市热力集团第三供热分公司",
    "pipeline": "市热力管网工程有限公司",
    "install": "市热力设备安装有限公司",
    "property": "市热力物业服务有限公司",
    "design": "市热力工程设计院有限公司",
    "inspection": "市热力计量检测有限公司",
}


@dataclass(frozen=True)
class Share:
    """The members a branch has from one unit."""

    unit: str  # key of UNITS
    size: int  # people planned, named ones included
    profile: str  # key of people.PROFILES, or "retired"
    probationary: int = 0  # admitted within the last year
    recent: int = 0  # full members whose 转正 fell within the last year


@dataclass(frozen=True)
class OrgSpec:
    code: str
    name: str
    kind: str
    parent: str | None
    founded: tuple[int, int, int]  # (years before this year, month, day)
    units: tuple[str, ...] = ()
    short_name: str = ""
    roster: tuple[Share, ...] = ()  # branches only
    groups: tuple[tuple[str, str], ...] = ()  # (code, name) of its 党小组
    committee: str = "ok"  # scenario, see committees.py
    secretary_title: str = ""  # the secretary's job besides the post

    def established_on(self, today: date) -> date:
        years, month, day = self.founded
        return date(today.year - years, month, day)


K = Org.Kind
ORGS: tuple[OrgSpec, ...] = (
    OrgSpec(
        ROOT_CODE,
        "市热力集团有限公司党委",
        K.COMMITTEE,
        None,
        (38, 7, 1),
        ("hq",),
        short_name="热力集团党委",
    ),
    OrgSpec("RLJT-JG", "机关党总支", K.GENERAL_BRANCH, ROOT_CODE, (20, 3, 18), ("hq",)),
    OrgSpec(
        "RLJT-SC",
        "生产运行党总支",
        K.GENERAL_BRANCH,
        ROOT_CODE,
        (20, 3, 18),
        ("dispatch", "plant", "d1", "d2", "d3"),
    ),
    OrgSpec(
        "RLJT-GC",
        "工程建设党总支",
        K.GENERAL_BRANCH,
        ROOT_CODE,
        (12, 9, 6),
        ("pipeline", "install", "property", "design", "inspection"),
    ),
    OrgSpec(
        "RLJT-JG01",
        "机关第一党支部",
        K.BRANCH,
        "RLJT-JG",
        (20, 4, 10),
        ("hq",),
        roster=(Share("hq", 22, "office", probationary=1),),
        secretary_title="人力资源部部长",
    ),
    OrgSpec(
        "RLJT-JG02",
        "机关第二党支部",
        K.BRANCH,
        "RLJT-JG",
        (20, 4, 10),
        ("hq",),
        roster=(Share("hq", 18, "finance"),),
        secretary_title="财务部部长",
    ),
    # ORG-04 gap: grown past 7 full members in the last year, still only a secretary.
    OrgSpec(
        "RLJT-KF",
        "客服中心党支部",
        K.BRANCH,
        "RLJT-JG",
        (10, 6, 28),
        ("service",),
        roster=(Share("service", 12, "service", probationary=3, recent=4),),
        committee="secretary_only",
        secretary_title="客服中心副主任",
    ),
    OrgSpec(
        "RLJT-DD",
        "调度中心党支部",
        K.BRANCH,
        "RLJT-SC",
        (18, 5, 12),
        ("dispatch",),
        roster=(Share("dispatch", 15, "dispatch", probationary=1),),
        secretary_title="调度中心副主任",
    ),
    OrgSpec(
        "RLJT-RY",
        "热源厂党支部",
        K.BRANCH,
        "RLJT-SC",
        (20, 4, 20),
        ("plant",),
        roster=(Share("plant", 38, "plant", probationary=2),),
        groups=(
            ("RLJT-RY-1", "运行一值党小组"),
            ("RLJT-RY-2", "运行二值党小组"),
            ("RLJT-RY-3", "检修党小组"),
        ),
    ),
    # ORG-02: the largest district company, over 50 members though divided into groups.
    OrgSpec(
        "RLJT-FG1",
        "一分公司党支部",
        K.BRANCH,
        "RLJT-SC",
        (20, 4, 20),
        ("d1",),
        roster=(Share("d1", 53, "district", probationary=2),),
        groups=(
            ("RLJT-FG1-1", "城东供热站党小组"),
            ("RLJT-FG1-2", "城西供热站党小组"),
            ("RLJT-FG1-3", "城南供热站党小组"),
            ("RLJT-FG1-4", "分公司机关党小组"),
        ),
        secretary_title="一分公司副经理",
    ),
    # ORG-05 due: the term ends within six months.
    OrgSpec(
        "RLJT-FG2",
        "二分公司党支部",
        K.BRANCH,
        "RLJT-SC",
        (16, 8, 8),
        ("d2",),
        roster=(Share("d2", 28, "district", probationary=1),),
        committee="ending",
        secretary_title="二分公司副经理",
    ),
    # ORG-08: the secretary left eight months ago and nobody has been elected since.
    OrgSpec(
        "RLJT-FG3",
        "三分公司党支部",
        K.BRANCH,
        "RLJT-SC",
        (11, 11, 3),
        ("d3",),
        roster=(Share("d3", 22, "district", probationary=1),),
        committee="vacant",
        secretary_title="三分公司副经理",
    ),
    # ORG-05 late: elected more than three years ago and not renewed.
    OrgSpec(
        "RLJT-GW",
        "管网工程党支部",
        K.BRANCH,
        "RLJT-GC",
        (12, 9, 20),
        ("pipeline",),
        roster=(Share("pipeline", 26, "pipeline", probationary=1),),
        committee="expired",
        secretary_title="管网工程公司副经理",
    ),
    # Elected seven weeks ago; the 党委 has not approved the committee yet (ORG-06).
    OrgSpec(
        "RLJT-AZ",
        "安装公司党支部",
        K.BRANCH,
        "RLJT-GC",
        (9, 3, 15),
        ("install",),
        roster=(Share("install", 20, "install", probationary=1),),
        committee="pending",
        secretary_title="安装公司副经理",
    ),
    # ORG-01 gap: 设计院 now has 4 full members of its own but no branch of its own.
    OrgSpec(
        "RLJT-LH",
        "设计检测物业联合党支部",
        K.JOINT_BRANCH,
        "RLJT-GC",
        (5, 5, 20),
        ("design", "property", "inspection"),
        roster=(
            Share("design", 5, "design", probationary=1),
            Share("property", 3, "property", probationary=1),
            Share("inspection", 2, "inspection"),
        ),
        secretary_title="设计院副院长",
    ),
    OrgSpec(
        "RLJT-LT",
        "离退休党支部",
        K.BRANCH,
        ROOT_CODE,
        (25, 10, 15),
        ("retired",),
        roster=(Share("retired", 30, "retired"),),
        groups=(("RLJT-LT-1", "城东片区党小组"), ("RLJT-LT-2", "城西片区党小组")),
    ),
)

SPECS: dict[str, OrgSpec] = {spec.code: spec for spec in ORGS}
BRANCH_SPECS: tuple[OrgSpec, ...] = tuple(spec for spec in ORGS if spec.roster)

# What the rulebook should find in the demo: (rule code, status, org code). Tests check them.
SEEDED_GAPS: tuple[tuple[str, str, str], ...] = (
    ("ORG-01", "missing", "RLJT-LH"),  # 设计院: ≥3 full members, no branch of its own
    ("ORG-02", "due", "RLJT-FG1"),  # over 50 members
    ("ORG-04", "missing", "RLJT-KF"),  # ≥7 full members, no committee
    ("ORG-05", "late", "RLJT-GW"),  # term expired
    ("ORG-05", "due", "RLJT-FG2"),  # term ends within six months
    ("ORG-08", "late", "RLJT-FG3"),  # secretary vacant for more than six months
)


def _document(rng, issuer: str, day: date) -> str:
    return f"{issuer}〔{day.year}〕{rng.randint(3, 60)}号"


def create_tree(demo: Demo) -> None:
    """The units and every org, parents first, through ``services.org_create``."""
    rng = demo.rng("tree")
    for key, name in UNITS.items():
        unit, created = Unit.objects.get_or_create(name=name, defaults={"sector": SECTOR})
        demo.units[key] = unit
        demo.counts["units"] += created
    for spec in ORGS:
        established = spec.established_on(demo.today)
        parent = demo.orgs[spec.parent] if spec.parent else None
        issuer = "市国资委党委" if parent is None else "热力党委"
        demo.orgs[spec.code] = services.org_create(
            parent=parent,
            kind=spec.kind,
            name=spec.name,
            code=spec.code,
            sector=SECTOR,
            established_on=established,
            short_name=spec.short_name,
            units=[demo.units[key] for key in spec.units],
            document_no=_document(rng, issuer, established),
        )
        for code, name in spec.groups:
            demo.orgs[code] = services.org_create(
                parent=demo.orgs[spec.code],
                kind=Org.Kind.GROUP,
                name=name,
                code=code,
                sector=SECTOR,
                established_on=established,
            )
    demo.counts["orgs"] += len(demo.orgs)
