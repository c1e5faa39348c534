from django.core.management.base import BaseCommand, CommandError

from bankingsystem.errors import ApplicationError
from customers.services import login_unlock


class Command(BaseCommand):
    help = "Lift a login lockout for a username and/or an IP address (also an admin action on Login events)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--username", default="")
        parser.add_argument("--ip", default=None)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            if options["username"]:
                login_unlock(actor=None, username=options["username"])
            if options["ip"]:
                login_unlock(actor=None, ip_address=options["ip"])
            if not options["username"] and not options["ip"]:
                login_unlock(actor=None)
        except ApplicationError as error:
            raise CommandError(error.detail) from error
        self.stdout.write("Unlocked.")
