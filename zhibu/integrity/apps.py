from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "zhibu.integrity"
    label = "integrity"
    verbose_name = "真实性核查"
