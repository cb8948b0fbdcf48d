from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _

from core import uploads
from core.models import Body, Tier

from .models import ROLES_BY_TIER, Mandate, MandateRole, Member, Message

MAX_PHOTO_BYTES = 5 * 1024 * 1024


class ProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Member
        fields = [
            "given_name",
            "infix",
            "family_name",
            "phone",
            "street",
            "postcode",
            "city",
            "photo",
            "bio",
            "topics",
            "email_visibility",
            "phone_visibility",
            "address_visibility",
            "photo_visibility",
            "bio_visibility",
            "notify_messages",
            "notify_association_news",
        ]
        widgets = {
            "topics": forms.CheckboxSelectMultiple,
            "bio": forms.Textarea(attrs={"rows": 5}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "street": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "postcode": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "given_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "family_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "photo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        }

    sections = [
        (_("Name"), ["given_name", "infix", "family_name"]),
        (_("Contact details"), ["phone", "street", "postcode", "city"]),
        (_("About you"), ["photo", "bio", "topics"]),
        (
            _("Who sees what"),
            ["email_visibility", "phone_visibility", "address_visibility", "photo_visibility", "bio_visibility"],
        ),
        (_("E-mail notifications"), ["notify_messages", "notify_association_news"]),
    ]

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if photo and not isinstance(photo, FieldFile):  # a new upload, not the stored photo
            try:
                kind = uploads.check_image(photo, max_bytes=MAX_PHOTO_BYTES)
            except ValidationError as error:
                if error.code == "too_large":
                    raise ValidationError(_("The photo is larger than 5 MB; choose a smaller one.")) from error
                raise ValidationError(_("Use a photo in PNG, JPEG or WebP format.")) from error
            photo.name = uploads.safe_name(photo.name, kind, default="foto")
        return photo

    def grouped(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.sections]


def body_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    groups: dict[str, list[tuple[int, str]]] = {
        value: [] for value in (Tier.MUNICIPAL, Tier.PROVINCIAL, Tier.WATER_BOARD)
    }
    for pk, name, tier in (
        Body.objects.current().filter(tier__in=groups).order_by("search_name").values_list("pk", "name", "tier")
    ):
        groups[tier].append((pk, name))
    return [(str(Tier(tier).label), options) for tier, options in groups.items()]


class ProposeMandateForm(forms.ModelForm):  # type: ignore[type-arg]
    body = forms.TypedChoiceField(label=_("Body"), coerce=int)

    class Meta:
        model = Mandate
        fields = ["body", "role", "portfolios", "start_date", "end_date"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [("", "---------"), *body_choices()]

    def clean_body(self) -> Body:
        try:
            return Body.objects.get(pk=self.cleaned_data["body"])
        except Body.DoesNotExist as error:
            raise ValidationError(_("Choose a body from the list.")) from error

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        body, role = cleaned.get("body"), cleaned.get("role")
        if body and role and MandateRole(role) not in ROLES_BY_TIER.get(Tier(body.tier), []):
            self.add_error(
                "role", _("This role does not exist in a %(tier)s.") % {"tier": body.get_tier_display().lower()}
            )
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end cannot be before the start."))
        return cleaned


class ChangeMandateForm(forms.Form):
    portfolios = forms.CharField(label=_("Portfolios"), max_length=300, required=False)
    end_date = forms.DateField(
        label=_("End"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Fill in when the mandate ended or will end."),
    )


class MessageForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Message
        fields = ["body", "reveal_sender_email"]
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with this message?"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


class ErasureRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Explanation (optional)"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    confirm = forms.BooleanField(
        label=_("I understand that my profile, mandates and account will be removed and cannot be restored.")
    )


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Member list (CSV or Excel)"),
        help_text=_(
            "Columns: voornaam, tussenvoegsel, achternaam, e-mail, telefoon, gemeente (or provincie or waterschap), "
            "rol, afdeling, onderwerpen, lid sinds. The first row holds the column names."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
