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

        # 督办 targets duties knows itself (the task kind is registered with tasks).
        from zhibu.duties.targets import register_builtin

        register_builtin()

        # After a rule run: verify or reopen items made from findings, escalate 督办.
        from zhibu.duties.services.rectification import reevaluate_after_run
        from zhibu.duties.services.supervision import escalate_after_run
        from zhibu.rulebook.hooks import register_after_run

        register_after_run(reevaluate_after_run)
        register_after_run(escalate_after_run)

        # The home page: tasks, 督办, rectification items and 请示 waiting on one's orgs.
        from zhibu.core.home import register_panel
        from zhibu.duties.panels import duties_panel

        register_panel("duties/_home_panel.html", duties_panel, order=12)
