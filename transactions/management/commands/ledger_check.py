"""Prove the ledger's invariants: every journal sums to zero per currency, every account
balance equals the sum of its entries, every entry's journal and account exist, all balances
sum to zero. Exit status 1 if not."""

import json

from django.core.management.base import BaseCommand, CommandError

from transactions.selectors import INTEGRITY_FINDINGS, ledger_integrity_report


class Command(BaseCommand):
    help = "Check the whole ledger's integrity (exit status 1 on any finding)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--json", action="store_true", help="Print the full report as JSON")

    def handle(self, *args, **options) -> None:
        report = ledger_integrity_report()
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), default=str, indent=2))
        else:
            self.stdout.write(
                f"{report.journals} journals, {report.entries} entries, {report.accounts} accounts checked"
            )
            for currency, total in report.totals_by_currency.items():
                self.stdout.write(f"  sum of {currency} balances: {total}")
            for finding, rows in report.findings().items():
                self.stdout.write(f"  {INTEGRITY_FINDINGS[finding]}: {len(rows)}")
                for row in rows[:20]:
                    self.stdout.write(f"    {row}")
        if not report.ok:
            raise CommandError("The ledger is NOT consistent.")
        self.stdout.write(self.style.SUCCESS("The ledger is consistent."))
