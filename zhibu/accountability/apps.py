from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "zhibu.accountability"
    label = "accountability"
    verbose_name = "问责"
