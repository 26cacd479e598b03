from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "zhibu.insight"
    label = "insight"
    verbose_name = "驾驶舱"

    def ready(self) -> None:
        from zhibu.core.home import register_panel
        from zhibu.insight.panels import approvals_panel, todo_panel

        register_panel("insight/_approvals.html", approvals_panel, order=5)
        register_panel("insight/_todo.html", todo_panel, order=10)
