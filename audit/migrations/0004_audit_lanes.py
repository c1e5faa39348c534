"""The audit trail as lanes: AUDIT_CHAIN_LANES hash chains side by side, each gapless in
its own `seq` under its own head row (AuditChainHead.id is the lane). Existing events and
the existing head are lane 1, unchanged: their hashes still verify.

`seq` is no longer unique on its own (each lane counts from 1); the verifier walks
(lane, seq). Two indexes that only doubled others go (the plain `action` index beside its
LIKE twin, `actor_id` beside audit_actor_idx): every index is written by every change."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class SeqNotUnique(migrations.AlterField):
    """On PostgreSQL the partitioned table's unique constraint is (seq, created_at) (the
    partition key is in every unique index), which Django's AlterField cannot find by the
    one column: drop it by name. SQLite's plain table takes the ordinary AlterField."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute("ALTER TABLE audit_auditevent DROP CONSTRAINT audit_auditevent_seq_key")
        else:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            # Fails, rightly, once a second lane has events: their seqs repeat lane 1's.
            schema_editor.execute(
                "ALTER TABLE audit_auditevent ADD CONSTRAINT audit_auditevent_seq_key UNIQUE (seq, created_at)"
            )
        else:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_partition_events'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='auditevent',
            options={'ordering': ['-id']},
        ),
        migrations.RemoveIndex(
            model_name='auditevent',
            name='audit_actor_idx',
        ),
        migrations.AddField(
            model_name='auditevent',
            name='lane',
            field=models.PositiveSmallIntegerField(db_default=1, default=1),
        ),
        migrations.AlterField(
            model_name='auditchainhead',
            name='id',
            field=models.PositiveSmallIntegerField(default=1, help_text='The lane', primary_key=True, serialize=False),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(max_length=60),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='actor',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        SeqNotUnique(
            model_name='auditevent',
            name='seq',
            field=models.PositiveBigIntegerField(help_text="Position in its lane's chain (gapless per lane)"),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['lane', 'seq'], name='audit_lane_seq_idx'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['actor', '-id'], name='audit_actor_idx'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['action'], name='audit_action_idx', opclasses=['varchar_pattern_ops']),
        ),
    ]
