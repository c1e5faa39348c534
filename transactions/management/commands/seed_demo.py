"""Demo data for `make run`: branches, products, staff, three customers with history.

Idempotent: everything is looked up before it is made, and history is posted only for
accounts that have none, so running it again changes nothing. The passwords below are
for the demo bank on a developer's machine only; no setting defaults to them.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Account, AccountType, Branch
from accounts.services import account_open
from customers import roles
from customers.models import Address, Customer
from transactions import services

User = get_user_model()

BRANCHES = [
    ("0001", "Mumbai Fort", "Dr D N Road, Fort, Mumbai 400001"),
    ("0002", "Bengaluru Koramangala", "80 Feet Road, Koramangala, Bengaluru 560034"),
]
ACCOUNT_TYPES = [
    {
        "code": "savings",
        "name": "Savings account",
        "minimum_balance": "1000.00",
        "overdraft_limit": "0.00",
        "interest_rate": "3.5000",
        "per_transaction_limit": "200000.00",
        "daily_debit_limit": "500000.00",
    },
    {
        "code": "current",
        "name": "Current account",
        "minimum_balance": "5000.00",
        "overdraft_limit": "50000.00",
        "interest_rate": "0.0000",
        "per_transaction_limit": "1000000.00",
        "daily_debit_limit": "2000000.00",
    },
    {
        "code": "basic-savings",
        "name": "Basic savings (zero balance)",
        "minimum_balance": "0.00",
        "overdraft_limit": "0.00",
        "interest_rate": "2.7500",
        "per_transaction_limit": "50000.00",
        "daily_debit_limit": "100000.00",
    },
]
STAFF = [
    ("teller", "Tara", "Teller", roles.TELLER, "teller-demo-2026"),
    ("auditor", "Anil", "Auditor", roles.AUDITOR, "auditor-demo-2026"),
    ("loanofficer", "Lata", "Officer", roles.LOAN_OFFICER, "loans-demo-2026"),
    ("admin", "Asha", "Admin", roles.ADMIN, "admin-demo-2026"),
]
CUSTOMERS = [
    # username, first, last, phone, occupation, income, branch, [(type, opening deposit)]
    (
        "arjun",
        "Arjun",
        "Mehta",
        "+91 98200 11111",
        "Software engineer",
        "2400000.00",
        "0001",
        [("savings", "85000.00"), ("current", "150000.00")],
    ),
    ("priya", "Priya", "Sharma", "+91 98450 22222", "Doctor", "3600000.00", "0002", [("savings", "120000.00")]),
    ("rahul", "Rahul", "Verma", "+91 99000 33333", "Student", "240000.00", "0001", [("basic-savings", "8000.00")]),
]
CUSTOMER_PASSWORD = "{}-demo-2026"


class Command(BaseCommand):
    help = "Seed the demo bank (idempotent) and print the demo logins."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        branches = {
            code: Branch.objects.get_or_create(code=code, defaults={"name": name, "address": address})[0]
            for code, name, address in BRANCHES
        }
        types = {}
        for spec in ACCOUNT_TYPES:
            values = {k: Decimal(v) if k != "name" else v for k, v in spec.items() if k != "code"}
            types[spec["code"]] = AccountType.objects.get_or_create(code=spec["code"], defaults=values)[0]
        from interest.demo import interest_demo_seed

        interest_demo_seed(account_types=types)

        logins = []
        for username, first, last, role, password in STAFF:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "is_staff": True,
                    "email": f"{username}@bank.example",
                },
            )
            if created:
                user.is_superuser = role == roles.ADMIN
                user.set_password(password)
                user.save()
            user.groups.add(Group.objects.get(name=role))
            logins.append((username, password, role))

        teller = User.objects.get(username="teller")
        for username, first, last, phone, occupation, income, branch, products in CUSTOMERS:
            password = CUSTOMER_PASSWORD.format(username)
            user, created = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@example.in"}
            )
            if created:
                user.set_password(password)
                user.save()
            customer, _ = Customer.objects.get_or_create(
                user=user,
                defaults={
                    "phone": phone,
                    "occupation": occupation,
                    "annual_income": Decimal(income),
                    "kyc_status": Customer.KycStatus.VERIFIED,
                },
            )
            Address.objects.get_or_create(
                customer=customer,
                defaults={
                    "line1": "12 MG Road",
                    "city": "Mumbai" if branch == "0001" else "Bengaluru",
                    "country": "IN",
                },
            )
            for type_code, opening in products:
                account = Account.objects.filter(owner=customer, account_type=types[type_code]).first()
                if account is None:
                    account = account_open(
                        owner=customer, account_type=types[type_code], branch=branches[branch], opened_by=teller
                    )
                if not account.entries.exists():
                    services.deposit_create(
                        account=account, amount=Decimal(opening), description="Opening deposit", initiated_by=teller
                    )
            logins.append((username, password, "customer"))

        self._seed_history(teller)
        self.stdout.write(self.style.SUCCESS("Demo bank ready. Logins (demo only):"))
        for username, password, role in logins:
            self.stdout.write(f"  {username:<12} {password:<20} {role}")

    def _seed_history(self, teller) -> None:  # type: ignore[no-untyped-def]
        """A few everyday movements, posted once (when arjun's savings has only its opening)."""
        arjun = Account.objects.get(owner__user__username="arjun", account_type__code="savings")
        if arjun.entries.count() > 1:
            return
        arjun_current = Account.objects.get(owner__user__username="arjun", account_type__code="current")
        priya = Account.objects.get(owner__user__username="priya")
        rahul = Account.objects.get(owner__user__username="rahul")
        arjun_user = arjun.owner.user
        services.transfer_create(
            source=arjun,
            destination=priya,
            amount=Decimal("2500.00"),
            description="Dinner at Bastian",
            initiated_by=arjun_user,
        )
        services.transfer_create(
            source=priya,
            destination=rahul,
            amount=Decimal("1500.00"),
            description="Books",
            initiated_by=priya.owner.user,
        )
        services.withdrawal_create(
            account=arjun, amount=Decimal("4000.00"), description="ATM withdrawal", initiated_by=arjun_user
        )
        services.transfer_create(
            source=arjun_current,
            destination=arjun,
            amount=Decimal("20000.00"),
            description="Monthly savings",
            initiated_by=arjun_user,
        )
        services.deposit_create(
            account=rahul, amount=Decimal("3000.00"), description="Scholarship", initiated_by=teller
        )
