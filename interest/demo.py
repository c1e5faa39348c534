"""Interest products for the demo bank (called by seed_demo; idempotent).

The first row of each type's interest table takes the rate the account type advertises
(AccountType.interest_rate); later changes go to the table, which is what accrual reads.
"""

from __future__ import annotations

from decimal import Decimal

from accounts.models import AccountType

from .models import InterestProduct, InterestRate
from .services import bank_today, interest_product_set, interest_rate_set

DEMO_PRODUCTS = {
    "savings": {"posting_period": "quarterly", "minimum_balance_for_interest": Decimal("0.00")},
    "basic-savings": {
        "calculation_method": InterestProduct.Method.AVERAGE_DAILY_BALANCE,
        "minimum_balance_for_interest": Decimal("1000.00"),
    },
    "current": {"overdraft_rate": Decimal("12.0000")},
}


def interest_demo_seed(*, account_types: dict[str, AccountType]) -> None:
    for code, spec in DEMO_PRODUCTS.items():
        account_type = account_types[code]
        options = dict(spec)
        overdraft_rate = options.pop("overdraft_rate", Decimal("0"))
        if not InterestProduct.objects.filter(account_type=account_type).exists():
            interest_product_set(account_type=account_type, **options)
        if not InterestRate.objects.filter(account_type=account_type).exists():
            interest_rate_set(
                account_type=account_type,
                effective_from=bank_today(),
                annual_rate=account_type.interest_rate,
                overdraft_rate=overdraft_rate,
            )
