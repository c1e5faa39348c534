"""Give a login a confirmed authenticator (TOTP) device from the command line: how the
first administrator gets into the admin, which asks staff for a one-time code."""

import qrcode
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from customers.selectors import otp_is_enabled
from customers.services import otp_totp_begin, otp_totp_confirm_by_staff


class Command(BaseCommand):
    help = "Enrol USERNAME in two-factor (TOTP): prints the otpauth URI, a QR code and backup codes."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("username")
        parser.add_argument("--no-qr", action="store_true", help="Print only the URI (no terminal QR code)")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No login named {options['username']!r}.")
        if otp_is_enabled(user=user):
            raise CommandError("Two-factor is already on for this login (delete its device in the admin first).")
        enrolment = otp_totp_begin(user=user)
        codes = otp_totp_confirm_by_staff(user=user)
        self.stdout.write(f"Scan into an authenticator app, or type the secret {enrolment.secret}:")
        self.stdout.write(enrolment.otpauth_uri)
        if not options["no_qr"]:
            code = qrcode.QRCode(border=1)
            code.add_data(enrolment.otpauth_uri)
            code.print_ascii(out=self.stdout, invert=True)
        self.stdout.write("Backup codes (each works once): " + " ".join(codes))
