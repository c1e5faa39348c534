"""Prove the ledger's invariants: every journal sums to zero per currency, every account
balance equals the sum of its entries, all balances sum to zero. Exit status 1 if not."""

import json

from django.core.management.base import BaseCommand, CommandError

from transactions.selectors import ledger_integrity_report


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
            for label, rows in [
                ("unbalanced journals", report.unbalanced_journals),
                ("balances that differ from their entries", report.balance_mismatches),
                ("accounts past their overdraft limit", report.overdraft_breaches),
                ("held amounts that differ from the pending holds", report.hold_mismatches),
                ("daily debit totals that differ from today's debits", report.daily_debit_mismatches),
            ]:
                self.stdout.write(f"  {label}: {len(rows)}")
                for row in rows[:20]:
                    self.stdout.write(f"    {row}")
        if not report.ok:
            raise CommandError("The ledger is NOT consistent.")
        self.stdout.write(self.style.SUCCESS("The ledger is consistent."))
