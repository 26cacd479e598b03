"""How party posts compare for the post bars (DISC-02..04): "higher" and "equal or
higher" than the post held when the record was decided.

A post ranks first by its organisation's level (党委/党总支 above 党支部 above 党小组),
then by the post within it (书记 above 副书记 above the other 委员 above 党小组长). A
member who held no post ranks below every post: any post is a promotion for them.
"""

from __future__ import annotations

LEVELS = {"committee": 3, "general_branch": 3, "branch": 2, "joint_branch": 2}
LEVELS |= {"temporary_branch": 2, "group": 1}
POSTS = {
    "secretary": 4,
    "deputy_secretary": 3,
    "organization": 2,
    "publicity": 2,
    "discipline": 2,
    "member": 2,
    "group_leader": 1,
}
NONE = (0, 0)


def rank(post: str | None, org_kind: str | None) -> tuple[int, int]:
    """The rank of ``post`` at an org of ``org_kind`` (an Org.Kind value)."""
    if not post:
        return NONE
    return (LEVELS.get(org_kind or "", 2), POSTS.get(post, 2))


def barred(new: tuple[int, int], ref: tuple[int, int], strict: bool) -> bool:
    """Is a post of rank ``new`` barred against ``ref``: higher (``strict``) or equal or
    higher (not ``strict``)?"""
    return new > ref if strict else new >= ref
