"""Resolve two-phase-commit transfers a crash left in doubt on this node (what beat runs)."""

from django.core.management.base import BaseCommand

from interbank.twophase import two_phase_recover


class Command(BaseCommand):
    help = "Finish or abort in-doubt two-phase-commit transfers on this node."

    def handle(self, *args, **options) -> None:
        for key, count in two_phase_recover().items():
            self.stdout.write(f"{key}: {count}")
