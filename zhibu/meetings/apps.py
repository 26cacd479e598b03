from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "zhibu.meetings"
    label = "meetings"
    verbose_name = "组织生活"

    def ready(self) -> None:
        # Imported here: the panel reads models, which are loaded only once apps are ready.
        from zhibu.core.home import register_panel
        from zhibu.meetings.panels import upcoming_panel

        register_panel("meetings/_home_panel.html", upcoming_panel, order=20)
