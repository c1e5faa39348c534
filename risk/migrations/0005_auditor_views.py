"""Read-only views the auditor query tool may read (risk/auditor_query.py), and nothing else."""

from django.db import migrations

TRANSFERS = """
CREATE VIEW risk_auditor_transfers AS
SELECT j.reference, j.created_at, j.kind, -e.amount AS amount,
       src.number AS source_account, dst.number AS destination_account, u.username AS customer
FROM transactions_journal j
JOIN transactions_entry e ON e.journal_id = j.id AND e.amount < 0
JOIN accounts_account src ON src.id = e.account_id AND src.kind = 'customer'
JOIN transactions_entry c ON c.journal_id = j.id AND c.amount > 0
JOIN accounts_account dst ON dst.id = c.account_id
LEFT JOIN customers_customer cu ON cu.id = src.owner_id
LEFT JOIN auth_user u ON u.id = cu.user_id
WHERE j.kind IN ('transfer', 'interbank')
"""

ALERTS = """
CREATE VIEW risk_auditor_alerts AS
SELECT a.id, a.created_at, a.amount, a.score, a.verdict, a.status,
       src.number AS source_account, dst.number AS destination_account
FROM risk_fraudalert a
JOIN accounts_account src ON src.id = a.source_id
LEFT JOIN accounts_account dst ON dst.id = a.destination_id
"""


class Migration(migrations.Migration):
    dependencies = [("risk", "0004_beat_schedule"), ("transactions", "0005_hold"), ("customers", "0003_search_indexes")]
    operations = [
        migrations.RunSQL(TRANSFERS, "DROP VIEW IF EXISTS risk_auditor_transfers"),
        migrations.RunSQL(ALERTS, "DROP VIEW IF EXISTS risk_auditor_alerts"),
    ]
