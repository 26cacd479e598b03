from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zhibu.accounts"
    label = "accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from zhibu.accounts import signals  # noqa: F401  (connects the audit receivers)
        from zhibu.accounts.permissions import holds_anywhere
        from zhibu.core.access import set_action_check

        set_action_check(holds_anywhere)
