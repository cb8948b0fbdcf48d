from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import MultipleFileField as BaseMultipleFileField
from core.forms import MultipleFileInput
from core.models import Tier
from members.models import Topic

from .models import THREAT_KINDS, Confidentiality, Kind, Organisation


class MultipleFileField(BaseMultipleFileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.docx,.jpg,.jpeg,.png,.txt"}))
        super().__init__(*args, **kwargs)


ATTACHMENTS_HELP = _("PDF, Word, photos or screenshots; at most 10 MB each. Stored encrypted.")


class AskForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What kind of help?"), choices=[c for c in Kind.choices if c[0] not in THREAT_KINDS]
    )
    on_behalf = forms.ChoiceField(label=_("For whom?"), required=False)
    confidentiality = forms.ChoiceField(
        label=_("Who at the desk may read it?"),
        choices=Confidentiality.choices,
        widget=forms.RadioSelect,
        initial=Confidentiality.NORMAL,
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Your question"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10000)
    files = MultipleFileField(label=_("Attachments (optional)"), help_text=ATTACHMENTS_HELP)

    def __init__(self, *args: Any, behalf_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on_behalf"].choices = [("", _("Myself")), *behalf_choices]
        if not behalf_choices:
            del self.fields["on_behalf"]


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What happened?"),
        choices=[c for c in Kind.choices if c[0] in THREAT_KINDS],
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label=_("Describe what happened, when and who (if you know)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
    )
    files = MultipleFileField(label=_("Screenshots or photos (optional)"), help_text=ATTACHMENTS_HELP)


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=10000
    )
    files = MultipleFileField(label=_("Attachments (optional)"), help_text=ATTACHMENTS_HELP)


class TriageForm(forms.Form):
    """Offers only what the person may do: the kind when they may know and change it, the levels
    of `desk.rules.levels_at_triage` (the current one and higher; lower only with consent)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, required=False)
    confidentiality = forms.ChoiceField(label=_("Confidentiality"), choices=Confidentiality.choices, required=False)

    def __init__(self, *args: Any, levels: list[str], may_set_kind: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_set_kind:
            del self.fields["kind"]
        if len(levels) > 1:
            self.fields["confidentiality"].choices = [c for c in Confidentiality.choices if c[0] in levels]
        else:
            del self.fields["confidentiality"]

    @property
    def offers_anything(self) -> bool:
        return bool(self.fields)


class LevelForm(forms.Form):
    """The requester chooses who may read their case. Lowering needs an explicit confirmation."""

    confidentiality = forms.ChoiceField(
        label=_("Who at the desk may read your case?"), choices=Confidentiality.choices, widget=forms.RadioSelect
    )
    understood = forms.BooleanField(
        label=_("I understand who will be able to read my case, including everything written in it so far."),
        required=False,
    )


class ConsentForm(forms.Form):
    level = forms.ChoiceField(
        label=_("My counsellor may lower the confidentiality to at most"),
        choices=[c for c in Confidentiality.choices if c[0] != Confidentiality.STRICT],
        widget=forms.RadioSelect,
    )


class ReferForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Refer to"), queryset=Organisation.objects.order_by("name"))
    note = forms.CharField(
        label=_("Note (visible to the requester)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CloseForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 3}))


class OrganisationForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Organisation
        fields = ["name", "kind", "expertise", "region", "email", "phone", "website"]
        widgets = {"expertise": forms.Textarea(attrs={"rows": 2})}


class IntervisionForm(forms.Form):
    tier = forms.ChoiceField(label=_("Your tier"), choices=[c for c in Tier.choices if c[0] != Tier.NATIONAL])
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"), queryset=Topic.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("What would you like to bring in? (optional)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
