from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q

from accounts.models import money_field
from bankingsystem.money import CURRENCY_CHOICES
from loans.ml import features


def _choices(mapping: dict[str, str]) -> list[tuple[str, str]]:
    return [(key, key.replace("_", " ").capitalize()) for key in mapping]


class LoanProduct(models.Model):
    """A loan the bank offers; data, edited by staff in the admin."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", "Personal"
        HOME = "home", "Home"
        AUTO = "auto", "Auto"
        EDUCATION = "education", "Education"

    class Amortization(models.TextChoices):
        EMI = "emi", "Equal instalments (EMI)"
        EQUAL_PRINCIPAL = "equal_principal", "Equal principal"

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="INR")
    annual_rate = models.DecimalField(
        max_digits=7, decimal_places=4, help_text="Nominal annual rate, percent; interest on the declining balance"
    )
    min_term_months = models.PositiveSmallIntegerField()
    max_term_months = models.PositiveSmallIntegerField()
    min_amount = money_field()
    max_amount = money_field()
    amortization = models.CharField(max_length=16, choices=Amortization.choices, default=Amortization.EMI)
    late_fee = money_field(help_text="Charged once on an instalment still unpaid after the grace days")
    grace_days = models.PositiveSmallIntegerField(default=5)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(annual_rate__gte=0) & Q(annual_rate__lte=100), name="loan_product_rate_range"
            ),
            models.CheckConstraint(
                condition=Q(min_term_months__gte=1) & Q(min_term_months__lte=F("max_term_months")),
                name="loan_product_term_range",
            ),
            models.CheckConstraint(
                condition=Q(min_amount__gt=0) & Q(min_amount__lte=F("max_amount")), name="loan_product_amount_range"
            ),
            models.CheckConstraint(condition=Q(late_fee__gte=0), name="loan_product_late_fee_nonneg"),
        ]

    def __str__(self) -> str:
        return self.name


class Loan(models.Model):
    """One loan from application to the last repayment.

    The applicant's attributes are kept as given (the risk model's inputs, see
    loans/ml/features.py), beside the score the model gave on submission.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        UNDER_REVIEW = "under_review", "Under review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        DISBURSED = "disbursed", "Disbursed"
        CLOSED = "closed", "Closed"

    class Purpose(models.TextChoices):
        NEW_CAR = "new_car", "New car"
        USED_CAR = "used_car", "Used car"
        FURNITURE = "furniture", "Furniture or equipment"
        ELECTRONICS = "electronics", "Electronics"
        APPLIANCES = "appliances", "Domestic appliances"
        REPAIRS = "repairs", "Repairs"
        EDUCATION = "education", "Education"
        RETRAINING = "retraining", "Retraining"
        BUSINESS = "business", "Business"
        HOME = "home", "Home"
        OTHER = "other", "Other"

    class RiskBand(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    class Bucket(models.TextChoices):
        CURRENT = "current", "Current"
        DPD_1_30 = "1-30", "1-30 days past due"
        DPD_31_60 = "31-60", "31-60 days past due"
        DPD_61_90 = "61-90", "61-90 days past due"
        NPA = "90+", "90+ days past due (non-performing)"

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="loans")
    product = models.ForeignKey(LoanProduct, on_delete=models.PROTECT, related_name="loans")
    account = models.ForeignKey(
        "accounts.Account",
        on_delete=models.PROTECT,
        related_name="loans",
        help_text="The customer's account the loan is paid into and repaid from",
    )
    amount = money_field(default=None)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    term_months = models.PositiveSmallIntegerField()
    # Copied from the product when applying: later product edits do not change a loan.
    annual_rate = models.DecimalField(max_digits=7, decimal_places=4)
    amortization = models.CharField(max_length=16, choices=LoanProduct.Amortization.choices)
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED, db_index=True)

    # The applicant's attributes (the API's names; mapped to German Credit in loans/ml/features.py).
    checking_balance = money_field(default=None, null=True, blank=True, help_text="Empty: no current account")
    savings_balance = money_field(default=None, null=True, blank=True, help_text="Empty: none or unknown")
    employment_years = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty: unemployed")
    monthly_income = money_field(default=None)
    credit_history = models.CharField(max_length=24, choices=_choices(features.CREDIT_HISTORY))
    other_debtors = models.CharField(max_length=16, choices=_choices(features.OTHER_DEBTORS))
    residence_years = models.PositiveSmallIntegerField()
    property = models.CharField(max_length=20, choices=_choices(features.PROPERTY))
    age = models.PositiveSmallIntegerField()
    other_installment_plans = models.CharField(max_length=10, choices=_choices(features.OTHER_INSTALLMENT_PLANS))
    housing = models.CharField(max_length=10, choices=_choices(features.HOUSING))
    existing_credits = models.PositiveSmallIntegerField()
    job = models.CharField(max_length=24, choices=_choices(features.JOB))
    dependants = models.PositiveSmallIntegerField()
    has_telephone = models.BooleanField()

    # What the model said on submission (advice; people decide).
    risk_probability = models.DecimalField(max_digits=5, decimal_places=4, help_text="Probability of default")
    risk_band = models.CharField(max_length=8, choices=RiskBand.choices)
    risk_advice = models.CharField(max_length=8)
    risk_threshold = models.DecimalField(max_digits=5, decimal_places=4)
    model_version = models.CharField(max_length=100)
    model_inputs = models.JSONField(encoder=DjangoJSONEncoder, help_text="The feature vector the model scored")
    approvals_required = models.PositiveSmallIntegerField(default=1)

    # Servicing, once disbursed.
    disbursement_journal = models.OneToOneField(
        "transactions.Journal", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    disbursed_at = models.DateTimeField(null=True, blank=True)
    emi = money_field(default=None, null=True, blank=True, help_text="The scheduled instalment (EMI loans)")
    principal_outstanding = money_field()
    days_past_due = models.PositiveIntegerField(default=0)
    bucket = models.CharField(max_length=8, choices=Bucket.choices, default=Bucket.CURRENT, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["customer", "-id"], name="loan_customer_id_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="loan_amount_positive"),
            models.CheckConstraint(condition=Q(term_months__gte=1), name="loan_term_positive"),
            models.CheckConstraint(
                condition=Q(principal_outstanding__gte=0) & Q(principal_outstanding__lte=F("amount")),
                name="loan_outstanding_within_amount",
            ),
            # A loan is disbursed at most once: the journal is set exactly when money moved.
            models.CheckConstraint(
                condition=Q(status__in=["disbursed", "closed"], disbursement_journal__isnull=False)
                | Q(
                    status__in=["submitted", "under_review", "approved", "rejected"], disbursement_journal__isnull=True
                ),
                name="loan_disbursed_iff_journal",
            ),
        ]

    def __str__(self) -> str:
        return f"Loan {self.pk} {self.customer} {self.amount} {self.currency}"


class LoanDecision(models.Model):
    """An officer's approval or rejection, with the reason. Append-only; one per officer per
    loan, so maker-checker always means two different people."""

    class Outcome(models.TextChoices):
        APPROVE = "approve", "Approve"
        REJECT = "reject", "Reject"

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="decisions")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["loan", "officer"], name="loan_decision_one_per_officer")]

    def __str__(self) -> str:
        return f"{self.outcome} loan {self.loan_id} by {self.officer_id}"


class Instalment(models.Model):
    """One row of the repayment schedule and what has been paid against it."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    principal = money_field(default=None)
    interest = money_field(default=None)
    fee = money_field(help_text="Late fee charged on this instalment")
    outstanding = money_field(default=None, help_text="Principal still owed after this instalment")
    paid_principal = money_field()
    paid_interest = money_field()
    paid_fee = money_field()
    late_fee_charged_on = models.DateField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True, help_text="When it was paid in full")

    class Meta:
        ordering = ["loan", "number"]
        indexes = [models.Index(fields=["due_date", "paid_on"], name="instalment_due_paid_idx")]
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="instalment_number_unique"),
            models.CheckConstraint(
                condition=Q(paid_principal__gte=0, paid_principal__lte=F("principal"))
                & Q(paid_interest__gte=0, paid_interest__lte=F("interest"))
                & Q(paid_fee__gte=0, paid_fee__lte=F("fee")),
                name="instalment_paid_within_due",
            ),
            models.CheckConstraint(
                condition=Q(principal__gte=0, interest__gte=0, fee__gte=0), name="instalment_amounts_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return f"Loan {self.loan_id} #{self.number} due {self.due_date}"

    @property
    def amount_due(self) -> Decimal:
        return self.principal + self.interest + self.fee

    @property
    def amount_unpaid(self) -> Decimal:
        return self.amount_due - self.paid_principal - self.paid_interest - self.paid_fee


class Repayment(models.Model):
    """The loan-payment table: every payment, how it was allocated, and its journal."""

    class Source(models.TextChoices):
        MANUAL = "manual", "Manual"
        AUTO = "auto", "Automatic collection"

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="repayments")
    journal = models.OneToOneField("transactions.Journal", on_delete=models.PROTECT, related_name="+")
    amount = money_field(default=None)
    fee_part = money_field()
    interest_part = money_field()
    principal_part = money_field()
    prepaid_principal = money_field(help_text="Of principal_part: paid ahead of the schedule")
    source = models.CharField(max_length=8, choices=Source.choices)
    initiated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="repayment_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount=F("fee_part") + F("interest_part") + F("principal_part")),
                name="repayment_allocation_sums",
            ),
        ]

    def __str__(self) -> str:
        return f"Repayment {self.pk} of loan {self.loan_id}: {self.amount}"
