from django.apps import AppConfig
from django.urls import register_converter
from django.utils.module_loading import autodiscover_modules

from zhibu.core.params import YearConverter


class CoreConfig(AppConfig):
    name = "zhibu.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        # Every app's rules.py registers its rulebook entries (zhibu.core.rules).
        autodiscover_modules("rules")
        # <year:year> in URLs, registered before any URLconf is imported.
        register_converter(YearConverter, "year")
