"""Planner statistics on UPPER(description) of journals (PostgreSQL only).

The `q` filter of statements and history is `icontains`, which Django compiles to
`UPPER("description"::text) LIKE UPPER(%s)`. PostgreSQL keeps statistics on the column,
not on that expression, so it guessed a fixed, tiny share of matches ("Rent" matches one
journal in seven in the bench) and planned to read every entry of the customer's accounts
and sort them (1.8 s a history page at 10,000,000 entries) instead of reading each
account newest first until a page is full. Expression statistics (PostgreSQL 14+) give it
the real share; unlike an index they cost nothing when a journal is written.
"""

from django.db import migrations

NAME = "transactions_journal_description_upper_stats"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'CREATE STATISTICS IF NOT EXISTS "{NAME}" ON (UPPER("description"::text)) FROM "transactions_journal"'
    )
    schema_editor.execute('ANALYZE "transactions_journal"')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP STATISTICS IF EXISTS "{NAME}"')


class Migration(migrations.Migration):
    dependencies = [("transactions", "0005_hold")]

    operations = [migrations.RunPython(create, drop)]
