"""Move money to an account on another node of this bank with two-phase commit (what
POST /api/v1/branch-transfers/ does, for operators and tests).

    python manage.py branch_transfer SOURCE DESTINATION AMOUNT
"""

from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Account
from bankingsystem.errors import ApplicationError
from interbank.twophase import branch_transfer_create


class Command(BaseCommand):
    help = "Transfer to an account held by another node (two-phase commit)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("source")
        parser.add_argument("destination")
        parser.add_argument("amount", type=Decimal)

    def handle(self, *args, **options) -> None:
        source = Account.objects.get(number=options["source"])
        try:
            record = branch_transfer_create(
                source=source, destination_number=options["destination"], amount=options["amount"]
            )
        except ApplicationError as refusal:
            raise CommandError(f"refused: {refusal.code}: {refusal.detail}") from refusal
        self.stdout.write(f"{record.gid} {record.state}")
