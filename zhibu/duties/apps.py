from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "zhibu.duties"
    label = "duties"
    verbose_name = "责任落实"

    def ready(self) -> None:
        # The meeting page lists a 组织生活会's problems; meetings cannot import duties.
        from zhibu.core.pages import register_context
        from zhibu.duties.selectors.rectification import meeting_detail_context
        from zhibu.meetings.views.detail import PAGE

        register_context(PAGE, meeting_detail_context)
