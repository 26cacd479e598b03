from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "zhibu.notices"
    label = "notices"
    verbose_name = "通知与提醒"

    def ready(self) -> None:
        from zhibu.core.home import register_panel
        from zhibu.notices.panels import home_panel
        from zhibu.rulebook import reminders

        register_panel("notices/_home_notices.html", home_panel, order=4)
        # One email a day: this app mails the rulebook's findings with its own items.
        reminders.leave_email_to_others()
