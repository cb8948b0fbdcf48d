from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Topic

from .models import Edition, NewsItem, Publication, Visibility


class NewsItemForm(forms.ModelForm):  # type: ignore[type-arg]
    publish = forms.BooleanField(label=_("Publish now"), required=False)

    class Meta:
        model = NewsItem
        fields = ["title", "summary", "body", "image", "image_alt", "topics", "visibility"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 12}),
            "summary": forms.Textarea(attrs={"rows": 2}),
            "topics": forms.CheckboxSelectMultiple,
            "visibility": forms.RadioSelect,
            "image": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.order_by("name")


class PublicationForm(forms.ModelForm):  # type: ignore[type-arg]
    publish = forms.BooleanField(label=_("Publish now"), required=False)

    class Meta:
        model = Publication
        fields = ["title", "summary", "authors", "date", "file", "topics", "visibility"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "topics": forms.CheckboxSelectMultiple,
            "visibility": forms.RadioSelect,
            "file": forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.order_by("name")
        self.fields["file"].required = self.instance.pk is None


class EditionForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Edition
        fields = ["subject", "introduction", "public"]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 6})}
        labels = {"public": _("Public in the archive (otherwise only members can read it there)")}
        help_texts = {
            "public": "",
            "introduction": _("A blank line starts a new paragraph; lines starting with '- ' form a list; **bold**."),
        }


class NewEditionForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)


class ScheduleForm(forms.Form):
    when = forms.DateTimeField(
        label=_("Send at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    name = forms.CharField(
        label=_("Name (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    # Invisible to people; robots fill it in.
    website = forms.CharField(required=False, label=_("Leave this field empty"))


class PublicationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.order_by("name"),
        required=False,
        empty_label=_("All topics"),
        to_field_name="slug",
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2100, widget=forms.Select)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.choices = [("", _("All years")), *[(y, str(y)) for y in years]]


VISIBILITY_CHOICES = Visibility.choices
