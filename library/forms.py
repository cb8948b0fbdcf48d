from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.forms import MultipleFileField, MultipleFileInput
from core.models import Body
from core.selectors import match_bodies
from members.models import Topic

from .models import Document, Kind, Outcome, SavedSearch
from .structure import REQUEST_VERBS

ACCEPT = ".pdf,.docx,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The repeatable parts of the structured editor: (kind, part, label of one item).
PART_FIELDS = {
    Kind.MOTION: [
        ("considering", _("constaterende dat")),
        ("whereas", _("overwegende dat")),
        ("requests", _("verzoekt / draagt het college op")),
    ],
    Kind.AMENDMENT: [("change", _("Proposed change"))],
    Kind.QUESTIONS: [("questions", _("Question")), ("answers", _("Answer"))],
}
LIST_PARTS = {"considering", "whereas", "requests", "change", "questions", "answers"}


class BodyField(forms.CharField):
    """A municipality, province or water board typed by name or code (tolerant of case, accents,
    "Gemeente"/"Provincie" prefixes and "Den Haag")."""

    def clean(self, value: Any) -> Body | None:
        text = super().clean(value)
        if not text:
            return None
        body = Body.objects.filter(code=text.strip().upper()).first()
        if body is not None:
            return body
        matches = match_bodies(text)
        current = [b for b in matches if b.is_current]
        matches = current or matches
        if not matches:
            raise forms.ValidationError(
                _("We do not know a municipality, province or water board called '%(name)s'.") % {"name": text}
            )
        if len(matches) > 1:
            raise forms.ValidationError(
                _("'%(name)s' can mean %(options)s: choose one.")
                % {"name": text, "options": " / ".join(b.official_name or b.name for b in matches)}
            )
        return matches[0]


def body_text(body: Body | None) -> str:
    return body.name if body else ""


class DocumentForm(forms.Form):
    """The structured editor and the upload form (one form: `mode` decides which parts show)."""

    kind = forms.ChoiceField(label=_("Kind of document"), choices=Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    body = BodyField(
        label=_("Council"),
        max_length=100,
        help_text=_("The municipality, province or water board, e.g. Zwolle, Drenthe or GM0193."),
        widget=forms.TextInput(attrs={"list": "body-names", "autocomplete": "off"}),
    )
    meeting_date = forms.DateField(
        label=_("Meeting date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    agenda_item = forms.CharField(label=_("Agenda item or subject"), max_length=300, required=False)
    i_submitted = forms.BooleanField(label=_("I submitted this document myself"), required=False, initial=True)
    submitter_names = forms.CharField(
        label=_("Other submitters"),
        max_length=500,
        required=False,
        help_text=_("Names with party, comma separated, e.g. 'J. Jansen (PvdA), A. Bakker (CDA)'."),
    )
    parties = forms.CharField(
        label=_("Submitting and co-signing parties"),
        max_length=500,
        required=False,
        help_text=_("Comma separated, e.g. 'GroenLinks-PvdA, D66, ChristenUnie'."),
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, initial=Outcome.UNKNOWN)
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0, max_value=999, required=False)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0, max_value=999, required=False)
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"), queryset=Topic.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"),
        choices=Document.Visibility.choices,
        initial=Document.Visibility.MEMBERS,
        widget=forms.RadioSelect,
    )
    request_verb = forms.ChoiceField(
        label=_("The motion"),
        choices=[("requests", REQUEST_VERBS["requests"]), ("instructs", REQUEST_VERBS["instructs"])],
        required=False,
        initial="requests",
    )
    draft_decision = forms.CharField(
        label=_("The draft decision it changes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Quote the part of the draft decision that the amendment changes."),
    )
    text = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Optional. A blank line starts a new paragraph; lines starting with '- ' form a list."),
    )
    file = forms.FileField(
        label=_("File (PDF or Word)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    attachments = MultipleFileField(
        label=_("Attachments (optional)"),
        widget=MultipleFileInput(attrs={"accept": ACCEPT}),
        help_text=_("PDF or Word files; their text is searchable too."),
    )

    def __init__(self, *args: Any, mode: str = "write", items: dict[str, list[str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.mode = mode
        limit = settings.LIBRARY_MAX_UPLOAD_BYTES // (1024 * 1024)
        self.fields["file"].help_text = _("At most %(mb)s MB. The text is extracted so that it can be found.") % {
            "mb": limit
        }
        if mode == "upload":
            self.fields["text"].label = _("Text (optional)")
            self.fields["text"].help_text = _("Only if the file holds no text, for instance a scan.")
        # The repeatable items, as typed (POST) or from the document (GET).
        self.items = items or {}

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if self.mode == "upload" and not upload:
            raise forms.ValidationError(_("Choose the PDF or Word file to upload."))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("i_submitted") is False and not (data.get("submitter_names") or "").strip():
            self.add_error("submitter_names", _("Name the submitters, or tick that you submitted it yourself."))
        return data

    def parts(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **{name: self.items.get(name, []) for name in LIST_PARTS},
            "request_verb": data.get("request_verb") or "requests",
            "draft_decision": data.get("draft_decision", ""),
        }


def items_from_post(post: Any) -> dict[str, list[str]]:
    """The repeatable items as typed: empty ones dropped, at most 100 per part."""
    return {name: [v.strip()[:5000] for v in post.getlist(name) if v.strip()][:100] for name in LIST_PARTS}


class ReuseForm(forms.Form):
    body = BodyField(
        label=_("For which council?"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": "body-names", "autocomplete": "off"}),
    )


class SaveSearchForm(forms.Form):
    name = forms.CharField(label=_("Name of this search"), max_length=200, required=False)
    frequency = forms.ChoiceField(
        label=_("E-mail me new matches"), choices=SavedSearch.Frequency.choices, initial=SavedSearch.Frequency.WEEKLY
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=_("One document per row; the first row holds the column names. See the column list below."),
    )
