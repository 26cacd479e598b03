from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "zhibu.meetings"
    label = "meetings"
    verbose_name = "组织生活"

    def ready(self) -> None:
        from zhibu.core.home import register_panel
        from zhibu.meetings.panels import upcoming_panel

        register_panel("meetings/_home_panel.html", upcoming_panel, order=20)
