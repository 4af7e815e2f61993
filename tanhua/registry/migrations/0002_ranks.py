from django.db import migrations

from tanhua.registry.ranks import RANKS


def load_ranks(apps, schema_editor):
    Rank = apps.get_model("registry", "Rank")
    for name, level, order, track in RANKS:
        Rank.objects.update_or_create(name=name, defaults={"level": level, "order": order, "track": track})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load_ranks, migrations.RunPython.noop)]
