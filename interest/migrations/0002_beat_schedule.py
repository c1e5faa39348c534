"""Install the interest beat schedule in django-celery-beat (editable in the admin)."""

from django.db import migrations


def install(apps, schema_editor):
    from interest.schedule import schedule_install

    schedule_install(apps)


class Migration(migrations.Migration):
    dependencies = [("interest", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
