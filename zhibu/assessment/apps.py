from typing import cast

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "zhibu.assessment"
    label = "assessment"
    verbose_name = "考核"

    def ready(self) -> None:
        # A sheet confirmed as 差 is an accountability signal (问责线索) for the 纪检 view;
        # accountability sits below this app and offers the registry.
        from zhibu.accountability.sources import register
        from zhibu.assessment.signals import KIND, poor_assessments

        # The label stays lazy (shown in the viewer's language); the registry types it str.
        register(KIND, cast(str, _("考核评定为差")), poor_assessments)
