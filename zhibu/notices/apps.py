from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "zhibu.notices"
    label = "notices"
    verbose_name = "通知与提醒"
