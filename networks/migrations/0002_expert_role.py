"""Roles are data: the group of the expert role (deskundige)."""

from django.db import migrations


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="expert")


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="expert").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("networks", "0001_initial"),
        ("accounts", "0003_role_groups"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
