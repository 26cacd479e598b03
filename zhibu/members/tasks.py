"""Background tasks of the members app (django-tasks; run by ``manage.py db_worker``).

Each task takes the batch's integer key and is safe to run twice: a step only starts
from the status that leads to it (``queued`` → check, ``committing`` → commit).
"""

from __future__ import annotations

from django_tasks import task

from zhibu.members import imports


@task()
def check_import(batch_id: int) -> None:
    imports.run_check(batch_id)


@task()
def commit_import(batch_id: int) -> None:
    imports.run_commit(batch_id)
