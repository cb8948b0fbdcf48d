"""The managed list of topics of expertise."""

from django.db import migrations

from members.topics import TOPICS


def create_topics(apps, schema_editor):
    Topic = apps.get_model("members", "Topic")
    for slug, name in TOPICS:
        Topic.objects.get_or_create(slug=slug, defaults={"name": name})


def remove_topics(apps, schema_editor):
    apps.get_model("members", "Topic").objects.filter(slug__in=[s for s, _ in TOPICS]).delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]

    operations = [migrations.RunPython(create_topics, remove_topics)]
