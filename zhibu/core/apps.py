from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "zhibu.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        # Every app's rules.py registers its rulebook entries (zhibu.core.rules).
        autodiscover_modules("rules")
