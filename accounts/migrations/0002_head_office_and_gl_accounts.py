"""The head office and the bank's own general-ledger accounts in the default currency."""

from django.conf import settings
from django.db import migrations

from accounts.numbers import account_number_build

GL_CODES = ["cash_vault", "suspense", "interest_expense", "loan_receivable", "fee_income", "interbank_clearing"]


def create(apps, schema_editor):
    Branch = apps.get_model("accounts", "Branch")
    Account = apps.get_model("accounts", "Account")
    head_office, _ = Branch.objects.get_or_create(code="0000", defaults={"name": "Head office"})
    for code in GL_CODES:
        if Account.objects.filter(kind="gl", gl_code=code, currency=settings.DEFAULT_CURRENCY).exists():
            continue
        head_office.last_account_serial += 1
        head_office.save(update_fields=["last_account_serial"])
        Account.objects.create(
            number=account_number_build(
                bank_code=settings.BANK_CODE, branch_code="0000", serial=head_office.last_account_serial
            ),
            kind="gl",
            gl_code=code,
            branch=head_office,
            currency=settings.DEFAULT_CURRENCY,
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
