from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "zhibu.duties"
    label = "duties"
    verbose_name = "责任落实"
