from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RulebookConfig(AppConfig):
    name = "zhibu.rulebook"
    label = "rulebook"
    verbose_name = "规则执行"

    def ready(self) -> None:
        from zhibu.rulebook.changes import after_migrate

        # Once per migrate, after every app's tables exist: the change-counting triggers.
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="rulebook-changes")
