from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.models import Body
from core.roles import Role
from members.models import Branch, Member, Topic

from .models import INTEGRITY_QUESTIONS, Application, Criterion, Election, SelectionProcedure
from .services import PLACEHOLDERS, ApplicantData, CriterionData, ProcedureData


def date_input() -> forms.DateInput:
    # An <input type="date"> only takes ISO dates, whatever the language of the page.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def optional_date(label: Any) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=date_input())


class ProcedureForm(forms.Form):
    """Setting up a procedure: the election, the profile and the timeline."""

    branch = forms.ModelChoiceField(label=_("Branch"), queryset=Branch.objects.none())
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("For example: Kandidaten Provinciale Staten Overijssel 2027."),
    )
    election = forms.ChoiceField(label=_("Election"), choices=Election.choices)
    election_date = forms.DateField(label=_("Election day"), widget=date_input())
    body = forms.ModelChoiceField(label=_("Body"), queryset=Body.objects.none())
    profile = forms.CharField(
        label=_("Candidate profile"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What the branch looks for. Shown on the public call page."),
    )
    call_opens = forms.DateField(label=_("Call opens"), widget=date_input())
    applications_close = forms.DateField(label=_("Applications close"), widget=date_input())
    interviews_from = optional_date(_("Interviews from"))
    interviews_until = optional_date(_("Interviews until"))
    advice_due = optional_date(_("Advice of the committee due"))
    members_meeting = optional_date(_("Members' meeting"))
    retention_months = forms.IntegerField(
        label=_("Months to keep the data of applicants who were not placed"),
        min_value=1,
        max_value=24,
        initial=settings.RAADHUIS_SELECTION_RETENTION_MONTHS,
        help_text=_("Counted from the end of the procedure. Applicants get a notice beforehand."),
    )

    def __init__(self, *args: Any, branches: Sequence[Branch] = (), bodies: Sequence[Body] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = Body.objects.filter(pk__in=[b.pk for b in bodies]).order_by(
            "tier", "search_name"
        )
        self.fields["body"].label_from_instance = lambda body: f"{body.name} ({body.get_tier_display()})"
        if branches:
            self.fields["branch"].queryset = Branch.objects.filter(pk__in=[b.pk for b in branches])
            if len(branches) == 1:
                self.fields["branch"].initial = branches[0].pk
        else:
            del self.fields["branch"]

    @classmethod
    def initial_for(cls, procedure: SelectionProcedure) -> dict[str, Any]:
        names = [
            "title",
            "election",
            "election_date",
            "body",
            "profile",
            "call_opens",
            "applications_close",
            "interviews_from",
            "interviews_until",
            "advice_due",
            "members_meeting",
            "retention_months",
        ]
        return {name: getattr(procedure, name) for name in names}

    def data_object(self) -> ProcedureData:
        data = self.cleaned_data
        return ProcedureData(
            title=data["title"],
            election=data["election"],
            election_date=data["election_date"],
            body=data["body"],
            call_opens=data["call_opens"],
            applications_close=data["applications_close"],
            profile=data["profile"],
            interviews_from=data["interviews_from"],
            interviews_until=data["interviews_until"],
            advice_due=data["advice_due"],
            members_meeting=data["members_meeting"],
            retention_months=data["retention_months"],
        )


class CriterionForm(forms.Form):
    pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Criterion"), max_length=120, required=False)
    description = forms.CharField(label=_("Explanation"), max_length=500, required=False)
    weight = forms.IntegerField(label=_("Weight (1-5)"), min_value=1, max_value=5, initial=1)
    delete = forms.BooleanField(label=_("Remove"), required=False)


CriterionFormSet = forms.formset_factory(CriterionForm, extra=2, max_num=20)


def criteria_initial(criteria: Sequence[Criterion]) -> list[dict[str, Any]]:
    return [{"pk": c.pk, "name": c.name, "description": c.description, "weight": c.weight} for c in criteria]


def criteria_data(formset: Any) -> list[CriterionData]:
    return [
        CriterionData(
            pk=form.cleaned_data.get("pk"),
            name=form.cleaned_data.get("name") or "",
            description=form.cleaned_data.get("description") or "",
            weight=form.cleaned_data.get("weight") or 1,
            delete=bool(form.cleaned_data.get("delete")),
        )
        for form in formset.forms
        if form.cleaned_data
    ]


class CommitteeForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of the member"),
        help_text=_("The member needs an account on the platform."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    chair = forms.BooleanField(label=_("Chair of the committee"), required=False)

    def clean_email(self) -> Member:
        email = self.cleaned_data["email"].strip().lower()
        member = Member.objects.filter(email=email, status=Member.Status.ACTIVE).select_related("user").first()
        if member is None or member.user_id is None:
            raise forms.ValidationError(_("We know no active member with an account at this address."))
        return member


class AdviserForm(forms.Form):
    adviser = forms.ModelChoiceField(
        label=_("Invited adviser of the association"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("No adviser"),
        help_text=_("The adviser sees the applications and the advice, and does not score."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["adviser"].queryset = User.objects.filter(groups__name=Role.ADVISER, is_active=True).order_by(
            "name"
        )


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class ApplicationForm(forms.Form):
    """The public application form; members find their details filled in."""

    given_name = forms.CharField(
        label=_("Given name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    infix = forms.CharField(
        label=_("Infix (optional)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "additional-name"}),
    )
    family_name = forms.CharField(
        label=_("Family name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(
        label=_("Phone"), max_length=40, widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"})
    )
    street = forms.CharField(
        label=_("Street and number"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "street-address"})
    )
    postcode = forms.CharField(
        label=_("Postcode"), max_length=10, widget=forms.TextInput(attrs={"autocomplete": "postal-code"})
    )
    town = forms.CharField(
        label=_("Town"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )
    birth_date = forms.DateField(
        label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"})
    )
    motivation = forms.CharField(
        label=_("Why do you want to be a candidate?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    experience = forms.CharField(
        label=_("Relevant experience (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In politics, work, volunteering or elsewhere."),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics you want to work on"),
        queryset=Topic.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    availability = forms.CharField(
        label=_("Availability (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: evenings, not on Wednesdays; and when you can come to an interview."),
    )
    cv = forms.FileField(
        label=_("Your CV"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )
    declaration = forms.BooleanField(
        label=_(
            "I declare that I answered these questions truthfully and completely, and that I will tell the "
            "branch's secretary if anything changes."
        )
    )
    signed_name = forms.CharField(
        label=_("Your full name, as signature"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    # Invisible to people, filled in by robots.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    PERSONAL = ["given_name", "infix", "family_name", "email", "phone", "street", "postcode", "town", "birth_date"]
    ABOUT = ["motivation", "experience", "topics", "availability", "cv"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        megabytes = settings.SELECTION_MAX_CV_BYTES / (1024 * 1024)
        self.fields["cv"].help_text = _("A PDF or Word document (.docx) of at most %(mb)s MB.") % {
            "mb": number_format(megabytes, decimal_pos=0)
        }
        for key, question, explain_if in INTEGRITY_QUESTIONS:
            self.fields[f"integrity_{key}"] = forms.ChoiceField(
                label=question, choices=YES_NO, widget=forms.RadioSelect
            )
            self.fields[f"integrity_{key}_explanation"] = forms.CharField(
                label=_("Explanation (needed if you answered yes)")
                if explain_if == "yes"
                else _("Explanation (needed if you answered no)"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @staticmethod
    def initial_for(member: Member) -> dict[str, Any]:
        return {
            "given_name": member.given_name,
            "infix": member.infix,
            "family_name": member.family_name,
            "email": member.email,
            "phone": member.phone,
            "street": member.street,
            "postcode": member.postcode,
            "town": member.city,
            "topics": list(member.topics.all()),
        }

    def integrity_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"integrity_{key}"], self[f"integrity_{key}_explanation"]) for key, _q, _e in INTEGRITY_QUESTIONS]

    def personal_fields(self) -> list[Any]:
        return [self[name] for name in self.PERSONAL]

    def about_fields(self) -> list[Any]:
        return [self[name] for name in self.ABOUT]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for key, _question, explain_if in INTEGRITY_QUESTIONS:
            if cleaned.get(f"integrity_{key}") == explain_if and not cleaned.get(f"integrity_{key}_explanation", ""):
                self.add_error(f"integrity_{key}_explanation", _("Explain your answer."))
        return cleaned

    def data_object(self) -> ApplicantData:
        data = self.cleaned_data
        return ApplicantData(
            given_name=data["given_name"],
            infix=data["infix"],
            family_name=data["family_name"],
            email=data["email"],
            phone=data["phone"],
            street=data["street"],
            postcode=data["postcode"],
            town=data["town"],
            birth_date=data["birth_date"],
            motivation=data["motivation"],
            experience=data["experience"],
            availability=data["availability"],
            topics=list(data["topics"]),
            integrity={
                key: {
                    "answer": data[f"integrity_{key}"],
                    "explanation": data.get(f"integrity_{key}_explanation", ""),
                }
                for key, _question, _explain in INTEGRITY_QUESTIONS
            },
            declaration=data["declaration"],
            signed_name=data["signed_name"],
        )


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("What is the conflict of interest?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: a relative, a close friend, a business relation. Only the branch's chair and "
            "secretary and the committee's chair read this."
        ),
    )


SCORE_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


class ScoreForm(forms.Form):
    """One row per criterion: a score from 1 to 5 and an optional note."""

    def __init__(
        self, *args: Any, criteria: Sequence[Criterion], existing: dict[int, tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            current = existing.get(criterion.pk)
            self.fields[f"score_{criterion.pk}"] = forms.ChoiceField(
                label=criterion.name
                if criterion.weight == 1
                else _("%(criterion)s (weight %(weight)s)") % {"criterion": criterion.name, "weight": criterion.weight},
                choices=SCORE_CHOICES,
                widget=forms.RadioSelect,
                help_text=criterion.description,
                initial=str(current[0]) if current else None,
            )
            self.fields[f"note_{criterion.pk}"] = forms.CharField(
                label=_("Note on %(criterion)s (optional)") % {"criterion": criterion.name},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=current[1] if current else "",
            )

    def rows(self) -> list[tuple[Criterion, Any, Any]]:
        return [(c, self[f"score_{c.pk}"], self[f"note_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict[int, tuple[int, str]]:
        return {
            c.pk: (int(self.cleaned_data[f"score_{c.pk}"]), self.cleaned_data.get(f"note_{c.pk}", ""))
            for c in self.criteria
        }


class InterviewForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(label=_("Location"), max_length=200, help_text=_("An address or a video link."))


class InterviewNotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes of the interview"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 5})
    )
    took_place = forms.BooleanField(label=_("The interview took place"), required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (Application.Status.SUBMITTED, _("Submitted")),
            (Application.Status.INVITED, _("Invited for an interview")),
            (Application.Status.INTERVIEWED, _("Interviewed")),
            (Application.Status.NOT_SELECTED, _("Not selected")),
        ],
    )


class AdviceForm(forms.Form):
    """The chair's ranking: a place (or none) and a rationale per applicant still in the running."""

    summary = forms.CharField(
        label=_("Explanation of the advice (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, applications: Sequence[Application], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.applications = list(applications)
        for application in self.applications:
            self.fields[f"rank_{application.pk}"] = forms.IntegerField(
                label=_("Place of %(name)s") % {"name": application.full_name},
                required=False,
                min_value=1,
                max_value=len(self.applications),
                help_text=_("Leave empty if not on the list."),
            )
            self.fields[f"rationale_{application.pk}"] = forms.CharField(
                label=_("Rationale for %(name)s") % {"name": application.full_name},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        ranks = [cleaned.get(f"rank_{a.pk}") for a in self.applications if cleaned.get(f"rank_{a.pk}")]
        if sorted(ranks) != list(range(1, len(ranks) + 1)):
            raise forms.ValidationError(_("Number the places 1, 2, 3… without gaps or doubles."))
        return cleaned

    def places(self) -> list[tuple[Application, str]]:
        ranked = [
            (self.cleaned_data[f"rank_{a.pk}"], a, self.cleaned_data.get(f"rationale_{a.pk}", ""))
            for a in self.applications
            if self.cleaned_data.get(f"rank_{a.pk}")
        ]
        return [(application, rationale) for _rank, application, rationale in sorted(ranked, key=lambda r: r[0])]


class MailTemplateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 10}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _("You can use %(placeholders)s; they are filled in per applicant.") % {
            "placeholders": ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
        }
