"""The long-running cross-bank worker: relays this bank's outbox to the broker and consumes
its incoming stream (reclaiming what dead consumers left pending), until stopped.

    python manage.py interbank_worker [--consumer NAME] [--max-seconds N]
"""

from __future__ import annotations

import os
import signal
import socket
import time

from django.core.management.base import BaseCommand

from interbank import services


class Command(BaseCommand):
    help = "Relay the outbox and consume this bank's stream until SIGTERM."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--consumer", default=f"{socket.gethostname()}-{os.getpid()}")
        parser.add_argument("--max-seconds", type=float, default=0, help="Stop after this long (0: never)")

    def handle(self, *args, **options) -> None:
        stopping = False

        def stop(signum, frame):  # type: ignore[no-untyped-def]
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        deadline = time.monotonic() + options["max_seconds"] if options["max_seconds"] else None
        self.stdout.write(f"interbank worker {options['consumer']} started")
        while not stopping and (deadline is None or time.monotonic() < deadline):
            services.outbox_relay()
            services.inbox_consume(consumer=options["consumer"], block_ms=500)
