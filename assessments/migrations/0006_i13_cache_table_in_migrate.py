from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    """`migrate` alone gives a working app: the database cache's table (settings.CACHES) is
    created here, so a deploy that forgets `createcachetable` does not answer 500."""
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0005_i13_stable_links_deliveries_throttles"),
    ]

    operations = [
        # Reversing leaves the table: createcachetable would recreate it anyway.
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
