"""Trigram indexes for staff customer search (PostgreSQL only; SQLite keeps plain tables).

The admin's and the staff search's `icontains` compiles to `UPPER(col::text) LIKE UPPER(%s)`,
which no b-tree can serve: a GIN index with pg_trgm's operator class on exactly that
expression lets PostgreSQL answer "email contains 'sharma'" from the index instead of
reading every customer. pg_trgm is a trusted extension (the database owner may create it).
"""

from django.db import migrations

SEARCHED_COLUMNS = [
    ("auth_user", "username"),
    ("auth_user", "email"),
    ("auth_user", "first_name"),
    ("auth_user", "last_name"),
    ("customers_customer", "phone"),
]


def index_name(table: str, column: str) -> str:
    return f"{table}_{column}_trgm_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in SEARCHED_COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{index_name(table, column)}" '
            f'ON "{table}" USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in SEARCHED_COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index_name(table, column)}"')


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0002_security"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create, drop)]
