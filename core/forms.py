from typing import Any

from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates


class FormRenderer(DjangoTemplates):
    """Forms render as <div> groups: label, help text and errors tied to the field (aria-describedby)."""

    form_template_name = "django/forms/div.html"
    formset_template_name = "django/forms/formsets/div.html"


def add_errors(form: Any, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: per field where it names one, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
