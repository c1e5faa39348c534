from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One state change anywhere in the bank: who did what to which object, before and after.

    Append-only and hash-chained: `hash` is SHA-256 over the previous event's hash in its
    lane, this event's `seq` and its canonical content (see audit.chain), so editing,
    deleting or reordering any row breaks its lane's chain from that row on.

    The trail is AUDIT_CHAIN_LANES chains side by side (lanes), each gapless in its own
    `seq` and chained in commit order under the lock of its `AuditChainHead` row. A
    database session always writes to the same lane, so writers in different sessions
    seldom wait for each other: with one chain, every money movement in the bank queued
    on one row from its audit event to its COMMIT (docs/performance.md).
    """

    lane = models.PositiveSmallIntegerField(default=1, db_default=1)
    seq = models.PositiveBigIntegerField(help_text="Position in its lane's chain (gapless per lane)")
    created_at = models.DateTimeField(db_index=True)
    # No foreign-key constraint: the trail outlives whatever it names, and the row is never updated.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # audit_actor_idx leads with it
        null=True,
        blank=True,
        related_name="+",
    )
    actor_repr = models.CharField(max_length=150, blank=True, help_text="Username at the time (or 'system')")
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-id"]  # ids come from one sequence: the order events were written
        # Few indexes, each earning its keep: every one is written by every change in the bank.
        indexes = [
            models.Index(fields=["lane", "seq"], name="audit_lane_seq_idx"),  # the verifier's walk
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "-id"], name="audit_actor_idx"),
            # Serves both `action` and `action_prefix` (LIKE 'x%') on PostgreSQL.
            models.Index(fields=["action"], name="audit_action_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"#{self.lane}.{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """The end of one lane's chain (its id is the lane): the last `seq` and hash. Writers
    in the lane chain under its row lock.

    It also witnesses the tail: deleting the newest events leaves the head pointing past
    the last row, which the verifier reports."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, help_text="The lane")
    seq = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"lane {self.id} head #{self.seq}"
