"""The four loan products the bank starts with (staff edit them in the admin), and the
loans beat schedule in django-celery-beat."""

from decimal import Decimal

from django.db import migrations

PRODUCTS = [
    # code, name, kind, rate %, term months, amount range, amortization, late fee, grace days
    ("personal", "Personal loan", "personal", "10.5000", (6, 60), ("25000.00", "1500000.00"), "emi", "500.00", 5),
    ("home", "Home loan", "home", "8.5000", (60, 360), ("500000.00", "10000000.00"), "emi", "1000.00", 7),
    ("auto", "Car loan", "auto", "9.2500", (12, 84), ("100000.00", "5000000.00"), "emi", "750.00", 5),
    (
        "education",
        "Education loan",
        "education",
        "9.7500",
        (12, 120),
        ("50000.00", "4000000.00"),
        "equal_principal",
        "300.00",
        10,
    ),
]


def create(apps, schema_editor):
    from loans.beat import schedule_install

    LoanProduct = apps.get_model("loans", "LoanProduct")
    for code, name, kind, rate, (min_term, max_term), (min_amount, max_amount), method, fee, grace in PRODUCTS:
        LoanProduct.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "annual_rate": Decimal(rate),
                "min_term_months": min_term,
                "max_term_months": max_term,
                "min_amount": Decimal(min_amount),
                "max_amount": Decimal(max_amount),
                "amortization": method,
                "late_fee": Decimal(fee),
                "grace_days": grace,
            },
        )
    schedule_install(apps)


class Migration(migrations.Migration):
    dependencies = [("loans", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
