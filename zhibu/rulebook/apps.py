from django.apps import AppConfig


class RulebookConfig(AppConfig):
    name = "zhibu.rulebook"
    label = "rulebook"
    verbose_name = "规则执行"
