"""The managed list of topics of expertise: members' topics, topic networks, the programme's themes."""

TOPICS = [
    ("wonen", "Wonen"),
    ("zorg", "Zorg"),
    ("jeugd", "Jeugd"),
    ("armoede", "Armoede en schulden"),
    ("klimaat", "Klimaat"),
    ("energie", "Energie"),
    ("verkeer", "Verkeer en vervoer"),
    ("veiligheid", "Veiligheid"),
    ("onderwijs", "Onderwijs"),
    ("financien", "Financiën"),
    ("cultuur", "Cultuur"),
    ("sport", "Sport"),
    ("landbouw", "Landbouw en natuur"),
    ("water", "Water"),
    ("integriteit", "Integriteit"),
    ("democratie", "Democratie en bestuur"),
    ("economie", "Economie en werk"),
    ("ruimtelijke-ordening", "Ruimtelijke ordening"),
    ("digitalisering", "Digitalisering"),
    ("sociaal-domein", "Sociaal domein"),
]


def ensure_topics() -> None:
    """Create the managed topics that are missing (the migration does this on a new database)."""
    from members.models import Topic

    for slug, name in TOPICS:
        Topic.objects.get_or_create(slug=slug, defaults={"name": name})
