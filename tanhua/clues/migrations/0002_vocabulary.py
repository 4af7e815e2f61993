from django.db import migrations


def seed(apps, schema_editor):
    from tanhua.clues.vocabulary import seed as seed_vocabulary

    seed_vocabulary(apps.get_model("clues", "Source"), apps.get_model("clues", "Category"))


class Migration(migrations.Migration):
    dependencies = [("clues", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
