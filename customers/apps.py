from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _roles_sync(sender, **kwargs):  # type: ignore[no-untyped-def]
    # post_migrate is sent once per app with models, in INSTALLED_APPS order, and each app's
    # permissions are created on its own turn: only on the last one's turn do they all exist.
    if sender is not [app for app in apps.get_app_configs() if app.models_module is not None][-1]:
        return
    from .services import roles_sync

    roles_sync(using=kwargs.get("using", "default"))


class CustomersConfig(AppConfig):
    name = "customers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The role groups are brought up to date after every migrate (idempotent), not in a
        # migration, because permissions exist only once every app has migrated.
        post_migrate.connect(_roles_sync)
        from . import schema  # noqa: F401  (registers the OpenAPI authentication extension)
