from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from core.models import Tier
from core.roles import Role

from .models import AUDIENCE_ROLE_CHOICES, Evaluation, Event, Session

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EventForm(forms.ModelForm):  # type: ignore[type-arg]
    price = forms.DecimalField(
        label=_("Price in euros"),
        min_value=Decimal("0"),
        max_digits=8,
        decimal_places=2,
        initial=Decimal("0"),
        help_text=_("0 for free events."),
    )
    audience_tiers = forms.MultipleChoiceField(
        label=_("Tiers"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(v, label) for v, label in Tier.choices if v != Tier.NATIONAL],
    )
    audience_roles = forms.MultipleChoiceField(
        label=_("Roles"), required=False, widget=forms.CheckboxSelectMultiple, choices=AUDIENCE_ROLE_CHOICES
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "slug",
            "kind",
            "status",
            "summary",
            "description",
            "topics",
            "audience",
            "audience_tiers",
            "audience_roles",
            "audience_branch",
            "region",
            "capacity",
            "registration_opens",
            "registration_closes",
            "cancellation_deadline",
            "asks_needs",
            "offer_hold_hours",
            "certificate_share",
            "organisers",
        ]
        widgets = {
            "registration_opens": DATETIME,
            "registration_closes": DATETIME,
            "cancellation_deadline": DATETIME,
            "description": forms.Textarea(attrs={"rows": 8}),
            "topics": forms.CheckboxSelectMultiple,
            "organisers": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from accounts.models import User

        self.fields["slug"].required = False
        self.fields["slug"].help_text = _("Filled in from the title when left empty.")
        self.fields["organisers"].queryset = User.objects.filter(
            groups__name__in=[Role.EVENT_ORGANISER, Role.ADMINISTRATOR], is_active=True
        ).distinct()
        for name in ("registration_opens", "registration_closes", "cancellation_deadline"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M"]
        if self.instance.pk:
            self.fields["price"].initial = Decimal(self.instance.price_cents) / 100

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or slugify(self.cleaned_data.get("title", ""))[:80]
        if not slug:
            raise forms.ValidationError(_("Give a title or a short name."))
        clash = Event.objects.filter(slug=slug).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another event already uses this short name."))
        return slug

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        price = cleaned.get("price")
        if price is not None:
            self.instance.price_cents = int(price * 100)
        return cleaned


class SessionForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Session
        fields = ["title", "starts_at", "ends_at", "location_name", "address", "online_url"]
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M"]


class BaseSessionFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    # Django's own message ("Submit at least 1 form.") talks about forms; the organiser thinks in sessions.
    default_error_messages = {
        "too_few_forms": _("An event needs at least one session: fill in when the first session starts and ends."),
    }


SessionFormSet = inlineformset_factory(
    Event,
    Session,
    form=SessionForm,
    formset=BaseSessionFormSet,
    extra=1,
    min_num=1,
    validate_min=True,
    can_delete=True,
)


class RegisterForm(forms.Form):
    needs = forms.CharField(
        label=_("Dietary or accessibility needs (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only the organisers see this; it is deleted 30 days after the event."),
    )
    on_participant_list = forms.BooleanField(label=_("Show my name to the other participants"), required=False)

    def __init__(self, *args: Any, asks_needs: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not asks_needs:
            del self.fields["needs"]


class GuestForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class EvaluationForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Evaluation
        fields = ["overall", "content", "organisation", "comment"]
        widgets = {
            "overall": forms.RadioSelect,
            "content": forms.RadioSelect,
            "organisation": forms.RadioSelect,
            "comment": forms.Textarea(attrs={"rows": 4}),
        }
