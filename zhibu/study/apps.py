from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "zhibu.study"
    label = "study"
    verbose_name = "学习教育"

    def ready(self) -> None:
        # The member's own page shows their 学时 and 政治生日 (members cannot import us).
        from django.utils.translation import gettext_lazy as _

        from zhibu.core.pages import Tab, register_tab
        from zhibu.study.panels import my_study

        register_tab(
            "members.me", Tab("study", _("我的学时"), "study/_me_card.html", my_study, order=20)
        )
        # The home page greets a member in the month of their 政治生日.
        from zhibu.core.home import register_panel
        from zhibu.study.panels import birthday_panel

        register_panel("study/_home_birthday.html", birthday_panel, order=3)
