"""Building blocks for selection tests (also used by the authorization matrix and the browser test):
CV files, an applicant's form data, and a published procedure of a regional branch with its
secretary and committee."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from typing import Any

import docx
import pypdf
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from core.models import Body
from core.roles import Role
from members.models import Branch, BranchOfficial, Member
from selection import services
from selection.models import INTEGRITY_QUESTIONS, Application, SelectionProcedure
from tests.factories import BranchFactory, ProvinceFactory, enable_totp, make_role_user


def pdf_bytes() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes(text: str = "Curriculum vitae") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def cv_upload(content: bytes | None = None, name: str = "cv.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content, content_type="application/pdf")


def applicant_data(**overrides: Any) -> services.ApplicantData:
    values: dict[str, Any] = {
        "given_name": "Fatima",
        "family_name": "Yilmaz",
        "email": "fatima@example.org",
        "phone": "06-12345678",
        "street": "Bloemendalstraat 4",
        "postcode": "8011 AA",
        "town": "Zwolle",
        "birth_date": datetime.date(1985, 4, 12),
        "motivation": "Ik wil werken aan betaalbaar wonen in Overijssel.",
        "experience": "Wijkraad en vrijwilliger bij de voedselbank.",
        "availability": "Avonden",
        "integrity": {
            key: {"answer": "yes" if explain == "no" else "no", "explanation": ""}
            for key, _q, explain in INTEGRITY_QUESTIONS
        },
        "signed_name": "Fatima Yilmaz",
        "declaration": True,
    }
    values.update(overrides)
    return services.ApplicantData(**values)


def application_post(**overrides: Any) -> dict[str, Any]:
    """The application form as a browser posts it."""
    data: dict[str, Any] = {
        "given_name": "Fatima",
        "infix": "",
        "family_name": "Yilmaz",
        "email": "fatima@example.org",
        "phone": "06-12345678",
        "street": "Bloemendalstraat 4",
        "postcode": "8011 AA",
        "town": "Zwolle",
        "birth_date": "1985-04-12",
        "motivation": "Ik wil werken aan betaalbaar wonen in Overijssel.",
        "experience": "",
        "availability": "",
        "declaration": "on",
        "signed_name": "Fatima Yilmaz",
        "website": "",
    }
    for key, _question, explain_if in INTEGRITY_QUESTIONS:
        data[f"integrity_{key}"] = "yes" if explain_if == "no" else "no"
        data[f"integrity_{key}_explanation"] = ""
    data.update(overrides)
    return data


@dataclass
class Procedure:
    """A published procedure of Gewest Overijssel for the Provinciale Staten, with its secretary,
    a committee (chair, member, and a member who will declare a conflict) and an adviser."""

    procedure: SelectionProcedure
    province: Body
    branch: Branch
    secretary: User
    chair: User
    member: User
    conflicted: User
    adviser: User
    applications: list[Application] = field(default_factory=list)

    def apply(self, **overrides: Any) -> Application:
        member = overrides.pop("member", None)
        submitted = services.apply(
            procedure=self.procedure, data=applicant_data(**overrides), cv=cv_upload(), member=member
        )
        self.applications.append(submitted.application)
        return submitted.application


def committee_user(procedure: SelectionProcedure, *, chair: bool = False, **kwargs: Any) -> User:
    """A member on the procedure's committee, with the second factor a seat requires."""
    user = make_role_user(Role.MEMBER, **kwargs)
    enable_totp(user)
    services.add_committee_member(procedure=procedure, member=user.member, chair=chair)
    return user


def make_official(branch: Branch, function: str = BranchOfficial.Function.SECRETARY, **kwargs: Any) -> User:
    user = make_role_user(Role.BRANCH_OFFICIAL, **kwargs)
    user.member.branch_functions.update(branch=branch, function=function)
    return user


def make_procedure(
    *, publish: bool = True, province_code: str = "PV23", province_name: str = "Overijssel"
) -> Procedure:
    province = ProvinceFactory(code=province_code, name=province_name)
    branch = BranchFactory(
        name=f"Gewest {province_name}", slug=f"gewest-{province_name.lower()}", kind="regional", province=province
    )
    secretary = make_official(branch)
    today = timezone.localdate()
    procedure = services.open_procedure(
        user=secretary,
        branch=branch,
        data=services.ProcedureData(
            title=f"Kandidaten Provinciale Staten {province_name} 2027",
            election="provincial",
            election_date=datetime.date(2027, 3, 17),
            body=province,
            call_opens=today - datetime.timedelta(days=1),
            applications_close=today + datetime.timedelta(days=30),
            profile="We zoeken Statenleden met hart voor de regio.",
            interviews_from=today + datetime.timedelta(days=35),
            interviews_until=today + datetime.timedelta(days=45),
            advice_due=today + datetime.timedelta(days=50),
            members_meeting=today + datetime.timedelta(days=60),
        ),
    )
    chair = committee_user(procedure, chair=True)
    member = committee_user(procedure)
    conflicted = committee_user(procedure)
    adviser = make_role_user(Role.ADVISER)
    services.set_adviser(procedure=procedure, adviser=adviser)
    if publish:
        services.publish(procedure=procedure)
    procedure.refresh_from_db()
    return Procedure(procedure, province, branch, secretary, chair, member, conflicted, adviser)


def member_with_account(**kwargs: Any) -> Member:
    return make_role_user(Role.MEMBER, **kwargs).member
