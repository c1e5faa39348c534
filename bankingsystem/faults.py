"""Named fault points for crash tests: a process whose FAULT_POINTS setting names a point
hangs there, so the test can SIGKILL it at exactly that step. Empty in production."""

from __future__ import annotations

import sys
import time

import structlog
from django.conf import settings

logger = structlog.get_logger(__name__)


def fault_point(name: str) -> None:
    if name in settings.FAULT_POINTS:
        logger.warning("fault_point_reached", point=name)
        print(f"FAULT POINT {name}", flush=True)
        sys.stdout.flush()
        time.sleep(3600)
