"""Demo data for networks (called by demo.services.load_demo): the four tier networks filled from
the demo's mandates, topic networks with answered and open questions and a discussion, a closed
network of a past course's participants, moderators, a reported post waiting for a moderator,
and an expert (deskundige@demo.example) in the energy network.

Deterministic and idempotent: nothing is made again once a network exists. Nobody is e-mailed
about the demo's posts."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.models import Invitation, User, hash_token
from core.permissions import can
from core.roles import Role
from library.models import Document
from members.models import Member, Topic
from networks import search_index, services
from networks.models import Expert, Membership, Network, Notify, Post, Report, SearchChange, Thread

DOMAIN = "demo.example"
SEED = 20261203
EXPERT_EMAIL = f"deskundige@{DOMAIN}"
TOPIC_NETWORKS = {
    "wonen": "Huisvesting, woningbouw, huur en wonen met zorg: wat werkt in jouw gemeente?",
    "zorg": "Wmo, mantelzorg, ouderenzorg en de zorg dichtbij huis.",
    "klimaat": "Klimaatadaptatie, de warmtetransitie en de wijkaanpak.",
    "energie": "Energiearmoede, netcongestie en lokale energie; met een deskundige van buiten.",
}


def _accounts(people: list[Member]) -> list[User]:
    """Accounts for demo members who take part in networks (they cannot log in: no password)."""
    group = Group.objects.get(name=Role.MEMBER)
    users = []
    for member in people:
        if member.user_id is None:
            user = User.objects.create(email=member.email, name=member.full_name)
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(group)
            member.user = user
            member.save(update_fields=["user"])
        assert member.user is not None
        users.append(member.user)
    return users


class Writer:
    """Posts at moments in the past, without e-mails."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def at(self, days: float) -> datetime.datetime:
        return self.now - datetime.timedelta(days=days)

    def ask(
        self, network: Network, author: User, title: str, body: str, *, days: float, kind: str = "question", **kw: Any
    ) -> Thread:
        if can(author, "networks.join", network):
            services.join(network=network, user=author)
        post = services.start_thread(
            network=network, author=author, kind=kind, title=title, body=body, notify=False, **kw
        ).post
        when = self.at(days)
        Post.objects.filter(pk=post.pk).update(created_at=when)
        Thread.objects.filter(pk=post.thread_id).update(created_at=when, last_post_at=when)
        return Thread.objects.get(pk=post.thread_id)

    def reply(self, thread: Thread, author: User, body: str, *, days: float, quote: Post | None = None) -> Post:
        network = thread.network
        if can(author, "networks.join", network):
            services.join(network=network, user=author)
        post = services.reply(thread=thread, author=author, body=body, quote=quote, notify=False).post
        when = self.at(days)
        Post.objects.filter(pk=post.pk).update(created_at=when)
        Thread.objects.filter(pk=thread.pk).update(last_post_at=when)
        post.created_at = when
        return post


@transaction.atomic
def ensure_demo() -> None:
    if Network.objects.exists():
        return
    rng = random.Random(SEED)
    w = Writer()
    me = User.objects.get(email=f"lid@{DOMAIN}")  # Marieke de Vries-Hoekstra, councillor in Zwolle
    official = User.objects.get(email=f"afdeling@{DOMAIN}")  # Joost Oosterhof
    committee = User.objects.get(email=f"commissie@{DOMAIN}")  # Wendy Brouwer
    adviser = User.objects.get(email=f"adviseur@{DOMAIN}")  # Hanneke Brinkman
    administrator = User.objects.get(email=f"beheerder@{DOMAIN}")
    committee_member = committee.member
    if not committee_member.topics.exists():
        committee_member.topics.set(Topic.objects.filter(slug__in=["zorg", "energie"]))

    for group in Network.TierGroup.values:
        services.create_network(kind=Network.Kind.TIER, name="", tier_group=group, created_by=administrator)
    topics = {t.slug: t for t in Topic.objects.filter(slug__in=TOPIC_NETWORKS)}
    networks = {
        slug: services.create_network(
            kind=Network.Kind.TOPIC, name="", topic=topics[slug], description=text, created_by=administrator
        )
        for slug, text in TOPIC_NETWORKS.items()
    }
    for network in networks.values():
        services.appoint_moderator(network=network, email=adviser.email, appointed_by=administrator)

    # Members with an account take part: those with the topic join its network.
    people = list(
        Member.objects.active()
        .filter(email__endswith=f"@{DOMAIN}", user__isnull=True, mandates__end_date__isnull=True)
        .distinct()
        .order_by("pk")[:400]
    )
    chosen = rng.sample(people, k=min(45, len(people)))
    users = _accounts(chosen)
    for member, user in zip(chosen, users, strict=True):
        for slug in member.topics.filter(slug__in=TOPIC_NETWORKS).values_list("slug", flat=True):
            if rng.random() < 0.7:
                membership = services.join(network=networks[slug], user=user)
                membership.notify = rng.choice([Notify.WEEKLY, Notify.WEEKLY, Notify.DAILY, Notify.NONE])
                membership.save(update_fields=["notify"])
        services.sync_member(member)
    services.sync_all_tier_networks()
    # The demo member reads Wonen every day; the branch official gets the weekly digest of Zorg.
    services.join(network=networks["wonen"], user=me)
    services.set_notify(network=networks["wonen"], user=me, notify=Notify.DAILY)
    services.join(network=networks["zorg"], user=official)
    services.set_notify(network=networks["zorg"], user=official, notify=Notify.WEEKLY)
    services.appoint_moderator(network=networks["wonen"], email=official.email, appointed_by=administrator)
    a, b, c, d, e, f, g, h = users[:8]

    # Wonen: an answered question with a library card and a quote, a discussion with a mention and
    # a reported reply, and a question that waited three days without an answer.
    motion = Document.objects.filter(title__startswith="Motie Betaalbare starterswoningen").first()
    link = f" Onze motie staat in de bibliotheek: /bibliotheek/{motion.pk}/" if motion else ""
    starters = w.ask(
        networks["wonen"],
        me,
        "Hoe krijgen jullie starters voorrang bij nieuwbouw?",
        "In Zwolle hebben we afgesproken dat 30 procent van de nieuwbouw in de binnenstad voor starters is. "
        "Nu vraagt de wethouder hoe je dat handhaaft bij verkoop. Wie heeft ervaring met een "
        f"zelfbewoningsplicht of een doelgroepenverordening?{link}",
        days=20,
    )
    answer = w.reply(
        starters,
        a,
        "Wij werken sinds twee jaar met een doelgroepenverordening: de eerste koper moet er zelf wonen en "
        "mag vijf jaar niet verhuren. De handhaving loopt via de notaris, dat werkt goed.",
        days=19,
    )
    w.reply(
        starters,
        b,
        "Aanvulling: leg het anti-speculatiebeding ook vast in de anterieure overeenkomst, anders sta je "
        "bij een particuliere ontwikkelaar met lege handen.",
        days=18,
        quote=answer,
    )
    w.reply(starters, me, "Dank jullie wel, dit neem ik mee naar de commissie van volgende week!", days=17)
    services.mark_helpful(thread=starters, post=answer, user=me)

    flex = w.ask(
        networks["wonen"],
        c,
        "Flexwonen voor spoedzoekers: ervaringen?",
        "Bij ons komt een voorstel voor 120 tijdelijke woningen op een bedrijventerrein. Zijn er gemeenten "
        "die dit al deden? Hoe ging het met de buurt en met de huurprijzen? @Marieke de Vries-Hoekstra, "
        "jullie hadden toch ook zoiets?",
        days=9,
        kind=Thread.Kind.DISCUSSION,
    )
    w.reply(
        flex, me, "Klopt, 60 woningen aan de rand van Holtenbroek. Betrek de buurt vroeg, dat scheelt veel.", days=8
    )
    rude = w.reply(
        flex, d, "Tijdelijke woningen zijn altijd een slecht idee, dat weet iedereen die kan nadenken.", days=7
    )
    w.reply(flex, e, "Wij kozen voor een mix: de helft spoedzoekers, de helft jongeren uit de gemeente.", days=6)
    Report.objects.create(post=rude, reporter=f, reason="Op de persoon en niet inhoudelijk.", created_at=w.at(6))

    waiting = w.ask(
        networks["wonen"],
        g,
        "Wie heeft een motie over woningdelen en kamerbewoning?",
        "Bij ons wil de coalitie woningdelen beperken, maar voor jongeren en ouderen die samen willen wonen "
        "is het juist een oplossing. Is er een motie die beide regelt?",
        days=5,
    )
    Thread.objects.filter(pk=waiting.pk).update(alerted_at=w.at(1.9))

    # Zorg: a question with one reply (still open) for the branch official's weekly digest.
    care = w.ask(
        networks["zorg"],
        h,
        "Hoe regelen jullie de mantelzorgwaardering?",
        "Wij geven nu een cadeaubon van 50 euro. Mantelzorgers vragen liever om respijtzorg. Wie heeft dat "
        "omgezet, en hoe hebben jullie het budget verschoven?",
        days=2,
    )
    w.reply(care, b, "Wij bieden nu tien uur respijtzorg per jaar aan in plaats van de bon. Meer waardering!", days=1)

    # Klimaat: a discussion.
    heat = w.ask(
        networks["klimaat"],
        e,
        "Warmtetransitie: wijkaanpak of gebouwgebonden?",
        "Onze transitievisie warmte gaat uit van wijken, maar bewoners willen zelf kiezen. Hoe houden jullie "
        "de wijkaanpak overeind?",
        days=12,
        kind=Thread.Kind.DISCUSSION,
    )
    w.reply(heat, c, "Begin met de wijk waar de corporatie het meeste bezit heeft; dat geeft vaart.", days=11)

    # Energie: the expert answers, with the adviser; marked helpful.
    expert_user = User.objects.get(email=EXPERT_EMAIL)
    invitation, _created = Invitation.objects.get_or_create(
        email=EXPERT_EMAIL,
        defaults={
            "name": expert_user.name,
            "created_by": adviser,
            "expires_at": w.at(-14),
            "sent_at": w.at(30),
            "accepted_at": w.at(29),
            "user": expert_user,
            "token_hash": hash_token(f"demo-{EXPERT_EMAIL}"),
        },
    )
    invitation.roles.set(Group.objects.filter(name=Role.EXPERT))
    Expert.objects.create(
        network=networks["energie"],
        invitation=invitation,
        user=expert_user,
        expertise="energietransitie en energiearmoede (TU Delft)",
        invited_by=adviser,
    )
    Membership.objects.get_or_create(
        network=networks["energie"],
        user=expert_user,
        defaults={"source": Membership.Source.EXPERT, "notify": Notify.IMMEDIATE},
    )
    questions = Document.objects.filter(title__startswith="Schriftelijke vragen over energiearmoede").first()
    poverty = w.ask(
        networks["energie"],
        committee,
        "Energiearmoede: hoe besteden jullie de rijksmiddelen?",
        "Wij hebben geld gekregen voor energiearmoede maar bereiken de goede huishoudens niet. Wie heeft een "
        "aanpak die werkt?"
        + (f" In Zwolle zijn er schriftelijke vragen over gesteld: /bibliotheek/{questions.pk}/" if questions else ""),
        days=15,
    )
    expert_answer = w.reply(
        poverty,
        expert_user,
        "Uit ons onderzoek: werk met energiecoaches die huis aan huis gaan in wijken met een hoge "
        "energierekening en een laag inkomen. Een brief bereikt de doelgroep nauwelijks.",
        days=14,
    )
    w.reply(
        poverty,
        adviser,
        "Vanuit de vereniging: in het dossier Energiearmoede staat een modelmotie voor een fixteam. "
        "Neem gerust contact op.",
        days=13,
    )
    services.mark_helpful(thread=poverty, post=expert_answer, user=committee)

    # Tier networks: councillors ask about time, the adviser answers.
    councillors = Network.objects.get(tier_group=Network.TierGroup.COUNCILLORS)
    time = w.ask(
        councillors,
        me,
        "Hoeveel uur per week besteden jullie aan het raadswerk?",
        "Ik kom op ruim twintig uur naast mijn baan. Hoe combineren jullie dat, en maken jullie gebruik van "
        "fractieondersteuning?",
        days=4,
    )
    services.mark_helpful(
        thread=time,
        post=w.reply(
            time,
            adviser,
            "Gemiddeld 17 uur, blijkt uit het onderzoek van vorig jaar. Kijk ook naar je rechten: veel gemeenten "
            "vergoeden een opleidingsbudget en ambtelijke bijstand.",
            days=3,
        ),
        user=me,
    )

    # A closed network of a past course's participants.
    from events.models import Event

    past = Event.objects.filter(slug="intervisie-integriteit-voorjaar").first()
    if past is not None:
        course = services.create_network(
            kind=Network.Kind.CLOSED,
            name="Intervisiegroep integriteit (voorjaar)",
            description="De deelnemers van de intervisie over integriteit blijven elkaar hier helpen.",
            created_by=administrator,
        )
        services.appoint_moderator(network=course, email=adviser.email, appointed_by=administrator)
        participants = [
            r.member
            for r in past.registrations.filter(status="confirmed").select_related("member", "member__user")
            if r.member is not None
        ]
        accounts = _accounts(participants)
        services.invite_members(network=course, users=accounts, invited_by=adviser)
        for invitation_ in course.invitations.exclude(user=accounts[-1]):
            services.answer_invitation(invitation=invitation_, accept=True)
        follow_up = w.ask(
            course,
            me,
            "Terugkomdag: wat hebben jullie toegepast?",
            "Ik heb de casus over nevenfuncties in onze fractie besproken. Het hielp om het dilemma hardop te "
            "maken. Hoe ging het bij jullie?",
            days=10,
            kind=Thread.Kind.DISCUSSION,
        )
        if len(accounts) > 2:
            w.reply(follow_up, accounts[1], "Wij hebben nu vaste momenten om integriteit te bespreken.", days=9)

    # The posts were dated back after they were written: index them again with their dates (the
    # search index sorts "newest first" on them).
    search_index.record_changes(Post.objects.values_list("pk", flat=True), SearchChange.Op.INDEX)
