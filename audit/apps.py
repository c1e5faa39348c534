from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The role groups get this permissions once they exist (after every app migrated).
        from customers.apps import _roles_sync

        post_migrate.connect(_roles_sync, sender=self)
