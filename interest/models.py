"""Interest: product parameters, the rate table, daily accruals and periodic postings.

Amounts of accrued interest are integer "parts" (see conventions.py): exact, so that the
sum of a period's accruals, the amount posted and the remainder carried forward always
add up, which the database checks on every posting.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from accounts.models import money_field

from .conventions import PARTS_PER_UNIT, DayCount, Period


def parts_field(**kwargs):  # type: ignore[no-untyped-def]
    """An exact integer count of parts (NUMERIC(40, 0): wider than bigint, never rounded)."""
    kwargs.setdefault("default", 0)
    return models.DecimalField(max_digits=40, decimal_places=0, **kwargs)


def rate_field(**kwargs):  # type: ignore[no-untyped-def]
    return models.DecimalField(max_digits=7, decimal_places=4, **kwargs)


class InterestProduct(models.Model):
    """How an account type earns (and, overdrawn, pays) interest. Without one, it earns none."""

    class Method(models.TextChoices):
        DAILY_BALANCE = "daily_balance", "Daily balance"
        AVERAGE_DAILY_BALANCE = "average_daily_balance", "Average daily balance"

    account_type = models.OneToOneField(
        "accounts.AccountType", on_delete=models.PROTECT, related_name="interest_product"
    )
    calculation_method = models.CharField(max_length=24, choices=Method.choices, default=Method.DAILY_BALANCE)
    # Interest compounds when it is posted (it joins the balance), so one period is both.
    posting_period = models.CharField(
        max_length=10, choices=Period.CHOICES, default=Period.MONTHLY, help_text="Compounding and posting period"
    )
    day_count = models.CharField(max_length=10, choices=DayCount.CHOICES, default=DayCount.ACTUAL_365)
    minimum_balance_for_interest = money_field(
        help_text="Below this (each day, or on average over the period) no credit interest is earned"
    )
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account_type__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_balance_for_interest__gte=0), name="interest_product_min_balance_nonneg"
            )
        ]

    def __str__(self) -> str:
        return f"Interest on {self.account_type}"


class InterestRate(models.Model):
    """The interest table: a rate applies from its date (mid-period too) until the next one."""

    account_type = models.ForeignKey("accounts.AccountType", on_delete=models.PROTECT, related_name="interest_rates")
    effective_from = models.DateField()
    annual_rate = rate_field(help_text="Annual nominal rate on credit balances, percent")
    overdraft_rate = rate_field(default=Decimal("0"), help_text="Annual rate charged on a negative balance, percent")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["account_type", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["account_type", "effective_from"], name="interest_rate_one_per_day"),
            models.CheckConstraint(
                condition=Q(annual_rate__gte=0, annual_rate__lte=100, overdraft_rate__gte=0, overdraft_rate__lte=100),
                name="interest_rate_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_type.code} {self.annual_rate}% from {self.effective_from}"


class AccrualRun(models.Model):
    """One day's accrual over every account: done once, in day order (the catch-up resumes
    after the latest run). Its totals are what staff see in the admin."""

    day = models.DateField(unique=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    accounts = models.PositiveIntegerField(default=0)
    credit_parts = parts_field()
    overdraft_parts = parts_field()

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"accrual {self.day}"


class InterestAccrual(models.Model):
    """One account's interest for one day: the balance at the end of the day, the rate, the
    days it counts for under the product's convention, and the exact amount in parts
    (amount = balance x rate / 100 x days / year_days = amount_parts / PARTS_PER_UNIT).

    Append-only: written once by the day's run, never changed; postings read them by date.
    """

    # No database foreign key: rows are only ever written by selecting the accounts in the
    # same statement, and accounts are never deleted; a per-row check would lock every
    # account (KEY SHARE) at commit and add a third of the cost of a day's accrual.
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, related_name="interest_accruals", db_constraint=False
    )
    day = models.DateField()
    balance = money_field(default=None)
    rate = rate_field()
    days = models.PositiveSmallIntegerField()
    year_days = models.PositiveSmallIntegerField()
    amount_parts = parts_field(default=None)

    class Meta:
        ordering = ["-day", "account_id"]
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="interest_accrual_once_per_day")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day}"

    @property
    def amount(self) -> Decimal:
        from .conventions import parts_to_decimal

        return parts_to_decimal(int(self.amount_parts))


class InterestAccountState(models.Model):
    """Where an account's postings have reached, and the fraction of a minor unit carried."""

    account = models.OneToOneField(
        "accounts.Account", on_delete=models.PROTECT, primary_key=True, related_name="interest_state"
    )
    posted_through = models.DateField(null=True, blank=True)
    carry_parts = parts_field()

    def __str__(self) -> str:
        return f"{self.account_id} posted through {self.posted_through}"


class PostingRun(models.Model):
    """Posting for one period end, over every account whose product's period ends then."""

    period_end = models.DateField(unique=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    postings = models.PositiveIntegerField(default=0)
    journals = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0, help_text="Accounts that could not be posted on the last pass")
    totals = models.JSONField(default=dict, help_text="Per currency: interest credited and overdraft interest charged")

    class Meta:
        ordering = ["-period_end"]

    def __str__(self) -> str:
        return f"posting {self.period_end}"


class InterestPosting(models.Model):
    """A period's accruals on one account turned into money: one journal (none when it
    rounds to zero), with what was accrued, carried in, forfeited and carried out."""

    run = models.ForeignKey(PostingRun, on_delete=models.PROTECT, related_name="interest_postings", null=True)
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="interest_postings")
    period_start = models.DateField()
    period_end = models.DateField()
    days = models.PositiveIntegerField(help_text="Accrual rows posted")
    average_balance = money_field()
    credit_parts = parts_field()
    overdraft_parts = parts_field()
    forfeited_parts = parts_field(help_text="Credit interest not earned: average balance below the minimum")
    carry_in_parts = parts_field()
    posted_parts = parts_field()
    carry_out_parts = parts_field()
    amount = money_field(help_text="Posted: positive credited to the customer, negative charged")
    journal = models.OneToOneField(
        "transactions.Journal", on_delete=models.PROTECT, null=True, blank=True, related_name="interest_posting"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_end", "account_id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "period_end"], name="interest_posting_once_per_period"),
            # Nothing created or lost: what was accrued and carried in is exactly what was
            # posted, forfeited and carried out.
            models.CheckConstraint(
                condition=Q(
                    carry_out_parts=F("credit_parts")
                    + F("overdraft_parts")
                    - F("forfeited_parts")
                    + F("carry_in_parts")
                    - F("posted_parts")
                ),
                name="interest_posting_conserves_parts",
            ),
            models.CheckConstraint(
                condition=Q(carry_out_parts__lte=PARTS_PER_UNIT // 2, carry_out_parts__gte=-PARTS_PER_UNIT // 2),
                name="interest_posting_carry_below_half_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.period_end} {self.amount}"


class PostingFailure(models.Model):
    """An account a posting pass could not post (closed, past its overdraft limit...): its
    accruals stay unposted and the next pass tries again."""

    run = models.ForeignKey(PostingRun, on_delete=models.PROTECT, related_name="failure_log")
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=50)
    detail = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.account_id} {self.code}"
