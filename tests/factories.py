"""factory_boy factories for the whole suite."""

from __future__ import annotations

import datetime
from typing import Any

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User
from core.models import Body, Tier
from core.roles import MFA_ROLES, Role
from members.models import Branch, BranchOfficial, Faction, Mandate, MandateRole, Member

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "een-goed-wachtwoord-42"


def totp_code(secret: str = TOTP_SECRET, offset: int = 0) -> str:
    counter = int(timezone.now().timestamp()) // 30 + offset
    return format_hotp_value(hotp_value(secret, counter))


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"PV{40 + n % 59:02d}")
    tier = Tier.PROVINCIAL
    name = factory.Sequence(lambda n: f"Provincie {n}")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    code = factory.Sequence(lambda n: f"GM{9000 + n:04d}")
    tier = Tier.MUNICIPAL
    name = factory.Sequence(lambda n: f"Gemeente {n}")
    province = factory.SubFactory(ProvinceFactory)


class WaterBoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    code = factory.Sequence(lambda n: f"WS{9000 + n:04d}")
    tier = Tier.WATER_BOARD
    name = factory.Sequence(lambda n: f"Waterschap {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"gebruiker{n}@example.org")
    name = factory.Faker("name", locale="nl_NL")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.groups.set([Group.objects.get_or_create(name=role)[0] for role in extracted])

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        self.save()


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch

    name = factory.Sequence(lambda n: f"Afdeling {n}")
    slug = factory.Sequence(lambda n: f"afdeling-{n}")
    kind = Branch.Kind.LOCAL


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    given_name = factory.Faker("first_name", locale="nl_NL")
    family_name = factory.Faker("last_name", locale="nl_NL")
    email = factory.Sequence(lambda n: f"lid{n}@example.org")
    phone = "06-11112222"
    street = "Kerkstraat 1"
    postcode = "8011 AA"
    city = "Zwolle"
    bio = "Raadslid met hart voor wonen."
    member_since = datetime.date(2020, 1, 1)


class FactionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Faction

    body = factory.SubFactory(MunicipalityFactory)
    name = factory.LazyAttribute(lambda o: f"Fractie {o.body.name}")


class MandateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mandate

    member = factory.SubFactory(MemberFactory)
    body = factory.SubFactory(MunicipalityFactory)
    role = MandateRole.COUNCILLOR
    start_date = datetime.date(2022, 3, 30)


def enable_totp(user: User, secret: str = TOTP_SECRET) -> str:
    """Give `user` a TOTP authenticator with `secret` (replacing the one they have, if any)."""
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    TOTP.activate(user, secret)
    return secret


def make_role_user(role: str, *, with_mfa: bool = True, **kwargs: Any) -> User:
    """A user with one platform role, set up as such a person would be: staff, branch officials and
    griffie contacts with MFA (core.roles.MFA_ROLES), members and branch officials with a member
    record (the official running a branch)."""
    user = UserFactory(roles=[role], **kwargs)
    if role in MFA_ROLES and with_mfa:
        enable_totp(user)
    if role in (Role.MEMBER, Role.BRANCH_OFFICIAL):
        member = MemberFactory(user=user, email=user.email)
        if role == Role.BRANCH_OFFICIAL:
            BranchOfficialFactory(member=member)
    return user


class BranchOfficialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BranchOfficial

    branch = factory.SubFactory(BranchFactory)
    member = factory.SubFactory(MemberFactory)
    function = BranchOfficial.Function.SECRETARY
    start_date = datetime.date(2023, 1, 1)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.Event"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Netwerkbijeenkomst {n}")
    slug = factory.Sequence(lambda n: f"bijeenkomst-{n}")
    summary = "Ontmoet collega's uit gemeente, provincie en waterschap."
    status = "published"
    capacity = 10
    registration_opens = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    registration_closes = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=20))
    cancellation_deadline = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=19))

    @factory.post_generation
    def sessions(self, create: bool, extracted: int | None, **kwargs: Any) -> None:
        from events.models import Session

        if not create:
            return
        start = timezone.now() + datetime.timedelta(days=21)
        for n in range(extracted if extracted is not None else 1):
            Session.objects.create(
                event=self,
                starts_at=start + datetime.timedelta(days=7 * n),
                ends_at=start + datetime.timedelta(days=7 * n, hours=3),
                location_name="Stadhuis",
                address="Grote Kerkplein 15, Zwolle",
            )
        self.refresh_schedule()


class DocumentFactory(factory.django.DjangoModelFactory):
    """A shared library document. Index it with library.engine.index_documents (services do)."""

    class Meta:
        model = "library.Document"
        skip_postgeneration_save = True

    kind = "motion"
    title = factory.Sequence(lambda n: f"Motie {n}")
    body = factory.SubFactory(MunicipalityFactory)
    meeting_date = datetime.date(2024, 5, 16)
    text = ""
    status = "published"
    visibility = "members"
