"""The ledger's monthly partitions on PostgreSQL: list them, create the coming months'
(what beat does), or archive the oldest month (detach it for dumping and dropping)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from bankingsystem.errors import ApplicationError
from bankingsystem.partitions import partitions_ensure, partitions_list
from transactions.services import ENTRY_TABLE, entry_partition_archive


class Command(BaseCommand):
    help = "List, create ahead, or archive (detach) the ledger's monthly partitions."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--ensure", action="store_true", help="Create this month's and the next months' partitions")
        parser.add_argument("--archive", metavar="YYYY-MM", help="Detach this month (the oldest attached one)")

    def handle(self, *args, **options) -> None:
        if options["ensure"]:
            for name in partitions_ensure():
                self.stdout.write(f"created {name}")
        if options["archive"]:
            try:
                name = entry_partition_archive(month=date.fromisoformat(options["archive"] + "-01"))
            except (ApplicationError, ValueError) as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"detached {name}: dump it (pg_dump -t {name}), then DROP TABLE {name}")
        for partition in partitions_list(ENTRY_TABLE):
            self.stdout.write(partition.name)
