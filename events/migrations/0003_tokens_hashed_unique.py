"""The hashes are unique; the calendar feed's plain token column goes (a separate migration from
the data change before it, so PostgreSQL alters the tables in a transaction of their own)."""

from django.db import migrations, models



def forget_feeds(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Back: the feeds' tokens are gone (only hashes were kept), so the feeds go too; their members
    make a new address. (Before the plain column returns, which must be unique.)"""
    apps.get_model("events", "CalendarFeed").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_tokens_hashed"),
    ]

    operations = [
        migrations.AlterField(
            model_name="registration",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
        migrations.AlterField(
            model_name="calendarfeed",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
        migrations.RemoveField(
            model_name="calendarfeed",
            name="token",
        ),
        migrations.RunPython(migrations.RunPython.noop, forget_feeds),
    ]
