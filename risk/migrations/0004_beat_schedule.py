"""Install the fraud beat schedule in django-celery-beat (editable in the admin)."""

from django.db import migrations


def install(apps, schema_editor):
    from risk.schedule import schedule_install

    schedule_install(apps)


class Migration(migrations.Migration):
    dependencies = [("risk", "0003_partition_scores"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
