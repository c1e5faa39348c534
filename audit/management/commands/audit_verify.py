from django.core.management.base import BaseCommand, CommandError

from audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain; exit non-zero at the first altered, missing or reordered event."

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        report = audit_chain_verify()
        if not report.ok:
            raise CommandError(
                f"audit chain BROKEN at lane {report.first_bad_lane} event {report.first_bad_seq}: "
                f"{report.problem}: {report.detail} ({report.checked} events verified before it)"
            )
        self.stdout.write(f"audit chain OK: {report.checked} events in {len(report.heads)} lanes")
        for head in report.heads:
            self.stdout.write(f"  lane {head.lane}: head {head.seq} {head.hash}")
