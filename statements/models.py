from django.db import models

from accounts.models import money_field


class Statement(models.Model):
    """A month's statement of one account, as generated (on demand or by the monthly beat
    task): its totals, which always agree with the ledger, and the PDF as issued."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="statements")
    period_start = models.DateField()
    period_end = models.DateField()
    opening_balance = money_field(default=None)
    total_credits = money_field(default=None)
    total_debits = money_field(default=None)
    closing_balance = money_field(default=None)
    entry_count = models.PositiveIntegerField()
    pdf = models.BinaryField()
    generated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["account", "period_start"], name="statement_once_per_account_month"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.period_start:%Y-%m}"
