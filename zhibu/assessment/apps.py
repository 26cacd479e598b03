from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "zhibu.assessment"
    label = "assessment"
    verbose_name = "考核"
