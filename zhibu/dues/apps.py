from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "zhibu.dues"
    label = "dues"
    verbose_name = "党费"

    def ready(self) -> None:
        # Membership changes (joining, transfers, leaving, spans rebuilt from events) mark
        # the months of the member's orgs for the dues summary; the next read computes them.
        from django.db.models.signals import post_delete, post_save
        from django.utils.translation import gettext_lazy as _

        # 我的党费 on the member's own page (members cannot import dues).
        from zhibu.core.pages import Tab, register_tab
        from zhibu.dues import (
            rules,  # noqa: F401  (registers DUES-11)
            summary,
        )
        from zhibu.dues.views import my_dues_context
        from zhibu.members.models import Member, MemberSpan

        post_save.connect(summary.on_member_saved, sender=Member, dispatch_uid="dues-member")
        post_delete.connect(summary.on_span_changed, sender=MemberSpan, dispatch_uid="dues-span-d")
        post_save.connect(summary.on_span_changed, sender=MemberSpan, dispatch_uid="dues-span-s")

        register_tab(
            "members.me",
            Tab("dues", _("我的党费"), "dues/_my_dues.html", my_dues_context, order=20),
        )
