from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One state change anywhere in the bank: who did what to which object, before and after.

    Append-only and hash-chained: `hash` is SHA-256 over the previous event's hash, this
    event's `seq` and its canonical content (see audit.chain), so editing, deleting or
    reordering any row breaks the chain from that row on. `seq` is gapless: events are
    chained under the lock of the one `AuditChainHead` row, in commit order.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField(db_index=True)
    # No foreign-key constraint: the trail outlives whatever it names, and the row is never updated.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_repr = models.CharField(max_length=150, blank=True, help_text="Username at the time (or 'system')")
    action = models.CharField(max_length=60, db_index=True)
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
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "-seq"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """The end of the chain: the last `seq` and hash. Writers chain under its row lock.

    It also witnesses the tail: deleting the newest events leaves the head pointing past
    the last row, which the verifier reports."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.seq}"
