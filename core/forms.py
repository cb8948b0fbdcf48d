from django.forms.renderers import DjangoTemplates


class FormRenderer(DjangoTemplates):
    """Forms render as <div> groups: label, help text and errors tied to the field (aria-describedby)."""

    form_template_name = "django/forms/div.html"
    formset_template_name = "django/forms/formsets/div.html"
