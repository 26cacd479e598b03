from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zhibu.accounts"
    label = "accounts"
    verbose_name = "用户与权限"
