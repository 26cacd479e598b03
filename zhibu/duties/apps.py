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
        # A 党委 meeting's decisions can be assigned as tasks (责任书与任务).
        from zhibu.duties.selectors.tasks import meeting_tasks_context

        register_context(PAGE, meeting_tasks_context)
