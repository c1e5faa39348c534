from django.apps import AppConfig


class InterbankConfig(AppConfig):
    name = "interbank"
    verbose_name = "Federation: branch nodes, other banks, replication"
