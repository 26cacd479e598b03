"""The org pages and the committee work (班子): everything about party organisations that
needs the roll as well as the tree.

``zhibu.orgs`` is the tree itself (the models, creating, renaming and moving orgs, scope);
the members app builds on it. What needs both sits here, above the roll: the tree browser
with member counts, the org page, elections, posts and their approval, 定点联系,
dissolving an org (refused while members remain), and the ORG rules, which count members
and committees. The models stay in ``zhibu.orgs`` (app label ``orgs``) and the URLs keep
the ``orgs`` namespace.
"""
