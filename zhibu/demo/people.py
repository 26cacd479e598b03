"""Synthetic people for the demo roster: ages, dates, education, jobs, phones, ID numbers.

Dates obey the data-quality rules: admitted after the 18th birthday, applied before
admitted, 转正 exactly one year after admission (DEV-13), no future events. Every draw
goes through the caller's ``random.Random``, so a seed gives the same people.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from zhibu.demo import names
from zhibu.members import idnumber
from zhibu.members.choices import Education
from zhibu.members.models import Member


@dataclass(frozen=True)
class Job:
    title: str
    weight: int
    front_line: bool = False
    schooling: str = "worker"  # a key of SCHOOLING
    field: str = "工学"  # the discipline of a degree (工学学士, 管理学硕士 ...)


@dataclass(frozen=True)
class Profile:
    """The kind of work done in a unit: its jobs and share of men."""

    male_share: float
    jobs: tuple[Job, ...]


# Education mixes by kind of job (weights).
SCHOOLING: dict[str, dict[str, int]] = {
    "cadre": {Education.MASTER: 25, Education.BACHELOR: 60, Education.COLLEGE: 15},
    "engineer": {Education.MASTER: 12, Education.BACHELOR: 70, Education.COLLEGE: 18},
    "clerk": {Education.BACHELOR: 45, Education.COLLEGE: 45, Education.SECONDARY_VOCATIONAL: 10},
    "worker": {
        Education.BACHELOR: 8,
        Education.COLLEGE: 40,
        Education.SECONDARY_VOCATIONAL: 32,
        Education.HIGH_SCHOOL: 20,
    },
    "retired_old": {
        Education.JUNIOR_OR_BELOW: 35,
        Education.HIGH_SCHOOL: 30,
        Education.SECONDARY_VOCATIONAL: 20,
        Education.COLLEGE: 10,
        Education.BACHELOR: 5,
    },
    "retired": {
        Education.JUNIOR_OR_BELOW: 10,
        Education.HIGH_SCHOOL: 25,
        Education.SECONDARY_VOCATIONAL: 25,
        Education.COLLEGE: 25,
        Education.BACHELOR: 15,
    },
}

PROFILES: dict[str, Profile] = {
    "office": Profile(
        0.5,
        (
            Job("党委办公室秘书", 2, schooling="cadre", field="文学"),
            Job("组织部干事", 2, schooling="cadre", field="法学"),
            Job("人力资源专员", 3, schooling="cadre", field="管理学"),
            Job("宣传干事", 2, schooling="cadre", field="文学"),
            Job("行政管理员", 2, schooling="clerk", field="管理学"),
            Job("工会干事", 1, schooling="clerk", field="管理学"),
            Job("档案管理员", 1, schooling="clerk", field="管理学"),
            Job("信息中心工程师", 2, schooling="engineer"),
            Job("综合办公室副主任", 1, schooling="cadre", field="管理学"),
        ),
    ),
    "finance": Profile(
        0.4,
        (
            Job("会计", 4, schooling="clerk", field="管理学"),
            Job("出纳", 1, schooling="clerk", field="管理学"),
            Job("审计专员", 2, schooling="cadre", field="管理学"),
            Job("纪检监察专员", 2, schooling="cadre", field="法学"),
            Job("法务专员", 1, schooling="cadre", field="法学"),
            Job("安全环保专员", 2, schooling="engineer"),
            Job("经营计划专员", 2, schooling="cadre", field="经济学"),
            Job("物资采购专员", 1, schooling="clerk", field="管理学"),
        ),
    ),
    "service": Profile(
        0.3,
        (
            Job("客服专员", 5, schooling="clerk", field="管理学"),
            Job("热线接线员", 3, front_line=True, schooling="clerk", field="管理学"),
            Job("收费员", 2, schooling="clerk", field="管理学"),
            Job("用热稽查员", 2, front_line=True),
            Job("客服班长", 1, front_line=True, schooling="clerk", field="管理学"),
            Job("客户经理", 1, schooling="clerk", field="管理学"),
        ),
    ),
    "dispatch": Profile(
        0.7,
        (
            Job("调度员", 6, front_line=True, schooling="engineer"),
            Job("值班调度长", 2, front_line=True, schooling="engineer"),
            Job("调度工程师", 2, schooling="engineer"),
            Job("自动化工程师", 2, schooling="engineer"),
            Job("信息化工程师", 1, schooling="engineer"),
        ),
    ),
    "plant": Profile(
        0.85,
        (
            Job("锅炉运行工", 6, front_line=True),
            Job("汽机运行工", 4, front_line=True),
            Job("电气值班员", 3, front_line=True),
            Job("化学水处理工", 2, front_line=True),
            Job("燃料输送工", 2, front_line=True),
            Job("热工仪表工", 2, front_line=True),
            Job("检修钳工", 4, front_line=True),
            Job("电焊工", 2, front_line=True),
            Job("值长", 2, front_line=True, schooling="engineer"),
            Job("运行工程师", 2, schooling="engineer"),
            Job("安全员", 1, schooling="engineer"),
        ),
    ),
    "district": Profile(
        0.8,
        (
            Job("换热站运行工", 8, front_line=True),
            Job("管网巡检工", 5, front_line=True),
            Job("维修工", 5, front_line=True),
            Job("电工", 2, front_line=True),
            Job("运行班长", 2, front_line=True),
            Job("换热站站长", 2, front_line=True, schooling="engineer"),
            Job("热网工程师", 2, schooling="engineer"),
            Job("客服员", 2, schooling="clerk", field="管理学"),
            Job("收费员", 1, schooling="clerk", field="管理学"),
            Job("综合办公室主任", 1, schooling="cadre", field="管理学"),
        ),
    ),
    "pipeline": Profile(
        0.85,
        (
            Job("施工员", 4, front_line=True, schooling="engineer"),
            Job("工程师", 4, schooling="engineer"),
            Job("质检员", 2, front_line=True, schooling="engineer"),
            Job("安全员", 2, front_line=True, schooling="engineer"),
            Job("造价员", 2, schooling="clerk", field="管理学"),
            Job("项目经理", 2, schooling="engineer"),
            Job("焊工", 3, front_line=True),
            Job("测量员", 2, front_line=True),
            Job("资料员", 1, schooling="clerk", field="管理学"),
        ),
    ),
    "install": Profile(
        0.9,
        (
            Job("安装工", 6, front_line=True),
            Job("焊工", 3, front_line=True),
            Job("电工", 2, front_line=True),
            Job("技术员", 3, schooling="engineer"),
            Job("项目经理", 2, schooling="engineer"),
            Job("材料员", 1, schooling="clerk", field="管理学"),
            Job("预算员", 1, schooling="clerk", field="管理学"),
        ),
    ),
    "property": Profile(
        0.5,
        (
            Job("物业管理员", 2, schooling="clerk", field="管理学"),
            Job("维修电工", 1, front_line=True),
            Job("客服主管", 1, schooling="clerk", field="管理学"),
        ),
    ),
    "design": Profile(
        0.7,
        (
            Job("暖通设计师", 3, schooling="engineer"),
            Job("结构工程师", 1, schooling="engineer"),
            Job("给排水工程师", 1, schooling="engineer"),
            Job("电气设计师", 1, schooling="engineer"),
        ),
    ),
    "inspection": Profile(
        0.6,
        (
            Job("计量检测员", 2, front_line=True, schooling="engineer"),
            Job("检测工程师", 2, schooling="engineer"),
        ),
    ),
}

# Birthplaces: (ID region code, 籍贯 shown, weight). One province, centred on its capital.
REGIONS: tuple[tuple[str, str, int], ...] = (
    ("220102", "吉林长春", 14),
    ("220103", "吉林长春", 10),
    ("220104", "吉林长春", 12),
    ("220105", "吉林长春", 10),
    ("220106", "吉林长春", 8),
    ("220112", "吉林长春", 4),
    ("220113", "吉林九台", 4),
    ("220122", "吉林农安", 5),
    ("220182", "吉林榆树", 5),
    ("220183", "吉林德惠", 4),
    ("220202", "吉林吉林", 5),
    ("220302", "吉林四平", 3),
    ("220502", "吉林通化", 2),
    ("220702", "吉林松原", 2),
    ("220802", "吉林白城", 2),
)
ETHNIC_REGIONS = {
    "朝鲜族": (("222401", "吉林延吉"), ("222403", "吉林敦化"), ("222405", "吉林龙井")),
    "蒙古族": (("220721", "吉林前郭"),),
}
# Many north-eastern families give an ancestral 籍贯 in 山东 or 河北.
ANCESTRAL = ("山东莱州", "山东蓬莱", "山东海阳", "山东寿光", "河北沧州", "河北乐亭", "辽宁营口")
ETHNICITIES = (("汉族", 920), ("满族", 35), ("朝鲜族", 20), ("回族", 15), ("蒙古族", 10))
PHONE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "177",
    "180",
    "181",
    "182",
    "185",
    "186",
    "187",
    "188",
    "189",
    "199",
)


@dataclass(eq=False)
class Person:
    """A planned member: every attribute ``member_create`` needs, before it is written."""

    branch: str  # org code of the 党支部
    unit: str  # key of the work unit
    name: str
    gender: str
    birth_date: date
    ethnicity: str
    id_number: str
    native_place: str
    phone: str
    education: str
    degree: str
    occupation: str
    front_line: bool
    category: str
    applied_on: date
    admitted_on: date
    full_on: date | None
    group: str | None = None  # org code of the 党小组
    key: str = ""  # a login's username, or a named slot such as "fushuji"
    frail_reason: str = ""
    leaves: tuple[str, date, str] | None = None  # (MemberEvent kind, day, note): leaves the roll
    member: Member | None = field(default=None, repr=False)  # set once written

    def is_full_on(self, day: date) -> bool:
        return self.full_on is not None and self.full_on <= day

    def party_years_on(self, day: date) -> int:
        if not self.is_full_on(day):
            return 0
        return relativedelta(day, self.full_on).years

    def age_on(self, day: date) -> int:
        return relativedelta(day, self.birth_date).years


def _weighted(rng: random.Random, weights: dict[str, int] | tuple) -> str:
    items = list(weights.items()) if isinstance(weights, dict) else list(weights)
    return rng.choices([k for k, _ in items], [w for _, w in items])[0]


def _day_between(rng: random.Random, start: date, end: date) -> date:
    """A day in [start, end]."""
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def birth_date_for_age(rng: random.Random, today: date, age: int) -> date:
    """Someone exactly ``age`` years old today."""
    latest = today - relativedelta(years=age)
    return _day_between(rng, latest - relativedelta(years=1) + timedelta(days=1), latest)


def ethnicity(rng: random.Random) -> str:
    return _weighted(rng, ETHNICITIES)


def birthplace(rng: random.Random, ethnic: str) -> tuple[str, str]:
    """(ID region code, 籍贯)."""
    if ethnic in ETHNIC_REGIONS:
        region, place = rng.choice(ETHNIC_REGIONS[ethnic])
    else:
        region, place, _w = rng.choices(REGIONS, [w for *_r, w in REGIONS])[0]
    if ethnic == "汉族" and rng.random() < 0.3:
        place = rng.choice(ANCESTRAL)
    return region, place


def phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def schooling(rng: random.Random, kind: str, birth_year: int, field_name: str) -> tuple[str, str]:
    """(education, degree) for a kind of job; younger people went to school longer."""
    education = _weighted(rng, SCHOOLING[kind])
    if birth_year >= 1990 and education in (Education.HIGH_SCHOOL, Education.JUNIOR_OR_BELOW):
        education = Education.COLLEGE
    degree = ""
    if education == Education.BACHELOR and rng.random() < 0.9:
        degree = f"{field_name}学士"
    elif education == Education.MASTER:
        degree = f"{field_name}硕士"
    return education, degree


def party_dates(
    rng: random.Random, *, birth: date, admitted_on: date
) -> tuple[date, date, date | None]:
    """(applied_on, admitted_on, full_on) around a given admission day."""
    adult = birth + relativedelta(years=18)
    admitted_on = max(admitted_on, adult + timedelta(days=30))
    applied_on = max(adult, admitted_on - timedelta(days=rng.randint(420, 1500)))
    return applied_on, admitted_on, admitted_on + relativedelta(years=1)


def id_number(rng: random.Random, *, birth: date, gender: str, region: str, taken: set[str]) -> str:
    """A checksum-valid synthetic ID number not yet used in this demo."""
    for _attempt in range(100):
        number = idnumber.fake(rng, birth_date=birth, gender=gender, region=region)
        if number not in taken:
            taken.add(number)
            return number
    raise RuntimeError("no free ID number")  # pragma: no cover


def make_person(
    rng: random.Random,
    *,
    today: date,
    branch: str,
    unit: str,
    profile: str,
    kind: str,  # "full", "recent" (转正 within the year), "probationary", "retired"
    taken_ids: set[str],
    avoid_names: set[str],
    name: str = "",
    gender: str | None = None,
    age: int | None = None,
    admit_age: int | None = None,
    job: Job | None = None,
    occupation: str = "",
    key: str = "",
) -> Person:
    """One person of ``profile``; the optional arguments pin what a named person needs."""
    spec = PROFILES.get(profile)
    retired = kind == "retired"
    if gender is None:
        male_share = 0.65 if retired else spec.male_share
        gender = "M" if rng.random() < male_share else "F"
    if age is None:
        if retired:
            age = round(rng.triangular(61 if gender == "M" else 53, 90, 70))
        elif kind == "probationary":
            age = rng.randint(23, 36)
        elif kind == "recent":
            age = rng.randint(24, 40)
        else:
            age = round(rng.triangular(24, 59 if gender == "M" else 54, 41))
    birth = birth_date_for_age(rng, today, age)
    ethnic = ethnicity(rng)
    region, native_place = birthplace(rng, ethnic)
    if not name:
        name = names.person_name(
            rng, gender=gender, birth_year=birth.year, ethnicity=ethnic, avoid=avoid_names
        )
    avoid_names.add(name)

    # Admission: most join in their twenties (many at university); retirees long ago.
    if kind == "probationary":
        admitted_on = today - timedelta(days=rng.randint(20, 340))
    elif kind == "recent":
        admitted_on = today - relativedelta(years=1) - timedelta(days=rng.randint(10, 340))
    else:
        if admit_age is None:
            latest = min(age - 2, 45)
            admit_age = round(rng.triangular(20, latest, min(26, latest))) if latest > 20 else 20
        admitted_on = birth + relativedelta(years=admit_age) + timedelta(days=rng.randint(0, 300))
        admitted_on = min(admitted_on, today - relativedelta(years=1) - timedelta(days=30))
    applied_on, admitted_on, full_on = party_dates(rng, birth=birth, admitted_on=admitted_on)
    if kind == "probationary":
        full_on = None

    if retired:
        kind_of_school = "retired_old" if birth.year < 1955 else "retired"
        education, degree = schooling(rng, kind_of_school, birth.year, "工学")
        title = occupation or ("退休干部" if education in _HIGHER else "退休职工")
        front_line = False
        category = Member.Category.RETIRED
    else:
        job = job or rng.choices(spec.jobs, [j.weight for j in spec.jobs])[0]
        education, degree = schooling(rng, job.schooling, birth.year, job.field)
        title = occupation or job.title
        front_line = job.front_line
        category = Member.Category.IN_SERVICE
    return Person(
        branch=branch,
        unit=unit,
        name=name,
        gender=gender,
        birth_date=birth,
        ethnicity=ethnic,
        id_number=id_number(rng, birth=birth, gender=gender, region=region, taken=taken_ids),
        native_place=native_place,
        phone=phone(rng),
        education=education,
        degree=degree,
        occupation=title,
        front_line=front_line,
        category=category,
        applied_on=applied_on,
        admitted_on=admitted_on,
        full_on=full_on,
        key=key,
    )


_HIGHER = frozenset({Education.COLLEGE, Education.BACHELOR, Education.MASTER, Education.DOCTORATE})
