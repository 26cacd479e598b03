from django.apps import AppConfig


class DisciplineConfig(AppConfig):
    name = "zhibu.discipline"
    label = "discipline"
    verbose_name = "纪律处分"
