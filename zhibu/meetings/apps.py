from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "zhibu.meetings"
    label = "meetings"
    verbose_name = "组织生活"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from zhibu.meetings.held_on import after_migrate

        # The trigger that moves attendance rows with their meeting's date (held_on).
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="meetings-held-on")

        # Imported here: the panel reads models, which are loaded only once apps are ready.
        from zhibu.core.home import register_panel
        from zhibu.meetings.panels import upcoming_panel

        register_panel("meetings/_home_panel.html", upcoming_panel, order=20)

        # A member's record shows their organisational life (members cannot import us).
        from django.utils.translation import gettext_lazy as _

        from zhibu.core.pages import Tab, register_tab
        from zhibu.meetings.panels import member_life

        register_tab(
            "members.detail",
            Tab("life", _("组织生活"), "meetings/_member_life.html", member_life, order=25),
        )
