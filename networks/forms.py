from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import MultipleFileField, MultipleFileInput
from members.models import Topic

from .models import Network, Notify, Thread

FILES_HELP = _("PDF, Word, Excel, photos or a .txt file; at most 5 files of 10 MB each. Stored encrypted.")
BODY_HELP = _(
    "Mention a member with @ and their full name (for example @Ria Hoekstra): they get an e-mail. "
    "A link to a document in the library is shown as a card."
)


def files_field() -> MultipleFileField:
    return MultipleFileField(
        label=_("Attachments (optional)"),
        help_text=FILES_HELP,
        widget=MultipleFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.jpg,.jpeg,.png,.txt"}),
    )


class ThreadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you start?"),
        choices=[
            (Thread.Kind.QUESTION, _("A question: you look for an answer or experience")),
            (Thread.Kind.DISCUSSION, _("A discussion: you want to exchange views")),
        ],
        widget=forms.RadioSelect,
        initial=Thread.Kind.QUESTION,
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("For example: Who has experience with a motion on affordable childcare?"),
    )
    body = forms.CharField(
        label=_("Your text"), widget=forms.Textarea(attrs={"rows": 8}), max_length=10000, help_text=BODY_HELP
    )
    topic = forms.ModelChoiceField(
        label=_("Topic (optional)"),
        queryset=Topic.objects.order_by("name"),
        required=False,
        help_text=_("A question without a reply after three days goes to the members with this expertise."),
    )

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["files"] = files_field()
        if network.kind == Network.Kind.TOPIC:
            del self.fields["topic"]


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10000, help_text=BODY_HELP
    )
    quote = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["files"] = files_field()


class NotifyForm(forms.Form):
    notify = forms.ChoiceField(label=_("E-mail me"), choices=Notify.choices)


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with this post?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("Only the network's moderators read this. The author does not see who reported it."),
    )


class NetworkForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Network.Kind.choices, widget=forms.RadioSelect)
    tier_group = forms.ChoiceField(
        label=_("Who is in it (tier network)"), choices=[("", "—"), *Network.TierGroup.choices], required=False
    )
    topic = forms.ModelChoiceField(
        label=_("Topic (topic network)"), queryset=Topic.objects.order_by("name"), required=False
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        required=False,
        help_text=_("Tier and topic networks take their name when empty."),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )


class EditNetworkForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )


class ModeratorForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the new moderator"))


class InviteMembersForm(forms.Form):
    emails = forms.CharField(
        label=_("E-mail addresses of members"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One or more, separated by commas, spaces or new lines."),
    )
    event = forms.ChoiceField(label=_("Or everyone who took part in"), required=False)

    def __init__(self, *args: Any, events: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = [("", "—"), *events]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        raw = cleaned.get("emails", "")
        cleaned["email_list"] = [e for e in raw.replace(",", " ").split() if e]
        if not cleaned["email_list"] and not cleaned.get("event"):
            raise forms.ValidationError(_("Give e-mail addresses or choose a course."))
        return cleaned


class ExpertForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))
    expertise = forms.CharField(
        label=_("Expertise"),
        max_length=200,
        help_text=_("Shown next to their name, e.g. 'professor of administrative law'."),
    )
