from typing import cast

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class AccountabilityConfig(AppConfig):
    name = "zhibu.accountability"
    label = "accountability"
    verbose_name = "问责"

    def ready(self) -> None:
        from zhibu.accountability import builtin, sources

        # Labels stay lazy (translated when shown); the registry types them as ``str``.
        sources.register(
            builtin.RULE_REPEATED,
            cast(str, gettext_lazy("同一规则连续未通过")),
            builtin.rule_repeated,
        )
        sources.register(
            builtin.SUPERVISION_UNANSWERED,
            cast(str, gettext_lazy("督办逾期未回复")),
            builtin.supervision_unanswered,
        )
        sources.register(
            builtin.RECTIFICATION_TWICE,
            cast(str, gettext_lazy("整改再次逾期")),
            builtin.rectification_overdue_twice,
        )
