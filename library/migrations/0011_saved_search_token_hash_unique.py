from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0010_saved_search_token_hashed"),
    ]

    operations = [
        migrations.AlterField(
            model_name="savedsearch",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
    ]
