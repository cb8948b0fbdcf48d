"""What the benchmarks share: a fresh PostgreSQL database, and members with mandates."""

from __future__ import annotations

import datetime
import random
from typing import Any


def recreate_database(url: str, *, force: bool = False) -> None:
    """Drop the PostgreSQL database at `url` (with `force`, even while others are connected) and
    create it empty."""
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"{" WITH (FORCE)" if force else ""}')
        admin.execute(f'CREATE DATABASE "{name}"')


def add_members(count: int, mandates: int, rng: random.Random, *, words: list[str], email: str) -> list[Any]:
    """`count` members (e-mail `email` with {n} replaced by their number) with two topics each and
    `mandates` mandates spread over them: 80% on municipal councils, the rest provincial or water
    board, a third of them ended. Returns the members."""
    from core.models import Body, Tier
    from members.models import Mandate, MandateRole, Member, Topic

    municipalities = list(Body.objects.filter(tier=Tier.MUNICIPAL))
    others = list(Body.objects.exclude(tier=Tier.MUNICIPAL))
    topics = list(Topic.objects.all())
    members = Member.objects.bulk_create(
        [
            Member(
                given_name=f"Voornaam{n}",
                family_name=f"Achternaam{rng.randint(1, 3000)}",
                sort_name=f"achternaam{n:05d}",
                email=email.format(n=n),
                phone="06-12345678",
                bio=" ".join(rng.sample(words, 4)),
                email_visibility=rng.choice(["members", "staff"]),
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    Member.topics.through.objects.bulk_create(
        [Member.topics.through(member=m, topic=t) for m in members for t in rng.sample(topics, 2)], batch_size=4000
    )
    rows = []
    for n in range(mandates):
        member = members[n % count]
        if rng.random() < 0.8:
            body, role = rng.choice(municipalities), rng.choice([MandateRole.COUNCILLOR, MandateRole.ALDERMAN])
        else:
            body = rng.choice(others)
            role = MandateRole.PROVINCIAL_COUNCILLOR if body.tier == Tier.PROVINCIAL else MandateRole.WATER_BOARD_MEMBER
        start = datetime.date(2014, 1, 1) + datetime.timedelta(days=rng.randint(0, 3500))
        end = None if rng.random() < 0.6 else start + datetime.timedelta(days=1400)
        rows.append(Mandate(member=member, body=body, role=role, start_date=start, end_date=end))
    Mandate.objects.bulk_create(rows, batch_size=4000)
    return members
