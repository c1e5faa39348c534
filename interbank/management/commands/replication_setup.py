"""Set up PostgreSQL logical replication from this node's primary to its read replica.

    python manage.py replication_setup                 # publication + subscription
    python manage.py replication_setup --publication-only

The primary needs `wal_level = logical` (a restart) and a role that may replicate; the
subscriber is the database at REPLICA_DATABASE_URL. Steps, each skipped when already done:
1. on the primary, a publication of every table, partitions published as their parent
   (`publish_via_partition_root`), so the subscriber may partition differently;
2. on the subscriber, the same schema (our migrations), emptied: the initial copy brings
   every row, django_migrations included, and rows the migrations made there would clash;
3. on the subscriber, a subscription to the publication, which copies the tables and then
   streams every change. DDL is not replicated: run migrations on the subscriber first,
   then on the primary (`migrate --database replica`, then `migrate`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from psycopg import sql

from bankingsystem.replica import REPLICA

NAME = "bank_replication"


def _conninfo(alias: str) -> str:
    db = settings.DATABASES[alias]
    parts = {
        "host": db.get("HOST") or "localhost",
        "port": db.get("PORT") or 5432,
        "dbname": db["NAME"],
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD"),
    }
    return " ".join(f"{key}={value}" for key, value in parts.items() if value)


def _one(alias: str, query: str, params: list | None = None) -> object:
    with connections[alias].cursor() as cursor:
        cursor.execute(query, params)
        row = cursor.fetchone()
    return row[0] if row else None


class Command(BaseCommand):
    help = "Create the logical-replication publication on the primary and the subscription on the replica."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--name", default=NAME, help="Publication, subscription and slot name")
        parser.add_argument("--publication-only", action="store_true", help="Only the primary's side")
        parser.add_argument(
            "--primary-conninfo", default="", help="How the subscriber reaches the primary (default: DATABASE_URL)"
        )

    def handle(self, *args, **options) -> None:
        name = options["name"]
        if connections["default"].vendor != "postgresql":
            raise CommandError("Logical replication needs PostgreSQL.")
        if _one("default", "SHOW wal_level") != "logical":
            raise CommandError("The primary runs with wal_level other than 'logical': set it and restart PostgreSQL.")
        if _one("default", "SELECT 1 FROM pg_publication WHERE pubname = %s", [name]):
            self.stdout.write(f"publication {name} exists on the primary")
        else:
            with connections["default"].cursor() as cursor:
                cursor.execute(
                    sql.SQL("CREATE PUBLICATION {} FOR ALL TABLES WITH (publish_via_partition_root = true)")
                    .format(sql.Identifier(name))
                    .as_string()
                )
            self.stdout.write(f"created publication {name} on the primary")
        if options["publication_only"]:
            return
        if REPLICA not in settings.DATABASES:
            raise CommandError("REPLICA_DATABASE_URL is not set.")
        if _one(REPLICA, "SELECT 1 FROM pg_subscription WHERE subname = %s", [name]):
            self.stdout.write(f"subscription {name} exists on the replica")
            return
        call_command("migrate", database=REPLICA, interactive=False, verbosity=0)
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            tables = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(sql.Identifier(t) for t in tables)).as_string()
            )
            cursor.execute(
                sql.SQL("CREATE SUBSCRIPTION {} CONNECTION {} PUBLICATION {}")
                .format(
                    sql.Identifier(name),
                    sql.Literal(options["primary_conninfo"] or _conninfo("default")),
                    sql.Identifier(name),
                )
                .as_string()
            )
        self.stdout.write(f"created subscription {name} on the replica; it copies the tables, then streams")
