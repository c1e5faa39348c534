"""Accrue or post interest by hand, with a progress bar: for operators and for catch-up.

python manage.py run_interest --accrue 2026-11-22 [--from 2026-11-01]
python manage.py run_interest --post 2026-10
python manage.py run_interest --due          # what the beat does
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from bankingsystem.errors import ApplicationError
from interest import services
from interest.conventions import month_end, parts_to_decimal


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _period(value: str) -> date:
    """YYYY-MM: the period that ends with that month (monthly, quarterly or annual)."""
    return month_end(datetime.strptime(value, "%Y-%m").date())  # noqa: DTZ007 (a calendar month, no time)


class Command(BaseCommand):
    help = "Accrue interest through a day (catching up every missed day, in order) or post a period."

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--accrue", type=_day, metavar="DATE", help="Accrue every day not yet accrued through DATE")
        action.add_argument("--post", type=_period, metavar="PERIOD", help="Post the period ending with month YYYY-MM")
        action.add_argument("--due", action="store_true", help="Accrue through yesterday and post last month")
        parser.add_argument(
            "--from", dest="start", type=_day, metavar="DATE", help="First day, when nothing was ever accrued"
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar")

    def handle(self, *args, **options) -> None:
        quiet = options["no_progress"]
        try:
            if options["accrue"]:
                self._accrue(options["accrue"], options["start"], quiet)
            elif options["post"]:
                self._post(options["post"], quiet)
            else:
                self._accrue(services.bank_today() - timedelta(days=1), None, quiet)
                for run in services.interest_post_due():
                    self._report_posting(run)
        except ApplicationError as error:
            raise CommandError(f"{error.code}: {error.detail}") from error

    def _accrue(self, through: date, start: date | None, quiet: bool) -> None:
        total = services.days_to_accrue(through=through, start=start)
        with logging_redirect_tqdm(), tqdm(total=total, unit="day", desc="accrue", disable=quiet) as bar:
            runs = services.interest_accrue_through(
                through=through, start=start, progress=lambda day: (bar.set_postfix_str(str(day)), bar.update())
            )
        for run in runs:
            self.stdout.write(
                f"{run.day}: {run.accounts} accounts, credit {parts_to_decimal(int(run.credit_parts), 4)}, "
                f"overdraft {parts_to_decimal(int(run.overdraft_parts), 4)}"
            )
        self.stdout.write(self.style.SUCCESS(f"Accrued {len(runs)} day(s) through {through}."))

    def _post(self, period_end: date, quiet: bool) -> None:
        total = len(services.posting_candidates(period_end=period_end))
        with (
            logging_redirect_tqdm(),
            tqdm(total=total, unit="account", desc=f"post {period_end}", disable=quiet) as bar,
        ):
            run = services.interest_post_period(period_end=period_end, progress=bar.update)
        self._report_posting(run)

    def _report_posting(self, run) -> None:  # type: ignore[no-untyped-def]
        self.stdout.write(
            f"{run.period_end}: {run.postings} postings, {run.journals} journals, {run.failures} failures, "
            f"totals {run.totals}"
        )
        if run.failures:
            self.stdout.write(
                self.style.WARNING("Some accounts could not be posted: see Posting failures in the admin.")
            )
