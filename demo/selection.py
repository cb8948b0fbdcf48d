"""Demo data for candidate selection (part of demo.services.load_demo): believable Dutch
procedures in every state, run by the demo branch secretary (afdeling@demo.example, secretary of
Afdeling Zwolle and of Gewest Overijssel) with the demo committee chair (commissie@demo.example) and
the demo adviser:

- Provinciale Staten Overijssel: the call is open, the first applications are in;
- Waterschap Drents Overijsselse Delta: applications closed, the committee is scoring, one member
  declared a conflict of interest, interviews are planned and held;
- Waterschap Vechtstromen: the advice is final, the list exported, status e-mails sent;
- Gemeenteraad Zwolle: finished almost a year ago; the applicants who were not placed have been
  told that their data will be deleted shortly;
- Provinciale Staten Drenthe: another branch's open call (public, invisible to the demo accounts).

Everything goes through selection.services, so the data is what real use would leave behind.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from core.models import Body, Tier
from core.roles import Role
from members.models import Branch, BranchOfficial, Member, Topic
from selection import selectors, services
from selection.models import INTEGRITY_QUESTIONS, Application, SelectionProcedure

from . import names

SEED = 20261210
DOMAIN = "demo.example"
CHAIR_EMAIL = f"commissie@{DOMAIN}"
SECRETARY_EMAIL = f"afdeling@{DOMAIN}"
ADVISER_EMAIL = f"adviseur@{DOMAIN}"

PROFILE_PS = (
    "Gewest {province} zoekt kandidaten voor Provinciale Staten. We zoeken mensen die de provincie kennen, "
    "van stad tot platteland, en die durven te kiezen: voor bereikbaarheid van de kernen, voor natuur die "
    "samengaat met boeren, en voor een provincie die gemeenten helpt bij wonen en energie.\n\n"
    "Je bent lid van de partij of wordt het, je kunt samenwerken in een fractie en je hebt ongeveer twaalf "
    "uur per week voor het Statenwerk. Ervaring in de politiek is welkom maar geen voorwaarde."
)
PROFILE_WS = (
    "Voor het algemeen bestuur van {body} zoeken we kandidaten met hart voor water: veilige dijken, schoon "
    "water en genoeg water voor natuur en landbouw in droge zomers. Je hoeft geen waterdeskundige te zijn; "
    "wel nieuwsgierig, en bereid je in te werken in waterveiligheid, zuivering en de waterschapsbelasting."
)
PROFILE_GR = (
    "Afdeling Zwolle zoekt raadsleden die Zwolle kennen, van Stadshagen tot Windesheim. Wonen, jeugd en een "
    "betaalbare stad staan bovenaan; je werkt graag samen en kunt uitleggen wat de raad besluit."
)
MOTIVATIONS = [
    "Als wijkverpleegkundige zie ik elke dag hoe bereikbaarheid en voorzieningen in de kleine kernen "
    "verdwijnen. Ik wil in de Staten opkomen voor de dorpen.",
    "Ik ben boerendochter en werk bij een natuurorganisatie. Ik wil laten zien dat boeren en natuur samen "
    "kunnen, en daar in het bestuur aan bijdragen.",
    "Na acht jaar in de wijkraad wil ik de volgende stap zetten. Ik ken de buurt, de ambtenaren en de "
    "frustraties van bewoners over trage procedures.",
    "Ik ben ingenieur bij een adviesbureau voor dijkversterking. Ik wil mijn kennis inzetten voor een "
    "waterschap dat zijn keuzes goed uitlegt.",
    "Als ondernemer in de binnenstad weet ik wat regels betekenen voor kleine bedrijven. Ik wil dat de "
    "politiek beter luistert naar wie het werk doet.",
    "Ik ben 24 en zit in het jongerenbestuur. Jongeren zijn ondervertegenwoordigd; ik wil de stem zijn van "
    "studenten en starters op de woningmarkt.",
    "Als docent maatschappijleer wil ik niet alleen uitleggen hoe de democratie werkt, maar er zelf aan bijdragen.",
]
EXPERIENCES = [
    "Wijkraad Assendorp (voorzitter), vrijwilliger bij de Voedselbank.",
    "Commissielid (burgerlid) ruimtelijke ordening, 2022-2026.",
    "Bestuur van de ondernemersvereniging, penningmeester van de voetbalclub.",
    "Projectleider dijkversterking; lid van de medezeggenschapsraad.",
    "",
]
AVAILABILITY = ["Avonden en zaterdag", "Maandag- en donderdagavond", "Flexibel, niet op woensdag", ""]
RATIONALES = [
    "Ervaren, kent de regio door en door en was in het gesprek het sterkst in het debat.",
    "Brengt nieuwe energie en vakkennis; goed aanspreekbaar voor jongeren.",
    "Stevig op integriteit en samenwerking; een verbinder in de fractie.",
    "Sterke inhoudelijke kennis van water en landbouw.",
]


def _election_day(today: datetime.date, month: int, day: int, at_least_days: int) -> datetime.date:
    """The first `day` of `month` at least `at_least_days` from today."""
    candidate = datetime.date(today.year, month, day)
    while candidate < today + datetime.timedelta(days=at_least_days):
        candidate = datetime.date(candidate.year + 1, month, day)
    return candidate


def _cv(name: str, text: str) -> SimpleUploadedFile:
    import weasyprint

    html = (
        f"<h1>Curriculum vitae</h1><h2>{name}</h2><h3>Werk</h3><p>{text}</p>"
        "<h3>Opleiding</h3><p>Hbo Bestuurskunde, Saxion Deventer.</p>"
        "<h3>Nevenactiviteiten</h3><p>Vrijwilliger bij de voedselbank; lid van de wijkraad.</p>"
    )
    pdf = weasyprint.HTML(string=html).write_pdf()
    return SimpleUploadedFile(f"cv-{slugify(name)}.pdf", pdf, content_type="application/pdf")


def _user_for(member: Member) -> User:
    """A login for a demo member (committee members need one); no password: they are not demo
    accounts, so nobody logs in as them."""
    if member.user is None:
        user = User.objects.filter(email=member.email).first() or User.objects.create_user(
            email=member.email, name=member.full_name
        )
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=Role.MEMBER))
        member.user = user
        member.save(update_fields=["user"])
    return member.user


class _Builder:
    def __init__(self) -> None:
        self.names = names
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        self.topics = list(Topic.objects.order_by("slug"))
        self.secretary = User.objects.get(email=SECRETARY_EMAIL)
        self.adviser = User.objects.get(email=ADVISER_EMAIL)
        self.chair = self._chair_member()
        self.used_emails: set[str] = set()

    def _chair_member(self) -> Member:
        user = User.objects.get(email=CHAIR_EMAIL)
        member = Member.objects.filter(email=CHAIR_EMAIL).first()
        if member is None:
            member = Member.objects.create(
                user=user,
                given_name="Wendy",
                family_name="Brouwer",
                email=CHAIR_EMAIL,
                city="Deventer",
                bio="Oud-Statenlid in Overijssel; voorzitter van de kandidatencommissie van het gewest.",
                member_since=self.today - datetime.timedelta(days=4000),
                branch=Branch.objects.filter(kind=Branch.Kind.REGIONAL, province__code="PV23").first(),
            )
        elif member.user_id != user.pk:
            member.user = user
            member.save(update_fields=["user"])
        return member

    def committee_members(self, province_code: str, count: int, exclude: set[int]) -> list[Member]:
        pool = list(
            Member.objects.active()
            .filter(user__isnull=True, email__endswith=f"@{DOMAIN}")
            .filter(mandates__body__province__code=province_code)
            .exclude(pk__in=exclude)
            .distinct()
            .order_by("pk")[:40]
        )
        chosen = self.rng.sample(pool, k=count)
        for member in chosen:
            _user_for(member)
        return chosen

    def outsider(self) -> dict[str, Any]:
        names = self.names
        while True:
            given = self.rng.choice(names.GIVEN_NAMES)
            infix = self.rng.choice(names.INFIXES)
            family = self.rng.choice(names.INFIX_FAMILY_NAMES if infix else names.FAMILY_NAMES)
            email = slugify(f"{given}.{infix}{family}".replace(" ", "")).replace("-", ".") + f".kandidaat@{DOMAIN}"
            if email not in self.used_emails:
                self.used_emails.add(email)
                return {"given_name": given, "infix": infix, "family_name": family, "email": email}

    def applicant_data(self, person: dict[str, Any], town: str, *, flagged: bool = False) -> services.ApplicantData:
        integrity = {
            key: {"answer": "yes" if explain == "no" else "no", "explanation": ""}
            for key, _question, explain in INTEGRITY_QUESTIONS
        }
        if flagged:
            integrity["interests"] = {
                "answer": "yes",
                "explanation": "Ik ben eigenaar van een installatiebedrijf dat soms voor de provincie werkt.",
            }
        full_name = " ".join(p for p in (person["given_name"], person["infix"], person["family_name"]) if p)
        return services.ApplicantData(
            given_name=person["given_name"],
            infix=person["infix"],
            family_name=person["family_name"],
            email=person["email"],
            phone=f"06-{self.rng.randint(10000000, 99999999)}",
            street=f"{self.rng.choice(self.names.STREETS)} {self.rng.randint(1, 180)}",
            postcode=f"{self.rng.randint(7000, 8299)} {''.join(self.rng.choices('ABCDEGHJKLMNPRSTVWXZ', k=2))}",
            town=town,
            birth_date=datetime.date(self.rng.randint(1958, 2002), self.rng.randint(1, 12), self.rng.randint(1, 28)),
            motivation=self.rng.choice(MOTIVATIONS),
            experience=self.rng.choice(EXPERIENCES),
            availability=self.rng.choice(AVAILABILITY),
            topics=self.rng.sample(self.topics, k=2) if self.topics else [],
            integrity=integrity,
            signed_name=full_name,
            declaration=True,
        )

    def procedure(
        self,
        *,
        branch: Branch,
        official: User,
        title: str,
        election: str,
        election_date: datetime.date,
        body: Body,
        profile: str,
        retention_months: int | None = None,
    ) -> SelectionProcedure:
        """Opened and published with a timeline from today; past procedures move their dates back
        afterwards (`_backdate`)."""
        today = self.today
        return services.open_procedure(
            user=official,
            branch=branch,
            data=services.ProcedureData(
                title=title,
                election=election,
                election_date=election_date,
                body=body,
                call_opens=today - datetime.timedelta(days=10),
                applications_close=today + datetime.timedelta(days=24),
                profile=profile,
                interviews_from=today + datetime.timedelta(days=30),
                interviews_until=today + datetime.timedelta(days=40),
                advice_due=today + datetime.timedelta(days=47),
                members_meeting=today + datetime.timedelta(days=55),
                retention_months=retention_months,
            ),
        )

    def committee(self, procedure: SelectionProcedure, chair: Member, members: list[Member]) -> None:
        services.add_committee_member(procedure=procedure, member=chair, chair=True)
        for member in members:
            services.add_committee_member(procedure=procedure, member=member)

    def apply(self, procedure: SelectionProcedure, town: str, count: int, **kwargs: Any) -> list[Application]:
        applications = []
        for index in range(count):
            person = self.outsider()
            data = self.applicant_data(person, town, flagged=index == 1)
            name = " ".join(p for p in (person["given_name"], person["infix"], person["family_name"]) if p)
            applications.append(
                services.apply(
                    procedure=procedure, data=data, cv=_cv(name, data.experience or data.motivation)
                ).application
            )
        return applications

    def score_all(self, procedure: SelectionProcedure, applications: list[Application], members: list[Member]) -> None:
        users = [_user_for(member) for member in members]
        criteria = list(procedure.criteria.all())
        strengths = {a.pk: self.rng.choice([2, 3, 3, 4, 4, 5]) for a in applications}
        involvement = {user.pk: selectors.involvement(user) for user in users}
        for user in users:
            for application in applications:
                if application.pk in involvement[user.pk].conflicts:
                    continue
                scores = {
                    c.pk: (max(1, min(5, strengths[application.pk] + self.rng.choice([-1, 0, 0, 1]))), "")
                    for c in criteria
                }
                first = criteria[0].pk
                scores[first] = (
                    scores[first][0],
                    self.rng.choice(["", "", "Overtuigende motivatie.", "Wat algemeen."]),
                )
                services.score(application=application, user=user, scores=scores)


def _backdate(procedure: SelectionProcedure, *, opened: datetime.date, days: int) -> None:
    """Move the procedure's timeline so that the call opened on `opened` and ran `days` days."""
    close = opened + datetime.timedelta(days=days)
    SelectionProcedure.objects.filter(pk=procedure.pk).update(
        call_opens=opened,
        applications_close=close,
        interviews_from=close + datetime.timedelta(days=7),
        interviews_until=close + datetime.timedelta(days=17),
        advice_due=close + datetime.timedelta(days=24),
        members_meeting=close + datetime.timedelta(days=35),
    )
    moment = timezone.make_aware(
        datetime.datetime.combine(opened + datetime.timedelta(days=days // 2), datetime.time(20))
    )
    Application.objects.filter(procedure=procedure).update(submitted_at=moment, signed_at=moment)
    procedure.refresh_from_db()


def ensure_demo() -> None:
    """Create the selection demo once; a second run changes nothing."""
    if SelectionProcedure.objects.exists():
        return
    b = _Builder()
    today = b.today
    provinces = {p.code: p for p in Body.objects.filter(tier=Tier.PROVINCIAL)}
    overijssel, drenthe = provinces.get("PV23"), provinces.get("PV22")
    gewest = Branch.objects.filter(kind=Branch.Kind.REGIONAL, province=overijssel).first()
    zwolle_branch = Branch.objects.filter(municipalities__code="GM0193").first()
    if overijssel is None or gewest is None or zwolle_branch is None:
        return
    secretary_member = Member.objects.get(email=SECRETARY_EMAIL)
    BranchOfficial.objects.get_or_create(
        branch=gewest,
        member=secretary_member,
        defaults={"function": BranchOfficial.Function.SECRETARY, "start_date": today - datetime.timedelta(days=400)},
    )
    services.forget_involvement(b.secretary)
    ps_day = _election_day(today, 3, 17, 100)
    water_boards = list(Body.objects.filter(tier=Tier.WATER_BOARD, provinces=overijssel).order_by("name"))
    delta = next((w for w in water_boards if "Delta" in w.name), water_boards[0])
    vechtstromen = next((w for w in water_boards if "Vechtstromen" in w.name), water_boards[-1])
    taken: set[int] = {b.chair.pk, secretary_member.pk}

    # 1. Provinciale Staten Overijssel: the call is open.
    ps = b.procedure(
        branch=gewest,
        official=b.secretary,
        title=f"Kandidaten Provinciale Staten Overijssel {ps_day.year}",
        election=Tier.PROVINCIAL,
        election_date=ps_day,
        body=overijssel,
        profile=PROFILE_PS.format(province="Overijssel"),
    )
    ps_committee = b.committee_members("PV23", 2, taken)
    taken |= {m.pk for m in ps_committee}
    b.committee(ps, b.chair, ps_committee)
    services.set_adviser(procedure=ps, adviser=b.adviser)
    services.publish(procedure=ps)
    ps_applicants = b.apply(ps, "Deventer", 3)
    services.declare_conflict(
        application=ps_applicants[0],
        user=ps_committee[0].user,
        reason="Zij is de zus van mijn partner.",
    )
    b.score_all(ps, ps_applicants[1:2], [b.chair])

    # 2. Waterschap Drents Overijsselse Delta: applications closed, scoring, a conflict, interviews.
    ws = b.procedure(
        branch=gewest,
        official=b.secretary,
        title=f"Kandidaten {delta.name} {ps_day.year}",
        election=Tier.WATER_BOARD,
        election_date=ps_day,
        body=delta,
        profile=PROFILE_WS.format(body=delta.name),
    )
    ws_committee = b.committee_members("PV23", 3, taken)
    taken |= {m.pk for m in ws_committee}
    b.committee(ws, b.chair, ws_committee)
    services.set_adviser(procedure=ws, adviser=b.adviser)
    services.publish(procedure=ws)
    ws_applicants = b.apply(ws, "Zwolle", 5)
    services.declare_conflict(
        application=ws_applicants[2],
        user=ws_committee[1].user,
        reason="Hij is mijn directe collega bij het ingenieursbureau.",
    )
    services.close_applications(procedure=ws)
    b.score_all(ws, ws_applicants, [b.chair, ws_committee[0], ws_committee[1]])
    _backdate(ws, opened=today - datetime.timedelta(days=40), days=35)
    for index, application in enumerate(ws_applicants[:3]):
        starts = timezone.make_aware(
            datetime.datetime.combine(today + datetime.timedelta(days=index - 1), datetime.time(19 + index % 2, 30))
        )
        interview = services.schedule_interview(
            application=application, starts_at=starts, location="Gemeentehuis Zwolle, zaal 2.14", user=b.chair.user
        )
        if index == 0:
            services.record_interview(
                interview=interview,
                notes="Goed voorbereid, sterk over waterkwaliteit en de rol van boeren. Wil zich inwerken "
                "in de waterschapsbelasting.",
                took_place=True,
            )
    services.set_status(application=ws_applicants[4], status=Application.Status.NOT_SELECTED)

    # 3. Waterschap Vechtstromen: the advice is final and the applicants have been told.
    vs = b.procedure(
        branch=gewest,
        official=b.secretary,
        title=f"Kandidaten {vechtstromen.name} {ps_day.year}",
        election=Tier.WATER_BOARD,
        election_date=ps_day,
        body=vechtstromen,
        profile=PROFILE_WS.format(body=vechtstromen.name),
    )
    vs_committee = b.committee_members("PV23", 2, taken)
    taken |= {m.pk for m in vs_committee}
    b.committee(vs, vs_committee[0], [vs_committee[1], b.chair])
    services.publish(procedure=vs)
    vs_applicants = b.apply(vs, "Enschede", 4)
    services.close_applications(procedure=vs)
    b.score_all(vs, vs_applicants, [vs_committee[0], vs_committee[1], b.chair])
    ranked = vs_applicants[:3]
    services.save_advice(
        procedure=vs,
        user=vs_committee[0].user,
        summary="De commissie adviseert unaniem deze drie kandidaten, in deze volgorde.",
        places=[(a, RATIONALES[i]) for i, a in enumerate(ranked)],
    )
    services.finalise_advice(procedure=vs, user=vs_committee[0].user)
    for kind in ("placed", "not_selected"):
        services.send_status_mails(procedure=vs, kind=kind)
    _backdate(vs, opened=today - datetime.timedelta(days=80), days=30)
    SelectionProcedure.objects.filter(pk=vs.pk).update(members_meeting=today + datetime.timedelta(days=12))

    # 4. Gemeenteraad Zwolle: finished almost a year ago (the branch keeps data 12 months); the
    # applicants who were not placed have been told that their data will be deleted in 30 days.
    finished = today + datetime.timedelta(days=30) - relativedelta(months=12)
    gr_day = _election_day(finished, 3, 18, 60)
    gr = b.procedure(
        branch=zwolle_branch,
        official=b.secretary,
        title=f"Kandidaten gemeenteraad Zwolle {gr_day.year}",
        election=Tier.MUNICIPAL,
        election_date=ps_day,
        body=Body.objects.get(code="GM0193"),
        profile=PROFILE_GR,
        retention_months=12,
    )
    gr_committee = b.committee_members("PV23", 2, taken)
    b.committee(gr, gr_committee[0], gr_committee[1:])
    services.publish(procedure=gr)
    gr_applicants = b.apply(gr, "Zwolle", 5)
    b.score_all(gr, gr_applicants, gr_committee)
    services.save_advice(
        procedure=gr,
        user=gr_committee[0].user,
        summary="",
        places=[(a, RATIONALES[i % len(RATIONALES)]) for i, a in enumerate(gr_applicants[:3])],
    )
    services.finalise_advice(procedure=gr, user=gr_committee[0].user)
    for kind in ("placed", "not_selected"):
        services.send_status_mails(procedure=gr, kind=kind)
    services.finish(procedure=gr)
    _backdate(gr, opened=finished - datetime.timedelta(days=75), days=28)
    SelectionProcedure.objects.filter(pk=gr.pk).update(
        election_date=gr_day,
        finished_at=timezone.make_aware(datetime.datetime.combine(finished, datetime.time(21))),
    )
    services.apply_retention(today=today)

    # 5. Another branch's open call: public, and invisible to the demo accounts.
    drenthe_branch = Branch.objects.filter(kind=Branch.Kind.REGIONAL, province=drenthe).first()
    if drenthe is not None and drenthe_branch is not None:
        official = b.committee_members("PV22", 1, set())[0]
        BranchOfficial.objects.get_or_create(
            branch=drenthe_branch,
            member=official,
            defaults={
                "function": BranchOfficial.Function.SECRETARY,
                "start_date": today - datetime.timedelta(days=300),
            },
        )
        assert official.user is not None
        services.forget_involvement(official.user)
        dr = b.procedure(
            branch=drenthe_branch,
            official=official.user,
            title=f"Kandidaten Provinciale Staten Drenthe {ps_day.year}",
            election=Tier.PROVINCIAL,
            election_date=ps_day,
            body=drenthe,
            profile=PROFILE_PS.format(province="Drenthe"),
        )
        b.committee(dr, b.committee_members("PV22", 1, {official.pk})[0], [])
        services.publish(procedure=dr)
        b.apply(dr, "Assen", 1)
