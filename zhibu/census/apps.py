from django.apps import AppConfig


class CensusConfig(AppConfig):
    name = "zhibu.census"
    label = "census"
    verbose_name = "党内统计"
