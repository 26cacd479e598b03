"""Form rendering shared by every page: accessible Bootstrap-styled fields."""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"


def apply_errors(form, exc) -> None:
    """Put a service's ``ValidationError`` onto ``form``: per field where the form has the
    field, otherwise as a non-field error (so every message reaches the user)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                message = error.message % error.params if error.params else error.message
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)
