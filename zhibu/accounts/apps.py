from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zhibu.accounts"
    label = "accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from zhibu.accounts import signals  # noqa: F401  (connects the audit receivers)
