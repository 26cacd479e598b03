"""Form rendering shared by every page: accessible Bootstrap-styled fields."""

from __future__ import annotations

from django import forms
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


class DateInput(forms.DateInput):
    """The browser's date picker; values travel as ISO dates (YYYY-MM-DD)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), help_text=help_text)


def indented(orgs) -> list[tuple[str, str]]:
    """Choices showing the tree shape: "　　第一党支部"."""
    orgs = list(orgs)
    top = min((o.depth for o in orgs), default=1)
    return [(str(o.public_id), "　" * (o.depth - top) + o.name) for o in orgs]
