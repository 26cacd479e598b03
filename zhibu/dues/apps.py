from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "zhibu.dues"
    label = "dues"
    verbose_name = "党费"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        # 我的党费 on the member's own page (members cannot import dues).
        from zhibu.core.pages import Tab, register_tab
        from zhibu.dues import rules  # noqa: F401  (registers DUES-11)
        from zhibu.dues.views import my_dues_context

        register_tab(
            "members.me",
            Tab("dues", _("我的党费"), "dues/_my_dues.html", my_dues_context, order=20),
        )
