from django.apps import AppConfig


class CommitteesConfig(AppConfig):
    name = "zhibu.committees"
    label = "committees"
    verbose_name = "组织建设"
