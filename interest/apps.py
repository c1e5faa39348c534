from django.apps import AppConfig


class InterestConfig(AppConfig):
    name = "interest"
    default_auto_field = "django.db.models.BigAutoField"
