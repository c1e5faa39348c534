"""Raw SQL in migrations that only PostgreSQL runs: triggers, functions, plan settings.
The embedded default (`make run`) is SQLite, where the service layer's own checks stand
in for them."""

from __future__ import annotations

from django.db import migrations


def run_sql_on_postgresql(forward: str, backward: str) -> migrations.RunPython:
    """The migration operation that runs `forward` (and `backward` when unapplied) as one
    statement batch on PostgreSQL and nothing elsewhere. Parameters are never interpolated,
    so the SQL may hold `%`."""

    def on_postgresql(sql: str):  # type: ignore[no-untyped-def]
        def run(apps, schema_editor):  # type: ignore[no-untyped-def]
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql, params=None)

        return run

    return migrations.RunPython(on_postgresql(forward), on_postgresql(backward))
