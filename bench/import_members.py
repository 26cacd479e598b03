"""Benchmark: import an N-row roster workbook through the real import service.

    .venv/bin/python bench/import_members.py [ROWS]        # default 100000

It builds a scratch SQLite database in a temporary directory (or uses DATABASE_URL when
set, e.g. a throw-away PostgreSQL database), migrates it, creates one committee with 50
branches and a secretary who may import, writes a workbook of ROWS valid members with
openpyxl's streaming writer, then runs the same steps as the web page: upload → check →
commit. It prints rows per second for each step and the process's peak memory
(``resource.getrusage``; ``--tracemalloc`` adds the Python-heap peak, which slows the run).
Memory should stay flat as ROWS grows: the rows are streamed, never held all at once.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ first on the path, where a module may shadow the
# standard library (bench/http.py shadows ``http``): import from the project root instead.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建国志文海燕鹏辉宇晨浩宁波斌鑫欣怡佳雪梅琳晶俊峰博凯旭东健林"
CATEGORIES = ("在职", "在职", "在职", "退休", "农民", "学生", "其他")
EDUCATION = ("大学本科", "大学专科", "研究生（硕士）", "高中", "中等专科")
BRANCHES = 50


def peak_rss_mb() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage / 1024 if sys.platform != "darwin" else usage / (1024 * 1024)


def setup_django(workdir: Path) -> None:
    os.environ.setdefault("ZHIBU_ENV", "test")  # fast password hashing, quiet logs
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhibu.settings"
    import django
    from django.conf import settings

    django.setup()
    settings.MEDIA_ROOT = workdir / "media"
    settings.ZHIBU_IMPORT_INLINE_BYTES = 10**12  # run the steps here, not in a worker


def person(n: int, today: date) -> list:
    """Row ``n`` in template column order; ID numbers are unique by construction."""
    from zhibu.members import excel, idnumber

    born = date(1950, 1, 1) + timedelta(days=n % 18000)
    sequence = (n // 18000) * 2 + n % 2  # odd = male (GB 11643)
    first17 = f"220102{born:%Y%m%d}{sequence:03d}"
    admitted = born + timedelta(days=365 * 19 + n % 4000)
    admitted = min(admitted, today - timedelta(days=30))
    full = (
        admitted.replace(year=admitted.year + 1)
        if admitted.month != 2 or admitted.day != 29
        else None
    )
    values = {
        "name": SURNAMES[n % len(SURNAMES)]
        + GIVEN[(n // 7) % len(GIVEN)]
        + GIVEN[(n // 11) % len(GIVEN)],
        "gender": "男" if n % 2 else "女",
        "id_number": first17 + idnumber.check_digit(first17),
        "birth_date": born.isoformat(),
        "ethnicity": "汉族",
        "education": EDUCATION[n % len(EDUCATION)],
        "category": CATEGORIES[n % len(CATEGORIES)],
        "admitted_on": admitted.isoformat(),
        "full_on": full.isoformat() if full and full <= today else None,
        "org": f"B{n % BRANCHES:03d}",
        "phone": f"139{n:08d}",
        "occupation": "职员",
    }
    return [values.get(column.key) for column in excel.COLUMNS]


def write_workbook(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    from zhibu.members import excel

    today = date.today()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(excel.SHEET_TITLE)
    ws.append([c.header + ("*" if c.required else "") for c in excel.COLUMNS])
    for n in range(1, rows + 1):
        ws.append(person(n, today))
    wb.save(path)


def build_tree():
    from zhibu.accounts.models import Role, User
    from zhibu.accounts.services import role_grant
    from zhibu.orgs.models import Org
    from zhibu.orgs.services import org_create

    root = org_create(
        parent=None,
        kind=Org.Kind.COMMITTEE,
        name="基准测试党委",
        code="BENCH",
        sector="soe",
        established_on=date(2000, 1, 1),
    )
    for i in range(BRANCHES):
        org_create(
            parent=root,
            kind=Org.Kind.BRANCH,
            name=f"基准第{i}党支部",
            code=f"B{i:03d}",
            sector="soe",
            established_on=date(2000, 1, 1),
        )
    user = User.objects.create_user(username="bench", full_name="基准")  # no usable password
    role_grant(user=user, role=Role.SECRETARY, org=root, start=date(2020, 1, 1))
    return user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also report the Python heap peak"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="zhibu-bench-") as scratch:
        workdir = Path(scratch)
        setup_django(workdir)
        from django.core.files import File
        from django.core.management import call_command

        from zhibu.members import imports
        from zhibu.members.models import ImportBatch, Member

        call_command("migrate", verbosity=0)
        user = build_tree()
        path = workdir / "roster.xlsx"
        started = time.perf_counter()
        write_workbook(path, args.rows)
        generated = time.perf_counter() - started
        size_mb = path.stat().st_size / (1024 * 1024)
        print(f"workbook: {args.rows:,} rows, {size_mb:.1f} MB, written in {generated:.1f} s")
        baseline = peak_rss_mb()
        if args.tracemalloc:
            tracemalloc.start()

        with path.open("rb") as handle:
            cpu_started = time.process_time()
            started = time.perf_counter()
            batch = imports.import_upload(upload=File(handle, name="roster.xlsx"), by=user)
            imports.run_check(batch.pk)
            checked = time.perf_counter()
            cpu_checked = time.process_time()
        batch.refresh_from_db()
        if batch.status != ImportBatch.Status.READY:
            print(f"check failed: {batch.status} {batch.message} {batch.errors[:5]}")
            sys.exit(1)
        imports.import_commit(batch=batch, by=user)
        committed_at = time.perf_counter()
        cpu_committed_at = time.process_time()
        imports.run_commit(batch.pk)
        finished = time.perf_counter()
        cpu_finished = time.process_time()
        batch.refresh_from_db()
        heap = tracemalloc.get_traced_memory()[1] / (1024 * 1024) if args.tracemalloc else None

        check_s, commit_s = checked - started, finished - committed_at
        total_s = check_s + commit_s
        print(f"database: {os.environ['DATABASE_URL'].split('@')[-1]}")
        print(f"check:  {check_s:7.1f} s  {args.rows / check_s:9,.0f} rows/s")
        print(
            f"commit: {commit_s:7.1f} s  {args.rows / commit_s:9,.0f} rows/s  ({batch.status}, {batch.created_count:,} created)"
        )
        print(f"total:  {total_s:7.1f} s  {args.rows / total_s:9,.0f} rows/s")
        cpu_check, cpu_commit = cpu_checked - cpu_started, cpu_finished - cpu_committed_at
        print(  # this process's CPU time: what the steps cost on a machine shared with others
            f"CPU:    check {cpu_check:.1f} s, commit {cpu_commit:.1f} s, "
            f"{args.rows / (cpu_check + cpu_commit):,.0f} rows per CPU-second"
        )
        print(f"peak RSS: {peak_rss_mb():.0f} MB (before the import: {baseline:.0f} MB)")
        if heap is not None:
            print(f"peak Python heap during the import (tracemalloc): {heap:.1f} MB")
        assert Member.objects.count() == args.rows, "not every row was imported"
        search_timings(user)


def search_timings(user) -> None:
    """The roster search over the imported members: one page, as the roster page asks."""
    from zhibu.members.models import Member
    from zhibu.members.selectors import member_list

    some = Member.objects.order_by("pk")[Member.objects.count() // 2]
    for term in (some.name_pinyin[:5], some.name_initials, some.id_number[-4:], some.name[:1]):
        started = time.perf_counter()
        qs = member_list(user=user, q=term)
        count = qs.count()
        list(qs[:50])
        elapsed = (time.perf_counter() - started) * 1000
        print(f"search {term!r:>10}: {count:6,} hits, count + first page in {elapsed:6.1f} ms")


if __name__ == "__main__":
    main()
