from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Body, Tier
from core.selectors import match_bodies

from .models import Application, Entitlement, PlanItem, Theme, ThemeRole

THEME_CHOICE = [("", _("Not for this theme")), *ThemeRole.choices]


class MunicipalityField(forms.CharField):
    """A municipality typed by name: tolerant of case, accents and "Den Haag" for 's-Gravenhage."""

    def clean(self, value: Any) -> Body:
        text = super().clean(value)
        matches = match_bodies(text, Tier.MUNICIPAL)
        current = [b for b in matches if b.is_current]
        matches = current or matches
        if not matches:
            raise forms.ValidationError(
                _("We do not know a municipality called '%(name)s'. Check the spelling.") % {"name": text}
            )
        if len(matches) > 1:
            raise forms.ValidationError(
                _("'%(name)s' can mean %(options)s: choose one.")
                % {"name": text, "options": " / ".join(b.official_name or b.name for b in matches)}
            )
        return matches[0]


class ApplicationForm(forms.Form):
    municipality = MunicipalityField(
        label=_("Municipality"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": "municipality-names", "autocomplete": "off"}),
    )
    contact_name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    contact_function = forms.ChoiceField(label=_("Your function"), choices=Application.Function.choices)
    contact_email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    contact_phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )
    theme_training = forms.ChoiceField(label=Theme.TRAINING.label, choices=THEME_CHOICE, required=False)
    theme_support = forms.ChoiceField(label=Theme.SUPPORT.label, choices=THEME_CHOICE, required=False)
    description = forms.CharField(
        label=_("Describe briefly how things are arranged now"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )
    # A honeypot: invisible to people, filled in by spam robots.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("theme_training") and not cleaned.get("theme_support"):
            raise forms.ValidationError(_("Choose at least one theme, as good example or as candidate."))
        return cleaned

    @property
    def themes(self) -> dict[str, str]:
        return {
            theme: self.cleaned_data[f"theme_{theme}"]
            for theme in (Theme.TRAINING, Theme.SUPPORT)
            if self.cleaned_data.get(f"theme_{theme}")
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Application.Status.ACCEPTED, _("Accept")),
            (Application.Status.MORE_INFO, _("Ask for more information")),
            (Application.Status.DECLINED, _("Decline")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Reason or question (sent to the contact)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class IntakeForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    participants = forms.CharField(
        label=_("Participants (one per line: name and function)"), widget=forms.Textarea(attrs={"rows": 4})
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    agreed_goals = forms.CharField(label=_("Agreed goals"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PlanItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PlanItem.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


def euro_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        help_text=_("In euros; leave empty when unknown."),
    )


class EntitlementForm(forms.ModelForm):  # type: ignore[type-arg]
    training_budget = euro_field(_("Personal training budget per councillor"))
    faction_fixed = euro_field(_("Faction support: fixed amount per faction"))
    faction_per_seat = euro_field(_("Faction support: amount per seat"))

    class Meta:
        model = Entitlement
        fields = [
            "council_seats",
            "official_assistance",
            "other_facilities",
            "how_to_use",
            "source_name",
            "source_article",
            "source_url",
            "source_date",
        ]
        widgets = {
            "official_assistance": forms.Textarea(attrs={"rows": 2}),
            "other_facilities": forms.Textarea(attrs={"rows": 2}),
            "how_to_use": forms.Textarea(attrs={"rows": 3}),
            "source_date": forms.DateInput(attrs={"type": "date"}),
        }

    AMOUNTS = {
        "training_budget": "training_budget_cents",
        "faction_fixed": "faction_fixed_cents",
        "faction_per_seat": "faction_per_seat_cents",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field, attribute in self.AMOUNTS.items():
            cents = getattr(self.instance, attribute, None)
            self.fields[field].initial = Decimal(cents) / 100 if cents is not None else None

    def values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self.Meta.fields}
        for field, attribute in self.AMOUNTS.items():
            amount = self.cleaned_data.get(field)
            values[attribute] = int(amount * 100) if amount is not None else None
        return values


class BudgetRequestForm(forms.Form):
    municipality = forms.ModelChoiceField(label=_("Council"), queryset=Body.objects.none())
    amount = forms.DecimalField(label=_("Amount in euros"), min_value=Decimal("0.01"), max_digits=8, decimal_places=2)
    description = forms.CharField(label=_("What for (course, training, book)"), max_length=300)
    registration = forms.ChoiceField(label=_("A course of the association (optional)"), required=False)

    def __init__(self, *args: Any, councils: list[Body], registrations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = Body.objects.filter(pk__in=[c.pk for c in councils])
        if len(councils) == 1:
            self.fields["municipality"].initial = councils[0].pk
        self.fields["registration"].choices = [
            ("", "—"),
            *[(r.pk, f"{r.event.title} ({r.event.price_euros})") for r in registrations],
        ]
        self.registrations = {str(r.pk): r for r in registrations}
