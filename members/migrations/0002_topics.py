"""The managed list of topics of expertise."""

from django.db import migrations

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


def create_topics(apps, schema_editor):
    Topic = apps.get_model("members", "Topic")
    for slug, name in TOPICS:
        Topic.objects.get_or_create(slug=slug, defaults={"name": name})


def remove_topics(apps, schema_editor):
    apps.get_model("members", "Topic").objects.filter(slug__in=[s for s, _ in TOPICS]).delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]

    operations = [migrations.RunPython(create_topics, remove_topics)]
