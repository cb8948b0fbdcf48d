"""The demo data set: deterministic (seeded), believable, Dutch, with an account for every role."""

from __future__ import annotations

import base64
import datetime
import hashlib
import random
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Invitation, User, hash_token
from accounts.services import ensure_role_groups
from core.models import Body, Tier
from core.roles import MFA_ROLES, Role
from members.models import Branch, BranchOfficial, Faction, Mandate, MandateRole, Member, Message, Topic
from members.topics import ensure_topics

from . import names

SEED = 20261125
DEMO_DOMAIN = "demo.example"
DEMO_PASSWORD = "demo-raadhuis-2026"  # printed on screen by `make demo`; demo data only


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    name: str


DEMO_ACCOUNTS = [
    DemoAccount(Role.MEMBER, f"lid@{DEMO_DOMAIN}", "Marieke de Vries-Hoekstra"),
    DemoAccount(Role.BRANCH_OFFICIAL, f"afdeling@{DEMO_DOMAIN}", "Joost Oosterhof"),
    # Chairs the selection committee of Gewest Overijssel (demo/selection.py).
    DemoAccount(Role.MEMBER, f"commissie@{DEMO_DOMAIN}", "Wendy Brouwer"),
    DemoAccount(Role.ADVISER, f"adviseur@{DEMO_DOMAIN}", "Hanneke Brinkman"),
    DemoAccount(Role.COUNSELLOR, f"vertrouwenspersoon@{DEMO_DOMAIN}", "Ivo Lammers"),
    DemoAccount(Role.EDITOR, f"redacteur@{DEMO_DOMAIN}", "Femke van der Linden"),
    DemoAccount(Role.EVENT_ORGANISER, f"organisator@{DEMO_DOMAIN}", "Ruben Stuiver"),
    DemoAccount(Role.PROGRAMME_OFFICER, f"programma@{DEMO_DOMAIN}", "Samira Bouzid"),
    DemoAccount(Role.GRIFFIE_CONTACT, f"griffie@{DEMO_DOMAIN}", "Gert-Jan Wolters"),
    DemoAccount(Role.ADMINISTRATOR, f"beheerder@{DEMO_DOMAIN}", "Esther Kuipers"),
    # An expert from outside, invited into the energy network (networks/demo.py).
    DemoAccount(Role.EXPERT, f"deskundige@{DEMO_DOMAIN}", "Prof. dr. Ingrid Vos"),
]


COMMITTEE_EMAIL = f"commissie@{DEMO_DOMAIN}"


def needs_mfa(account: DemoAccount) -> bool:
    """Whether the demo account must sign in with a second factor: the roles in MFA_ROLES, and the
    member who chairs a selection committee (accounts.middleware.requires_mfa)."""
    return account.role in MFA_ROLES or account.email == COMMITTEE_EMAIL


def demo_totp_secret(email: str) -> str:
    """A fixed TOTP secret per demo account, so `demo_otp` can print the current code."""
    return base64.b32encode(hashlib.sha256(f"raadhuis-demo:{email}".encode()).digest()[:20]).decode()


def current_code(email: str) -> str:
    counter = int(timezone.now().timestamp()) // 30
    return format_hotp_value(hotp_value(demo_totp_secret(email), counter))


def _email_for(given: str, infix: str, family: str, taken: set[str]) -> str:
    base = slugify(f"{given}.{infix}{family}".replace(" ", "")).replace("-", ".")
    email, n = f"{base}@{DEMO_DOMAIN}", 2
    while email in taken:
        email, n = f"{base}{n}@{DEMO_DOMAIN}", n + 1
    taken.add(email)
    return email


class DemoBuilder:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        self.taken: set[str] = set(Member.objects.values_list("email", flat=True))
        self.topics = list(Topic.objects.order_by("slug"))

    def person(self) -> tuple[str, str, str]:
        given = self.rng.choice(names.GIVEN_NAMES)
        infix = self.rng.choice(names.INFIXES)
        family = self.rng.choice(names.INFIX_FAMILY_NAMES if infix else names.FAMILY_NAMES)
        return given, infix, family

    def member(self, body: Body | None, branch: Branch | None, status: str = Member.Status.ACTIVE) -> Member:
        given, infix, family = self.person()
        since = self.today - datetime.timedelta(days=self.rng.randint(200, 5000))
        member_topics = self.rng.sample(self.topics, k=self.rng.randint(1, 3))
        council = body.council_name if body else "gemeenteraad"
        bio = " ".join(
            [
                self.rng.choice(names.BIO_OPENINGS).format(year=since.year, council=council),
                self.rng.choice(names.BIO_TOPICS).format(topic=member_topics[0].name.lower()),
            ]
        )
        member = Member.objects.create(
            given_name=given,
            infix=infix,
            family_name=family,
            email=_email_for(given, infix, family, self.taken),
            phone=f"06-{self.rng.randint(10000000, 99999999)}",
            street=f"{self.rng.choice(names.STREETS)} {self.rng.randint(1, 180)}",
            postcode=f"{self.rng.randint(1000, 9999)} {''.join(self.rng.choices('ABCDEGHJKLMNPRSTVWXZ', k=2))}",
            city=body.name if body and body.tier == Tier.MUNICIPAL else "",
            bio=bio,
            status=status,
            member_since=since,
            member_until=self.today - datetime.timedelta(days=self.rng.randint(10, 400))
            if status != Member.Status.ACTIVE
            else None,
            branch=branch,
            email_visibility=self.rng.choice(["members", "members", "staff", "nobody"]),
            phone_visibility=self.rng.choice(["members", "staff", "staff", "nobody"]),
            bio_visibility=self.rng.choice(["members", "members", "members", "staff"]),
        )
        member.topics.set(member_topics)
        return member

    def mandate(self, member: Member, body: Body, role: str, faction: Faction | None, *, past: bool = False) -> None:
        start = self.today - datetime.timedelta(days=self.rng.randint(100, 1600))
        end = None
        if past:
            end = start - datetime.timedelta(days=self.rng.randint(30, 400))
            start = end - datetime.timedelta(days=self.rng.randint(700, 1460))
        portfolios = ""
        if role in {MandateRole.ALDERMAN, MandateRole.PROVINCIAL_EXECUTIVE, MandateRole.WATER_BOARD_EXECUTIVE}:
            portfolios = ", ".join(self.rng.sample(names.PORTFOLIOS, k=2))
        Mandate.objects.create(
            member=member, body=body, role=role, faction=faction, portfolios=portfolios, start_date=start, end_date=end
        )


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Create the demo set once; a second run changes nothing but the demo accounts' passwords."""
    ensure_role_groups()
    ensure_topics()
    created = {"members": 0, "mandates": 0}
    if not Member.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exists():
        created = _build_people()
    _ensure_accounts()
    _ensure_invitations()
    _ensure_activity()
    _ensure_events()
    _ensure_desk()
    _ensure_programme()
    _ensure_library()
    _ensure_newsletter()
    _ensure_selection()
    _ensure_networks()
    return created


def _build_people() -> dict[str, int]:
    b = DemoBuilder()
    rng = b.rng
    provinces = list(Body.objects.current().filter(tier=Tier.PROVINCIAL).order_by("code"))
    municipalities = list(Body.objects.current().filter(tier=Tier.MUNICIPAL).order_by("code"))
    water_boards = list(Body.objects.current().filter(tier=Tier.WATER_BOARD).order_by("code"))
    if not (provinces and municipalities and water_boards):
        raise RuntimeError("Load the bodies first: manage.py load_bodies")

    regional = {
        p.pk: Branch.objects.create(
            name=f"Gewest {p.name}", slug=f"gewest-{slugify(p.name)}", kind="regional", province=p
        )
        for p in provinces
    }
    # Zwolle, Assen and Utrecht always take part: the demo's journeys use them.
    fixed = [m for m in municipalities if m.code in {"GM0193", "GM0106", "GM0344"}]
    chosen = fixed + rng.sample([m for m in municipalities if m not in fixed], k=97)
    local: dict[int, Branch] = {}
    for m in chosen[:45]:
        branch = Branch.objects.create(name=f"Afdeling {m.name}", slug=f"afdeling-{slugify(m.name)}", kind="local")
        branch.municipalities.add(m)
        local[m.pk] = branch

    def branch_for(body: Body) -> Branch | None:
        if body.tier == Tier.MUNICIPAL:
            return local.get(body.pk) or regional.get(body.province_id or 0)
        if body.tier == Tier.PROVINCIAL:
            return regional[body.pk]
        return None

    factions: dict[int, Faction] = {}

    def faction(body: Body) -> Faction:
        if body.pk not in factions:
            label = {"municipal": "Fractie", "provincial": "Statenfractie", "water_board": "Fractie"}[body.tier]
            factions[body.pk] = Faction.objects.create(body=body, name=f"{label} {body.name}", seats=rng.randint(1, 9))
        return factions[body.pk]

    counts = {"members": 0, "mandates": 0}

    def add(body: Body, role: str, *, status: str = Member.Status.ACTIVE, extra: Body | None = None) -> Member:
        member = b.member(body, branch_for(body), status)
        b.mandate(member, body, role, faction(body), past=status != Member.Status.ACTIVE)
        counts["members"] += 1
        counts["mandates"] += 1
        if extra is not None:
            b.mandate(member, extra, MandateRole.WATER_BOARD_MEMBER, faction(extra))
            counts["mandates"] += 1
        if rng.random() < 0.25:
            # Many have a history: an earlier term in the same council.
            b.mandate(member, body, role, faction(body), past=True)
            counts["mandates"] += 1
        return member

    for m in chosen:
        councillors = [add(m, MandateRole.COUNCILLOR) for _ in range(rng.randint(1, 3))]
        factions[m.pk].chair = councillors[0]
        factions[m.pk].save(update_fields=["chair"])
        b.mandate(councillors[0], m, MandateRole.FACTION_CHAIR, factions[m.pk])
        if rng.random() < 0.35:
            add(m, MandateRole.ALDERMAN)
        if rng.random() < 0.08:
            add(m, MandateRole.MAYOR)
        if rng.random() < 0.2:
            add(m, MandateRole.COMMITTEE_MEMBER)
    for p in provinces:
        for _ in range(rng.randint(2, 4)):
            add(p, MandateRole.PROVINCIAL_COUNCILLOR)
        if rng.random() < 0.6:
            add(p, MandateRole.PROVINCIAL_EXECUTIVE)
    for w in water_boards:
        for _ in range(rng.randint(1, 2)):
            add(w, MandateRole.WATER_BOARD_MEMBER)
        if rng.random() < 0.3:
            add(w, MandateRole.WATER_BOARD_EXECUTIVE)
    # A few councillors also sit on a water board; some members lapsed or left.
    for m in rng.sample(chosen, k=8):
        add(m, MandateRole.COUNCILLOR, extra=rng.choice(water_boards))
    for m in rng.sample(chosen, k=20):
        add(m, MandateRole.COUNCILLOR, status=rng.choice([Member.Status.LAPSED, Member.Status.FORMER]))

    # Branch officials: a chair and a secretary per local branch.
    for branch in local.values():
        members = list(branch.members.filter(status=Member.Status.ACTIVE)[:2])
        for member, function in zip(
            members, [BranchOfficial.Function.CHAIR, BranchOfficial.Function.SECRETARY], strict=False
        ):
            BranchOfficial.objects.create(
                branch=branch, member=member, function=function, start_date=member.member_since
            )
    return counts


def _ensure_accounts() -> None:
    zwolle = Body.objects.get(code="GM0193")
    for account in DEMO_ACCOUNTS:
        user, _created = User.objects.get_or_create(email=account.email, defaults={"name": account.name})
        user.name = account.name
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set(Group.objects.filter(name__in=[account.role]))
        EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
        if needs_mfa(account) and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, demo_totp_secret(account.email))
            RecoveryCodes.activate(user)
    # The member and the branch official are people in the association with mandates in Zwolle.
    member_user = User.objects.get(email=f"lid@{DEMO_DOMAIN}")
    official_user = User.objects.get(email=f"afdeling@{DEMO_DOMAIN}")
    branch = Branch.objects.filter(municipalities=zwolle).first()
    zwolle_faction = Faction.objects.filter(body=zwolle).first()
    today = timezone.localdate()
    for user, given, infix, family, role in [
        (member_user, "Marieke", "de", "Vries-Hoekstra", MandateRole.COUNCILLOR),
        (official_user, "Joost", "", "Oosterhof", MandateRole.COMMITTEE_MEMBER),
    ]:
        member, created = Member.objects.get_or_create(
            email=user.email,
            defaults={
                "given_name": given,
                "infix": infix,
                "family_name": family,
                "branch": branch,
                "phone": "06-12345678",
                "city": "Zwolle",
                "bio": "Raadslid in Zwolle, vooral bezig met wonen en jeugd.",
                "member_since": today - datetime.timedelta(days=900),
            },
        )
        if member.user_id != user.pk:
            member.user = user
            member.save(update_fields=["user"])
        if created:
            member.topics.set(Topic.objects.filter(slug__in=["wonen", "jeugd"]))
            Mandate.objects.create(
                member=member,
                body=zwolle,
                role=role,
                faction=zwolle_faction,
                start_date=today - datetime.timedelta(days=900),
            )
    official = Member.objects.get(email=official_user.email)
    if branch and not BranchOfficial.objects.filter(branch=branch, member=official).exists():
        BranchOfficial.objects.create(
            branch=branch, member=official, function=BranchOfficial.Function.SECRETARY, start_date=today
        )
    official_user.groups.add(Group.objects.get(name=Role.MEMBER))
    official_user.groups.add(Group.objects.get(name=Role.BRANCH_OFFICIAL))


def _ensure_invitations() -> None:
    """Invitations in every state, for the invitations page."""
    admin = User.objects.get(email=f"beheerder@{DEMO_DOMAIN}")
    now = timezone.now()
    member_group = Group.objects.get(name=Role.MEMBER)
    samples = [
        ("Lotte Reinders", "lotte.reinders", now + datetime.timedelta(days=10), None, None),
        ("Thijs Akkerman", "thijs.akkerman", now - datetime.timedelta(days=3), None, None),
        ("Nadia El Amrani", "nadia.elamrani", now + datetime.timedelta(days=4), None, now - datetime.timedelta(days=1)),
        (
            "Koen van den Heuvel",
            "koen.vandenheuvel",
            now + datetime.timedelta(days=2),
            now - datetime.timedelta(days=5),
            None,
        ),
    ]
    for name, local_part, expires, revoked, accepted in samples:
        email = f"uitgenodigd.{local_part}@{DEMO_DOMAIN}"
        invitation, created = Invitation.objects.get_or_create(
            email=email,
            defaults={
                "name": name,
                "created_by": admin,
                "expires_at": expires,
                "revoked_at": revoked,
                "accepted_at": accepted,
                "sent_at": now - datetime.timedelta(days=7),
                "created_at": now - datetime.timedelta(days=7),
                "token_hash": hash_token(f"demo-{email}"),
            },
        )
        if created:
            invitation.roles.set([member_group])


def _ensure_activity() -> None:
    """Messages for the demo member and mandates waiting for review, so those pages have content."""
    me = Member.objects.get(email=f"lid@{DEMO_DOMAIN}")
    if Message.objects.filter(Q(sender=me) | Q(recipient=me)).exists():
        return
    rng = random.Random(SEED + 1)
    others = list(Member.objects.active().exclude(pk=me.pk).filter(email__endswith=f"@{DEMO_DOMAIN}").order_by("pk"))
    now = timezone.now()
    conversations = [
        [
            (
                "in",
                "Hoi Marieke, ik zag dat jullie in Zwolle een motie over betaalbare huur hebben aangenomen. "
                "Mag ik de tekst gebruiken voor onze raad?",
            ),
            ("out", "Natuurlijk! Ik zet hem in de bibliotheek. Let op de overweging over de woonvisie, die is lokaal."),
            ("in", "Top, dank je. Ik laat weten hoe het afloopt."),
        ],
        [
            (
                "in",
                "Wij organiseren in maart een avond over jeugdzorg met de regio. "
                "Wil je iets vertellen over jullie aanpak?",
            ),
        ],
        [
            (
                "out",
                "Hoe gaan jullie om met de opleidingsbudgetten voor raadsleden? "
                "Bij ons weet bijna niemand dat het er is.",
            ),
            ("in", "Bij ons stuurt de griffie elk jaar in januari een overzicht rond. Dat helpt echt."),
        ],
    ]
    for index, conversation in enumerate(conversations):
        other = others[rng.randrange(len(others))]
        for step, (direction, text) in enumerate(conversation):
            sender, recipient = (other, me) if direction == "in" else (me, other)
            Message.objects.create(
                sender=sender,
                recipient=recipient,
                body=text,
                created_at=now - datetime.timedelta(days=10 - 3 * index, hours=20 - 4 * step),
                read_at=None if index == 1 else now,
            )
    bodies = list(Body.objects.current().filter(tier=Tier.MUNICIPAL).order_by("code")[:50])
    for member in rng.sample(others, k=3):
        Mandate.objects.create(
            member=member,
            body=rng.choice(bodies),
            role=MandateRole.COMMITTEE_MEMBER,
            start_date=timezone.localdate() - datetime.timedelta(days=30),
            review_status=Mandate.Review.PENDING,
            submitted_by=member.user,
        )


def _ensure_events() -> None:
    """Events in every state: open, full with a waitlist, closed, past (with attendance and
    evaluations), cancelled, public, and a paid three-session course."""
    from events import services as event_services
    from events.models import Attendance, Evaluation, Event, Registration, Session

    if Event.objects.exists():
        return
    rng = random.Random(SEED + 2)
    organiser = User.objects.get(email=f"organisator@{DEMO_DOMAIN}")
    me = Member.objects.get(email=f"lid@{DEMO_DOMAIN}")
    people = list(Member.objects.active().exclude(pk=me.pk).order_by("pk"))
    now = timezone.now()
    provinces = {b.code: b for b in Body.objects.filter(tier=Tier.PROVINCIAL)}
    topics = {t.slug: t for t in Topic.objects.all()}

    def at(days: int, hour: int, minute: int = 0) -> datetime.datetime:
        local = timezone.localtime(now + datetime.timedelta(days=days)).replace(
            hour=hour, minute=minute, second=0, microsecond=0
        )
        return local

    def make(
        slug: str,
        title: str,
        kind: str,
        summary: str,
        description: str,
        sessions: list[tuple[int, int, int, str, str, str]],
        *,
        capacity: int = 40,
        price_cents: int = 0,
        audience: str = "members",
        region: str | None = None,
        closes_in: int | None = None,
        topic_slugs: tuple[str, ...] = (),
    ) -> Event:
        first_day = min(d for d, *_rest in sessions)
        event = Event.objects.create(
            slug=slug,
            title=title,
            kind=kind,
            summary=summary,
            description=description,
            status=Event.Status.PUBLISHED,
            audience=audience,
            capacity=capacity,
            price_cents=price_cents,
            region=provinces.get(region or ""),
            registration_opens=now - datetime.timedelta(days=60),
            registration_closes=at(first_day if closes_in is None else closes_in, 12),
            cancellation_deadline=at(first_day - 2, 12),
        )
        event.organisers.add(organiser)
        event.topics.set([topics[t] for t in topic_slugs if t in topics])
        for day, hour, hours, location, address, online in sessions:
            Session.objects.create(
                event=event,
                starts_at=at(day, hour),
                ends_at=at(day, hour) + datetime.timedelta(hours=hours),
                location_name=location,
                address=address,
                online_url=online,
            )
        event.refresh_schedule()
        return event

    course = make(
        "leergang-begroting-lezen",
        "Leergang Begroting lezen voor raadsleden",
        Event.Kind.COURSE,
        "Drie avonden over begroting, jaarrekening en kaderstelling: zo stel je de goede vragen.",
        "Voor raadsleden in hun eerste of tweede termijn.\n\n- Avond 1: de opbouw van de begroting\n"
        "- Avond 2: jaarrekening en rekenkamer\n- Avond 3: kaders stellen en bijsturen\n\n"
        "Je krijgt een certificaat als je minstens twee van de drie avonden aanwezig bent.",
        [
            (24, 19, 3, "Stadhuis Zwolle", "Grote Kerkplein 15, Zwolle", ""),
            (31, 19, 3, "Stadhuis Zwolle", "Grote Kerkplein 15, Zwolle", ""),
            (38, 19, 3, "", "", "https://meet.example.org/begroting"),
        ],
        capacity=20,
        price_cents=19500,
        region="PV23",
        topic_slugs=("financien", "democratie"),
    )
    full = make(
        "netwerkavond-wonen-overijssel",
        "Netwerkavond: woningbouw in Overijssel",
        Event.Kind.NETWORK_MEETING,
        "Raadsleden, Statenleden en wethouders over de woningbouwopgave in de regio.",
        "Met een korte inleiding door een gedeputeerde en daarna gesprekken aan tafels per regio.",
        [(10, 19, 2, "Provinciehuis Overijssel", "Luttenbergstraat 2, Zwolle", "")],
        capacity=12,
        region="PV23",
        topic_slugs=("wonen",),
    )
    webinar = make(
        "webinar-digitale-veiligheid",
        "Webinar: digitale veiligheid voor politici",
        Event.Kind.WEBINAR,
        "Wat doe je tegen doxing, nepaccounts en bedreigingen online?",
        "Een uur, met ruimte voor vragen.",
        [(6, 12, 1, "", "", "https://meet.example.org/veilig")],
        capacity=200,
        topic_slugs=("veiligheid", "integriteit"),
    )
    make(
        "open-avond-democratie",
        "Open avond: democratie dichtbij",
        Event.Kind.NETWORK_MEETING,
        "Voor iedereen die overweegt zich kandidaat te stellen: hoe is het om raadslid te zijn?",
        "Gasten zijn welkom; meld je aan met je naam en e-mailadres.",
        [(17, 20, 2, "Bibliotheek Assen", "Collegeplein 1, Assen", "")],
        capacity=60,
        audience="public",
        region="PV22",
        topic_slugs=("democratie",),
    )
    make(
        "training-debatteren",
        "Training debatteren in de raad",
        Event.Kind.TRAINING,
        "Een dag oefenen met interrupties, moties en het laatste woord.",
        "In kleine groepen, met een acteur.",
        [(45, 10, 6, "Vergadercentrum Utrecht", "Stationsplein 1, Utrecht", "")],
        capacity=16,
        price_cents=9500,
        region="PV26",
        closes_in=3,
        topic_slugs=("democratie",),
    )
    cancelled = make(
        "waterschapsdag",
        "Waterschapsdag: klimaat en dijken",
        Event.Kind.NETWORK_MEETING,
        "Excursie langs de dijkversterking, met waterschappers uit het hele land.",
        "Helaas gaat deze dag niet door.",
        [(14, 10, 5, "Gemaal De Blocq van Kuffeler", "Kuffelerweg 1, Almere", "")],
        capacity=30,
        region="PV24",
        topic_slugs=("water", "klimaat"),
    )
    past = make(
        "intervisie-integriteit-voorjaar",
        "Intervisie: integriteit in de praktijk",
        Event.Kind.COURSE,
        "Twee avonden intervisie over dilemma's rond integriteit.",
        "Vertrouwelijk, in kleine kring.",
        [
            (-40, 19, 2, "Huis van de Provincie", "Markt 11, Arnhem", ""),
            (-33, 19, 2, "Huis van de Provincie", "Markt 11, Arnhem", ""),
        ],
        capacity=14,
        region="PV25",
        topic_slugs=("integriteit",),
    )

    def register_quietly(event: Event, member: Member, **kwargs: Any) -> Registration:
        event.registration_closes = max(event.registration_closes, now + datetime.timedelta(minutes=5))
        Event.objects.filter(pk=event.pk).update(registration_closes=event.registration_closes)
        return event_services.register(event=event, member=member, **kwargs)

    register_quietly(course, me, needs="Vegetarisch")
    for member in rng.sample(people, k=9):
        register_quietly(course, member, on_participant_list=rng.random() < 0.6)
    for member in rng.sample(people, k=15):
        register_quietly(full, member)
    register_quietly(full, me)  # the demo member waits for a seat
    for member in rng.sample(people, k=25):
        register_quietly(webinar, member)
    for member in rng.sample(people, k=8):
        register_quietly(cancelled, member)
    event_services.cancel_event(event=cancelled)
    # The past course: registrations made back then, attendance taken, evaluations given.
    sessions = list(past.sessions.all())
    for index, member in enumerate([me, *rng.sample(people, k=9)]):
        registration = Registration.objects.create(
            event=past,
            member=member,
            status=Registration.Status.CONFIRMED,
            signed_up_at=now - datetime.timedelta(days=60 - index),
        )
        for session in sessions:
            Attendance.objects.create(
                registration=registration, session=session, present=rng.random() < 0.85, marked_by=organiser
            )
        if rng.random() < 0.8:
            Evaluation.objects.create(
                registration=registration,
                overall=rng.choice([3, 4, 4, 5, 5]),
                content=rng.choice([3, 4, 5, 5]),
                organisation=rng.choice([2, 3, 4, 4, 5]),
                comment=rng.choice(
                    [
                        "",
                        "Meer tijd voor casussen graag.",
                        "Heel waardevol, ook de contacten.",
                        "Goede begeleiding.",
                        "",
                    ]
                ),
            )
    Attendance.objects.filter(registration__member=me, registration__event=past).update(present=True)


def _ensure_desk() -> None:
    """Advice cases in every state and level, referral addresses, counsellors, intervision."""
    from desk import services as desk_services
    from desk.models import Case, Helper, IntervisionSignup, Kind, Organisation

    if Case.objects.exists():
        return
    rng = random.Random(SEED + 3)
    adviser = User.objects.get(email=f"adviseur@{DEMO_DOMAIN}")
    counsellor = User.objects.get(email=f"vertrouwenspersoon@{DEMO_DOMAIN}")
    me = Member.objects.get(email=f"lid@{DEMO_DOMAIN}")
    people = list(Member.objects.active().exclude(pk=me.pk).order_by("pk"))
    provinces = {b.code: b for b in Body.objects.filter(tier=Tier.PROVINCIAL)}
    Helper.objects.create(
        user=counsellor,
        kind="counsellor",
        region=provinces.get("PV23"),
        on_duty=True,
        case_kinds=[Kind.THREAT_DIGITAL, Kind.THREAT_PHYSICAL, Kind.DOXXING, Kind.INTEGRITY_OWN],
    )
    Helper.objects.create(
        user=adviser, kind="coach", region=provinces.get("PV26"), case_kinds=[Kind.COACHING, Kind.MEDIATION]
    )
    police = Organisation.objects.create(
        name="Politie: Team Bedreigde Politieke Ambtsdragers",
        kind="police",
        phone="0900-8844",
        expertise="Aangifte en beveiligingsadvies bij bedreiging van politici.",
        website="https://www.politie.nl",
    )
    Organisation.objects.create(
        name="Stichting Integriteitsadvies",
        kind="integrity",
        email="advies@integriteit.example",
        expertise="Vertrouwelijk advies over integriteitsvraagstukken.",
    )
    Organisation.objects.create(
        name="Mediationbureau De Brug",
        kind="mediation",
        phone="030-1234567",
        region=provinces.get("PV26"),
        expertise="Bemiddeling bij conflicten in fracties.",
    )
    now = timezone.now()

    def case(member: Member, kind: str, subject: str, text: str, level: str = "normal", days_ago: int = 0) -> Any:
        item = desk_services.open_case(
            requester=member, kind=kind, subject=subject, description=text, confidentiality=level
        )
        moment = now - datetime.timedelta(days=days_ago, hours=rng.randint(0, 6))
        due = moment + datetime.timedelta(hours=4) if item.is_threat else None
        Case.objects.filter(pk=item.pk).update(created_at=moment, due_by=due)
        item.refresh_from_db()
        return item

    threat = case(
        me,
        Kind.THREAT_DIGITAL,
        "Bedreiging online",
        "Na het debat over de azc-locatie krijg ik op Facebook berichten waarin staat dat ze weten waar ik woon.",
        level="confidential",
        days_ago=2,
    )
    desk_services.assign(case=threat, user=adviser)
    desk_services.add_counsellor(case=threat, user=counsellor)
    desk_services.add_message(
        case=threat,
        author=adviser,
        body="Dank voor je melding. Ik bel je vanmiddag; bewaar alle berichten met datum en tijd.",
    )
    desk_services.add_message(case=threat, author=me.user, body="Dank je. Ik heb schermafdrukken gemaakt.")
    desk_services.refer(
        case=threat,
        organisation=police,
        note="Het team Bedreigde Politieke Ambtsdragers neemt contact met je op voor aangifte.",
        by=adviser,
    )
    question = case(
        me,
        Kind.POLITICAL,
        "Motie over betaalbare huur",
        "Kunnen jullie meelezen met mijn motie over een opkoopbescherming? Ik wil hem volgende maand indienen.",
        days_ago=9,
    )
    desk_services.assign(case=question, user=adviser)
    desk_services.add_message(
        case=question,
        author=adviser,
        body="Mooi initiatief. Kijk ook naar de motie uit Zwolle in de bibliotheek; ik stuur je opmerkingen.",
    )
    desk_services.close(case=question, outcome="Motie aangepast en ingediend.")
    overdue = case(
        rng.choice(people),
        Kind.DOXXING,
        "Adres gedeeld",
        "Mijn huisadres staat op een forum.",
        level="confidential",
        days_ago=0,
    )
    Case.objects.filter(pk=overdue.pk).update(
        created_at=now - datetime.timedelta(hours=6), due_by=now - datetime.timedelta(hours=2)
    )
    strict = case(
        rng.choice(people),
        Kind.INTEGRITY_OWN,
        "Dilemma nevenfunctie",
        "Ik twijfel of mijn nevenfunctie bij een woningcorporatie verenigbaar is.",
        level="strict",
        days_ago=5,
    )
    desk_services.assign(case=strict, user=counsellor)
    mediation = case(
        rng.choice(people),
        Kind.MEDIATION,
        "Spanning in de fractie",
        "Binnen onze fractie botst het over de koers; we willen hulp van buiten.",
        days_ago=20,
    )
    desk_services.assign(case=mediation, user=adviser)
    for index in range(12):
        old = case(
            rng.choice(people),
            rng.choice([Kind.COACHING, Kind.POLITICAL, Kind.FACTION_TRAINING]),
            "Eerdere vraag",
            "Afgehandelde vraag.",
            days_ago=30 + index * 9,
        )
        desk_services.add_message(case=old, author=adviser, body="Beantwoord.")
        Case.objects.filter(pk=old.pk).update(
            first_response_at=old.created_at + datetime.timedelta(hours=rng.randint(2, 40))
        )
        desk_services.close(case=old, outcome="Afgerond.")
    for member in rng.sample(people, k=6):
        signup = IntervisionSignup.objects.create(
            member=member, tier=rng.choice(["municipal", "provincial", "water_board"])
        )
        signup.topics.set(rng.sample(list(Topic.objects.all()), k=2))


def _ensure_programme() -> None:
    """Applications, tracks in several states, learning groups, good practices, entitlements for
    many municipalities (some unknown) and budget requests; the demo griffie contact is Zwolle's."""
    from programme import services as programme_services
    from programme.models import (
        Application,
        ApplicationTheme,
        BudgetRequest,
        Entitlement,
        GoodPractice,
        IntakeMeeting,
        LearningGroup,
        LearningGroupDocument,
        PlanItem,
        ProgrammeContact,
        Track,
    )

    if Application.objects.exists():
        return
    rng = random.Random(SEED + 4)
    officer = User.objects.get(email=f"programma@{DEMO_DOMAIN}")
    griffie = User.objects.get(email=f"griffie@{DEMO_DOMAIN}")
    me = Member.objects.get(email=f"lid@{DEMO_DOMAIN}")
    bodies = {b.code: b for b in Body.objects.filter(tier=Tier.MUNICIPAL)}
    zwolle, wolden = bodies["GM0193"], bodies["GM1690"]
    ProgrammeContact.objects.create(user=griffie, municipality=zwolle)
    year = timezone.localdate().year
    now = timezone.now()

    def apply(
        town: Body, name: str, function: str, themes: dict[str, str], text: str, status: str = "new", days_ago: int = 3
    ) -> Application:
        app = Application.objects.create(
            municipality=town,
            contact_name=name,
            contact_function=function,
            contact_email=f"{slugify(name).replace('-', '.')}@{slugify(town.name)}.example",
            description=text,
            status=status,
            created_at=now - datetime.timedelta(days=days_ago),
        )
        for theme, role in themes.items():
            ApplicationTheme.objects.create(application=app, theme=theme, role=role)
        return app

    apply(
        wolden,
        "Greet Hoekstra",
        "griffier",
        {"training": "candidate"},
        "Nieuwe raadsleden weten vaak niet dat er een opleidingsbudget is.",
        days_ago=2,
    )
    apply(
        wolden,
        "Rik Mulder",
        "raadslid",
        {"training": "candidate", "support": "candidate"},
        "Als fractie van twee lukt het ons niet om alle stukken te lezen.",
        days_ago=1,
    )
    zwolle_app = apply(
        zwolle,
        "Anke de Boer",
        "griffier",
        {"training": "good_example"},
        "Zwolle heeft sinds 2023 een persoonlijk budget van 1.500 euro per raadslid.",
        status="accepted",
        days_ago=90,
    )
    others = rng.sample([b for c, b in bodies.items() if c not in {"GM0193", "GM1690"}], k=6)
    for index, town in enumerate(others):
        status = ["accepted", "accepted", "more_info", "declined", "new", "accepted"][index]
        app = apply(
            town,
            rng.choice(["Sanne Visser", "Peter Bakker", "Yvonne Smit", "Hans de Groot"]),
            "griffier",
            {rng.choice(["training", "support"]): rng.choice(["candidate", "good_example"])},
            "Wij willen de ondersteuning van de raad verbeteren.",
            status=status,
            days_ago=10 + index * 7,
        )
        if status == "accepted":
            for choice in app.themes.all():
                track, _created = Track.objects.get_or_create(
                    municipality=town,
                    theme=choice.theme,
                    defaults={
                        "role": choice.role,
                        "officer": officer,
                        "status": rng.choice(["intake", "active", "completed"]),
                    },
                )
                track.applications.add(app)
    track = Track.objects.create(
        municipality=zwolle, theme="training", role="good_example", officer=officer, status="active"
    )
    track.applications.add(zwolle_app)
    IntakeMeeting.objects.create(
        track=track,
        date=timezone.localdate() - datetime.timedelta(days=70),
        participants=(
            "Burgemeester Peter Snijders\nGriffier Anke de Boer\n"
            "Raadslid Marieke de Vries-Hoekstra\nProgrammamedewerker Samira Bouzid"
        ),
        notes="Zwolle wil zijn aanpak delen met andere gemeenten.",
        agreed_goals="Handreiking voor andere griffies; twee leergroepbijeenkomsten.",
    )
    for kind, title, days, status in [
        ("goal", "Elk raadslid kent zijn opleidingsbudget", 30, "in_progress"),
        ("activity", "Handreiking schrijven voor andere griffies", -20, "done"),
        ("milestone", "Presentatie in de leergroep", 14, "planned"),
        ("milestone", "Evaluatie met de raad", -5, "planned"),
    ]:
        PlanItem.objects.create(
            track=track,
            kind=kind,
            title=title,
            due_date=timezone.localdate() + datetime.timedelta(days=days),
            status=status,
        )
    programme_services.comment(
        track=track, author=griffie, body="De handreiking is af; zullen we hem in de leergroep bespreken?"
    )
    group = LearningGroup.objects.create(
        name="Leergroep Opleidingsbudget Noord",
        theme="training",
        description="Gemeenten die raadsleden beter willen laten leren.",
    )
    group.municipalities.set([zwolle, wolden, *others[:3]])
    LearningGroupDocument.objects.create(
        group=group, title="Handreiking opleidingsbudget (concept)", url="https://example.org/handreiking.pdf"
    )
    for town, title, text, amounts in [
        (
            zwolle,
            "Persoonlijk opleidingsbudget van € 1.500",
            "Elk raadslid krijgt jaarlijks een persoonlijk opleidingsbudget. "
            "De griffie stuurt in januari een overzicht rond.",
            "€ 1.500 per raadslid per jaar",
        ),
        (
            others[0],
            "Fractieassistent per fractie",
            "Elke fractie kan een fractieassistent aanstellen voor 8 uur per week.",
            "€ 12.000 per fractie per jaar",
        ),
        (
            others[1],
            "Ambtelijke bijstand op aanvraag",
            "Raadsleden kunnen tot 20 uur per jaar ambtelijke bijstand vragen bij het schrijven van moties.",
            "20 uur per raadslid",
        ),
    ]:
        GoodPractice.objects.create(
            municipality=town,
            theme="training" if "opleiding" in title.lower() else "support",
            title=title,
            arrangement=text,
            amounts=amounts,
            bylaw="Verordening rechtspositie raadsleden, art. 7",
            contact="De griffie",
        )
    for town in [*rng.sample(list(bodies.values()), k=40), zwolle, wolden]:
        known = rng.random() < 0.8
        seats = rng.choice([13, 15, 17, 19, 21, 23, 25, 27, 29, 31, 33, 35, 37, 39, 45])
        Entitlement.objects.get_or_create(
            municipality=town,
            year=year,
            defaults={
                "council_seats": seats,
                "training_budget_cents": rng.choice([50000, 75000, 100000, 150000, 200000]) if known else None,
                "faction_fixed_cents": rng.choice([100000, 250000, 500000]) if rng.random() < 0.7 else None,
                "faction_per_seat_cents": rng.choice([80000, 120000, 150000, 220000]) if rng.random() < 0.75 else None,
                "official_assistance": "Tot 20 uur per raadslid per jaar.",
                "how_to_use": "Dien een aanvraag in via dit platform; de griffie beslist binnen twee weken.",
                "source_name": f"Verordening rechtspositie raads- en commissieleden {town.name}",
                "source_article": "art. 7",
                "source_date": datetime.date(year - 1, 12, 15),
            },
        )
    Entitlement.objects.filter(municipality=zwolle, year=year).update(training_budget_cents=150000)
    BudgetRequest.objects.create(
        member=me,
        municipality=zwolle,
        year=year,
        amount_cents=39500,
        description="Leergang Begroting lezen voor raadsleden",
        status="approved",
        decided_by=griffie,
        decided_at=now,
    )
    BudgetRequest.objects.create(
        member=me, municipality=zwolle, year=year, amount_cents=4950, description="Boek: De raad aan zet"
    )


def _ensure_library() -> None:
    """Documents members shared (written in the editor, uploaded, reused as a draft), written
    questions with the executive's answer, an amendment on a proposal, several hundred imported
    documents from councils all over the country, a saved search and a checked CSV import."""
    import sys
    from pathlib import Path

    from library import importing
    from library import services as library_services
    from library.models import Document, ImportRun

    if Document.objects.exists():
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.corpus import records

    me = Member.objects.get(email=f"lid@{DEMO_DOMAIN}")
    bodies = {b.code: b for b in Body.objects.current().exclude(tier=Tier.NATIONAL)}
    zwolle, assen, utrecht = bodies["GM0193"], bodies["GM0106"], bodies["GM0344"]
    colleagues = list(
        Member.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", user__isnull=True, mandates__body__in=[assen, utrecht])
        .distinct()
        .order_by("pk")[:3]
    )
    topics = {t.slug: t for t in Topic.objects.all()}
    Data = library_services.DocumentData

    def share(member: Member, data: library_services.DocumentData, *, days_ago: int, draft: bool = False) -> Document:
        document = library_services.share_document(member=member, data=data, draft=draft)
        Document.objects.filter(pk=document.pk).update(shared_at=timezone.now() - datetime.timedelta(days=days_ago))
        return document

    today = timezone.localdate()
    share(
        me,
        Data(
            kind="motion",
            title="Motie Betaalbare starterswoningen in de binnenstad",
            body=zwolle,
            meeting_date=today - datetime.timedelta(days=60),
            agenda_item="Woonvisie Zwolle 2025-2030",
            submitters=[me],
            submitter_names="P. Jansen (ChristenUnie)",
            parties="GroenLinks-PvdA, ChristenUnie",
            outcome="adopted",
            votes_for=26,
            votes_against=13,
            topics=[topics["wonen"]],
            visibility="public",
            parts={
                "considering": [
                    "starters in Zwolle gemiddeld zeven jaar op een betaalbare koopwoning wachten;",
                    "in de binnenstad sinds 2020 vooral dure appartementen zijn opgeleverd;",
                ],
                "whereas": [
                    "jonge inwoners en starters de stad levendig houden;",
                    "de gemeente via grondposities en anterieure overeenkomsten invloed heeft op wat er wordt gebouwd;",
                ],
                "request_verb": "requests",
                "requests": [
                    "bij nieuwe projecten in de binnenstad ten minste 30 procent starterswoningen af te spreken;",
                    "een zelfbewoningsplicht en anti-speculatiebeding toe te passen op nieuwbouw tot de NHG-grens;",
                    "de raad jaarlijks te informeren over het aantal opgeleverde starterswoningen.",
                ],
            },
            text="De wachttijd voor starters is in vijf jaar verdubbeld. Andere steden laten zien dat een "
            "**vast percentage starterswoningen** werkt.",
        ),
        days_ago=55,
    )
    share(
        me,
        Data(
            kind="questions",
            title="Schriftelijke vragen over energiearmoede in Holtenbroek",
            body=zwolle,
            meeting_date=today - datetime.timedelta(days=40),
            submitters=[me],
            parties="GroenLinks-PvdA",
            topics=[topics["armoede"], topics["energie"]],
            parts={
                "questions": [
                    "Hoeveel huishoudens in Holtenbroek hebben volgens het college te maken met energiearmoede?",
                    "Is het college bereid de energiecoaches gericht in deze wijk in te zetten?",
                    "Welke afspraken zijn er met de woningcorporaties over isolatie van de slechtst "
                    "geïsoleerde woningen?",
                ],
                "answers": [
                    "Volgens de energiearmoedemonitor gaat het om ongeveer 600 huishoudens.",
                    "Ja, vanaf het voorjaar gaan de energiecoaches huis aan huis.",
                    "Alle woningen met label E, F of G worden voor 2028 geïsoleerd.",
                ],
            },
        ),
        days_ago=35,
    )
    for index, member in enumerate(colleagues):
        body = assen if index % 2 == 0 else utrecht
        share(
            member,
            Data(
                kind="motion",
                title=[
                    "Motie Kinderarmoede: iedereen doet mee",
                    "Motie Laadpalen in elke wijk",
                    "Motie Veilig naar school",
                ][index],
                body=body,
                meeting_date=today - datetime.timedelta(days=120 + 30 * index),
                submitters=[member],
                parties=["PvdA, SP", "D66, VVD", "CDA"][index],
                outcome=["adopted", "rejected", "held_over"][index],
                topics=[[topics["armoede"]], [topics["verkeer"]], [topics["onderwijs"]]][index],
                visibility="members",
                parts={
                    "considering": [
                        [
                            "één op de twaalf kinderen in de gemeente opgroeit in armoede;",
                            "er 170 openbare laadpunten zijn, terwijl er in 2030 2.000 nodig zijn;",
                            "het aantal ongevallen rond basisscholen is gestegen;",
                        ][index]
                    ],
                    "requests": [
                        [
                            "het kindpakket uit te breiden met sport, cultuur en schoolspullen;",
                            "in elke wijk laadpalen te plaatsen op aanvraag binnen drie maanden;",
                            "rond alle basisscholen schoolzones in te richten;",
                        ][index]
                    ],
                },
            ),
            days_ago=100 + 20 * index,
        )
    # A draft the demo member is working on: reused from Assen.
    source = Document.objects.filter(title__startswith="Motie Kinderarmoede").first()
    if source is not None:
        library_services.reuse(document=source, member=me, body=zwolle)
    # Several hundred documents imported from councils all over the country.
    codes = sorted(bodies)
    random_bodies = random.Random(SEED + 5).sample(codes, k=min(120, len(codes)))
    chosen = [(code, bodies[code].name) for code in sorted({*random_bodies, "GM0193", "GM0106", "GM0344", "PV23"})]
    items = (
        importing.Item(f"demo#{n}", {**record, "@id": record["@id"].replace("bench", "demo")})
        for n, record in enumerate(records(600, seed=SEED, bodies=chosen))
    )
    importing.Importer().run(items)
    saved = library_services.save_search(
        member=me, name="Armoede en schulden", params={"q": "armoede", "tier": "municipal"}, frequency="weekly"
    )
    # What its last weekly alert found, for the home page (the demo sends no e-mail).
    library_services.index_pending()
    week_ago = timezone.now() - datetime.timedelta(days=7)
    library_services.record_hits(saved=saved, results=library_services.new_matches(saved, week_ago), at=timezone.now())
    editor = User.objects.get(email=f"redacteur@{DEMO_DOMAIN}")
    importing.check_csv(
        name="moties-gewest-overijssel.csv",
        content=(
            b"id;kind;title;council;date;result;topics;text\n"
            b"ov-1;motie;Motie Snel internet in het buitengebied;Overijssel;2024-03-13;aangenomen;;"
            b"Verzoekt het college van Gedeputeerde Staten glasvezel in het buitengebied te versnellen.\n"
            b"ov-2;motie;Motie Openbaar vervoer in de kernen;Ommen;2024-04-11;verworpen;Verkeer en vervoer;"
            b"Verzoekt het college buurtbussen te behouden.\n"
        ),
        uploaded_by=editor,
    )
    ImportRun.objects.update(created_at=timezone.now() - datetime.timedelta(days=1))


def _ensure_networks() -> None:
    from .networks import ensure_demo

    ensure_demo()


def _ensure_selection() -> None:
    from .selection import ensure_demo

    ensure_demo()


def _ensure_newsletter() -> None:
    """News (public, members only, a draft), research publications with real PDFs, three sent
    editions with their deliveries, one scheduled for the usual slot and a draft; subscribers in
    every state; suppressed addresses with their bounces."""
    import weasyprint
    from django.core.files.base import ContentFile

    from newsletter import sending as news_sending
    from newsletter import services as news_services
    from newsletter.models import Bounce, Delivery, Edition, NewsItem, Publication, Subscriber, Suppression

    if NewsItem.objects.exists():
        return
    editor = User.objects.get(email=f"redacteur@{DEMO_DOMAIN}")
    topics = {t.slug: t for t in Topic.objects.all()}
    now = timezone.now()

    def news(title: str, summary: str, body: str, days_ago: int | None, **kwargs: Any) -> NewsItem:
        item = news_services.save_news_item(
            title=title, summary=summary, body=body, publish=days_ago is not None, author=editor, **kwargs
        )
        if days_ago is not None:
            NewsItem.objects.filter(pk=item.pk).update(published_at=now - datetime.timedelta(days=days_ago))
        return item

    items = [
        news(
            "Raadsleden krijgen recht op ondersteuning door de griffie",
            "Het kabinet legt vast dat elke raad ambtelijke bijstand en fractieondersteuning moet regelen.",
            "Vanaf 2027 moet elke gemeente een verordening hebben over **ambtelijke bijstand** en "
            "fractieondersteuning.\n\nWat betekent dit voor jou?\n- Vraag je griffier naar de huidige regeling\n"
            "- Kijk in de bibliotheek naar moties uit andere gemeenten",
            40,
            topics=[topics["democratie"]],
        ),
        news(
            "Nieuwe handreiking: veilig werken als politicus",
            "Wat doe je bij bedreiging, online of op straat? Een handreiking met praktische stappen.",
            "Eén op de drie raadsleden kreeg de afgelopen jaren te maken met bedreiging of intimidatie. "
            "De handreiking helpt je voorbereiden en zegt waar je terechtkunt.\n\nHeb je nu hulp nodig? "
            "Meld het bij het adviespunt.",
            12,
            topics=[topics["veiligheid"], topics["integriteit"]],
        ),
        news(
            "Terugblik: netwerkbijeenkomst wonen in Zwolle",
            "Tachtig raadsleden, Statenleden en waterschappers spraken over betaalbaar bouwen.",
            "Wethouders uit Overijssel en Drenthe deelden hun aanpak. De presentaties staan in de bibliotheek.",
            5,
            topics=[topics["wonen"]],
        ),
        news(
            "Opleidingsbudget: zo vraag je het aan",
            "Negen van de tien raadsleden gebruiken hun opleidingsbudget niet. Zo doe je het wel.",
            "Kijk onder **Mijn rechten** wat jouw gemeente heeft geregeld, en vraag het budget direct aan.",
            2,
            topics=[topics["democratie"]],
        ),
        news(
            "Alleen voor leden: verslag van de ledenraad",
            "De ledenraad stelde de begroting 2027 vast.",
            "Het verslag en de besluitenlijst zijn beschikbaar voor leden.",
            20,
            visibility="members",
        ),
        news("Concept: vooraankondiging congres 2027", "Noteer de datum alvast.", "Het congres is in maart.", None),
    ]

    def report(title: str, summary: str, authors: str, days_ago: int, body: str, **kwargs: Any) -> Publication:
        html = f"<h1>{title}</h1><p><em>{authors}</em></p><p>{summary}</p>" + "".join(
            f"<h2>Hoofdstuk {n}</h2><p>{body}</p>" for n in range(1, 4)
        )
        pdf = ContentFile(weasyprint.HTML(string=html).write_pdf(), name=f"{slugify(title)}.pdf")
        publication = news_services.save_publication(
            title=title,
            summary=summary,
            authors=authors,
            date=(now - datetime.timedelta(days=days_ago)).date(),
            file=pdf,
            publish=True,
            **kwargs,
        )
        Publication.objects.filter(pk=publication.pk).update(published_at=now - datetime.timedelta(days=days_ago))
        return publication

    publications = [
        report(
            "Raadswerk onder druk",
            "Hoeveel tijd kost het raadswerk, en wat houdt raadsleden vast? Een enquête onder 1.200 raadsleden.",
            "A. de Boer, K. Yilmaz",
            60,
            "Raadsleden besteden gemiddeld zestien uur per week aan hun werkzaamheden; één op de vijf denkt "
            "erover voortijdig te stoppen. Ondersteuning door de griffie en fractieondersteuning maken verschil.",
            topics=[topics["democratie"]],
        ),
        report(
            "Energiearmoede in de regio",
            "Hoe gemeenten en provincies energiearmoede aanpakken, en wat werkt.",
            "M. Visser",
            8,
            "Energiecoaches, isolatie van huurwoningen en een noodfonds zijn de drie maatregelen die het vaakst "
            "werken. Kinderarmoede en energiearmoede hangen samen.",
            topics=[topics["energie"], topics["armoede"]],
        ),
        report(
            "Intimidatie van decentrale politici 2026",
            "De jaarlijkse monitor: aard en omvang van bedreiging en intimidatie.",
            "Onderzoeksbureau Lokaal",
            30,
            "Online intimidatie neemt toe; vrouwen en jonge raadsleden worden vaker getroffen.",
            topics=[topics["veiligheid"]],
            visibility="members",
        ),
    ]
    # Subscribers in every state, suppressed addresses with their bounces.
    for n, (name, status) in enumerate(
        [
            ("Griffie Deventer", "active"),
            ("Eva Mulder", "active"),
            ("Pieter Hoekstra", "active"),
            ("Sanne de Graaf", "active"),
            ("Onbevestigd Persoon", "pending"),
            ("Nog Niet Bevestigd", "pending"),
            ("Vertrokken Lezer", "unsubscribed"),
        ]
    ):
        Subscriber.objects.create(
            email=f"lezer{n + 1}@{DEMO_DOMAIN}",
            name=name,
            status=status,
            confirmed_at=now - datetime.timedelta(days=30) if status != "pending" else None,
            created_at=now - datetime.timedelta(days=2 if status == "pending" else 90),
        )
    opted_out = Member.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", user__isnull=True).order_by("pk").first()
    if opted_out is not None:
        Subscriber.objects.create(email=opted_out.email, member=opted_out, status="unsubscribed")
    for email, kind, reason in [
        (f"verhuisd@{DEMO_DOMAIN}", "hard", "hard_bounce"),
        (f"volle-mailbox@{DEMO_DOMAIN}", "soft", "soft_bounces"),
    ]:
        for days in (20, 12, 5) if kind == "soft" else (14,):
            Bounce.objects.create(
                email=email,
                kind=kind,
                source="dsn",
                detail="550 5.1.1 user unknown" if kind == "hard" else "452 4.2.2 mailbox full",
                received_at=now - datetime.timedelta(days=days),
            )
        Suppression.objects.create(email=email, reason=reason, created_at=now - datetime.timedelta(days=5))
    # Three sent editions with their deliveries, one scheduled for the usual slot, one draft.
    recipients = news_sending.recipients()
    for number, (subject, chosen, days_ago) in enumerate(
        [
            ("Ondersteuning door de griffie wordt een recht", [items[0], publications[0]], 35),
            ("Veilig werken als politicus", [items[1], publications[0]], 10),
            ("Wonen, energiearmoede en je opleidingsbudget", [items[2], publications[1]], 3),
        ],
        start=1,
    ):
        sent_at = now - datetime.timedelta(days=days_ago)
        edition = Edition.objects.create(
            number=number,
            subject=subject,
            introduction="Beste lezer,\n\nDit is het nieuws van deze week.",
            status="sent",
            scheduled_for=sent_at,
            started_at=sent_at,
            sent_at=sent_at,
            created_by=editor,
        )
        for position, target in enumerate(chosen, start=1):
            field = "news_item" if isinstance(target, NewsItem) else "publication"
            edition.items.create(position=position, **{field: target})
        Delivery.objects.bulk_create(
            [
                Delivery(
                    edition=edition,
                    email=r.email,
                    name=r.name,
                    member_id=r.member_id,
                    status="sent",
                    attempts=1,
                    sent_at=sent_at,
                    claimed_by="demo",
                )
                for r in recipients
            ]
        )
        Delivery.objects.create(
            edition=edition,
            email=f"verhuisd@{DEMO_DOMAIN}",
            status="failed",
            attempts=1,
            last_error="SMTPRecipientsRefused: 550 5.1.1 user unknown",
        )
    scheduled = news_services.create_edition(subject="Opleidingsbudget en veilig werken", created_by=editor)
    news_services.update_edition(
        edition=scheduled, subject=scheduled.subject, introduction="Beste lezer,\n\nDeze week: je rechten.", public=True
    )
    news_services.add_item(edition=scheduled, kind="news", target=items[3])
    news_services.add_item(edition=scheduled, kind="publication", target=publications[1])
    Edition.objects.filter(pk=scheduled.pk).update(status="scheduled", scheduled_for=news_services.next_slot())
    news_services.create_edition(subject="Concept: congres 2027", created_by=editor)
