"""The synthetic tree: 党委 → 二级党委 → 党总支 → 党支部 (→ 党小组), with committees."""

from __future__ import annotations

from datetime import timedelta

from dateutil.relativedelta import relativedelta

from zhibu.orgs.models import Committee, Org, Sector
from zhibu.orgs.services import initials_of
from zhibu.synth import Built, Plan, step

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
BRANCHES_PER_GENERAL = 8
GENERALS_PER_COMMITTEE = 10
SECTORS = [Sector.STATE_ENTERPRISE] * 5 + [
    Sector.ORGAN,
    Sector.INSTITUTION,
    Sector.COMMUNITY,
    Sector.RURAL,
    Sector.PRIVATE_ENTERPRISE,
]


def segment(n: int) -> str:
    """Treebeard's 4-character path step for the n-th child (1-based)."""
    text = ""
    while n:
        n, r = divmod(n, 36)
        text = ALPHABET[r] + text
    return text.rjust(4, "0")


@step("orgs", 10)
def build_orgs(plan: Plan, built: Built) -> None:
    rng = plan.rng
    established = plan.today - relativedelta(years=plan.years + 8)
    root_path = segment((Org.objects.filter(depth=1).count() or 0) + 1)
    rows: list[Org] = []

    def add(path: str, kind: str, name: str, code: str, sector: str) -> Org:
        org = Org(
            path=path,
            depth=len(path) // 4,
            numchild=0,
            kind=kind,
            name=name,
            short_name=name[:30],
            name_initials=initials_of(name),
            code=code,
            sector=sector,
            established_on=established,
        )
        rows.append(org)
        return org

    add(root_path, Org.Kind.COMMITTEE, f"{plan.code}合成党委", plan.code, Sector.STATE_ENTERPRISE)
    generals_needed = max(1, -(-plan.branches // BRANCHES_PER_GENERAL))
    committees_needed = max(1, -(-generals_needed // GENERALS_PER_COMMITTEE))
    branch_number = 0
    for c in range(1, committees_needed + 1):
        c_path = root_path + segment(c)
        sector = rng.choice(SECTORS)
        committee = add(c_path, Org.Kind.COMMITTEE, f"第{c}二级党委", f"{plan.code}-C{c}", sector)
        generals = min(GENERALS_PER_COMMITTEE, generals_needed - (c - 1) * GENERALS_PER_COMMITTEE)
        committee.numchild = generals
        for g in range(1, generals + 1):
            g_path = c_path + segment(g)
            general = add(
                g_path, Org.Kind.GENERAL_BRANCH, f"第{c}-{g}党总支", f"{plan.code}-C{c}G{g}", sector
            )
            count = min(BRANCHES_PER_GENERAL, plan.branches - branch_number)
            general.numchild = max(count, 0)
            for b in range(1, count + 1):
                branch_number += 1
                add(
                    g_path + segment(b),
                    Org.Kind.BRANCH,
                    f"第{branch_number}党支部",
                    f"{plan.code}-B{branch_number}",
                    sector,
                )
    rows[0].numchild = committees_needed
    Org.objects.bulk_create(rows, batch_size=5000)
    ids = dict(Org.objects.filter(path__startswith=root_path).values_list("path", "pk"))
    built.root_id = ids[root_path]
    built.branch_ids = [ids[o.path] for o in rows if o.kind == Org.Kind.BRANCH]
    built.counts["orgs"] = len(rows)


@step("committees", 20)
def build_committees(plan: Plan, built: Built) -> None:
    """Branches big enough get a committee: most in term, some expired (ORG-05)."""
    rng = plan.rng
    rows = []
    for org_id in built.branch_ids:
        if rng.random() < 0.55:  # branches with 7+ full members, roughly
            elected = plan.today - timedelta(days=rng.randint(30, 365 * 4))
            rows.append(
                Committee(
                    org_id=org_id,
                    term_number=rng.randint(1, 6),
                    elected_on=elected,
                    term_years=3,
                    term_ends_on=elected + relativedelta(years=3),
                    filing=Committee.Filing.APPROVED,
                )
            )
            built.committee_branch_ids.add(org_id)
    Committee.objects.bulk_create(rows, batch_size=5000)
    built.counts["committees"] = len(rows)
