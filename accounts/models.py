from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.functional import cached_property

from bankingsystem.money import CURRENCY_CHOICES, MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


def money_field(**kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("default", Decimal("0.00"))
    return models.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, **kwargs)


class Branch(models.Model):
    code = models.CharField(max_length=4, unique=True, help_text="Four digits; part of every account number")
    name = models.CharField(max_length=100)
    address = models.TextField(blank=True)
    # Serial of the last account number issued here; incremented under a row lock.
    last_account_serial = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "branches"
        constraints = [models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{4}$"), name="branch_code_4_digits")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def routing_code(self) -> str:
        return f"{settings.BANK_CODE}{self.code}"


class AccountType(models.Model):
    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=100)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="INR")
    minimum_balance = money_field()
    overdraft_limit = money_field(help_text="Granted to new accounts of this type")
    interest_rate = models.DecimalField(
        max_digits=7, decimal_places=4, default=Decimal("0"), help_text="Annual nominal rate, percent"
    )
    per_transaction_limit = money_field(default=Decimal("200000.00"))
    daily_debit_limit = money_field(
        default=Decimal("500000.00"), help_text="Customer withdrawals and transfers out per calendar day"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(minimum_balance__gte=0), name="account_type_min_balance_nonneg"),
            models.CheckConstraint(condition=Q(overdraft_limit__gte=0), name="account_type_overdraft_nonneg"),
        ]

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    """An account in the ledger: a customer's, or one of the bank's own general-ledger accounts.

    `balance` is credit-normal: positive means the bank owes the holder. Customer deposits
    are positive; the cash vault, which holds the bank's cash, is negative. Across the
    whole ledger all balances sum to zero per currency.
    """

    class Kind(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        GENERAL_LEDGER = "gl", "General ledger"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        FROZEN = "frozen", "Frozen"
        DORMANT = "dormant", "Dormant"
        CLOSED = "closed", "Closed"

    class FreezeSource(models.TextChoices):
        NONE = "", "Not frozen"
        CUSTOMER = "customer", "Frozen by the customer"
        STAFF = "staff", "Frozen by the bank"

    class GlCode(models.TextChoices):
        CASH_VAULT = "cash_vault", "Cash vault"
        SUSPENSE = "suspense", "Suspense"
        INTEREST_EXPENSE = "interest_expense", "Interest expense"
        LOAN_RECEIVABLE = "loan_receivable", "Loan receivable"
        FEE_INCOME = "fee_income", "Fee income"
        INTERBANK_CLEARING = "interbank_clearing", "Interbank clearing"
        INTEREST_INCOME = "interest_income", "Interest income"  # loans: interest customers pay

    number = models.CharField(max_length=16, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CUSTOMER)
    # NULL (not "") for customer accounts, so the per-currency uniqueness of GL codes holds.
    gl_code = models.CharField(max_length=30, choices=GlCode.choices, null=True, blank=True)  # noqa: DJ001
    owner = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="accounts", null=True, blank=True
    )
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="accounts")
    account_type = models.ForeignKey(
        AccountType, on_delete=models.PROTECT, related_name="accounts", null=True, blank=True
    )
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="INR")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    balance = money_field(editable=False)
    # Funds reserved by holds (fraud review, pending interbank); not yet posted.
    held_amount = money_field(editable=False)
    overdraft_limit = money_field()
    nickname = models.CharField(max_length=60, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    # Who froze it: a customer may lift only their own freeze (accounts.services).
    freeze_source = models.CharField(max_length=10, choices=FreezeSource.choices, default="", blank=True)
    # The dormancy clock: the owner's own deposits, withdrawals and transfers out, or a
    # staff reactivation. Interest, fees and money received do not count.
    last_customer_activity_at = models.DateTimeField(null=True, blank=True)
    # The daily limit's running total, kept on the row every debit locks anyway so checking
    # the limit costs no query however many debits the account made today:
    # `debit_day_total` is the customer debits (withdrawals, transfers and interbank
    # transfers out) posted on `debit_day`, the bank's local date. ledger_check proves it
    # equals today's entries.
    debit_day = models.DateField(null=True, blank=True, editable=False)
    debit_day_total = money_field(editable=False, db_default=Decimal("0.00"))  # raw SQL loads need not name it

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["owner", "status"], name="account_owner_status_idx")]
        constraints = [
            # The last line of invariant 3: a customer account never goes below minus its
            # overdraft limit, whatever a buggy writer attempts.
            models.CheckConstraint(
                condition=Q(kind="gl") | Q(balance__gte=-F("overdraft_limit")),
                name="account_balance_within_overdraft",
            ),
            models.CheckConstraint(condition=Q(overdraft_limit__gte=0), name="account_overdraft_nonneg"),
            models.CheckConstraint(condition=Q(held_amount__gte=0), name="account_held_nonneg"),
            models.CheckConstraint(
                condition=(Q(kind="gl", gl_code__isnull=False, owner__isnull=True))
                | Q(kind="customer", gl_code__isnull=True, owner__isnull=False, account_type__isnull=False),
                name="account_kind_consistent",
            ),
            models.UniqueConstraint(
                fields=["gl_code", "currency"], condition=Q(kind="gl"), name="one_gl_account_per_code_currency"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def available_balance(self):  # type: ignore[no-untyped-def]
        return self.balance - self.held_amount

    @property
    def routing_code(self) -> str:
        return self.number[:7]

    @cached_property
    def owner_user_id(self) -> int | None:
        """The owning customer's user (None for the bank's own accounts); a posted leg's
        account, model or transactions.services.LockedAccount, answers it alike. A reader
        that selects it with the row sets it (accounts.selectors.transfer_accounts_get)."""
        return self.owner.user_id if self.owner_id is not None else None


class AccountChange(models.Model):
    """Field-by-field history of an account's details (who, when, old, new, why).
    Append-only; balances are not details: the ledger is their history."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(max_length=30, help_text="The service that made the change: freeze, close, update...")
    field = models.CharField(max_length=40)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    reason = models.CharField(max_length=255, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["account", "-id"], name="accountchange_account_idx")]

    def __str__(self) -> str:
        return f"{self.account} {self.field}: {self.old_value} -> {self.new_value}"


class ClosedAccount(models.Model):
    """The archive of a closed account: why, by whom, and what it held at the end (always
    zero: closing refuses money left). A snapshot, so it reads the same whatever changes later."""

    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="closure")
    number = models.CharField(max_length=16, unique=True)
    owner_username = models.CharField(max_length=150)
    owner_name = models.CharField(max_length=300, blank=True)
    account_type = models.CharField(max_length=30)
    branch_code = models.CharField(max_length=4)
    currency = models.CharField(max_length=3)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=255)
    final_balance = money_field(default=None)

    class Meta:
        ordering = ["-closed_at"]

    def __str__(self) -> str:
        return f"{self.number} closed {self.closed_at:%Y-%m-%d}"
