from django.db import migrations

from tanhua.registry.ranks import load_ranks


def fill(apps, schema_editor):
    load_ranks(apps.get_model("registry", "Rank"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
